"""Seeding, device choice, the training loop every notebook shares, and two metrics."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from chapter5_utils._validation import check_seed, is_int

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def set_seed(seed: int) -> None:
    """Return nothing; seed Python's ``random``, NumPy's global generator and torch (CPU and CUDA).

    ``seed`` is an int (Python or NumPy) in ``[0, 2**32)``, the rule for every seed of the package.
    """
    seed = check_seed(seed)
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
    if X.shape[0] == 0:
        raise ValueError(
            f"{name_x} and {name_y} must hold at least one row, got shapes {tuple(X.shape)} and {tuple(y.shape)}"
        )
    for name, tensor in ((name_x, X), (name_y, y)):
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise ValueError(f"{name} must contain only finite numbers, got NaN or infinity")


def _check_model_and_loss(model: object, loss_fn: object) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function of (prediction, target), got {loss_fn!r}")


def _check_output(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: LossFn, name_y: str) -> None:
    """Run the model and the loss once on the first two rows (eval mode, no gradients); check what they return.

    A float target must have the shape of the model's output: the losses would otherwise broadcast
    (an (n,) target against an (n, 1) output compares every row with every other row).
    """
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            try:
                pred = model(X[:2])
            except RuntimeError as err:
                raise ValueError(
                    f"the model cannot run on the data: rows of shape {tuple(X.shape[1:])} and dtype "
                    f"{X.dtype} failed. PyTorch said: {err}"
                ) from err
            _check_prediction(pred, y, name_y)
            _check_loss_value(loss_fn(pred, y[:2]))
    finally:
        model.train(was_training)


def _check_prediction(pred: object, y: torch.Tensor, name_y: str) -> None:
    """Raise unless ``pred`` is a tensor whose shape fits the target ``y`` without broadcasting.

    A float target must have the output's shape per row. An integer or bool target holds class
    indices: one fewer axis than the output, whose axis 1 has at least two classes, as
    ``cross_entropy`` takes them. (Compared element-wise with a float output, integers would
    broadcast against it or, in torch before 2.13, fail in the backward pass of ``mse_loss``.)
    """
    if not isinstance(pred, torch.Tensor):
        raise TypeError(f"the model must return a tensor, got {type(pred).__name__}")
    out = f"({y.shape[0]}, {', '.join(map(str, pred.shape[1:]))})"
    if y.is_floating_point() and pred.shape[1:] != y.shape[1:]:
        raise ValueError(
            f"{name_y} has shape {tuple(y.shape)} but the model's output for the same rows has shape "
            f"{out}; a float target needs the output's "
            f"shape (a single output: use {name_y}.reshape(-1, 1); class labels: use integer labels, "
            f"{name_y}.long())"
        )
    if y.is_floating_point():
        return
    class_indices = pred.ndim == y.ndim + 1 and pred.shape[1] >= 2 and pred.shape[2:] == y.shape[1:]
    if not class_indices:
        raise ValueError(
            f"{name_y} holds {y.dtype} values of shape {tuple(y.shape)} but the model's output for the same "
            f"rows has shape {out}: the loss would broadcast one against the other. For a numeric target "
            f"(a regression, or 0/1 with one output) use a float target of the output's shape, e.g. "
            f"{name_y}.float().reshape(-1, 1); for class labels the model needs one output per class "
            "(at least two), as cross_entropy expects"
        )


def _check_loss_value(loss: object) -> None:
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        shape = tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__
        raise ValueError(f"loss_fn must return a single-number tensor (a mean over the batch), got {shape}")


def evaluate_loss(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: LossFn) -> float:
    """Return ``loss_fn(model(X), y)`` as a float, computed in eval mode without gradients.

    The model's train/eval mode is restored afterwards.
    """
    _check_model_and_loss(model, loss_fn)
    _check_xy("X", X, "y", y)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            pred = model(X)
            _check_prediction(pred, y, "y")
            loss = loss_fn(pred, y)
    finally:
        model.train(was_training)
    _check_loss_value(loss)
    return loss.item()


def train_one_epoch(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    loss_fn: LossFn,
    optimizer: torch.optim.Optimizer,
    batch_size: int,
    generator: torch.Generator,
) -> float:
    """Return the mean training loss of one epoch: every row once, in a random order, in mini-batches.

    The order is ``torch.randperm`` drawn from ``generator``; each batch is one slice of it,
    taken from ``X`` and ``y`` by indexing (no per-row copying). ``fit`` calls this once per epoch.
    The arguments are checked as ``fit`` checks them, the model and the loss run once on two rows.
    """
    _check_model_and_loss(model, loss_fn)
    _check_xy("X", X, "y", y)
    if not is_int(batch_size) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    _check_optimizer(model, optimizer)
    _check_output(model, X, y, loss_fn, "y")
    return _train_one_epoch(model, X, y, loss_fn, optimizer, int(batch_size), generator)


def _train_one_epoch(model, X, y, loss_fn, optimizer, batch_size: int, generator: torch.Generator) -> float:
    """``train_one_epoch`` without the argument checks (``fit`` has made them once)."""
    model.train()
    order = torch.randperm(len(X), generator=generator)
    total = 0.0
    for start in range(0, len(X), batch_size):
        idx = order[start : start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        total = total + loss.detach() * len(idx)
    return float(total) / len(X)


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
    Before training, the model and ``loss_fn`` run once on the first two rows of ``X`` (and of
    ``X_val``), in eval mode without gradients, to check that a float ``y`` has the output's shape.
    """
    _check_fit_arguments(model, X, y, loss_fn, optimizer, epochs, batch_size, X_val, y_val, seed, scheduler, patience)
    return _fit(model, X, y, loss_fn, optimizer, int(epochs), int(batch_size), X_val, y_val, int(seed), scheduler,
                patience)


