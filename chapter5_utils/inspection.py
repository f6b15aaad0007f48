"""Model inspection: a layer-by-layer summary table built with forward hooks (what ``torchsummary`` printed),
and the spread of activations through a deep stack under a given initialisation.

``summary(model, input_size)`` runs one forward pass on a batch of zeros and records, for every
module that the pass calls and that holds parameters of its own or has no children, its name,
type, output shape, parameter count and whether those parameters train.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from chapter5_utils._validation import check_seed, is_int

ROOT_NAME = "(model)"


@dataclass(frozen=True)
class LayerRow:
    """One call of one module during the forward pass.

    ``params`` counts only parameters not already counted in an earlier row; ``shared_with`` names
    the earlier row whose parameters this call reuses (itself, for a module with parameters
    called a second time), or is ``None``. ``trainable`` is ``"yes"``, ``"no"``, ``"partly"``
    or ``"-"`` (no parameters).
    """

    name: str
    type_name: str
    output_shape: Any
    params: int
    trainable: str
    shared_with: str | None = None


@dataclass(frozen=True)
class ModelSummary:
    """The rows of ``summary`` and the model's parameter totals; ``str()`` gives a fixed-width table."""

    rows: tuple[LayerRow, ...]
    input_size: tuple[int, ...]
    batch_size: int
    total_params: int
    trainable_params: int
    uncalled_params: int

    @property
    def non_trainable_params(self) -> int:
        """Return the number of parameters with ``requires_grad=False``."""
        return self.total_params - self.trainable_params

    def __str__(self) -> str:
        header = ("Layer (type)", "Output shape", "Param #", "Trainable")
        body = [
            (f"{r.name} ({r.type_name})", _format_shape(r.output_shape), f"{r.params:,}", r.trainable)
            for r in self.rows
        ]
        notes = [_note(r) for r in self.rows]
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(4)]

        def line(cells: tuple[str, ...], note: str = "") -> str:
            text = (
                f"{cells[0]:<{widths[0]}}  {cells[1]:<{widths[1]}}  "
                f"{cells[2]:>{widths[2]}}  {cells[3]:<{widths[3]}}"
            )
            return f"{text}  {note}".rstrip()

        rule_width = len(line(header)) + (max(map(len, notes)) + 2 if any(notes) else 0)
        shape = _format_shape((self.batch_size, *self.input_size))
        lines = [
            f"Input: zeros of shape {shape} (batch of {self.batch_size})",
            line(header),
            "=" * rule_width,
        ]
        lines += [line(cells, note) for cells, note in zip(body, notes, strict=True)]
        lines += [
            "=" * rule_width,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.non_trainable_params:,}",
        ]
        if self.uncalled_params:
            lines.append(f"Params in modules the forward pass did not call: {self.uncalled_params:,}")
        return "\n".join(lines)


def _note(row: LayerRow) -> str:
    if row.shared_with is None:
        return ""
    return "called again" if row.shared_with == row.name else f"shares parameters with {row.shared_with}"


def _format_shape(shape: Any) -> str:
    if isinstance(shape, tuple):
        return "[" + ", ".join(str(d) for d in shape) + "]"
    if isinstance(shape, list):
        return ", ".join(_format_shape(s) for s in shape)
    return str(shape)


def _shape_of(output: Any) -> Any:
    """Return a tensor's shape as a tuple, a list of those for a tuple/list/dict, else the type name."""
    if isinstance(output, torch.Tensor):
        return tuple(output.shape)
    if isinstance(output, tuple | list):
        return [_shape_of(o) for o in output]
    if isinstance(output, dict):
        return [_shape_of(o) for o in output.values()]
    return type(output).__name__


def _trainable(params: list[nn.Parameter]) -> str:
    if not params:
        return "-"
    flags = {p.requires_grad for p in params}
    return "partly" if len(flags) == 2 else ("yes" if True in flags else "no")


def _check_input_size(input_size: Any) -> tuple[int, ...]:
    ok = (
        isinstance(input_size, tuple)
        and len(input_size) > 0
        and all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0 for d in input_size)
    )
    if not ok:
        raise ValueError(
            "input_size must be a non-empty tuple of positive ints giving one sample's shape "
            f"without the batch dimension, e.g. (13,) or (3, 32, 32); got {input_size!r}"
        )
    return tuple(int(d) for d in input_size)


