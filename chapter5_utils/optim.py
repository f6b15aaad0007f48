"""Five optimizers written from scratch (최적화 기법), each equal to its ``torch.optim`` twin.

- ``SGD(params, lr)`` ≡ ``torch.optim.SGD(params, lr)``
- ``Momentum(params, lr, momentum)`` ≡ ``torch.optim.SGD(params, lr, momentum=momentum)``
- ``AdaGrad`` ≡ ``torch.optim.Adagrad``, ``RMSProp`` ≡ ``torch.optim.RMSprop``, ``Adam`` ≡ ``torch.optim.Adam``
  (same arguments, same defaults)

All five are ``torch.optim.Optimizer`` subclasses, so parameter groups, ``zero_grad``,
``state_dict`` and the learning-rate schedulers of ``torch.optim.lr_scheduler`` work with them.
The shared ``step`` skips parameters whose ``.grad`` is ``None`` and adds ``weight_decay·θ`` to
the gradient (an L2 penalty, as torch does); each class then only says how it turns the gradient
``g`` into an update, in ``_update``. Arguments are checked where torch checks them and raise
``ValueError`` in the same cases; a non-number (a tensor ``lr`` included) raises ``TypeError``.
``optimize_path`` runs any optimizer on a function of a small vector and returns the visited
points, for the 2-D trajectory plots; ``distance_to`` measures where a path ended.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import torch

# torch.optim.Optimizer imports torch._dynamo when the first optimizer is built (about 2 s): importing it with
# this module makes that a cost of the import cell, not of a notebook's first optimizer.
import torch._dynamo  # noqa: F401
from torch.optim import Optimizer

Params = Iterable[torch.Tensor] | Iterable[dict[str, Any]]


def _check_number(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")


def _check_at_least_zero(**values: Any) -> None:
    for name, value in values.items():
        _check_number(name, value)
        if not value >= 0.0:  # also rejects NaN
            raise ValueError(f"{name} must be >= 0, got {value!r}")


def _check_below_one(name: str, value: Any) -> None:
    _check_number(name, value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")


_AT_LEAST_ZERO = ("lr", "weight_decay", "momentum", "lr_decay", "initial_accumulator_value", "eps", "alpha")
_FLAGS = ("nesterov", "amsgrad", "centered")


def _check_group(group: dict[str, Any], index: int) -> None:
    """Raise ``TypeError``/``ValueError`` for a hyperparameter of parameter group ``index`` that cannot work.

    The defaults are checked in each ``__init__``; this also covers groups that set their own values.
    """
    for key in _AT_LEAST_ZERO:
        if key in group:
            _check_at_least_zero(**{f"param_groups[{index}]['{key}']": group[key]})
    if "dampening" in group:
        _check_number(f"param_groups[{index}]['dampening']", group["dampening"])
    if "betas" in group:
        betas = group["betas"]
        if not isinstance(betas, Sequence) or len(betas) != 2:
            raise ValueError(f"param_groups[{index}]['betas'] must be a pair (beta1, beta2), got {betas!r}")
        _check_below_one(f"param_groups[{index}]['betas'][0]", betas[0])
        _check_below_one(f"param_groups[{index}]['betas'][1]", betas[1])
    for key in _FLAGS:
        if key in group and not isinstance(group[key], bool):
            raise TypeError(f"param_groups[{index}]['{key}'] must be True or False, got {group[key]!r}")
    if group.get("nesterov") and (group["momentum"] <= 0 or group["dampening"] != 0):
        raise ValueError(
            f"nesterov=True needs momentum > 0 and dampening = 0, got momentum={group['momentum']!r}, "
            f"dampening={group['dampening']!r}"
        )


class _FromScratch(Optimizer):
    """Base class of the five: the shared ``step``; each subclass defines ``_update``."""

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (as ``torch.optim.Optimizer`` does), then check its hyperparameters."""
        super().add_param_group(param_group)
        _check_group(self.param_groups[-1], len(self.param_groups) - 1)

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:  # type: ignore[override]
        """Return the loss of ``closure`` (if given, evaluated first); update every parameter with a gradient."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise TypeError(f"{type(self).__name__} does not support sparse gradients")
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g.add(p, alpha=group["weight_decay"])  # L2 penalty: ∇(λ/2·|θ|²) = λθ
                self._update(p, g, self.state[p], group)
        return loss

    def _update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        raise NotImplementedError


class SGD(_FromScratch):
    """Return a plain stochastic-gradient-descent optimizer: ``θ ← θ − lr·g``.

    Equal to ``torch.optim.SGD(params, lr, weight_decay=weight_decay)`` (no momentum).
    """

    def __init__(self, params: Params, lr: float = 1e-3, weight_decay: float = 0.0) -> None:
        _check_at_least_zero(lr=lr, weight_decay=weight_decay)
        super().__init__(params, {"lr": lr, "weight_decay": weight_decay})

    def _update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        p.add_(g, alpha=-group["lr"])


class Momentum(_FromScratch):
    """Return an SGD-with-momentum optimizer: ``v ← μ·v + g``, ``θ ← θ − lr·v``.

    Equal to ``torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov)``. The
    default ``momentum=0.9`` is the usual choice (torch's SGD defaults to 0, i.e. no momentum).
    Like torch, the velocity starts as the first gradient; ``dampening`` scales later gradients
    by ``1 − dampening``; ``nesterov`` steps along ``g + μ·v`` instead of ``v``.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        momentum: float = 0.9,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        _check_at_least_zero(lr=lr, momentum=momentum, weight_decay=weight_decay)
        _check_number("dampening", dampening)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                f"nesterov=True needs momentum > 0 and dampening = 0, got momentum={momentum!r}, "
                f"dampening={dampening!r}"
            )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
        }
        super().__init__(params, defaults)

    def _update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        mu = group["momentum"]
        if "velocity" not in state:
            state["velocity"] = g.clone()  # = μ·0 + g
        else:
            state["velocity"].mul_(mu).add_(g, alpha=1 - group["dampening"])
        v = state["velocity"]
        p.add_(g + mu * v if group["nesterov"] else v, alpha=-group["lr"])


