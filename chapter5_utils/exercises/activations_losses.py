"""Exercises of notebook 02 · activation and loss functions.

02.1 vanishing gradients over 30 layers, 02.2 curvature vs sign with the optimum on the diagonal
(step counts, exactly), 02.3 the Huber loss on the outlier data, 02.4 the digits classifier trained
with MSE on one-hot targets (a plain linear model, no softmax). Each check computes what it needs
from the notebook's seeds once, and caches it.
"""

from __future__ import annotations

import contextlib
import copy
import functools
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from chapter5_utils import functions as fn
from chapter5_utils.exercises.core import (
    Exercise,
    Feedback,
    NotYet,
    _LearnerError,
    as_number,
    correct,
    describe,
    differs,
    learner_code,
    read_bool,
    read_choice,
    read_int,
    read_numbers,
    register,
    show,
)
from chapter5_utils.exercises.korean import attach as josa

DTYPE = torch.float64  # the notebook sets float64 as torch's default dtype


def _solution(code: str, en: str, ko: str) -> dict[str, str]:
    return {"en": code + "\n" + en, "ko": code + "\n" + ko}


@contextlib.contextmanager
def _notebook_dtype() -> Iterator[None]:
    """Make float64 torch's default dtype inside the block, as the notebook does, and restore it after."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(DTYPE)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


# --- 02.1 · thirty layers ---------------------------------------------------------------------

ACTIVATION_NAMES = ("sigmoid", "tanh", "ReLU", "Leaky ReLU", "ELU")
DEPTH = 30
NORM_RTOL = 1e-3


def _names_ko() -> str:
    return ", ".join(f"`{name}`" for name in ACTIVATION_NAMES)


def _activation_modules() -> dict[str, nn.Module]:
    modules = [nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.LeakyReLU(), nn.ELU()]
    return dict(zip(ACTIVATION_NAMES, modules, strict=True))


def _layer_gradient_norms(activation: nn.Module, depth: int = DEPTH, width: int = 64) -> list[float]:
    """The notebook's ``layer_gradient_norms``, in float64 whatever the default dtype."""
    with torch.random.fork_rng(devices=[]), torch.enable_grad():
        torch.manual_seed(0)
        layers: list[nn.Module] = []
        for _ in range(depth):
            linear = nn.Linear(width, width, dtype=DTYPE)
            nn.init.normal_(linear.weight, std=width**-0.5)
            nn.init.zeros_(linear.bias)
            layers += [linear, activation]
        net = nn.Sequential(*layers, nn.Linear(width, 1, dtype=DTYPE))
        gen = torch.Generator().manual_seed(1)
        X = torch.randn(256, width, generator=gen, dtype=DTYPE)
        y = torch.randn(256, 1, generator=gen, dtype=DTYPE)
        fn.mse(net(X), y).backward()
    return [layer.weight.grad.norm().item() for layer in layers[::2]]


@functools.cache
def _reference_norms_cached() -> dict[str, tuple[float, ...]]:
    return {name: tuple(_layer_gradient_norms(module)) for name, module in _activation_modules().items()}


def _reference_norms() -> dict[str, list[float]]:
    return {name: list(values) for name, values in _reference_norms_cached().items()}


def _key(name: Any) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def _close(a: np.ndarray, b: Any, rtol: float = NORM_RTOL) -> bool:
    b = np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * np.abs(b)))


