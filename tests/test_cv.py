import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, LeaveOneOut, cross_val_predict, train_test_split
from torch import nn

from chapter5_utils.cv import (
    CVResult,
    cross_validate,
    holdout_split,
    kfold_splits,
    loocv_mse_linear,
    loocv_residuals_linear,
    loocv_splits,
)


def _pairs(splits):
    return [(np.asarray(a), np.asarray(b)) for a, b in splits]


def _assert_same_folds(ours, theirs):
    ours, theirs = _pairs(ours), _pairs(theirs)
    assert len(ours) == len(theirs)
    for (a, b), (c, d) in zip(ours, theirs):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


@pytest.mark.parametrize(
    "n, k", [(n, k) for n in (2, 3, 7, 10, 11, 23, 100, 442) for k in (2, 3, 4, 5, 7, 10) if k <= n]
)
def test_kfold_equals_sklearn_kfold(n, k):
    _assert_same_folds(kfold_splits(n, k), KFold(n_splits=k).split(np.zeros(n)))


@pytest.mark.parametrize("n", [2, 3, 10, 57])
def test_loocv_equals_sklearn_leave_one_out(n):
    _assert_same_folds(loocv_splits(n), LeaveOneOut().split(np.zeros(n)))
    _assert_same_folds(kfold_splits(n, n), LeaveOneOut().split(np.zeros(n)))


def test_kfold_accepts_numpy_integers():
    _assert_same_folds(kfold_splits(np.int64(12), np.int32(5)), KFold(5).split(np.zeros(12)))


@pytest.mark.parametrize("n, k", [(10, 3), (23, 5), (442, 10), (5, 5)])
def test_shuffled_kfold_is_a_seeded_partition(n, k):
    folds = _pairs(kfold_splits(n, k, shuffle=True, seed=3))
    _assert_same_folds(folds, kfold_splits(n, k, shuffle=True, seed=3))
    vals = np.concatenate([val for _, val in folds])
    np.testing.assert_array_equal(np.sort(vals), np.arange(n))  # every row validates exactly once
    sizes = sorted((len(val) for _, val in folds), reverse=True)
    assert sizes == [len(val) for _, val in KFold(k).split(np.zeros(n))]
    for train, val in folds:
        np.testing.assert_array_equal(np.sort(np.concatenate([train, val])), np.arange(n))
        assert np.all(np.diff(train) > 0) and np.all(np.diff(val) > 0)
    if n > k:  # with more than one row per fold, the rows are really shuffled
        assert not all(np.array_equal(a, b) for (_, a), (_, b) in zip(folds, kfold_splits(n, k)))
    other = _pairs(kfold_splits(n, k, shuffle=True, seed=4))
    assert any(not np.array_equal(a, b) for (_, a), (_, b) in zip(folds, other)) or n == k


@pytest.mark.parametrize("n, size", [(442, 0.2), (353, 0.25), (10, 0.33), (7, 0.5), (3, 0.1), (100, 0.99), (10, 0.7)])
def test_holdout_sizes_and_order_equal_train_test_split(n, size):
    """With shuffling off, the same rows as scikit-learn (it also rounds the test part up)."""
    train, test = holdout_split(n, size, shuffle=False)
    ref_train, ref_test = train_test_split(np.arange(n), test_size=size, shuffle=False)
    np.testing.assert_array_equal(train, ref_train)
    np.testing.assert_array_equal(test, ref_test)


def test_holdout_shuffled_is_a_seeded_partition():
    train, test = holdout_split(442, 0.2, seed=0)
    assert (len(train), len(test)) == (353, 89)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(442))
    again = holdout_split(442, 0.2, seed=0)
    np.testing.assert_array_equal(test, again[1])
    assert not np.array_equal(test, holdout_split(442, 0.2, seed=1)[1])
    assert not np.array_equal(test, np.arange(353, 442))


@pytest.mark.parametrize("k", [1, 0, -2, 11, 2.0, True, "3"])
def test_kfold_rejects_bad_k_at_once(k):
    with pytest.raises(ValueError, match=r"k \(the number of folds\) must be an int with 2 <= k <= n=10"):
        kfold_splits(10, k)  # raised when called, not only when iterated


