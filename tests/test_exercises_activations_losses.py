"""The checks of notebook 02's exercises answer typical wrong answers with their specific message."""

import contextlib
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from chapter5_utils import fit
from chapter5_utils import functions as fn
from chapter5_utils.exercises import activations_losses as al
from chapter5_utils.exercises import evaluate

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _feedback(exercise_id, *answers):
    feedback = evaluate(exercise_id, *answers)
    assert feedback.en and HANGUL.search(feedback.ko), feedback
    assert "Traceback" not in feedback.en and "raised" not in feedback.en, feedback.en
    return feedback


def _not_yet(exercise_id, *answers, says):
    feedback = _feedback(exercise_id, *answers)
    assert feedback.status == "not_yet", feedback.en
    assert says in feedback.en, feedback.en
    return feedback


@contextlib.contextmanager
def float64_default():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


# --- 02.1 -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def norms():
    return al._reference_norms()


def test_thirty_layers_reference_is_what_the_notebook_measures(norms):
    # The notebook's cell, written out independently: 30 Linear(64, 64) + activation, N(0, 1/64) weights.
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
    assert norms["sigmoid"][0] / norms["sigmoid"][-1] < 1e-15  # sigmoid vanishes over 30 layers
    for name in ("tanh", "ReLU", "Leaky ReLU", "ELU"):
        assert 1 / 3 < norms[name][0] / norms[name][-1] < 3


def test_thirty_layers_accepts_other_spellings_and_arrays(norms):
    answer = {"Sigmoid": np.array(norms["sigmoid"]), "TANH": torch.tensor(norms["tanh"]), "relu": norms["ReLU"],
              "leaky_relu": tuple(norms["Leaky ReLU"]), "elu": norms["ELU"]}
    assert _feedback("02.1", answer, ("sigmoid",)).status == "correct"


def test_thirty_layers_wrong_types(norms):
    _not_yet("02.1", [1.0, 2.0], ["sigmoid"], says="should be a dictionary")
    _not_yet("02.1", {**norms, "tanh": "many"}, ["sigmoid"], says="norms_30['tanh'] should be a list of numbers")
    _not_yet("02.1", norms, "sigmoid", says="vanishing should be a list of activation names")
    _not_yet("02.1", norms, ["sigmoid", "softplus"], says="'softplus', which is not one of")


def test_thirty_layers_missing_activation(norms):
    answer = {k: v for k, v in norms.items() if k != "ELU"}
    _not_yet("02.1", answer, ["sigmoid"], says="no entry for ELU")


def test_thirty_layers_twelve_layers_instead_of_thirty(norms):
    answer = {**norms, "ReLU": norms["ReLU"][:12]}
    _not_yet("02.1", answer, ["sigmoid"], says="has 12 values, but a 30-layer network has 30")


def test_thirty_layers_swapped_modules(norms):
    answer = {**norms, "ELU": norms["Leaky ReLU"], "Leaky ReLU": norms["ELU"]}
    _not_yet("02.1", answer, ["sigmoid"], says="holds the gradient norms of ELU, not of Leaky ReLU")


def test_thirty_layers_reversed_and_other_values(norms):
    _not_yet("02.1", {**norms, "tanh": norms["tanh"][::-1]}, ["sigmoid"], says="reverse order")
    shifted = [2 * v for v in norms["tanh"]]
    _not_yet("02.1", {**norms, "tanh": shifted}, ["sigmoid"], says="differs from the notebook's measurement")


def test_thirty_layers_wrong_vanishing_lists(norms):
    _not_yet("02.1", norms, ["sigmoid", "ReLU"], says="You listed ReLU")
    _not_yet("02.1", norms, [], says="sigmoid is missing from vanishing")


# --- 02.2 -------------------------------------------------------------------------------------


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
    (positive, centred, cause), _ = al._reference_diagonal()
    assert [positive, centred] == _fewest_steps_vectorised((1.0, 1.0))
    assert positive > 5 * centred and cause == "curvature"


def test_diagonal_old_optimum_swapped_and_far_off():
    positive, centred = _fewest_steps_vectorised((1.0, 1.0))
    old_positive, old_centred = _fewest_steps_vectorised((1.0, -1.0))
    _not_yet("02.2", old_positive, old_centred, "curvature", says="counts for the old optimum w* = (1, −1)")
    _not_yet("02.2", centred, positive, "curvature", says="the other way round")
    _not_yet("02.2", 4 * positive, centred, "curvature", says=f"steps_positive = {4 * positive} is not the fewest")
    _not_yet("02.2", positive, centred + 5, "curvature", says="steps_centred")


