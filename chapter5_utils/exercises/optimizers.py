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
import math
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
    not_attempted,
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
            f"`nesterov_path`의 모양은 {josa(path.shape, '이다/다')}. 스텝을 {STEPS}번(`STEPS`) 밟으면 좌표 "
            f"2개짜리 점이 {STEPS + 1}개, 즉 모양이 ({STEPS + 1}, 2)인 배열이 나온다. 이차 함수에서 "
            f"{STEPS}스텝을 갔는지 확인하라.",
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
            "이 경로는 보통 모멘텀의 경로와 모든 점에서 같다. nesterov=True를 넘겼는지 확인하라.",
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
        f"{show(d_plain, '.4f')}). 그러나 흔들림은 훨씬 작다. 30–{STEPS}스텝 동안의 최대 거리는 네스테로프가 "
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
            "네스테로프는 한 스텝 앞을 내다본 방향 g + μ·v로 움직여 흔들림을 줄인다. 30–50스텝 동안의 최대 "
            "거리가 보통 모멘텀의 절반도 안 된다. 그래도 정확히 50스텝 뒤에는 아주 조금 더 멀다(closer = False). "
            "두 경로 모두 아직 최적점 주위에서 진동하기 때문이다.",
        ),
        reference=lambda: (_run(NESTEROV_CODE), {}),
        task=(
            "Run `Momentum` on the quadratic with `nesterov=True`, with the same `lr=0.1`, `momentum=0.8`, `START` and "
            "`STEPS` as plain momentum. Does it end closer to the optimum than plain momentum? Then plot both "
            "distances per step."
        ),
    )
)


# ---------------------------------------------------------------------------------------------
# 03.2 · Adam's distance to the optimum for every rate, and the largest rate that converges


@functools.cache
def _rosen_distance(lr: float) -> float:
    return distance_to(optimize_path(Adam, _rosenbrock, ROSEN_START, ROSEN_STEPS, lr=lr), [1, 1])


LARGEST_LR = 1.0  # the tests check that the solution's sweep finds this rate


def check_largest_lr(distances: Any, largest_lr: Any) -> Feedback:
    """Return feedback on Adam's distance to (1, 1) after ROSEN_STEPS steps for every rate in ADAM_LRS, and on the
    largest rate that ends within 0.05 of it (read from the learner's own distances)."""
    got = read_numbers("distances", distances, length=len(ADAM_LRS))
    want = np.array([_rosen_distance(lr) for lr in ADAM_LRS])
    wrong = [i for i in range(len(ADAM_LRS)) if not abs(got[i] - want[i]) <= 1e-6 * max(1.0, want[i])]
    if wrong:
        rates = ", ".join(show(ADAM_LRS[i], "g") for i in wrong)
        if np.allclose(got, want[::-1], rtol=1e-6):
            raise NotYet("Your distances are in reverse order: list them in the order of ADAM_LRS.",
                         "거리의 순서가 거꾸로다. ADAM_LRS의 순서대로 적어라.")
        if np.allclose(got ** 2, want, rtol=1e-6) or np.allclose(got, want ** 2, rtol=1e-6):
            raise NotYet(
                "Your distances look squared, or square-rooted: distance_to(path, [1, 1]) is the Euclidean distance "
                "of the last point from (1, 1).",
                "거리가 제곱되었거나 제곱근이 씌워진 것 같다. distance_to(path, [1, 1])는 마지막 점과 (1, 1) 사이의 "
                "유클리드 거리다.",
            )
        raise NotYet(
            f"The distances for lr = {rates} are not what Adam gives after ROSEN_STEPS = {ROSEN_STEPS} steps from "
            "ROSEN_START: run optimize_path(Adam, rosenbrock, ROSEN_START, ROSEN_STEPS, lr=lr) for each rate and "
            "take distance_to(path, [1, 1]).",
            f"lr = {rates}의 거리가 ROSEN_START에서 ROSEN_STEPS = {ROSEN_STEPS}스텝을 밟은 Adam의 결과와 다르다. "
            "학습률마다 `optimize_path(Adam, rosenbrock, ROSEN_START, ROSEN_STEPS, lr=lr)`를 실행하고 "
            "`distance_to(path, [1, 1])`를 구하라.",
        )
    converged = [lr for lr, d in zip(ADAM_LRS, got) if d < CONVERGED]
    answer = read_number("largest_lr", largest_lr)
    expected = max(converged)
    if not same_setting(answer, expected):
        text = show(answer, "g")
        if any(same_setting(answer, lr) for lr in converged):
            raise NotYet(
                f"lr = {text} converges, but your own distances show a larger rate that ends within {CONVERGED} too.",
                f"lr = {josa(text, '은/는')} 수렴하지만, 여러분이 구한 거리를 보면 {CONVERGED} 안에서 끝나는 더 큰 "
                "학습률도 있다.",
            )
        raise NotYet(
            f"largest_lr = {text} is not the largest rate whose distance in your list is below {CONVERGED}.",
            f"largest_lr = {josa(text, '은/는')} 여러분의 리스트에서 거리가 {CONVERGED}보다 작은 학습률 가운데 가장 "
            "큰 것이 아니다.",
        )
    rate = f"lr={show(expected, 'g')}"
    return correct(
        f"{rate} ends {show(_rosen_distance(expected), '.2g')} from (1, 1), while lr=3 ends more than 1 away, and the "
        "distance does not fall steadily as the rate grows. The best rate often sits just below the rates that fail, "
        "so search on a log grid and back off a little from where training breaks.",
        f"{josa(rate, '은/는')} (1, 1)에서 {show(_rosen_distance(expected), '.2g')} 떨어진 곳에서 끝나지만 lr=3은 1 "
        "넘게 "
        "떨어진 곳에서 끝나고, 학습률이 커진다고 거리가 고르게 줄지도 않는다. 가장 좋은 학습률은 흔히 실패하는 학습률 "
        "바로 아래에 있다. 그러니 로그 격자에서 찾고, 학습이 무너지는 곳에서 조금 물러서라.",
    )