@pytest.mark.parametrize("n", [1, 0, -5, 2.5, True, None])
def test_splits_reject_bad_n(n):
    for call in (lambda: kfold_splits(n, 2), lambda: loocv_splits(n), lambda: holdout_split(n, 0.5)):
        with pytest.raises(ValueError, match=r"n \(the number of rows\) must be an int of at least 2"):
            call()


@pytest.mark.parametrize("size", [0, 1, 0.0, 1.0, -0.2, 1.5, "0.2", None, True])
def test_holdout_rejects_test_size_outside_open_unit_interval(size):
    with pytest.raises(ValueError, match="test_size must be a fraction strictly between 0 and 1"):
        holdout_split(10, size)


def test_holdout_rejects_a_size_that_leaves_no_training_row():
    with pytest.raises(ValueError, match="holds out all 2 rows"):
        holdout_split(2, 0.6)


def test_seed_without_shuffle_is_an_error():
    with pytest.raises(ValueError, match="seed=0 has no effect with shuffle=False"):
        kfold_splits(10, 2, seed=0)
    with pytest.raises(ValueError, match="seed=1 has no effect with shuffle=False"):
        holdout_split(10, 0.2, shuffle=False, seed=1)


# --------------------------------------------------------------------------- cross_validate


def _data(n=47, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 5, size=d) + rng.normal(size=d)
    y = X @ rng.normal(size=d) + np.sin(X[:, 0]) + 0.3 * rng.normal(size=n) + 10
    return X, y


def _mlp64():
    return nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 1)).double()


ENGINE_CASES = [
    dict(optimizer="sgd", lr=0.05, batch_size=8),
    dict(optimizer="sgd", lr=0.02, momentum=0.9, weight_decay=1e-2, batch_size=10),
    dict(optimizer="adam", lr=0.01, batch_size=8),
    dict(optimizer="adam", lr=0.01, weight_decay=1e-3, batch_size=None),
    dict(optimizer="sgd", lr=0.1, batch_size=None, standardize=False),
]


@pytest.mark.parametrize("cfg", ENGINE_CASES)
@pytest.mark.parametrize("k", [3, 5, 47])
def test_engines_agree_in_float64(cfg, k):
    X, y = _data()
    # 47 rows: folds of different sizes, so folds differ in batches per epoch and last-batch size
    splits = list(kfold_splits(len(X), k, shuffle=True, seed=1)) if k < len(X) else list(loocv_splits(len(X)))
    loop = cross_validate(_mlp64, X, y, splits, epochs=6, seed=2, vectorized=False, **cfg)
    vec = cross_validate(_mlp64, X, y, splits, epochs=6, seed=2, vectorized=True, **cfg)
    assert loop.scores.shape == (k,)
    np.testing.assert_allclose(vec.scores, loop.scores, rtol=1e-8, atol=1e-8)
    assert np.all(np.isfinite(loop.scores)) and len(set(loop.scores.round(6))) > 1


@pytest.mark.parametrize("cfg", ENGINE_CASES[:3])
def test_engines_agree_when_a_fold_has_one_batch_less(cfg):
    from chapter5_utils.cv import _batch_plan

    X, y = _data(n=49)
    splits = list(kfold_splits(49, 3))  # training sizes 32, 33, 33: with 8 rows a batch, 4 or 5 steps
    cfg = {**cfg, "batch_size": 8}
    active = _batch_plan(splits, 2, 8, 0)[2]
    assert active.shape == (10, 3) and not active[4, 0] and active[4, 1:].all()
    loop = cross_validate(_mlp64, X, y, splits, epochs=5, vectorized=False, **cfg)
    vec = cross_validate(_mlp64, X, y, splits, epochs=5, vectorized=True, **cfg)
    np.testing.assert_allclose(vec.scores, loop.scores, rtol=1e-8, atol=1e-8)


def test_engines_agree_for_classification_with_cross_entropy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(np.int64) + (X[:, 2] > 1)

    def make():
        return nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 3)).double()

    kw = dict(loss_fn=nn.functional.cross_entropy, lr=0.1, epochs=5, batch_size=16)
    splits = list(kfold_splits(40, 3, shuffle=True, seed=0))
    loop = cross_validate(make, X, y, splits, vectorized=False, **kw)
    vec = cross_validate(make, X, y, splits, vectorized=True, **kw)
    np.testing.assert_allclose(vec.scores, loop.scores, rtol=1e-8, atol=1e-8)


