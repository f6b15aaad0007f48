"""Exercises of notebook 01 · linear regression, perceptron and MLP.

01.1 perceptron learning rates on AND (the learner's mistake lists are recomputed and compared),
01.2 which XOR seeds reach 100% with two and with four hidden nodes (the seed lists, exactly),
01.3 a hand-written backward pass through tanh, without autograd (compared with autograd on two
shapes, at the precision of the answer's dtype), 01.4 train and test RMSE of the chapter's MLP after
300 epochs and without dropout (reported numbers, within 0.05).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import torch

from chapter5_utils.exercises.core import (
    Exercise,
    Feedback,
    NotYet,
    as_number,
    autograd_used,
    correct,
    describe,
    dtype_name,
    not_attempted,
    not_yet,
    precision,
    read_number,
    read_numbers,
    register,
    same_setting,
    show,
)
from chapter5_utils.exercises.korean import attach as josa
from chapter5_utils.perceptron import Perceptron


def _solution(code: str, en: str, ko: str) -> dict[str, str]:
    return {"en": code + "\n" + en, "ko": code + "\n" + ko}


# ---------------------------------------------------------------- 01.1 perceptron learning rates

GATE_X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
GATE_Y = {
    "AND": torch.tensor([-1.0, -1.0, -1.0, 1.0], dtype=torch.float64),
    "OR": torch.tensor([-1.0, 1.0, 1.0, 1.0], dtype=torch.float64),
    "XOR": torch.tensor([-1.0, 1.0, 1.0, -1.0], dtype=torch.float64),
}
LEARNING_RATES = (0.5, 2.0, 10.0, 0.1)
EPOCHS_01_1 = 12


@functools.cache
def _gate_mistakes(gate: str, lr: float) -> tuple[int, ...]:
    return tuple(Perceptron(lr=lr).fit(GATE_X, GATE_Y[gate], epochs=EPOCHS_01_1).mistakes)


def _rates(values: Any) -> str:
    return ", ".join(show(v, "g") for v in values)


def check_learning_rates(mistakes: Any, different: Any) -> Feedback:
    """Return feedback on the mistakes per epoch for each learning rate and the one that differs."""
    if not isinstance(mistakes, dict):
        raise NotYet(
            f"`mistakes` should be a dict {{learning rate: list of mistakes per epoch}}, got {describe(mistakes)}.",
            "`mistakes`에는 {학습률: 에포크별 오류 수 리스트} 형태의 딕셔너리가 와야 한다. "
            f"받은 것: {describe(mistakes, 'ko')}.",
        )
    by_lr: dict[float, Any] = {}
    for key, value in mistakes.items():
        number = as_number(key)
        if number is None or not math.isfinite(number):
            raise NotYet(
                f"The keys of `mistakes` should be the learning rates (numbers), got the key {describe(key)}.",
                f"`mistakes`의 키는 학습률(수)이어야 하는데, 키 가운데 {describe(key, 'ko')}도 있다.",
            )
        by_lr[number] = value
    missing = [lr for lr in LEARNING_RATES if not any(same_setting(lr, k) for k in by_lr)]
    if missing:
        raise NotYet(
            f"`mistakes` has no entry for the learning rate(s) {_rates(missing)}; it needs one for each of "
            f"{_rates(LEARNING_RATES)}.",
            f"`mistakes`에 학습률 {_rates(missing)}의 항목이 없다. {_rates(LEARNING_RATES)} 각각에 항목이 하나씩 "
            "있어야 한다.",
        )
    for lr in LEARNING_RATES:
        value = next(v for k, v in by_lr.items() if same_setting(lr, k))
        if isinstance(value, int | float) or as_number(value) is not None:
            raise NotYet(
                f"For η = {show(lr, 'g')} the value should be the whole list `p.mistakes` (one count per epoch), "
                f"got {describe(value)}.",
                f"η = {show(lr, 'g')}의 값은 `p.mistakes` 리스트 전체(에포크마다 횟수 하나)여야 한다. "
                f"받은 것: {describe(value, 'ko')}.",
            )
        got = tuple(int(m) for m in read_numbers(f"mistakes[{show(lr, 'g')}]", value, whole=True))
        if got == _gate_mistakes("AND", lr):
            continue
        if len(got) != EPOCHS_01_1:
            raise NotYet(
                f"For η = {show(lr, 'g')} your list has {len(got)} epochs; train for epochs={EPOCHS_01_1}, "
                "as in the notebook.",
                f"η = {show(lr, 'g')}의 리스트에는 에포크가 {len(got)}개 있다. 노트북처럼 "
                f"{josa(f'epochs={EPOCHS_01_1}', '으로/로')} "
                "학습하라.",
            )
        other = [g for g in ("OR", "XOR") if got == _gate_mistakes(g, lr)]
        if other:
            raise NotYet(
                f"For η = {show(lr, 'g')} your mistakes are those of the {other[0]} gate: train on gates['AND'].",
                f"η = {show(lr, 'g')}의 오류 수는 {other[0]} 게이트로 학습한 결과다. gates['AND']로 학습하라.",
            )
        shown = "[" + ", ".join(str(m) for m in got) + "]"
        raise NotYet(
            f"For η = {show(lr, 'g')} your mistakes per epoch {shown} are not what a fresh "
            f"Perceptron(lr={show(lr, 'g')}) gives on X_gate and gates['AND'] in {EPOCHS_01_1} epochs: did you "
            "create a new Perceptron for each learning rate?",
            f"η = {show(lr, 'g')}에서 에포크별 오류 수 {josa(shown, '은/는')} 새 Perceptron(lr={show(lr, 'g')})을 "
            "X_gate와 "
            f"gates['AND']로 {EPOCHS_01_1} 에포크 학습한 결과와 다르다. 학습률마다 새 Perceptron을 만들었는가?",
        )
    number = read_number("different", different)
    if not any(same_setting(number, lr) for lr in LEARNING_RATES):
        raise NotYet(
            f"`different` is {show(number, 'g')}, which is not one of the learning rates you trained with "
            f"({_rates(LEARNING_RATES)}).",
            f"`different`의 값 {josa(show(number, 'g'), '은/는')} 학습에 쓴 학습률({_rates(LEARNING_RATES)}) 가운데 "
            "하나가 아니다.",
        )
    if not same_setting(number, 0.1):
        raise NotYet(
            f"With η = {show(number, 'g')} the mistakes per epoch are the same as with η = 1, as your own dict "
            "shows: compare each list with the one for η = 1 again.",
            f"η = {show(number, 'g')}일 때 에포크별 오류 수는 η = 1일 때와 같다. 여러분의 딕셔너리에서도 그렇다. "
            "각 리스트를 η = 1의 리스트와 다시 비교하라.",
        )
    return correct(
        "η = 0.5, 2 and 10 make the same mistakes as η = 1 with weights η times as large, because from zero weights "
        "every net input is η times the one for η = 1 and has the same sign. With η = 0.1 the sums are not exact in "
        "binary, so a point that should sit exactly on the boundary (z = 0, a mistake) lands a hair off it, and "
        "training takes another path.",
        "η = 0.5, 2, 10은 η = 1과 같은 오류를 내고 가중치만 η배가 된다. 가중치가 0에서 시작하므로 모든 순입력이 "
        "η = 1일 때의 η배이고 부호가 같기 때문이다. η = 0.1에서는 덧셈에 반올림 오차가 생겨서(0.1은 이진수로 "
        "정확히 나타낼 수 없다), 정확히 경계 위(z = 0이면 오류로 센다)에 있어야 할 점이 경계에서 아주 조금 "
        "벗어나고, 학습이 다른 길을 간다.",
    )


def _reference_learning_rates() -> tuple[tuple, dict]:
    mistakes = {lr: Perceptron(lr=lr).fit(GATE_X, GATE_Y["AND"], epochs=EPOCHS_01_1).mistakes for lr in LEARNING_RATES}
    reference = list(_gate_mistakes("AND", 1.0))
    (different,) = [lr for lr, m in mistakes.items() if m != reference]
    return (mistakes, different), {}


_LR_CODE = """\
learning_rates = [0.5, 2, 10, 0.1]
mistakes = {}
for lr in learning_rates:
    p = Perceptron(lr=lr).fit(X_gate, gates["AND"], epochs=12)
    mistakes[lr] = p.mistakes
    print(lr, p.mistakes, (p.weights / lr).tolist(), p.bias / lr)
