"""Exercises of notebook 04: right answers pass in each type a computation returns (04.2: the fold mean or the
pooled MSE, with kfold_splits or scikit-learn's KFold), NaN and inf never pass, each requirement of a task,
violated once, gets its own message (04.4: no refits, no scikit-learn, not the notebook's helper), a slow
function is stopped, and the check's references are what independent computations give.

``CASES`` (exercise, answers, expected status, a phrase of the English message) is read by
tests/test_exercises_korean.py too.
"""

import functools
import re
import time

import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, LeaveOneOut, cross_val_predict

from chapter5_utils import exercises
from chapter5_utils.cv import kfold_splits, loocv_residuals_linear
from chapter5_utils.exercises import core
from chapter5_utils.exercises import cross_validation as cv

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@functools.cache
def _runs():
    (runs, best_epoch), _ = cv._reference_04_1()
    return runs, best_epoch


class _Short:
    def __init__(self, losses):
        self.val_loss = losses


def _runs_with(wd, run):
    runs, best = _runs()
    return {**runs, wd: run}, best


def _best_with(wd, value):
    runs, best = _runs()
    return runs, {**best, wd: value}


def _accepted(splitter="kfold_splits", kind="mean"):
    return cv._reference_04_2_values()["accepted"][(splitter, kind)]


def _ratio(values):
    return cv._reference_04_2_values()["holdout_range"] / float(np.ptp(values))


def _learner_kfold(pooled):
    """A learner's 04.2 with scikit-learn's KFold(shuffle=True) and LinearRegression."""
    X, y, train_idx, _ = cv._diabetes()
    out = []
    for s in range(5):
        errors, folds = [], []
        for a, b in KFold(n_splits=5, shuffle=True, random_state=s).split(train_idx):
            tr, va = train_idx[a], train_idx[b]
            residuals = LinearRegression().fit(X[tr], y[tr]).predict(X[va]) - y[va]
            errors.append(residuals**2)
            folds.append(np.mean(residuals**2))
        out.append(np.mean(np.concatenate(errors)) if pooled else np.mean(folds))
    return out


@functools.cache
def _decays():
    (cv_mse, chosen, test_mse), _ = cv._reference_04_3()
    return cv_mse, chosen, test_mse


def _forward(change=None):
    """A learner's forward_splits, with one thing changed."""

    def forward_splits(n, k, test_size, gap=0):
        splits = cv.forward_splits_reference(n, k, test_size, 0 if change == "no gap" else gap)
        if change == "leak":
            return [(np.setdiff1d(np.arange(n), va), va) for _, va in splits]
        if change == "first blocks":
            return [(np.arange(0, max(0, (j + 1) * test_size - gap)), np.arange((j + 1) * test_size,
                                                                                (j + 2) * test_size))
                    for j in range(k)]
        if change == "sliding":
            return [(tr[-8:], va) for tr, va in splits]
        if change == "one fewer":
            return splits[1:]
        if change == "generator":
            return iter(splits)
        if change == "tensors":
            return [(torch.from_numpy(tr), torch.from_numpy(va)) for tr, va in splits]
        if change == "lists":
            return [(tr.tolist(), va.tolist()) for tr, va in splits]
        if change == "sklearn":
            from sklearn.model_selection import TimeSeriesSplit

            return list(TimeSeriesSplit(k, test_size=test_size, gap=gap).split(np.zeros(n)))
        if change == "none":
            return None
        if change == "triples":
            return [(tr, va, va) for tr, va in splits]
        return splits

    return forward_splits


def _estimate(key):
    return cv._forward_estimates()[key]


def _per_row_refits(X, y):
    return cv._brute_loo(X, y)


def _hat(X, y):
    return cv._solution_loo(X, y)


def _per_row_h(X, y):
    """One fit, then h_ii one row at a time: a solve per row, which the task's rule counts."""
    A = np.column_stack([np.ones(len(X)), X])
    G = A.T @ A
    beta = np.linalg.solve(G, A.T @ y)
    e = y - A @ beta
    h = np.array([a @ np.linalg.solve(G, a) for a in A])
    return e / (1 - h)


