"""Exercises of notebook 02: right answers pass in each type a computation returns, NaN and inf never pass,
each requirement of a task, violated once, gets its own message, a slow model is stopped, and the stored
references are what independent computations give.

``CASES`` (exercise, answers, expected status, a phrase of the English message) is read by
tests/test_exercises_korean.py too.
"""

import contextlib
import functools
import re
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from chapter5_utils import exercises, fit
from chapter5_utils import functions as fn
from chapter5_utils.exercises import activations_losses as al
from chapter5_utils.exercises import core

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@contextlib.contextmanager
def float64_default():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def _norms():
    return al._reference_norms()


def _norms_with(name, values):
    return {**_norms(), name: values}


@functools.cache
def _steps():
    (positive, centred, _), _ = al._reference_diagonal()
    return positive, centred


def _line(slope, intercept, dtype=torch.float64):
    line = nn.Linear(1, 1, dtype=dtype)
    with torch.no_grad():
        line.weight.fill_(slope)
        line.bias.fill_(intercept)
    return line


def _huber():
    return al._reference_huber()[0][0]


def _mse_line():
    x, y = al._outlier_data()
    A = torch.cat([x, torch.ones_like(x)], dim=1)
    return _line(*torch.linalg.lstsq(A, y).solution.flatten().tolist())


def _digits():
    return al._reference_digits()[0][0]


