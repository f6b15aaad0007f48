"""Exercises of notebook 04: typical wrong answers get their own message, wrong types a "not yet"
(never an exception), and every message has its Korean text.

Right answers are computed here the way the notebook and the solutions compute them (scikit-learn,
``cross_validate``, ``fit``), not by the check's own helpers, so that a wrong reference would fail.
"""

import re

import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression
from torch import nn

from chapter5_utils import as_tensors, exercises, fit, load_diabetes, set_seed, standardize
from chapter5_utils.cv import cross_validate, holdout_split, kfold_splits
from chapter5_utils.exercises import cross_validation as cvx
from chapter5_utils.training import History

HANGUL = re.compile(r"[\uac00-\ud7a3]")
TRAIN_CFG = dict(lr=0.05, epochs=20, batch_size=64)


def feedback(exercise_id, *answers):
    result = exercises.evaluate(exercise_id, *answers)
    assert HANGUL.search(result.ko), result.ko
    return result


@pytest.fixture
def float64():
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


@pytest.fixture(scope="module")
def notebook_data():
    """The notebook's data: X, y (a column), train_idx, test_idx."""
    data = load_diabetes()
    X, y = data.X, data.y[:, None]
    train_idx, test_idx = holdout_split(len(X), 0.2, seed=0)
    return X, y, train_idx, test_idx


# --------------------------------------------------------------------------- 04.1


def history(losses):
    run = History()
    run.val_loss = [float(v) for v in losses]
    return run


def fake_run(weight_decay, epochs=60, lowest_at=30):
    """A History that starts like the real run with ``weight_decay`` and has its minimum at ``lowest_at`` (from 1)."""
    losses = list(cvx._prefix(weight_decay)) + [0.9] * (epochs - cvx.PREFIX)
    if epochs >= lowest_at > cvx.PREFIX:
        losses[lowest_at - 1] = 0.1
    return history(losses)


def test_04_1_the_run_without_weight_decay_is_recognised(notebook_data, float64):
    X, y, train_idx, _ = notebook_data
    fit_part, val_part = holdout_split(len(train_idx), 0.25, seed=1)
    Xf, Xv = standardize(X[train_idx[fit_part]], X[train_idx[val_part]])
    yf, yv = standardize(y[train_idx[fit_part]], y[train_idx[val_part]])
    Xf, Xv, yf, yv = as_tensors(Xf, Xv, yf, yv, dtype=torch.float64)
    set_seed(0)  # the notebook's train_big() as it stands, without weight decay
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    run = fit(model, Xf, yf, loss_fn=nn.functional.mse_loss, optimizer=opt, epochs=60, X_val=Xv, y_val=yv, seed=0)
    result = feedback("04.1", {1e-2: run, 1e-1: run}, {1e-2: 9, 1e-1: 9})
    assert result.status == "not_yet" and "run without weight decay" in result.en
    assert "weight_decay to torch.optim.Adam" in result.en


def test_04_1_early_stopped_and_swapped_runs():
    stopped = feedback("04.1", {1e-2: fake_run(1e-2, epochs=24, lowest_at=9), 1e-1: fake_run(1e-1)},
                       {1e-2: 9, 1e-1: 30})
    assert stopped.status == "not_yet" and "24 epochs, not 60" in stopped.en and "patience" in stopped.en
    swapped = feedback("04.1", {1e-2: fake_run(1e-1), 1e-1: fake_run(1e-2)}, {1e-2: 30, 1e-1: 30})
    assert swapped.status == "not_yet" and "swapped" in swapped.en


def test_04_1_other_settings_get_the_general_message():
    other = history([v * 1.01 for v in cvx._prefix(1e-2)] + [0.9] * 57)
    result = feedback("04.1", {1e-2: other, 1e-1: fake_run(1e-1)}, {1e-2: 4, 1e-1: 30})
    assert result.status == "not_yet" and "lr=1e-3" in result.en and "set_seed(0)" in result.en


