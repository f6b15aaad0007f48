"""Activation functions (활성화 함수), their derivatives and loss functions (손실 함수), from scratch.

Each function takes and returns torch tensors and matches its ``torch.nn.functional`` namesake
(same defaults, same value at the kinks). The activations never overflow: an exponential is only
ever taken of a non-positive number, so inputs of ±1e4 give finite values and finite gradients.
``naive_softmax`` is the textbook formula kept for the overflow demonstration; use ``softmax``.
Half-precision inputs (float16, bfloat16) are computed in float32 and the result rounded back
once, as torch's own CPU kernels do.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch

from chapter5_utils._validation import check_real_number

__all__ = [
    "cross_entropy",
    "elu",
    "elu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "mae",
    "mse",
    "naive_softmax",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "tanh",
    "tanh_grad",
]


# --- validation -------------------------------------------------------------------------------


def _check_float_tensor(name: str, x: object) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor, got {type(x).__name__}; convert with torch.as_tensor({name})"
        )
    if not x.is_floating_point():
        raise TypeError(
            f"{name} must be a floating-point tensor, got dtype {x.dtype}; convert with {name}.double()"
        )
    return x


_HALF = (torch.float16, torch.bfloat16)


def _half_in_float32(f: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """Return ``f`` computing in float32 where a tensor argument is float16/bfloat16, rounded back once."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        tensors = [a for a in args if isinstance(a, torch.Tensor) and a.is_floating_point()]
        if not any(a.dtype in _HALF for a in tensors):
            return f(*args, **kwargs)
        dtype = functools.reduce(torch.promote_types, [a.dtype for a in tensors])
        args = [a.float() if isinstance(a, torch.Tensor) and a.dtype in _HALF else a for a in args]
        return f(*args, **kwargs).to(dtype)

    return wrapper


def _check_pair(pred: object, target: object) -> tuple[torch.Tensor, torch.Tensor]:
    pred = _check_float_tensor("pred", pred)
    target = _check_float_tensor("target", target)
    if pred.shape != target.shape:
        raise ValueError(
            f"pred and target must have the same shape, got {tuple(pred.shape)} and {tuple(target.shape)}; "
            "reshape one of them (e.g. target.reshape(pred.shape)) rather than rely on broadcasting"
        )
    if pred.numel() == 0:
        raise ValueError(f"pred and target must not be empty, got shape {tuple(pred.shape)}")
    return pred, target


# --- activations ------------------------------------------------------------------------------


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Return σ(x) = 1 / (1 + e^(-x)) element-wise, computed without overflow.

    For x >= 0 it uses 1 / (1 + e^(-x)); for x < 0 the equal e^x / (1 + e^x). Each branch sees
    its input clamped to its own side of zero, so no exponential is ever taken of a large number.
    """
    x = _check_float_tensor("x", x)
    pos = torch.exp(-x.clamp(min=0))  # e^(-x) for x >= 0, at most 1
    neg = torch.exp(x.clamp(max=0))  # e^x for x < 0, at most 1
    return torch.where(x >= 0, 1 / (1 + pos), neg / (1 + neg))


def tanh(x: torch.Tensor) -> torch.Tensor:
    """Return tanh(x) = (e^x − e^(−x)) / (e^x + e^(−x)) element-wise, computed without overflow.

    For x >= 0 it is (1 − e^(−2x)) / (1 + e^(−2x)) and the mirror image for x < 0; ``expm1``
    keeps the numerator accurate near 0.
    """
    x = _check_float_tensor("x", x)
    pos = -2 * x.clamp(min=0)
    neg = 2 * x.clamp(max=0)
    return torch.where(
        x >= 0, -torch.expm1(pos) / (1 + torch.exp(pos)), torch.expm1(neg) / (1 + torch.exp(neg))
    )


def relu(x: torch.Tensor) -> torch.Tensor:
    """Return max(x, 0) element-wise (gradient 0 at x = 0 and NaN kept as NaN, as in torch)."""
    x = _check_float_tensor("x", x)
    return torch.where(x <= 0, torch.zeros_like(x), x)


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """Return x where x > 0 and ``negative_slope``·x elsewhere, element-wise."""
    x = _check_float_tensor("x", x)
    slope = check_real_number("negative_slope", negative_slope)
    return torch.where(x > 0, x, slope * x)


def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Return x where x > 0 and ``alpha``·(e^x − 1) elsewhere, element-wise (``alpha`` >= 0)."""
    x = _check_float_tensor("x", x)
    alpha = check_real_number("alpha", alpha, non_negative=True)
    return torch.where(x > 0, x, alpha * torch.expm1(x.clamp(max=0)))