def check_thirty_layers(norms_30: Any, vanishing: Any) -> Feedback:
    """Check the 30-layer gradient norms of the five activations and the names whose gradient vanishes."""
    if not isinstance(norms_30, dict):
        raise NotYet(
            f"`norms_30` should be a dict from activation name to 30 gradient norms, got {describe(norms_30)}.",
            "`norms_30`에는 활성화 함수 이름마다 기울기 노름 30개를 담은 딕셔너리가 와야 한다. "
            f"받은 것: {describe(norms_30, 'ko')}.",
        )
    given = {_key(k): (k, v) for k, v in norms_30.items()}
    missing = [name for name in ACTIVATION_NAMES if _key(name) not in given]
    if missing:
        raise NotYet(
            f"`norms_30` has no entry for {', '.join(missing)}: it needs all five activations, named "
            f"{', '.join(ACTIVATION_NAMES)}.",
            f"`norms_30`에 {', '.join(missing)} 항목이 없다. 다섯 활성화 함수({', '.join(ACTIVATION_NAMES)})가 모두 "
            "있어야 한다.",
        )
    reference = _reference_norms_cached()
    for name in ACTIVATION_NAMES:
        key, value = given[_key(name)]
        values = read_numbers(f"norms_30[{key!r}]", value)
        if values.shape != (DEPTH,):
            raise NotYet(
                f"`norms_30[{key!r}]` has {values.size} values, but a 30-layer network has 30 (one per layer): "
                "did you pass depth=30 to layer_gradient_norms?",
                f"`norms_30[{key!r}]`에는 값이 {values.size}개 있는데, 30층 신경망이면 층마다 하나씩 30개여야 한다. "
                "layer_gradient_norms에 depth=30을 넘겼는가?",
            )
        if _close(values, reference[name]):
            continue
        if _close(values[::-1], reference[name]):
            raise NotYet(
                f"`norms_30[{key!r}]` is in reverse order: layer_gradient_norms lists the first layer first; keep "
                "that order.",
                f"`norms_30[{key!r}]`의 순서가 거꾸로다. layer_gradient_norms는 첫 번째 층부터 나열하므로 그 순서를 "
                "그대로 두어라.",
            )
        swapped = [other for other in ACTIVATION_NAMES if other != name and _close(values, reference[other])]
        if swapped:
            raise NotYet(
                f"`norms_30[{key!r}]` holds the gradient norms of {swapped[0]}, not of {name}: check which module "
                "you passed under each name.",
                f"`norms_30[{key!r}]`에는 {name}의 기울기 노름이 아니라 {swapped[0]}의 기울기 노름이 들어 있다. "
                "각 이름에 어떤 모듈을 넘겼는지 확인하라.",
            )
        first, last = show(values[0], ".3g"), show(values[-1], ".3g")
        raise NotYet(
            f"`norms_30[{key!r}]` differs from the notebook's measurement (layer 1: {first}, layer 30: {last}; the "
            "check allows 0.1 %): use layer_gradient_norms(module, depth=30) with its default width 64, a fresh "
            "module for each activation, in the notebook's float64.",
            f"`norms_30[{key!r}]`의 값이 노트북의 측정값과 다르다(1층 {first}, 30층 {last}; 허용 오차 0.1 %). "
            "layer_gradient_norms(module, depth=30)을 기본 너비 64와 노트북의 float64로, 활성화 함수마다 새 "
            "모듈로 호출하라.",
        )
    if isinstance(vanishing, str) or not isinstance(vanishing, list | tuple | set):
        raise NotYet(
            f"`vanishing` should be a list of activation names, e.g. [\"tanh\"], got {describe(vanishing)}.",
            '`vanishing`에는 활성화 함수 이름의 리스트(예: ["tanh"])가 와야 한다. '
            f"받은 것: {describe(vanishing, 'ko')}.",
        )
    chosen = {_key(v) for v in vanishing}
    unknown = [v for v in vanishing if _key(v) not in {_key(n) for n in ACTIVATION_NAMES}]
    if unknown:
        raise NotYet(
            f"`vanishing` contains {describe(unknown[0])}, which is not one of {', '.join(ACTIVATION_NAMES)}.",
            f"`vanishing`에 든 {josa(describe(unknown[0], 'ko'), '은/는')} {_names_ko()} 가운데 "
            "하나가 아니다.",
        )
    shrink = {name: reference[name][0] / reference[name][-1] for name in ACTIVATION_NAMES}
    expected = {_key(name) for name in ACTIVATION_NAMES if shrink[name] < 1e-3}
    for name in ACTIVATION_NAMES:
        if _key(name) in chosen and _key(name) not in expected:
            factor = show(shrink[name], ".2f")
            raise NotYet(
                f"You listed {name}, but its gradient at layer 1 is {factor} times the one at layer 30: that is not "
                "a vanishing gradient. Compare layer 1 with layer 30 for each activation.",
                f"{josa(name, '을/를')} 골랐지만, 그 1층의 기울기는 30층의 {factor}배다. 기울기 소실이 아니다. "
                "활성화 함수마다 1층과 30층을 비교하라.",
            )
        if _key(name) in expected and _key(name) not in chosen:
            raise NotYet(
                f"{name} is missing from `vanishing`: compare its gradient norm at layer 1 with the one at layer 30.",
                f"`vanishing`에 {josa(f'`{name}`', '이/가')} 빠졌다. 1층과 30층의 기울기 노름을 비교해 보라.",
            )
    sigmoid_factor = show(shrink["sigmoid"] ** (1 / (DEPTH - 1)), ".3f")
    return correct(
        f"Over 30 layers sigmoid's gradient shrinks by ×{sigmoid_factor} per layer (its derivative is at most "
        "0.25), while for tanh, ReLU, Leaky ReLU and ELU layer 1 and layer 30 differ by less than a factor of 3.",
        f"30개 층에서 시그모이드의 기울기는 층마다 ×{sigmoid_factor}씩 줄어들지만(도함수가 최대 0.25), "
        "tanh, ReLU, Leaky ReLU, ELU는 1층과 30층의 차이가 3배 미만이다.",
    )


_THIRTY_CODE = """\
modules = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "ReLU": nn.ReLU(),
           "Leaky ReLU": nn.LeakyReLU(), "ELU": nn.ELU()}
norms_30 = {name: layer_gradient_norms(module, depth=30) for name, module in modules.items()}
vanishing = [name for name, g in norms_30.items() if g[0] / g[-1] < 1e-3]  # ['sigmoid']
check("02.1", norms_30, vanishing)
"""