LARGEST_LR_CODE = """\
ADAM_LRS = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
distances = []
for lr in ADAM_LRS:
    path = optimize_path(Adam, rosenbrock, ROSEN_START, ROSEN_STEPS, lr=lr)
    distances.append(distance_to(path, [1, 1]))
    print(f"lr = {lr:5g}: distance to (1, 1) after {ROSEN_STEPS} steps {distances[-1]:.3g}")
largest_lr = max(lr for lr, d in zip(ADAM_LRS, distances) if d < 0.05)
check("03.2", distances, largest_lr)
"""


register(
    Exercise(
        id="03.2",
        check=check_largest_lr,
        hints=_texts(
            [
                "Measure, don't guess: run every rate and look at where each run ends.",
                "Loop over ADAM_LRS; for each rate run optimize_path(Adam, rosenbrock, ROSEN_START, ROSEN_STEPS, "
                "lr=lr) and keep distance_to(path, [1, 1]).",
                "Look at every rate before you answer: the distance does not fall steadily as the rate grows.",
            ],
            [
                "짐작하지 말고 재라. 모든 학습률로 실행하고 각 실행이 어디서 끝나는지 보라.",
                "`ADAM_LRS`를 돌면서 학습률마다 `optimize_path(Adam, rosenbrock, ROSEN_START, ROSEN_STEPS, lr=lr)`를 "
                "실행하고 `distance_to(path, [1, 1])`를 남겨라.",
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
        task=(
            "Run `Adam` on Rosenbrock from `ROSEN_START` for `ROSEN_STEPS` steps with each rate in `ADAM_LRS`. Put "
            "the distance of each run's end from the optimum (1, 1) in `distances`, in the order of `ADAM_LRS`, and "
            "the largest rate that converges, that is, ends within 0.05 of (1, 1), in `largest_lr`. The check "
            "compares every distance with its own run."
        ),
    )
)


# ---------------------------------------------------------------------------------------------
# 03.3 · weight decay as an L2 penalty in the loss: the same for SGD and Adam, not for AdamW

PENALTY = 0.01
PENALTY_STEPS = 6
PENALTY_TOLERANCE = 1e-10


def penalised_loss_reference(model: nn.Module, X: torch.Tensor, y: torch.Tensor, lam: float) -> torch.Tensor:
    """Return the MSE of ``model`` on (X, y) plus lam/2 times the sum of the squares of all its parameters."""
    penalty = sum((p**2).sum() for p in model.parameters())
    return nn.functional.mse_loss(model(X), y) + lam / 2 * penalty


def _penalty_run(kind: str, loss: Any = None, lam: float = PENALTY) -> list[torch.Tensor]:
    """Return the parameters of the notebook's MLP after a few full-batch steps.

    ``kind`` "sgd"/"adam"/"adamw" with ``weight_decay=lam`` and the plain MSE, or the same optimizer without decay
    on ``loss(model, X, y, lam)`` when ``loss`` is given.
    """
    d = _diabetes()
    model = copy.deepcopy(d["mlp"])
    decay = 0.0 if loss is not None else lam
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind]
    settings = {"lr": 0.01} if kind == "sgd" else {"lr": 0.003}
    optimizer = cls(model.parameters(), weight_decay=decay, **settings)
    with torch.enable_grad():
        for _ in range(PENALTY_STEPS):
            optimizer.zero_grad()
            value = nn.functional.mse_loss(model(d["X_train"]), d["y_train"]) if loss is None else \
                loss(model, d["X_train"], d["y_train"], lam)
            value.backward()
            optimizer.step()
    return [p.detach().clone() for p in model.parameters()]


@functools.cache
def _decay_run(kind: str) -> tuple[torch.Tensor, ...]:
    return tuple(_penalty_run(kind))


def _gap(a: Any, b: Any) -> float:
    return max(float((p - q).abs().max()) for p, q in zip(a, b, strict=True))


def check_penalised_loss(penalised_loss: Any, adam_same: Any, adamw_same: Any) -> Feedback:
    """Return feedback on an L2-penalised loss, checked by training with it, and on which optimizers' weight
    decay equals it."""
    if not callable(penalised_loss) or isinstance(penalised_loss, type):
        raise NotYet(
            f"Pass your function itself, penalised_loss (without parentheses), got {describe(penalised_loss)}.",
            f"함수 자체를 괄호 없이 penalised_loss로 넘겨라. 받은 것: {describe(penalised_loss, 'ko')}.",
        )
    d = _diabetes()
    probe = copy.deepcopy(d["mlp"])
    with learner_code():
        value = penalised_loss(probe, d["X_train"], d["y_train"], PENALTY)
    if value is None or value is Ellipsis:
        return not_attempted("03.3")
    if not isinstance(value, torch.Tensor) or value.numel() != 1:
        raise NotYet(
            f"penalised_loss should return the loss as a one-element tensor (so that backward() works), got "
            f"{describe(value)}.",
            f"penalised_loss는 손실을 원소 하나짜리 텐서로 돌려줘야 한다(그래야 backward()를 호출할 수 있다). 받은 것: "
            f"{describe(value, 'ko')}.",
        )
    number = read_number("penalised_loss(model, X, y, lam)", value.detach())
    if value.grad_fn is None:
        raise NotYet(
            "penalised_loss returned a tensor without a gradient: compute it from model(X) and the parameters "
            "themselves, not from .item() or .detach().",
            "penalised_loss가 기울기가 없는 텐서를 돌려주었다. .item()이나 .detach()가 아니라 model(X)와 파라미터 "
            "자체로 계산하라.",
        )
    reference = float(penalised_loss_reference(probe, d["X_train"], d["y_train"], PENALTY))
    mse = float(nn.functional.mse_loss(probe(d["X_train"]), d["y_train"]))
    squares = sum(float((p**2).sum()) for p in probe.parameters())
    weights_only = mse + PENALTY / 2 * sum(float((m.weight**2).sum()) for m in probe.modules()
                                          if isinstance(m, nn.Linear))
    if not abs(number - reference) <= 1e-9 * max(1.0, abs(reference)):
        for candidate, en, ko in (
            (mse, "Your loss is the plain MSE: add lam / 2 times the sum of the squared parameters.",
             "여러분의 손실은 보통의 MSE다. 파라미터 제곱의 합에 lam / 2를 곱해 더하라."),
            (mse + PENALTY * squares, "Your penalty is lam times the sum of squares: use lam / 2, whose gradient is "
                                      "lam·θ, what weight_decay=lam adds.",
             "규제 항이 제곱합의 lam배다. 기울기가 lam·θ가 되도록(weight_decay=lam이 더하는 값) lam / 2를 곱하라."),
            (weights_only, "Your penalty leaves out the biases: torch's weight_decay decays every parameter, biases "
                           "included.",
             "규제 항에 편향이 빠졌다. torch의 weight_decay는 편향을 포함한 모든 파라미터를 줄인다."),
        ):
            if abs(number - candidate) <= 1e-9 * max(1.0, abs(candidate)):
                raise NotYet(en, ko)
        raise NotYet(
            f"penalised_loss gives {show(number, '.6g')} on the notebook's MLP, but MSE + lam/2 · Σ θ² over all "
            f"parameters gives {show(reference, '.6g')}.",
            f"노트북의 MLP에서 penalised_loss의 값은 {show(number, '.6g')}인데 모든 파라미터에 대한 "
            f"MSE + lam/2 · Σ θ²는 {josa(show(reference, '.6g'), '이다/다')}.",
        )
    with learner_code():
        sgd = _penalty_run("sgd", penalised_loss)
    gap = _gap(sgd, _decay_run("sgd"))
    if not gap < PENALTY_TOLERANCE:
        raise NotYet(
            f"Your loss has the right value, but {PENALTY_STEPS} SGD steps on it differ from SGD(weight_decay=lam) on "
            f"the plain MSE by {show(gap, '.2g')}: is the penalty computed from the parameters the optimizer updates?",
            f"손실 값은 맞지만, 이 손실로 SGD를 {PENALTY_STEPS}스텝 밟은 결과가 보통의 MSE에 "
            f"{josa('SGD(weight_decay=lam)', '을/를')} 쓴 결과와 {show(gap, '.2g')}만큼 다르다. 규제 항을 "
            "옵티마이저가 갱신하는 파라미터로 계산했는가?",
        )
    with learner_code():
        adam_gap = _gap(_penalty_run("adam", penalised_loss), _decay_run("adam"))
        adamw_gap = _gap(_penalty_run("adamw", penalised_loss), _decay_run("adamw"))
    adam_truth, adamw_truth = adam_gap < PENALTY_TOLERANCE, adamw_gap < PENALTY_TOLERANCE
    for name, answer, truth in (("adam_same", adam_same, adam_truth), ("adamw_same", adamw_same, adamw_truth)):
        given = read_bool(name, answer)
        if given != truth:
            optimizer = "Adam" if name == "adam_same" else "AdamW"
            raise NotYet(
                f"`{name}` = {given} does not match what training shows: run {optimizer} with weight_decay=lam on the "
                f"plain MSE and {optimizer} without decay on your penalised loss, and compare the parameters.",
                f"`{name}` = {josa(str(given), '은/는')} 학습 결과와 맞지 않는다. 보통의 MSE에 weight_decay=lam을 준 "
                f"{josa(optimizer, '과/와')} 여러분의 규제된 손실에 감쇠 없는 {josa(optimizer, '을/를')} 돌려 "
                "파라미터를 비교하라.",
            )
    return correct(
        "SGD and Adam with weight_decay=lam take exactly the steps of the same optimizer on MSE + lam/2 · Σ θ²: their "
        "weight decay is an L2 penalty, added to the gradient, so Adam divides it by √v̂ like any gradient. AdamW "
        f"differs (by {show(adamw_gap, '.1e')} after {PENALTY_STEPS} steps): it shrinks the weights outside the "
        "gradient, which is what 03.4 builds.",
        "weight_decay=lam을 준 SGD와 Adam은 MSE + lam/2 · Σ θ²에 같은 옵티마이저를 쓴 것과 정확히 같은 스텝을 밟는다. "
        "두 옵티마이저의 가중치 감쇠는 기울기에 더하는 L2 규제라서, Adam은 이 항도 다른 기울기처럼 √v̂로 나눈다. "
        "AdamW는 "
        f"다르다({PENALTY_STEPS}스텝 뒤 {show(adamw_gap, '.1e')}만큼). 기울기 밖에서 가중치를 줄이기 때문이다. "
        "03.4에서는 바로 이 AdamW를 직접 만든다.",
    )


WEIGHT_DECAY_CODE = """\
def penalised_loss(model, X, y, lam):
    penalty = sum((p**2).sum() for p in model.parameters())  # every parameter, biases included
    return nn.functional.mse_loss(model(X), y) + lam / 2 * penalty  # gradient: MSE's + lam·θ


def six_steps(cls, decay, loss):
    model = copy.deepcopy(mlp)
    optimizer = cls(model.parameters(), lr=0.003, weight_decay=decay)
    for _ in range(6):
        optimizer.zero_grad()
        loss(model).backward()
        optimizer.step()
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def plain(model):
    return nn.functional.mse_loss(model(X_train), y_train)


def penalised(model):
    return penalised_loss(model, X_train, y_train, 0.01)


gaps = {cls.__name__: (six_steps(cls, 0.01, plain) - six_steps(cls, 0.0, penalised)).abs().max().item()
        for cls in (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW)}
print(gaps)
adam_same, adamw_same = gaps["Adam"] < 1e-10, gaps["AdamW"] < 1e-10
check("03.3", penalised_loss, adam_same, adamw_same)
"""


register(
    Exercise(
        id="03.3",
        check=check_penalised_loss,
        hints=_texts(
            [
                "The gradient of lam/2 · θ² is lam·θ, exactly what weight_decay=lam adds to the gradient in the "
                "shared step.",
                "penalised_loss returns nn.functional.mse_loss(model(X), y) plus lam / 2 times the sum of (p**2).sum() "
                "over model.parameters(): every parameter, biases included.",
                "To answer the two questions, train two copies of mlp for a few full-batch steps: one with "
                "weight_decay=0.01 on the plain MSE, one without decay on your loss, and compare their parameters.",
            ],
            [
                "lam/2 · θ²의 기울기는 lam·θ다. weight_decay=lam이 공통 step에서 기울기에 더하는 값 그대로다.",
                "penalised_loss는 `nn.functional.mse_loss(model(X), y)`에 `model.parameters()` 전체(편향 포함)의 "
                "`(p**2).sum()`을 더한 합의 lam / 2배를 더해 돌려준다.",
                "두 질문에 답하려면 `mlp`의 복사본 둘을 전체 배치로 몇 스텝 학습하라. 하나는 보통의 MSE에 "
                "weight_decay=0.01을 주고, 다른 하나는 감쇠 없이 여러분의 손실로 학습한 뒤 파라미터를 비교한다.",
            ],
        ),
        solution=_solution(
            WEIGHT_DECAY_CODE,
            "torch's SGD and Adam add weight_decay·θ to the gradient before anything else, which is the gradient of "
            "weight_decay/2 · Σ θ²: their weight decay is an L2 penalty. Adam then scales that term like the rest of "
            "the gradient, so weights with large gradients are barely decayed. AdamW shrinks every weight by "
            "1 − lr·λ outside the gradient instead, so no penalty in the loss reproduces it.",
            "torch의 SGD와 Adam은 무엇보다 먼저 기울기에 weight_decay·θ를 더하는데, 이것은 weight_decay/2 · Σ θ²의 "
            "기울기다. 즉 두 옵티마이저의 가중치 감쇠는 L2 규제다. Adam은 이 항도 나머지 기울기처럼 조절하므로 "
            "기울기가 큰 가중치는 거의 줄지 않는다. AdamW는 대신 기울기 밖에서 모든 가중치를 1 − lr·λ배로 줄이므로, "
            "손실에 넣는 어떤 규제 항도 이를 흉내 내지 못한다.",
        ),
        reference=lambda: (_run(WEIGHT_DECAY_CODE), {}),
        task=(
            "Write `penalised_loss(model, X, y, lam)`: the MSE of `model` on `(X, y)` plus `lam / 2` times the sum "
            "of the squares of all its parameters. The check trains with it: SGD without decay on your loss must "
            "take exactly the steps of SGD with `weight_decay=lam` on the plain MSE. Then find out, by training two "
            "copies of `mlp` for a few steps each way, whether the same holds for `torch.optim.Adam` (`adam_same`) "
            "and for `torch.optim.AdamW` (`adamw_same`)."
        ),
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
        "이 클래스는 Adam의 weight_decay처럼 λθ를 기울기에 더한다(L2 규제). 그러면 Adam이 감쇠도 다른 기울기처럼 "
        "√v̂로 나눈다. AdamW는 λ를 기울기에 넣지 않고 θ를 직접 줄인다.",
    ),
    (
        "plain",
        "Your class does not decay the weights at all: its path equals Adam's without weight decay.",
        "이 클래스는 가중치를 전혀 줄이지 않는다. 경로가 가중치 감쇠 없는 Adam과 같다.",
    ),
    (
        "twice",
        "Your class decays twice: it shrinks θ, and the shared step still adds λθ to the gradient. Keep λ out "
        "of the key weight_decay that the shared step reads.",
        "이 클래스는 감쇠를 두 번 한다. θ를 줄이고, 공통 step도 여전히 λθ를 기울기에 더한다. 공통 step이 읽는 "
        "weight_decay 키에는 λ를 두지 마라.",
    ),
    (
        "after",
        "Your class shrinks θ after the Adam step; torch.optim.AdamW shrinks it before.",
        "이 클래스는 Adam 스텝 다음에 θ를 줄인다. torch.optim.AdamW는 그 전에 줄인다.",
    ),
    (
        "factor",
        "Your decay factor is 1 − λ; AdamW's is 1 − lr·λ (the decay is scaled by the learning rate).",
        "감쇠 배율이 1 − λ이다. AdamW의 배율은 1 − lr·λ이다(감쇠에 학습률을 곱한다).",
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
            "원인은 편향 보정 1 − βᵗ의 스텝 수 t를 0부터 센 것이다(0 / 0).",
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
            f"클래스 {josa(adamw_class.__name__, '은/는')} 직접 만든 Adam(chapter5_utils.optim.Adam)의 하위 클래스가 "
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
            "lr=1e-3, weight_decay=1e-2다.",
        )
    return correct(
        f"Your AdamW follows torch.optim.AdamW step for step (difference < {show(ADAMW_TOLERANCE, 'g')}), also "
        "after a change of the learning rate and with the default arguments. The decay now shrinks every weight by "
        "the same factor 1 − lr·λ, whatever the size of its gradients.",
        f"AdamW가 torch.optim.AdamW와 스텝마다 같다(차이 < {show(ADAMW_TOLERANCE, 'g')}). 학습률이 바뀐 뒤에도, "
        "기본 인자로도 같다. 이제 감쇠는 기울기 크기와 상관없이 모든 가중치를 같은 배율 1 − lr·λ로 줄인다.",
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
                "직접 만든 Adam은 weight_decay를 파라미터 그룹마다 저장하고, 그 값이 0이 아니면 공통 step이 λθ를 "
                "기울기에 더한다. AdamW는 그러면 안 된다. λ를 다른 키, 예를 들어 group['decay']에 두어라.",
                "_update에서 먼저 분리된 감쇠(decoupled decay)로 p를 제자리에서 줄이고, 그다음 "
                "`super()._update(p, g, state, group)`가 Adam 스텝을 밟게 하라.",
                "θ에 곱하는 배율 1 − lr·λ에는 학습률이 들어간다. 학습률은 스케줄러가 바꿀 수 있으니 스텝마다 "
                "group['lr']에서 읽어라.",
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
        task=(
            "AdamW **decouples** weight decay: instead of adding $\\lambda\\theta$ to the gradient, it shrinks the "
            "weights, $\\theta \\leftarrow \\theta - \\eta\\lambda\\theta$, before the Adam step. Write it as a "
            "subclass of our `Adam`, with the defaults of `torch.optim.AdamW` (`lr=1e-3`, `weight_decay=1e-2`). The "
            "check compares it with `torch.optim.AdamW`, also after a change of the learning rate."
        ),
    )
)


# ---------------------------------------------------------------------------------------------
# 03.5 · a learning-rate schedule written by hand: linear warm-up, then cosine decay

WARMUP, SCHEDULE_EPOCHS, SCHEDULE_LR = 5, 40, 0.005


def warmup_cosine_reference(epoch: int) -> float:
    """Return the factor of the base learning rate for ``epoch`` (from 0): (e + 1)/5 for the first 5 epochs, then
    a cosine from 1 down towards 0 over the other 35."""
    if epoch < WARMUP:
        return (epoch + 1) / WARMUP
    return 0.5 * (1 + math.cos(math.pi * (epoch - WARMUP) / (SCHEDULE_EPOCHS - WARMUP)))


def _schedule_run(factor: Any) -> Any:
    from chapter5_utils import fit

    d = _diabetes()
    model = copy.deepcopy(d["mlp"])
    optimizer = Momentum(model.parameters(), lr=SCHEDULE_LR, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
    with torch.enable_grad():
        return fit(model, d["X_train"], d["y_train"], loss_fn=nn.functional.mse_loss, optimizer=optimizer,
                   epochs=SCHEDULE_EPOCHS, X_val=d["X_val"], y_val=d["y_val"], seed=0, scheduler=scheduler)


@functools.cache
def _schedule_reference() -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    history = _schedule_run(warmup_cosine_reference)
    return tuple(history.lr), tuple(history.train_loss), tuple(history.val_loss)


_FACTOR_MISTAKES = (
    (lambda e: e / WARMUP if e < WARMUP else warmup_cosine_reference(e),
     "Your warm-up starts at 0: with e / 5 the first epoch gets learning rate 0 and does nothing. Count from 1: "
     "(e + 1) / 5.",
     "예열이 0에서 시작한다. e / 5를 쓰면 첫 에포크의 학습률이 0이 되어 아무것도 하지 않는다. 1부터 세라: (e + 1) / "
     "5."),
    (lambda e: (e + 1) / WARMUP if e < WARMUP else 0.5 * (1 + math.cos(math.pi * e / SCHEDULE_EPOCHS)),
     "Your cosine starts at epoch 0, not after the warm-up: use (e − 5) / 35, so that it starts at 1 at epoch 5.",
     "코사인이 예열 뒤가 아니라 0번째 에포크에서 시작한다. 5번째 에포크에서 1로 시작하도록 (e − 5) / 35를 써라."),
    (lambda e: (e + 1) / WARMUP if e < WARMUP else 0.5 * (1 + math.cos(math.pi * (e - WARMUP) / SCHEDULE_EPOCHS)),
     "Your cosine runs over 40 epochs after the warm-up; it should reach 0 at epoch 40, so it spans the 35 epochs "
     "left: (e − 5) / 35.",
     "코사인이 예열 뒤 40 에포크에 걸쳐 있다. 40번째 에포크에서 0에 닿아야 하므로 남은 35 에포크에 걸쳐야 한다: "
     "(e − 5) / 35."),
    (lambda e: SCHEDULE_LR * warmup_cosine_reference(e),
     "Your function returns the learning rate itself; LambdaLR wants the factor that multiplies the base rate "
     "(1 at the top of the schedule).",
     "함수가 학습률 자체를 돌려준다. LambdaLR에는 기본 학습률에 곱하는 배율(스케줄 꼭대기에서 1)을 돌려주는 함수를 "
     "주어야 한다."),
)


def check_schedule(warmup_cosine: Any, history: Any) -> Feedback:
    """Return feedback on a hand-written warm-up + cosine factor for LambdaLR, and on the run trained with it."""
    if not callable(warmup_cosine) or isinstance(warmup_cosine, type):
        raise NotYet(
            f"Pass your function itself, warmup_cosine (without parentheses), got {describe(warmup_cosine)}.",
            f"함수 자체를 괄호 없이 warmup_cosine으로 넘겨라. 받은 것: {describe(warmup_cosine, 'ko')}.",
        )
    with learner_code():
        factors = [warmup_cosine(e) for e in range(SCHEDULE_EPOCHS)]
    if any(f is None or f is Ellipsis for f in factors):
        return not_attempted("03.5")
    got = read_numbers("[warmup_cosine(e) for e in range(40)]", factors)
    want = np.array([warmup_cosine_reference(e) for e in range(SCHEDULE_EPOCHS)])
    if not np.abs(got - want).max() < 1e-12:
        for mistake, en, ko in _FACTOR_MISTAKES:
            if np.abs(got - np.array([mistake(e) for e in range(SCHEDULE_EPOCHS)])).max() < 1e-12:
                raise NotYet(en, ko)
        worst = int(np.argmax(np.abs(got - want)))
        raise NotYet(
            f"warmup_cosine({worst}) is {show(got[worst], '.4g')}; the schedule gives {show(want[worst], '.4g')}: "
            "(e + 1) / 5 for e < 5, then ½ (1 + cos(π (e − 5) / 35)).",
            f"warmup_cosine({worst})의 값은 {show(got[worst], '.4g')}인데 스케줄에 따르면 "
            f"{josa(show(want[worst], '.4g'), '이어야/여야')} 한다. e < 5이면 (e + 1) / 5, 그다음에는 "
            "½ (1 + cos(π (e − 5) / 35))다.",
        )
    rates = getattr(history, "lr", None)
    if not isinstance(rates, list) or not isinstance(getattr(history, "val_loss", None), list):
        raise NotYet(
            f"`history` should be the History that fit returns (with .lr, .train_loss and .val_loss), got "
            f"{describe(history)}.",
            f"`history`에는 fit이 돌려주는 History(.lr, .train_loss, .val_loss가 있는 객체)가 와야 한다. 받은 것: "
            f"{describe(history, 'ko')}.",
        )
    ref_lr, ref_train, ref_val = (np.asarray(v) for v in _schedule_reference())
    lrs = read_numbers("history.lr", rates)
    if lrs.shape != ref_lr.shape:
        raise NotYet(
            f"`history` has {lrs.size} epochs; train for EPOCHS = {SCHEDULE_EPOCHS}.",
            f"`history`의 에포크는 {lrs.size}개다. EPOCHS = {SCHEDULE_EPOCHS} 동안 학습하라.",
        )
    if np.allclose(lrs, SCHEDULE_LR, rtol=1e-12):
        raise NotYet(
            "The learning rate stayed 0.005 in every epoch: pass "
            "scheduler=torch.optim.lr_scheduler.LambdaLR(optimizer, "
            "warmup_cosine) to fit.",
            "학습률이 모든 에포크에서 0.005 그대로다. fit에 "
            "`scheduler=torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine)`를 넘겨라.",
        )
    if not np.abs(lrs - ref_lr).max() < 1e-12:
        first = int(np.flatnonzero(np.abs(lrs - ref_lr) >= 1e-12)[0])  # the first epoch (from 0) that differs
        raise NotYet(
            f"history.lr[{first}] is {show(lrs[first], '.4g')}; with Momentum(lr=0.005) and your factor it should "
            f"be {show(ref_lr[first], '.4g')}: build the optimizer with lr=0.005 and give LambdaLR your function "
            "(this history comes from another schedule).",
            f"history.lr[{first}]의 값이 {show(lrs[first], '.4g')}인데, "
            "Momentum(lr=0.005)에 여러분의 배율을 적용하면 "
            f"{josa(show(ref_lr[first], '.4g'), '이어야/여야')} 한다. 옵티마이저를 lr=0.005로 만들고 LambdaLR에 "
            "여러분의 함수를 넘겨라(이 history는 다른 스케줄에서 나왔다).",
        )
    train = read_numbers("history.train_loss", history.train_loss)
    if len(history.val_loss) != len(ref_val):
        raise NotYet(
            f"history.val_loss holds {len(history.val_loss)} values, but it needs one per epoch ({len(ref_val)}): pass "
            "the validation data to fit, X_val=X_val, y_val=y_val, as the schedules cell does.",
            f"history.val_loss에 값이 {len(history.val_loss)}개 있는데, 에포크마다 하나씩 {len(ref_val)}개가 있어야 "
            "한다. 스케줄 셀처럼 "
            "fit에 검증 데이터 X_val=X_val, y_val=y_val을 넘겨라.",
        )
    val = read_numbers("history.val_loss", history.val_loss)
    if not (np.abs(train - ref_train).max() < 1e-9 and np.abs(val - ref_val).max() < 1e-9):
        raise NotYet(
            "The learning rates are right, but the losses are not those of the schedules cell's run: start from "
            "copy.deepcopy(mlp), Momentum(model.parameters(), lr=0.005, momentum=0.9), epochs=EPOCHS, "
            "X_val=X_val, y_val=y_val, seed=0.",
            "학습률은 맞지만 손실이 스케줄 셀의 실행과 다르다. copy.deepcopy(mlp)에서 시작해 "
            "Momentum(model.parameters(), lr=0.005, momentum=0.9), epochs=EPOCHS, X_val=X_val, y_val=y_val, "
            "seed=0으로 학습하라.",
        )
    rise = float(np.max(np.diff(train[10:])))  # as the schedules cell measures it
    return correct(
        f"Your schedule warms up over {WARMUP} epochs and then follows a cosine: the final training loss is "
        f"{show(train[-1], '.3f')}, the final validation loss {show(val[-1], '.3f')}, and after the first ten epochs "
        f"the training loss rises by at most {show(rise, '.3f')} in one epoch, against 0.096 at the constant rate.",
        f"스케줄이 {WARMUP} 에포크 동안 예열한 뒤 코사인을 따른다. 마지막 학습 손실은 {show(train[-1], '.3f')}, 마지막 "
        f"검증 손실은 {josa(show(val[-1], '.3f'), '이고/고')}, 처음 10 에포크가 지난 뒤로는 학습 손실이 한 에포크에 "
        f"많아야 {show(rise, '.3f')}만큼 오른다. 일정한 학습률에서는 0.096만큼 올랐다.",
    )


SCHEDULE_CODE = """\
def warmup_cosine(epoch):
    if epoch < 5:
        return (epoch + 1) / 5  # linear warm-up: 0.2, 0.4, ..., 1
    return 0.5 * (1 + np.cos(np.pi * (epoch - 5) / 35))  # cosine from 1 down towards 0 at epoch 40


model = copy.deepcopy(mlp)
optimizer = Momentum(model.parameters(), lr=0.005, momentum=0.9)
history = fit(model, X_train, y_train, loss_fn=nn.functional.mse_loss, optimizer=optimizer, epochs=EPOCHS,
              X_val=X_val, y_val=y_val, seed=0,
              scheduler=torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine))
print(f"first rates {history.lr[:6]}, final train {history.train_loss[-1]:.3f}, final val {history.val_loss[-1]:.3f}")
check("03.5", warmup_cosine, history)
"""


register(
    Exercise(
        id="03.5",
        check=check_schedule,
        hints=_texts(
            [
                "LambdaLR multiplies the optimizer's own rate by what your function returns for the epoch: the "
                "function returns a factor, 1 at the top of the schedule.",
                "For e < 5 the factor climbs (e + 1) / 5: 0.2, 0.4, …, 1. From epoch 5 it is ½ (1 + cos(π t)), with "
                "t = (e − 5) / 35 going from 0 to 1.",
                "Train as the schedules cell does, with scheduler=torch.optim.lr_scheduler.LambdaLR(optimizer, "
                "warmup_cosine); fit records each epoch's rate in history.lr.",
            ],
            [
                "LambdaLR은 옵티마이저의 학습률에 여러분의 함수가 그 에포크에 돌려주는 배율을 곱한다. 배율은 "
                "스케줄 꼭대기에서 1이다.",
                "e < 5이면 배율은 (e + 1) / 5로 올라간다: 0.2, 0.4, …, 1. 5번째 에포크부터는 ½ (1 + cos(π t))이고, "
                "t = (e − 5) / 35는 0에서 1로 간다.",
                "스케줄 셀처럼 `scheduler=torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine)`로 학습하라. "
                "fit은 에포크마다의 학습률을 `history.lr`에 기록한다.",
            ],
        ),
        solution=_solution(
            SCHEDULE_CODE,
            "The warm-up keeps the first steps small while momentum builds up its velocity from zero; the cosine "
            "then shrinks the steps smoothly, so the late epochs settle instead of jumping, as the constant rate's "
            "did. LambdaLR turns any function of the epoch into a schedule that fit steps once per epoch.",
            "예열은 모멘텀이 속도를 0에서 쌓는 동안 처음 스텝을 작게 둔다. 그다음 코사인이 스텝을 부드럽게 줄이므로, "
            "일정한 학습률에서는 뒤쪽 에포크의 손실이 뛰어올랐지만 여기서는 자리를 잡는다. LambdaLR은 에포크의 어떤 "
            "함수든 스케줄로 바꾸고, fit은 그 스케줄을 에포크마다 한 번 진행한다.",
        ),
        reference=lambda: (_run(SCHEDULE_CODE), {}),
        task=(
            "Write `warmup_cosine(epoch)`, a factor for `torch.optim.lr_scheduler.LambdaLR`: a linear warm-up "
            "`(epoch + 1) / 5` for the first 5 epochs, then a cosine `½ (1 + cos(π (epoch − 5) / 35))` from 1 down "
            "towards 0 at epoch 40. Train a fresh copy of `mlp` with it as the schedules cell trains (`Momentum` with "
            "`lr=0.005`, `momentum=0.9`, `EPOCHS`, the validation data, `seed=0`) and pass the `history`. Does the "
            "training loss still jump?"
        ),
    )
)
