"""Cross-validation (교차검증): index splits, a K-fold trainer with two engines, exact linear LOOCV.

With ``shuffle=False`` the K-fold and leave-one-out splits are exactly scikit-learn's ``KFold``
and ``LeaveOneOut``: the same folds, in the same order, the first ``n % k`` folds one row larger.

``cross_validate`` trains one fresh model per fold, either one fold after another with
``training.fit`` (``vectorized=False``) or all folds at once (``vectorized=True``): the fold
models' parameters are stacked along a new first axis with ``torch.func.stack_module_state``
and run together with ``torch.func.functional_call`` inside ``torch.vmap``. Both engines see
the same initial weights and the same mini-batches, so they return the same scores up to
round-off. Where the vectorized engine cannot do what the loop does, it refuses and says so,
naming ``vectorized=False``: see ``cross_validate``.
"""

from __future__ import annotations

import copy
import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, stack_module_state

from chapter5_utils import functions
from chapter5_utils._validation import check_real_number, check_seed, is_int
from chapter5_utils.training import LossFn, _check_loss_value, _check_prediction, _fit

Split = tuple[np.ndarray, np.ndarray]
OPTIMIZERS = ("sgd", "adam")
_ADAM_BETAS, _ADAM_EPS = (0.9, 0.999), 1e-8
# losses of this package that read tensor values (to check them) and so cannot run inside torch.vmap:
# the vectorized engine trains with their torch twin, equal up to round-off (notebook 02 shows it)
_VMAP_TWINS = {functions.cross_entropy: nn.functional.cross_entropy}


def _check_n(n: int) -> None:
    if not is_int(n) or n < 2:
        raise ValueError(f"n (the number of rows) must be an int of at least 2, got {n!r}")


def _check_seed(shuffle: bool, seed: int | None) -> int | None:
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    seed = check_seed(seed, allow_none=True)
    if not shuffle and seed is not None:
        raise ValueError(
            f"seed={seed!r} has no effect with shuffle=False; pass shuffle=True or leave seed=None"
        )
    return seed


def holdout_split(n: int, test_size: float, *, shuffle: bool = True, seed: int | None = None) -> Split:
    """Return ``(train_idx, test_idx)``: ``ceil(test_size·n)`` rows held out, the rest for training.

    With ``shuffle`` the rows are drawn by a permutation from ``numpy.random.default_rng(seed)``;
    without it the last rows are held out (as scikit-learn's ``train_test_split(shuffle=False)``).
    """
    _check_n(n)
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real) or not 0 < test_size < 1:
        raise ValueError(f"test_size must be a fraction strictly between 0 and 1, got {test_size!r}")
    seed = _check_seed(shuffle, seed)
    n, test_size = int(n), float(test_size)
    n_test = math.ceil(test_size * n)
    if n_test >= n:
        raise ValueError(f"test_size={test_size} holds out all {n} rows; choose a smaller fraction")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    return order[: n - n_test], order[n - n_test :]


def _kfold(n: int, k: int, order: np.ndarray) -> Iterator[Split]:
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    start = 0
    for size in sizes:
        val = np.zeros(n, dtype=bool)
        val[order[start : start + size]] = True
        start += size
        yield np.flatnonzero(~val), np.flatnonzero(val)


def kfold_splits(n: int, k: int, *, shuffle: bool = False, seed: int | None = None) -> Iterator[Split]:
    """Return an iterator over ``k`` pairs ``(train_idx, val_idx)`` of sorted index arrays.

    Every row is validation exactly once. Fold sizes are ``n // k``, the first ``n % k`` folds one
    larger. With ``shuffle`` the rows are permuted first by ``numpy.random.default_rng(seed)``.
    The arguments are checked at once, before the first fold is asked for.
    """
    _check_n(n)
    if not is_int(k) or not 2 <= k <= n:
        raise ValueError(f"k (the number of folds) must be an int with 2 <= k <= n={n}, got {k!r}")
    seed = _check_seed(shuffle, seed)
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    return _kfold(int(n), int(k), order)