different = 0.1
check("01.1", mistakes, different)
"""

register(
    Exercise(
        id="01.1",
        check=check_learning_rates,
        hints={
            "en": [
                "Each learning rate needs a perceptron of its own: one that has been trained already starts from "
                "its learned weights, not from zero.",
                "In a loop over learning_rates, fit Perceptron(lr=lr) on X_gate and gates['AND'] for 12 epochs and "
                "store its mistakes under the key lr. Then compare every list with the one for η = 1.",
                "To see why one rate differs, print p.weights / lr for each. From zero weights every update is a "
                "multiple of η; but 0.1 is not exact in binary, and a point with z exactly 0 counts as a mistake.",
            ],
            "ko": [
                "학습률마다 퍼셉트론이 따로 있어야 한다. 이미 학습한 퍼셉트론은 0이 아니라 학습된 가중치에서 시작한다.",
                "learning_rates를 도는 반복문에서 Perceptron(lr=lr)을 X_gate와 gates['AND']로 12 에포크 학습하고, "
                "그 오류 수를 키 lr에 저장하라. 그다음 각 리스트를 η = 1의 리스트와 비교하라.",
                "한 학습률만 다른 까닭을 보려면 학습률마다 p.weights / lr을 출력해 보라. 가중치가 0에서 시작하면 "
                "모든 갱신은 η의 배수다. 그러나 0.1은 이진수로 정확히 나타낼 수 없고, z가 정확히 0인 점은 오류로 센다.",
            ],
        },
        solution=_solution(
            _LR_CODE,
            "From zero weights every update adds ±η·x, so with η = 0.5, 2 or 10 every net input is η times the "
            "one for η = 1: the same signs, the same mistakes, weights η times as large. With η = 0.1 the sums "
            "are rounded (0.1 has no exact binary form), so a point that lies exactly on the boundary with exact "
            "arithmetic (z = 0, counted as a mistake) ends up a hair on the correct side; training then takes "
            "another path and stops after three epochs with other weights.",
            "가중치가 0에서 시작하면 모든 갱신은 ±η·x를 더하므로, η = 0.5, 2, 10에서 모든 순입력은 η = 1일 때의 "
            "η배다. 부호가 같으니 오류도 같고, 가중치만 η배가 된다. η = 0.1에서는 덧셈에 반올림 오차가 생긴다(0.1은 "
            "이진수로 정확히 나타낼 수 없다). 그래서 정확히 계산하면 경계 위(z = 0이면 오류로 센다)에 있을 점이 "
            "올바른 쪽으로 아주 조금 벗어나고, 학습은 다른 길을 가서 세 에포크 만에 다른 가중치로 멈춘다.",
        ),
        reference=_reference_learning_rates,
        task=(
            "Train a fresh `Perceptron(lr=...)` on the AND gate (`X_gate`, `gates[\"AND\"]`, 12 epochs) for each "
            "learning rate 0.5, 2, 10 and 0.1. Collect the mistakes per epoch in a dict, and name the one learning "
            "rate whose mistakes differ from those with η = 1. Then print the weights divided by η: why does that "
            "one differ?"
        ),
    )
)

# ---------------------------------------------------------------- 01.2 XOR seeds

XOR_SEEDS = range(10)
# Seeds 0…9 that reach 100% on the 100 noisy XOR points with the notebook's training
# (make_xor(25, 0.1, seed=0), torch.manual_seed(s) right before building the network, Adam lr=0.05,
# 300 epochs, one batch): every success ends with a margin above 2.6, every failure at 75% accuracy or
# less, so no kernel path flips one. tests/test_exercises_linear_mlp.py recomputes them.
XOR_SUCCESSES = {2: (0, 1, 2, 3, 4), 4: tuple(range(10))}
# The same with torch.manual_seed(0) called once before the loop instead of before each network.
XOR_SEEDED_ONCE = {2: (0, 1, 2, 4, 8, 9), 4: tuple(range(10))}


def _train_xor_seed(seed: int | None, hidden: int) -> float:
    """Return the accuracy on the 100 noisy XOR points of the notebook's XOR network trained from ``seed``.

    ``seed=None`` leaves torch's random state as it is (the learner who seeds once before the loop).
    """
    from torch import nn

    from chapter5_utils.data import make_xor
    from chapter5_utils.training import fit

    X, y = make_xor(n_per_corner=25, noise=0.1, seed=0)
    if seed is not None:
        torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 1))
    fit(model, X, y[:, None], loss_fn=nn.BCEWithLogitsLoss(), optimizer=torch.optim.Adam(model.parameters(), lr=0.05),
        epochs=300, batch_size=100)
    with torch.no_grad():
        return ((model(X)[:, 0] > 0).float() == y).float().mean().item()


def _read_seeds(name: str, value: Any) -> tuple[int, ...]:
    if as_number(value) is not None:
        raise NotYet(
            f"`{name}` is one number ({describe(value)}); the exercise asks for the seeds themselves, a list such "
            "as [0, 3, 7], so that the check can compare them one by one.",
            f"`{name}`에 수 하나({describe(value, 'ko')})가 왔다. 이 문제는 [0, 3, 7]처럼 시드 자체의 리스트를 "
            "묻는다. 그래야 시드를 하나씩 비교할 수 있다.",
        )
    if isinstance(value, set | frozenset):
        value = sorted(value, key=lambda v: as_number(v) if as_number(v) is not None else -1)
    seeds = read_numbers(name, value, whole=True)
    if seeds.ndim != 1:
        raise NotYet(f"`{name}` should be a flat list of seeds, got {describe(value)}.",
                     f"`{name}`에는 시드를 한 줄로 나열한 리스트가 와야 한다. 받은 것: {describe(value, 'ko')}.")
    outside = [int(s) for s in seeds if not 0 <= s <= 9]
    if outside:
        raise NotYet(
            f"`{name}` contains {outside[0]}, but the seeds run from 0 to 9.",
            f"`{name}`에 {outside[0]}도 들어 있는데, 시드는 0부터 9까지다.",
        )
    if len(set(seeds.tolist())) != len(seeds):
        raise NotYet(f"`{name}` lists a seed twice: list each successful seed once.",
                     f"`{name}`에 같은 시드가 두 번 있다. 성공한 시드를 한 번씩만 적어라.")
    return tuple(sorted(int(s) for s in seeds))


def check_xor_seeds(seeds_2: Any, seeds_4: Any) -> Feedback:
    """Return feedback on the seeds 0…9 that reach 100% with two and with four hidden nodes."""
    got = {2: _read_seeds("seeds_2", seeds_2), 4: _read_seeds("seeds_4", seeds_4)}
    if got[2] == XOR_SUCCESSES[4] != XOR_SUCCESSES[2] and got[4] == XOR_SUCCESSES[2]:
        raise NotYet("Your two lists are swapped: seeds_2 is for two hidden nodes, seeds_4 for four.",
                     "두 리스트가 뒤바뀌었다. seeds_2는 은닉 노드 두 개, seeds_4는 네 개의 결과다.")
    for hidden in (2, 4):
        name = f"seeds_{hidden}"
        if got[hidden] == XOR_SUCCESSES[hidden]:
            continue
        if got[hidden] == XOR_SEEDED_ONCE[hidden]:
            raise NotYet(
                f"`{name}` is what you get when torch.manual_seed is called once, before the loop: then each "
                "network starts from wherever the previous one left the random state. Call torch.manual_seed(s) "
                "right before building each network.",
                f"{josa(f'`{name}`', '은/는')} torch.manual_seed를 반복문 앞에서 한 번만 호출할 때의 결과다. 그러면 "
                "신경망마다 앞의 "
                "신경망이 남긴 난수 상태에서 시작한다. 신경망을 만들기 바로 전에 매번 torch.manual_seed(s)를 호출하라.",
            )
        if hidden == 2 and got[2] == XOR_SUCCESSES[4]:
            raise NotYet(
                "`seeds_2` lists every seed, as four hidden nodes give: for two hidden nodes build "
                "nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1)).",
                "`seeds_2`에 모든 시드가 있다. 은닉 노드가 네 개일 때의 결과다. 은닉 노드 두 개는 "
                "nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))이다.",
            )
        if hidden == 4 and got[4] == XOR_SUCCESSES[2]:
            raise NotYet(
                "`seeds_4` equals the seeds of two hidden nodes: change both layers, nn.Linear(2, 4) and "
                "nn.Linear(4, 1).",
                "`seeds_4`가 은닉 노드 두 개의 결과와 같다. nn.Linear(2, 4)와 nn.Linear(4, 1)로 두 층을 모두 바꿔라.",
            )
        nodes_en, nodes_ko = ("two", "두") if hidden == 2 else ("four", "네")
        raise NotYet(
            f"`{name}` is not the list of seeds that reach 100% with {nodes_en} hidden nodes. For each s in "
            "range(10): torch.manual_seed(s) right before building the network, then the notebook's training "
            "(Adam, lr = 0.05, 300 epochs, one batch of 100), and a success is accuracy == 1.0 on the 100 noisy "
            "points X_xor.",
            f"{josa(f'`{name}`', '은/는')} 은닉 노드 {nodes_ko} 개로 100%에 도달하는 시드의 리스트가 아니다. "
            "range(10)의 s마다 신경망을 만들기 바로 전에 torch.manual_seed(s)를 호출하고, 노트북처럼 학습하라(Adam, "
            "lr = 0.05, 300 에포크, 점 100개를 한 배치로). 잡음 섞인 점 100개 X_xor에서 정확도가 1.0이면 성공이다.",
        )
    n2, n4 = len(XOR_SUCCESSES[2]), len(XOR_SUCCESSES[4])
    return correct(
        f"{n2} of 10 random starts reach 100% with two hidden nodes, and {n4} of 10 with four: the network could "
        "represent XOR from every start, but with spare hidden nodes gradient descent finds a separating "
        "solution far more often.",
        f"은닉 노드가 둘이면 무작위 시작점 10개 중 {n2}개가, 넷이면 10개 중 {n4}개가 100%에 도달한다. 신경망은 "
        "어느 시작점에서든 XOR를 나타낼 수 있지만, 은닉 노드가 넉넉하면 경사 하강법이 분리하는 해를 훨씬 자주 찾는다.",
    )


_XOR_SOLUTION_CODE = """\
def successful_seeds(hidden):
    seeds = []
    for s in range(10):
        torch.manual_seed(s)
        model = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 1))
        fit(model, X_xor, y_xor[:, None], loss_fn=nn.BCEWithLogitsLoss(),
            optimizer=torch.optim.Adam(model.parameters(), lr=0.05), epochs=300, batch_size=100)
        with torch.no_grad():
            acc = ((model(X_xor)[:, 0] > 0).float() == y_xor).float().mean().item()
        if acc == 1.0:
            seeds.append(s)
    return seeds