def test_float32_engines_differ_only_by_round_off():
    X, y = _data()
    splits = list(kfold_splits(len(X), 4))

    def make():
        return nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 1))

    loop = cross_validate(make, X, y, splits, lr=0.05, epochs=5, vectorized=False)
    vec = cross_validate(make, X, y, splits, lr=0.05, epochs=5, vectorized=True)
    np.testing.assert_allclose(vec.scores, loop.scores, rtol=1e-4)


def test_loop_engine_is_fit_on_per_fold_standardized_data():
    """Fold 1 by hand: scale with the training rows, seed, fit, un-scale, score — the same number."""
    from chapter5_utils import fit, standardize

    X, y = _data()
    splits = list(kfold_splits(len(X), 3))
    res = cross_validate(_mlp64, X, y, splits, lr=0.05, epochs=4, batch_size=8, seed=7, vectorized=False)
    train, val = splits[1]
    Xtr, Xva = standardize(X[train], X[val])
    ytr = (y[train] - y[train].mean()) / y[train].std()
    torch.manual_seed(7 + 1)
    model = _mlp64()
    fit(model, torch.tensor(Xtr), torch.tensor(ytr[:, None]), loss_fn=nn.functional.mse_loss,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.05), epochs=4, batch_size=8, seed=7 + 1)
    with torch.no_grad():
        pred = model(torch.tensor(Xva)).numpy()[:, 0] * y[train].std() + y[train].mean()
    assert res.scores[1] == pytest.approx(np.mean((pred - y[val]) ** 2), rel=1e-10)


def test_cross_validate_leaves_global_rng_alone_and_repeats():
    X, y = _data()
    splits = list(kfold_splits(len(X), 3))
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    first = cross_validate(_mlp64, X, y, splits, lr=0.05, epochs=2)
    np.testing.assert_array_equal(torch.rand(3), expected)
    np.testing.assert_array_equal(cross_validate(_mlp64, X, y, splits, lr=0.05, epochs=2).scores, first.scores)
    assert not np.array_equal(cross_validate(_mlp64, X, y, splits, lr=0.05, epochs=2, seed=1).scores,
                              first.scores)


def test_one_split_is_a_holdout_evaluation_and_result_summary():
    X, y = _data()
    res = cross_validate(_mlp64, X, y, [holdout_split(len(X), 0.3, seed=0)], lr=0.05, epochs=3)
    assert res.k == 1 and res.std == 0 and res.mean == res.scores[0]
    r = CVResult(np.array([1.0, 2.0, 6.0]))
    assert (r.k, r.mean, r.std) == (3, 3.0, pytest.approx(np.std([1, 2, 6])))
    assert str(r) == "3 ± 2.16 over 3 folds"