class AdaGrad(_FromScratch):
    """Return an AdaGrad optimizer: ``h ← h + g²``, ``θ ← θ − lr·g / (√h + ε)``.

    Equal to ``torch.optim.Adagrad`` with the same arguments: ``h`` starts at
    ``initial_accumulator_value`` and step ``t`` uses ``lr / (1 + (t − 1)·lr_decay)``.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        _check_at_least_zero(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "eps": eps,
        }
        super().__init__(params, defaults)

    def _update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        if not state:
            state["step"] = 0
            state["sum_sq"] = torch.full_like(p, group["initial_accumulator_value"])
        state["step"] += 1
        h = state["sum_sq"].addcmul_(g, g)  # h ← h + g², summed over every step so far
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        p.addcdiv_(g, h.sqrt().add_(group["eps"]), value=-lr)


class RMSProp(_FromScratch):
    """Return an RMSProp optimizer: ``s ← α·s + (1 − α)·g²``, ``θ ← θ − lr·g / (√s + ε)``.

    Equal to ``torch.optim.RMSprop`` with the same arguments. ``centered`` divides by the
    estimated standard deviation ``√(s − m²)`` (``m`` the moving average of ``g``) instead;
    ``momentum > 0`` accumulates the scaled steps in a buffer ``b ← μ·b + g / (√s + ε)``.
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        _check_at_least_zero(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
        }
        super().__init__(params, defaults)

    def _update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        alpha = group["alpha"]
        if not state:
            state["square_avg"] = torch.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = torch.zeros_like(p)
            if group["momentum"] > 0:
                state["buffer"] = torch.zeros_like(p)
        s = state["square_avg"].mul_(alpha).addcmul_(g, g, value=1 - alpha)  # moving average of g²
        if group["centered"]:
            m = state["grad_avg"].mul_(alpha).add_(g, alpha=1 - alpha)  # moving average of g
            s = s.addcmul(m, m, value=-1)
        denom = s.sqrt().add_(group["eps"])
        if group["momentum"] > 0:
            b = state["buffer"].mul_(group["momentum"]).addcdiv_(g, denom)
            p.add_(b, alpha=-group["lr"])
        else:
            p.addcdiv_(g, denom, value=-group["lr"])