register(
    Exercise(
        id="02.1",
        check=check_thirty_layers,
        hints={
            "en": [
                "layer_gradient_norms already takes the depth as an argument; what changes is how many activations "
                "you measure.",
                "Call layer_gradient_norms(module, depth=30) once per activation, with nn.Sigmoid(), nn.Tanh(), "
                "nn.ReLU(), nn.LeakyReLU() and nn.ELU(); a dict comprehension builds norms_30.",
                "For each activation compare the first value (layer 1) with the last (layer 30): a ratio below 1e-3 "
                "is a vanishing gradient.",
            ],
            "ko": [
                "layer_gradient_norms는 이미 깊이를 인자로 받는다. 바뀌는 것은 측정할 활성화 함수의 수다.",
                "활성화 함수마다 layer_gradient_norms(module, depth=30)을 한 번씩 호출하라. nn.Sigmoid(), nn.Tanh(), "
                "nn.ReLU(), nn.LeakyReLU(), nn.ELU()를 넘긴다. 딕셔너리 내포(dict comprehension)로 norms_30을 만든다.",
                "활성화 함수마다 첫 값(1층)과 마지막 값(30층)을 비교하라. 비율이 1e-3보다 작으면 기울기 소실이다.",
            ],
        },
        solution=_solution(
            _THIRTY_CODE,
            "Sigmoid's derivative is at most 0.25, so each layer multiplies the gradient by about 0.23 and 30 "
            "layers by about 5e-19. For tanh (derivative 1 at 0), ReLU and Leaky ReLU (1 for positive inputs) and "
            "ELU, layer 1 and layer 30 differ by less than a factor of 3: only sigmoid's gradient vanishes.",
            "시그모이드의 도함수는 최대 0.25이므로 층마다 기울기에 약 0.23이 곱해지고, 30개 층이면 약 5e-19가 된다. "
            "tanh(0에서 도함수 1), ReLU와 Leaky ReLU(양수 입력에서 1), ELU는 1층과 30층의 차이가 3배 미만이다. "
            "기울기가 소실되는 것은 시그모이드뿐이다.",
        ),
        reference=lambda: ((_reference_norms(), ["sigmoid"]), {}),
    )
)

# --- 02.2 · an optimum on the diagonal --------------------------------------------------------

LEARNING_RATES = 2.0 ** np.arange(-1, 6.25, 0.25)
INPUT_NAMES = {"positive": "all-positive (sigmoid)", "centred": "zero-centred (sigmoid − ½)"}


def _sigmoid_inputs() -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(200, 2, generator=gen, dtype=DTYPE)
    return {"positive": fn.sigmoid(z), "centred": fn.sigmoid(z) - 0.5}


def _gd_steps(X: torch.Tensor, w_star: torch.Tensor, lr: float, tol: float = 1e-3, max_steps: int = 500) -> float:
    """Steps of full-batch gradient descent from w = 0 until ‖w − w*‖ < tol (nan if never), as in the notebook."""
    curvature = X.T @ X / len(X)
    w = torch.zeros(2, dtype=DTYPE)
    for step in range(1, max_steps + 1):
        w = w - lr * curvature @ (w - w_star)
        if (w - w_star).norm() < tol:
            return step
        if not w.norm() < 1e3:
            return float("nan")
    return float("nan")


@functools.cache
def _fewest_steps(w_star: tuple[float, float]) -> dict[str, int]:
    target = torch.tensor(w_star, dtype=DTYPE)
    result = {}
    for name, X in _sigmoid_inputs().items():
        steps = np.array([_gd_steps(X, target, lr) for lr in LEARNING_RATES])
        result[name] = int(np.nanmin(steps))
    return result


def _read_steps(name: str, value: Any) -> int:
    number = as_number(value)
    if number is not None and number != number:
        raise NotYet(
            f"`{name}` is nan: that is what steps_to_reach returns for a learning rate that never gets there. "
            "Take the fewest steps over all learning rates with np.nanmin.",
            f"`{name}`의 값이 nan이다. steps_to_reach는 도달하지 못한 학습률에 nan을 돌려준다. "
            "np.nanmin으로 모든 학습률 가운데 가장 적은 스텝 수를 골라라.",
        )
    return read_int(name, value, minimum=1)