seeds_2, seeds_4 = successful_seeds(2), successful_seeds(4)
print(seeds_2, seeds_4)
check("01.2", seeds_2, seeds_4)
"""

register(
    Exercise(
        id="01.2",
        check=check_xor_seeds,
        hints={
            "en": [
                "The seed decides the starting weights, so it must be set right before each network is built; "
                "everything else stays as in the XOR training cell.",
                "Put the XOR training cell into a loop over s in range(10), with torch.manual_seed(s) just before "
                "nn.Sequential(...). Keep s when the accuracy on the 100 noisy points X_xor is exactly 1.0.",
                "For four hidden nodes change both layers: nn.Linear(2, 4) and nn.Linear(4, 1). A small function "
                "of `hidden` that returns the list of seeds does both runs.",
            ],
            "ko": [
                "시드는 초기 가중치를 정하므로, 신경망을 만들기 바로 전에 매번 정해야 한다. 나머지는 XOR 학습 셀 "
                "그대로다.",
                "XOR 학습 셀을 `for s in range(10):` 반복문 안에 넣고, nn.Sequential(...) 바로 앞에서 "
                "torch.manual_seed(s)를 "
                "호출하라. 잡음 섞인 점 100개 X_xor에서 정확도가 정확히 1.0이면 s를 남긴다.",
                "은닉 노드를 네 개로 하면 두 층이 모두 바뀐다. nn.Linear(2, 4)와 nn.Linear(4, 1)이다. `hidden`을 "
                "받아 시드 "
                "리스트를 돌려주는 작은 함수 하나로 두 경우를 모두 처리할 수 있다.",
            ],
        },
        solution=_solution(
            _XOR_SOLUTION_CODE,
            "With two hidden nodes half of the seeds (0 to 4 here) reach 100%; the others end at 75% accuracy or "
            "less, in weights that cannot separate XOR. With four hidden nodes all ten succeed. The network could "
            "represent XOR in every case: what fails is the search, which is why wider layers make training "
            "easier.",
            "은닉 노드가 둘이면 시드의 절반(여기서는 0부터 4까지)이 100%에 도달하고, 나머지는 XOR를 분리하지 못하는 "
            "가중치에서 정확도 75% 이하로 끝난다. 은닉 노드가 넷이면 열 개 모두 성공한다. 신경망은 어느 경우든 XOR를 "
            "나타낼 수 있다. 실패하는 것은 그런 가중치를 찾는 탐색이며, 넓은 층이 학습을 쉽게 만드는 이유도 "
            "여기에 있다.",
        ),
        reference=lambda: ((list(XOR_SUCCESSES[2]), list(XOR_SUCCESSES[4])), {}),
        task=(
            "Retrain the XOR network of this notebook (`X_xor`, `y_xor`, Adam with `lr=0.05`, 300 epochs, one batch "
            "of 100) with `torch.manual_seed(s)` right before building it, for each seed `s` from 0 to 9. List the "
            "seeds that reach 100% accuracy on the 100 noisy points. Then list them again with four hidden nodes. "
            "The check compares your lists with its own, seed by seed."
        ),
    )
)

# ---------------------------------------------------------------- 01.3 backward pass through tanh

GRAD_NAMES = ("W1", "b1", "W2", "b2")
GRAD_TOL = 1e-10  # float64 answers; a float32 answer is judged at float32 precision (see _tolerance)
PRECISION_FACTOR = 256  # a few hundred roundings of the answer's dtype


def _tanh_case(n: int, features: int, hidden: int, outputs: int, seed: int) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    shapes = {"X": (n, features), "y": (n, outputs), "W1": (hidden, features), "b1": (hidden,),
              "W2": (outputs, hidden), "b2": (outputs,)}
    return {name: torch.randn(*shape, generator=gen, dtype=torch.float64) for name, shape in shapes.items()}


@functools.cache
def _cases() -> tuple[tuple[dict[str, torch.Tensor], dict[str, torch.Tensor], str, str], ...]:
    specs = (
        ((8, 2, 3, 1, 0), "With the notebook's shapes (8 samples, 2 features, 3 hidden nodes), ",
         "노트북의 모양(샘플 8개, 특성 2개, 은닉 노드 3개)에서 "),
        ((5, 4, 6, 1, 1), "With 5 samples, 4 features and 6 hidden nodes, ",
         "샘플 5개, 특성 4개, 은닉 노드 6개에서 "),
    )
    return tuple((_tanh_case(*spec), _autograd_tanh(_tanh_case(*spec)), en, ko) for spec, en, ko in specs)


def _autograd_tanh(case: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    params = {name: case[name].clone().requires_grad_(True) for name in GRAD_NAMES}
    with torch.enable_grad():
        h = torch.tanh(case["X"] @ params["W1"].T + params["b1"])
        loss = ((h @ params["W2"].T + params["b2"] - case["y"]) ** 2).mean()
        grads = torch.autograd.grad(loss, [params[name] for name in GRAD_NAMES])
    return dict(zip(GRAD_NAMES, grads, strict=True))


def _sigmoid_derivative_version(case: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The gradients a learner gets when keeping the sigmoid's h(1 − h) with tanh outputs h."""
    X, y, W1, b1, W2, b2 = (case[k] for k in ("X", "y", "W1", "b1", "W2", "b2"))
    h = torch.tanh(X @ W1.T + b1)
    d_yhat = 2 * (h @ W2.T + b2 - y) / y.numel()
    d_z1 = (d_yhat @ W2) * h * (1 - h)
    return {"W1": d_z1.T @ X, "b1": d_z1.sum(dim=0)}