# --- derivatives by formula -------------------------------------------------------------------


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """Return dσ/dx = σ(x)·(1 − σ(x)) element-wise; its largest value is 0.25, at x = 0."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """Return d tanh/dx = 1 − tanh(x)² element-wise; its largest value is 1, at x = 0."""
    t = tanh(x)
    return 1 - t * t


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """Return dReLU/dx: 0 where x <= 0, else 1 (0 at the kink and 1 at NaN, as torch's autograd uses)."""
    x = _check_float_tensor("x", x)
    return torch.where(x <= 0, torch.zeros_like(x), torch.ones_like(x))


def leaky_relu_grad(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """Return dLeakyReLU/dx: 1 where x > 0, else ``negative_slope`` (also at the kink, as torch)."""
    x = _check_float_tensor("x", x)
    slope = check_real_number("negative_slope", negative_slope)
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, slope))


def elu_grad(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Return dELU/dx: ``alpha``·e^x where x <= 0, else 1.

    At the kink that is ``alpha``, and at NaN it is 1: the formula of torch's ELU backward
    (``x <= 0 ? alpha·e^x : 1``), which is what autograd gives for a single NaN.
    """
    x = _check_float_tensor("x", x)
    alpha = check_real_number("alpha", alpha, non_negative=True)
    return torch.where(x <= 0, alpha * torch.exp(x.clamp(max=0)), torch.ones_like(x))


# --- losses -----------------------------------------------------------------------------------


def mae(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Return the mean absolute error (L1 loss) mean(|pred − target|) as a 0-d tensor."""
    pred, target = _check_pair(pred, target)
    return (pred - target).abs().mean()


def mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Return the mean squared error (L2 loss) mean((pred − target)²) as a 0-d tensor."""
    pred, target = _check_pair(pred, target)
    return (pred - target).pow(2).mean()


def _check_logits(logits: object) -> torch.Tensor:
    logits = _check_float_tensor("logits", logits)
    if logits.ndim == 0 or logits.shape[-1] == 0:
        raise ValueError(
            f"logits must have at least one class along the last dim, got shape {tuple(logits.shape)}"
        )
    return logits


def naive_softmax(logits: torch.Tensor) -> torch.Tensor:
    """Return e^z / Σ e^z along the last dim, exactly as written: overflows to nan for large logits.

    e^z overflows for z above about 88 in float32 and about 709 in float64.

    For the demonstration only; ``softmax`` gives the same values without overflowing.
    """
    logits = _check_logits(logits)
    e = torch.exp(logits)
    return e / e.sum(dim=-1, keepdim=True)


def softmax(logits: torch.Tensor) -> torch.Tensor:
    """Return the softmax probabilities along the last dim, each row summing to 1, without overflow.

    Subtracting each row's maximum first leaves the result unchanged (the factor e^(−max) cancels)
    and makes every exponent <= 0.
    """
    logits = _check_logits(logits)
    shifted = logits - logits.amax(dim=-1, keepdim=True).detach()
    e = torch.exp(shifted)
    return e / e.sum(dim=-1, keepdim=True)


def cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Return the mean over the batch of −log softmax(logits)[target] as a 0-d tensor.

    ``logits`` is (n, classes) raw scores and ``target`` is (n,) integer class indices. The log of
    the softmax is computed as z_target − logsumexp(z), with logsumexp(z) = m + log Σ e^(z − m) and
    m the row maximum, so large scores neither overflow nor give log(0).
    """
    logits = _check_logits(logits)
    if logits.ndim != 2:
        raise ValueError(
            f"logits must be 2-D (n, classes), got shape {tuple(logits.shape)}; "
            "for one example use logits.unsqueeze(0)"
        )
    if not isinstance(target, torch.Tensor):
        raise TypeError(f"target must be a torch.Tensor of class indices, got {type(target).__name__}")
    if target.is_floating_point() or target.is_complex() or target.dtype == torch.bool:
        raise TypeError(
            f"target must hold integer class indices, got dtype {target.dtype}; convert with target.long()"
        )
    n, classes = logits.shape
    if target.shape != (n,):
        raise ValueError(f"target must have shape ({n},) like logits has rows, got {tuple(target.shape)}")
    if n == 0:
        raise ValueError("logits and target must hold at least one example, got 0 rows")
    low, high = int(target.min()), int(target.max())
    if low < 0 or high >= classes:
        raise ValueError(
            f"target must be class indices in 0..{classes - 1} (logits has {classes} columns), "
            f"got values from {low} to {high}"
        )
    m = logits.amax(dim=1, keepdim=True).detach()
    logsumexp = m.squeeze(1) + torch.log(torch.exp(logits - m).sum(dim=1))
    correct = logits.gather(1, target.long().unsqueeze(1)).squeeze(1)
    return (logsumexp - correct).mean()


# float16/bfloat16 in float32, rounded back once (wrapped here, so that inspect.getsource shows the formulas)
sigmoid, tanh, elu = _half_in_float32(sigmoid), _half_in_float32(tanh), _half_in_float32(elu)
sigmoid_grad, tanh_grad, elu_grad = map(_half_in_float32, (sigmoid_grad, tanh_grad, elu_grad))
mae, mse, softmax, cross_entropy = map(_half_in_float32, (mae, mse, softmax, cross_entropy))