def check_diagonal_optimum(steps_positive: Any, steps_centred: Any, cause: Any) -> Feedback:
    """Check the fewest gradient-descent steps to w* = (1, 1) for both inputs (exactly), and the named cause."""
    got = {"positive": _read_steps("steps_positive", steps_positive),
           "centred": _read_steps("steps_centred", steps_centred)}
    ref = _fewest_steps((1.0, 1.0))
    if got != ref:
        old = _fewest_steps((1.0, -1.0))
        if got == old:
            raise NotYet(
                f"{got['positive']} and {got['centred']} steps are the counts for the old optimum w* = (1, −1): "
                "pass w_star_diagonal to both gd_path and steps_to_reach.",
                f"{got['positive']}스텝과 {got['centred']}스텝은 예전 최적점 w* = (1, −1)의 결과다. "
                "gd_path와 steps_to_reach 모두에 w_star_diagonal을 넘겨라.",
            )
        if got["positive"] == ref["centred"] and got["centred"] == ref["positive"]:
            raise NotYet(
                "Your two counts are the other way round: steps_positive is for the all-positive (sigmoid) inputs, "
                "steps_centred for the zero-centred ones.",
                "두 스텝 수가 서로 바뀌었다. steps_positive는 양수 입력(시그모이드), steps_centred는 중심이 0인 "
                "입력의 결과다.",
            )
        for key in ("positive", "centred"):
            name = f"steps_{key}"
            if abs(got[key] - ref[key]) == 1:
                raise NotYet(
                    f"`{name}` = {got[key]} is one step off. steps_to_reach counts the updates, len(path) − 1: the "
                    "path also holds the starting point w = 0, which is not a step.",
                    f"`{name}` = {josa(got[key], '은/는')} 한 스텝 어긋났다. steps_to_reach는 갱신 횟수, 즉 len(path) "
                    "− 1을 센다. "
                    "경로에는 출발점 w = 0도 들어 있는데, 그것은 스텝이 아니다.",
                )
            if got[key] != ref[key]:
                raise NotYet(
                    f"`{name}` = {got[key]} is not the fewest steps over the grid of learning rates (the check asks "
                    "for the exact count): run gd_path(X, w_star_diagonal, lr) for every lr in learning_rates, count "
                    "with steps_to_reach(path, w_star_diagonal), and take np.nanmin.",
                    f"`{name}` = {josa(got[key], '은/는')} 학습률 격자 전체에서 가장 적은 스텝 수가 아니다(정확한 "
                    "수를 묻는다). "
                    "learning_rates의 모든 lr에 대해 gd_path(X, w_star_diagonal, lr)를 실행하고 "
                    "steps_to_reach(path, w_star_diagonal)로 센 다음 np.nanmin을 구하라.",
                )
    if read_choice("cause", cause, ("sign", "curvature")) == "sign":
        raise NotYet(
            "Your step counts are right, but the cause is not the sign: with w* = (1, 1) every step may point "
            "straight at the optimum, and the all-positive inputs still need many more steps. Which printed "
            "numbers differ between the two inputs whatever w* is?",
            "스텝 수는 맞지만 원인은 부호가 아니다. w* = (1, 1)이면 모든 스텝이 최적점을 곧장 향할 수 있는데도 "
            "양수 입력은 여전히 훨씬 많은 스텝이 필요하다. w*와 상관없이 두 입력에서 다르게 출력된 수는 무엇인가?",
        )
    return correct(
        f"Even with no zig-zag needed, the all-positive inputs take {ref['positive']} steps against "
        f"{ref['centred']}: the mean μ adds μμᵀ to the curvature, whose largest eigenvalue caps the learning rate "
        "while the flat direction still has to be crossed.",
        f"지그재그가 필요 없는데도 양수 입력은 {ref['positive']}스텝, 중심이 0인 입력은 {ref['centred']}스텝이 "
        "걸린다. 평균 μ가 곡률에 μμᵀ를 더하고, 그 가장 큰 고윳값이 학습률을 제한하는 동안 평평한 방향은 여전히 "
        "건너야 하기 때문이다.",
    )


def _reference_diagonal() -> tuple[tuple, dict]:
    steps = _fewest_steps((1.0, 1.0))
    return (steps["positive"], steps["centred"], "curvature"), {}


_DIAGONAL_CODE = f"""\
w_star_diagonal = torch.tensor([1.0, 1.0])


def fewest_steps(X):
    steps = [steps_to_reach(gd_path(X, w_star_diagonal, lr), w_star_diagonal) for lr in learning_rates]
    return int(np.nanmin(steps))


steps_positive = fewest_steps(inputs["{INPUT_NAMES['positive']}"])
steps_centred = fewest_steps(inputs["{INPUT_NAMES['centred']}"])
cause = "curvature"
check("02.2", steps_positive, steps_centred, cause)
"""

register(
    Exercise(
        id="02.2",
        check=check_diagonal_optimum,
        hints={
            "en": [
                "The learning-rate cell already measures the fewest steps for each input; here only the optimum "
                "moves.",
                "Repeat that cell's loop with w_star_diagonal in place of w_star, in both gd_path and steps_to_reach, "
                "and keep np.nanmin of each input's steps.",
                "Both effects come from the mean μ, but only one of them depends on where w* lies. Look at the "
                "eigenvalues printed in Part 1: do they change when w* moves?",
            ],
            "ko": [
                "학습률 셀이 이미 입력마다 가장 적은 스텝 수를 잰다. 여기서는 최적점만 옮긴다.",
                "그 셀의 반복문을 gd_path와 steps_to_reach 모두에서 w_star 대신 w_star_diagonal로 되풀이하고, 입력마다 "
                "스텝 수의 np.nanmin을 남겨라.",
                "두 효과 모두 평균 μ에서 오지만, w*의 위치에 따라 달라지는 것은 그중 하나뿐이다. 1부에서 출력한 "
                "고윳값은 w*가 움직이면 달라지는가?",
            ],
        },
        solution=_solution(
            _DIAGONAL_CODE,
            "The all-positive inputs still need many times the steps. The sign argument predicts no trouble "
            "here, because every step may point towards w* = (1, 1). The curvature E[xxᵀ] = Cov(x) + μμᵀ does not "
            "depend on w*: its largest eigenvalue still caps the learning rate (η < 2/λ_max), so the number of steps "
            "still grows with the ratio λ_max/λ_min.",
            "양수 입력은 여전히 몇 배의 스텝이 필요하다. 모든 스텝이 w* = (1, 1)을 향할 수 있으므로 부호 논리로는 "
            "문제가 없어야 한다. 그러나 곡률 E[xxᵀ] = Cov(x) + μμᵀ는 w*와 무관하다. 가장 큰 고윳값이 여전히 "
            "학습률을 제한하므로(η < 2/λ_max) 스텝 수는 여전히 비율 λ_max/λ_min을 따라 늘어난다.",
        ),
        reference=_reference_diagonal,
    )
)

