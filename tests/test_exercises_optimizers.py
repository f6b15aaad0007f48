"""Exercises of notebook 03: right answers pass in each type a computation returns, NaN and inf never pass,
each requirement of a task, violated once, gets its own message, a slow optimizer class is stopped, and
what the messages and solutions claim is what the runs give.

``CASES`` (exercise, answers, expected status, a phrase of the English message) is read by
tests/test_exercises_korean.py too.
"""

import functools
import re
import time

import numpy as np
import pytest
import torch

from chapter5_utils import exercises
from chapter5_utils.exercises import core
from chapter5_utils.exercises import optimizers as ex
from chapter5_utils.optim import Adam

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _path():
    return ex._momentum_path(True)


@functools.cache
def _losses():
    train, val, best, _ = ex._adam_run(0.01)
    return train, val, best


class _AdamWCounterFromZero(Adam):
    """A bias correction whose step count starts at 0: 0 / 0 on the first step."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps)
        for group in self.param_groups:
            group["decay"] = weight_decay

    def _update(self, p, g, state, group):
        p.mul_(1 - group["lr"] * group["decay"])
        beta1, beta2 = group["betas"]
        t = state.setdefault("t", 0)
        m = state.setdefault("m", torch.zeros_like(p)).mul_(beta1).add_(g, alpha=1 - beta1)
        v = state.setdefault("v", torch.zeros_like(p)).mul_(beta2).addcmul_(g, g, value=1 - beta2)
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        p.sub_(group["lr"] * m_hat / (v_hat.sqrt() + group["eps"]))
        state["t"] = t + 1


class _AdamWFixedLr(Adam):
    """Reads lr once, in __init__: wrong after a scheduler changes it."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps)
        self.fixed = lr * weight_decay

    def _update(self, p, g, state, group):
        p.mul_(1 - self.fixed)
        super()._update(p, g, state, group)


class _AdamWOtherDefaults(Adam):
    def __init__(self, params, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1):
        super().__init__(params, lr=lr, betas=betas, eps=eps)
        for group in self.param_groups:
            group["decay"] = weight_decay

    def _update(self, p, g, state, group):
        p.mul_(1 - group["lr"] * group["decay"])
        super()._update(p, g, state, group)


class _AdamWSlow(_AdamWOtherDefaults):
    def _update(self, p, g, state, group):
        time.sleep(30)


class _AdamWBadInit(Adam):
    def __init__(self, params):
        super().__init__(params)


def _adamw():
    return exercises.REGISTRY["03.4"].reference()[0][0]