def test_vectorized_engine_rejects_dropout():
    X, y = _data()

    def make():
        return nn.Sequential(nn.Linear(4, 6), nn.Dropout(0.2), nn.Linear(6, 1)).double()

    with pytest.raises(ValueError, match="without dropout or batch norm, found Dropout"):
        cross_validate(make, X, y, kfold_splits(len(X), 2), lr=0.1, epochs=1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(splits=[]), "at least one"),
        (dict(splits=[(np.arange(5), np.array([], dtype=int))]), r"splits\[0\] val_idx must be a non-empty"),
        (dict(splits=[(np.arange(5), np.array([47]))]), r"row indices in \[0, 47\)"),
        (dict(splits=[(np.arange(5.0), np.array([6]))]), r"splits\[0\] train_idx"),
        (dict(optimizer="rmsprop"), "optimizer must be one of"),
        (dict(epochs=0), "epochs must be a positive int"),
        (dict(batch_size=0), "batch_size must be a positive int or None"),
        (dict(lr=0.0), "lr must be positive"),
        (dict(seed=-1), "seed must be a non-negative int"),
        (dict(X=np.zeros((46, 4))), "same n, got shapes"),
    ],
)
def test_cross_validate_rejects_bad_input(kwargs, message):
    X, y = _data()
    args = dict(make_model=_mlp64, X=X, y=y, splits=list(kfold_splits(len(X), 2)), lr=0.1, epochs=1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        cross_validate(**args)


def test_make_model_must_build_a_module():
    X, y = _data()
    with pytest.raises(TypeError, match="make_model must return an nn.Module"):
        cross_validate(lambda: "model", X, y, kfold_splits(len(X), 2), lr=0.1, epochs=1)


# --------------------------------------------------------------------------- exact linear LOOCV


@pytest.mark.parametrize("intercept", [True, False])
def test_hat_matrix_loocv_equals_brute_force(intercept):
    X, y = _data(n=30, d=5, seed=3)
    brute = []
    for train, val in loocv_splits(len(X)):
        A = np.column_stack([np.ones(len(X)), X]) if intercept else X
        coef, *_ = np.linalg.lstsq(A[train], y[train], rcond=None)
        brute.append(y[val][0] - A[val][0] @ coef)
    np.testing.assert_allclose(loocv_residuals_linear(X, y, intercept=intercept), brute, rtol=1e-9, atol=1e-9)
    assert loocv_mse_linear(X, y, intercept=intercept) == pytest.approx(np.mean(np.square(brute)), rel=1e-9)


def test_hat_matrix_loocv_equals_sklearn():
    X, y = _data(n=40, d=3, seed=5)
    brute = y - cross_val_predict(LinearRegression(), X, y, cv=LeaveOneOut())
    np.testing.assert_allclose(loocv_residuals_linear(X, y), brute, rtol=1e-9, atol=1e-9)


def test_hat_matrix_loocv_rejects_bad_input():
    X, y = _data(n=10, d=3)
    with pytest.raises(ValueError, match=r"y must have shape \(10,\)"):
        loocv_residuals_linear(X, y[:, None])
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        loocv_residuals_linear(X[:, 0], y)
    with pytest.raises(ValueError, match="need more rows than coefficients"):
        loocv_residuals_linear(X[:4], y[:4])
    X_out = np.vstack([X, [[0.0, 0.0, 100.0]]])
    X_out[:, 2] = 0
    X_out[-1, 2] = 1.0  # a column that only the last row uses: leverage 1
    with pytest.raises(ValueError, match="leverage 1"):
        loocv_residuals_linear(X_out, np.append(y, 0.0))


@pytest.mark.parametrize("vectorized", [True, False])
@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(momentum=-1.0), ValueError, "momentum must be >= 0, got -1.0"),
        (dict(weight_decay=-1.0), ValueError, "weight_decay must be >= 0, got -1.0"),
        (dict(momentum=0.9, optimizer="adam"), ValueError, "momentum=0.9 applies to optimizer='sgd' only"),
        (dict(lr="0.1"), TypeError, "lr must be a finite real number, got '0.1'"),
        (dict(lr=float("inf")), TypeError, "lr must be a finite real number, got inf"),
        (dict(lr=True), TypeError, "lr must be a finite real number, got True"),
        (dict(seed=True), ValueError, r"seed must be a non-negative int below 2\*\*32, got True"),
        (dict(batch_size=True), ValueError, "batch_size must be a positive int or None"),
        (dict(standardize="yes"), TypeError, "standardize must be True or False"),
        (dict(loss_fn="mse"), TypeError, "loss_fn must be a function"),
        (dict(make_model=nn.Identity), ValueError, "make_model must build a model with parameters"),
        (dict(make_model=nn.Linear), TypeError, "make_model must be callable without arguments"),
        (dict(y="column"), ValueError, r"y \(n,\) or \(n, m\)"),
        (dict(splits=[np.arange(5)]), ValueError, r"splits\[0\] must be a pair"),
        (dict(splits=None), TypeError, "splits must be an iterable of"),
        (dict(splits=[(np.arange(47), np.arange(5))]), ValueError, r"splits\[0\] uses rows \[0, 1, 2, 3, 4\]"),
        (dict(loss_fn=lambda p, t: (p - t) ** 2), ValueError, "loss_fn must return a single-number tensor"),
    ],
)
def test_cross_validate_engines_reject_the_same_bad_input(kwargs, error, message, vectorized):
    X, y = _data()
    args = dict(make_model=_mlp64, X=X, y=y, splits=list(kfold_splits(len(X), 2)), lr=0.1, epochs=1,
                vectorized=vectorized)
    if kwargs.get("y") == "column":
        kwargs = dict(y=np.column_stack([y, y]))
        message = r"y has shape \(47, 2\) but the model's output"
    args.update(kwargs)
    with pytest.raises(error, match=message):
        cross_validate(**args)