# --- 02.3 · Huber loss on the outliers --------------------------------------------------------

LINE_TOLERANCE = 0.02


def _outlier_data() -> tuple[torch.Tensor, torch.Tensor]:
    """The notebook's outlier data; it is drawn while float64 is torch's default dtype, as there."""
    from chapter5_utils import make_noisy_line

    with _notebook_dtype():
        x, y = make_noisy_line(n=40, slope=2.0, intercept=1.0, noise=0.5, seed=1)
    y[x[:, 0].argsort()[-4:]] += 15.0
    return x, y


def _robust_line(x: torch.Tensor, y: torch.Tensor, kind: str) -> tuple[float, float]:
    """Return (slope, intercept) minimising MSE, MAE or the Huber loss (δ = 1).

    MSE by least squares; MAE and Huber by iteratively reweighted least squares.
    """
    A = torch.cat([x, torch.ones_like(x)], dim=1)
    target = y[:, 0]
    theta = torch.linalg.lstsq(A, target[:, None]).solution[:, 0]
    if kind != "MSE":
        for _ in range(500):
            residual = (target - A @ theta).abs().clamp(min=1e-9)
            weight = 1 / residual if kind == "MAE" else (1 / residual).clamp(max=1.0)
            theta = torch.linalg.solve(A.T @ (weight[:, None] * A), A.T @ (weight * target))
    return theta[0].item(), theta[1].item()


@functools.cache
def _fits() -> dict[str, tuple[float, float]]:
    x, y = _outlier_data()
    return {kind: _robust_line(x, y, kind) for kind in ("Huber", "MAE", "MSE")}


def _line_params(line: Any) -> tuple[float, float]:
    weight, bias = getattr(line, "weight", None), getattr(line, "bias", None)
    if not isinstance(line, nn.Module) or not isinstance(weight, torch.Tensor) or not isinstance(bias, torch.Tensor) \
            or weight.numel() != 1 or bias.numel() != 1:
        raise NotYet(
            f"`huber_line` should be a trained nn.Linear(1, 1), got {describe(line)}.",
            f"`huber_line`에는 학습된 nn.Linear(1, 1)이 와야 한다. 받은 것: {describe(line, 'ko')}.",
        )
    slope = read_numbers("huber_line.weight", weight).reshape(-1)[0] if not weight.is_meta else None
    intercept = read_numbers("huber_line.bias", bias).reshape(-1)[0] if not bias.is_meta else None
    if slope is None or intercept is None:
        raise NotYet(
            "`huber_line` is on the meta device: its parameters have shapes but no values. Build it on the CPU and "
            "train it.",
            "`huber_line`이 meta 장치에 있어서 파라미터에 모양만 있고 값이 없다. CPU에서 만들어 학습하라.",
        )
    return float(slope), float(intercept)


def check_huber_line(huber_line: Any, closer_to: Any) -> Feedback:
    """Check a line fitted to the outlier data with the Huber loss, and which fit it is closer to."""
    slope, intercept = _line_params(huber_line)
    fits = _fits()

    def near(kind: str) -> bool:
        ref_slope, ref_intercept = fits[kind]
        return abs(slope - ref_slope) <= LINE_TOLERANCE and abs(intercept - ref_intercept) <= LINE_TOLERANCE

    got_en = f"slope {show(slope, '.3f')}, intercept {show(intercept, '.3f')}"
    got_ko = f"기울기 {show(slope, '.3f')}, 절편 {show(intercept, '.3f')}"
    if not near("Huber"):
        for kind in ("MSE", "MAE"):
            if near(kind):
                raise NotYet(
                    f"Your line ({got_en}) is the {kind} fit: did you pass loss_fn=F.huber_loss to fit?",
                    f"답으로 낸 직선({got_ko})은 {josa(kind, '으로/로')} 맞춘 직선이다. fit에 loss_fn=F.huber_loss를 "
                    "넘겼는가?",
                )
        x, y = _outlier_data()
        loss = show(F.huber_loss(slope * x + intercept, y).item(), ".3f")
        best = show(F.huber_loss(fits["Huber"][0] * x + fits["Huber"][1], y).item(), ".3f")
        raise NotYet(
            f"Your line ({got_en}) is not the Huber fit yet: its Huber loss is {loss}, and the best line reaches "
            f"{best} (the check allows {LINE_TOLERANCE} in slope and intercept). Train a new nn.Linear(1, 1) "
            "as in the outlier cell: Adam with lr=0.05, 400 epochs, batch_size=40.",
            f"답으로 낸 직선({got_ko})은 아직 Huber 손실의 최적 직선이 아니다. 이 직선의 Huber 손실은 {loss}, "
            f"최적 직선의 손실은 {josa(best, '이다/다')}(기울기와 절편의 허용 오차 {LINE_TOLERANCE}). 이상치 셀과 "
            "같이 새 "
            "nn.Linear(1, 1)을 Adam(lr=0.05), 400 에포크, batch_size=40으로 학습하라.",
        )
    if read_choice("closer_to", closer_to, ("MAE", "MSE")) == "MSE":
        raise NotYet(
            f"Your line is right ({got_en}), but compare its slope with the MAE and MSE slopes printed in the "
            "outlier cell: which is nearer?",
            f"직선은 맞다({got_ko}). 이상치 셀에 출력된 MAE와 MSE의 기울기와 비교해 보라. 어느 쪽이 더 가까운가?",
        )
    return correct(
        f"The Huber line ({got_en}) stays near the MAE line: the outliers' errors are far above δ = 1, where the "
        "Huber loss grows linearly like MAE, so they cannot pull the line as they pull the MSE fit.",
        f"Huber 직선({got_ko})은 MAE 직선 가까이에 머문다. 이상치의 오차는 δ = 1보다 훨씬 커서 Huber 손실이 MAE처럼 "
        "선형으로 자라는 구간에 있으므로, MSE에서처럼 직선을 끌어당기지 못한다.",
    )


