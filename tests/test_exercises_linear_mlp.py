"""Exercises of notebook 01: every right answer passes in each type a computation returns, NaN and inf never
pass, each requirement of a task, violated once, gets its own message (in both languages), an answer that
runs past the time limit is stopped, and the stored reference numbers are what the notebook's training gives.

``CASES`` (exercise, answers, expected status, a phrase of the English message) is read by
tests/test_exercises_korean.py too.
"""

import re
import time

import numpy as np
import pytest
import torch

from chapter5_utils import exercises
from chapter5_utils.exercises import core, linear_mlp
from chapter5_utils.perceptron import Perceptron

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _mistakes(gate="AND", lrs=(0.5, 2, 10, 0.1), epochs=12):
    X, y = linear_mlp.GATE_X, linear_mlp.GATE_Y[gate]
    return {lr: Perceptron(lr=lr).fit(X, y, epochs=epochs).mistakes for lr in lrs}


def _with(lr, value):
    answer = _mistakes()
    answer[lr] = value
    return answer


# ---------------------------------------------------------------- 01.3's typical backward passes


def _ref(X, y, W1, b1, W2, b2):
    return linear_mlp.backward_tanh_reference(X, y, W1, b1, W2, b2)


def _sigmoid_derivative(X, y, W1, b1, W2, b2):
    h = torch.tanh(X @ W1.T + b1)
    d_yhat = 2 * (h @ W2.T + b2 - y) / y.numel()
    d_z1 = (d_yhat @ W2) * h * (1 - h)
    return {"W1": d_z1.T @ X, "b1": d_z1.sum(dim=0), "W2": d_yhat.T @ h, "b2": d_yhat.sum(dim=0)}


def _without_two(*args):
    return {name: g / 2 for name, g in _ref(*args).items()}


def _hard_coded_n(X, y, W1, b1, W2, b2):
    h = torch.tanh(X @ W1.T + b1)
    d_yhat = 2 * (h @ W2.T + b2 - y) / 8
    d_z1 = (d_yhat @ W2) * (1 - h**2)
    return {"W1": d_z1.T @ X, "b1": d_z1.sum(dim=0), "W2": d_yhat.T @ h, "b2": d_yhat.sum(dim=0)}


def _transposed(*args):
    grads = _ref(*args)
    grads["W1"] = grads["W1"].T
    return grads


def _bias_mean(X, *rest):
    grads = _ref(X, *rest)
    grads["b1"] = grads["b1"] / len(X)
    return grads


def _float32_inputs(*args):
    return _ref(*(a.float() for a in args))


def _float32_accumulation(*args):
    """A correct loop that accumulates into torch.zeros(...): float32, as notebook 01's default dtype gives."""
    X, y, W1, b1, W2, b2 = args
    grads = {name: torch.zeros(p.shape) for name, p in zip(("W1", "b1", "W2", "b2"), (W1, b1, W2, b2))}
    for i in range(len(X)):
        one = _ref(X[i:i + 1], y[i:i + 1], W1, b1, W2, b2)
        for name in grads:
            grads[name] += one[name] / len(X)
    return grads


def _numpy_grads(*args):
    return {name: g.numpy() for name, g in _ref(*args).items()}


def _nan_entry(*args):
    grads = _ref(*args)
    grads["b1"][0] = float("nan")
    return grads


def _all_nan(*args):
    return {name: torch.full_like(g, float("nan")) for name, g in _ref(*args).items()}


def _inf_entry(*args):
    grads = _ref(*args)
    grads["W2"][0, 0] = float("inf")
    return grads


