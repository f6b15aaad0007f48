"""Exercises of notebook 03 · optimizers: Nesterov momentum, Adam's largest learning rate on
Rosenbrock, Adam with weight decay on the diabetes MLP, and AdamW written as a subclass of our Adam.

Each worked solution is a cell that runs in the notebook's context and ends with its ``check`` line;
``reference`` runs the same cell in a copy of that context (built by ``_context``) and returns what
it passes to ``check``, so the solution shown is the one tested.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
from typing import Any

import numpy as np
import torch
from torch import nn

from chapter5_utils.exercises.core import (
    Exercise,
    Feedback,
    NotYet,
    correct,
    describe,
    differs,
    learner_code,
    precision,
    read_bool,
    read_number,
    read_numbers,
    register,
    same_setting,
    show,
)
from chapter5_utils.exercises.korean import attach as josa
from chapter5_utils.optim import Adam, Momentum, distance_to, optimize_path

START, STEPS = [-4.5, 1.5], 50
ROSEN_START, ROSEN_STEPS = [-1.2, 1.0], 500
ADAM_LRS = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
CONVERGED = 0.05  # "converges": ends within this distance of (1, 1)
LOSS_TOLERANCE = 5e-4
PATH_TOLERANCE = 1e-9  # float64 paths; a float32 path is judged at float32 precision
ADAMW_TOLERANCE = 1e-10


def _quadratic(x: torch.Tensor) -> torch.Tensor:
    return 0.1 * x[0] ** 2 + 2 * x[1] ** 2


def _rosenbrock(x: torch.Tensor) -> torch.Tensor:
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _texts(en: Any, ko: Any) -> dict[str, Any]:
    return {"en": en, "ko": ko}


def _solution(code: str, en: str, ko: str) -> dict[str, str]:
    return {"en": code + "\n" + en, "ko": code + "\n" + ko}


@functools.cache
def _diabetes() -> dict[str, Any]:
    """Return the notebook's diabetes split (float64, standardised) and its initial MLP, built as there."""
    from chapter5_utils import as_tensors, load_diabetes, standardize
    from chapter5_utils.cv import holdout_split

    data = load_diabetes()
    train_idx, val_idx = holdout_split(len(data.y), 0.2, seed=0)
    X_train, X_val = standardize(data.X[train_idx], data.X[val_idx])
    y_train, y_val = standardize(data.y[train_idx, None], data.y[val_idx, None])
    X_train, X_val, y_train, y_val = as_tensors(X_train, X_val, y_train, y_val, dtype=torch.float64)
    with torch.random.fork_rng(devices=[]):  # leave the learner's random state as it was
        torch.manual_seed(0)
        mlp = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1)).double()
    return {"X_train": X_train, "X_val": X_val, "y_train": y_train, "y_val": y_val, "mlp": mlp}


def _context() -> dict[str, Any]:
    """Return a fresh namespace holding what the notebook has defined before its exercises."""
    import matplotlib.pyplot as plt

    from chapter5_utils import fit

    return {
        "copy": copy,
        "np": np,
        "torch": torch,
        "nn": nn,
        "plt": plt,
        "fit": fit,
        "Adam": Adam,
        "Momentum": Momentum,
        "optimize_path": optimize_path,
        "distance_to": distance_to,
        "quadratic": _quadratic,
        "rosenbrock": _rosenbrock,
        "START": START,
        "STEPS": STEPS,
        "ROSEN_START": ROSEN_START,
        "ROSEN_STEPS": ROSEN_STEPS,
        "EPOCHS": 40,
        "paths": {"Momentum": _momentum_path(False)},
        **{k: copy.deepcopy(v) if isinstance(v, nn.Module) else v for k, v in _diabetes().items()},
    }


def _run(code: str) -> tuple[Any, ...]:
    """Run a solution cell in a copy of the notebook's context; return the answers it passes to check."""
    namespace = _context()
    passed: list[tuple[Any, ...]] = []
    namespace["check"] = lambda exercise_id, *answers: passed.append(answers)
    with contextlib.redirect_stdout(io.StringIO()), torch.random.fork_rng(devices=[]):  # prints are for learners
        exec(code, namespace)  # noqa: S102 - our own solution code, run to produce the reference answer
    (answers,) = passed
    return answers


# ---------------------------------------------------------------------------------------------
# 03.1 · Nesterov momentum on the quadratic


