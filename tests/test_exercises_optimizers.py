"""Exercises of notebook 03: right answers pass in each type a computation returns, NaN and inf never pass,
each requirement of a task, violated once, gets its own message, a slow optimizer class is stopped, and
what the messages and solutions claim is what the runs give.

``CASES`` (exercise, answers, expected status, a phrase of the English message) is read by
tests/test_exercises_korean.py too.
"""

import copy
import functools
import math
import re
import time

import numpy as np
import pytest
import torch
from torch import nn

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


def _distances():
    return [ex._rosen_distance(lr) for lr in ex.ADAM_LRS]


def _penalty(change):
    """A learner's penalised_loss, with one thing changed."""

    def penalised_loss(model, X, y, lam):
        mse = nn.functional.mse_loss(model(X), y)
        params = list(model.parameters())
        if change == "no half":
            return mse + lam * sum((p**2).sum() for p in params)
        if change == "weights only":
            return mse + lam / 2 * sum((m.weight**2).sum() for m in model.modules() if isinstance(m, nn.Linear))
        if change == "plain":
            return mse
        if change == "mean":
            return mse + lam / 2 * sum((p**2).mean() for p in params)
        if change == "detached":
            return ex.penalised_loss_reference(model, X, y, lam).detach()
        if change == "float":
            return ex.penalised_loss_reference(model, X, y, lam).item()
        if change == "frozen copy":  # the penalty of a copy of the first parameters: right value, wrong gradient
            if not hasattr(penalised_loss, "frozen"):
                penalised_loss.frozen = [p.detach().clone() for p in params]
            return mse + lam / 2 * sum((p**2).sum() for p in penalised_loss.frozen)
        if change == "nan":
            return mse * float("nan")
        raise AssertionError(change)

    return penalised_loss


@functools.cache
def _schedule():
    return ex._schedule_run(ex.warmup_cosine_reference)


def _short_history():
    history = copy.deepcopy(_schedule())
    history.lr, history.train_loss, history.val_loss = (v[:20] for v in (history.lr, history.train_loss,
                                                                          history.val_loss))
    return history


def _other_seed_history():
    history = copy.deepcopy(_schedule())
    history.train_loss = [v + 1e-3 for v in history.train_loss]
    return history


def _no_validation_history():
    history = copy.deepcopy(_schedule())
    history.val_loss = []  # fit without X_val, y_val
    return history