@pytest.mark.parametrize("vectorized", [True, False])
def test_cross_validate_rejects_non_finite_data_and_a_shared_model(vectorized):
    X, y = _data()
    splits = list(kfold_splits(len(X), 2))
    with pytest.raises(ValueError, match="X must contain only finite numbers"):
        cross_validate(_mlp64, np.where(X > 3, np.nan, X), y, splits, lr=0.1, epochs=1, vectorized=vectorized)
    with pytest.raises(ValueError, match="y must contain only finite numbers"):
        cross_validate(_mlp64, X, np.full_like(y, np.inf), splits, lr=0.1, epochs=1, vectorized=vectorized)
    shared = _mlp64()
    with pytest.raises(ValueError, match="make_model must build a new model on every call"):
        cross_validate(lambda: shared, X, y, splits, lr=0.1, epochs=1, vectorized=vectorized)


def test_cross_validate_with_our_cross_entropy_gives_the_same_scores_with_both_engines():
    from chapter5_utils import functions as fn

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)
    splits = list(kfold_splits(40, 4))

    def make():
        return nn.Linear(3, 3).double()

    args = dict(lr=0.1, epochs=3, batch_size=8)
    ours = cross_validate(make, X, y, splits, loss_fn=fn.cross_entropy, **args)
    loop = cross_validate(make, X, y, splits, loss_fn=fn.cross_entropy, vectorized=False, **args)
    torch_loss = cross_validate(make, X, y, splits, loss_fn=nn.functional.cross_entropy, vectorized=False, **args)
    np.testing.assert_allclose(ours.scores, loop.scores, rtol=1e-10)
    np.testing.assert_allclose(loop.scores, torch_loss.scores, rtol=1e-10)
    with pytest.raises(ValueError, match=r"target must be class indices in 0..1"):
        cross_validate(lambda: nn.Linear(3, 2).double(), X, y, splits, loss_fn=fn.cross_entropy, **args)


def test_cross_validate_refuses_a_loss_that_cannot_run_under_vmap():
    X, y = _data()

    def loss_with_item(pred, target):
        scale = 1.0 if pred.sum().item() > -1e300 else 0.0  # reads a value: impossible inside torch.vmap
        return scale * nn.functional.mse_loss(pred, target)

    splits = list(kfold_splits(len(X), 2))
    with pytest.raises(ValueError, match="loss_fn cannot run inside torch.vmap.*vectorized=False"):
        cross_validate(_mlp64, X, y, splits, loss_fn=loss_with_item, lr=0.1, epochs=1)
    loop = cross_validate(_mlp64, X, y, splits, loss_fn=loss_with_item, lr=0.1, epochs=1, vectorized=False)
    plain = cross_validate(_mlp64, X, y, splits, lr=0.1, epochs=1, vectorized=False)
    np.testing.assert_array_equal(loop.scores, plain.scores)


@pytest.mark.parametrize("intercept", [True, False])
def test_hat_matrix_loocv_with_collinear_columns_equals_brute_force(intercept):
    X, y = _data(n=30, d=3, seed=4)
    X = np.column_stack([X, X[:, 0], 2 * X[:, 1] - X[:, 2]])  # a duplicated and a dependent column
    A = np.column_stack([np.ones(len(X)), X]) if intercept else X
    brute = []
    for train, val in loocv_splits(len(X)):
        coef, *_ = np.linalg.lstsq(A[train], y[train], rcond=None)
        brute.append(y[val][0] - A[val][0] @ coef)
    np.testing.assert_allclose(loocv_residuals_linear(X, y, intercept=intercept), brute, rtol=1e-8, atol=1e-8)


def test_hat_matrix_loocv_rejects_non_finite_input_and_non_bool_intercept():
    X, y = _data(n=10, d=3)
    with pytest.raises(ValueError, match="X must contain only finite numbers"):
        loocv_mse_linear(np.where(X > 0, np.nan, X), y)
    with pytest.raises(ValueError, match="y must contain only finite numbers"):
        loocv_mse_linear(X, np.full_like(y, np.inf))
    with pytest.raises(TypeError, match="intercept must be True or False, got 'no'"):
        loocv_mse_linear(X, y, intercept="no")