def _autograd(X, y, W1, b1, W2, b2):
    params = [p.clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
    ((torch.tanh(X @ params[0].T + params[1]) @ params[2].T + params[3] - y) ** 2).mean().backward()
    return dict(zip(("W1", "b1", "W2", "b2"), (p.grad for p in params)))


def _autograd_grad(X, y, W1, b1, W2, b2):
    params = [p.clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
    loss = ((torch.tanh(X @ params[0].T + params[1]) @ params[2].T + params[3] - y) ** 2).mean()
    return dict(zip(("W1", "b1", "W2", "b2"), torch.autograd.grad(loss, params)))


def _graph_attached(X, y, W1, b1, W2, b2):
    W1 = W1.clone().requires_grad_(True)
    grads = _ref(X, y, W1, b1, W2, b2)
    return grads  # the gradients carry autograd's graph


def _meta(*args):
    return {name: torch.empty_like(g, device="meta") for name, g in _ref(*args).items()}


def _half(*args):
    return {name: g.half() for name, g in _ref(*args).items()}


def _raises(*args):
    raise IndexError("my own bug")


def _unfinished(*args):
    ...


R300, RND = linear_mlp.RMSE_300, linear_mlp.RMSE_NO_DROPOUT
SEEDS_2, SEEDS_4 = list(linear_mlp.XOR_SUCCESSES[2]), list(linear_mlp.XOR_SUCCESSES[4])

CASES = [
    # 01.1: right answers in several types
    ("01.1", lambda: (_mistakes(), 0.1), "correct", "the same mistakes as η = 1"),
    ("01.1", lambda: ({np.float64(k): tuple(v) for k, v in _mistakes().items()}, np.float32(0.1)), "correct", "η"),
    ("01.1", lambda: ({k: np.array(v) for k, v in _mistakes().items()}, torch.tensor(0.1)), "correct", "η"),
    ("01.1", lambda: ({k: torch.tensor(v) for k, v in _mistakes().items()}, np.array(0.1)), "correct", "η"),
    # 01.1: wrong
    ("01.1", lambda: (_mistakes(), 10), "not_yet", "With η = 10 the mistakes per epoch are the same as with η = 1"),
    ("01.1", lambda: (_mistakes(), 3), "not_yet", "not one of the learning rates you trained with"),
    ("01.1", lambda: (_mistakes(gate="OR"), 0.1), "not_yet", "those of the OR gate"),
    ("01.1", lambda: (_mistakes(epochs=10), 0.1), "not_yet", "has 10 epochs; train for epochs=12"),
    ("01.1", lambda: (_mistakes(lrs=(0.5, 2, 10)), 0.1), "not_yet", "no entry for the learning rate(s) 0.1"),
    ("01.1", lambda: (_with(2, [1] * 12), 0.1), "not_yet", "For η = 2 your mistakes per epoch [1, 1"),
    ("01.1", lambda: ({"0.5": [0] * 12}, 0.1), "not_yet", "The keys of `mistakes` should be the learning rates"),
    ("01.1", lambda: ({float("nan"): [0] * 12}, 0.1), "not_yet", "The keys of `mistakes` should be the learning"),
    ("01.1", lambda: ([1, 2], 0.1), "not_yet", "should be a dict"),
    ("01.1", lambda: (_with(0.5, "many"), 0.1), "not_yet", "`mistakes[0.5]` should be numbers"),
    ("01.1", lambda: (_with(0.5, 3), 0.1), "not_yet", "should be the whole list `p.mistakes`"),
    ("01.1", lambda: (_with(0.5, [1, float("nan")] + [0] * 10), 0.1), "not_yet", "`mistakes[0.5][1]` is nan"),
    ("01.1", lambda: (_with(0.5, [1.5] + [0] * 11), 0.1), "not_yet", "should hold whole numbers"),
    ("01.1", lambda: (_mistakes(), "0.1"), "not_yet", "`different` should be a number"),
    ("01.1", lambda: (_mistakes(), float("nan")), "not_yet", "`different` is nan"),
    ("01.1", lambda: (_mistakes(), float("inf")), "not_yet", "`different` is inf"),
    # 01.2: right answers in several types
    ("01.2", lambda: (SEEDS_2, SEEDS_4), "correct", "5 of 10 random starts"),
    ("01.2", lambda: (np.array(SEEDS_2), torch.arange(10)), "correct", "random starts"),
    ("01.2", lambda: (set(SEEDS_2), range(10)), "correct", "random starts"),
    ("01.2", lambda: (tuple(np.int64(s) for s in SEEDS_2[::-1]), [float(s) for s in SEEDS_4]), "correct", "starts"),
    # 01.2: wrong
    ("01.2", lambda: (list(linear_mlp.XOR_SEEDED_ONCE[2]), SEEDS_4), "not_yet", "called once, before the loop"),
    ("01.2", lambda: (5, 10), "not_yet", "the exercise asks for the seeds themselves"),
    ("01.2", lambda: (SEEDS_4, SEEDS_2), "not_yet", "swapped"),
    ("01.2", lambda: (SEEDS_4, SEEDS_4), "not_yet", "`seeds_2` lists every seed"),
    ("01.2", lambda: (SEEDS_2, SEEDS_2), "not_yet", "`seeds_4` equals the seeds of two hidden nodes"),
    ("01.2", lambda: ([0, 1, 2, 3], SEEDS_4), "not_yet", "`seeds_2` is not the list of seeds"),
    ("01.2", lambda: ([0, 1, 2, 3, 5], SEEDS_4), "not_yet", "`seeds_2` is not the list of seeds"),
    ("01.2", lambda: (SEEDS_2 + [10], SEEDS_4), "not_yet", "the seeds run from 0 to 9"),
    ("01.2", lambda: (SEEDS_2 + [0], SEEDS_4), "not_yet", "lists a seed twice"),
    ("01.2", lambda: ([0.5], SEEDS_4), "not_yet", "should hold whole numbers"),
    ("01.2", lambda: ([float("nan")], SEEDS_4), "not_yet", "`seeds_2[0]` is nan"),
    ("01.2", lambda: ("0, 1, 2", SEEDS_4), "not_yet", "`seeds_2` should be numbers"),
    # 01.3: right answers
    ("01.3", lambda: (_ref,), "correct", "All four gradients equal autograd's"),
    ("01.3", lambda: (_float32_inputs,), "correct", "compared at float32 precision"),
    ("01.3", lambda: (_float32_accumulation,), "correct", "compared at float32 precision"),
    ("01.3", lambda: (_numpy_grads,), "correct", "All four gradients"),
    # 01.3: wrong
    ("01.3", lambda: (_sigmoid_derivative,), "not_yet", "the sigmoid's derivative h(1 − h)"),
    ("01.3", lambda: (_without_two,), "not_yet", "every gradient is 0.5 times autograd's"),
    ("01.3", lambda: (_hard_coded_n,), "not_yet", "is a size such as n = 8 written into it"),
    ("01.3", lambda: (_transposed,), "not_yet", "dL/dW1 has shape (2, 3), but W1 has shape (3, 2)"),
    ("01.3", lambda: (_bias_mean,), "not_yet", "but dL/db1 does not: a bias gradient is the sum over the samples"),
    ("01.3", lambda: (_nan_entry,), "not_yet", "`dL/db1[0]` is nan"),
    ("01.3", lambda: (_all_nan,), "not_yet", "is nan"),
    ("01.3", lambda: (_inf_entry,), "not_yet", "is inf"),
    ("01.3", lambda: (_autograd,), "not_yet", "Your function uses autograd"),
    ("01.3", lambda: (_autograd_grad,), "not_yet", "Your function uses autograd"),
    ("01.3", lambda: (_graph_attached,), "not_yet", "Your function uses autograd"),
    ("01.3", lambda: (_meta,), "not_yet", "meta device"),
    ("01.3", lambda: (_half,), "not_yet", "too coarse to compare"),
    ("01.3", lambda: (_raises,), "not_yet", "Running your code raised IndexError: my own bug"),
    ("01.3", lambda: ("backward_tanh",), "not_yet", "Pass your function itself"),
    ("01.3", lambda: (lambda *a: [1, 2],), "not_yet", "should return a dict"),
    ("01.3", lambda: (lambda *a: {"W1": 1},), "not_yet", "no key(s) b1, W2, b2"),
    ("01.3", lambda: (lambda *a: {k: 0.0 for k in ("W1", "b1", "W2", "b2")},), "not_yet", "should be a tensor"),
    # 01.4: right answers in several types
    ("01.4", lambda: (R300, RND), "correct", "the gap widens"),
    ("01.4", lambda: ((R300[0] + 0.04, R300[1]), list(RND)), "correct", "the gap widens"),
    ("01.4", lambda: (np.array(R300), torch.tensor(RND)), "correct", "the gap widens"),
    ("01.4", lambda: ((torch.tensor(R300[0]), np.float64(R300[1])), torch.tensor([RND])), "not_yet", "2 numbers"),
    ("01.4", lambda: ((torch.tensor(R300[0]), np.float64(R300[1])), torch.tensor(RND).float()), "correct", "gap"),
    # 01.4: wrong
    ("01.4", lambda: ((0.49, 0.74), RND), "not_yet", "RMSEs of the scaled target"),
    ("01.4", lambda: (R300[::-1], RND), "not_yet", "the two numbers are swapped"),
    ("01.4", lambda: (linear_mlp.RMSE_100, RND), "not_yet", "the notebook's own run"),
    ("01.4", lambda: (R300, linear_mlp.RMSE_100), "not_yet", "make_mlp(dropout=0.0)"),
    ("01.4", lambda: ((40.0, 57.0), RND), "not_yet", "not within 0.05 of what this training gives"),
    ("01.4", lambda: ((R300[0] + 0.06, R300[1]), RND), "not_yet", "not within 0.05"),
    ("01.4", lambda: (58.3, RND), "not_yet", "`rmse_300` should hold 2 numbers"),
    ("01.4", lambda: (R300, ("41", "60")), "not_yet", "`rmse_no_dropout` should be a list of 2 numbers"),
    ("01.4", lambda: (R300, (1, 2, 3)), "not_yet", "should hold 2 numbers"),
    ("01.4", lambda: ((float("nan"), R300[1]), RND), "not_yet", "`rmse_300[0]` is nan"),
    ("01.4", lambda: (R300, (RND[0], float("inf"))), "not_yet", "`rmse_no_dropout[1]` is inf"),
]


@pytest.mark.parametrize(("exercise_id", "answers", "status", "phrase"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_case(exercise_id, answers, status, phrase):
    feedback = exercises.evaluate(exercise_id, *answers())
    assert feedback.status == status, feedback.en
    assert phrase in feedback.en, feedback.en
    assert HANGUL.search(feedback.ko) and feedback.ko != feedback.en


def test_01_1_reference_finds_the_odd_learning_rate():
    (mistakes, different), _ = linear_mlp._reference_learning_rates()
    assert different == 0.1
    assert mistakes[0.5] == mistakes[2.0] == mistakes[10.0] != mistakes[0.1]


def test_01_2_stored_seeds_are_what_training_gives_with_a_safe_margin():
    for hidden, expected in linear_mlp.XOR_SUCCESSES.items():
        seeds = tuple(s for s in linear_mlp.XOR_SEEDS if linear_mlp._train_xor_seed(s, hidden) == 1.0)
        assert seeds == expected, (hidden, seeds)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        once = tuple(s for s in linear_mlp.XOR_SEEDS if linear_mlp._train_xor_seed(None, 2) == 1.0)
    assert once == linear_mlp.XOR_SEEDED_ONCE[2] != linear_mlp.XOR_SUCCESSES[2]


def test_01_3_time_limit_stops_a_slow_function(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 1.0)
    start = time.monotonic()
    feedback = exercises.evaluate("01.3", lambda *args: time.sleep(30))
    assert time.monotonic() - start < 3
    assert feedback.status == "not_yet" and "time limit" in feedback.en and "시간 제한" in feedback.ko


def test_01_3_unfinished_functions_are_not_attempted():
    assert exercises.evaluate("01.3", _unfinished).status == "not_attempted"
    assert exercises.evaluate("01.3", lambda *a: {"W1": ..., "b1": ..., "W2": ..., "b2": ...}).status == \
        "not_attempted"


@pytest.mark.parametrize(
    ("epochs", "dropout", "stored"),
    [(300, 0.2, linear_mlp.RMSE_300), (100, 0.0, linear_mlp.RMSE_NO_DROPOUT), (100, 0.2, linear_mlp.RMSE_100)],
)
def test_01_4_stored_rmses_are_what_training_gives(epochs, dropout, stored):
    got = linear_mlp._diabetes_mlp_rmse(epochs, dropout)
    assert max(abs(g - s) for g, s in zip(got, stored)) < 1e-3, got