def _slow(X, y):
    time.sleep(30)


CASES = [
    # 04.1
    ("04.1", lambda: _runs(), "correct", "A weak penalty only slows the overfit"),
    ("04.1", lambda: (_runs()[0], {k: np.int64(v) for k, v in _runs()[1].items()}), "correct", "weak penalty"),
    ("04.1", lambda: (_runs()[0], {np.float64(k): torch.tensor(v) for k, v in _runs()[1].items()}), "correct",
     "weak penalty"),
    ("04.1", lambda: (_runs()[0], {k: float(v) for k, v in _runs()[1].items()}), "correct", "weak penalty"),
    ("04.1", lambda: _best_with(0.01, _runs()[1][0.01] - 1), "not_yet", "is one too small: count epochs from 1"),
    ("04.1", lambda: _best_with(0.1, 30), "not_yet", "and it is lower elsewhere"),
    ("04.1", lambda: _best_with(0.1, 61), "not_yet", "there is no such epoch"),
    ("04.1", lambda: _best_with(0.1, 9.5), "not_yet", "should be a whole number"),
    ("04.1", lambda: _best_with(0.1, float("nan")), "not_yet", "is nan"),
    ("04.1", lambda: _runs_with(0.01, _Short(_runs()[0][0.01].val_loss[:24])), "not_yet", "has 24 epochs, not 60"),
    ("04.1", lambda: _runs_with(0.01, cv._train_big(0.0, 60)), "not_yet", "is the run without weight decay"),
    ("04.1", lambda: _runs_with(0.01, _runs()[0][0.1]), "not_yet", "the two entries are swapped"),
    ("04.1", lambda: _runs_with(0.01, _Short([1.0] * 60)), "not_yet", "are not those of train_big"),
    ("04.1", lambda: _runs_with(0.01, _Short([float("nan")] * 60)), "not_yet", "is nan"),
    ("04.1", lambda: _runs_with(0.01, [1.0] * 60), "not_yet", "should be the History that train_big returns"),
    ("04.1", lambda: ([1, 2], _runs()[1]), "not_yet", "`runs` should be a dict with the keys 1e-2 and 1e-1"),
    ("04.1", lambda: ({0.01: _runs()[0][0.01]}, _runs()[1]), "not_yet", "`runs` should be a dict"),
    # 04.2
    ("04.2", lambda: (list(_accepted()), _ratio(_accepted())), "correct", "the mean of the fold MSEs"),
    ("04.2", lambda: (torch.tensor(_accepted("kfold_splits", "pooled")), np.float64(_ratio(
        _accepted("kfold_splits", "pooled")))), "correct", "the pooled MSE"),
    ("04.2", lambda: (_learner_kfold(False), torch.tensor(_ratio(_learner_kfold(False)))), "correct", "KFold"),
    ("04.2", lambda: (np.array(_learner_kfold(True)), _ratio(_learner_kfold(True))), "correct", "pooled MSE, KFold"),
    ("04.2", lambda: ([np.float64(v) for v in _accepted()], np.array(_ratio(_accepted()))), "correct", "fold MSEs"),
    ("04.2", lambda: (list(_accepted()), float("nan")), "not_yet", "`ratio` is nan"),
    ("04.2", lambda: (list(_accepted()), float("inf")), "not_yet", "`ratio` is inf"),
    ("04.2", lambda: (list(_accepted()), 1 / _ratio(_accepted())), "not_yet", "Your ratio is upside down"),
    ("04.2", lambda: (list(_accepted()), 1.05 * _ratio(_accepted())), "not_yet", "is not (max − min"),
    ("04.2", lambda: ([_accepted()[0]] * 5, 1.0), "not_yet", "the folds did not change with the seed"),
    ("04.2", lambda: (list(cv._reference_04_2_values()["folds_seed0"]), 1.0), "not_yet", "five fold scores of one"),
    ("04.2", lambda: (list(cv._reference_04_2_values()["every_row"]), 1.0), "not_yet", "over all 442 rows"),
    ("04.2", lambda: (list(np.sqrt(_accepted())), 1.0), "not_yet", "root mean squared errors"),
    ("04.2", lambda: (list(_accepted() * 1.01), 1.0), "not_yet", "gives other values"),
    ("04.2", lambda: (list(_accepted())[:4], 1.0), "not_yet", "should hold 5 numbers"),
    ("04.2", lambda: ([float("nan")] * 5, 1.0), "not_yet", "`cv_mse[0]` is nan"),
    ("04.2", lambda: ("3000", 1.0), "not_yet", "`cv_mse` should be a list of 5 numbers"),
    # 04.3
    ("04.3", lambda: _decays(), "correct", "the one-standard-error rule takes the strongest decay"),
    ("04.3", lambda: (np.array(_decays()[0]), np.float32(0.3), torch.tensor(_decays()[2])), "correct", "one-standard"),
    ("04.3", lambda: (torch.tensor(_decays()[0]), torch.tensor(0.3), np.array(_decays()[2])), "correct", "rule"),
    ("04.3", lambda: ([_decays()[0][0]] * 5, 0.3, 1.0), "not_yet", "the weight decay had no effect"),
    ("04.3", lambda: ([cv._cv_04_3(wd, hidden=8).mean for wd in cv.DECAYS_04_3], 0.3, 1.0), "not_yet",
     "8 hidden units"),
    ("04.3", lambda: ([cv._cv_04_3(wd, every_row=True).mean for wd in cv.DECAYS_04_3], 0.3, 1.0), "not_yet",
     "442 rows"),
    ("04.3", lambda: ([v * 1.1 for v in _decays()[0]], 0.3, 1.0), "not_yet", "must equal the CV MSE"),
    ("04.3", lambda: (_decays()[0][:1] + _decays()[0][:0:-1], 0.3, 1.0), "not_yet", "in another order"),
    ("04.3", lambda: (_decays()[0][:4] + [1.0], 0.3, 1.0), "not_yet", "The entries for weight decay 1 differ"),
    ("04.3", lambda: (_decays()[0][:4], 0.3, 1.0), "not_yet", "should hold 5 numbers"),
    ("04.3", lambda: (_decays()[0], 0.1, _decays()[2]), "not_yet", "has the lowest CV MSE, but the one-standard"),
    ("04.3", lambda: (_decays()[0], 0.01, _decays()[2]), "not_yet", "but so is a larger one"),
    ("04.3", lambda: (_decays()[0], 3, _decays()[2]), "not_yet", "looks like a position in the list"),
    ("04.3", lambda: (_decays()[0], 1, _decays()[2]), "not_yet", "is not within one standard error"),
    ("04.3", lambda: (_decays()[0], float("nan"), _decays()[2]), "not_yet", "`chosen_wd` is nan"),
    ("04.3", lambda: (_decays()[0], [0.3], _decays()[2]), "not_yet", "`chosen_wd` should be a number"),
    ("04.3", lambda: (_decays()[0], 0.3, cv._cv_04_3(0.3).mean), "not_yet", "is the CV estimate of the chosen"),
    ("04.3", lambda: (_decays()[0], 0.3, cv._test_04_3(0.1)), "not_yet", "belongs to another weight decay"),
    ("04.3", lambda: (_decays()[0], 0.3, 3000.0), "not_yet", "is not the test MSE"),
    ("04.3", lambda: (_decays()[0], 0.3, float("inf")), "not_yet", "`test_mse` is inf"),
    ("04.3", lambda: (_decays()[0][:4] + [float("inf")], 0.3, 1.0), "not_yet", "`cv_mse[4]` is inf"),
    # 04.4
    ("04.4", lambda: (_hat,), "correct", "from one fit per data set"),
    ("04.4", lambda: (lambda X, y: torch.from_numpy(_hat(X, y)),), "correct", "from one fit"),
    ("04.4", lambda: (lambda X, y: list(_hat(X, y)),), "correct", "from one fit"),
    ("04.4", lambda: (lambda X, y: _hat(X, y).astype(np.float32),), "correct", "from one fit"),
    ("04.4", lambda: (_per_row_refits,), "not_yet", "it refits once per row (brute force)"),
    ("04.4", lambda: (_per_row_h,), "not_yet", "must not grow with the number of rows"),
    ("04.4", lambda: (lambda X, y: loocv_residuals_linear(X, y),), "not_yet", "calls the notebook's"),
    ("04.4", lambda: (lambda X, y: y - cross_val_predict(LinearRegression(), X, y, cv=LeaveOneOut()),), "not_yet",
     "uses scikit-learn"),
    ("04.4", lambda: (lambda X, y: -_hat(X, y),), "not_yet", "The signs are flipped"),
    ("04.4", lambda: (lambda X, y: cv._residuals_and_leverage(X, y)[0],), "not_yet", "ordinary residuals"),
    ("04.4", lambda: (lambda X, y: cv._brute_loo(X, y, intercept=False),), "not_yet", "add a column of ones"),
    ("04.4", lambda: (lambda X, y: _hat(X, y) / (1 - cv._residuals_and_leverage(X, y)[1]),), "not_yet",
     "divided by (1 − h_ii) twice"),
    ("04.4", lambda: (lambda X, y: cv._residuals_and_leverage(X, y)[0] * (1 - cv._residuals_and_leverage(X, y)[1]),),
     "not_yet", "the factor is not"),
    ("04.4", lambda: (lambda X, y: _hat(X, y) + 1,), "not_yet", "Check the hat matrix"),
    ("04.4", lambda: (lambda X, y: _hat(X, y)[:, None] + _hat(X, y),), "not_yet", "broadcasts to (n, n)"),
    ("04.4", lambda: (lambda X, y: None,), "not_yet", "returned nothing (None)"),
    ("04.4", lambda: (lambda X, y: "residuals",), "not_yet", "returned the string"),
    ("04.4", lambda: (lambda X, y: _hat(X, y) * np.nan,), "not_yet", "is nan"),
    ("04.4", lambda: (lambda X, y: X[0, 99],), "not_yet", "Running your code raised IndexError"),
    ("04.4", lambda: (_hat(*cv._data_04_4()[0]),), "not_yet", "Pass the function itself"),
    # 04.5
    ("04.5", lambda: (_forward(), _estimate("forward")), "correct", "equal TimeSeriesSplit's in 5 cases"),
    ("04.5", lambda: (_forward("generator"), np.float64(_estimate("forward"))), "correct", "TimeSeriesSplit"),
    ("04.5", lambda: (_forward("tensors"), torch.tensor(_estimate("forward"))), "correct", "TimeSeriesSplit"),
    ("04.5", lambda: (_forward("lists"), np.array(_estimate("forward"))), "correct", "TimeSeriesSplit"),
    ("04.5", lambda: (_forward("no gap"), 1.0), "not_yet", "inside the gap of 2 days"),
    ("04.5", lambda: (_forward("leak"), 1.0), "not_yet", "a forward split trains only on the past"),
    ("04.5", lambda: (_forward("first blocks"), 1.0), "not_yet", "the k validation blocks are the last"),
    ("04.5", lambda: (_forward("sliding"), 1.0), "not_yet", "it should train on every day before"),
    ("04.5", lambda: (_forward("one fewer"), 1.0), "not_yet", "returned 4 splits; it should return k = 5"),
    ("04.5", lambda: (_forward("sklearn"), 1.0), "not_yet", "uses scikit-learn (TimeSeriesSplit)"),
    ("04.5", lambda: (_forward("none"), 1.0), "not_yet", "should return a list of (training days"),
    ("04.5", lambda: (_forward("triples"), 1.0), "not_yet", "each split should be a pair"),
    ("04.5", lambda: (_forward(), _estimate("notebook")), "not_yet", "the notebook's estimate with 5 splits"),
    ("04.5", lambda: (_forward(), _estimate("shuffled")), "not_yet", "is what shuffled folds estimate"),
    ("04.5", lambda: (_forward(), _estimate("truth")), "not_yet", "is the error on days 200–219"),
    ("04.5", lambda: (_forward(), 2.0), "not_yet", "is not the mean, over your 4 forward splits"),
    ("04.5", lambda: (_forward(), float("nan")), "not_yet", "`forward_mse` is nan"),
    ("04.5", lambda: (_forward(), "2.55"), "not_yet", "`forward_mse` should be a number"),
    ("04.5", lambda: (lambda n, k, size: [], 1.0), "not_yet", "Running your code raised TypeError"),
    ("04.5", lambda: ("forward_splits", 1.0), "not_yet", "Pass the function itself"),
]