@functools.cache
def _momentum_path(nesterov: bool) -> np.ndarray:
    return optimize_path(Momentum, _quadratic, START, STEPS, lr=0.1, momentum=0.8, nesterov=nesterov)


def _swing(path: np.ndarray) -> float:
    """Return the largest distance to the optimum over steps 30 to 50."""
    return float(np.linalg.norm(path[30:], axis=1).max())


def check_nesterov(nesterov_path: Any, closer: Any) -> Feedback:
    """Return feedback on the Nesterov path and on whether it ends closer than plain momentum."""
    path = read_numbers("nesterov_path", nesterov_path)
    if path.shape != (STEPS + 1, 2):
        raise NotYet(
            f"`nesterov_path` has shape {path.shape}; a run of STEPS = {STEPS} steps gives {STEPS + 1} points "
            f"of 2 coordinates, shape ({STEPS + 1}, 2): did you run {STEPS} steps on the quadratic?",
            f"`nesterov_path`의 모양은 {josa(path.shape, '이다/다')}. `STEPS = {STEPS}`스텝을 가면 좌표 2개짜리 점이 "
            f"{STEPS + 1}개, 즉 모양이 ({STEPS + 1}, 2)인 배열이 나온다. 이차 함수에서 {STEPS}스텝을 갔는지 확인하라.",
        )
    tol = max(PATH_TOLERANCE, 256 * precision(nesterov_path) * float(np.abs(path).max()))
    if not differs(path[0], START) < tol:
        start = "(" + ", ".join(show(v, ".3f") for v in path[0]) + ")"
        raise NotYet(
            f"`nesterov_path` starts at {start}, not at START = {tuple(START)}.",
            f"`nesterov_path`의 출발점이 {josa(f'`START = {tuple(START)}`', '이/가')} 아니라 {josa(start, '이다/다')}.",
        )
    plain, nesterov = _momentum_path(False), _momentum_path(True)
    if differs(path, plain) < tol:
        raise NotYet(
            "This is plain momentum's path, point for point: did you pass nesterov=True?",
            "이것은 보통 모멘텀의 경로와 점마다 같다. nesterov=True를 넘겼는지 확인하라.",
        )
    if not differs(path, nesterov) < tol:
        raise NotYet(
            "This path is not Nesterov momentum's with lr=0.1 and momentum=0.8: keep the settings of plain "
            "momentum and change only nesterov, so that the comparison is fair.",
            "lr=0.1, momentum=0.8인 네스테로프 모멘텀의 경로가 아니다. 공정하게 비교하려면 보통 모멘텀의 "
            "설정을 그대로 두고 `nesterov`만 바꿔라.",
        )
    answer = read_bool("closer", closer)
    d_plain, d_nesterov = distance_to(plain, [0, 0]), distance_to(nesterov, [0, 0])
    if answer != (d_nesterov < d_plain):
        raise NotYet(
            f"The path is right, but closer = {answer} does not match the distances after {STEPS} steps: "
            "compare distance_to(nesterov_path, [0, 0]) with distance_to(paths['Momentum'], [0, 0]).",
            f"경로는 맞지만 {josa(f'`closer = {answer}`', '은/는')} {STEPS}스텝 뒤의 거리와 맞지 않는다. "
            "distance_to(nesterov_path, [0, 0])와 distance_to(paths['Momentum'], [0, 0])를 비교하라.",
        )
    swing_n, swing_p = show(_swing(nesterov), ".3f"), show(_swing(plain), ".3f")
    return correct(
        f"After {STEPS} steps Nesterov ends a hair further from the optimum ({show(d_nesterov, '.4f')} against "
        f"{show(d_plain, '.4f')}), yet it swings far less: its largest distance over steps 30 to {STEPS} is "
        f"{swing_n} against {swing_p}. One end point can mislead; compare whole curves.",
        f"{STEPS}스텝 뒤 네스테로프는 최적점에서 아주 조금 더 멀다({show(d_nesterov, '.4f')} 대 "
        f"{show(d_plain, '.4f')}). 그러나 흔들림은 훨씬 작다. 30~{STEPS}스텝 동안의 최대 거리는 네스테로프가 "
        f"{swing_n}, 보통 모멘텀이 {josa(swing_p, '이다/다')}. 끝점 하나만 보면 오해할 수 있으니 곡선 전체를 비교하라.",
    )


