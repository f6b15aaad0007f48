import math

import numpy as np
import pytest
import torch
from sklearn.linear_model import Perceptron as SklearnPerceptron

from chapter5_utils.perceptron import Perceptron, step

GATES_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATES_Y = {
    "AND": np.array([-1.0, -1.0, -1.0, 1.0]),
    "OR": np.array([-1.0, 1.0, 1.0, 1.0]),
    "XOR": np.array([-1.0, 1.0, 1.0, -1.0]),
}


def _blobs(n=120, d=3, seed=0, separable=True):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d)
    score = X @ w + 0.4
    if separable:
        keep = np.abs(score) > 0.3  # a margin, so the rule must converge
        X, score = X[keep], score[keep]
    else:
        score = score + rng.normal(size=score.shape)
    return X, np.where(score > 0, 1.0, -1.0)


def _sklearn(X, y, lr, epochs):
    return SklearnPerceptron(eta0=lr, penalty=None, shuffle=False, max_iter=epochs, tol=None).fit(X, y)


def test_step_is_plus_one_only_for_positive_net_input():
    z = torch.tensor([-2.0, -1e-12, 0.0, 1e-12, 3.0])
    assert step(z).tolist() == [-1.0, -1.0, -1.0, 1.0, 1.0]
    assert step(z).dtype == torch.float64


@pytest.mark.parametrize("gate", ["AND", "OR"])
def test_linearly_separable_gates_converge_to_zero_mistakes(gate):
    p = Perceptron(lr=1.0).fit(GATES_X, GATES_Y[gate], epochs=15)
    assert p.mistakes[-1] == 0
    assert p.predict(GATES_X).tolist() == GATES_Y[gate].tolist()
    # every training point strictly on its own side: no point is left on the boundary
    assert (torch.as_tensor(GATES_Y[gate]) * p.decision_function(GATES_X) > 0).all()


def test_xor_never_converges():
    p = Perceptron(lr=1.0).fit(GATES_X, GATES_Y["XOR"], epochs=50)
    assert len(p.mistakes) == 50
    assert min(p.mistakes) > 0
    assert (p.predict(GATES_X).numpy() == GATES_Y["XOR"]).mean() < 1.0


@pytest.mark.parametrize(
    ("lr", "epochs", "seed", "separable"), [(1.0, 5, 0, True), (0.1, 20, 1, False), (0.37, 7, 2, False)]
)
def test_matches_sklearn_perceptron_exactly(lr, epochs, seed, separable):
    X, y = _blobs(seed=seed, separable=separable)
    ours = Perceptron(lr=lr).fit(X, y, epochs=epochs)
    ref = _sklearn(X, y, lr, epochs)
    np.testing.assert_allclose(ours.weights.numpy(), ref.coef_[0], rtol=0, atol=1e-12)
    assert ours.bias == pytest.approx(ref.intercept_[0], abs=1e-12)
    np.testing.assert_allclose(ours.decision_function(X).numpy(), ref.decision_function(X), atol=1e-10)
    np.testing.assert_array_equal(ours.predict(X).numpy(), ref.predict(X))


@pytest.mark.parametrize("gate", ["AND", "OR", "XOR"])
def test_gates_match_sklearn(gate):
    ours = Perceptron(lr=1.0).fit(GATES_X, GATES_Y[gate], epochs=12)
    ref = _sklearn(GATES_X, GATES_Y[gate], 1.0, 12)
    assert ours.weights.tolist() == ref.coef_[0].tolist()
    assert ours.bias == ref.intercept_[0]


def test_weights_change_only_on_mistakes():
    X, y = _blobs(seed=3)
    p = Perceptron(lr=0.5).fit(X, y, epochs=30)
    assert p.mistakes[-1] == 0
    converged = p.weights.clone(), p.bias
    p.fit(X, y, epochs=31)  # one more epoch without mistakes must not move anything
    assert torch.equal(p.weights, converged[0]) and p.bias == converged[1]