@pytest.mark.parametrize(("exercise_id", "answers", "status", "phrase"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_case(exercise_id, answers, status, phrase):
    feedback = exercises.evaluate(exercise_id, *answers())
    assert feedback.status == status, feedback.en
    assert phrase in feedback.en, feedback.en
    assert HANGUL.search(feedback.ko) and feedback.ko != feedback.en


def test_04_4_and_04_5_slow_functions_are_stopped(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 1.0)
    start = time.monotonic()
    assert "time limit" in exercises.evaluate("04.4", _slow).en
    assert "time limit" in exercises.evaluate("04.5", lambda *a, **k: time.sleep(30), 1.0).en
    assert time.monotonic() - start < 5


def test_04_5_reference_splits_are_scikit_learns_and_the_messages_are_true():
    for n, k, size, gap in cv.FORWARD_CASES:
        ours = cv.forward_splits_reference(n, k, size, gap)
        theirs = cv._sklearn_forward(n, k, size, gap)
        assert all(np.array_equal(a, c) and np.array_equal(b, d) for (a, b), (c, d) in zip(ours, theirs, strict=True))
    e = cv._forward_estimates()
    assert e["shuffled"] < 0.6 * e["truth"] < e["truth"] < e["forward"] < 1.2 * e["truth"]  # "about half", "close"


def test_04_4_placeholder_return_is_not_attempted():
    assert exercises.evaluate("04.4", lambda X, y: ...).status == "not_attempted"


def test_04_3_the_rule_chooses_other_than_the_lowest_and_the_solution_paragraph_is_true():
    best, limit, chosen = cv._one_se_choice()
    assert (best, chosen) == (0.1, 0.3)
    assert [wd for wd in cv.DECAYS_04_3 if cv._cv_04_3(wd).mean <= limit] == [0, 0.01, 0.1, 0.3]


def test_04_1_reference_is_the_notebooks_train_big():
    runs, best = _runs()
    assert set(runs) == {1e-2, 1e-1} and all(len(r.val_loss) == 60 for r in runs.values())
    assert best == {1e-2: 9, 1e-1: 41}  # what the solution's paragraph says


def test_04_2_the_four_accepted_definitions_differ_and_agree_with_a_learners_code():
    values = cv._reference_04_2_values()["accepted"]
    assert np.allclose(_learner_kfold(False), values[("KFold", "mean")], rtol=1e-10)
    assert np.allclose(_learner_kfold(True), values[("KFold", "pooled")], rtol=1e-10)
    mean, pooled = values[("kfold_splits", "mean")], values[("kfold_splits", "pooled")]
    assert not np.allclose(mean, pooled, rtol=1e-6) and np.allclose(mean, pooled, rtol=1e-2)
    X, y, train_idx, _ = cv._diabetes()
    folds = [np.mean((LinearRegression().fit(X[train_idx[a]], y[train_idx[a]]).predict(X[train_idx[b]])
                      - y[train_idx[b]]) ** 2) for a, b in kfold_splits(len(train_idx), 5, shuffle=True, seed=0)]
    assert np.isclose(np.mean(folds), mean[0], rtol=1e-10)


def test_04_4_brute_force_reference_is_right():
    X, y = cv._data_04_4()[0]
    assert np.allclose(cv._brute_loo(X, y), cv._solution_loo(X, y), rtol=1e-9, atol=1e-9)
