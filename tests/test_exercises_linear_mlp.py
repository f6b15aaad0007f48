"""Exercises of notebook 01: typical wrong answers get their specific message, wrong types get a
"not yet" (never an exception), every message has Korean text, and the stored reference numbers
are what the notebook's training gives."""

import re

import pytest
import torch

from chapter5_utils import exercises
from chapter5_utils.exercises import linear_mlp
from chapter5_utils.perceptron import Perceptron

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _feedback(exercise_id, *args):
    feedback = exercises.evaluate(exercise_id, *args)
    assert feedback.en and HANGUL.search(feedback.ko), feedback
    return feedback


def _not_yet(exercise_id, *args, match):
    feedback = _feedback(exercise_id, *args)
    assert feedback.status == "not_yet", feedback.en
    assert re.search(match, feedback.en), feedback.en
    return feedback


# ---------------------------------------------------------------- 01.1


def _mistakes(gate="AND", lrs=(0.5, 2, 10, 0.1), epochs=12):
    X, y = linear_mlp.GATE_X, linear_mlp.GATE_Y[gate]
    return {lr: Perceptron(lr=lr).fit(X, y, epochs=epochs).mistakes for lr in lrs}


def test_01_1_reference_finds_the_odd_learning_rate():
    (mistakes, different), _ = linear_mlp._reference_learning_rates()
    assert different == 0.1
    assert mistakes[0.5] == mistakes[2.0] == mistakes[10.0] != mistakes[0.1]
    assert _feedback("01.1", mistakes, 0.1).status == "correct"
    _not_yet("01.1", {"0.5": [0] * 12}, 0.1, match=r"The keys of `mistakes` should be the learning rates")


def test_01_1_wrong_odd_one_out_points_back_to_the_learners_own_lists():
    _not_yet("01.1", _mistakes(), 10, match=r"With η = 10 the mistakes per epoch are the same as with η = 1")
    _not_yet("01.1", _mistakes(), 3, match=r"not one of the learning rates you trained with")


def test_01_1_typical_wrong_mistake_lists():
    _not_yet("01.1", _mistakes(gate="OR"), 0.1, match=r"those of the OR gate")
    _not_yet("01.1", _mistakes(epochs=10), 0.1, match=r"has 10 epochs; train for epochs=12")
    _not_yet("01.1", _mistakes(lrs=(0.5, 2, 10)), 0.1, match=r"no entry for the learning rate\(s\) 0.1")
    wrong = _mistakes()
    wrong[2] = [1] * 12
    _not_yet("01.1", wrong, 0.1, match=r"For η = 2 your mistakes per epoch \[1, 1")


def test_01_1_wrong_types_get_not_yet():
    _not_yet("01.1", [1, 2], 0.1, match=r"should be a dict")
    _not_yet("01.1", {0.5: "many", 2: [], 10: [], 0.1: []}, 0.1, match=r"should be the list `p.mistakes`")
    _not_yet("01.1", _mistakes(), "0.1", match=r"should be one learning rate \(a number\)")


# ---------------------------------------------------------------- 01.2


def test_01_2_stored_counts_are_what_training_gives():
    for hidden, expected in linear_mlp.XOR_SUCCESSES.items():
        count = sum(linear_mlp._train_xor_seed(seed, hidden) == 1.0 for seed in linear_mlp.XOR_SEEDS)
        assert count == expected, (hidden, count)


def test_01_2_counts_within_one_are_accepted_and_others_explained():
    assert _feedback("01.2", 4, 10).status == "correct"
    assert _feedback("01.2", 6.0, 9).status == "correct"
    _not_yet("01.2", 10, 10, match=r"Every seed succeeding suggests more than two hidden nodes")
    _not_yet("01.2", 2, 10, match=r"Set torch.manual_seed\(s\) right before building the network")
    _not_yet("01.2", 5, 4, match=r"Did you change both layers: nn.Linear\(2, 4\) and nn.Linear\(4, 1\)")


def test_01_2_fractions_and_wrong_types_get_not_yet():
    _not_yet("01.2", 0.5, 1.0, match=r"Count the seeds that reach 100%, not their fraction")
    _not_yet("01.2", 11, 10, match=r"a whole number from 0 to 10")
    _not_yet("01.2", "five", 10, match=r"should be a whole number of seeds")
    _not_yet("01.2", True, 10, match=r"should be a whole number of seeds")


# ---------------------------------------------------------------- 01.3


def _sigmoid_derivative(X, y, W1, b1, W2, b2):
    h = torch.tanh(X @ W1.T + b1)
    d_yhat = 2 * (h @ W2.T + b2 - y) / y.numel()
    d_z1 = (d_yhat @ W2) * h * (1 - h)
    return {"W1": d_z1.T @ X, "b1": d_z1.sum(dim=0), "W2": d_yhat.T @ h, "b2": d_yhat.sum(dim=0)}