def backward_tanh_reference(
    X: torch.Tensor, y: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor
) -> dict[str, torch.Tensor]:
    """Return the gradients of the MSE loss of ŷ = tanh(X W1ᵀ + b1) W2ᵀ + b2, by hand."""
    h = torch.tanh(X @ W1.T + b1)
    y_hat = h @ W2.T + b2
    d_yhat = 2 * (y_hat - y) / y.numel()
    d_h = d_yhat @ W2
    d_z1 = d_h * (1 - h**2)  # tanh' = 1 − tanh²
    return {"W1": d_z1.T @ X, "b1": d_z1.sum(dim=0), "W2": d_yhat.T @ h, "b2": d_yhat.sum(dim=0)}


_AUTOGRAD = (
    "Your function uses autograd (backward() or torch.autograd.grad), which this exercise rules out: compute each "
    "gradient by hand, one chain-rule step per line, from tensors that do not require gradients.",
    "함수가 autograd(backward()나 torch.autograd.grad)를 쓴다. 이 문제는 그것을 허용하지 않는다. 기울기를 연쇄 법칙의 "
    "한 단계마다 한 줄씩, 기울기가 필요 없는 텐서로 손수 계산하라.",
)


def _read_grads(got: Any, case: dict[str, torch.Tensor], label_en: str, label_ko: str) -> dict[str, Any]:
    if not isinstance(got, dict):
        raise NotYet(
            f"Your function should return a dict {{'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...}}, got {describe(got)}.",
            "함수는 {'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...} 형태의 딕셔너리를 돌려줘야 한다. "
            f"받은 것: {describe(got, 'ko')}.",
        )
    missing = [name for name in GRAD_NAMES if name not in got]
    if missing:
        raise NotYet(
            f"The returned dict has no key(s) {', '.join(missing)}; it needs 'W1', 'b1', 'W2' and 'b2'.",
            f"돌려준 딕셔너리에 키 {josa(', '.join(missing), '이/가')} 없다. 'W1', 'b1', 'W2', 'b2'가 모두 있어야 "
            "한다.",
        )
    for name in GRAD_NAMES:
        value = got[name]
        if isinstance(value, torch.Tensor) and (value.requires_grad or value.grad_fn is not None):
            raise NotYet(*_AUTOGRAD)
        if not isinstance(value, torch.Tensor | np.ndarray):
            raise NotYet(
                f"dL/d{name} should be a tensor, got {describe(value)}.",
                f"dL/d{name}에는 텐서가 와야 한다. 받은 것: {describe(value, 'ko')}.",
            )
        if isinstance(value, torch.Tensor) and value.is_meta:
            raise NotYet(
                f"dL/d{name} is a tensor on the meta device: it has a shape but no values. Compute it on the CPU.",
                f"{josa(f'dL/d{name}', '은/는')} meta 장치의 텐서라서 모양만 있고 값이 없다. CPU에서 계산하라.",
            )
        if tuple(value.shape) != tuple(case[name].shape):
            raise NotYet(
                f"{label_en}your dL/d{name} has shape {tuple(value.shape)}, but {name} has shape "
                f"{tuple(case[name].shape)}: a gradient has the shape of its parameter. A transpose missing or extra?",
                f"{label_ko}dL/d{name}의 모양은 {tuple(value.shape)}인데 {name}의 모양은 "
                f"{josa(tuple(case[name].shape), '이다/다')}. 기울기는 그 파라미터와 모양이 같다. 전치(transpose)가 "
                "빠졌거나 "
                "하나 더 들어가지 않았는가?",
            )
        if precision(value) > 1e-6:
            raise NotYet(
                f"dL/d{name} is {dtype_name(value)}, too coarse to compare with autograd: compute in float32 or "
                "float64.",
                f"dL/d{name}의 dtype이 {josa(dtype_name(value), '이라/라')}서 autograd와 비교하기에는 정밀도가 너무 "
                "낮다. float32나 float64로 계산하라.",
            )
        read_numbers(f"dL/d{name}", value)  # NaN and inf never pass
    return got