def _fit(model, X, y, loss_fn, optimizer, epochs, batch_size, X_val, y_val, seed, scheduler, patience) -> History:
    """``fit`` without the argument checks; ``seed`` may be any int that ``torch.Generator`` takes."""
    generator = torch.Generator().manual_seed(seed)
    history = History()
    best_loss, best_state, since_best = float("inf"), None, 0
    for epoch in range(epochs):
        history.lr.append(optimizer.param_groups[0]["lr"])
        history.train_loss.append(_train_one_epoch(model, X, y, loss_fn, optimizer, batch_size, generator))
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


def _check_fit_arguments(model, X, y, loss_fn, optimizer, epochs, batch_size, X_val, y_val, seed, scheduler, patience):
    """Raise a clear ``TypeError``/``ValueError`` for any argument of ``fit`` that cannot work."""
    _check_model_and_loss(model, loss_fn)
    _check_xy("X", X, "y", y)
    if (X_val is None) != (y_val is None):
        raise ValueError("pass both X_val and y_val, or neither")
    if X_val is not None:
        _check_xy("X_val", X_val, "y_val", y_val)
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if not is_int(value) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if patience is not None and (X_val is None or not is_int(patience) or patience < 1):
        raise ValueError(
            f"patience must be a positive int and needs X_val/y_val, got patience={patience!r}"
            f" with {'no ' if X_val is None else ''}validation data"
        )
    check_seed(seed)
    _check_optimizer(model, optimizer)
    if scheduler is not None:
        if not isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler) or isinstance(
            scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau
        ):
            raise TypeError(
                "scheduler must be a torch.optim.lr_scheduler schedule stepped once per epoch without "
                f"arguments (StepLR, ExponentialLR, ...), got {type(scheduler).__name__}"
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError("scheduler must be built on the same optimizer that fit is given")
    _check_output(model, X, y, loss_fn, "y")
    if X_val is not None:
        _check_output(model, X_val, y_val, loss_fn, "y_val")


def _check_optimizer(model: nn.Module, optimizer: object) -> None:
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer built on the model's parameters, got {optimizer!r}"
        )
    own = {id(p) for p in model.parameters()}
    held = [p for group in optimizer.param_groups for p in group["params"] if id(p) in own]
    if not held:
        raise ValueError(
            "optimizer holds none of the model's parameters, so training would change nothing; "
            "build it with optimizer_class(model.parameters(), ...)"
        )
    if not any(p.requires_grad for p in held):
        raise ValueError(
            "every model parameter that optimizer holds is frozen (requires_grad=False), so training would "
            "change nothing; unfreeze some with p.requires_grad_(True) or build the optimizer on the others"
        )


