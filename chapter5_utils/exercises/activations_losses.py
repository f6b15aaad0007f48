"""Exercises of notebook 02 · activation and loss functions.

02.1 a hand-written weight-gradient measurement, then vanishing gradients over 30 layers, 02.2
curvature vs sign with the optimum on the diagonal (step counts, exactly), 02.3 the Huber loss on the
outlier data, 02.4 the digits classifier trained with MSE on one-hot targets (a plain linear model, no
softmax), 02.5 log-sum-exp and log-softmax written by hand, stable for scores near ±1000. Each check
computes what it needs from the notebook's seeds once, and caches it."""

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
    not_attempted,
    precision,
    read_bool,
    read_choice,
    read_int,
    read_numbers,
    register,
    show,
    watch_calls,
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


# --- 02.1 · measuring the weight gradients by hand, then thirty layers -----------------------

ACTIVATION_NAMES = ("sigmoid", "tanh", "ReLU", "Leaky ReLU", "ELU")
DEPTH = 30
NORM_RTOL = 1e-6


def _names_ko() -> str:
    return ", ".join(f"`{name}`" for name in ACTIVATION_NAMES)


def _activation_modules() -> dict[str, nn.Module]:
    modules = [nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.LeakyReLU(), nn.ELU()]
    return dict(zip(ACTIVATION_NAMES, modules, strict=True))


