"""Seeding, device choice, the training loop every notebook shares, and two metrics."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def set_seed(seed: int) -> None:
    """Return nothing; seed Python's ``random``, NumPy's global generator and torch (CPU and CUDA)."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the legacy global generator is what np.random.* calls use
    torch.manual_seed(seed)


def get_device() -> torch.device:
    """Return the best available device: CUDA, then Apple MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


@dataclass
class History:
    """Per-epoch record of a ``fit`` run.

    ``train_loss[e]`` is the mean loss over epoch ``e``'s mini-batches (measured in train mode,
    while the weights change); ``val_loss[e]`` is the loss on the validation data after the
    epoch, in eval mode; ``lr[e]`` is the learning rate used during the epoch.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False


def _check_xy(name_x: str, X: torch.Tensor, name_y: str, y: torch.Tensor) -> None:
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError(
            f"{name_x} and {name_y} must be torch tensors, got {type(X).__name__} and "
            f"{type(y).__name__}; convert with chapter5_utils.as_tensors"
        )
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"{name_x} and {name_y} must have the same number of rows, got shapes "
            f"{tuple(X.shape)} and {tuple(y.shape)}"
        )


def evaluate_loss(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> float:
    """Return ``loss_fn(model(X), y)`` as a float, computed in eval mode without gradients.

    The model's train/eval mode is restored afterwards.
    """
    was_training = model.training
    model.eval()
    with torch.no_grad():
        value = loss_fn(model(X), y).item()
    model.train(was_training)
    return value


def fit(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    batch_size: int = 32,
    X_val: torch.Tensor | None = None,
    y_val: torch.Tensor | None = None,
    seed: int = 0,
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
    patience: int | None = None,
) -> History:
    """Return the per-epoch ``History`` after training ``model`` in place with mini-batch updates.

    Each epoch visits the rows of ``X`` in a fresh permutation drawn from a generator seeded
    with ``seed``, in slices of ``batch_size`` (the last one may be smaller): the same seed
    gives the same batches, whatever else is random. ``scheduler`` (if any) is stepped once per
    epoch. With ``patience``, training stops after that many epochs without a new best
    validation loss and the best weights are restored (early stopping; needs validation data).
    """
    _check_xy("X", X, "y", y)
    if (X_val is None) != (y_val is None):
        raise ValueError("pass both X_val and y_val, or neither")
    if X_val is not None:
        _check_xy("X_val", X_val, "y_val", y_val)
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if patience is not None and (X_val is None or not isinstance(patience, int) or patience < 1):
        raise ValueError(
            f"patience must be a positive int and needs X_val/y_val, got patience={patience!r}"
            f" with {'no ' if X_val is None else ''}validation data"
        )

    n = X.shape[0]
    generator = torch.Generator().manual_seed(seed)
    history = History()
    best_loss, best_state, since_best = float("inf"), None, 0
    for epoch in range(epochs):
        model.train()
        history.lr.append(optimizer.param_groups[0]["lr"])
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total = total + loss.detach() * len(idx)
        history.train_loss.append(float(total) / n)
        if scheduler is not None:
            scheduler.step()
        if X_val is None:
            continue
        val = evaluate_loss(model, X_val, y_val, loss_fn)
        history.val_loss.append(val)
        if val < best_loss:
            best_loss, since_best, history.best_epoch = val, 0, epoch
            if patience is not None:
                best_state = copy.deepcopy(model.state_dict())
        else:
            since_best += 1
            if patience is not None and since_best >= patience:
                history.stopped_early = True
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history


def rmse(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Return the root mean squared error between ``pred`` and ``target`` (same number of elements)."""
    if pred.numel() != target.numel() or pred.numel() == 0:
        raise ValueError(
            f"pred and target must have the same, non-zero number of elements, got shapes "
            f"{tuple(pred.shape)} and {tuple(target.shape)}"
        )
    diff = pred.detach().reshape(-1).double() - target.detach().reshape(-1).double()
    return diff.pow(2).mean().sqrt().item()


def accuracy(logits_or_labels: torch.Tensor, target: torch.Tensor) -> float:
    """Return the fraction of correct predictions.

    ``logits_or_labels`` is either (n, classes) scores, whose arg-max is the prediction, or (n,)
    predicted labels; ``target`` is (n,) true labels.
    """
    pred = logits_or_labels
    if pred.ndim == 2:
        pred = pred.argmax(dim=1)
    if pred.ndim != 1 or target.ndim != 1 or pred.shape[0] != target.shape[0] or target.numel() == 0:
        raise ValueError(
            "logits_or_labels must be (n, classes) or (n,) and target (n,) with n > 0, got shapes "
            f"{tuple(logits_or_labels.shape)} and {tuple(target.shape)}"
        )
    return (pred.to(target.dtype) == target).double().mean().item()