def test_diagonal_cause():
    positive, centred = _fewest_steps_vectorised((1.0, 1.0))
    _not_yet("02.2", positive, centred, "sign", says="the cause is not the sign")
    _not_yet("02.2", positive, centred, "curv", says='should be the string "sign" or "curvature"')
    ok = _feedback("02.2", np.int64(positive + 1), torch.tensor(centred), " Curvature ")
    assert ok.status == "correct" and "μμᵀ" in ok.en


def test_diagonal_wrong_types():
    _not_yet("02.2", float("nan"), 3, "curvature", says="steps_positive is nan")
    _not_yet("02.2", "26", 3, "curvature", says="steps_positive should be a number of steps")
    _not_yet("02.2", 26, [3], "curvature", says="steps_centred should be a number of steps")


# --- 02.3 -------------------------------------------------------------------------------------


def _line(slope, intercept):
    line = nn.Linear(1, 1, dtype=torch.float64)
    with torch.no_grad():
        line.weight.fill_(slope)
        line.bias.fill_(intercept)
    return line


def test_huber_solution_code_passes():
    # What the solution tells the learner to run, in the notebook's float64.
    x_out, y_out = al._outlier_data()
    with float64_default():
        torch.manual_seed(0)
        huber_line = nn.Linear(1, 1)
        optimizer = torch.optim.Adam(huber_line.parameters(), lr=0.05)
        fit(huber_line, x_out, y_out, loss_fn=F.huber_loss, optimizer=optimizer, epochs=400, batch_size=40)
    feedback = _feedback("02.3", huber_line, "MAE")
    assert feedback.status == "correct", feedback.en


def test_huber_mse_mae_and_untrained_lines():
    x, y = al._outlier_data()
    A = torch.cat([x, torch.ones_like(x)], dim=1)
    slope, intercept = torch.linalg.lstsq(A, y).solution.flatten().tolist()  # the MSE line
    _not_yet("02.3", _line(slope, intercept), "MAE", says="is the MSE fit")
    mae_slope, mae_intercept = al._robust_line(x, y, "MAE")
    assert abs(mae_slope - slope) > 1  # the outliers tilt the MSE line, not the MAE line
    _not_yet("02.3", _line(mae_slope, mae_intercept), "MAE", says="is the MAE fit")
    torch.manual_seed(0)
    _not_yet("02.3", nn.Linear(1, 1), "MAE", says="is not the Huber fit yet")


def test_huber_wrong_types_and_wrong_observation():
    _not_yet("02.3", (2.16, 0.99), "MAE", says="should be a trained nn.Linear(1, 1), got tuple")
    _not_yet("02.3", nn.Linear(2, 1), "MAE", says="should be a trained nn.Linear(1, 1), got Linear")
    (line, _), _ = al._reference_huber()
    _not_yet("02.3", line, "MSE", says="compare its slope with the MAE and MSE slopes")
    _not_yet("02.3", line, 1, says='closer_to should be the string "MAE" or "MSE"')


# --- 02.4 -------------------------------------------------------------------------------------


def _digits_train():
    from chapter5_utils import as_tensors, load_digits, standardize
    from chapter5_utils.cv import holdout_split

    digits = load_digits()
    train_idx, test_idx = holdout_split(len(digits.y), test_size=0.25, seed=0)
    X_train, _ = as_tensors(*standardize(digits.X[train_idx], digits.X[test_idx]), dtype=torch.float64)
    return X_train, torch.as_tensor(digits.y[train_idx], dtype=torch.long)


def test_digits_cross_entropy_model_is_not_an_mse_model():
    X_train, y_train = _digits_train()
    with float64_default():
        torch.manual_seed(0)
        model = nn.Linear(64, 10)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        fit(model, X_train, y_train, loss_fn=fn.cross_entropy, optimizer=optimizer, epochs=10, seed=0)
    _not_yet("02.4", model, False, says="far from the one-hot targets")


def test_digits_untrained_and_misshapen_models():
    torch.manual_seed(0)
    _not_yet("02.4", nn.Linear(64, 10), False, says="close to guessing")
    _not_yet("02.4", nn.Linear(64, 3), False, says="outputs of shape (450, 3)")
    _not_yet("02.4", nn.Linear(10, 10), False, says="could not score the 64-pixel test images")
    _not_yet("02.4", "model", False, says="should be a trained nn.Linear(64, 10), got str")


def test_digits_observation():
    (model, answer), _ = al._reference_digits()
    assert answer is False
    _not_yet("02.4", model, True, says="look again at its outputs")
    _not_yet("02.4", model, "no", says="should be True or False")
    feedback = _feedback("02.4", model, False)
    assert feedback.status == "correct" and "not probabilities" in feedback.en