def _reference_huber() -> tuple[tuple, dict]:
    slope, intercept = _fits()["Huber"]
    line = nn.Linear(1, 1, dtype=DTYPE)
    with torch.no_grad():
        line.weight.fill_(slope)
        line.bias.fill_(intercept)
    return (line, "MAE"), {}


_HUBER_CODE = """\
torch.manual_seed(0)
huber_line = nn.Linear(1, 1)
optimizer = torch.optim.Adam(huber_line.parameters(), lr=0.05)
fit(huber_line, x_out, y_out, loss_fn=F.huber_loss, optimizer=optimizer, epochs=400, batch_size=40)
print(f"Huber: slope {huber_line.weight.item():.3f}, intercept {huber_line.bias.item():.3f}")
closer_to = "MAE"
check("02.3", huber_line, closer_to)
"""

register(
    Exercise(
        id="02.3",
        check=check_huber_line,
        hints={
            "en": [
                "The outlier cell trains one line per loss; the Huber loss is one more loss for the same loop.",
                "Repeat the body of the outlier cell's loop once, with a fresh nn.Linear(1, 1) (after "
                "torch.manual_seed(0)) and loss_fn=F.huber_loss.",
                "The four outliers are 15 above the line. On which part of the Huber loss, quadratic or linear, do "
                "their errors fall?",
            ],
            "ko": [
                "이상치 셀은 손실마다 직선 하나를 학습한다. Huber 손실은 같은 반복문에 넣을 손실이 하나 더 "
                "있는 것이다.",
                "이상치 셀의 반복문 본문을 torch.manual_seed(0) 뒤의 새 nn.Linear(1, 1)과 loss_fn=F.huber_loss로 한 번 "
                "더 실행하라.",
                "이상치 네 개는 직선보다 15만큼 위에 있다. 그 오차는 Huber 손실의 이차 구간과 선형 구간 중 어디에 "
                "놓이는가?",
            ],
        },
        solution=_solution(
            _HUBER_CODE,
            "The Huber line lands next to the MAE line (slope about 2.16 against 2.07 for MAE and 3.96 for MSE). "
            "Errors larger than δ = 1 cost linearly, as in MAE, so an outlier pulls no harder than any point whose "
            "error exceeds δ; small errors cost quadratically, which makes the loss smooth at 0.",
            "Huber 직선은 MAE 직선 바로 옆에 놓인다(기울기 약 2.16; MAE는 2.07, MSE는 3.96). δ = 1보다 큰 오차는 "
            "MAE처럼 선형으로 비용이 늘어나므로 이상치는 오차가 δ보다 큰 다른 점보다 세게 당기지 못하고, 작은 오차는 "
            "이차로 늘어나 0 근처에서 손실이 매끄럽다.",
        ),
        reference=_reference_huber,
    )
)

# --- 02.4 · digits with MSE on one-hot targets ------------------------------------------------

MIN_ACCURACY = 0.90
MAX_ONE_HOT_DISTANCE = 0.1


@functools.cache
def _digits_test() -> tuple[torch.Tensor, torch.Tensor]:
    from chapter5_utils import as_tensors, load_digits, standardize
    from chapter5_utils.cv import holdout_split

    digits = load_digits()
    train_idx, test_idx = holdout_split(len(digits.y), test_size=0.25, seed=0)
    _, X_test = as_tensors(*standardize(digits.X[train_idx], digits.X[test_idx]), dtype=DTYPE)
    return X_test, torch.as_tensor(digits.y[test_idx], dtype=torch.long)