def _tolerance(got: dict[str, Any], true: dict[str, torch.Tensor]) -> tuple[float, bool]:
    """Return (tolerance, whether it was widened for a low-precision dtype) for these gradients."""
    scale = max(1.0, max(float(t.abs().max()) for t in true.values()))
    eps = max(precision(got[name]) for name in GRAD_NAMES)
    tol = max(GRAD_TOL, PRECISION_FACTOR * eps) * scale
    return tol, tol > GRAD_TOL * scale


def _compare(got: dict[str, Any], true: dict[str, torch.Tensor], case: dict[str, torch.Tensor], label_en: str,
             label_ko: str) -> Feedback | None:
    values = {name: torch.from_numpy(read_numbers(name, got[name])) for name in GRAD_NAMES}
    tol, widened = _tolerance(got, true)
    diffs = {name: (values[name] - true[name]).abs().max().item() for name in GRAD_NAMES}
    wrong = [name for name in GRAD_NAMES if not diffs[name] < tol]
    if not wrong:
        return None
    dtype_en = dtype_ko = ""
    if widened:
        dtype_en = f" (your gradients are {dtype_name(got)}, so the check allows {show(tol, '.1e')})"
        dtype_ko = f"(기울기의 dtype이 {josa(dtype_name(got), '이라/라')}서 {show(tol, '.1e')}까지 허용했다)"
    ratio = torch.cat([(values[n] / true[n])[true[n].abs() > 1e-8].reshape(-1) for n in GRAD_NAMES])
    if len(wrong) == 4 and ratio.numel() and torch.allclose(ratio, ratio[0].expand_as(ratio), rtol=1e-6) \
            and abs(ratio[0].item() - 1) > 1e-3:
        r = show(ratio[0].item(), ".3g")
        return not_yet(
            f"{label_en}every gradient is {r} times autograd's: check the first step of the chain, the derivative "
            "of the mean squared error with respect to ŷ.",
            f"{label_ko}모든 기울기가 autograd의 {r}배다. 연쇄 법칙의 첫 단계, 평균 제곱 오차를 ŷ로 미분한 값을 "
            "확인하라.",
        )
    if wrong == ["W1", "b1"]:
        sigmoid = _sigmoid_derivative_version(case)
        if (values["W1"] - sigmoid["W1"]).abs().max().item() < tol:
            return not_yet(
                f"{label_en}the output layer's gradients match autograd, the hidden layer's do not: they are what "
                "the sigmoid's derivative h(1 − h) gives. tanh has a different derivative.",
                f"{label_ko}출력층의 기울기는 autograd와 같지만 은닉층의 기울기는 다르다. 시그모이드의 도함수 "
                "h(1 − h)를 쓴 결과다. tanh의 도함수는 다르다.",
            )
        return not_yet(
            f"{label_en}the output layer's gradients match autograd, the hidden layer's do not (dL/dW1 off by up "
            f"to {show(diffs['W1'], '.2g')}): the error is in the step back through W2 or through the tanh.",
            f"{label_ko}출력층의 기울기는 autograd와 같지만 은닉층의 기울기는 다르다(dL/dW1의 차이 최대 "
            f"{show(diffs['W1'], '.2g')}). W2를 거꾸로 지나는 단계나 tanh를 지나는 단계에 잘못이 있다.",
        )
    if wrong in (["b1"], ["b2"], ["b1", "b2"]):
        names = " and ".join(f"dL/d{n}" for n in wrong)
        names_ko = " ".join([josa(f"dL/d{n}", "과/와") for n in wrong[:-1]] + [f"dL/d{wrong[-1]}"])
        verb = "does" if len(wrong) == 1 else "do"
        return not_yet(
            f"{label_en}the weight gradients match autograd, but {names} {verb} not: a bias gradient is the sum "
            "over the samples (dim=0) of the gradient of its layer's net input.",
            f"{label_ko}가중치의 기울기는 autograd와 같지만 {josa(names_ko, '은/는')} 다르다. 편향의 기울기는 그 층 "
            "순입력의 "
            "기울기를 샘플 방향(dim=0)으로 더한 값이다.",
        )
    names = ", ".join(f"dL/d{n}" for n in wrong)
    largest = show(max(diffs.values()), ".2g")
    return not_yet(
        f"{label_en}{names} differ from autograd (largest difference {largest}){dtype_en}. Work backwards one "
        "step at a time and compare each with the sigmoid version in the notebook.",
        f"{label_ko}{names}의 값이 autograd와 다르다(최대 차이 {largest}){dtype_ko}. 한 단계씩 거꾸로 계산하며 "
        "노트북의 시그모이드 버전과 비교하라.",
    )