def test_splits_reject_non_bool_shuffle_and_bad_seed():
    with pytest.raises(TypeError, match="shuffle must be True or False, got 1"):
        kfold_splits(10, 2, shuffle=1)
    with pytest.raises(ValueError, match=r"seed must be a non-negative int below 2\*\*32 or None, got True"):
        holdout_split(10, 0.2, seed=True)
    with pytest.raises(ValueError, match=r"seed must be a non-negative int below 2\*\*32 or None, got -1"):
        kfold_splits(10, 2, shuffle=True, seed=-1)


def test_cv_result_needs_scores():
    with pytest.raises(ValueError, match=r"non-empty 1-D array of fold scores, got shape \(0,\)"):
        CVResult(np.array([]))
    assert CVResult([1.0, 3.0]).mean == 2.0


# --------------------------------------------------------------------------- both engines, every model the loop takes


def _frozen_first():
    model = _mlp64()
    model[0].requires_grad_(False)
    return model


def _frozen_bias():
    model = _mlp64()
    model[2].bias.requires_grad_(False)
    return model


class _Unused(nn.Module):
    """A model with a layer that its forward pass never calls."""

    def __init__(self):
        super().__init__()
        self.used, self.unused = nn.Linear(4, 1).double(), nn.Linear(4, 1).double()

    def forward(self, x):
        return self.used(x)


class _Tied(nn.Module):
    """Two layers that share one weight matrix; the first is also called twice."""

    def __init__(self):
        super().__init__()
        self.a, self.b, self.out = nn.Linear(4, 4).double(), nn.Linear(4, 4).double(), nn.Linear(4, 1).double()
        self.b.weight = self.a.weight

    def forward(self, x):
        return self.out(self.b(torch.tanh(self.a(torch.tanh(self.a(x))))))


class _WithBuffer(nn.Module):
    def __init__(self, mode_dependent=False):
        super().__init__()
        self.a = nn.Linear(4, 1).double()
        self.register_buffer("scale", torch.tensor(2.0, dtype=torch.float64))
        self.mode_dependent = mode_dependent

    def forward(self, x):
        return self.a(x) * self.scale * (1.0 if self.training or not self.mode_dependent else 0.5)


@pytest.mark.parametrize("make", [_frozen_first, _frozen_bias, _Unused, _Tied, _WithBuffer,
                                  lambda: _WithBuffer(mode_dependent=True)],
                         ids=["frozen-layer", "frozen-bias", "unused", "tied-and-reused", "buffer", "eval-mode"])
@pytest.mark.parametrize("cfg", [dict(optimizer="sgd", lr=0.05), dict(optimizer="sgd", lr=0.02, momentum=0.9),
                                 dict(optimizer="adam", lr=0.01, weight_decay=0.1)], ids=["sgd", "momentum", "adam-wd"])
def test_engines_agree_on_frozen_unused_tied_parameters_buffers_and_eval_mode(make, cfg):
    """The vectorized engine trains only what torch.optim trains (requires_grad, used by the forward pass),
    keeps ties, and scores in eval mode as fit leaves the model."""
    X, y = _data()
    splits = list(kfold_splits(len(X), 3, shuffle=True, seed=0))
    loop = cross_validate(make, X, y, splits, epochs=4, batch_size=10, vectorized=False, **cfg)
    vec = cross_validate(make, X, y, splits, epochs=4, batch_size=10, vectorized=True, **cfg)
    np.testing.assert_allclose(vec.scores, loop.scores, rtol=1e-8, atol=1e-10)
    assert np.all(np.isfinite(loop.scores))


def test_a_frozen_layer_really_stays_frozen_in_the_loop_engine():
    X, y = _data()
    splits = list(kfold_splits(len(X), 3))
    frozen = cross_validate(_frozen_first, X, y, splits, lr=0.05, epochs=4, vectorized=False)
    free = cross_validate(_mlp64, X, y, splits, lr=0.05, epochs=4, vectorized=False)
    assert not np.allclose(frozen.scores, free.scores)  # so the agreement above is about freezing


def _rmse_loss(p, t):
    return torch.sqrt(nn.functional.mse_loss(p, t))