def _deep_stack(activation: nn.Module, depth: int = DEPTH, width: int = 64) -> nn.Sequential:
    """The notebook's ``deep_stack`` with its defaults (N(0, 1/width) weights, zero biases), in float64."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        layers: list[nn.Module] = []
        for _ in range(depth):
            linear = nn.Linear(width, width, dtype=DTYPE)
            nn.init.normal_(linear.weight, std=width**-0.5)
            nn.init.zeros_(linear.bias)
            layers += [linear, activation]
        return nn.Sequential(*layers, nn.Linear(width, 1, dtype=DTYPE))


@functools.cache
def _deep_batch() -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(1)
    return torch.randn(256, 64, generator=gen, dtype=DTYPE), torch.randn(256, 1, generator=gen, dtype=DTYPE)


def weight_grad_norms_reference(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> list[float]:
    """Return ‖∂L/∂W‖ of every nn.Linear of ``net`` but the last, first layer first, for the MSE on (X, y)."""
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)][:-1]
    net.zero_grad()
    with torch.enable_grad():
        fn.mse(net(X), y).backward()
    return [layer.weight.grad.norm().item() for layer in linears]


def _profile_norms(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> list[float]:
    from chapter5_utils.inspection import gradient_profile

    with torch.enable_grad():
        return list(gradient_profile(net, X, y).weight_grad_norms[:-1])


@functools.cache
def _reference_norms_cached() -> dict[str, tuple[float, ...]]:
    X, y = _deep_batch()
    return {name: tuple(_profile_norms(_deep_stack(module), X, y)) for name, module in _activation_modules().items()}


def _reference_norms() -> dict[str, list[float]]:
    return {name: list(values) for name, values in _reference_norms_cached().items()}


def _probe_nets() -> list[tuple[str, str, nn.Module, torch.Tensor, torch.Tensor]]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(3)
        small = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 7), nn.ReLU(), nn.Linear(7, 1)).to(DTYPE)
        wide = nn.Sequential(nn.Linear(3, 16), nn.Sigmoid(), nn.Linear(16, 2)).to(DTYPE)
        gen = torch.Generator().manual_seed(4)
        cases = [("a 3-layer network of width 7", "폭 7인 3층 신경망", small,
                  torch.randn(20, 5, generator=gen, dtype=DTYPE), torch.randn(20, 1, generator=gen, dtype=DTYPE)),
                 ("a 2-layer network with 2 outputs", "출력이 2개인 2층 신경망", wide,
                  torch.randn(9, 3, generator=gen, dtype=DTYPE), torch.randn(9, 2, generator=gen, dtype=DTYPE))]
    return cases


def _key(name: Any) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def _close(a: np.ndarray, b: Any, rtol: float = NORM_RTOL) -> bool:
    b = np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * np.abs(b)))


def _is_gradient_profile(subject: Any) -> bool:
    from chapter5_utils.inspection import gradient_profile

    return subject is gradient_profile.__code__


def _check_measurement(weight_grad_norms: Any) -> None:
    if not callable(weight_grad_norms) or isinstance(weight_grad_norms, type):
        raise NotYet(
            f"Pass your function itself, weight_grad_norms (without parentheses), got {describe(weight_grad_norms)}.",
            f"함수 자체를 괄호 없이 weight_grad_norms로 넘겨라. 받은 것: {describe(weight_grad_norms, 'ko')}.",
        )
    for label_en, label_ko, net, X, y in _probe_nets():
        want = np.asarray(_profile_norms(net, X, y))
        results = []
        for _ in range(2):
            with learner_code(), watch_calls({"profile": _is_gradient_profile}) as counts:
                results.append(weight_grad_norms(net, X.clone(), y.clone()))
            if counts["profile"]:
                raise NotYet(
                    "weight_grad_norms calls gradient_profile: measure the gradients yourself, with backward() and "
                    "each layer's .weight.grad; the check compares them with gradient_profile's.",
                    "weight_grad_norms가 gradient_profile을 호출한다. backward()와 각 층의 .weight.grad로 직접 재라. "
                    "채점 코드가 gradient_profile의 값과 비교한다.",
                )
        first, second = results
        if first is None or first is Ellipsis:
            raise _Unfinished
        got = read_numbers("weight_grad_norms(net, X, y)", first)
        if got.shape == (len(want) + 1,) and _close(got[:-1], want):
            raise NotYet(
                f"On {label_en}, weight_grad_norms also returns the output layer's norm: leave out the last "
                "nn.Linear (the head), as the notebook's measurement does.",
                f"{label_ko}에서 weight_grad_norms가 출력층의 노름까지 돌려준다. 노트북의 측정처럼 마지막 nn.Linear"
                "(출력층)는 빼라.",
            )
        if got.shape != want.shape:
            raise NotYet(
                f"On {label_en}, the number of norms that weight_grad_norms returns is {got.size}; it should be "
                f"{len(want)}, one per nn.Linear but the last.",
                f"{label_ko}에서 weight_grad_norms가 노름 {got.size}개를 돌려준다. 마지막을 뺀 nn.Linear마다 하나씩 "
                f"{len(want)}개여야 한다.",
            )
        if _close(got[::-1], want) and not _close(got, want):
            raise NotYet(
                "weight_grad_norms lists the last hidden layer first: list the layers from the input side, layer 1 "
                "first.",
                "weight_grad_norms가 노름을 마지막 은닉층부터 나열한다. 입력 쪽의 1층부터 나열하라.",
            )
        if not _close(got, want):
            if _close(got, np.asarray(want) ** 2):
                raise NotYet("weight_grad_norms returns squared norms: take .norm(), the square root of the sum "
                             "of squares.",
                             "weight_grad_norms가 노름의 제곱을 돌려준다. 제곱합의 제곱근인 .norm()을 써라.")
            raise NotYet(
                f"On {label_en}, weight_grad_norms differs from gradient_profile's weight gradients: backward the MSE "
                "of net(X) against y once, then take layer.weight.grad.norm() of each nn.Linear but the last.",
                f"{label_ko}에서 weight_grad_norms의 값이 gradient_profile의 가중치 기울기와 다르다. net(X)와 y의 "
                "MSE로 backward()를 한 번 호출한 뒤, 마지막을 뺀 nn.Linear마다 layer.weight.grad.norm()을 구하라.",
            )
        again = read_numbers("weight_grad_norms(net, X, y)", second)
        if not _close(again, want):
            raise NotYet(
                "Called twice on the same network, weight_grad_norms gives other norms the second time: backward "
                "adds to .grad, so zero the gradients first (net.zero_grad()).",
                "같은 신경망으로 두 번 호출하면 두 번째에는 다른 노름이 나온다. backward는 .grad에 더하므로 먼저 "
                "기울기를 0으로 만들어라(net.zero_grad()).",
            )


class _Unfinished(Exception):
    """The learner's function still returns its placeholder."""