def check_backward_tanh(backward_tanh: Any) -> Feedback:
    """Return feedback on a hand-written backward pass through tanh, compared with autograd on two shapes."""
    if not callable(backward_tanh) or isinstance(backward_tanh, type):
        raise NotYet(
            f"Pass your function itself, backward_tanh (without parentheses), got {describe(backward_tanh)}.",
            f"함수 자체를 괄호 없이 backward_tanh로 넘겨라. 받은 것: {describe(backward_tanh, 'ko')}.",
        )
    widened = False
    for index, (case, true, label_en, label_ko) in enumerate(_cases()):
        args = [case[k].clone() for k in ("X", "y", "W1", "b1", "W2", "b2")]
        used, got = autograd_used(backward_tanh, *args)
        if used or any(a.requires_grad for a in args):
            raise NotYet(*_AUTOGRAD)
        if got is None or (isinstance(got, dict) and any(got.get(n) is Ellipsis for n in GRAD_NAMES)):
            return not_attempted("01.3")
        got = _read_grads(got, case, label_en, label_ko)
        problem = _compare(got, true, case, label_en, label_ko)
        if problem is not None:
            if index > 0:
                return not_yet(
                    problem.en + " (Your function is right for the notebook's shapes: is a size such as n = 8 "
                    "written into it?)",
                    problem.ko + " (노트북의 모양에서는 맞다. n = 8 같은 크기를 코드에 직접 써 넣지 않았는가?)",
                )
            return problem
        widened = widened or _tolerance(got, true)[1]
    note_en = note_ko = ""
    if widened:
        note_en = " Your gradients are float32, so they were compared at float32 precision."
        note_ko = " 기울기가 float32라서 float32의 정밀도로 비교했다."
    return correct(
        f"All four gradients equal autograd's for two network shapes (max |diff| < {show(GRAD_TOL, '.0e')} in "
        "float64): only the activation's derivative changed, from σ(1 − σ) to 1 − tanh²." + note_en,
        f"기울기 네 개가 두 가지 모양의 신경망에서 모두 autograd와 같다(float64에서 `max |diff|` < "
        f"{show(GRAD_TOL, '.0e')}). 바뀐 것은 활성화 함수의 도함수 하나다. σ(1 − σ)가 1 − tanh²로 바뀌었다." + note_ko,
    )


_TANH_SOLUTION_CODE = """\
def backward_tanh(X, y, W1, b1, W2, b2):
    h = torch.tanh(X @ W1.T + b1)
    y_hat = h @ W2.T + b2
    d_yhat = 2 * (y_hat - y) / y.numel()
    d_h = d_yhat @ W2
    d_z1 = d_h * (1 - h**2)  # tanh' = 1 - tanh^2
    return {"W1": d_z1.T @ X, "b1": d_z1.sum(dim=0), "W2": d_yhat.T @ h, "b2": d_yhat.sum(dim=0)}


check("01.3", backward_tanh)
"""