def test_04_1_best_epoch_off_by_one_or_wrong():
    runs = {1e-2: fake_run(1e-2, lowest_at=9), 1e-1: fake_run(1e-1, lowest_at=41)}
    assert feedback("04.1", runs, {1e-2: 9, 1e-1: 41}).status == "correct"
    zero_based = feedback("04.1", runs, {1e-2: 8, 1e-1: 41})
    assert zero_based.status == "not_yet" and "one too small" in zero_based.en
    wrong = feedback("04.1", runs, {1e-2: 9, 1e-1: 20})
    assert wrong.status == "not_yet" and "lower elsewhere" in wrong.en and "41" not in wrong.en
    outside = feedback("04.1", runs, {1e-2: 9, 1e-1: 61})
    assert outside.status == "not_yet" and "no such epoch" in outside.en


@pytest.mark.parametrize(
    ("runs", "best_epoch", "says"),
    [
        ([1, 2], {1e-2: 9, 1e-1: 41}, "should be a dict with the keys 1e-2 and 1e-1"),
        ({"1e-2": 1, "1e-1": 2}, {1e-2: 9, 1e-1: 41}, "should be a dict with the keys 1e-2 and 1e-1"),
        ({1e-2: 0.43, 1e-1: 0.41}, {1e-2: 9, 1e-1: 41}, "should be the History that train_big returns"),
        ("runs", None, "should be a dict"),
    ],
)
def test_04_1_wrong_types_get_a_message(runs, best_epoch, says):
    result = feedback("04.1", runs, best_epoch)
    assert result.status == "not_yet" and says in result.en


def test_04_1_best_epoch_must_be_a_whole_number():
    runs = {1e-2: fake_run(1e-2, lowest_at=9), 1e-1: fake_run(1e-1, lowest_at=41)}
    result = feedback("04.1", runs, {1e-2: 9.0, 1e-1: 41})
    assert result.status == "not_yet" and "whole number" in result.en


# --------------------------------------------------------------------------- 04.2


def linear_cv(X, y, rows, seed, k=5):
    """The solution's loop: mean validation MSE of LinearRegression over K folds of ``rows``."""
    fold_mse = []
    for a, b in kfold_splits(len(rows), k, shuffle=True, seed=seed):
        tr, va = rows[a], rows[b]
        fitted = LinearRegression().fit(X[tr], y[tr])
        fold_mse.append(np.mean((fitted.predict(X[va]) - y[va]) ** 2))
    return float(np.mean(fold_mse)), fold_mse


@pytest.fixture(scope="module")
def answer_04_2(notebook_data):
    X, y, train_idx, _ = notebook_data
    holdout = []
    for seed in range(10):  # section 2 of the notebook, with its scaling
        tr, va = holdout_split(len(train_idx), 0.25, seed=seed)
        Xa, Xb = standardize(X[train_idx[tr]], X[train_idx[va]])
        fitted = LinearRegression().fit(Xa, y[train_idx[tr]])
        holdout.append(np.mean((fitted.predict(Xb) - y[train_idx[va]]) ** 2))
    cv_mse = [linear_cv(X, y, train_idx, s)[0] for s in range(5)]
    return cv_mse, (max(holdout) - min(holdout)) / (max(cv_mse) - min(cv_mse))


def test_04_2_the_solution_passes(answer_04_2):
    cv_mse, ratio = answer_04_2
    assert feedback("04.2", cv_mse, ratio).status == "correct"
    assert feedback("04.2", np.array(cv_mse), ratio * 1.04).status == "correct"  # within the stated 5 %