def check_thirty_layers(weight_grad_norms: Any, norms_30: Any, vanishing: Any) -> Feedback:
    """Check a hand-written weight-gradient measurement, the 30-layer norms of the five activations, and the names
    whose gradient vanishes."""
    try:
        _check_measurement(weight_grad_norms)
    except _Unfinished:
        return not_attempted("02.1")
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
            f"`norms_30`에 {', '.join(f'`{m}`' for m in missing)} 항목이 없다. 다섯 활성화 함수({_names_ko()})가 "
            "모두 있어야 한다.",
        )
    reference = _reference_norms_cached()
    for name in ACTIVATION_NAMES:
        key, value = given[_key(name)]
        values = read_numbers(f"norms_30[{key!r}]", value)
        if values.shape != (DEPTH,):
            raise NotYet(
                f"`norms_30[{key!r}]` has {values.size} values, but a 30-layer stack has 30 (one per hidden layer): "
                "build it with deep_stack(activation, depth=30).",
                f"`norms_30[{key!r}]`에는 값이 {values.size}개 있는데, 30층 신경망이면 은닉층마다 하나씩 30개여야 "
                "한다. deep_stack(activation, depth=30)으로 만들어라.",
            )
        if _close(values, reference[name]):
            continue
        if _close(values[::-1], reference[name]):
            raise NotYet(
                f"`norms_30[{key!r}]` is in reverse order: list the first layer first.",
                f"`norms_30[{key!r}]`의 순서가 거꾸로다. 첫 번째 층부터 나열하라.",
            )
        swapped = [other for other in ACTIVATION_NAMES if other != name and _close(values, reference[other])]
        if swapped:
            raise NotYet(
                f"`norms_30[{key!r}]` holds the gradient norms of {swapped[0]}, not of {name}: check which module "
                "you passed under each name.",
                f"`norms_30[{key!r}]`에는 `{name}`의 기울기 노름이 아니라 `{swapped[0]}`의 기울기 노름이 들어 있다. "
                "각 이름에 어떤 모듈을 넘겼는지 확인하라.",
            )
        first, last = show(values[0], ".3g"), show(values[-1], ".3g")
        raise NotYet(
            f"`norms_30[{key!r}]` differs from the measurement (layer 1: {first}, layer 30: {last}): use "
            "weight_grad_norms(deep_stack(module, depth=30), X_deep, y_deep), with deep_stack's default weights and "
            "a fresh module for each activation.",
            f"`norms_30[{key!r}]`의 값이 측정값과 다르다(1층 {first}, 30층 {last}). deep_stack의 기본 가중치로, "
            "활성화 함수마다 새 모듈을 써서 weight_grad_norms(deep_stack(module, depth=30), X_deep, y_deep)를 "
            "구하라.",
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
            f"`vanishing`에 든 {josa(describe(unknown[0], 'ko'), '은/는')} {_names_ko()} 가운데 하나가 아니다.",
        )
    shrink = {name: reference[name][0] / reference[name][-1] for name in ACTIVATION_NAMES}
    expected = {_key(name) for name in ACTIVATION_NAMES if shrink[name] < 1e-3}
    for name in ACTIVATION_NAMES:
        if _key(name) in chosen and _key(name) not in expected:
            factor = show(shrink[name], ".2f")
            raise NotYet(
                f"You listed {name}, but its gradient at layer 1 is {factor} times the one at layer 30: that is not "
                "a vanishing gradient. Compare layer 1 with layer 30 for each activation.",
                f"{josa(f'`{name}`', '을/를')} 골랐지만, 1층의 기울기가 30층의 {factor}배다. 기울기 소실이 아니다. "
                "활성화 함수마다 "
                "1층과 30층을 비교하라.",
            )
        if _key(name) in expected and _key(name) not in chosen:
            raise NotYet(
                f"{name} is missing from `vanishing`: compare its gradient norm at layer 1 with the one at layer 30.",
                f"`vanishing`에 {josa(f'`{name}`', '이/가')} 빠졌다. 1층과 30층의 기울기 노름을 비교해 보라.",
            )
    sigmoid_factor = show(shrink["sigmoid"] ** (1 / (DEPTH - 1)), ".3f")
    return correct(
        f"Your measurement equals gradient_profile's. Over 30 layers sigmoid's weight gradient shrinks by "
        f"×{sigmoid_factor} per layer, while for tanh, ReLU, Leaky ReLU and ELU layer 1 and layer 30 differ by less "
        "than a factor of 3 (for ReLU, a shrinking backward signal and growing layer inputs that cancel).",
        f"측정이 gradient_profile과 같다. 30개 층에서 시그모이드의 가중치 기울기는 층마다 {sigmoid_factor}배로 "
        "줄어들지만, tanh, ReLU, Leaky ReLU, ELU는 1층과 30층의 차이가 3배 미만이다(ReLU에서는 줄어드는 역방향 신호와 "
        "커지는 층 입력이 서로 상쇄된다).",
    )


_THIRTY_CODE = """\
def weight_grad_norms(net, X, y):
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)][:-1]  # every layer but the head
    net.zero_grad()  # backward adds to .grad
    fn.mse(net(X), y).backward()
    return [layer.weight.grad.norm().item() for layer in linears]


modules = {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "ReLU": nn.ReLU(),
           "Leaky ReLU": nn.LeakyReLU(), "ELU": nn.ELU()}
norms_30 = {name: weight_grad_norms(deep_stack(module, depth=30), X_deep, y_deep) for name, module in modules.items()}
vanishing = [name for name, g in norms_30.items() if g[0] / g[-1] < 1e-3]  # ['sigmoid']
check("02.1", weight_grad_norms, norms_30, vanishing)
"""