def _outputs(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Return the learner's model's outputs on ``X`` (float64), computed on a copy in eval mode."""
    params = list(model.parameters())
    if any(p.is_meta for p in params):
        raise NotYet(
            "`mse_model` is on the meta device: its parameters have shapes but no values. Build it on the CPU and "
            "train it.",
            "`mse_model`이 meta 장치에 있어서 파라미터에 모양만 있고 값이 없다. CPU에서 만들어 학습하라.",
        )
    dtype = params[0].dtype if params else DTYPE
    try:
        with learner_code():
            probe = copy.deepcopy(model).eval()
            with torch.no_grad():
                out = probe(X.to(dtype))
    except _LearnerError as error:  # the learner's model raised: say what it was given, and what it said
        cause = error.__cause__
        said = f"{type(cause).__name__}: {cause}"[:200]
        raise NotYet(
            f"`mse_model` could not score the 64-pixel test images ({said}): it should be an nn.Linear(64, 10).",
            f"`mse_model`이 64픽셀 테스트 이미지에 점수를 매기지 못했다(`{said}`). nn.Linear(64, 10)이어야 한다.",
        ) from error
    if not isinstance(out, torch.Tensor):
        raise NotYet(f"`mse_model` returned {describe(out)}, not a tensor of scores.",
                     f"`mse_model`이 점수 텐서가 아니라 {josa(describe(out, 'ko'), '을/를')} 돌려주었다.")
    return torch.from_numpy(read_numbers("mse_model(X_test)", out)) if out.numel() else out.to(DTYPE)


def check_digits_mse(mse_model: Any, outputs_are_probabilities: Any) -> Feedback:
    """Check a digits classifier trained with MSE on one-hot targets (a plain linear model, no softmax), and
    whether its outputs are probabilities."""
    if not isinstance(mse_model, nn.Module):
        raise NotYet(
            f"`mse_model` should be a trained nn.Linear(64, 10), got {describe(mse_model)}.",
            f"`mse_model`에는 학습된 nn.Linear(64, 10)이 와야 한다. 받은 것: {describe(mse_model, 'ko')}.",
        )
    if any(isinstance(m, nn.Softmax | nn.LogSoftmax | nn.Sigmoid) for m in mse_model.modules()):
        raise NotYet(
            "`mse_model` ends in a softmax (or another squashing layer); the task's model is a plain "
            "nn.Linear(64, 10), whose raw scores MSE fits to the one-hot targets.",
            "`mse_model`의 끝에 소프트맥스(또는 값을 눌러 담는 다른 층)가 있다. 문제의 모델은 소프트맥스가 없는 "
            "nn.Linear(64, 10)이고, MSE는 그 점수를 원-핫 타깃에 그대로 맞춘다.",
        )
    X_test, y_test = _digits_test()
    outputs = _outputs(mse_model, X_test)
    if tuple(outputs.shape) != (len(y_test), 10):
        raise NotYet(
            f"`mse_model` gives outputs of shape {tuple(outputs.shape)} for {len(y_test)} images; it should give "
            "10 scores per image: nn.Linear(64, 10).",
            f"`mse_model`이 이미지 {len(y_test)}장에 대해 모양이 {tuple(outputs.shape)}인 출력을 낸다. "
            "이미지마다 점수 10개, 즉 nn.Linear(64, 10)이어야 한다.",
        )
    sums = outputs.sum(dim=1)
    if bool((outputs >= 0).all()) and bool(((sums - 1).abs() < 1e-6).all()):
        raise NotYet(
            "Every row of `mse_model`'s outputs is positive and sums to 1: its forward ends in a softmax. The "
            "task's model is a plain nn.Linear(64, 10), with no softmax.",
            "`mse_model` 출력의 모든 행이 양수이고 합이 1이다. forward의 끝에 소프트맥스가 있다. 문제의 모델은 "
            "소프트맥스가 없는 nn.Linear(64, 10)이다.",
        )
    middle = _outputs(mse_model, 0.5 * (X_test[:-1] + X_test[1:]))
    if not differs(middle, 0.5 * (outputs[:-1] + outputs[1:])) < 1e-4:
        raise NotYet(
            "`mse_model` is not a linear model: the score of the midpoint of two images is not the midpoint of "
            "their scores. The task's model is one nn.Linear(64, 10), with no hidden layer or activation.",
            "`mse_model`은 선형 모델이 아니다. 두 이미지의 중점의 점수가 두 점수의 중점과 다르다. 문제의 모델은 "
            "은닉층도 활성화 함수도 없는 nn.Linear(64, 10) 하나다.",
        )
    accuracy = (outputs.argmax(dim=1) == y_test).double().mean().item()
    distance = fn.mse(outputs, F.one_hot(y_test, 10).to(DTYPE)).item()
    if accuracy < 0.5:
        raise NotYet(
            f"`mse_model`'s test accuracy is {show(accuracy, '.3f')}, close to guessing: did you train it with fit "
            "for 10 epochs?",
            f"`mse_model`의 테스트 정확도가 {josa(show(accuracy, '.3f'), '으로/로')} 찍기와 비슷하다. fit으로 10 "
            "에포크 학습했는가?",
        )
    if not distance <= MAX_ONE_HOT_DISTANCE:
        raise NotYet(
            f"`mse_model`'s outputs are far from the one-hot targets (mean squared distance {show(distance, '.2f')}; "
            f"a model trained with MSE on one-hot targets gets below {MAX_ONE_HOT_DISTANCE}): did you train it with "
            "loss_fn=fn.mse on F.one_hot(y_train, 10).double(), rather than with cross-entropy?",
            f"`mse_model`의 출력이 원-핫 타깃과 멀다(평균 제곱 거리 {show(distance, '.2f')}; 원-핫 타깃에 MSE로 "
            f"학습한 모델은 {MAX_ONE_HOT_DISTANCE} 미만이다). 교차 엔트로피가 아니라 F.one_hot(y_train, 10).double()에 "
            "loss_fn=fn.mse로 학습했는가?",
        )
    if accuracy < MIN_ACCURACY:
        raise NotYet(
            f"`mse_model`'s test accuracy is {show(accuracy, '.3f')}; with the notebook's settings (Adam, lr=1e-3, "
            f"10 epochs) it reaches at least {MIN_ACCURACY}: did you train for fewer epochs or with another "
            "learning rate?",
            f"`mse_model`의 테스트 정확도는 {josa(show(accuracy, '.3f'), '이다/다')}. 노트북의 설정(Adam, lr=1e-3, 10 "
            "에포크)이면 "
            f"{MIN_ACCURACY} 이상이 된다. 에포크를 줄였거나 다른 학습률을 썼는가?",
        )
    answer = read_bool("outputs_are_probabilities", outputs_are_probabilities)
    low, high = outputs.min().item(), outputs.max().item()
    if answer:
        raise NotYet(
            f"Your model is right (test accuracy {show(accuracy, '.3f')}), but look again at its outputs: print "
            "mse_model(X_test).min(), .max() and .sum(dim=1)[:5].",
            f"모델은 맞다(테스트 정확도 {show(accuracy, '.3f')}). 출력을 다시 보라. mse_model(X_test).min(), .max(), "
            ".sum(dim=1)[:5]를 출력해 보라.",
        )
    return correct(
        f"Trained with MSE on one-hot targets, the linear model reaches test accuracy {show(accuracy, '.3f')}; its "
        f"outputs run from {show(low, '.2f')} to {show(high, '.2f')}, so they are scores fitted to 0 and 1, not "
        "probabilities, which is what softmax and cross-entropy give.",
        f"원-핫 타깃에 MSE로 학습한 선형 모델의 테스트 정확도는 {josa(show(accuracy, '.3f'), '이다/다')}. "
        f"출력은 {show(low, '.2f')}에서 {show(high, '.2f')}까지 퍼져 있어 0과 1에 맞춘 점수일 뿐 확률이 아니다. "
        "확률은 소프트맥스와 교차 엔트로피가 준다.",
    )


@functools.cache
def _train_digits_mse() -> nn.Module:
    from chapter5_utils import as_tensors, fit, load_digits, standardize
    from chapter5_utils.cv import holdout_split

    digits = load_digits()
    train_idx, test_idx = holdout_split(len(digits.y), test_size=0.25, seed=0)
    X_train, _ = as_tensors(*standardize(digits.X[train_idx], digits.X[test_idx]), dtype=DTYPE)
    targets = F.one_hot(torch.as_tensor(digits.y[train_idx], dtype=torch.long), 10).to(DTYPE)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = nn.Linear(64, 10, dtype=DTYPE)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    with _notebook_dtype():
        fit(model, X_train, targets, loss_fn=fn.mse, optimizer=optimizer, epochs=10, seed=0)
    return model


def _reference_digits() -> tuple[tuple, dict]:
    return (_train_digits_mse(), False), {}


_DIGITS_CODE = """\
torch.manual_seed(0)
mse_model = nn.Linear(64, 10)
optimizer = torch.optim.Adam(mse_model.parameters(), lr=1e-3)
one_hot = F.one_hot(y_train, 10).double()
fit(mse_model, X_train, one_hot, loss_fn=fn.mse, optimizer=optimizer, epochs=10, seed=0)
with torch.no_grad():
    scores = mse_model(X_test)
print(f"test accuracy {accuracy(scores, y_test):.4f}")
print(f"outputs from {scores.min().item():.2f} to {scores.max().item():.2f}")
outputs_are_probabilities = False
check("02.4", mse_model, outputs_are_probabilities)
"""

register(
    Exercise(
        id="02.4",
        check=check_digits_mse,
        hints={
            "en": [
                "Only the targets and the loss change: the model stays a plain nn.Linear(64, 10), with no softmax.",
                "Copy the digits training cell; change the targets to F.one_hot(y_train, 10).double() and the loss "
                "to fn.mse.",
                "Probabilities lie between 0 and 1 and sum to 1 in each row. Which part of the recipe (scores → "
                "softmax → loss) would make them so, and is it in this model?",
            ],
            "ko": [
                "바뀌는 것은 타깃과 손실뿐이다. 모델은 소프트맥스가 없는 nn.Linear(64, 10) 그대로다.",
                "숫자 분류 학습 셀을 복사하고, 타깃을 F.one_hot(y_train, 10).double()로, 손실을 fn.mse로 바꿔라.",
                "확률은 0과 1 사이에 있고 행마다 합이 1이다. 점수 → 소프트맥스 → 손실의 순서 가운데 어느 단계가 "
                "그렇게 만들며, 이 모델에 그 단계가 있는가?",
            ],
        },
        solution=_solution(
            _DIGITS_CODE,
            "MSE on one-hot targets fits each class's score to 0 or 1 by least squares. It classifies almost as "
            "well as cross-entropy here (0.927 against 0.936 after 10 epochs), but its outputs go below 0 and "
            "above 1: no softmax turns them into probabilities, so they cannot be read as the model's confidence.",
            "원-핫 타깃에 대한 MSE는 클래스마다 점수를 최소제곱으로 0 또는 1에 맞춘다. 여기서는 교차 엔트로피와 거의 "
            "비슷하게 분류하지만(10 에포크 뒤 0.927 대 0.936), 출력이 0보다 작거나 1보다 크다. 소프트맥스를 거치지 "
            "않으므로 확률이 아니고, 모델의 확신도로 읽을 수 없다.",
        ),
        reference=_reference_digits,
    )
)
