import re

import numpy as np
import pytest
import torch
from torch import nn

from chapter5_utils.inspection import ROOT_NAME, activation_stds, summary


class MLP(nn.Module):
    """The chapter's 13 -> 50 -> 30 -> 1 regressor."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(13, 50)
        self.fc2 = nn.Linear(50, 30)
        self.fc3 = nn.Linear(30, 1)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(0.5)

    def forward(self, x):
        x = self.dropout(self.relu(self.fc1(x)))
        x = self.dropout(self.relu(self.fc2(x)))
        return self.fc3(x)


class Nested(nn.Module):
    """A Sequential inside a custom module inside a Sequential, plus a parameter held directly."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 4, kernel_size=3)
        self.body = nn.Sequential(nn.Flatten(), nn.Sequential(nn.Linear(4 * 6 * 6, 10), nn.Tanh()))
        self.head = nn.Linear(10, 2)
        self.scale = nn.Parameter(torch.ones(2))

    def forward(self, x):
        return self.head(self.body(self.stem(x))) * self.scale


class Tied(nn.Module):
    """An encoder/decoder pair sharing one weight matrix, and an encoder called twice."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(6, 6)
        self.dec = nn.Linear(6, 6)
        self.dec.weight = self.enc.weight

    def forward(self, x):
        return self.dec(self.enc(self.enc(x)))


class Boom(nn.Module):
    def __init__(self, error):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.error = error

    def forward(self, x):
        self.fc(x)
        raise self.error


def unique_count(model, trainable=None):
    return sum(p.numel() for p in model.parameters() if trainable is None or p.requires_grad == trainable)


def hook_count(model):
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def test_mlp_rows_match_the_hand_count_and_shapes():
    torch.manual_seed(0)
    model = MLP()
    s = summary(model, (13,), batch_size=4)
    assert [(r.name, r.type_name) for r in s.rows] == [
        ("fc1", "Linear"), ("relu", "ReLU"), ("dropout", "Dropout"),
        ("fc2", "Linear"), ("relu", "ReLU"), ("dropout", "Dropout"), ("fc3", "Linear"),
    ]  # fmt: skip
    assert [r.output_shape for r in s.rows] == [(4, 50), (4, 50), (4, 50), (4, 30), (4, 30), (4, 30), (4, 1)]
    hand = 13 * 50 + 50 + 50 * 30 + 30 + 30 * 1 + 1
    assert sum(r.params for r in s.rows) == s.total_params == hand == unique_count(model) == 2261
    assert s.trainable_params == hand and s.non_trainable_params == 0 and s.uncalled_params == 0
    assert [r.trainable for r in s.rows] == ["yes", "-", "-", "yes", "-", "-", "yes"]
    assert all(r.shared_with is None for r in s.rows)  # ReLU/Dropout reused, but they hold no parameters


def test_nested_modules_get_dotted_names_and_a_row_for_direct_parameters():
    torch.manual_seed(0)
    model = Nested()
    s = summary(model, (3, 8, 8), batch_size=2)
    by_name = {r.name: r for r in s.rows}
    assert list(by_name) == [ROOT_NAME, "stem", "body.0", "body.1.0", "body.1.1", "head"]
    assert by_name["body.1.0"].output_shape == (2, 10)
    assert by_name["body.0"].output_shape == (2, 144)
    assert by_name[ROOT_NAME].params == 2 and by_name[ROOT_NAME].type_name == "Nested"
    assert by_name["stem"].params == model.stem.weight.numel() + 4
    assert sum(r.params for r in s.rows) == s.total_params == unique_count(model)
    assert "body" not in by_name and "body.1" not in by_name  # containers without own parameters


def test_tied_and_repeated_modules_count_their_parameters_once():
    model = Tied()
    s = summary(model, (6,))
    assert [(r.name, r.params, r.shared_with) for r in s.rows] == [
        ("enc", 42, None),
        ("enc", 0, "enc"),
        ("dec", 6, "enc"),
    ]
    assert s.total_params == unique_count(model) == 36 + 6 + 6
    text = str(s)
    assert "called again" in text and "shares parameters with enc" in text


def test_frozen_layers_are_reported_as_not_trainable():
    model = MLP()
    model.fc1.requires_grad_(False)
    model.fc3.bias.requires_grad_(False)
    s = summary(model, (13,))
    trainable = {r.name: r.trainable for r in s.rows}
    assert trainable["fc1"] == "no" and trainable["fc2"] == "yes" and trainable["fc3"] == "partly"
    assert s.non_trainable_params == 13 * 50 + 50 + 1 == unique_count(model, trainable=False)
    assert s.trainable_params == unique_count(model, trainable=True)
    assert "Non-trainable params: 701" in str(s)


def test_uncalled_modules_are_in_the_totals_but_not_the_rows():
    model = nn.ModuleDict({"used": nn.Linear(3, 2), "spare": nn.Linear(5, 5)})
    model.forward = lambda x: model["used"](x)
    s = summary(model, (3,))
    assert [r.name for r in s.rows] == ["used"]
    assert s.total_params == unique_count(model) == 8 + 30 and s.uncalled_params == 30
    assert "did not call: 30" in str(s)


def test_random_models_totals_equal_unique_parameter_count():
    gen = torch.Generator().manual_seed(0)
    for _ in range(5):
        sizes = torch.randint(1, 20, (4,), generator=gen).tolist()
        layers = [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
        model = nn.Sequential(*layers, layers[-1] if sizes[-1] == sizes[-2] else nn.Identity())
        s = summary(model, (sizes[0],))
        assert s.total_params == unique_count(model) == sum(r.params for r in s.rows)


def test_model_state_is_untouched():
    model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    model.train()
    model[2].eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    flags = [p.requires_grad for p in model.parameters()]
    rng = torch.get_rng_state()
    summary(model, (4,), batch_size=3)
    assert [m.training for m in model] == [True, True, False] and model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # incl. running stats
    assert [p.requires_grad for p in model.parameters()] == flags
    assert all(p.grad is None for p in model.parameters())
    assert torch.equal(torch.get_rng_state(), rng)
    assert hook_count(model) == 0


def test_dtype_and_non_tensor_outputs():
    model = nn.Sequential(nn.Embedding(10, 3), nn.LSTM(3, 5, batch_first=True))
    s = summary(model, (7,), batch_size=2, dtype=torch.long)
    assert s.rows[0].output_shape == (2, 7, 3)
    assert s.rows[1].output_shape == [(2, 7, 5), [(1, 2, 5), (1, 2, 5)]]
    assert "[2, 7, 5], [1, 2, 5], [1, 2, 5]" in str(s)


def test_table_is_fixed_width_text_without_addresses():
    text = str(summary(MLP(), (13,)))
    lines = text.splitlines()
    assert lines[0] == "Input: zeros of shape [1, 13] (batch of 1)"
    assert lines[1].split() == ["Layer", "(type)", "Output", "shape", "Param", "#", "Trainable"]
    row = next(line for line in lines if line.startswith("fc2 "))
    assert row.split() == ["fc2", "(Linear)", "[1,", "30]", "1,530", "yes"]
    # numbers are right-aligned under "Param #", the Trainable column starts at the same place
    header, rows = lines[1], [line for line in lines[3:10]]
    assert all(line[header.index("Trainable") :].strip() in {"yes", "-"} for line in rows)
    assert row.index("1,530") + len("1,530") == header.index("Param #") + len("Param #")
    assert lines[2] == lines[10] == "=" * len(header)
    assert "0x" not in text and "Trainable params: 2,261" in text


@pytest.mark.parametrize("bad", [(-1,), (0,), (13, 0), 13, [13], (13.0,), (True,), (), "13", None])
def test_bad_input_size_raises_value_error(bad):
    model = MLP()
    with pytest.raises(ValueError, match=re.escape("input_size must be a non-empty tuple of positive ints")):
        summary(model, bad)
    assert hook_count(model) == 0


@pytest.mark.parametrize("bad", [(10,), (13, 4)])
def test_input_size_wrong_for_the_model_raises_value_error_and_removes_hooks(bad):
    model = MLP()
    model.train()
    with pytest.raises(ValueError, match=r"forward pass failed for input_size=\(1[03].*mat1 and mat2"):
        summary(model, bad)
    assert hook_count(model) == 0
    assert all(m.training for m in model.modules())


def test_hooks_removed_after_success_and_other_errors_pass_through():
    model = Boom(KeyError("inside forward"))
    with pytest.raises(KeyError, match="inside forward"):
        summary(model, (4,))
    assert hook_count(model) == 0 and model.training
    model = MLP()
    summary(model, (13,))
    summary(model, (13,))
    assert hook_count(model) == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"model": "MLP"}, TypeError, "model must be a torch.nn.Module, got str"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive int, got 0"),
        ({"batch_size": 2.0}, ValueError, "batch_size must be a positive int, got 2.0"),
    ],
)
def test_bad_model_and_batch_size(kwargs, error, match):
    args = {"model": MLP(), "input_size": (13,), **kwargs}
    with pytest.raises(error, match=match):
        summary(**args)


def test_summary_checks_dtype_and_accepts_numpy_ints():
    model = nn.Sequential(nn.Linear(13, 4), nn.ReLU(), nn.Linear(4, 1))
    with pytest.raises(TypeError, match="dtype must be a torch.dtype such as torch.float32, got 'float32'"):
        summary(model, (13,), dtype="float32")
    with pytest.raises(ValueError, match=r"dtype=torch.int64\); give one sample's shape and a dtype"):
        summary(model, (13,), dtype=torch.long)
    import numpy as np

    table = summary(model, (np.int64(13),), batch_size=np.int64(2))
    assert table.input_size == (13,) and table.batch_size == 2 and table.total_params == 13 * 4 + 4 + 4 + 1


def test_activation_stds_follows_the_signal_through_the_stack():
    stds = activation_stds(torch.nn.init.xavier_uniform_, activation=torch.tanh, depth=3, width=8, seed=1)
    torch.manual_seed(1)
    x = torch.randn(512, 8)
    expected = []
    for _ in range(3):
        layer = torch.nn.Linear(8, 8)
        torch.nn.init.xavier_uniform_(layer.weight)
        x = torch.tanh(x @ layer.weight.T)  # zero bias
        expected.append(x.std().item())
    assert stds == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"init": "xavier"}, TypeError, "init must be a function, got 'xavier'"),
        ({"activation": None}, TypeError, "activation must be a function, got None"),
        ({"depth": 0}, ValueError, "depth must be a positive int, got 0"),
        ({"width": 2.5}, ValueError, "width must be a positive int, got 2.5"),
        ({"seed": -1}, ValueError, r"seed must be a non-negative int below 2\*\*32, got -1"),
    ],
)
def test_activation_stds_refuses_bad_arguments(kwargs, error, message):
    arguments = {"init": torch.nn.init.xavier_uniform_, "depth": 2, "width": 4, **kwargs}
    with pytest.raises(error, match=message):
        activation_stds(**arguments)


def test_activation_stds_takes_numpy_integers_and_shares_the_seed_cap():
    ints = activation_stds(nn.init.kaiming_normal_, depth=3, width=8, seed=3)
    assert activation_stds(nn.init.kaiming_normal_, depth=np.int64(3), width=np.int64(8), seed=np.int64(3)) == ints
    activation_stds(nn.init.kaiming_normal_, depth=1, width=2, seed=2**32 - 1)
    for seed in (2**32, 2**64):
        with pytest.raises(ValueError, match=r"seed must be a non-negative int below 2\*\*32"):
            activation_stds(nn.init.kaiming_normal_, depth=1, width=2, seed=seed)