register(
    Exercise(
        id="01.3",
        check=check_backward_tanh,
        hints={
            "en": [
                "Start from the hand-written backward pass of the sigmoid network in the backpropagation section: "
                "almost every line stays.",
                "Only one line changes: the step back through the activation. tanh'(z) = 1 − tanh(z)², and h is "
                "already tanh(z).",
                "The loss averages y.numel() values, so dL/dŷ = 2(ŷ − y) / y.numel(). A bias gradient is the sum "
                "over the samples (dim=0) of the gradient of its layer's net input.",
            ],
            "ko": [
                "역전파 절에서 손으로 쓴 시그모이드 신경망의 역전파에서 시작하라. 거의 모든 줄이 그대로다.",
                "바뀌는 줄은 하나뿐이다. 활성화 함수를 거꾸로 지나는 단계다. tanh'(z) = 1 − tanh(z)²이고, h가 "
                "이미 tanh(z)다.",
                "손실은 값 y.numel()개의 평균이므로 dL/dŷ = 2(ŷ − y) / y.numel()이다. 편향의 기울기는 그 층 순입력의 "
                "기울기를 샘플 방향(dim=0)으로 더한 값이다.",
            ],
        },
        solution=_solution(
            _TANH_SOLUTION_CODE,
            "The chain rule is the same as for the sigmoid network; only the local derivative of the activation "
            "changes, and like the sigmoid's it can be written with the layer's own output: 1 − h².",
            "연쇄 법칙은 시그모이드 신경망과 같고, 활성화 함수의 국소 도함수만 바뀐다. 시그모이드의 도함수처럼 "
            "이것도 층의 출력 h만으로 쓸 수 있다(1 − h²).",
        ),
        reference=lambda: ((backward_tanh_reference,), {}),
        task=(
            "Write `backward_tanh` for the network of the backpropagation section, with `tanh` in place of the "
            "sigmoid. It gets `X, y, W1, b1, W2, b2` and returns the gradients of the MSE loss as a dict, computed "
            "by hand: no autograd (the check refuses a function that calls `backward()` or `torch.autograd.grad`). "
            "The check compares them with autograd's on two networks of different sizes, in float64; float32 "
            "gradients are judged at float32 precision."
        ),
    )
)

# ---------------------------------------------------------------- 01.4 the chapter's MLP: longer, without dropout

# Train and test RMSE (original units) of the chapter's MLP (models.ChapterMLP, float64, split seed 0):
# 300 epochs with dropout 0.2, and 100 epochs without dropout. tests/test_exercises_linear_mlp.py
# recomputes them with _diabetes_mlp_rmse.
RMSE_300 = (38.786, 58.268)
RMSE_NO_DROPOUT = (41.245, 60.802)
RMSE_100 = (46.096, 55.855)  # the notebook's own run: 100 epochs with dropout
RMSE_TOL = 0.05


def _diabetes_mlp_rmse(epochs: int, dropout: float) -> tuple[float, float]:
    """Return (train RMSE, test RMSE) of the chapter's MLP trained as notebook 01 does, for ``epochs``."""
    from torch import nn

    from chapter5_utils.cv import holdout_split
    from chapter5_utils.data import as_tensors, load_diabetes, standardize
    from chapter5_utils.models import ChapterMLP
    from chapter5_utils.training import fit, rmse

    table = load_diabetes()
    train_idx, test_idx = holdout_split(len(table.y), test_size=0.2, seed=0)
    X_train, X_test = standardize(table.X[train_idx], table.X[test_idx])
    y_train, y_test = table.y[train_idx], table.y[test_idx]
    y_mean, y_std = y_train.mean(), y_train.std()
    Xtr, Xte, ytr_scaled = as_tensors(X_train, X_test, ((y_train - y_mean) / y_std)[:, None], dtype=torch.float64)
    torch.manual_seed(0)
    model = ChapterMLP(n_features=10, dropout=dropout).double()
    fit(model, Xtr, ytr_scaled, loss_fn=nn.MSELoss(), optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
        epochs=epochs, batch_size=32, seed=0)
    ytr, yte = as_tensors(y_train, y_test, dtype=torch.float64)
    with torch.no_grad():
        return rmse(model(Xtr)[:, 0] * y_std + y_mean, ytr), rmse(model(Xte)[:, 0] * y_std + y_mean, yte)


def _pair(got: np.ndarray) -> str:
    return "(" + ", ".join(show(v, ".2f") for v in got) + ")"


def _near(got: Any, want: Any) -> bool:
    return bool(np.all(np.abs(np.asarray(got) - np.asarray(want)) <= RMSE_TOL))


def _pair_problem(name: str, got: np.ndarray, want: tuple[float, float], how_en: str, how_ko: str) -> None:
    if _near(got, want):
        return
    shown = _pair(got)
    if got.max() < 5:
        raise NotYet(
            f"`{name}` is {shown}: these look like RMSEs of the scaled target. Convert the predictions back to "
            "the original units (× y_std + y_mean, as mlp_predict does) before computing the RMSE.",
            f"`{name}`의 값 {josa(shown, '은/는')} 표준화한 타깃의 RMSE로 보인다. RMSE를 계산하기 전에 예측을 원래 "
            "단위로 되돌려라(mlp_predict처럼 × y_std + y_mean).",
        )
    if got[0] > got[1] and _near(got[::-1], want):
        raise NotYet(
            f"`{name}` is {shown}: the two numbers are swapped. Pass (train RMSE, test RMSE).",
            f"`{name}`의 값 {josa(shown, '은/는')} 두 수의 순서가 바뀌었다. (학습 RMSE, 테스트 RMSE) 순서로 넘겨라.",
        )
    if _near(got, RMSE_100):
        raise NotYet(
            f"`{name}` is {shown}, the notebook's own run (100 epochs with dropout). {how_en}",
            f"`{name}`의 값 {josa(shown, '은/는')} 노트북의 학습(드롭아웃, 100 에포크) 결과와 같다. {how_ko}",
        )
    raise NotYet(
        f"`{name}` is {shown}, not within {RMSE_TOL} of what this training gives. Start a fresh network with "
        "torch.manual_seed(0) and make_mlp(...), a new Adam optimizer with lr=1e-3, and "
        f"fit(..., batch_size=32, seed=0) on Xtr and ytr_scaled. {how_en}",
        f"`{name}`의 값 {josa(shown, '은/는')} 이 학습의 결과와 {RMSE_TOL}보다 많이 다르다. torch.manual_seed(0)과 "
        "make_mlp(...)로 새 신경망을, lr=1e-3으로 새 Adam 옵티마이저를 만들고, `Xtr`와 `ytr_scaled`로 "
        f"fit(..., batch_size=32, seed=0)을 실행하라. {how_ko}",
    )