NESTEROV_CODE = """\
nesterov_path = optimize_path(Momentum, quadratic, START, STEPS, lr=0.1, momentum=0.8, nesterov=True)
print(f"Nesterov {distance_to(nesterov_path, [0, 0]):.4f}, plain {distance_to(paths['Momentum'], [0, 0]):.4f}")
closer = distance_to(nesterov_path, [0, 0]) < distance_to(paths["Momentum"], [0, 0])

fig, ax = plt.subplots()
ax.semilogy(np.linalg.norm(paths["Momentum"], axis=1), label="momentum")
ax.semilogy(np.linalg.norm(nesterov_path, axis=1), label="Nesterov")
ax.set(xlabel="step", ylabel="distance to the optimum", title="Nesterov swings less")
ax.legend()
plt.show()
check("03.1", nesterov_path, closer)
"""


register(
    Exercise(
        id="03.1",
        check=check_nesterov,
        hints=_texts(
            [
                "Only one setting changes: everything else stays as in plain momentum's run, so that the "
                "comparison is fair.",
                "optimize_path passes its extra arguments to the optimizer: add nesterov=True next to "
                "lr=0.1 and momentum=0.8. distance_to(path, [0, 0]) measures where a path ended; plain "
                "momentum's path is paths['Momentum'].",
                "np.linalg.norm(path, axis=1) is the distance at every step: plot it for both paths.",
            ],
            [
                "바뀌는 설정은 하나뿐이다. 공정하게 비교하려면 나머지는 보통 모멘텀의 실행 그대로 두어야 한다.",
                "optimize_path는 남는 인자를 옵티마이저에 넘긴다. lr=0.1, momentum=0.8 옆에 nesterov=True를 더하라. "
                "distance_to(path, [0, 0])는 경로가 끝난 곳까지의 거리다. 보통 모멘텀의 경로는 paths['Momentum']이다.",
                "np.linalg.norm(path, axis=1)은 스텝마다의 거리다. 두 경로에 대해 그려 보라.",
            ],
        ),
        solution=_solution(
            NESTEROV_CODE,
            "Nesterov steps along g + μ·v, a look one step ahead, which damps the swings: over steps 30 to 50 "
            "its largest distance is less than half of plain momentum's. After exactly 50 steps it is still a "
            "hair further (closer = False), because both paths still oscillate around the optimum.",
            "네스테로프는 한 스텝 앞을 내다본 방향 g + μ·v로 움직여 흔들림을 줄인다. 30~50스텝 동안의 최대 "
            "거리가 보통 모멘텀의 절반도 안 된다. 그래도 정확히 50스텝 뒤에는 아주 조금 더 멀다(closer = False). "
            "두 경로 모두 아직 최적점 주위에서 진동하기 때문이다.",
        ),
        reference=lambda: (_run(NESTEROV_CODE), {}),
    )
)


# ---------------------------------------------------------------------------------------------
# 03.2 · The largest learning rate with which Adam converges on Rosenbrock


@functools.cache
def _rosen_distance(lr: float) -> float:
    return distance_to(optimize_path(Adam, _rosenbrock, ROSEN_START, ROSEN_STEPS, lr=lr), [1, 1])


LARGEST_LR = 1.0  # the tests check that the solution's sweep finds this rate


def check_largest_lr(largest_lr: Any) -> Feedback:
    """Return feedback on the largest rate in ADAM_LRS with which Adam ends within 0.05 of (1, 1)."""
    number = read_number("largest_lr", largest_lr)
    matches = [lr for lr in ADAM_LRS if same_setting(number, lr)]
    listed = ", ".join(show(lr, "g") for lr in ADAM_LRS)
    if not matches:
        raise NotYet(
            f"largest_lr = {show(number, 'g')} is not one of ADAM_LRS = [{listed}]: pick your answer from that list.",
            f"largest_lr = {josa(show(number, 'g'), '은/는')} ADAM_LRS = [{listed}]에 없다. 이 목록에서 답을 골라라.",
        )
    lr = matches[0]
    rate = f"lr={show(lr, 'g')}"
    distance = _rosen_distance(lr)
    if not distance < CONVERGED:
        raise NotYet(
            f"With lr={show(lr, 'g')} Adam ends {show(distance, '.3g')} from (1, 1) after {ROSEN_STEPS} steps, not "
            f"within {CONVERGED}: it does not converge. Print the distance for every rate and keep those below "
            f"{CONVERGED}.",
            f"{josa(rate, '이면/면')} Adam은 {ROSEN_STEPS}스텝 뒤 (1, 1)에서 "
            f"{show(distance, '.3g')} 떨어진 곳에서 "
            f"끝난다. {CONVERGED} 안에 들지 못했으니 수렴하지 않은 것이다. 모든 학습률의 거리를 출력하고 "
            f"{CONVERGED}보다 작은 것만 남겨라.",
        )
    if lr < LARGEST_LR:
        raise NotYet(
            f"lr={show(lr, 'g')} converges (it ends {show(distance, '.3g')} from (1, 1)), but a larger rate in the "
            "list converges too.",
            f"lr={show(lr, 'g')}에서는 수렴한다((1, 1)에서 {show(distance, '.3g')}). 그러나 목록에서 더 큰 학습률도 "
            "수렴한다.",
        )
    return correct(
        f"lr={show(lr, 'g')} ends {show(distance, '.2g')} from (1, 1), while lr=3 ends more than 1 away. The best "
        "rate often sits just below the rates that fail, so search on a log grid and back off a little from where "
        "training breaks.",
        f"lr={show(lr, 'g')}에서는 (1, 1)에서 {show(distance, '.2g')} 떨어진 곳에서 끝나지만 lr=3에서는 1 넘게 떨어진 "
        "곳에서 끝난다. 가장 좋은 학습률은 흔히 실패하는 학습률 바로 아래에 있다. 그러니 로그 격자에서 찾고, 학습이 "
        "무너지는 곳에서 조금 물러서라.",
    )