@pytest.mark.parametrize(
    "loss_fn",
    [_rmse_loss, lambda p, t: nn.functional.mse_loss(p, t, reduction="sum"),
     lambda p, t: nn.functional.mse_loss(p, t) + 0.1 * p.mean() ** 2, lambda p, t: (p - t).abs().max()],
    ids=["rmse", "sum", "batch-term", "max"],
)
def test_vectorized_refuses_a_loss_that_is_not_a_mean_of_rows_and_the_loop_trains_it(loss_fn):
    X, y = _data()
    splits = list(kfold_splits(len(X), 3))
    with pytest.raises(ValueError, match=r"loss_fn is not the mean of per-row losses .*Pass vectorized=False"):
        cross_validate(_mlp64, X, y, splits, loss_fn=loss_fn, lr=0.05, epochs=2)
    loop = cross_validate(_mlp64, X, y, splits, loss_fn=loss_fn, lr=0.05, epochs=2, vectorized=False)
    assert np.all(np.isfinite(loop.scores))


def test_vectorized_refuses_class_weights_but_takes_label_smoothing():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.5)
    splits = list(kfold_splits(40, 4))

    def make():
        return nn.Linear(3, 3).double()

    weights = torch.tensor([1.0, 2.0, 5.0], dtype=torch.float64)
    with pytest.raises(ValueError, match="not the mean of per-row losses"):
        cross_validate(make, X, y, splits, loss_fn=lambda p, t: nn.functional.cross_entropy(p, t, weight=weights),
                       lr=0.1, epochs=2)
    smooth = lambda p, t: nn.functional.cross_entropy(p, t, label_smoothing=0.1)  # noqa: E731
    loop = cross_validate(make, X, y, splits, loss_fn=smooth, lr=0.1, epochs=2, vectorized=False)
    vec = cross_validate(make, X, y, splits, loss_fn=smooth, lr=0.1, epochs=2, vectorized=True)
    np.testing.assert_allclose(vec.scores, loop.scores, rtol=1e-10)


class _Noisy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 1).double()

    def forward(self, x):
        return self.a(x) + 0.01 * torch.randn(x.shape[0], 1, dtype=x.dtype)


class _Branching(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 1).double()

    def forward(self, x):
        out = self.a(x)
        return out if out.sum() > 0 else -out


class _Counting(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 1).double()
        self.register_buffer("calls", torch.zeros((), dtype=torch.float64))

    def forward(self, x):
        self.calls += 1
        return self.a(x)


@pytest.mark.parametrize("make, message", [
    (_Noisy, r"cannot run inside torch.vmap .*random operation.*Pass vectorized=False"),
    (_Branching, r"cannot run inside torch.vmap .*data-dependent control flow.*Pass vectorized=False"),
    (_Counting, r"changes its buffer 'calls'.*Pass vectorized=False"),
    (lambda: nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Linear(3, 1)).double(),
     r"without dropout or batch norm, found BatchNorm1d\. Pass vectorized=False"),
])
def test_vectorized_refuses_what_it_would_train_differently_and_the_loop_repeats(make, message):
    X, y = _data()
    splits = list(kfold_splits(len(X), 3))
    with pytest.raises(ValueError, match=message):
        cross_validate(make, X, y, splits, lr=0.05, epochs=2)
    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    first = cross_validate(make, X, y, splits, lr=0.05, epochs=2, vectorized=False)
    np.testing.assert_array_equal(torch.rand(2), expected)  # the caller's random state is untouched
    again = cross_validate(make, X, y, splits, lr=0.05, epochs=2, vectorized=False)
    np.testing.assert_array_equal(first.scores, again.scores)  # random models repeat too


def test_the_loop_engine_with_dropout_repeats_and_leaves_the_global_generator_alone():
    X, y = _data()
    splits = list(kfold_splits(len(X), 3))

    def make():
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 1)).double()

    torch.manual_seed(0)
    a = cross_validate(make, X, y, splits, lr=0.05, epochs=3, vectorized=False)
    torch.rand(7)
    b = cross_validate(make, X, y, splits, lr=0.05, epochs=3, vectorized=False)
    np.testing.assert_array_equal(a.scores, b.scores)


@pytest.mark.parametrize("vectorized", [True, False])
def test_a_model_with_nothing_to_train_is_refused(vectorized):
    X, y = _data()

    def make():
        return _mlp64().requires_grad_(False)

    with pytest.raises(ValueError, match=r"make_model must build a model with parameters to train \(requires_grad"):
        cross_validate(make, X, y, kfold_splits(len(X), 2), lr=0.1, epochs=1, vectorized=vectorized)