def _without_two(X, y, W1, b1, W2, b2):
    grads = linear_mlp.backward_tanh_reference(X, y, W1, b1, W2, b2)
    return {name: g / 2 for name, g in grads.items()}


def _hard_coded_n(X, y, W1, b1, W2, b2):
    h = torch.tanh(X @ W1.T + b1)
    d_yhat = 2 * (h @ W2.T + b2 - y) / 8
    d_z1 = (d_yhat @ W2) * (1 - h**2)
    return {"W1": d_z1.T @ X, "b1": d_z1.sum(dim=0), "W2": d_yhat.T @ h, "b2": d_yhat.sum(dim=0)}


def _transposed(X, y, W1, b1, W2, b2):
    grads = linear_mlp.backward_tanh_reference(X, y, W1, b1, W2, b2)
    grads["W1"] = grads["W1"].T
    return grads


def _bias_mean(X, y, W1, b1, W2, b2):
    grads = linear_mlp.backward_tanh_reference(X, y, W1, b1, W2, b2)
    grads["b1"] = grads["b1"] / len(X)
    return grads


def test_01_3_reference_matches_autograd():
    assert _feedback("01.3", linear_mlp.backward_tanh_reference).status == "correct"


def test_01_3_typical_wrong_backward_passes():
    _not_yet("01.3", _sigmoid_derivative, match=r"the sigmoid's derivative h\(1 − h\)")
    _not_yet("01.3", _without_two, match=r"every gradient is 0.5 times autograd's")
    _not_yet("01.3", _hard_coded_n, match=r"With 5 samples, 4 features.*is a size such as n = 8 written")
    _not_yet("01.3", _transposed, match=r"dL/dW1 has shape \(2, 3\), but W1 has shape \(3, 2\)")
    _not_yet("01.3", _bias_mean, match=r"but dL/db1 do not: a bias gradient is the sum over the samples")


def test_01_3_unfinished_or_wrong_types():
    assert _feedback("01.3", lambda *args: None).status == "not_attempted"
    assert _feedback("01.3", lambda *args: {"W1": ..., "b1": ..., "W2": ..., "b2": ...}).status == "not_attempted"
    _not_yet("01.3", "backward_tanh", match=r"Pass your function itself")
    _not_yet("01.3", lambda *args: [1, 2], match=r"should return a dict")
    _not_yet("01.3", lambda *args: {"W1": 1}, match=r"no key\(s\) b1, W2, b2")
    _not_yet("01.3", lambda *args: {k: 0.0 for k in ("W1", "b1", "W2", "b2")}, match=r"should be a torch tensor")

    def uses_autograd(X, y, W1, b1, W2, b2):
        ((torch.tanh(X @ W1.T + b1) @ W2.T + b2 - y) ** 2).mean().backward()

    _not_yet("01.3", uses_autograd, match=r"raised RuntimeError")


# ---------------------------------------------------------------- 01.4


@pytest.mark.parametrize(
    ("epochs", "dropout", "stored"),
    [(300, 0.2, linear_mlp.RMSE_300), (100, 0.0, linear_mlp.RMSE_NO_DROPOUT), (100, 0.2, linear_mlp.RMSE_100)],
)
def test_01_4_stored_rmses_are_what_training_gives(epochs, dropout, stored):
    got = linear_mlp._diabetes_mlp_rmse(epochs, dropout)
    assert max(abs(g - s) for g, s in zip(got, stored)) < 1e-3, got


def test_01_4_typical_wrong_answers():
    right_300, right_nd = linear_mlp.RMSE_300, linear_mlp.RMSE_NO_DROPOUT
    assert _feedback("01.4", (right_300[0] + 0.04, right_300[1]), list(right_nd)).status == "correct"
    _not_yet("01.4", (0.49, 0.74), right_nd, match=r"RMSEs of the scaled target")
    _not_yet("01.4", right_300[::-1], right_nd, match=r"the two numbers are swapped")
    _not_yet("01.4", linear_mlp.RMSE_100, right_nd, match=r"the notebook's own run .*epochs=300")
    _not_yet("01.4", right_300, linear_mlp.RMSE_100, match=r"the notebook's own run .*make_mlp\(dropout=0.0\)")
    _not_yet("01.4", (40.0, 57.0), right_nd, match=r"not within 0.05 of what this training gives")


def test_01_4_wrong_types_get_not_yet():
    _not_yet("01.4", 58.3, linear_mlp.RMSE_NO_DROPOUT, match=r"`rmse_300` should be two numbers")
    _not_yet("01.4", linear_mlp.RMSE_300, ("41", "60"), match=r"`rmse_no_dropout` should be two numbers")
    _not_yet("01.4", linear_mlp.RMSE_300, (1, 2, 3), match=r"should be two numbers")
    tensors = (torch.tensor(linear_mlp.RMSE_300[0]), torch.tensor(linear_mlp.RMSE_300[1]))
    assert _feedback("01.4", tensors, linear_mlp.RMSE_NO_DROPOUT).status == "correct"