LARGEST_LR_CODE = """\
ADAM_LRS = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
converged = []
for lr in ADAM_LRS:
    path = optimize_path(Adam, rosenbrock, ROSEN_START, ROSEN_STEPS, lr=lr)
    distance = distance_to(path, [1, 1])
    print(f"lr = {lr:5g}: distance to (1, 1) after {ROSEN_STEPS} steps {distance:.3g}")
    if distance < 0.05:
        converged.append(lr)
largest_lr = max(converged)
check("03.2", largest_lr)
"""


register(
    Exercise(
        id="03.2",
        check=check_largest_lr,
        hints=_texts(
            [
                "Measure, don't guess: run every rate and look at where each run ends.",
                "Loop over ADAM_LRS; for each rate run optimize_path(Adam, rosenbrock, ROSEN_START, ROSEN_STEPS, "
                "lr=lr) and print distance_to(path, [1, 1]).",
                "Look at every rate before you answer: the distance does not fall steadily as the rate grows.",
            ],
            [
                "짐작하지 말고 재라. 모든 학습률로 실행하고 각 실행이 어디서 끝나는지 보라.",
                "`ADAM_LRS`를 돌면서 학습률마다 `optimize_path(Adam, rosenbrock, ROSEN_START, ROSEN_STEPS, lr=lr)`를 "
                "실행하고 distance_to(path, [1, 1])를 출력하라.",
                "답하기 전에 모든 학습률을 보라. 학습률이 커진다고 거리가 고르게 줄지는 않는다.",
            ],
        ),
        solution=_solution(
            LARGEST_LR_CODE,
            "lr = 1 ends within 0.005 of (1, 1), and lr = 3 ends more than 1 away: early on Adam's steps are "
            "about lr long in each coordinate, too long for the narrow valley. The best rate lies just below "
            "the ones that fail.",
            "lr = 1에서는 (1, 1)에서 0.005 안에서 끝나고, lr = 3에서는 1 넘게 떨어진 곳에서 끝난다. 처음에 Adam의 "
            "스텝은 좌표마다 대략 lr만큼이라 좁은 골짜기에는 너무 길다. 가장 좋은 학습률은 실패하는 학습률 바로 아래에 "
            "있다.",
        ),
        reference=lambda: (_run(LARGEST_LR_CODE), {}),
    )
)


# ---------------------------------------------------------------------------------------------
# 03.3 · Adam with weight decay on the diabetes MLP


@functools.cache
def _adam_run(weight_decay: float) -> tuple[float, float, float, float]:
    """Return (final train loss, final val loss, best val loss, weight norm) of the notebook's Adam run."""
    from chapter5_utils import fit

    d = _diabetes()
    model = copy.deepcopy(d["mlp"])
    history = fit(
        model,
        d["X_train"],
        d["y_train"],
        loss_fn=nn.functional.mse_loss,
        optimizer=Adam(model.parameters(), lr=0.003, weight_decay=weight_decay),
        epochs=40,
        X_val=d["X_val"],
        y_val=d["y_val"],
        seed=0,
    )
    norm = torch.cat([p.detach().flatten() for p in model.parameters()]).norm().item()
    return history.train_loss[-1], history.val_loss[-1], min(history.val_loss), norm


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= LOSS_TOLERANCE