def loocv_splits(n: int) -> Iterator[Split]:
    """Return an iterator over ``n`` pairs ``(train_idx, val_idx)``: each row alone is validation once."""
    _check_n(n)
    return kfold_splits(n, n)


# --------------------------------------------------------------------------- cross_validate


@dataclass(frozen=True)
class CVResult:
    """Per-fold validation scores of ``cross_validate``, with their mean and standard deviation."""

    scores: np.ndarray

    def __post_init__(self) -> None:
        scores = np.asarray(self.scores, dtype=np.float64)
        if scores.ndim != 1 or len(scores) == 0:
            raise ValueError(f"scores must be a non-empty 1-D array of fold scores, got shape {scores.shape}")
        object.__setattr__(self, "scores", scores)

    @property
    def k(self) -> int:
        """Return the number of folds."""
        return len(self.scores)

    @property
    def mean(self) -> float:
        """Return the mean of the fold scores: the cross-validation estimate."""
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        """Return the (population) standard deviation of the fold scores."""
        return float(np.std(self.scores))

    def __str__(self) -> str:
        return f"{self.mean:.4g} ± {self.std:.4g} over {self.k} folds"


def _scale_per_fold(
    X: torch.Tensor, y: torch.Tensor, splits: list[Split], standardize: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return ``(Xs, ys, y_mean, y_std)``: each fold's copy of all rows, scaled by its training rows.

    ``Xs`` is (k, n, d) and ``ys`` (k, n, ...); a float target is scaled too, and ``y_mean``,
    ``y_std`` (k, 1, ...) map a fold's scaled predictions back to the target's units.
    """
    k = len(splits)
    in_train = torch.zeros(k, X.shape[0], dtype=X.dtype)
    for fold, (train, _) in enumerate(splits):
        in_train[fold, torch.as_tensor(train)] = 1.0

    def scale(Z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        w = (in_train / in_train.sum(1, keepdim=True)).view(k, -1, *[1] * (Z.ndim - 1))
        mean = (w * Z).sum(1, keepdim=True)
        centred = Z - mean
        std = (w * centred**2).sum(1, keepdim=True).sqrt()
        std = torch.where(std > 0, std, torch.ones_like(std))
        return centred / std, mean, std

    Xs = scale(X)[0] if standardize else X.expand(k, *X.shape)
    if standardize and y.is_floating_point():
        return (Xs, *scale(y))
    ones = torch.ones(k, 1, *y.shape[1:], dtype=X.dtype)
    return Xs, y.expand(k, *y.shape), 0 * ones, ones


def _make_models(make_model: Callable[[], nn.Module], k: int, seed: int) -> list[nn.Module]:
    """Return ``k`` fresh models; fold ``f``'s initial weights come from ``torch.manual_seed(seed + f)``."""
    models = []
    with torch.random.fork_rng(devices=[]):
        for fold in range(k):
            torch.default_generator.manual_seed(seed + fold)  # models are built on the CPU
            model = make_model()
            if not isinstance(model, nn.Module):
                raise TypeError(f"make_model must return an nn.Module, got {type(model).__name__}")
            models.append(model)
    if not any(p.requires_grad for p in models[0].parameters()):
        raise ValueError(f"make_model must build a model with parameters to train (requires_grad=True), got "
                         f"{models[0]!r} without any")
    params = [id(p) for model in models for p in model.parameters()]
    if len(set(params)) != len(params):
        raise ValueError("make_model must build a new model on every call; its models share parameters "
                         "(does it return one existing model?), so the folds would not be independent")
    return models


def _optimizer(name: str, params: Iterable[torch.Tensor], lr: float, momentum: float, weight_decay: float):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    return torch.optim.Adam(params, lr=lr, betas=_ADAM_BETAS, eps=_ADAM_EPS, weight_decay=weight_decay)


def _score(pred: torch.Tensor, fold: int, val: np.ndarray, scaled, y: torch.Tensor, loss_fn: LossFn) -> float:
    """Return ``loss_fn`` of a fold's scaled predictions for its validation rows, in y's own units."""
    _, ys, y_mean, y_std = scaled
    if ys.is_floating_point():
        pred = pred * y_std[fold] + y_mean[fold]
    return loss_fn(pred, y[val]).item()


def _cv_loop(models, scaled, splits, loss_fn, cfg) -> list[float]:
    """Return the fold scores after training each fold's model in turn with ``training.fit``.

    Fold ``f`` trains and is scored with torch's global generator seeded with ``seed + f`` (dropout
    draws from it), inside ``torch.random.fork_rng``: the scores repeat, the caller's random state
    is untouched.
    """
    Xs, ys = scaled[:2]
    scores = []
    for fold, (model, (train, val)) in enumerate(zip(models, splits)):
        optimizer = _optimizer(
            cfg["optimizer"], model.parameters(), cfg["lr"], cfg["momentum"], cfg["weight_decay"]
        )
        with torch.random.fork_rng(devices=[]):
            torch.default_generator.manual_seed(cfg["seed"] + fold)
            _fit(model, Xs[fold, train], ys[fold, train], loss_fn, optimizer, cfg["epochs"],
                 cfg["batch_size"] or len(train), None, None, cfg["seed"] + fold, None, None)
            with torch.no_grad():
                scores.append(_score(model(Xs[fold, val]), fold, val, scaled, cfg["y"], loss_fn))
    return scores


def _batch_plan(splits: list[Split], epochs: int, batch_size: int | None, seed: int):
    """Return the mini-batches of every fold, step by step, as padded row indices and row weights.

    ``rows[s, f]`` are the rows fold ``f`` trains on at step ``s`` (padded with row 0), ``weights[s, f]``
    is ``1/len(batch)`` on real rows and 0 on padding, ``active[s, f]`` says whether fold ``f`` has a
    batch at step ``s`` at all (folds with fewer training rows may finish their epoch one step early).
    The permutations are drawn exactly as ``training.fit(seed=seed + f)`` draws them.
    """
    k = len(splits)
    sizes = [len(train) for train, _ in splits]
    width = batch_size or max(sizes)
    steps = max(math.ceil(n_f / (batch_size or n_f)) for n_f in sizes)
    rows = torch.zeros(k, epochs, steps * width, dtype=torch.long)
    weights = torch.zeros(k, epochs, steps, width, dtype=torch.float64)
    active = torch.zeros(k, epochs, steps, dtype=torch.bool)
    for fold, (train, _) in enumerate(splits):
        n_f = sizes[fold]
        b_f = batch_size or n_f
        generator = torch.Generator().manual_seed(seed + fold)
        perms = torch.stack([torch.randperm(n_f, generator=generator) for _ in range(epochs)])
        rows[fold, :, :n_f] = torch.as_tensor(train)[perms]  # batch after batch; the last one padded
        n_steps, last = divmod(n_f, b_f)
        weights[fold, :, :n_steps, :b_f] = 1.0 / b_f
        active[fold, :, :n_steps] = True
        if last:
            weights[fold, :, n_steps, :last] = 1.0 / last
            active[fold, :, n_steps] = True
    rows = rows.view(k, epochs, steps, width)
    return (rows.permute(1, 2, 0, 3).flatten(0, 1), weights.permute(1, 2, 0, 3).flatten(0, 1),
            active.permute(1, 2, 0).flatten(0, 1))


def _keep(mask: torch.Tensor | None, new: torch.Tensor, old: torch.Tensor) -> torch.Tensor:
    return new if mask is None else torch.where(mask, new, old)


def _update(p: torch.Tensor, g: torch.Tensor, state: dict, steps: torch.Tensor, mask, cfg) -> torch.Tensor:
    """Return the stacked parameter ``p`` after one step of SGD or Adam, as ``torch.optim`` computes it.

    Every fold is stepped; folds outside ``mask`` (if given) keep their optimizer state, and the
    caller keeps their parameters.
    """
    if cfg["weight_decay"]:
        g = g + cfg["weight_decay"] * p
    if cfg["optimizer"] == "sgd":
        if cfg["momentum"]:
            buf = state.get("buf")
            g = g.clone() if buf is None else _keep(mask, cfg["momentum"] * buf + g, buf)
            state["buf"] = g
        return p - cfg["lr"] * g
    beta1, beta2 = _ADAM_BETAS
    if "m" not in state:
        state["m"], state["v"] = torch.zeros_like(p), torch.zeros_like(p)
    m, v = state["m"], state["v"]
    m_new, v_new = m.lerp(g, 1 - beta1), v * beta2 + (1 - beta2) * g * g
    state["m"], state["v"] = _keep(mask, m_new, m), _keep(mask, v_new, v)
    t = steps.clamp(min=1).to(p.dtype).view(-1, *[1] * (p.ndim - 1))
    denom = v_new.sqrt() / (1 - beta2**t).sqrt() + _ADAM_EPS
    return p - (cfg["lr"] / (1 - beta1**t)) * m_new / denom


def _vectorized_refusal(why: str) -> ValueError:
    return ValueError(f"vectorized=True cannot train this as the loop does: {why}. Pass vectorized=False to "
                      "train the folds one after another with training.fit")


def _check_vectorizable(models: list[nn.Module]) -> None:
    """Raise ``_vectorized_refusal`` for a model that the vectorized engine would train differently."""
    stochastic = (nn.modules.dropout._DropoutNd, nn.modules.batchnorm._BatchNorm)
    bad = [type(m).__name__ for m in models[0].modules() if isinstance(m, stochastic)]
    if bad:
        raise _vectorized_refusal(f"it needs a model without dropout or batch norm, found {bad[0]}")
    flags = [[(name, p.requires_grad) for name, p in model.named_parameters()] for model in models]
    if any(f != flags[0] for f in flags[1:]):
        raise _vectorized_refusal("make_model builds models that differ in their parameters or in which of them "
                                  "are frozen (requires_grad), so they cannot be stacked")


def _cv_vectorized(models, scaled, splits, loss_fn, cfg) -> list[float]:
    """Return the fold scores after training all fold models together, one batched step at a time.

    The k models' parameters are stacked (k, ...); ``vmap`` runs the model on each fold's own
    mini-batch (padded to a common width, padding weighted 0), autograd gives every fold's
    gradient at once (the folds' losses are independent, so the gradient of their sum is each
    fold's own), and the optimizer update is applied to the stacked tensors. Only parameters with
    ``requires_grad`` train, and a parameter that the forward pass does not use keeps its value and
    gets no optimizer state, as ``torch.optim`` skips a parameter whose ``.grad`` is ``None``.
    """
    params, buffers = stack_module_state(models)
    trainable = {name for name, p in models[0].named_parameters() if p.requires_grad}
    params = {name: p.detach().clone().requires_grad_(name in trainable) for name, p in params.items()}
    buffers = {name: b.detach().clone() for name, b in buffers.items()}
    skeleton = copy.deepcopy(models[0])  # on its own device: a copy on "meta" would lose tied weights
    k = len(models)
    Xs, ys = scaled[:2]
    dtype = Xs.dtype

    row_loss = _VMAP_TWINS.get(loss_fn, loss_fn)

    def per_row_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return row_loss(pred.unsqueeze(0), target.unsqueeze(0))

    def fold_loss(p, b, x, t, w):
        pred = functional_call(skeleton, (p, b), (x,))
        return (torch.vmap(per_row_loss)(pred, t) * w).sum()

    batched_loss = torch.vmap(fold_loss)
    rows, weights, active = _batch_plan(splits, cfg["epochs"], cfg["batch_size"], cfg["seed"])
    weights = weights.to(dtype)
    folds = torch.arange(k).unsqueeze(1)
    names = [name for name in params if name in trainable]
    state = {name: {} for name in names}
    steps = torch.zeros(k, dtype=torch.long)  # optimizer steps taken by each fold
    everyone = active.all(1).tolist()  # steps where no fold sits out: no masking needed
    skeleton.train()
    for step, all_on in enumerate(everyone):
        idx = rows[step]
        try:
            loss = batched_loss(params, buffers, Xs[folds, idx], ys[folds, idx], weights[step]).sum()
            grads = torch.autograd.grad(loss, [params[name] for name in names], allow_unused=True)
        except RuntimeError as err:
            if step:
                raise
            raise _vectorized_refusal(f"the model or loss_fn cannot run inside torch.vmap (random numbers, "
                                      f"data-dependent if, .item()?). PyTorch said: {err}") from err
        on = active[step]
        steps += on
        with torch.no_grad():
            for name, g in zip(names, grads):
                if g is None:  # not used by the forward pass: torch.optim leaves it and its state alone
                    continue
                p = params[name]
                mask = None if all_on else on.view(-1, *[1] * (p.ndim - 1))
                new_p = _update(p, g, state[name], steps, mask, cfg)
                p.copy_(new_p if mask is None else torch.where(mask, new_p, p))
    skeleton.eval()  # as training.fit leaves the model: scored in eval mode
    with torch.no_grad():
        preds = torch.vmap(lambda p, b, x: functional_call(skeleton, (p, b), (x,)))(params, buffers, Xs)
    y = cfg["y"]
    return [_score(preds[fold, val], fold, val, scaled, y, loss_fn) for fold, (_, val) in enumerate(splits)]


def cross_validate(
    make_model: Callable[[], nn.Module],
    X: np.ndarray | torch.Tensor,
    y: np.ndarray | torch.Tensor,
    splits: Iterable[Split],
    *,
    loss_fn: LossFn = nn.functional.mse_loss,
    lr: float,
    epochs: int,
    batch_size: int | None = 32,
    optimizer: str = "sgd",
    momentum: float = 0.0,
    weight_decay: float = 0.0,
    standardize: bool = True,
    seed: int = 0,
    vectorized: bool = True,
) -> CVResult:
    """Return the ``CVResult`` of training one fresh model per split and scoring it on that split's rows.

    For fold ``f`` (the ``f``-th pair ``(train_idx, val_idx)`` of ``splits``) a model is built by
    ``make_model()`` after ``torch.manual_seed(seed + f)`` (the global random state is left as it
    was), trained for ``epochs`` epochs on the training rows with ``optimizer`` ("sgd", with
    ``momentum``, or "adam"; both with L2 ``weight_decay``) in mini-batches of ``batch_size``
    rows (``None``: full batch) drawn as ``training.fit(seed=seed + f)`` draws them, then scored
    with ``loss_fn`` on the validation rows.

    With ``standardize`` every fold scales the features, and a float target, by the mean and
    standard deviation of its own training rows (the validation rows stay unseen); predictions
    are mapped back, so scores are in the target's original units. A 1-D float ``y`` is used as
    a column ``(n, 1)``, to match a model with one output. The data are cast to the dtype of the
    model's parameters.

    ``vectorized=False`` trains the folds one after another with ``training.fit`` (fold ``f`` with
    torch's global generator seeded with ``seed + f``, inside ``fork_rng``, so dropout repeats too);
    ``vectorized=True`` trains them all at once, with stacked parameters and ``torch.vmap``. Both
    give the same scores up to round-off, frozen (``requires_grad=False``) and unused parameters
    included. Where the vectorized engine cannot, it raises a ``ValueError`` that says why and names
    ``vectorized=False``: a model with dropout or batch norm, or one that changes its buffers in the
    forward pass; a model or loss that cannot run inside ``torch.vmap``; and a loss that is not the
    mean of per-row losses (``torch.sqrt`` of the MSE, ``reduction="sum"``, class weights, a term
    over the whole batch). The vectorized engine computes a batch's loss as the mean of its rows'
    losses, so it checks that property first: on the initial predictions of fold 0's model for all
    rows, ``loss_fn`` of all rows and of a few seeded random subsets must equal the mean of the
    per-row values up to round-off.
    A single split is a hold-out evaluation: train on one part, score on the other.
    """
    X, y = _as_data(X, y)
    splits = _check_splits(splits, X.shape[0])
    _check_settings(make_model, loss_fn, lr=lr, epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                    momentum=momentum, weight_decay=weight_decay, standardize=standardize, seed=seed,
                    vectorized=vectorized)
    seed = int(seed)
    models = _make_models(make_model, len(splits), seed)
    if vectorized:
        _check_vectorizable(models)
    dtype = next(models[0].parameters()).dtype
    X = X.to(dtype)
    if y.is_floating_point():
        y = y.to(dtype)
        if y.ndim == 1:
            y = y.unsqueeze(1)
    scaled = _scale_per_fold(X, y, splits, standardize)
    _check_model_on_data(models[0], scaled, loss_fn, vectorized)
    cfg = dict(lr=float(lr), epochs=int(epochs), batch_size=None if batch_size is None else int(batch_size),
               optimizer=optimizer, momentum=float(momentum), weight_decay=float(weight_decay), seed=seed, y=y)
    engine = _cv_vectorized if vectorized else _cv_loop
    return CVResult(np.asarray(engine(models, scaled, splits, loss_fn, cfg)))


def _as_data(X: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    arrays = []
    for name, a in (("X", X), ("y", y)):
        if isinstance(a, torch.Tensor) and a.device.type == "meta":
            raise ValueError(f"{name} is on the meta device, which holds shapes but no values; pass real data")
        a = np.asarray(a.detach().cpu() if isinstance(a, torch.Tensor) else a)
        if a.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold numbers, got an array of dtype {a.dtype}")
        arrays.append(torch.as_tensor(a))
    X, y = arrays
    if X.ndim != 2 or y.ndim not in (1, 2) or X.shape[0] != y.shape[0]:
        raise ValueError(f"X must be (n, d) and y (n,) or (n, m) with the same n, got shapes "
                         f"{tuple(X.shape)} and {tuple(y.shape)}")
    for name, data in (("X", X), ("y", y)):
        if data.is_floating_point() and not torch.isfinite(data).all():
            raise ValueError(f"{name} must contain only finite numbers, got NaN or infinity")
    return X, y


def _check_splits(splits: Iterable[Split], n: int) -> list[Split]:
    """Return ``splits`` as a list of pairs of index arrays, after checking each against ``n`` rows."""
    try:
        splits = list(splits)
    except TypeError:
        raise TypeError(f"splits must be an iterable of (train_idx, val_idx) pairs, got {splits!r}") from None
    if not splits:
        raise ValueError("splits must hold at least one (train_idx, val_idx) pair, got none")
    checked = []
    for f, pair in enumerate(splits):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ValueError(f"splits[{f}] must be a pair (train_idx, val_idx), got {pair!r}")
        train, val = np.asarray(pair[0]), np.asarray(pair[1])
        for name, idx in (("train_idx", train), ("val_idx", val)):
            if idx.ndim != 1 or len(idx) == 0 or not np.issubdtype(idx.dtype, np.integer) \
                    or idx.min() < 0 or idx.max() >= n:
                raise ValueError(f"splits[{f}] {name} must be a non-empty 1-D array of row indices in "
                                 f"[0, {n}), got {idx!r}")
        shared = np.intersect1d(train, val)
        if len(shared):
            raise ValueError(f"splits[{f}] uses rows {shared[:5].tolist()} for training and for validation; "
                             "a validation row must be unseen in training")
        checked.append((train, val))
    return checked




def _check_settings(make_model, loss_fn, *, lr, epochs, batch_size, optimizer, momentum, weight_decay,
                    standardize, seed, vectorized) -> None:
    """Raise a clear ``TypeError``/``ValueError`` for a setting of ``cross_validate`` that cannot work."""
    if not callable(make_model):
        raise TypeError(f"make_model must be a function returning a new nn.Module, got {make_model!r}")
    try:
        inspect.signature(make_model).bind()
    except TypeError:
        raise TypeError(f"make_model must be callable without arguments, but {make_model!r} needs some; wrap it, "
                        "e.g. lambda: nn.Linear(10, 1)") from None
    except ValueError:  # no signature to inspect (a built-in): calling it will tell
        pass
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function of (prediction, target), got {loss_fn!r}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if not is_int(epochs) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if batch_size is not None and (not is_int(batch_size) or batch_size < 1):
        raise ValueError(f"batch_size must be a positive int or None (full batch), got {batch_size!r}")
    check_real_number("lr", lr, non_negative=True, positive=True)
    check_real_number("momentum", momentum, non_negative=True)
    check_real_number("weight_decay", weight_decay, non_negative=True)
    if momentum and optimizer != "sgd":
        raise ValueError(f"momentum={momentum!r} applies to optimizer='sgd' only; Adam has its own momentum "
                         "(betas), so leave momentum at 0 with optimizer='adam'")
    check_seed(seed)
    for name, flag in (("standardize", standardize), ("vectorized", vectorized)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")


def _check_model_on_data(model: nn.Module, scaled, loss_fn: LossFn, vectorized: bool) -> None:
    """Run a copy of fold 0's model and ``loss_fn`` once on all rows (eval mode, no gradients); check them.

    For the vectorized engine, also check that the loss runs inside ``torch.vmap``, that it is the
    mean of per-row losses, and that the model's forward pass leaves its buffers as they were.
    """
    Xs, ys = scaled[:2]
    model = copy.deepcopy(model)  # a forward pass may change buffers: fold 0's own model stays fresh
    with torch.no_grad(), torch.random.fork_rng(devices=[]):  # a random model leaves the caller's state alone
        try:
            pred = model.eval()(Xs[0])
        except (RuntimeError, NotImplementedError) as err:
            raise ValueError(f"the model cannot run on X (shape {tuple(Xs.shape[1:])}, dtype {Xs.dtype}). "
                             f"PyTorch said: {err}") from err
        _check_prediction(pred, ys[0], "y")
        if pred.device.type == "meta":
            raise ValueError("the model's parameters are on the meta device, which holds no values; "
                             "make_model must build a model on the CPU")
        try:
            _check_loss_value(loss_fn(pred, ys[0]))
        except (RuntimeError, IndexError) as err:
            raise ValueError(f"loss_fn cannot compare the model's output (shape {tuple(pred.shape)}) with y "
                             f"(shape {tuple(ys.shape[1:])}, dtype {ys.dtype}). PyTorch said: {err}") from err
        if not vectorized:
            return
        row_loss = _VMAP_TWINS.get(loss_fn, loss_fn)
        try:
            per_row = torch.vmap(lambda p, t: row_loss(p.unsqueeze(0), t.unsqueeze(0)))(pred, ys[0])
        except RuntimeError as err:
            raise ValueError(f"loss_fn cannot run inside torch.vmap, which vectorized=True needs; pass "
                             f"vectorized=False to train the folds one after another. PyTorch said: {err}") from err
        _check_mean_of_rows(loss_fn, pred, ys[0], per_row)
    _check_buffers_unchanged(model, Xs[0])


def _check_mean_of_rows(loss_fn: LossFn, pred: torch.Tensor, target: torch.Tensor, per_row: torch.Tensor) -> None:
    """Raise unless ``loss_fn`` of a set of rows is the mean of its per-row values (what the vectorized engine uses).

    Checked on all rows and on four random subsets (a generator seeded with 0; the global one is
    untouched) of 2, 3, half and all but one of the rows, to a tolerance of 1e4 machine epsilons.
    """
    n = len(pred)
    generator = torch.Generator().manual_seed(0)
    subsets = [torch.arange(n)] + [torch.randperm(n, generator=generator)[:size]
                                   for size in sorted({min(2, n), min(3, n), max(1, n // 2), max(1, n - 1)})]
    tol = 1e4 * torch.finfo(per_row.dtype).eps if per_row.is_floating_point() else 1e-6
    for rows in subsets:
        batch = float(loss_fn(pred[rows], target[rows]))
        mean = float(per_row[rows].double().mean())
        same = batch == mean or (math.isnan(batch) and math.isnan(mean))
        if not same and not abs(batch - mean) <= tol * max(abs(batch), abs(mean), float(per_row[rows].abs().mean())):
            raise _vectorized_refusal(
                f"loss_fn is not the mean of per-row losses (on {len(rows)} rows it gives {batch:.6g}, the mean of "
                f"its per-row values is {mean:.6g}), and the vectorized engine computes a batch's loss as that "
                "mean; a square root of the MSE, reduction='sum', class weights or a term over the whole batch "
                "break it")


def _check_buffers_unchanged(model: nn.Module, X: torch.Tensor) -> None:
    """Raise if a training-mode forward pass on two rows changes one of the model's buffers."""
    before = {name: b.clone() for name, b in model.named_buffers()}
    if not before:
        return
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        model.train()(X[:2])
    changed = [name for name, b in model.named_buffers() if not torch.equal(b, before[name])]
    if changed:
        raise _vectorized_refusal(f"the model's forward pass changes its buffer {changed[0]!r}, and stacked "
                                  "buffers are not written back")


# --------------------------------------------------------------------------- exact linear LOOCV


def _design(X: np.ndarray, intercept: bool) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n, d), got shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X must contain only finite numbers, got NaN or infinity")
    if not isinstance(intercept, bool):
        raise TypeError(f"intercept must be True or False, got {intercept!r}")
    return np.column_stack([np.ones(len(X)), X]) if intercept else X


def loocv_residuals_linear(X: np.ndarray, y: np.ndarray, *, intercept: bool = True) -> np.ndarray:
    """Return the leave-one-out residuals ``e_i / (1 - h_ii)`` of least squares, from one fit.

    ``e`` are the residuals of the fit on all rows and ``h_ii`` the diagonal of the hat matrix
    ``H = A (AᵀA)⁻¹ Aᵀ`` (``A`` is ``X`` with a column of ones when ``intercept``). Entry ``i``
    equals ``y_i`` minus the prediction of the model fitted without row ``i``. Collinear columns
    (a duplicated feature) are fine: the hat matrix then projects onto the span of ``A``'s columns.
    """
    A = _design(X, intercept)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != (len(A),):
        raise ValueError(f"y must have shape ({len(A)},) like X has rows, got {y.shape}")
    if not np.isfinite(y).all():
        raise ValueError("y must contain only finite numbers, got NaN or infinity")
    if len(A) <= A.shape[1]:
        raise ValueError(f"need more rows than coefficients for leave-one-out, got {A.shape} (with intercept)")
    Q = _column_space_basis(A)  # H = Q Qᵀ, so h_ii is the squared norm of row i of Q
    leverage = np.einsum("ij,ij->i", Q, Q)
    if np.any(leverage > 1 - 1e-12):
        raise ValueError("a row has leverage 1 (it alone fixes a coefficient); leave-one-out is undefined")
    residuals = y - Q @ (Q.T @ y)
    return residuals / (1 - leverage)


def _column_space_basis(A: np.ndarray) -> np.ndarray:
    """Return orthonormal columns spanning those of ``A``: from QR, or from the SVD if ``A`` has collinear columns."""
    rank = np.linalg.matrix_rank(A)
    if rank == A.shape[1]:
        return np.linalg.qr(A)[0]
    U, _, _ = np.linalg.svd(A, full_matrices=False)
    return U[:, :rank]


def loocv_mse_linear(X: np.ndarray, y: np.ndarray, *, intercept: bool = True) -> float:
    """Return the leave-one-out mean squared error of least squares, computed without refitting."""
    return float(np.mean(loocv_residuals_linear(X, y, intercept=intercept) ** 2))