register(
    Exercise(
        id="02.1",
        check=check_thirty_layers,
        hints={
            "en": [
                "A layer's weight gradient lives in layer.weight.grad once the loss has been backpropagated; .grad "
                "keeps adding up over backward calls.",
                "In weight_grad_norms: collect the nn.Linear modules of net.modules() without the last, call "
                "net.zero_grad(), backpropagate fn.mse(net(X), y), and return each layer's weight.grad.norm().item().",
                "For norms_30, call it on deep_stack(module, depth=30) with X_deep and y_deep, once per activation; "
                "then compare each list's first value (layer 1) with its last (layer 30).",
            ],
            "ko": [
                "손실을 역전파하고 나면 층의 가중치 기울기는 layer.weight.grad에 있다. .grad는 backward를 호출할 "
                "때마다 계속 더해진다.",
                "weight_grad_norms에서는 net.modules()의 nn.Linear 가운데 마지막을 뺀 것을 모으고, net.zero_grad()를 "
                "호출한 뒤 fn.mse(net(X), y)를 역전파하고, 층마다 weight.grad.norm().item()을 돌려준다.",
                "norms_30은 활성화 함수마다 deep_stack(module, depth=30)에 X_deep, y_deep으로 이 함수를 한 번씩 호출해 "
                "만든다. 그다음 리스트마다 첫 값(1층)과 마지막 값(30층)을 비교하라.",
            ],
        },
        solution=_solution(
            _THIRTY_CODE,
            "Sigmoid's derivative is at most 0.25, so its backward signal shrinks by about ×0.24 per layer, and its "
            "weight gradient with it: over 30 layers by a factor of about 1e-19. For tanh (derivative near 1 at "
            "these small pre-activations), ReLU and Leaky ReLU and ELU, layer 1 and layer 30 differ by less than a "
            "factor of 3; for ReLU that level is two shrinking and growing sizes cancelling, as the table showed.",
            "시그모이드의 도함수는 최대 0.25이므로 역방향 신호가 층마다 약 0.24배로 줄고, 가중치 기울기도 함께 "
            "줄어든다. 30개 층이면 약 1e-19배다. tanh(활성화 전 값이 이렇게 작으면 도함수가 1에 가깝다), ReLU, "
            "Leaky ReLU, ELU는 1층과 30층의 차이가 3배 미만이다. ReLU에서 그 평평함은 표에서 본 것처럼 "
            "줄어드는 크기와 커지는 크기가 상쇄된 결과다.",
        ),
        reference=lambda: ((weight_grad_norms_reference, _reference_norms(), ["sigmoid"]), {}),
        task=(
            "Write `weight_grad_norms(net, X, y)`: it backpropagates the MSE of `net(X)` against `y` and returns "
            "‖∂L/∂W‖ of every `nn.Linear` in `net` but the last (the head), first layer first, measured with "
            "`backward()` and each layer's `.weight.grad`, not with `gradient_profile`. The check compares it with "
            "`gradient_profile` on two other networks, and calls it twice on the same one. Then measure 30-layer "
            "stacks of all five activations (sigmoid, tanh, ReLU, Leaky ReLU and ELU), "
            "`deep_stack(activation, depth=30)` on `X_deep, y_deep`, into the dict `norms_30`, and list in "
            "`vanishing` the activations whose gradient at layer 1 is more than 1000 times smaller than at layer 30."
        ),
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
                "두 스텝 수가 뒤바뀌었다. steps_positive는 양수 입력(시그모이드), steps_centred는 중심이 0인 "
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
                    "경로에는 출발점 w = 0도 들어 있는데, 출발점은 스텝이 아니다.",
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
            "양수 입력은 여전히 훨씬 많은 스텝이 필요하다. 이미 출력된 수 가운데 w*와 상관없이 두 입력에서 다른 것은 "
            "무엇인가?",
        )
    return correct(
        f"Even with no zig-zag needed, the all-positive inputs take {ref['positive']} steps against "
        f"{ref['centred']}: the mean μ adds μμᵀ to the curvature, whose largest eigenvalue caps the learning rate "
        "while the flat direction still has to be crossed.",
        f"지그재그가 필요 없는데도 양수 입력은 {ref['positive']}스텝, 중심이 0인 입력은 {ref['centred']}스텝이 "
        "걸린다. 평균 μ가 곡률에 μμᵀ를 더해 가장 큰 고윳값이 커지고 그만큼 학습률이 제한되는데, 평평한 방향은 "
        "여전히 그 작은 학습률로 건너야 하기 때문이다.",
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
            "양수 입력에는 여전히 몇 배의 스텝이 필요하다. 모든 스텝이 w* = (1, 1)을 향할 수 있으므로 부호만 "
            "따지면 느릴 까닭이 없다. 그러나 곡률 E[xxᵀ] = Cov(x) + μμᵀ는 w*와 무관하다. 가장 큰 고윳값이 그대로 "
            "학습률을 제한하므로(η < 2/λ_max) 스텝 수도 여전히 비율 λ_max/λ_min을 따라 늘어난다.",
        ),
        reference=_reference_diagonal,
        task=(
            "Move the optimum to `w* = (1, 1)`. Both weights must now go up, a direction that every step of the "
            "all-positive inputs can take, so the zig-zag argument predicts no trouble. With `gd_path`, "
            "`steps_to_reach` and the same `learning_rates`, find the fewest steps each input needs (the check asks "
            "for the exact counts). Then say which part of the story explains the difference: `\"sign\"` (Part 2) or "
            "`\"curvature\"` (Part 1)."
        ),
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
            f"최적 직선의 손실은 {josa(best, '이다/다')}(기울기와 절편의 허용 오차 {LINE_TOLERANCE}). 이상치 셀처럼 "
            "새 nn.Linear(1, 1)을 Adam(lr=0.05), 400 에포크, batch_size=40으로 학습하라.",
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
        "선형으로 늘어나는 구간에 있으므로, MSE에서처럼 직선을 끌어당기지 못한다.",
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
                "이상치 셀은 손실마다 직선 하나를 학습한다. Huber 손실은 같은 반복문에 손실 하나를 "
                "더 넣으면 된다.",
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
            "Huber 직선은 MAE 직선 바로 옆에 놓인다(기울기 약 2.16, MAE는 2.07, MSE는 3.96). δ = 1보다 큰 오차에서는 "
            "MAE처럼 비용이 선형으로 늘어나므로, 이상치도 오차가 δ보다 큰 다른 점보다 세게 당기지 못한다. "
            "작은 오차에서는 비용이 이차로 늘어나므로 손실이 0 근처에서 매끄럽다.",
        ),
        reference=_reference_huber,
        task=(
            "The Huber loss (`F.huber_loss`, with δ = 1) is quadratic for errors smaller than 1 and linear for larger "
            "ones. Fit a new `nn.Linear(1, 1)` to the outlier data `x_out, y_out` with it, with the same settings as "
            "the outlier cell. Is its line closer to the MAE line or to the MSE line?"
        ),
    )
)

