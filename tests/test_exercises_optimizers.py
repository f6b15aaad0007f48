"""The exercises of notebook 03: typical wrong answers get their specific message, wrong types a
message and no exception, and every message has a Korean text."""

import re

import numpy as np
import pytest
import torch

from chapter5_utils import exercises
from chapter5_utils.exercises import optimizers as ex
from chapter5_utils.optim import Adam

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def feedback(exercise_id, *answers):
    result = exercises.evaluate(exercise_id, *answers)
    assert result.en and HANGUL.search(result.ko), result
    return result


def assert_not_yet(result, *phrases):
    assert result.status == "not_yet", result.en
    for phrase in phrases:
        assert phrase in result.en, result.en


# 03.1 · Nesterov momentum


def nesterov_path():
    return exercises.REGISTRY["03.1"].reference()[0][0]


def test_nesterov_reference_is_nesterov_and_ends_further_but_swings_less():
    (path, closer), _ = exercises.REGISTRY["03.1"].reference()
    plain = ex._momentum_path(False)
    assert closer is False or closer == np.False_
    assert ex.distance_to(path, [0, 0]) > ex.distance_to(plain, [0, 0])  # what the message and solution say
    assert ex._swing(path) < 0.5 * ex._swing(plain)  # "less than half"


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (lambda: ex._momentum_path(False), "did you pass nesterov=True"),
        (lambda: ex.optimize_path(ex.Momentum, ex._quadratic, ex.START, 50, lr=0.1, momentum=0.9, nesterov=True),
         "change only nesterov"),
        (lambda: ex.optimize_path(ex.Momentum, ex._quadratic, ex.START, 30, lr=0.1, momentum=0.8, nesterov=True),
         "shape (51, 2)"),
        (lambda: ex.optimize_path(ex.Momentum, ex._quadratic, [4.5, 1.5], 50, lr=0.1, momentum=0.8, nesterov=True),
         "not at START"),
    ],
)
def test_nesterov_typical_wrong_paths(answer, phrase):
    assert_not_yet(feedback("03.1", answer(), False), phrase)


def test_nesterov_wrong_answer_to_the_question():
    assert_not_yet(feedback("03.1", nesterov_path(), True), "does not match the distances")


@pytest.mark.parametrize("path", ["path", 3.0, None, [[1, "a"]]])
def test_nesterov_wrong_types(path):
    assert_not_yet(feedback("03.1", path, False))


def test_nesterov_accepts_a_tensor_and_rejects_a_non_bool_answer():
    assert feedback("03.1", torch.from_numpy(nesterov_path()), False).status == "correct"
    assert_not_yet(feedback("03.1", nesterov_path(), "no"), "True or False")


# 03.2 · the largest learning rate for Adam on Rosenbrock


def test_largest_lr_sweep_finds_the_stated_rate_and_the_message_is_true():
    (answer,), _ = exercises.REGISTRY["03.2"].reference()
    assert answer == ex.LARGEST_LR == 1.0
    assert ex._rosen_distance(3.0) > 1.0  # "lr=3 ends more than 1 away"
    assert ex._rosen_distance(1.0) < 0.005  # the solution's "within 0.005"


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (10.0, "it does not converge"),  # the largest in the list
        (3.0, "it does not converge"),
        (0.3, "a larger rate in the list converges too"),
        (0.5, "is not one of ADAM_LRS"),
    ],
)
def test_largest_lr_typical_wrong_answers(answer, phrase):
    assert_not_yet(feedback("03.2", answer), phrase)


@pytest.mark.parametrize("answer", ["1.0", [1.0], True, float("nan")])
def test_largest_lr_wrong_types(answer):
    assert_not_yet(feedback("03.2", answer))


def test_largest_lr_accepts_an_int_and_a_numpy_float():
    assert feedback("03.2", 1).status == "correct"
    assert feedback("03.2", np.float64(1.0)).status == "correct"


# 03.3 · Adam with weight decay


def test_weight_decay_facts_stated_in_the_correct_message():
    train, val, _, norm = ex._adam_run(0.01)
    plain_train, plain_val, _, plain_norm = ex._adam_run(0.0)
    assert train > plain_train + 0.01  # "the final training loss is higher"
    assert abs(val - plain_val) < 0.002  # "the validation loss almost the same"
    assert 0.65 < norm / plain_norm < 0.85  # "shrinks by about a quarter"