def test_vectorized_refuses_folds_that_freeze_different_parameters():
    X, y = _data()
    calls = []

    def make():
        model = _mlp64()
        if calls:
            model[0].requires_grad_(False)
        calls.append(1)
        return model

    with pytest.raises(ValueError, match="differ in their parameters or in which of them are frozen"):
        cross_validate(make, X, y, kfold_splits(len(X), 2), lr=0.1, epochs=1)


@pytest.mark.parametrize("vectorized", [True, False])
def test_numpy_integer_seeds_and_settings_give_the_same_scores_as_python_ints(vectorized):
    X, y = _data()
    splits = list(kfold_splits(len(X), 3))
    common = dict(lr=0.05, vectorized=vectorized)
    ints = cross_validate(_mlp64, X, y, splits, epochs=3, batch_size=8, seed=3, **common)
    numpy = cross_validate(_mlp64, X, y, splits, epochs=np.int64(3), batch_size=np.int32(8), seed=np.int64(3), **common)
    np.testing.assert_array_equal(ints.scores, numpy.scores)


def test_the_largest_seed_works_in_both_engines_and_the_next_is_refused():
    X, y = _data()
    splits = list(kfold_splits(len(X), 3))
    loop = cross_validate(_mlp64, X, y, splits, lr=0.05, epochs=2, seed=2**32 - 1, vectorized=False)
    vec = cross_validate(_mlp64, X, y, splits, lr=0.05, epochs=2, seed=2**32 - 1, vectorized=True)
    np.testing.assert_allclose(vec.scores, loop.scores, rtol=1e-8)
    for vectorized in (True, False):
        with pytest.raises(ValueError, match=r"seed must be a non-negative int below 2\*\*32, got 4294967296"):
            cross_validate(_mlp64, X, y, splits, lr=0.05, epochs=2, seed=2**32, vectorized=vectorized)


@pytest.mark.parametrize("vectorized", [True, False])
@pytest.mark.parametrize("labels", [np.int64, np.int32, bool])
def test_integer_or_bool_labels_with_one_output_are_refused_not_broadcast(vectorized, labels):
    X, y = _data()
    with pytest.raises(ValueError, match=r"y holds torch\.(int64|int32|bool) values of shape \(47,\) but the model's "
                                         r"output .* has shape \(47, 1\).*y\.float\(\)\.reshape\(-1, 1\)"):
        cross_validate(_mlp64, X, (y > y.mean()).astype(labels), kfold_splits(len(X), 2), lr=0.1, epochs=1,
                       vectorized=vectorized)


@pytest.mark.parametrize("vectorized", [True, False])
def test_meta_and_non_numeric_data_are_refused(vectorized):
    X, y = _data()
    splits = list(kfold_splits(len(X), 2))
    with pytest.raises(ValueError, match="X is on the meta device"):
        cross_validate(_mlp64, torch.empty(47, 4, device="meta"), y, splits, lr=0.1, epochs=1, vectorized=vectorized)
    with pytest.raises(TypeError, match="y must hold numbers, got an array of dtype <U1"):
        cross_validate(_mlp64, X, np.full(47, "a"), splits, lr=0.1, epochs=1, vectorized=vectorized)


def test_splits_take_numpy_seeds_and_sizes_and_one_seed_cap():
    _assert_same_folds(kfold_splits(10, 3, shuffle=True, seed=np.int64(4)), kfold_splits(10, 3, shuffle=True, seed=4))
    for a, b in zip(holdout_split(np.int64(20), np.float32(0.25), seed=np.uint32(2)), holdout_split(20, 0.25, seed=2)):
        np.testing.assert_array_equal(a, b)
    largest = 2**32 - 1
    _assert_same_folds(kfold_splits(10, 3, shuffle=True, seed=largest), kfold_splits(10, 3, shuffle=True, seed=largest))
    for call in (lambda: kfold_splits(10, 3, shuffle=True, seed=2**32), lambda: holdout_split(10, 0.2, seed=2**32)):
        with pytest.raises(ValueError, match=r"seed must be a non-negative int below 2\*\*32 or None, got 4294967296"):
            call()
