"""The perceptron (퍼셉트론) written from scratch: net input, step activation, learning rule.

A perceptron computes the net input ``z = w·x + b`` (순입력) and passes it through a step
function that returns +1 or −1. It learns one sample at a time: when a sample is on the wrong
side of the boundary, or exactly on it (``y·z <= 0``), the weights move towards it,
``w += lr·y·x`` and ``b += lr·y``; otherwise nothing changes. This is the same rule as
scikit-learn's ``Perceptron(eta0=lr, penalty=None, shuffle=False)``, so the two agree exactly.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

ArrayLike = torch.Tensor | np.ndarray


def _as_matrix(X: ArrayLike, name: str = "X") -> torch.Tensor:
    if not isinstance(X, (torch.Tensor, np.ndarray)):
        raise TypeError(f"{name} must be a torch tensor or a NumPy array, got {type(X).__name__}")
    X = torch.as_tensor(X).to(torch.float64)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"{name} must have shape (n_samples, n_features) with both > 0, got {tuple(X.shape)}"
        )
    if not torch.isfinite(X).all():
        raise ValueError(f"{name} must contain only finite numbers, got NaN or infinity")
    return X


def step(z: torch.Tensor) -> torch.Tensor:
    """Return +1 where ``z > 0`` and −1 elsewhere (the perceptron's step activation), as float64."""
    if not isinstance(z, torch.Tensor | np.ndarray | list | tuple | int | float):
        raise TypeError(f"z must be a tensor, an array or numbers, got {type(z).__name__}")
    return torch.where(torch.as_tensor(z) > 0, 1.0, -1.0).to(torch.float64)


class Perceptron:
    """A single-node perceptron for labels in {−1, +1}, trained with the perceptron learning rule.

    Weights and bias start at zero; ``fit`` visits the rows in their given order (no shuffling), so
    training is fully deterministic. After ``fit``, ``weights`` (n_features,) and ``bias`` (a float)
    hold the learned parameters and ``mistakes`` the number of updates made in each epoch.
    """

    def __init__(self, lr: float = 0.1) -> None:
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not math.isfinite(lr) or lr <= 0:
            raise ValueError(f"lr (the learning rate) must be a positive finite number, got {lr!r}")
        self.lr = float(lr)
        self.weights: torch.Tensor | None = None
        self.bias: float = 0.0
        self.mistakes: list[int] = []

    def fit(self, X: ArrayLike, y: ArrayLike, epochs: int = 10) -> Perceptron:
        """Return ``self`` after ``epochs`` passes of the learning rule over the rows of ``X``.

        ``y`` holds one label per row, each −1 or +1. A row counts as a mistake, and triggers an
        update, when ``y·z <= 0``; ``self.mistakes[e]`` is the number of mistakes in epoch ``e``.
        Training restarts from zero weights on every call.
        """
        X = _as_matrix(X)
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
            raise ValueError(f"epochs must be a positive int, got {epochs!r}")
        if not isinstance(y, (torch.Tensor, np.ndarray)):
            raise TypeError(f"y must be a torch tensor or a NumPy array, got {type(y).__name__}")
        y = torch.as_tensor(y).to(torch.float64)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y must have shape ({X.shape[0]},), one label per row of X, got {tuple(y.shape)}"
            )
        bad = sorted({v for v in y.tolist() if v not in (-1.0, 1.0)})
        if bad:
            raise ValueError(f"y must contain only -1 and +1, got {bad[:5]}; map 0/1 labels with 2*y - 1")

        self.weights = torch.zeros(X.shape[1], dtype=torch.float64)
        self.bias = 0.0
        self.mistakes = []
        for _ in range(epochs):
            self.mistakes.append(
                sum(self._learn_one(x_i, y_i) for x_i, y_i in zip(X, y.tolist(), strict=True))
            )
        return self

    def _learn_one(self, x: torch.Tensor, y: float) -> bool:
        """Return whether ``(x, y)`` was a mistake, after applying the perceptron rule to it."""
        z = float(x @ self.weights) + self.bias  # net input (순입력)
        if y * z > 0:  # strictly on the correct side: nothing to learn
            return False
        self.weights += self.lr * y * x  # move the boundary towards the sample
        self.bias += self.lr * y
        return True

    def decision_function(self, X: ArrayLike) -> torch.Tensor:
        """Return the net input ``X @ w + b`` (n_samples,) as float64: its sign is the class."""
        if self.weights is None:
            raise RuntimeError("this Perceptron is not fitted yet; call fit(X, y, epochs) first")
        X = _as_matrix(X)
        if X.shape[1] != self.weights.shape[0]:
            raise ValueError(
                f"X must have {self.weights.shape[0]} features like the training data, got {X.shape[1]}"
            )
        return X @ self.weights + self.bias

    def predict(self, X: ArrayLike) -> torch.Tensor:
        """Return the predicted labels (n_samples,), +1 or −1 as float64: the step of the net input."""
        return step(self.decision_function(X))