def test_04_2_typical_wrong_answers(notebook_data, answer_04_2):
    X, y, train_idx, _ = notebook_data
    cv_mse, ratio = answer_04_2
    unshuffled = feedback("04.2", [cv_mse[0]] * 5, ratio)
    assert unshuffled.status == "not_yet" and "shuffle=True, seed=s" in unshuffled.en
    folds = feedback("04.2", linear_cv(X, y, train_idx, 0)[1], ratio)
    assert folds.status == "not_yet" and "five fold scores of one CV run" in folds.en
    every_row = feedback("04.2", [linear_cv(X, y, np.arange(len(X)), s)[0] for s in range(5)], ratio)
    assert every_row.status == "not_yet" and "all 442 rows" in every_row.en
    rmse = feedback("04.2", np.sqrt(cv_mse), ratio)
    assert rmse.status == "not_yet" and "root mean squared" in rmse.en
    three_fold = feedback("04.2", [linear_cv(X, y, train_idx, s, k=3)[0] for s in range(5)], ratio)
    assert three_fold.status == "not_yet" and "Check k=5" in three_fold.en


def test_04_2_the_ratio_is_checked_within_five_percent(answer_04_2):
    cv_mse, ratio = answer_04_2
    upside_down = feedback("04.2", cv_mse, 1 / ratio)
    assert upside_down.status == "not_yet" and "upside down" in upside_down.en
    off = feedback("04.2", cv_mse, ratio * 1.2)
    assert off.status == "not_yet" and "more than 5%" in off.en


@pytest.mark.parametrize(
    ("cv_mse", "ratio", "says"),
    [
        ("3000", 10.0, "should be a list of five numbers"),
        ([3000.0] * 4, 10.0, "should be a list of five numbers"),
        ([[3000.0] * 5], 10.0, "should be a list of five numbers"),
        (None, 10.0, "should be a list of five numbers"),
    ],
)
def test_04_2_wrong_types_get_a_message(cv_mse, ratio, says):
    result = feedback("04.2", cv_mse, ratio)
    assert result.status == "not_yet" and says in result.en


def test_04_2_a_ratio_that_is_no_number(answer_04_2):
    result = feedback("04.2", answer_04_2[0], "ten")
    assert result.status == "not_yet" and "ratio should be one number" in result.en


# --------------------------------------------------------------------------- 04.3

DECAYS = [0, 1e-2, 1e-1, 1]


@pytest.fixture(scope="module")
def answer_04_3(notebook_data):
    X, y, train_idx, _ = notebook_data
    five = [(train_idx[a], train_idx[b]) for a, b in kfold_splits(len(train_idx), 5, shuffle=True, seed=0)]
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        def small_mlp(hidden=8):
            return nn.Sequential(nn.Linear(10, hidden), nn.ReLU(), nn.Linear(hidden, 1))

        cv_mse = [cross_validate(lambda: small_mlp(64), X, y, five, weight_decay=wd, **TRAIN_CFG).mean
                  for wd in DECAYS]
        hidden8 = cross_validate(small_mlp, X, y, five, **TRAIN_CFG).mean
    finally:
        torch.set_default_dtype(old)
    return cv_mse, DECAYS[int(np.argmin(cv_mse))], hidden8


def test_04_3_the_solution_passes(answer_04_3):
    cv_mse, best_wd, _ = answer_04_3
    result = feedback("04.3", cv_mse, best_wd)
    assert result.status == "correct" and "standard error" in result.en


def test_04_3_typical_wrong_answers(answer_04_3):
    cv_mse, best_wd, hidden8 = answer_04_3
    no_effect = feedback("04.3", [cv_mse[0]] * 4, 0)
    assert no_effect.status == "not_yet" and "weight decay had no effect" in no_effect.en
    eight = feedback("04.3", [hidden8, *cv_mse[1:]], best_wd)
    assert eight.status == "not_yet" and "8 hidden units" in eight.en
    reordered = feedback("04.3", [cv_mse[0], *cv_mse[1:][::-1]], best_wd)
    assert reordered.status == "not_yet" and "another order" in reordered.en
    one_off = feedback("04.3", [cv_mse[0], cv_mse[1] * 1.1, *cv_mse[2:]], best_wd)
    assert one_off.status == "not_yet" and "weight decay 0.01 differ" in one_off.en
    other = feedback("04.3", [c * 1.1 for c in cv_mse], best_wd)
    assert other.status == "not_yet" and "hidden 64" in other.en


