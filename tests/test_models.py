"""The chapter's MLP: its layers, its output shape, dropout only in training mode, and its argument checks."""

import pytest
import torch
from torch import nn

from chapter5_utils.models import ChapterMLP


def test_layers_and_parameter_count():
    model = ChapterMLP(10)
    assert [m.out_features for m in (model.fc1, model.fc2, model.fc3)] == [50, 30, 1]
    assert sum(p.numel() for p in model.parameters()) == 10 * 50 + 50 + 50 * 30 + 30 + 30 + 1
    assert model.dropout.p == 0.2


def test_same_as_the_sequential_it_describes():
    torch.manual_seed(0)
    model = ChapterMLP(4, dropout=0.5).eval()
    seq = nn.Sequential(model.fc1, nn.ReLU(), model.fc2, nn.ReLU(), model.fc3)
    x = torch.randn(7, 4)
    out = model(x)
    assert out.shape == (7, 1)
    assert torch.equal(out, seq(x))


def test_dropout_acts_in_training_mode_only():
    torch.manual_seed(0)
    model = ChapterMLP(3, dropout=0.5)
    x = torch.randn(64, 3)
    assert not torch.equal(model.train()(x), model.train()(x))
    assert torch.equal(model.eval()(x), model.eval()(x))


@pytest.mark.parametrize("n_features", [0, -1, 2.0, True, "10"])
def test_bad_n_features(n_features):
    with pytest.raises(ValueError, match="n_features"):
        ChapterMLP(n_features)


@pytest.mark.parametrize("dropout", [1.0, 1.5, -0.1])
def test_bad_dropout_value(dropout):
    with pytest.raises(ValueError, match="dropout"):
        ChapterMLP(10, dropout)


@pytest.mark.parametrize("dropout", [float("nan"), "0.2", None])
def test_bad_dropout_type(dropout):
    with pytest.raises(TypeError, match="dropout"):
        ChapterMLP(10, dropout)