def _cosine_over_40(e):
    return (e + 1) / 5 if e < 5 else 0.5 * (1 + math.cos(math.pi * (e - 5) / 40))


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
    ("03.2", lambda: (_distances(), 1.0), "correct", "ends"),
    ("03.2", lambda: (np.array(_distances()), np.array(1.0)), "correct", "ends"),
    ("03.2", lambda: (torch.tensor(_distances()), torch.tensor(1.0)), "correct", "ends"),
    ("03.2", lambda: ([np.float64(d) for d in _distances()], np.float32(1.0)), "correct", "ends"),
    ("03.2", lambda: (_distances(), 1), "correct", "ends"),
    ("03.2", lambda: (_distances(), 0.3), "not_yet", "a larger rate that ends within 0.05 too"),
    ("03.2", lambda: (_distances(), 3.0), "not_yet", "is not the largest rate whose distance"),
    ("03.2", lambda: (_distances(), 0.5), "not_yet", "is not the largest rate whose distance"),
    ("03.2", lambda: ([0.0] * 7, 10.0), "not_yet", "are not what Adam gives"),
    ("03.2", lambda: (_distances()[:3] + [0.5] + _distances()[4:], 1.0), "not_yet", "The distances for lr = 0.3 are"),
    ("03.2", lambda: (_distances()[::-1], 1.0), "not_yet", "in reverse order"),
    ("03.2", lambda: ([d**2 for d in _distances()], 1.0), "not_yet", "look squared"),
    ("03.2", lambda: (_distances()[:6], 1.0), "not_yet", "should hold 7 numbers"),
    ("03.2", lambda: ([float("nan")] * 7, 1.0), "not_yet", "`distances[0]` is nan"),
    ("03.2", lambda: (_distances(), "1.0"), "not_yet", "`largest_lr` should be a number"),
    ("03.2", lambda: (_distances(), [1.0, 3.0]), "not_yet", "`largest_lr` should be one number"),
    ("03.2", lambda: (_distances(), float("nan")), "not_yet", "`largest_lr` is nan"),
    ("03.2", lambda: (_distances(), float("inf")), "not_yet", "`largest_lr` is inf"),
    ("03.2", lambda: (1.0, 1.0), "not_yet", "`distances` should hold 7 numbers"),
    # 03.3
    ("03.3", lambda: (ex.penalised_loss_reference, True, False), "correct", "their weight decay is an L2 penalty"),
    ("03.3", lambda: (ex.penalised_loss_reference, np.True_, torch.tensor(False)), "correct", "L2 penalty"),
    ("03.3", lambda: (_penalty("no half"), True, False), "not_yet", "Your penalty is lam times the sum"),
    ("03.3", lambda: (_penalty("weights only"), True, False), "not_yet", "leaves out the biases"),
    ("03.3", lambda: (_penalty("plain"), True, False), "not_yet", "Your loss is the plain MSE"),
    ("03.3", lambda: (_penalty("mean"), True, False), "not_yet", "but MSE + lam/2"),
    ("03.3", lambda: (_penalty("detached"), True, False), "not_yet", "a tensor without a gradient"),
    ("03.3", lambda: (_penalty("float"), True, False), "not_yet", "as a one-element tensor"),
    ("03.3", lambda: (_penalty("frozen copy"), True, False), "not_yet", "differ from SGD(weight_decay=lam)"),
    ("03.3", lambda: (_penalty("nan"), True, False), "not_yet", "is nan"),
    ("03.3", lambda: (ex.penalised_loss_reference, False, False), "not_yet", "`adam_same` = False does not match"),
    ("03.3", lambda: (ex.penalised_loss_reference, True, True), "not_yet", "`adamw_same` = True does not match"),
    ("03.3", lambda: (ex.penalised_loss_reference, 1, False), "not_yet", "`adam_same` should be True or False"),
    ("03.3", lambda: ("penalised_loss", True, False), "not_yet", "Pass your function itself"),
    ("03.3", lambda: (lambda m, X, y: 0, True, False), "not_yet", "Running your code raised TypeError"),
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
    # 03.5
    ("03.5", lambda: (ex.warmup_cosine_reference, _schedule()), "correct", "warms up over 5 epochs"),
    ("03.5", lambda: (lambda e: np.float64(ex.warmup_cosine_reference(e)), _schedule()), "correct", "warms up"),
    ("03.5", lambda: (lambda e: e / 5 if e < 5 else ex.warmup_cosine_reference(e), _schedule()), "not_yet",
     "Your warm-up starts at 0"),
    ("03.5", lambda: (lambda e: (e + 1) / 5 if e < 5 else 0.5 * (1 + math.cos(math.pi * e / 40)), _schedule()),
     "not_yet", "Your cosine starts at epoch 0"),
    ("03.5", lambda: (lambda e: (e + 1) / 5 if e < 5 else 0.5 * (1 + math.cos(math.pi * (e - 5) / 40)),
                      _schedule()), "not_yet", "runs over 40 epochs after the warm-up"),
    ("03.5", lambda: (lambda e: 0.005 * ex.warmup_cosine_reference(e), _schedule()), "not_yet",
     "returns the learning rate itself"),
    ("03.5", lambda: (lambda e: 1.0, _schedule()), "not_yet", "the schedule gives"),
    ("03.5", lambda: (lambda e: float("nan"), _schedule()), "not_yet", "is nan"),
    ("03.5", lambda: (ex.warmup_cosine_reference, ex._schedule_run(lambda e: 1.0)), "not_yet",
     "The learning rate stayed 0.005"),
    ("03.5", lambda: (ex.warmup_cosine_reference, ex._schedule_run(lambda e: 0.5 * ex.warmup_cosine_reference(e))),
     "not_yet", "history.lr[0] is"),
    ("03.5", lambda: (ex.warmup_cosine_reference, _short_history()), "not_yet", "`history` has 20 epochs"),
    ("03.5", lambda: (ex.warmup_cosine_reference, _no_validation_history()), "not_yet",
     "history.val_loss holds 0 values"),
    ("03.5", lambda: (ex.warmup_cosine_reference, ex._schedule_run(_cosine_over_40)),  # the first rates agree
     "not_yet", "history.lr[6] is"),
    ("03.5", lambda: (ex.warmup_cosine_reference, _other_seed_history()), "not_yet", "the losses are not those"),
    ("03.5", lambda: (ex.warmup_cosine_reference, [0.005] * 40), "not_yet", "should be the History that fit"),
    ("03.5", lambda: ("warmup_cosine", _schedule()), "not_yet", "Pass your function itself"),
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
    (distances, answer), _ = exercises.REGISTRY["03.2"].reference()
    assert answer == ex.LARGEST_LR == 1.0 and distances == _distances()
    assert ex._rosen_distance(3.0) > 1.0  # "lr=3 ends more than 1 away"
    assert ex._rosen_distance(1.0) < 0.005  # "within 0.005"
    assert ex._rosen_distance(0.1) > ex._rosen_distance(0.3) and ex._rosen_distance(0.03) < ex._rosen_distance(0.01)


def test_03_3_weight_decay_is_an_l2_penalty_for_sgd_and_adam_not_adamw():
    for kind, same in (("sgd", True), ("adam", True), ("adamw", False)):
        gap = ex._gap(ex._penalty_run(kind, ex.penalised_loss_reference), ex._decay_run(kind))
        assert (gap < 1e-12) == same, (kind, gap)


def test_03_5_the_messages_are_true():
    constant = ex._schedule_run(lambda e: 1.0)
    assert round(max(np.diff(constant.train_loss[10:])), 3) == 0.096  # the notebook's printed rise
    scheduled = _schedule()
    assert max(np.diff(scheduled.train_loss[10:])) < 0.096
    assert scheduled.lr[:5] == pytest.approx([0.001, 0.002, 0.003, 0.004, 0.005])


def test_03_5_a_slow_schedule_is_stopped(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 1.0)
    start = time.monotonic()
    assert "time limit" in exercises.evaluate("03.5", lambda e: time.sleep(30), _schedule()).en
    assert time.monotonic() - start < 3
