"""Index splits for hold-out, K-fold and leave-one-out cross-validation (교차검증).

With ``shuffle=False`` the K-fold and leave-one-out splits are exactly scikit-learn's ``KFold``
and ``LeaveOneOut``: the same folds, in the same order, the first ``n % k`` folds one row larger.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

Split = tuple[np.ndarray, np.ndarray]


def _check_n(n: int) -> None:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 2:
        raise ValueError(f"n (the number of rows) must be an int of at least 2, got {n!r}")


def holdout_split(n: int, test_size: float, *, shuffle: bool = True, seed: int | None = None) -> Split:
    """Return ``(train_idx, test_idx)``: ``ceil(test_size·n)`` rows held out, the rest for training.

    With ``shuffle`` the rows are drawn by a permutation from ``numpy.random.default_rng(seed)``;
    without it the last rows are held out (as scikit-learn's ``train_test_split(shuffle=False)``).
    """
    _check_n(n)
    if not isinstance(test_size, (float, int)) or not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction strictly between 0 and 1, got {test_size!r}")
    n_test = math.ceil(test_size * n)
    if n_test >= n:
        raise ValueError(f"test_size={test_size} holds out all {n} rows; choose a smaller fraction")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    return order[: n - n_test], order[n - n_test :]


def kfold_splits(n: int, k: int, *, shuffle: bool = False, seed: int | None = None) -> Iterator[Split]:
    """Yield ``k`` pairs ``(train_idx, val_idx)`` of sorted index arrays; every row is validation once.

    Fold sizes are ``n // k``, the first ``n % k`` folds one larger. With ``shuffle`` the rows are
    permuted first by ``numpy.random.default_rng(seed)``.
    """
    _check_n(n)
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 2 <= k <= n:
        raise ValueError(f"k (the number of folds) must be an int with 2 <= k <= n={n}, got {k!r}")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    start = 0
    for size in sizes:
        val = np.zeros(n, dtype=bool)
        val[order[start : start + size]] = True
        start += size
        yield np.flatnonzero(~val), np.flatnonzero(val)


def loocv_splits(n: int) -> Iterator[Split]:
    """Yield ``n`` pairs ``(train_idx, val_idx)``: each row alone is the validation set once."""
    _check_n(n)
    yield from kfold_splits(n, n)