class _Softmaxed(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return torch.softmax(self.inner(x), dim=1)


class _Hidden(nn.Module):
    """A digits model with a hidden layer: not the task's linear model."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(torch.relu(x))


def weight_grad_norms(net, X, y):
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)][:-1]
    net.zero_grad()
    fn.mse(net(X), y).backward()
    return [layer.weight.grad.norm().item() for layer in linears]


MEASURE = weight_grad_norms


def _measure(change):
    """A learner's weight_grad_norms, with one thing changed."""

    def measure(net, X, y):
        linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
        if change != "with head":
            linears = linears[:-1]
        if change == "profile":
            from chapter5_utils.inspection import gradient_profile

            return list(gradient_profile(net, X, y).weight_grad_norms[:-1])
        if change != "no zero_grad":
            net.zero_grad()
        fn.mse(net(X), y).backward()
        norms = [(layer.bias if change == "bias" else layer.weight).grad.norm() for layer in linears]
        if change == "reversed":
            norms = norms[::-1]
        if change == "squared":
            norms = [n**2 for n in norms]
        if change == "first only":
            norms = norms[:1]
        if change == "nan":
            norms = [n * float("nan") for n in norms]
        if change == "numpy":
            return np.array([n.item() for n in norms])
        if change == "tensor":
            return torch.stack(norms)
        return [n.item() for n in norms]

    return measure


def _lse(change):
    def logsumexp(z):
        if change == "torch":
            return torch.logsumexp(z, dim=1)
        if change == "naive":
            return torch.log(torch.exp(z).sum(dim=1))
        if change == "list":
            return al.logsumexp_reference(z).tolist()
        if change == "float64 from float32":  # more exact than torch's own float32 answer
            return al.logsumexp_reference(z.double())
        dim = 0 if change == "dim 0" else 1
        m = z.max(dim=dim, keepdim=True).values
        if change == "forgot m":
            return torch.log(torch.exp(z - m).sum(dim=dim))
        if change == "float32 inside":
            zf, mf = z.float(), m.float()
            return (mf + torch.log(torch.exp(zf - mf).sum(dim=1, keepdim=True)))[:, 0]
        out = m + torch.log(torch.exp(z - m).sum(dim=dim, keepdim=True))
        return out if change == "keepdim" else out.squeeze(dim)

    return logsumexp


def _lsm(change):
    def log_softmax(z):
        if change == "log of softmax":
            return torch.log(fn.softmax(z))
        if change == "log of naive softmax":
            e = torch.exp(z)
            return torch.log(e / e.sum(dim=1, keepdim=True))
        if change == "F":
            return F.log_softmax(z, dim=1)
        if change == "method":
            return z.softmax(dim=1).log()
        if change == "dim 0":
            m = z.max(dim=0, keepdim=True).values
            return z - (m + torch.log(torch.exp(z - m).sum(dim=0, keepdim=True)))
        if change == "plus":
            return z + al.logsumexp_reference(z)[:, None]
        if change == "float32 inside":
            return (z.float() - _lse("float32 inside")(z)[:, None]).to(torch.float32)
        if change == "float64 from float32":
            return al.log_softmax_reference(z.double())
        if change == "nan":
            return z * float("nan")
        raise AssertionError(change)

    return log_softmax


class _Slow(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        time.sleep(30)
        return self.inner(x)


class _Broken(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(64, 10)

    def forward(self, x):
        raise ValueError("my forward is broken")


@functools.cache
def _digits_training_rows():
    """The notebook's digits training rows (standardised images, labels), as the exercise's reference uses."""
    from chapter5_utils import as_tensors, load_digits, standardize
    from chapter5_utils.cv import holdout_split

    digits = load_digits()
    train_idx, test_idx = holdout_split(len(digits.y), test_size=0.25, seed=0)
    X_train, _ = as_tensors(*standardize(digits.X[train_idx], digits.X[test_idx]), dtype=torch.float64)
    return X_train, torch.as_tensor(digits.y[train_idx], dtype=torch.long)


def _trained_linear(loss_fn, targets, lr, epochs):
    X_train, _ = _digits_training_rows()
    with float64_default(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = nn.Linear(64, 10)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        fit(model, X_train, targets, loss_fn=loss_fn, optimizer=optimizer, epochs=epochs, seed=0)
    return model


@functools.cache
def _cross_entropy_model():
    _, y_train = _digits_training_rows()
    return _trained_linear(fn.cross_entropy, y_train, lr=1e-2, epochs=10)  # the notebook's settings


@functools.cache
def _mse_model(lr, epochs):
    """The task's model trained with MSE on one-hot targets, at another learning rate or for other epochs."""
    _, y_train = _digits_training_rows()
    return _trained_linear(fn.mse, nn.functional.one_hot(y_train, 10).double(), lr=lr, epochs=epochs)


def _untrained(out=10, features=64):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return nn.Linear(features, out)


CASES = [
    # 02.1
    ("02.1", lambda: (MEASURE, _norms(), ["sigmoid"]), "correct", "shrinks by ×"),
    ("02.1", lambda: (_measure("numpy"), {"Sigmoid": np.array(_norms()["sigmoid"]),
                                          "TANH": torch.tensor(_norms()["tanh"]), "relu": _norms()["ReLU"],
                                          "leaky_relu": tuple(_norms()["Leaky ReLU"]), "elu": _norms()["ELU"]},
                      ("sigmoid",)), "correct", "shrinks"),
    ("02.1", lambda: (_measure("tensor"), {k: torch.tensor(v) for k, v in _norms().items()}, {"sigmoid"}), "correct",
     "shrinks"),
    ("02.1", lambda: (_measure("with head"), _norms(), ["sigmoid"]), "not_yet", "also returns the output layer"),
    ("02.1", lambda: (_measure("no zero_grad"), _norms(), ["sigmoid"]), "not_yet", "zero the gradients first"),
    ("02.1", lambda: (_measure("reversed"), _norms(), ["sigmoid"]), "not_yet", "lists the last hidden layer first"),
    ("02.1", lambda: (_measure("squared"), _norms(), ["sigmoid"]), "not_yet", "returns squared norms"),
    ("02.1", lambda: (_measure("bias"), _norms(), ["sigmoid"]), "not_yet", "differs from gradient_profile"),
    ("02.1", lambda: (_measure("profile"), _norms(), ["sigmoid"]), "not_yet", "calls gradient_profile"),
    ("02.1", lambda: (_measure("first only"), _norms(), ["sigmoid"]), "not_yet", "returns is 1; it should be 2"),
    ("02.1", lambda: (_measure("nan"), _norms(), ["sigmoid"]), "not_yet", "is nan"),
    ("02.1", lambda: ("measure", _norms(), ["sigmoid"]), "not_yet", "Pass your function itself"),
    ("02.1", lambda: (MEASURE, [1.0, 2.0], ["sigmoid"]), "not_yet", "should be a dict"),
    ("02.1", lambda: (MEASURE, _norms_with("tanh", "many"), ["sigmoid"]), "not_yet", "`norms_30['tanh']` should be"),
    ("02.1", lambda: (MEASURE, _norms_with("tanh", [float("nan")] * 30), ["sigmoid"]), "not_yet", "is nan"),
    ("02.1", lambda: (MEASURE, _norms_with("ELU", [float("inf")] * 30), ["sigmoid"]), "not_yet", "is inf"),
    ("02.1", lambda: (MEASURE, _norms(), "sigmoid"), "not_yet", "`vanishing` should be a list of activation names"),
    ("02.1", lambda: (MEASURE, _norms(), ["sigmoid", "softplus"]), "not_yet", "'softplus', which is not one of"),
    ("02.1", lambda: (MEASURE, {k: v for k, v in _norms().items() if k != "ELU"}, ["sigmoid"]), "not_yet",
     "no entry for ELU"),
    ("02.1", lambda: (MEASURE, _norms_with("ReLU", _norms()["ReLU"][:12]), ["sigmoid"]), "not_yet", "has 12 values"),
    ("02.1", lambda: (MEASURE, {**_norms(), "ELU": _norms()["Leaky ReLU"], "Leaky ReLU": _norms()["ELU"]},
                      ["sigmoid"]), "not_yet", "holds the gradient norms of ELU, not of Leaky ReLU"),
    ("02.1", lambda: (MEASURE, _norms_with("tanh", _norms()["tanh"][::-1]), ["sigmoid"]), "not_yet", "reverse order"),
    ("02.1", lambda: (MEASURE, _norms_with("tanh", [2 * v for v in _norms()["tanh"]]), ["sigmoid"]), "not_yet",
     "differs from the measurement"),
    ("02.1", lambda: (MEASURE, _norms(), ["sigmoid", "ReLU"]), "not_yet", "You listed ReLU"),
    ("02.1", lambda: (MEASURE, _norms(), []), "not_yet", "sigmoid is missing from `vanishing`"),
    # 02.2
    ("02.2", lambda: (*_steps(), "curvature"), "correct", "μμᵀ"),
    ("02.2", lambda: (np.int64(_steps()[0]), torch.tensor(_steps()[1]), " Curvature "), "correct", "μμᵀ"),
    ("02.2", lambda: (float(_steps()[0]), np.array(_steps()[1]), "CURVATURE"), "correct", "μμᵀ"),
    ("02.2", lambda: (*al._reference_diagonal()[0][:0], *[al._fewest_steps((1.0, -1.0))[k] for k in
                                                          ("positive", "centred")], "curvature"),
     "not_yet", "counts for the old optimum w* = (1, −1)"),
    ("02.2", lambda: (_steps()[1], _steps()[0], "curvature"), "not_yet", "the other way round"),
    ("02.2", lambda: (_steps()[0] + 1, _steps()[1], "curvature"), "not_yet", "is one step off"),
    ("02.2", lambda: (_steps()[0], _steps()[1] - 1, "curvature"), "not_yet", "`steps_centred` = 2 is one step off"),
    ("02.2", lambda: (_steps()[0] + 3, _steps()[1], "curvature"), "not_yet", "is not the fewest steps"),
    ("02.2", lambda: (4 * _steps()[0], _steps()[1], "curvature"), "not_yet", "is not the fewest steps"),
    ("02.2", lambda: (*_steps(), "sign"), "not_yet", "the cause is not the sign"),
    ("02.2", lambda: (*_steps(), "curv"), "not_yet", '`cause` should be the string "sign" or "curvature"'),
    ("02.2", lambda: (float("nan"), 3, "curvature"), "not_yet", "`steps_positive` is nan"),
    ("02.2", lambda: (float("inf"), 3, "curvature"), "not_yet", "`steps_positive` is inf"),
    ("02.2", lambda: ("26", 3, "curvature"), "not_yet", "`steps_positive` should be a number"),
    ("02.2", lambda: (26, [3, 4], "curvature"), "not_yet", "`steps_centred` should be one number"),
    ("02.2", lambda: (26.5, 3, "curvature"), "not_yet", "should be a whole number"),
    # 02.3
    ("02.3", lambda: (_huber(), "MAE"), "correct", "stays near the MAE line"),
    ("02.3", lambda: (_line(*al._fits()["Huber"], dtype=torch.float32), " mae"), "correct", "MAE line"),
    ("02.3", lambda: (_mse_line(), "MAE"), "not_yet", "is the MSE fit"),
    ("02.3", lambda: (_line(*al._fits()["MAE"]), "MAE"), "not_yet", "is the MAE fit"),
    ("02.3", lambda: (_untrained(1, 1), "MAE"), "not_yet", "is not the Huber fit yet"),
    ("02.3", lambda: ((2.16, 0.99), "MAE"), "not_yet", "should be a trained nn.Linear(1, 1), got a tuple"),
    ("02.3", lambda: (_untrained(1, 2), "MAE"), "not_yet", "got an nn.Linear(2, 1) module"),
    ("02.3", lambda: (_huber(), "MSE"), "not_yet", "compare its slope with the MAE and MSE slopes"),
    ("02.3", lambda: (_huber(), 1), "not_yet", '`closer_to` should be the string "MAE" or "MSE"'),
    ("02.3", lambda: (_line(float("nan"), 1.0), "MAE"), "not_yet", "`huber_line.weight[0, 0]` is nan"),
    ("02.3", lambda: (_line(2.0, float("inf")), "MAE"), "not_yet", "`huber_line.bias[0]` is inf"),
    ("02.3", lambda: (nn.Linear(1, 1, device="meta"), "MAE"), "not_yet", "meta device"),
    # 02.4
    ("02.4", lambda: (_digits(), False), "correct", "not probabilities"),
    ("02.4", lambda: (_digits(), np.False_), "correct", "not probabilities"),
    ("02.4", lambda: (_digits(), torch.tensor(False)), "correct", "not probabilities"),
    ("02.4", lambda: (_digits().float(), False), "correct", "not probabilities"),
    ("02.4", lambda: (_digits(), True), "not_yet", "look again at its outputs"),
    ("02.4", lambda: (_digits(), "no"), "not_yet", "should be True or False"),
    ("02.4", lambda: (_digits(), 0), "not_yet", "should be True or False"),
    ("02.4", lambda: (nn.Sequential(_digits(), nn.Softmax(dim=1)), True), "not_yet", "ends in a softmax"),
    ("02.4", lambda: (_Softmaxed(_digits()), True), "not_yet", "sums to 1: its forward ends in a softmax"),
    ("02.4", lambda: (_Hidden(_digits()), False), "not_yet", "is not a linear model"),
    ("02.4", lambda: (_cross_entropy_model(), False), "not_yet", "far from the one-hot targets"),
    ("02.4", lambda: (_untrained(), False), "not_yet", "close to guessing"),
    ("02.4", lambda: (_mse_model(1e-3, 3), False), "not_yet", "did you train for fewer epochs or with another"),
    ("02.4", lambda: (_untrained(3), False), "not_yet", "outputs of shape (450, 3)"),
    ("02.4", lambda: (_untrained(10, 10), False), "not_yet", "could not score the 64-pixel test images"),
    ("02.4", lambda: ("model", False), "not_yet", "should be a trained nn.Linear(64, 10), got the string"),
    ("02.4", lambda: (nn.Linear(64, 10, device="meta"), False), "not_yet", "meta device"),
    ("02.4", lambda: (_Broken(), False), "not_yet", "test images (ValueError: my forward is broken)"),
    # 02.5
    ("02.5", lambda: (al.logsumexp_reference, al.log_softmax_reference), "correct", "equal torch's"),
    ("02.5", lambda: (_lse("float32 inside"), _lsm("float32 inside")), "correct", "equal torch's"),
    ("02.5", lambda: (_lse("float64 from float32"), _lsm("float64 from float32")), "correct", "equal torch's"),
    ("02.5", lambda: (_lse("naive"), al.log_softmax_reference), "not_yet", "returns inf or nan"),
    ("02.5", lambda: (al.logsumexp_reference, _lsm("nan")), "not_yet", "no exp can overflow here"),
    ("02.5", lambda: (al.logsumexp_reference, _lsm("log of softmax")), "not_yet", "returns inf or nan"),
    ("02.5", lambda: (al.logsumexp_reference, _lsm("log of naive softmax")), "not_yet", "returns inf or nan"),
    ("02.5", lambda: (_lse("torch"), al.log_softmax_reference), "not_yet", "calls torch's own"),
    ("02.5", lambda: (al.logsumexp_reference, _lsm("F")), "not_yet", "calls torch's own"),
    ("02.5", lambda: (al.logsumexp_reference, _lsm("method")), "not_yet", "calls torch's own"),
    ("02.5", lambda: (_lse("keepdim"), al.log_softmax_reference), "not_yet", "keeps the reduced dimension"),
    ("02.5", lambda: (_lse("dim 0"), al.log_softmax_reference), "not_yet", "returned shape"),
    ("02.5", lambda: (al.logsumexp_reference, _lsm("dim 0")), "not_yet", "works down the columns"),
    ("02.5", lambda: (_lse("forgot m"), al.log_softmax_reference), "not_yet", "differs from torch's"),
    ("02.5", lambda: (al.logsumexp_reference, _lsm("plus")), "not_yet", "differs from torch's"),
    ("02.5", lambda: (_lse("list"), al.log_softmax_reference), "not_yet", "should return a tensor"),
    ("02.5", lambda: (al.logsumexp_reference, "log_softmax"), "not_yet", "Pass your function log_softmax"),
]


@pytest.mark.parametrize(("exercise_id", "answers", "status", "phrase"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_case(exercise_id, answers, status, phrase):
    feedback = exercises.evaluate(exercise_id, *answers())
    assert feedback.status == status, feedback.en
    assert phrase in feedback.en, feedback.en
    assert HANGUL.search(feedback.ko) and feedback.ko != feedback.en


def test_02_4_a_slow_model_is_stopped(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 1.0)
    start = time.monotonic()
    feedback = exercises.evaluate("02.4", _Slow(_digits()), False)
    assert time.monotonic() - start < 3 and "time limit" in feedback.en


def test_02_5_a_slow_function_is_stopped(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 1.0)
    start = time.monotonic()
    feedback = exercises.evaluate("02.5", lambda z: time.sleep(30), al.log_softmax_reference)
    assert time.monotonic() - start < 3 and "time limit" in feedback.en


def test_thirty_layers_reference_is_what_the_notebook_measures():
    # The notebook's cell, written out independently: 30 Linear(64, 64) + activation, N(0, 1/64) weights.
    norms = _norms()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        layers = []
        for _ in range(30):
            linear = nn.Linear(64, 64, dtype=torch.float64)
            nn.init.normal_(linear.weight, std=0.125)
            nn.init.zeros_(linear.bias)
            layers += [linear, nn.Tanh()]
        net = nn.Sequential(*layers, nn.Linear(64, 1, dtype=torch.float64))
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(256, 64, generator=gen, dtype=torch.float64)
    y = torch.randn(256, 1, generator=gen, dtype=torch.float64)
    F.mse_loss(net(X), y).backward()
    tanh = [layer.weight.grad.norm().item() for layer in layers[::2]]
    assert np.allclose(tanh, norms["tanh"], rtol=1e-10)
    assert norms["sigmoid"][0] / norms["sigmoid"][-1] < 1e-15
    for name in ("tanh", "ReLU", "Leaky ReLU", "ELU"):
        assert 1 / 3 < norms[name][0] / norms[name][-1] < 3


def _fewest_steps_vectorised(w_star):
    """Full-batch gradient descent for every learning rate at once (independent of the check's loop)."""
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(200, 2, generator=gen, dtype=torch.float64)
    result = []
    for X in (fn.sigmoid(z), fn.sigmoid(z) - 0.5):
        H = X.T @ X / len(X)
        lrs = torch.as_tensor(al.LEARNING_RATES)
        target = torch.tensor(w_star, dtype=torch.float64)
        w = torch.zeros(len(lrs), 2, dtype=torch.float64)
        reached = torch.full((len(lrs),), float("nan"), dtype=torch.float64)
        alive = torch.ones(len(lrs), dtype=torch.bool)
        for step in range(1, 501):
            w = w - lrs[:, None] * (w - target) @ H
            done = alive & ((w - target).norm(dim=1) < 1e-3)
            reached[done] = step
            alive &= ~done & (w.norm(dim=1) < 1e3)
        result.append(int(np.nanmin(reached.numpy())))
    return result


def test_diagonal_reference_matches_an_independent_computation():
    assert list(_steps()) == _fewest_steps_vectorised((1.0, 1.0))
    assert _steps()[0] > 5 * _steps()[1]


def test_huber_solution_code_passes():
    x_out, y_out = al._outlier_data()
    with float64_default(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        huber_line = nn.Linear(1, 1)
        optimizer = torch.optim.Adam(huber_line.parameters(), lr=0.05)
        fit(huber_line, x_out, y_out, loss_fn=F.huber_loss, optimizer=optimizer, epochs=400, batch_size=40)
    assert exercises.evaluate("02.3", huber_line, "MAE").status == "correct"
