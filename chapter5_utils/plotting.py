"""Plotting helpers shared by the notebooks: one look, one figure size for single plots and one for grids."""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import cycler
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

from chapter5_utils.training import History

FIGSIZE = (6.4, 4.0)
# Okabe & Ito's colour-blind-safe colours, each at least 3:1 against white (WCAG's contrast for lines):
# their yellow and sky blue are left out and their orange is darkened; grey takes the last place.
# Each colour comes with its own line style, so that lines differ in a second way besides colour.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#B07800", "#666666")
LINE_STYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1)), (0, (1, 1)))
GRID_FIGSIZE = (12.0, 6.5)


def use_style() -> None:
    """Return nothing; set the shared matplotlib look (size, resolution, grid, font sizes, colours).

    Lines cycle through ``PALETTE`` (colour-blind safe) and ``LINE_STYLES`` together, so the n-th line
    of a plot has both its own colour and its own dash pattern. Constrained layout fits every label
    inside the figure, so Jupyter shows each figure at its own size instead of drawing it a second
    time to crop its margins (``bbox_inches="tight"``, the inline default).
    """
    plt.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=list(PALETTE)) + cycler(linestyle=list(LINE_STYLES)),
            "figure.figsize": FIGSIZE,
            "figure.dpi": 80,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "legend.fontsize": 9,
            "figure.constrained_layout.use": True,
        }
    )
    _show_inline_figures_uncropped()


def _show_inline_figures_uncropped() -> None:
    """In a Jupyter kernel with the inline backend, show figures without the cropping second draw."""
    try:
        from matplotlib_inline.config import InlineBackend
    except ImportError:  # no Jupyter here: nothing to configure
        return
    if InlineBackend.initialized():
        InlineBackend.instance().print_figure_kwargs = {"bbox_inches": None}


def plot_history(
    history: History,
    ax: Axes | None = None,
    title: str = "Loss per epoch",
    log: bool = False,
    val_label: str = "validation",
    mark_best: bool = True,
) -> Axes:
    """Return the axes with the training (and validation) loss of ``history`` per epoch.

    ``val_label`` names the second curve (say "test" when it is a test set watched, not used);
    ``mark_best`` draws a dotted line at the epoch with the lowest validation loss.
    """
    _check_history(history)
    _check_ax(ax)
    ax = ax or plt.subplots(figsize=FIGSIZE)[1]
    epochs = np.arange(1, len(history.train_loss) + 1)
    ax.plot(epochs, history.train_loss, label="training")
    if history.val_loss:
        ax.plot(epochs[: len(history.val_loss)], history.val_loss, label=val_label)
    if mark_best and history.best_epoch is not None and history.val_loss:
        ax.axvline(history.best_epoch + 1, color="grey", ls=":", label=f"best {val_label}")
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    if log:
        ax.set_yscale("log")
    ax.legend()
    return ax


def _check_history(history: object) -> None:
    if not isinstance(history, History):
        raise TypeError(f"history must be the History that fit returns, got {type(history).__name__}")
    epochs = len(history.train_loss)
    if epochs == 0:
        raise ValueError("history has no epochs to plot (its train_loss is empty)")
    if len(history.val_loss) > epochs:
        raise ValueError(
            f"history has {len(history.val_loss)} validation losses for {epochs} epochs; at most one per epoch"
        )
    if history.best_epoch is not None and not 0 <= history.best_epoch < len(history.val_loss):
        raise ValueError(
            f"history.best_epoch={history.best_epoch!r} is not an epoch with a validation loss "
            f"(0..{len(history.val_loss) - 1})"
        )


def _check_ax(ax: object) -> None:
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be matplotlib Axes or None (a new figure), got {type(ax).__name__}")


def _check_grid(padding: object, resolution: object) -> None:
    if isinstance(padding, bool) or not isinstance(padding, numbers.Real) or not math.isfinite(padding) or padding < 0:
        raise ValueError(f"padding must be a finite number >= 0, got {padding!r}")
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral) or resolution < 2:
        raise ValueError(f"resolution must be an int of at least 2 (grid points per axis), got {resolution!r}")


def plot_decision_boundary(
    predict: Callable[[torch.Tensor], torch.Tensor],
    X: torch.Tensor,
    y: torch.Tensor,
    ax: Axes | None = None,
    title: str = "Decision boundary",
    padding: float = 0.5,
    resolution: int = 200,
) -> Axes:
    """Return the axes showing the regions a 2-D classifier assigns to each class, with the points.

    ``predict`` maps an (m, 2) float tensor to (m,) class labels or scores; the boundary is drawn
    where the prediction changes. Points are coloured by their true label ``y``, and with labels
    as predictions each region takes the colour of its class's points.
    """
    if not callable(predict):
        raise TypeError(f"predict must be a function from an (m, 2) tensor to m labels or scores, got {predict!r}")
    X = torch.as_tensor(X, dtype=torch.float32)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n, 2) with n >= 1, got {tuple(X.shape)}")
    if not torch.isfinite(X).all():
        raise ValueError("X must contain only finite numbers, got NaN or infinity")
    y_np = np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y)
    if y_np.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), one label per row of X, got {y_np.shape}")
    _check_grid(padding, resolution)
    _check_ax(ax)
    ax = ax or plt.subplots(figsize=FIGSIZE)[1]
    lo = X.min(dim=0).values - padding
    hi = X.max(dim=0).values + padding
    g0, g1 = torch.meshgrid(
        torch.linspace(lo[0], hi[0], resolution), torch.linspace(lo[1], hi[1], resolution), indexing="xy"
    )
    with torch.no_grad():
        z = predict(torch.stack([g0.reshape(-1), g1.reshape(-1)], dim=1))
    z = np.asarray(z.detach().cpu() if isinstance(z, torch.Tensor) else z, dtype=np.float32)
    if z.size != g0.numel():
        raise ValueError(
            f"predict must return one label or score per row: given {g0.numel()} rows it returned shape {z.shape}"
        )
    z = z.reshape(g0.shape)
    classes = np.unique(y_np)
    if set(np.unique(z)) <= set(classes.tolist()):  # labels: one flat colour per class, as its points
        index = np.searchsorted(classes, z)
        cmap = ListedColormap([f"C{i}" for i in range(len(classes))])
        ax.contourf(g0.numpy(), g1.numpy(), index, levels=np.arange(len(classes) + 1) - 0.5, cmap=cmap, alpha=0.25)
    else:  # scores: shaded, with the zero level (the boundary) drawn
        ax.contourf(g0.numpy(), g1.numpy(), z, levels=20, cmap="RdBu_r", alpha=0.3)
        ax.contour(g0.numpy(), g1.numpy(), z, levels=[0.0], colors="k", linewidths=1)
    for i, (label, marker) in enumerate(zip(classes, itertools.cycle("os^vD"))):
        pts = X[y_np == label].numpy()
        ax.scatter(pts[:, 0], pts[:, 1], marker=marker, color=f"C{i}", edgecolor="k", s=50, label=f"y = {label:g}")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title)
    ax.legend(loc="upper right")
    return ax