def check_weight_decay(train_loss: Any, val_loss: Any) -> Feedback:
    """Return feedback on the final losses of Adam(lr=0.003, weight_decay=0.01) on the diabetes MLP."""
    train = read_number("train_loss", train_loss)
    val = read_number("val_loss", val_loss)
    ref_train, ref_val, ref_best_val, _ = _adam_run(0.01)
    if _close(train, ref_train) and _close(val, ref_val):
        return correct(
            f"Your losses match the reference run within {LOSS_TOLERANCE}. Compared with Adam's row in the "
            "table (no weight decay), the final training loss is higher and the validation loss almost the same: "
            "the decay pulls the weights toward 0 (their norm shrinks by about a quarter), which costs some fit on "
            "the training data and, on this model, does not help validation.",
            f"허용 오차 {LOSS_TOLERANCE} 안에서 맞다. 표에 있는 Adam의 행(가중치 감쇠 없음)과 비교하면 마지막 "
            "학습 손실은 더 높고 검증 손실은 거의 같다. 감쇠가 가중치를 0 쪽으로 당겨(노름이 약 4분의 1 준다) "
            "학습 데이터에 덜 맞추게 되고, 이 모델에서는 검증 손실도 낮추지 못한다.",
        )
    if _close(train, ref_val) and _close(val, ref_train):
        raise NotYet(
            "Your two numbers are swapped: train_loss is history.train_loss[-1] and val_loss is history.val_loss[-1].",
            "두 수가 뒤바뀌었다. train_loss는 history.train_loss[-1], val_loss는 history.val_loss[-1]이다.",
        )
    plain_train, plain_val, _, _ = _adam_run(0.0)
    if _close(train, plain_train) and _close(val, plain_val):
        raise NotYet(
            "These are the losses of Adam without weight decay: did you pass weight_decay=0.01 to Adam?",
            "이것은 가중치 감쇠가 없는 Adam의 손실이다. Adam에 weight_decay=0.01을 넘겼는지 확인하라.",
        )
    if _close(train, ref_train) and _close(val, ref_best_val):
        raise NotYet(
            "train_loss is right, but val_loss is the best validation loss of the run, not the final one: "
            "use history.val_loss[-1].",
            "train_loss는 맞지만 val_loss가 마지막 값이 아니라 가장 좋은 검증 손실이다. history.val_loss[-1]을 써라.",
        )
    wrong = [name for name, ok in (("train_loss", _close(train, ref_train)), ("val_loss", _close(val, ref_val)))
             if not ok]
    verb = "does" if len(wrong) == 1 else "do"
    raise NotYet(
        f"{' and '.join(wrong)} {verb} not match the reference run (tolerance {LOSS_TOLERANCE}). Start from "
        "copy.deepcopy(mlp), use Adam(model.parameters(), lr=0.003, weight_decay=0.01), epochs=EPOCHS, "
        "X_val=X_val, y_val=y_val and seed=0, and report the last entries of the history.",
        f"{josa('와 '.join(wrong), '이/가')} 기준 실행과 맞지 않는다(허용 오차 {LOSS_TOLERANCE}). "
        "copy.deepcopy(mlp)에서 "
        "시작해 Adam(model.parameters(), lr=0.003, weight_decay=0.01), epochs=EPOCHS, X_val=X_val, y_val=y_val, "
        "seed=0으로 학습하고, `history`의 마지막 값을 보고하라.",
    )


WEIGHT_DECAY_CODE = """\
model = copy.deepcopy(mlp)
history = fit(model, X_train, y_train, loss_fn=nn.functional.mse_loss,
              optimizer=Adam(model.parameters(), lr=0.003, weight_decay=0.01), epochs=EPOCHS,
              X_val=X_val, y_val=y_val, seed=0)
train_loss, val_loss = history.train_loss[-1], history.val_loss[-1]
print(f"final train {train_loss:.4f}, final val {val_loss:.4f}")
check("03.3", train_loss, val_loss)
"""