# --- 02.4 · digits with MSE on one-hot targets ------------------------------------------------

MIN_ACCURACY = 0.85
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
            "`mse_model`의 끝에 소프트맥스(또는 값을 일정한 범위로 누르는 다른 층)가 있다. 문제의 모델은 "
            "소프트맥스가 없는 nn.Linear(64, 10)이고, MSE는 그 점수를 원-핫 타깃에 그대로 맞춘다.",
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
            "`mse_model`은 선형 모델이 아니다. 두 이미지의 중점에서 구한 점수가 두 점수의 중점과 다르다. 문제의 모델은 "
            "은닉층도 활성화 함수도 없는 nn.Linear(64, 10) 하나다.",
        )
    accuracy = (outputs.argmax(dim=1) == y_test).double().mean().item()
    distance = fn.mse(outputs, F.one_hot(y_test, 10).to(DTYPE)).item()
    if accuracy < 0.5:
        raise NotYet(
            f"`mse_model`'s test accuracy is {show(accuracy, '.3f')}, close to guessing: did you train it with fit "
            "for 10 epochs?",
            f"`mse_model`의 테스트 정확도가 {josa(show(accuracy, '.3f'), '으로/로')} 무작위로 고를 때와 "
            "비슷하다. fit으로 10 에포크 학습했는가?",
        )
    if not distance <= MAX_ONE_HOT_DISTANCE:
        raise NotYet(
            f"`mse_model`'s outputs are far from the one-hot targets (mean squared distance {show(distance, '.2f')}; "
            f"a model trained with MSE on one-hot targets gets below {MAX_ONE_HOT_DISTANCE}): did you train it with "
            "loss_fn=fn.mse on F.one_hot(y_train, 10).double(), rather than with cross-entropy?",
            f"`mse_model`의 출력이 원-핫 타깃과 멀다(평균 제곱 거리 {show(distance, '.2f')}, 원-핫 타깃에 MSE로 "
            f"학습한 모델은 {MAX_ONE_HOT_DISTANCE} 미만). 교차 엔트로피가 아니라 F.one_hot(y_train, 10).double()에 "
            "loss_fn=fn.mse로 학습했는가?",
        )
    if accuracy < MIN_ACCURACY:
        raise NotYet(
            f"`mse_model`'s test accuracy is {show(accuracy, '.3f')}; with the notebook's settings (Adam, lr=1e-2, "
            f"10 epochs) it reaches at least {MIN_ACCURACY}: did you train for fewer epochs or with another "
            "learning rate?",
            f"`mse_model`의 테스트 정확도는 {josa(show(accuracy, '.3f'), '이다/다')}. 노트북의 설정(Adam, lr=1e-2, 10 "
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
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    with _notebook_dtype():
        fit(model, X_train, targets, loss_fn=fn.mse, optimizer=optimizer, epochs=10, seed=0)
    return model


def _reference_digits() -> tuple[tuple, dict]:
    return (_train_digits_mse(), False), {}


_DIGITS_CODE = """\
torch.manual_seed(0)
mse_model = nn.Linear(64, 10)
optimizer = torch.optim.Adam(mse_model.parameters(), lr=1e-2)
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
            "MSE on one-hot targets fits each class's score to 0 or 1 by least squares. It classifies less well "
            "than cross-entropy here (0.904 against 0.980 after 10 epochs), and its outputs go below 0 and "
            "above 1: no softmax turns them into probabilities, so they cannot be read as the model's confidence.",
            "원-핫 타깃에 대한 MSE는 클래스마다 점수를 최소제곱으로 0 또는 1에 맞춘다. 여기서는 교차 엔트로피보다 "
            "분류가 떨어지고(10 에포크 뒤 0.904 대 0.980), 출력도 0보다 작거나 1보다 크다. 소프트맥스를 거치지 "
            "않으므로 확률이 아니고, 모델의 확신도로 읽을 수 없다.",
        ),
        reference=_reference_digits,
        task=(
            "Train the digits classifier again with `fn.mse` on one-hot targets instead of cross-entropy: a new "
            "`nn.Linear(64, 10)` with no softmax, the same optimizer, 10 epochs. Compare its test accuracy with the "
            "cross-entropy model's. Then look at its outputs on `X_test`: are they probabilities (all between 0 and "
            "1, each row summing to 1)?"
        ),
    )
)


# --- 02.5 · log-sum-exp and log-softmax, stable for any scores ----------------------------------


def _softmax_cases() -> list[tuple[str, str, torch.Tensor]]:
    gen = torch.Generator().manual_seed(5)
    small = torch.randn(6, 4, generator=gen, dtype=torch.float64)
    huge = torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -1002.0], [0.0, 800.0, -800.0]],
                        dtype=torch.float64)
    return [
        ("small scores (float64)", "작은 점수(float64)", small),
        ("scores near ±1000 (float64)", "±1000 근처의 점수(float64)", huge),
        ("small scores (float32)", "작은 점수(float32)", small.float()),
        ("scores near ±1000 (float32)", "±1000 근처의 점수(float32)", huge.float()),
        ("one column", "열 하나", small[:, :1]),
        ("equal scores", "같은 점수", torch.full((2, 5), 3.0, dtype=torch.float64)),
    ]


_BUILT_INS = {"logsumexp", "softmax", "log_softmax", "_log_softmax", "_softmax", "special_logsumexp"}


def _is_built_in_softmax(subject: Any) -> bool:
    """torch's own softmax, log_softmax or logsumexp (a built-in, or torch.nn.functional's Python wrapper)."""
    if hasattr(subject, "co_name"):
        return subject.co_name in {"softmax", "log_softmax", "logsumexp"} and \
            "/torch/" in subject.co_filename.replace("\\", "/")
    return getattr(subject, "__name__", "") in _BUILT_INS


def _run_softmax(function: Any, z: torch.Tensor) -> tuple[Any, int]:
    with learner_code(), watch_calls({"built_in": _is_built_in_softmax}) as counts:
        result = function(z.clone())
    return result, counts["built_in"]


def check_log_softmax(logsumexp: Any, log_softmax: Any) -> Feedback:
    """Check hand-written row-wise log-sum-exp and log-softmax against torch's, on scores of any size."""
    for name, function in (("logsumexp", logsumexp), ("log_softmax", log_softmax)):
        if not callable(function) or isinstance(function, type):
            raise NotYet(
                f"Pass your function {name} itself (without parentheses), got {describe(function)}.",
                f"함수 {name} 자체를 괄호 없이 넘겨라. 받은 것: {describe(function, 'ko')}.",
            )
    for label_en, label_ko, z in _softmax_cases():
        for name, function, reference, shape in (
            ("logsumexp", logsumexp, torch.logsumexp(z, dim=1), (z.shape[0],)),
            ("log_softmax", log_softmax, torch.log_softmax(z, dim=1), tuple(z.shape)),
        ):
            result, built_in = _run_softmax(function, z)
            if result is None or result is Ellipsis:
                return not_attempted("02.5")
            if built_in:
                raise NotYet(
                    f"`{name}` calls torch's own softmax, log_softmax or logsumexp: the exercise asks you to write "
                    "the computation yourself, with exp, log, max and sum.",
                    f"{josa(f'`{name}`', '이/가')} torch의 softmax, log_softmax, logsumexp를 호출한다. 이 문제는 exp, "
                    "log, max, sum으로 "
                    "직접 계산하라고 한다.",
                )
            if not isinstance(result, torch.Tensor):
                raise NotYet(f"`{name}` should return a tensor, got {describe(result)}.",
                             f"{josa(f'`{name}`', '은/는')} 텐서를 돌려줘야 한다. 받은 것: {describe(result, 'ko')}.")
            if tuple(result.shape) != shape:
                if name == "logsumexp" and tuple(result.shape) == (z.shape[0], 1):
                    raise NotYet(
                        "`logsumexp` keeps the reduced dimension: return one number per row, shape (n,) "
                        "(keepdim=False), as torch.logsumexp(z, dim=1) does.",
                        "`logsumexp`가 줄인 차원을 남긴다. torch.logsumexp(z, dim=1)처럼 행마다 수 하나, 모양 (n,)을 "
                        "돌려주어라(keepdim=False).",
                    )
                raise NotYet(
                    f"On {label_en} of shape {tuple(z.shape)}, `{name}` returned shape {tuple(result.shape)}; it "
                    f"should return {shape}.",
                    f"모양이 {tuple(z.shape)}인 {label_ko}에서 {josa(f'`{name}`', '이/가')} 모양 "
                    f"{josa(tuple(result.shape), '을/를')} "
                    f"돌려주었다. {josa(shape, '이어야/여야')} 한다.",
                )
            values = result.detach().to(torch.float64)
            if not torch.isfinite(values).all() and float(z.abs().max()) < 80:
                raise NotYet(
                    f"On {label_en}, `{name}` returns inf or nan. These scores are small, so no exp can overflow "
                    "here: the inf or nan comes from the code itself, such as a division by zero or the log of 0 "
                    "or of a negative number.",
                    f"{label_ko}에서 {josa(f'`{name}`', '이/가')} inf나 nan을 돌려준다. 이 점수들은 작아서 exp가 "
                    "오버플로할 수 없다. inf나 nan은 코드 자체에서 나온다. 예를 들어 0으로 나누었거나, 0이나 음수의 "
                    "로그를 구했을 수 있다.",
                )
            if not torch.isfinite(values).all():
                raise NotYet(
                    f"On {label_en}, `{name}` returns inf or nan: exp overflows above about 709 (88 in float32), and "
                    "the log of an underflowed probability is −inf. Subtract each row's largest score before exp, "
                    "and compute log_softmax as z − logsumexp(z), not as the log of a softmax.",
                    f"{label_ko}에서 {josa(f'`{name}`', '이/가')} inf나 nan을 돌려준다. exp는 약 709(float32에서는 "
                    "88)를 넘으면 "
                    "오버플로하고, "
                    "0으로 사라진 확률의 로그는 −inf다. exp 전에 행마다 가장 큰 점수를 빼고, log_softmax는 softmax의 "
                    "로그가 아니라 z − logsumexp(z)로 계산하라.",
                )
            scale = max(1.0, float(reference.abs().max()))
            # the coarser of the input's and the result's precision: torch's own float32 answer is only
            # that exact, so a result computed in float64 from float32 scores is judged at float32 precision
            tol = max(1e-12, 64 * max(precision(result), precision(z))) * scale
            if not float((values - reference.to(torch.float64)).abs().max()) < tol:
                other = torch.logsumexp(z, dim=0) if name == "logsumexp" else torch.log_softmax(z, dim=0)
                if other.shape == values.shape and float((values - other).abs().max()) < tol:
                    raise NotYet(
                        f"`{name}` works down the columns (dim=0); each row is one sample's scores: reduce over "
                        "dim=1.",
                        f"{josa(f'`{name}`', '이/가')} 열 방향(dim=0)으로 계산한다. 행 하나가 샘플 하나의 점수다. "
                        "dim=1로 줄여라.",
                    )
                gap = show(float((values - reference.to(torch.float64)).abs().max()), ".2g")
                raise NotYet(
                    f"On {label_en}, `{name}` differs from torch's by up to {gap}: logsumexp(z) = m + log Σ exp(z − m) "
                    "with m the row's largest score, and log_softmax(z) = z − logsumexp(z).",
                    f"{label_ko}에서 {josa(f'`{name}`', '이/가')} torch의 결과와 최대 {gap}만큼 다르다. m을 행의 가장 "
                    "큰 점수라 하면 "
                    "logsumexp(z) = m + log Σ exp(z − m)이고, log_softmax(z) = z − logsumexp(z)다.",
                )
    return correct(
        "Both functions equal torch's on small scores and on scores near ±1000, in float64 and float32: shifting a "
        "row by its largest score changes nothing mathematically (e^(z−m)/Σe^(z−m) = e^z/Σe^z), but keeps every exp "
        "at most 1, and z − logsumexp(z) never takes the log of a probability that underflowed to 0.",
        "작은 점수에서도 ±1000 근처의 점수에서도, float64와 float32 모두에서 두 함수가 torch와 같은 값을 낸다. "
        "행을 가장 큰 점수만큼 옮겨도 수학적으로는 달라지지 않지만(e^(z−m)/Σe^(z−m) = e^z/Σe^z) 모든 exp가 1 이하가 "
        "되고, z − logsumexp(z)는 0으로 사라진 확률의 로그를 구하지 않는다.",
    )