def check_diabetes_mlp(rmse_300: Any, rmse_no_dropout: Any) -> Feedback:
    """Return feedback on (train, test) RMSE after 300 epochs, and after 100 epochs without dropout."""
    got_300 = read_numbers("rmse_300", rmse_300, length=2)
    got_nd = read_numbers("rmse_no_dropout", rmse_no_dropout, length=2)
    _pair_problem("rmse_300", got_300, RMSE_300, "Train for epochs=300, with make_mlp() (dropout 0.2).",
                  "make_mlp()(드롭아웃 0.2)로 epochs=300 동안 학습하라.")
    _pair_problem("rmse_no_dropout", got_nd, RMSE_NO_DROPOUT,
                  "Build it with make_mlp(dropout=0.0) and train for epochs=100.",
                  "make_mlp(dropout=0.0)으로 만들고 epochs=100 동안 학습하라.")
    return correct(
        f"Both runs fit the training rows better than the notebook's MLP (train {show(got_300[0], '.1f')} and "
        f"{show(got_nd[0], '.1f')} vs 46.1) and the test rows worse (test {show(got_300[1], '.1f')} and "
        f"{show(got_nd[1], '.1f')} vs 55.9): the gap widens, which is overfitting; both are now worse on test than "
        f"the linear model, 57.0 (tolerance ±{RMSE_TOL}).",
        f"두 학습 모두 노트북의 MLP보다 학습 데이터에는 더 잘 맞고(학습 {show(got_300[0], '.1f')}, "
        f"{show(got_nd[0], '.1f')} 대 46.1) 테스트 데이터에서는 더 나쁘다(테스트 {show(got_300[1], '.1f')}, "
        f"{show(got_nd[1], '.1f')} 대 55.9). 격차가 벌어지는 것이 과적합이다. 이제 둘 다 테스트에서 선형 "
        f"모델(57.0)보다 나쁘다(허용 오차 ±{RMSE_TOL}).",
    )


_MLP_SOLUTION_CODE = """\
def train_and_rmse(epochs, dropout):
    torch.manual_seed(0)
    model = make_mlp(dropout)  # ChapterMLP(n_features=10, dropout=dropout).double()
    fit(model, Xtr, ytr_scaled, loss_fn=nn.MSELoss(), optimizer=torch.optim.Adam(model.parameters(), lr=1e-3),
        epochs=epochs, batch_size=32, seed=0)
    with torch.no_grad():
        return (rmse(model(Xtr)[:, 0] * y_std + y_mean, ytr_t),
                rmse(model(Xte)[:, 0] * y_std + y_mean, yte_t))


rmse_300 = train_and_rmse(300, 0.2)
rmse_no_dropout = train_and_rmse(100, 0.0)
check("01.4", rmse_300, rmse_no_dropout)
"""

register(
    Exercise(
        id="01.4",
        check=check_diabetes_mlp,
        hints={
            "en": [
                "Two things change, one in each run: the number of epochs, and the dropout probability. Everything "
                "else, seeds included, stays as in the notebook's training cell.",
                "Write a small function train_and_rmse(epochs, dropout) that repeats the notebook's training from "
                "torch.manual_seed(0) with make_mlp(dropout) and returns (train RMSE, test RMSE) in the "
                "original units.",
                "Compare each (test − train) gap with the notebook's MLP (100 epochs, dropout) and with the linear "
                "model's gap. Which change lets the network memorise the training rows more?",
            ],
            "ko": [
                "실행마다 하나씩, 두 가지가 바뀐다. 에포크 수와 드롭아웃 확률이다. 시드를 비롯한 나머지는 노트북의 "
                "학습 셀 그대로다.",
                "torch.manual_seed(0)부터 make_mlp(dropout)로 노트북의 학습을 되풀이하고 원래 단위의 "
                "(학습 RMSE, 테스트 RMSE)를 돌려주는 작은 함수 train_and_rmse(epochs, dropout)를 써라.",
                "각각의 (테스트 − 학습) 격차를 노트북의 MLP(100 에포크, 드롭아웃)와 선형 모델의 격차와 비교하라. "
                "어느 변화가 신경망이 학습 데이터를 더 외우게 하는가?",
            ],
        },
        solution=_solution(
            _MLP_SOLUTION_CODE,
            "After 300 epochs the train RMSE falls to about 38.8 and the test RMSE rises to about 58.3; without "
            "dropout (100 epochs) they are about 41.2 and 60.8. Both widen the gap between train and test far "
            "beyond the linear model's (52.9 vs 57.0): more training and less regularisation let the 2,111 parameters "
            "fit the noise of 353 patients.",
            "300 에포크 뒤 학습 RMSE는 약 38.8로 내려가고 테스트 RMSE는 약 58.3으로 올라간다. 드롭아웃 없이"
            "(100 에포크) 학습하면 약 41.2와 60.8이다. 둘 다 학습과 테스트의 차이를 선형 모델(52.9 대 57.0)보다 "
            "훨씬 크게 벌린다. 더 오래 학습하고 규제를 줄이면 파라미터 2,111개가 환자 353명의 잡음까지 맞춘다.",
        ),
        reference=lambda: ((RMSE_300, RMSE_NO_DROPOUT), {}),
        task=(
            "Train a fresh chapter MLP as in this notebook (`torch.manual_seed(0)`, `make_mlp()`, Adam with "
            "`lr=1e-3`, `batch_size=32`, `seed=0`) for 300 epochs. Then train one without dropout, "
            "`make_mlp(dropout=0.0)`, for 100 epochs. Report the train and test RMSE of each, in the target's "
            "units. How does each gap between train and test compare with the linear model's?"
        ),
    )
)
