import matplotlib.pyplot as plt
import pytest
import torch

from chapter5_utils.plotting import FIGSIZE, plot_decision_boundary, plot_history, use_style
from chapter5_utils.training import History


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_use_style_sets_the_shared_figure_size():
    use_style()
    assert tuple(plt.rcParams["figure.figsize"]) == FIGSIZE


def test_plot_history_draws_both_curves_and_the_best_epoch():
    history = History(train_loss=[3.0, 2.0, 1.0], val_loss=[3.5, 2.5, 2.7], best_epoch=1)
    ax = plot_history(history, title="t", log=True)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["training", "validation", "best validation"]
    assert ax.get_lines()[1].get_ydata().tolist() == [3.5, 2.5, 2.7]
    assert ax.get_xlabel() == "epoch" and ax.get_yscale() == "log" and ax.get_title() == "t"


def test_decision_boundary_separates_where_the_prediction_changes():
    X = torch.tensor([[-1.0, 0.0], [1.0, 0.0]])
    y = torch.tensor([0, 1])
    ax = plot_decision_boundary(lambda pts: (pts[:, 0] > 0).float(), X, y)
    assert len(ax.collections) >= 3  # filled regions + one scatter per class
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["y = 0", "y = 1"]


def test_decision_boundary_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\), got \(3, 3\)"):
        plot_decision_boundary(lambda p: p[:, 0], torch.zeros(3, 3), torch.zeros(3))
    with pytest.raises(ValueError, match="y must have 3 labels"):
        plot_decision_boundary(lambda p: p[:, 0], torch.zeros(3, 2), torch.zeros(2))