def test_04_3_the_choice_is_checked(answer_04_3):
    cv_mse, best_wd, _ = answer_04_3
    worst = DECAYS[int(np.argmax(cv_mse))]
    highest = feedback("04.3", cv_mse, worst)
    assert highest.status == "not_yet" and "highest CV MSE" in highest.en
    position = feedback("04.3", cv_mse, DECAYS.index(best_wd))
    assert position.status == "not_yet" and "position" in position.en
    no_number = feedback("04.3", cv_mse, "0.1")
    assert no_number.status == "not_yet" and "one weight decay value" in no_number.en


@pytest.mark.parametrize("cv_mse", [3000.0, [3000.0, 3100.0], ["a", "b", "c", "d"], {"0": 1}])
def test_04_3_wrong_types_get_a_message(cv_mse):
    result = feedback("04.3", cv_mse, 0.1)
    assert result.status == "not_yet" and "should be a list of four numbers" in result.en


# --------------------------------------------------------------------------- 04.4


def design(X):
    return np.column_stack([np.ones(len(X)), X])


def residuals_and_leverage(X, y, intercept=True):
    A = design(X) if intercept else X
    H = A @ np.linalg.pinv(A)
    return y - H @ y, np.diag(H)


def test_04_4_right_answers_in_numpy_and_torch():
    def with_numpy(X, y):
        e, h = residuals_and_leverage(X, y)
        return e / (1 - h)

    def with_torch(X, y):
        A = torch.as_tensor(design(X))
        H = A @ torch.linalg.solve(A.T @ A, A.T)
        e = torch.as_tensor(y) - H @ torch.as_tensor(y)
        return e / (1 - torch.diagonal(H))

    assert feedback("04.4", with_numpy).status == "correct"
    assert feedback("04.4", with_torch).status == "correct"


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (lambda X, y: residuals_and_leverage(X, y)[0], "ordinary residuals e_i"),
        (lambda X, y: None, "nothing (None)"),
        (lambda X, y: residuals_and_leverage(X, y, intercept=False)[0]
         / (1 - residuals_and_leverage(X, y, intercept=False)[1]), "add a column of ones"),
        (lambda X, y: -residuals_and_leverage(X, y)[0] / (1 - residuals_and_leverage(X, y)[1]), "signs are flipped"),
        (lambda X, y: residuals_and_leverage(X, y)[0] / (1 - residuals_and_leverage(X, y)[1]) ** 2, "twice"),
        (lambda X, y: residuals_and_leverage(X, y)[0] * (1 - residuals_and_leverage(X, y)[1]), "factor is not"),
        (lambda X, y: (residuals_and_leverage(X, y)[0] / (1 - residuals_and_leverage(X, y)[1]))[:, None],
         "1-D array"),
        (lambda X, y: y - y.mean(), "differs from the brute-force refit"),
        (lambda X, y: residuals_and_leverage(X, y)[0] / (1 - residuals_and_leverage(X, y)[1])[:, None], "broadcasts"),
    ],
)
def test_04_4_typical_wrong_answers(answer, says):
    result = feedback("04.4", answer)
    assert result.status == "not_yet" and says in result.en, result.en


def test_04_4_a_result_or_an_error_instead_of_a_function():
    not_callable = feedback("04.4", np.zeros(12))
    assert not_callable.status == "not_yet" and "Pass the function itself" in not_callable.en

    def broken(X, y):
        return np.linalg.inv(X.T @ X[:-1])

    raised = feedback("04.4", broken)
    assert raised.status == "not_yet" and "raised" in raised.en


def test_04_4_an_unfinished_function_is_not_attempted():
    def unfinished(X, y):
        return ...

    result = exercises.evaluate("04.4", unfinished)
    assert result.status == "not_attempted"
    assert result.en == exercises.not_attempted_message("04.4", "en")