def logsumexp_reference(z: torch.Tensor) -> torch.Tensor:
    """Return log Σ_j exp(z_ij) for every row i, computed stably."""
    m = z.max(dim=1, keepdim=True).values
    return (m + torch.log(torch.exp(z - m).sum(dim=1, keepdim=True)))[:, 0]


def log_softmax_reference(z: torch.Tensor) -> torch.Tensor:
    """Return z − logsumexp(z) row by row."""
    return z - logsumexp_reference(z)[:, None]


_SOFTMAX_CODE = """\
def logsumexp(z):
    m = z.max(dim=1, keepdim=True).values  # each row's largest score
    return (m + torch.log(torch.exp(z - m).sum(dim=1, keepdim=True)))[:, 0]  # every exp is at most 1


def log_softmax(z):
    return z - logsumexp(z)[:, None]  # never the log of a probability that underflowed


huge = torch.tensor([[1000.0, 1001.0, 1002.0]])
print(logsumexp(huge), log_softmax(huge), torch.log_softmax(huge, dim=1))
check("02.5", logsumexp, log_softmax)
"""


register(
    Exercise(
        id="02.5",
        check=check_log_softmax,
        hints={
            "en": [
                "e^z overflows for large scores, but softmax and log-sum-exp do not change when every score of a row "
                "is shifted by the same amount.",
                "Shift each row by its largest score m: logsumexp(z) = m + log Σ exp(z − m). Then every exp is at "
                "most 1 and one of them is exactly 1, so the sum is at least 1.",
                "log_softmax(z) = z − logsumexp(z), row by row: never log(softmax(z)), whose tiny probabilities "
                "underflow to 0 and give −inf.",
            ],
            "ko": [
                "점수가 크면 e^z가 오버플로하지만, 한 행의 모든 점수를 같은 만큼 옮겨도 소프트맥스와 log-sum-exp는 "
                "달라지지 않는다.",
                "행마다 가장 큰 점수 m만큼 옮겨라: logsumexp(z) = m + log Σ exp(z − m). 그러면 모든 exp가 1 이하이고 "
                "그 가운데 하나는 정확히 1이라서, 합은 1 이상이다.",
                "log_softmax(z) = z − logsumexp(z)를 행마다 구한다. 아주 작은 확률이 0으로 사라져 −inf를 주는 "
                "log(softmax(z))는 쓰지 않는다.",
            ],
        },
        solution=_solution(
            _SOFTMAX_CODE,
            "Subtracting the row's largest score m changes nothing mathematically, because e^(z−m) / Σ e^(z−m) = "
            "e^z / Σ e^z, but it keeps every exponent at most 0: no overflow, and the sum stays at least 1, so its "
            "log is safe. Computing log_softmax as z − logsumexp(z) also avoids the log of a probability that "
            "underflowed to 0. This is what torch.logsumexp, F.log_softmax and F.cross_entropy do inside.",
            "행의 가장 큰 점수 m을 빼도 e^(z−m) / Σ e^(z−m) = e^z / Σ e^z이므로 수학적으로는 달라지지 않지만, 모든 "
            "지수가 0 이하가 된다. 오버플로가 없고, 합이 1 이상이라서 그 로그도 안전하다. log_softmax를 "
            "z − logsumexp(z)로 구하면 0으로 사라진 확률의 로그도 피한다. torch.logsumexp, F.log_softmax, "
            "F.cross_entropy가 안에서 하는 일이 바로 이것이다.",
        ),
        reference=lambda: ((logsumexp_reference, log_softmax_reference), {}),
        task=(
            "Write `logsumexp(z)` and `log_softmax(z)` for a 2-D tensor of scores, one row per sample: "
            "`logsumexp(z)` returns log Σⱼ exp(zᵢⱼ) for every row, shape (n,), and `log_softmax(z)` returns "
            "zᵢⱼ − logsumexp(z)ᵢ, the shape of `z`. Both must work for scores of any size, with exp, log, max and "
            "sum, not with torch's `softmax`, `log_softmax` or `logsumexp`. The check compares them with torch's on "
            "small scores and on scores near ±1000, in float64 and in float32 (judged at float32 precision)."
        ),
    )
)