def test_weight_decay_typical_wrong_answers():
    train, val, best_val, _ = ex._adam_run(0.01)
    plain_train, plain_val, _, _ = ex._adam_run(0.0)
    assert_not_yet(feedback("03.3", plain_train, plain_val), "did you pass weight_decay=0.01")
    assert_not_yet(feedback("03.3", val, train), "swapped")
    assert_not_yet(feedback("03.3", train, best_val), "not the final one")
    assert_not_yet(feedback("03.3", train + 0.01, val), "train_loss does not match")


def test_weight_decay_tolerance_is_the_stated_one():
    train, val, _, _ = ex._adam_run(0.01)
    assert feedback("03.3", train + 0.0004, val - 0.0004).status == "correct"
    assert feedback("03.3", train, val + 0.0006).status == "not_yet"


@pytest.mark.parametrize(("train", "val"), [("0.4", 0.5), (None, 0.5), (0.4, float("inf")), ([0.4], 0.5)])
def test_weight_decay_wrong_types(train, val):
    assert_not_yet(feedback("03.3", train, val))


def test_weight_decay_accepts_one_element_tensors():
    train, val, _, _ = ex._adam_run(0.01)
    assert feedback("03.3", torch.tensor(train), torch.tensor(val)).status == "correct"


def test_the_checks_leave_the_global_random_state_alone():
    ex._diabetes.cache_clear()
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    ex._diabetes()
    assert torch.equal(torch.rand(3), expected)


# 03.4 · AdamW


class L2(Adam):  # inherits Adam: weight_decay goes into the gradient
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


class NoDecay(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps)


class Frozen(Adam):  # the factor is computed once, from the initial learning rate
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps)
        self.factor = 1 - lr * weight_decay

    def _update(self, p, g, state, group):
        p.mul_(self.factor)
        super()._update(p, g, state, group)


class WrongDefault(Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr=lr, betas=betas, eps=eps)
        for group in self.param_groups:
            group["decay"] = weight_decay

    def _update(self, p, g, state, group):
        p.mul_(1 - group["lr"] * group["decay"])
        super()._update(p, g, state, group)


class NoWeightDecayArgument(Adam):
    def __init__(self, params, lr=1e-3):
        super().__init__(params, lr=lr)


class Raises(Adam):
    def _update(self, p, g, state, group):
        raise KeyError("decay")


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (L2, "adds λθ to the gradient"),
        (NoDecay, "does not decay the weights"),
        (ex._AdamWTwice, "decays twice"),
        (ex._AdamWAfter, "after the Adam step"),
        (ex._AdamWFactor, "1 − λ"),
        (Frozen, "until the learning rate changes"),
        (WrongDefault, "default arguments"),
        (NoWeightDecayArgument, "should accept"),
        (torch.optim.AdamW, "not a subclass of our Adam"),
    ],
)
def test_adamw_typical_mistakes(answer, phrase):
    assert_not_yet(feedback("03.4", answer), phrase)


def test_adamw_an_error_in_the_learners_code_is_reported_not_raised():
    assert_not_yet(feedback("03.4", Raises), "KeyError")


@pytest.mark.parametrize("answer", [Adam([torch.zeros(1, requires_grad=True)]), "AdamW", 3, None])
def test_adamw_wrong_types(answer):
    assert_not_yet(feedback("03.4", answer), "should be a class")


def test_adamw_reference_passes_and_matches_torch_with_groups_too():
    (cls,), _ = exercises.REGISTRY["03.4"].reference()
    assert feedback("03.4", cls).status == "correct"
    a = torch.ones(3, dtype=torch.float64, requires_grad=True)
    b = torch.ones(3, dtype=torch.float64, requires_grad=True)
    ours = cls([{"params": [a], "lr": 0.1}], weight_decay=0.5)
    twin = torch.optim.AdamW([{"params": [b], "lr": 0.1}], weight_decay=0.5)
    for _ in range(3):
        for x, opt in ((a, ours), (b, twin)):
            opt.zero_grad()
            (x**3).sum().backward()
            opt.step()
    assert torch.allclose(a, b, rtol=0, atol=1e-12)