class Adam(_FromScratch):
    """Return an Adam optimizer: RMSProp's scaling plus momentum, both bias-corrected.

    ``m ← β₁·m + (1 − β₁)·g``, ``v ← β₂·v + (1 − β₂)·g²``, ``m̂ = m / (1 − β₁ᵗ)``,
    ``v̂ = v / (1 − β₂ᵗ)``, ``θ ← θ − lr·m̂ / (√v̂ + ε)``. Equal to ``torch.optim.Adam`` with the
    same arguments (``amsgrad`` divides by the largest ``v`` seen so far instead).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        _check_at_least_zero(lr=lr, eps=eps, weight_decay=weight_decay)
        if not isinstance(betas, Sequence) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        _check_below_one("betas[0]", betas[0])
        _check_below_one("betas[1]", betas[1])
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad}
        super().__init__(params, defaults)

    def _update(self, p: torch.Tensor, g: torch.Tensor, state: dict, group: dict) -> None:
        beta1, beta2 = group["betas"]
        if not state:
            state.update(step=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
            if group["amsgrad"]:
                state["v_max"] = torch.zeros_like(p)
        state["step"] += 1
        t = state["step"]
        m = state["m"].mul_(beta1).add_(g, alpha=1 - beta1)  # momentum: moving average of g
        v = state["v"].mul_(beta2).addcmul_(g, g, value=1 - beta2)  # RMSProp: moving average of g²
        if group["amsgrad"]:
            v = torch.maximum(state["v_max"], v, out=state["v_max"])
        m_hat = m / (1 - beta1**t)  # bias correction: m and v start at 0
        v_hat = v / (1 - beta2**t)
        p.addcdiv_(m_hat, v_hat.sqrt().add_(group["eps"]), value=-group["lr"])


def optimize_path(
    optimizer_cls: type[Optimizer],
    f: Callable[[torch.Tensor], torch.Tensor],
    start: Sequence[float],
    steps: int,
    **optimizer_kwargs: Any,
) -> np.ndarray:
    """Return the (steps + 1, d) float64 array of points visited minimising ``f`` from ``start``.

    ``optimizer_cls`` is any ``torch.optim.Optimizer`` class (ours or torch's), built with
    ``optimizer_kwargs`` on one float64 parameter ``x`` of length d; ``f(x)`` must return a scalar
    tensor. Row 0 is ``start``; row k is ``x`` after k steps (inf/nan if the run diverged).
    """
    if not (isinstance(optimizer_cls, type) and issubclass(optimizer_cls, Optimizer)):
        raise TypeError(f"optimizer_cls must be a torch.optim.Optimizer subclass, got {optimizer_cls!r}")
    if not callable(f):
        raise TypeError(f"f must be a function of a 1-D tensor returning a scalar tensor, got {f!r}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    if isinstance(start, torch.Tensor):
        start = start.detach().cpu()
    try:
        x = torch.as_tensor(np.asarray(start, dtype=np.float64)).clone()
    except (TypeError, ValueError):
        raise ValueError(f"start must be a non-empty 1-D sequence of finite numbers, got {start!r}") from None
    if x.ndim != 1 or x.numel() == 0 or not torch.isfinite(x).all():
        raise ValueError(f"start must be a non-empty 1-D sequence of finite numbers, got {start!r}")
    x.requires_grad_(True)
    optimizer = optimizer_cls([x], **optimizer_kwargs)
    path = np.empty((int(steps) + 1, x.numel()))
    path[0] = x.detach().numpy()
    for k in range(1, int(steps) + 1):
        optimizer.zero_grad()
        value = f(x)
        if not isinstance(value, torch.Tensor) or value.ndim != 0:
            shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise ValueError(f"f must return a scalar tensor, got {shape}")
        value.backward()
        optimizer.step()
        path[k] = x.detach().numpy()
    return path


def distance_to(path: np.ndarray, optimum: Sequence[float]) -> float:
    """Return the Euclidean distance from the last point of ``path`` to ``optimum``."""
    path = np.asarray(path, dtype=np.float64)
    target = np.asarray(optimum, dtype=np.float64)
    if path.ndim != 2 or len(path) == 0 or target.shape != (path.shape[1],):
        raise ValueError(
            f"path must be (n, d) with n >= 1 and optimum (d,), got shapes {path.shape} and {target.shape}"
        )
    if not np.isfinite(target).all():
        raise ValueError(f"optimum must contain only finite numbers, got {optimum!r}")
    return float(math.dist(path[-1], target))
