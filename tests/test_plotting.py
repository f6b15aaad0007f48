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
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\) with n >= 1, got \(3, 3\)"):
        plot_decision_boundary(lambda p: p[:, 0], torch.zeros(3, 3), torch.zeros(3))
    with pytest.raises(ValueError, match=r"y must have shape \(3,\), one label per row"):
        plot_decision_boundary(lambda p: p[:, 0], torch.zeros(3, 2), torch.zeros(2))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (dict(predict="f"), TypeError, "predict must be a function"),
        (dict(X=torch.full((3, 2), float("nan"))), ValueError, "X must contain only finite numbers"),
        (dict(X=torch.zeros(0, 2), y=torch.zeros(0)), ValueError, r"n >= 1, got \(0, 2\)"),
        (dict(y=torch.zeros(3, 1)), ValueError, r"y must have shape \(3,\)"),
        (dict(padding=float("nan")), ValueError, "padding must be a finite number >= 0, got nan"),
        (dict(padding=-5), ValueError, "padding must be a finite number >= 0, got -5"),
        (dict(resolution=1.5), ValueError, "resolution must be an int of at least 2"),
        (dict(resolution=True), ValueError, r"\(grid points per axis\), got True"),
        (dict(predict=lambda p: p), ValueError, r"one label or score per row: given 40000 rows it returned shape"),
        (dict(ax="ax"), TypeError, "ax must be matplotlib Axes or None"),
    ],
)
def test_decision_boundary_rejects_bad_arguments(kwargs, error, message):
    X = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    args = dict(predict=lambda p: p[:, 0], X=X, y=torch.tensor([0, 1, 1]))
    args.update(kwargs)
    with pytest.raises(error, match=message):
        plot_decision_boundary(**args)
    plt.close("all")


def test_decision_boundary_accepts_numpy_predictions_and_plots_every_class():
    X = torch.tensor([[float(i), float(i % 3)] for i in range(7)])
    ax = plot_decision_boundary(lambda p: p[:, 0].round().clamp(0, 6).numpy(), X, torch.arange(7))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"y = {i}" for i in range(7)]
    plt.close("all")


@pytest.mark.parametrize(
    "history, error, message",
    [
        ({"train_loss": [1.0]}, TypeError, "history must be the History that fit returns, got dict"),
        (History(), ValueError, "history has no epochs"),
        (History([1.0], [1.0, 2.0], [0.1]), ValueError, "2 validation losses for 1 epochs"),
        (History([1.0], [1.0], [0.1], best_epoch=5), ValueError, r"best_epoch=5 is not an epoch"),
    ],
)
def test_plot_history_rejects_bad_history(history, error, message):
    with pytest.raises(error, match=message):
        plot_history(history)
    plt.close("all")


def _relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_use_style_gives_each_line_its_own_colour_and_dash_pattern():
    from chapter5_utils.plotting import PALETTE

    use_style()
    fig, ax = plt.subplots()
    lines = [ax.plot([0, 1], [i, i])[0] for i in range(len(PALETTE))]
    colours = [line.get_color() for line in lines]
    assert colours == list(PALETTE)
    assert len(set(colours)) == len(PALETTE)
    dash_patterns = {str(line._dash_pattern) for line in lines}
    assert len(dash_patterns) == len(PALETTE), dash_patterns


def test_palette_lines_contrast_with_the_white_background():
    from chapter5_utils.plotting import PALETTE

    # WCAG 2.1 non-text contrast (1.4.11): at least 3:1 against the figure's white background.
    for colour in PALETTE:
        ratio = 1.05 / (_relative_luminance(colour) + 0.05)
        assert ratio >= 3.0, (colour, ratio)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # matplotlib_inline's own traitlets observer
def test_use_style_turns_off_the_inline_backends_cropping_draw():
    inline = pytest.importorskip("matplotlib_inline.config").InlineBackend
    backend = inline.instance()
    backend.print_figure_kwargs = {"bbox_inches": "tight"}
    try:
        use_style()
        assert backend.print_figure_kwargs == {"bbox_inches": None}
    finally:
        inline.clear_instance()