register(
    Exercise(
        id="03.3",
        check=check_weight_decay,
        hints=_texts(
            [
                "Reuse the loop body of \"On real data\": only the optimizer changes.",
                "A fresh model = copy.deepcopy(mlp), then fit(...) with the same data, epochs and seed and "
                "Adam(model.parameters(), lr=0.003, weight_decay=0.01). The final losses are the last entries of "
                "history.train_loss and history.val_loss.",
                "To see what the decay did, compare the weights' size with and without it: "
                "torch.cat([p.detach().flatten() for p in model.parameters()]).norm().",
            ],
            [
                "'실제 데이터에서 비교' 절의 반복문 본문을 다시 써라. 바뀌는 것은 옵티마이저뿐이다.",
                "새 모델 `model = copy.deepcopy(mlp)`에 같은 데이터, 에포크, 시드와 "
                "Adam(model.parameters(), lr=0.003, weight_decay=0.01)로 fit(...)을 부른다. 마지막 손실은 "
                "history.train_loss와 history.val_loss의 마지막 값이다.",
                "감쇠가 무엇을 했는지 보려면 감쇠가 있을 때와 없을 때 가중치의 크기 "
                "`torch.cat([p.detach().flatten() for p in model.parameters()]).norm()`을 비교하라.",
            ],
        ),
        solution=_solution(
            WEIGHT_DECAY_CODE,
            "Weight decay adds 0.01·θ to every gradient, which pulls the weights toward 0: the training loss "
            "rises a little and, on this small model, the validation loss stays about the same.",
            "가중치 감쇠는 모든 기울기에 0.01·θ를 더해 가중치를 0 쪽으로 당긴다. 그래서 학습 손실이 조금 오르고, "
            "이 작은 모델에서는 검증 손실이 거의 그대로다.",
        ),
        reference=lambda: (_run(WEIGHT_DECAY_CODE), {}),
    )
)


# ---------------------------------------------------------------------------------------------
# 03.4 · AdamW as a subclass of our Adam


class _AdamWAfter(Adam):
    """A typical mistake: the decay is applied after the Adam step."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps)
        for group in self.param_groups:
            group["decay"] = weight_decay

    def _update(self, p, g, state, group):
        super()._update(p, g, state, group)
        p.mul_(1 - group["lr"] * group["decay"])


class _AdamWFactor(_AdamWAfter):
    """A typical mistake: the factor is 1 − λ instead of 1 − lr·λ."""

    def _update(self, p, g, state, group):
        p.mul_(1 - group["decay"])
        Adam._update(self, p, g, state, group)


class _AdamWTwice(Adam):
    """A typical mistake: the weights are shrunk and the shared step still adds λθ to the gradient."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def _update(self, p, g, state, group):
        p.mul_(1 - group["lr"] * group["weight_decay"])
        super()._update(p, g, state, group)


def _adamw_path(cls: type, steps: int = 6, lr_change: float | None = None, **kwargs: Any) -> np.ndarray:
    """Return the points visited by ``cls`` on a small seeded least-squares problem (float64)."""
    gen = torch.Generator().manual_seed(3)
    A = torch.randn(6, 4, generator=gen, dtype=torch.float64)
    b = torch.randn(6, generator=gen, dtype=torch.float64)
    x = torch.randn(4, generator=gen, dtype=torch.float64).requires_grad_(True)
    optimizer = cls([x], **kwargs)
    points = [x.detach().clone()]
    with torch.enable_grad():
        for k in range(steps):
            if lr_change is not None and k == steps // 2:
                for group in optimizer.param_groups:
                    group["lr"] = lr_change  # as a learning-rate scheduler does
            optimizer.zero_grad()
            ((A @ x - b) ** 2).mean().backward()
            optimizer.step()
            points.append(x.detach().clone())
    return torch.stack(points).numpy()


@functools.cache
def _known_path(which: str, lr_change: float | None = None, defaults: bool = False) -> np.ndarray:
    classes = {"torch": torch.optim.AdamW, "adam": Adam, "twice": _AdamWTwice, "after": _AdamWAfter,
               "factor": _AdamWFactor}
    settings = {} if defaults else {"lr": 0.1, "weight_decay": 0.2}
    if which == "plain":
        return _adamw_path(Adam, lr_change=lr_change, **{**settings, "weight_decay": 0.0})
    return _adamw_path(classes[which], lr_change=lr_change, **settings)