def test_one_epoch_update_is_the_sum_over_mistaken_rows():
    # From zero weights the first row always counts as a mistake (y·z = 0), and the update is lr·y·x.
    X = np.array([[2.0, -1.0]])
    p = Perceptron(lr=0.5).fit(X, np.array([-1.0]), epochs=1)
    assert p.mistakes == [1]
    assert p.weights.tolist() == [-1.0, 0.5] and p.bias == -0.5


def test_fit_restarts_from_zero_and_accepts_torch_input():
    X, y = _blobs(seed=4, separable=False)
    a = Perceptron(lr=0.2).fit(X, y, epochs=3)
    b = Perceptron(lr=0.2).fit(torch.tensor(X), torch.tensor(y), epochs=3)
    a.fit(X, y, epochs=3)
    assert torch.equal(a.weights, b.weights) and a.bias == b.bias and a.mistakes == b.mistakes
    assert a.predict(torch.tensor(X, dtype=torch.float32)).shape == (len(X),)


@pytest.mark.parametrize("lr", [0, -0.1, math.nan, math.inf, True, "0.1", None])
def test_rejects_bad_learning_rate(lr):
    with pytest.raises(ValueError, match="lr .*must be a positive finite number"):
        Perceptron(lr=lr)


@pytest.mark.parametrize("epochs", [0, -1, 2.0, True, "3"])
def test_rejects_bad_epochs(epochs):
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        Perceptron().fit(GATES_X, GATES_Y["AND"], epochs=epochs)


@pytest.mark.parametrize("X", [np.zeros(4), np.zeros((4, 2, 1)), np.zeros((0, 2)), np.zeros((4, 0))])
def test_rejects_x_of_wrong_shape(X):
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, n_features\)"):
        Perceptron().fit(X, GATES_Y["AND"], epochs=1)


def test_rejects_non_finite_x_and_non_array_input():
    X = GATES_X.copy()
    X[1, 0] = np.nan
    with pytest.raises(ValueError, match="X must contain only finite numbers"):
        Perceptron().fit(X, GATES_Y["AND"], epochs=1)
    with pytest.raises(TypeError, match="X must be a torch tensor or a NumPy array, got list"):
        Perceptron().fit(GATES_X.tolist(), GATES_Y["AND"], epochs=1)
    with pytest.raises(TypeError, match="y must be a torch tensor or a NumPy array, got list"):
        Perceptron().fit(GATES_X, [-1, -1, -1, 1], epochs=1)


@pytest.mark.parametrize("y", [np.ones(3), np.ones((4, 1)), np.ones(5)])
def test_rejects_y_of_wrong_shape(y):
    with pytest.raises(ValueError, match=r"y must have shape \(4,\), one label per row of X"):
        Perceptron().fit(GATES_X, y, epochs=1)


@pytest.mark.parametrize(
    ("y", "shown"), [([0.0, 0.0, 0.0, 1.0], r"\[0.0\]"), ([-1.0, 2.0, 1.0, 0.5], r"\[0.5, 2.0\]")]
)
def test_rejects_labels_outside_minus_one_plus_one(y, shown):
    with pytest.raises(ValueError, match=rf"y must contain only -1 and \+1, got {shown}"):
        Perceptron().fit(GATES_X, np.array(y), epochs=1)


def test_predict_before_fit_and_with_wrong_feature_count():
    with pytest.raises(RuntimeError, match="not fitted yet"):
        Perceptron().predict(GATES_X)
    p = Perceptron().fit(GATES_X, GATES_Y["OR"], epochs=5)
    with pytest.raises(ValueError, match="X must have 2 features like the training data, got 3"):
        p.decision_function(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="X must have 2 features"):
        p.predict(np.zeros((2, 1)))


def test_step_rejects_non_numbers_and_perceptron_accepts_numpy_numbers():
    with pytest.raises(TypeError, match="z must be a tensor, an array or numbers, got str"):
        step("a")
    assert Perceptron(lr=np.float32(0.5)).lr == 0.5
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    assert len(Perceptron().fit(X, np.array([-1.0, 1.0]), epochs=np.int64(3)).mistakes) == 3
