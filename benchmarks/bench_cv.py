"""Time cross_validate's two engines on the diabetes data: one fold after another vs all folds at once.

    python benchmarks/bench_cv.py

Uses the notebook-04 MLP (10 → 8 → 1, ReLU) and settings (plain SGD, lr 0.05, batches of 64,
20 epochs) in float64, for 5-fold CV and for leave-one-out (k = n = 442). Prints each engine's
wall-clock time (best of a few repeats for 5 folds), the speed ratio and the largest difference
between the two engines' fold scores. Takes about a minute on a 2-core CPU.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

from chapter5_utils import load_diabetes
from chapter5_utils.cv import cross_validate, kfold_splits, loocv_splits

SETTINGS = dict(lr=0.05, epochs=20, batch_size=64, seed=0)


def make_mlp() -> nn.Module:
    """Return the notebook's small MLP in float64."""
    return nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 1)).double()


def timed(X: np.ndarray, y: np.ndarray, splits: list, vectorized: bool, repeats: int):
    """Return (best seconds, scores) of ``repeats`` runs of one engine."""
    best, scores = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        scores = cross_validate(make_mlp, X, y, splits, vectorized=vectorized, **SETTINGS).scores
        best = min(best, time.perf_counter() - start)
    return best, scores


def main() -> None:
    data = load_diabetes()
    X, y = data.X, data.y
    cross_validate(make_mlp, X, y, kfold_splits(len(X), 2), **SETTINGS)  # warm-up
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; MLP 10-8-1, "
          f"{SETTINGS['epochs']} epochs of SGD, batches of {SETTINGS['batch_size']}, float64")
    print(f"{'k':>5} {'one by one':>12} {'all at once':>12} {'ratio':>7} {'max |score diff|':>17}")
    for k, splits, repeats in [
        (5, list(kfold_splits(len(X), 5, shuffle=True, seed=0)), 3),
        (len(X), list(loocv_splits(len(X))), 1),
    ]:
        t_loop, s_loop = timed(X, y, splits, vectorized=False, repeats=repeats)
        t_vec, s_vec = timed(X, y, splits, vectorized=True, repeats=repeats)
        diff = np.abs(s_loop - s_vec).max()
        print(f"{k:>5} {t_loop:>10.3f} s {t_vec:>10.3f} s {t_loop / t_vec:>6.1f}× {diff:>17.1e}")


if __name__ == "__main__":
    main()