MISTAKES = [  # (path, English message, Korean message), tried in this order
    (
        "adam",
        "Your class adds λθ to the gradient, like Adam's weight_decay (an L2 penalty), so Adam then divides the "
        "decay by √v̂ like any gradient. AdamW keeps λ away from the gradient and shrinks θ itself.",
        "지금 클래스는 Adam의 weight_decay처럼 λθ를 기울기에 더한다(L2 규제). 그러면 Adam이 감쇠도 다른 기울기처럼 "
        "√v̂로 나눈다. AdamW는 λ를 기울기에 넣지 않고 θ를 직접 줄인다.",
    ),
    (
        "plain",
        "Your class does not decay the weights at all: its path equals Adam's without weight decay.",
        "지금 클래스는 가중치를 전혀 줄이지 않는다. 경로가 가중치 감쇠 없는 Adam과 같다.",
    ),
    (
        "twice",
        "Your class decays twice: it shrinks θ, and the shared step still adds λθ to the gradient. Keep λ out "
        "of the key weight_decay that the shared step reads.",
        "지금 클래스는 감쇠를 두 번 한다. θ를 줄이고, 공통 step도 여전히 λθ를 기울기에 더한다. 공통 step이 읽는 "
        "weight_decay 키에는 λ를 두지 마라.",
    ),
    (
        "after",
        "Your class shrinks θ after the Adam step; torch.optim.AdamW shrinks it before.",
        "지금 클래스는 Adam 스텝 다음에 θ를 줄인다. torch.optim.AdamW는 그 전에 줄인다.",
    ),
    (
        "factor",
        "Your decay factor is 1 − λ; AdamW's is 1 − lr·λ (the decay is scaled by the learning rate).",
        "지금 감쇠 인수는 1 − λ이다. AdamW의 인수는 1 − lr·λ이다(감쇠에 학습률을 곱한다).",
    ),
]


def _learner_path(adamw_class: type, **kwargs: Any) -> np.ndarray:
    with learner_code():
        return _adamw_path(adamw_class, **kwargs)


def _nan_problem(path: np.ndarray, settings_en: str, settings_ko: str) -> None:
    bad = np.flatnonzero(~np.isfinite(path).all(axis=1))
    if bad.size:
        raise NotYet(
            f"{settings_en}your θ becomes nan or inf at step {int(bad[0])}: a value that is not finite never passes. "
            "A common cause is a bias correction 1 − βᵗ with a step count that starts at 0 (0 / 0).",
            f"{settings_ko}θ가 스텝 {int(bad[0])}에서 nan이나 inf가 된다. 유한하지 않은 값은 정답이 될 수 없다. 흔한 "
            "원인은 스텝 수가 0부터 시작하는 편향 보정 1 − βᵗ이다(0 / 0).",
        )


def check_adamw(adamw_class: Any) -> Feedback:
    """Return feedback on a learner's AdamW class, compared with torch.optim.AdamW over a few steps."""
    if not isinstance(adamw_class, type):
        raise NotYet(
            f"AdamW should be a class (class AdamW(Adam): ...), got {describe(adamw_class)}.",
            f"AdamW에는 클래스(class AdamW(Adam): ...)가 와야 한다. 받은 것: {describe(adamw_class, 'ko')}.",
        )
    if not issubclass(adamw_class, Adam):
        raise NotYet(
            f"{adamw_class.__name__} is not a subclass of our Adam (chapter5_utils.optim.Adam): "
            "write class AdamW(Adam): ... so that it reuses Adam's update.",
            f"클래스 {josa(adamw_class.__name__, '은/는')} 우리 Adam(chapter5_utils.optim.Adam)의 하위 클래스가 "
            "아니다. "
            "Adam의 갱신을 다시 쓰도록 `class AdamW(Adam): ...`으로 정의하라.",
        )
    ours = _learner_path(adamw_class, lr=0.1, weight_decay=0.2)
    _nan_problem(ours, "With lr=0.1 and weight_decay=0.2, ", "lr=0.1, weight_decay=0.2에서 ")
    target = _known_path("torch")
    if not differs(ours, target) < ADAMW_TOLERANCE:
        for which, en, ko in MISTAKES:
            if differs(ours, _known_path(which)) < ADAMW_TOLERANCE:
                raise NotYet(en, ko)
        gap = show(differs(ours, target), ".2g")
        raise NotYet(
            f"With lr=0.1 and weight_decay=0.2, your θ differs from torch.optim.AdamW's by up to {gap} within 6 "
            f"steps (it should agree to {show(ADAMW_TOLERANCE, 'g')}).",
            f"lr=0.1, weight_decay=0.2에서 6스텝 안에 θ가 torch.optim.AdamW와 최대 {gap}만큼 다르다"
            f"({show(ADAMW_TOLERANCE, 'g')} 안에서 같아야 한다).",
        )
    changed = _learner_path(adamw_class, lr=0.1, weight_decay=0.2, lr_change=0.02)
    _nan_problem(changed, "After a change of the learning rate, ", "학습률이 바뀐 뒤 ")
    if not differs(changed, _known_path("torch", lr_change=0.02)) < ADAMW_TOLERANCE:
        raise NotYet(
            "Your class agrees with torch.optim.AdamW until the learning rate changes (as a scheduler changes "
            "it): read lr from group['lr'] at every step, not once in __init__.",
            "학습률이 바뀌기 전까지는(스케줄러가 바꾸듯이) torch.optim.AdamW와 같다. lr은 __init__에서 한 번이 "
            "아니라 스텝마다 group['lr']에서 읽어라.",
        )
    default = _learner_path(adamw_class)
    _nan_problem(default, "With the default arguments, ", "기본 인자에서 ")
    if not differs(default, _known_path("torch", defaults=True)) < ADAMW_TOLERANCE:
        raise NotYet(
            "Your class agrees with torch.optim.AdamW when lr and weight_decay are given, but not with the "
            "default arguments: torch's defaults are lr=1e-3 and weight_decay=1e-2.",
            "lr과 weight_decay를 주면 torch.optim.AdamW와 같지만 기본 인자로는 다르다. torch의 기본값은 "
            "다음과 같다: lr=1e-3, weight_decay=1e-2.",
        )
    return correct(
        f"Your AdamW follows torch.optim.AdamW step for step (difference < {show(ADAMW_TOLERANCE, 'g')}), also "
        "after a change of the learning rate and with the default arguments. The decay now shrinks every weight by "
        "the same factor 1 − lr·λ, whatever the size of its gradients.",
        f"AdamW가 torch.optim.AdamW와 스텝마다 같다(차이 < {show(ADAMW_TOLERANCE, 'g')}). 학습률이 바뀐 뒤에도, "
        "기본 인자로도 같다. 이제 감쇠는 기울기 크기와 상관없이 모든 가중치를 같은 인수 1 − lr·λ로 줄인다.",
    )