def summary(
    model: nn.Module, input_size: tuple[int, ...], *, batch_size: int = 1, dtype: torch.dtype = torch.float32
) -> ModelSummary:
    """Return a ``ModelSummary``: one row per module call in a forward pass of zeros, and totals.

    ``input_size`` is ONE sample's shape, without the batch dimension: the model receives
    ``torch.zeros(batch_size, *input_size, dtype=dtype)`` on the device of its first parameter.
    A row is made for every call of a module that has no children (a leaf such as ``nn.Linear``)
    or holds parameters directly; its name comes from ``named_modules()`` (``"(model)"`` for the
    model itself).

    Shared parameters are counted once. A module called twice appears twice, but only its first
    row counts its parameters; the later row shows 0 and, if the module has parameters, notes
    "called again". Likewise a module whose parameter is tied to an earlier row's
    (``decoder.weight = encoder.weight``) counts only its own remaining parameters and notes
    which row it shares with. The totals are over the unique parameters of the whole model,
    equal to ``sum(p.numel() for p in model.parameters())``, including modules the pass did
    not call (the table then says how many of them it did not see).

    The pass runs under ``torch.no_grad()`` in eval mode (so dropout is off and batch-norm
    statistics are not updated); every module's train/eval mode is restored afterwards, and the
    hooks are removed even when the forward pass raises. A ``RuntimeError`` from the forward
    pass (typically a shape mismatch) is re-raised as ``ValueError`` naming ``input_size``.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    input_size = _check_input_size(input_size)
    if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    batch_size = int(batch_size)
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype such as torch.float32, got {dtype!r}")

    names = {module: (name or ROOT_NAME) for name, module in model.named_modules()}
    counted_in: dict[nn.Parameter, str] = {}  # parameter -> name of the row that counted it
    rows: list[dict[str, Any]] = []
    open_rows: dict[nn.Module, list[int]] = {}
    called: set[nn.Module] = set()

    def before(module: nn.Module, args: Any) -> None:
        own = list(module.parameters(recurse=False))
        new = [p for p in own if p not in counted_in]
        earlier = [counted_in[p] for p in own if p in counted_in]
        if module in called and own:
            earlier = [names[module]]
        called.add(module)
        for p in new:
            counted_in[p] = names[module]
        rows.append(
            {
                "name": names[module],
                "type_name": type(module).__name__,
                "output_shape": None,
                "params": sum(p.numel() for p in new),
                "trainable": _trainable(own),
                "shared_with": earlier[0] if earlier else None,
            }
        )
        open_rows.setdefault(module, []).append(len(rows) - 1)

    def after(module: nn.Module, args: Any, output: Any) -> None:
        rows[open_rows[module].pop()]["output_shape"] = _shape_of(output)

    modes = {module: module.training for module in model.modules()}
    first = next(iter(model.parameters()), None)
    x = torch.zeros(batch_size, *input_size, dtype=dtype, device=first.device if first is not None else None)
    handles = []
    try:
        for module in names:
            if not list(module.children()) or list(module.parameters(recurse=False)):
                handles.append(module.register_forward_pre_hook(before))
                handles.append(module.register_forward_hook(after))
        model.eval()
        with torch.no_grad():
            try:
                model(x)
            except RuntimeError as err:
                raise ValueError(
                    f"the forward pass failed for input_size={input_size!r} (a batch of shape "
                    f"{tuple(x.shape)}, dtype={dtype}); give one sample's shape and a dtype that the model accepts. "
                    f"PyTorch said: {err}"
                ) from err
    finally:
        for handle in handles:
            handle.remove()
        for module, mode in modes.items():
            module.training = mode

    unique = list(model.parameters())
    return ModelSummary(
        rows=tuple(LayerRow(**row) for row in rows),
        input_size=input_size,
        batch_size=batch_size,
        total_params=sum(p.numel() for p in unique),
        trainable_params=sum(p.numel() for p in unique if p.requires_grad),
        uncalled_params=sum(p.numel() for p in unique if p not in counted_in),
    )


def _check_stack_arguments(init: object, activation: object, depth: object, width: object, seed: object) -> None:
    for name, value in (("init", init), ("activation", activation)):
        if not callable(value):
            raise TypeError(f"{name} must be a function, got {value!r}")
    for name, value in (("depth", depth), ("width", width)):
        if not is_int(value) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    check_seed(seed)


def activation_stds(
    init: Callable[[torch.Tensor], Any],
    activation: Callable[[torch.Tensor], torch.Tensor] = torch.relu,
    depth: int = 30,
    width: int = 256,
    seed: int = 0,
) -> list[float]:
    """Return the std of the activations after each of ``depth`` Linear+activation layers (zero biases).

    ``torch.manual_seed(seed)``, then a batch of 512 standard-normal rows goes through ``depth``
    fresh ``nn.Linear(width, width)`` layers whose weight ``init`` sets in place and whose bias is zero.
    """
    _check_stack_arguments(init, activation, depth, width, seed)
    depth, width = int(depth), int(width)
    torch.manual_seed(int(seed))
    x = torch.randn(512, width)
    stds = []
    with torch.no_grad():
        for _ in range(depth):
            layer = nn.Linear(width, width)
            init(layer.weight)
            nn.init.zeros_(layer.bias)
            x = activation(layer(x))
            stds.append(x.std().item())
    return stds


@dataclass(frozen=True)
class GradientProfile:
    """What one forward and one backward pass carry through each ``nn.Linear`` layer, first layer first.

    For a layer with input ``h`` (a batch of rows) and output ``z = h Wᵀ + b``:
    ``input_rms`` is √mean(h²), the typical size of the layer's inputs; ``preactivation_rms`` is
    √mean(z²); ``output_grad_norms`` is ‖∂loss/∂z‖ (over the whole batch), the signal that
    backpropagation brings back to the layer; ``weight_grad_norms`` is ‖∂loss/∂W‖. Since
    ∂loss/∂W = (∂loss/∂z)ᵀ h, a weight gradient is the backward signal times the layer's input.
    """

    input_rms: tuple[float, ...]
    preactivation_rms: tuple[float, ...]
    output_grad_norms: tuple[float, ...]
    weight_grad_norms: tuple[float, ...]


def _rms(t: torch.Tensor) -> float:
    return t.detach().pow(2).mean().sqrt().item()


def gradient_profile(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
) -> GradientProfile:
    """Return the ``GradientProfile`` of ``loss_fn(model(X), y)``: per ``nn.Linear``, in the order called.

    ``loss_fn`` defaults to the mean squared error. The gradients come from ``torch.autograd.grad``,
    so no parameter's ``.grad`` is touched, and the model's train/eval mode is left as it is. Every
    ``nn.Linear`` in the model must be called exactly once by the forward pass (a layer called twice
    has no single input to measure); the hooks that record the layers are removed even when the
    forward pass raises.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    for name, value in (("X", X), ("y", y)):
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(value).__name__}")
    if not X.is_floating_point():
        raise TypeError(f"X must be a floating-point tensor, got dtype {X.dtype}; convert with X.double()")
    if loss_fn is None:
        loss_fn = nn.functional.mse_loss
    elif not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function of (prediction, target), got {loss_fn!r}")

    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError(f"model has no nn.Linear layer to profile: {type(model).__name__}")
    calls: list[tuple[nn.Linear, torch.Tensor, torch.Tensor]] = []

    def record(module: nn.Module, args: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        calls.append((module, args[0], output))

    handles = [layer.register_forward_hook(record) for layer in linears]
    try:
        with torch.enable_grad():
            loss = loss_fn(model(X), y)
    finally:
        for handle in handles:
            handle.remove()

    called = [layer for layer, _, _ in calls]
    twice = [layer for layer in linears if called.count(layer) > 1]
    if twice:
        raise ValueError(
            f"every nn.Linear must be called once by the forward pass, but {twice[0]} was called "
            f"{called.count(twice[0])} times; profile a model without shared layers"
        )
    if not calls:
        raise ValueError("the forward pass called none of the model's nn.Linear layers")
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        shape = tuple(loss.shape) if isinstance(loss, torch.Tensor) else type(loss).__name__
        raise ValueError(f"loss_fn must return a single number (a 0-dim tensor), got {shape}")
    frozen = [layer for layer in called if not layer.weight.requires_grad]
    if frozen:
        raise ValueError(f"every profiled layer's weight must require grad, but {frozen[0]}'s does not")
    outputs = [z for _, _, z in calls]
    weights = [layer.weight for layer in called]
    grads = torch.autograd.grad(loss, outputs + weights)
    n = len(calls)
    return GradientProfile(
        input_rms=tuple(_rms(h) for _, h, _ in calls),
        preactivation_rms=tuple(_rms(z) for z in outputs),
        output_grad_norms=tuple(g.norm().item() for g in grads[:n]),
        weight_grad_norms=tuple(g.norm().item() for g in grads[n:]),
    )