def _as_tensor(name: str, value: object) -> torch.Tensor:
    if isinstance(value, list | tuple):
        try:
            value = np.asarray(value)
        except ValueError:
            raise ValueError(f"{name} must be a rectangular list of numbers, got {value!r}") from None
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold numbers, got an array of dtype {value.dtype}")
        return torch.as_tensor(value)
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch tensor, a NumPy array or a list, got {type(value).__name__}")
    if value.device.type == "meta":
        raise ValueError(f"{name} is on the meta device, which holds shapes but no values; pass real data")
    return value.detach()


def rmse(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Return the root mean squared error between ``pred`` and ``target`` (tensors, NumPy arrays or lists).

    The two must have the same shape, except for dimensions of size 1: an (n, 1) column against
    (n,) values is fine, (2, 3) against (3, 2) is not. NaN in either gives NaN.
    """
    pred, target = _as_tensor("pred", pred), _as_tensor("target", target)
    if [d for d in pred.shape if d != 1] != [d for d in target.shape if d != 1] or pred.numel() == 0:
        raise ValueError(
            f"pred and target must have the same, non-empty shape (up to dimensions of size 1), got shapes "
            f"{tuple(pred.shape)} and {tuple(target.shape)}"
        )
    diff = pred.reshape(-1).double() - target.reshape(-1).double()
    scale = diff.abs().max()
    if torch.isfinite(scale) and (scale > 1e100 or 0 < scale < 1e-100):  # the squares would over- or underflow
        return (scale * (diff / scale).pow(2).mean().sqrt()).item()
    return diff.pow(2).mean().sqrt().item()


def _check_labels(name: str, labels: torch.Tensor) -> None:
    if labels.is_complex() or (labels.is_floating_point() and not torch.equal(labels, labels.round())):
        raise ValueError(
            f"{name} must hold class labels (whole numbers), got non-integer values such as "
            f"{labels[labels != labels.round()][0].item()!r}; for scores of one class threshold them first, "
            "e.g. (probabilities > 0.5).long()"
        )


def accuracy(logits_or_labels: torch.Tensor, target: torch.Tensor) -> float:
    """Return the fraction of correct predictions.

    ``logits_or_labels`` is either (n, classes) scores with at least two classes, whose arg-max is
    the prediction, or (n,) predicted labels (whole numbers); ``target`` is (n,) true labels. Both
    may be tensors, NumPy arrays or lists. One column of scores is refused: whether it is a probability
    (threshold 0.5) or a logit (threshold 0) only the caller knows.
    """
    scores = _as_tensor("logits_or_labels", logits_or_labels)
    target = _as_tensor("target", target)
    if scores.ndim not in (1, 2) or target.ndim != 1 or scores.shape[0] != target.shape[0] or target.numel() == 0:
        raise ValueError(
            "logits_or_labels must be (n, classes) or (n,) and target (n,) with n > 0, got shapes "
            f"{tuple(scores.shape)} and {tuple(target.shape)}"
        )
    _check_labels("target", target)
    if scores.ndim == 1:
        _check_labels("logits_or_labels", scores)
        pred = scores
    else:
        if scores.shape[1] < 2:
            raise ValueError(
                f"logits_or_labels has shape {tuple(scores.shape)}: one column of scores is not a class "
                "prediction; threshold it yourself, e.g. (logits[:, 0] > 0).long() for logits or "
                "(probabilities[:, 0] > 0.5).long() for probabilities"
            )
        if scores.is_floating_point() and not torch.isfinite(scores).all():
            raise ValueError("logits_or_labels must contain only finite scores, got NaN or infinity")
        if target.min() < 0 or target.max() >= scores.shape[1]:
            raise ValueError(
                f"target must hold class indices in 0..{scores.shape[1] - 1} (logits_or_labels has "
                f"{scores.shape[1]} columns), got values from {target.min().item()} to {target.max().item()}"
            )
        pred = scores.argmax(dim=1)
    return (pred.double() == target.double()).double().mean().item()