ADAMW_CODE = """\
class AdamW(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps)  # weight_decay=0: step adds nothing to g
        for group in self.param_groups:
            group["decay"] = weight_decay  # λ, under a key the shared step does not read

    def _update(self, p, g, state, group):
        p.mul_(1 - group["lr"] * group["decay"])  # decoupled decay: θ ← θ − lr·λ·θ, before the Adam step
        super()._update(p, g, state, group)


check("03.4", AdamW)
"""


register(
    Exercise(
        id="03.4",
        check=check_adamw,
        hints=_texts(
            [
                "Our Adam keeps weight_decay in each parameter group, and the shared step adds λθ to the gradient "
                "whenever that key is not 0. AdamW must not do that: store λ under another key, e.g. "
                "group['decay'].",
                "In _update, first shrink p in place by the decoupled decay, then let super()._update(p, g, state, "
                "group) take the Adam step.",
                "The shrink factor involves the learning rate; read it from group['lr'] at every step, because a "
                "scheduler may change it.",
            ],
            [
                "우리 Adam은 weight_decay를 파라미터 그룹마다 저장하고, 그 값이 0이 아니면 공통 step이 λθ를 기울기에 "
                "더한다. AdamW는 그러면 안 된다. λ를 다른 키, 예를 들어 group['decay']에 두어라.",
                "_update에서 먼저 분리된 감쇠(decoupled decay)로 p를 제자리에서 줄이고, 그다음 "
                "`super()._update(p, g, state, group)`가 Adam 스텝을 밟게 하라.",
                "줄이는 인수에는 학습률이 들어간다. 스케줄러가 바꿀 수 있으니 스텝마다 group['lr']에서 읽어라.",
            ],
        ),
        solution=_solution(
            ADAMW_CODE,
            "Keeping λ away from the key weight_decay stops the shared step from adding λθ to the gradient; "
            "shrinking θ by 1 − lr·λ before the Adam step is exactly what torch.optim.AdamW does, so every weight "
            "decays at the same rate, however large its gradients.",
            "λ를 weight_decay 키에 두지 않으면 공통 step이 λθ를 기울기에 더하지 않는다. Adam 스텝 전에 θ를 "
            "1 − lr·λ배로 줄이는 것이 torch.optim.AdamW가 하는 일 그대로다. 그래서 기울기가 크든 작든 모든 "
            "가중치가 같은 비율로 줄어든다.",
        ),
        reference=lambda: (_run(ADAMW_CODE), {}),
    )
)