CASES = [
    # 03.1
    ("03.1", lambda: (_path(), False), "correct", "swings far less"),
    ("03.1", lambda: (torch.from_numpy(_path()), torch.tensor(False)), "correct", "swings far less"),
    ("03.1", lambda: (_path().astype(np.float32), np.False_), "correct", "swings far less"),
    ("03.1", lambda: (_path().tolist(), np.array(False)), "correct", "swings far less"),
    ("03.1", lambda: (ex._momentum_path(False), False), "not_yet", "did you pass nesterov=True"),
    ("03.1", lambda: (ex.optimize_path(ex.Momentum, ex._quadratic, ex.START, 50, lr=0.1, momentum=0.9,
                                       nesterov=True), False), "not_yet", "change only nesterov"),
    ("03.1", lambda: (ex.optimize_path(ex.Momentum, ex._quadratic, ex.START, 30, lr=0.1, momentum=0.8,
                                       nesterov=True), False), "not_yet", "shape (51, 2)"),
    ("03.1", lambda: (ex.optimize_path(ex.Momentum, ex._quadratic, [4.5, 1.5], 50, lr=0.1, momentum=0.8,
                                       nesterov=True), False), "not_yet", "not at START"),
    ("03.1", lambda: (_path(), True), "not_yet", "does not match the distances"),
    ("03.1", lambda: (_path(), "no"), "not_yet", "should be True or False"),
    ("03.1", lambda: (_path(), 0), "not_yet", "should be True or False"),
    ("03.1", lambda: ("path", False), "not_yet", "should be numbers"),
    ("03.1", lambda: (None, False), "not_yet", "should be numbers"),
    ("03.1", lambda: ([[1, "a"]], False), "not_yet", "should be numbers"),
    ("03.1", lambda: (np.where(np.arange(51)[:, None] == 10, np.nan, _path()), False), "not_yet", "is nan"),
    # 03.2
    ("03.2", lambda: (1.0,), "correct", "ends"),
    ("03.2", lambda: (np.array(1.0),), "correct", "ends"),
    ("03.2", lambda: (torch.tensor(1.0),), "correct", "ends"),
    ("03.2", lambda: (np.float32(1.0),), "correct", "ends"),
    ("03.2", lambda: (1,), "correct", "ends"),
    ("03.2", lambda: (3.0,), "not_yet", "it does not converge"),
    ("03.2", lambda: (0.3,), "not_yet", "but a larger rate in the list converges too"),
    ("03.2", lambda: (np.float32(0.3),), "not_yet", "but a larger rate in the list converges too"),
    ("03.2", lambda: (0.5,), "not_yet", "is not one of ADAM_LRS"),
    ("03.2", lambda: ("1.0",), "not_yet", "`largest_lr` should be a number"),
    ("03.2", lambda: ([1.0, 3.0],), "not_yet", "`largest_lr` should be one number"),
    ("03.2", lambda: (float("nan"),), "not_yet", "`largest_lr` is nan"),
    ("03.2", lambda: (float("inf"),), "not_yet", "`largest_lr` is inf"),
    # 03.3
    ("03.3", lambda: _losses()[:2], "correct", "match the reference run"),
    ("03.3", lambda: (np.array(_losses()[0]), torch.tensor(_losses()[1])), "correct", "match the reference run"),
    ("03.3", lambda: _losses()[1::-1], "not_yet", "swapped"),
    ("03.3", lambda: ex._adam_run(0.0)[:2], "not_yet", "did you pass weight_decay=0.01"),
    ("03.3", lambda: (_losses()[0], _losses()[2]), "not_yet", "the best validation loss of the run"),
    ("03.3", lambda: (_losses()[0] + 0.01, _losses()[1]), "not_yet", "train_loss does not match"),
    ("03.3", lambda: (1.0, 2.0), "not_yet", "train_loss and val_loss do not match"),
    ("03.3", lambda: (float("nan"), _losses()[1]), "not_yet", "`train_loss` is nan"),
    ("03.3", lambda: (_losses()[0], float("inf")), "not_yet", "`val_loss` is inf"),
    ("03.3", lambda: ("0.4", _losses()[1]), "not_yet", "`train_loss` should be a number"),
    ("03.3", lambda: (None, _losses()[1]), "not_yet", "`train_loss` should be a number"),
    # 03.4
    ("03.4", lambda: (_adamw(),), "correct", "follows torch.optim.AdamW step for step"),
    ("03.4", lambda: (_AdamWCounterFromZero,), "not_yet", "becomes nan or inf at step 1"),
    ("03.4", lambda: (_AdamWFixedLr,), "not_yet", "until the learning rate changes"),
    ("03.4", lambda: (_AdamWOtherDefaults,), "not_yet", "torch's defaults are lr=1e-3 and weight_decay=1e-2"),
    ("03.4", lambda: (Adam,), "not_yet", "adds λθ to the gradient"),
    ("03.4", lambda: (ex._AdamWTwice,), "not_yet", "decays twice"),
    ("03.4", lambda: (ex._AdamWAfter,), "not_yet", "after the Adam step"),
    ("03.4", lambda: (ex._AdamWFactor,), "not_yet", "Your decay factor is 1 − λ"),
    ("03.4", lambda: (torch.optim.AdamW,), "not_yet", "not a subclass of our Adam"),
    ("03.4", lambda: (_AdamWBadInit,), "not_yet", "Running your code raised TypeError"),
    ("03.4", lambda: (Adam([torch.zeros(1, requires_grad=True)]),), "not_yet", "should be a class"),
    ("03.4", lambda: ("AdamW",), "not_yet", "should be a class"),
]


@pytest.mark.parametrize(("exercise_id", "answers", "status", "phrase"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_case(exercise_id, answers, status, phrase):
    feedback = exercises.evaluate(exercise_id, *answers())
    assert feedback.status == status, feedback.en
    assert phrase in feedback.en, feedback.en
    assert HANGUL.search(feedback.ko) and feedback.ko != feedback.en


def test_03_4_a_slow_class_is_stopped(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 1.0)
    start = time.monotonic()
    feedback = exercises.evaluate("03.4", _AdamWSlow)
    assert time.monotonic() - start < 3 and "time limit" in feedback.en


def test_nesterov_ends_further_but_swings_less_as_the_messages_say():
    (path, closer), _ = exercises.REGISTRY["03.1"].reference()
    plain = ex._momentum_path(False)
    assert not closer
    assert ex.distance_to(path, [0, 0]) > ex.distance_to(plain, [0, 0])
    assert ex._swing(path) < 0.5 * ex._swing(plain)  # "less than half"


def test_largest_lr_sweep_finds_the_stated_rate_and_the_message_is_true():
    (answer,), _ = exercises.REGISTRY["03.2"].reference()
    assert answer == ex.LARGEST_LR == 1.0
    assert ex._rosen_distance(3.0) > 1.0  # "lr=3 ends more than 1 away"
    assert ex._rosen_distance(1.0) < 0.005  # "within 0.005"


def test_weight_decay_messages_are_true():
    train, val, _, norm = ex._adam_run(0.01)
    plain_train, plain_val, _, plain_norm = ex._adam_run(0.0)
    assert train > plain_train and abs(val - plain_val) < 0.02
    assert 0.6 < norm / plain_norm < 0.9  # "shrinks by about a quarter"
