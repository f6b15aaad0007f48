"""The checks of notebook 05's exercises answer typical wrong answers with their specific message."""

import re

import pytest
import torch
from torch import nn

from chapter5_utils import exercises
from chapter5_utils.exercises import model_parameters as mp

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def feedback(exercise_id, *answers):
    """Return the Feedback for ``answers``, after checking that it is not a caught exception and has Korean text."""
    result = exercises.evaluate(exercise_id, *answers)
    assert "running your answer raised" not in result.en, result.en
    assert HANGUL.search(result.ko), result.ko
    return result


def not_yet(exercise_id, *answers):
    result = feedback(exercise_id, *answers)
    assert result.status == "not_yet", result.en
    return result.en


# ---------------------------------------------------------------- 05.1 batch norm


class NormNotCalled(mp._Regressor):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(50)  # created, but forward is the plain regressor's


class NormOfThirty(mp._Regressor):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(30)

    def forward(self, x):
        x = self.dropout(self.relu(self.fc1(x)))
        x = self.dropout(self.relu(self.bn(self.fc2(x))))
        return self.fc3(x)


@pytest.fixture
def bn_model():
    torch.manual_seed(0)
    return mp._RegressorWithBatchNorm()


BUFFERS = ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"]


def test_batch_norm_reference_is_correct_and_the_model_is_left_alone(bn_model):
    state = {k: v.clone() for k, v in bn_model.state_dict().items()}
    result = feedback("05.1", bn_model, 100, BUFFERS)
    assert result.status == "correct" and "100 parameters" in result.en
    assert bn_model.training
    assert all(torch.equal(state[k], v) for k, v in bn_model.state_dict().items())


@pytest.mark.parametrize(
    "added, message",
    [
        (200, "running statistics"),
        (201, "running statistics"),
        (50, "two vectors"),
        (2361, "whole model's count"),
        (7, "count the values in its parameters()"),
        ("100", "should be a whole number"),
    ],
)
def test_batch_norm_wrong_counts(bn_model, added, message):
    assert message in not_yet("05.1", bn_model, added, BUFFERS)


def test_batch_norm_accepts_a_count_as_a_tensor_or_float(bn_model):
    assert feedback("05.1", bn_model, torch.tensor(100), BUFFERS).status == "correct"
    assert feedback("05.1", bn_model, 100.0, BUFFERS).status == "correct"


@pytest.mark.parametrize(
    "keys, message",
    [
        (["bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"], "'bn.bias' is a parameter"),
        (["bn.running_mean", "bn.running_var"], "'bn.num_batches_tracked' is missing"),
        (["running_mean", "running_var", "num_batches_tracked"], "Write the full keys"),
        (["bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "bn.momentum"], "'bn.momentum' is not a key"),
        ("bn.running_mean", "should be a list of state_dict keys"),
    ],
)
def test_batch_norm_wrong_keys(bn_model, keys, message):
    assert message in not_yet("05.1", bn_model, 100, keys)


def test_batch_norm_wrong_models():
    assert "should be a torch.nn.Module" in not_yet("05.1", 42, 100, BUFFERS)
    assert "has no nn.BatchNorm1d" in not_yet("05.1", mp._Regressor(), 100, BUFFERS)
    assert "never calls the batch-norm layer" in not_yet("05.1", NormNotCalled(), 100, BUFFERS)
    assert "normalises 30 features" in not_yet("05.1", NormOfThirty(), 100, BUFFERS)
    wide = nn.Sequential(nn.Linear(13, 50), nn.BatchNorm1d(50), nn.ReLU(), nn.Linear(50, 1))
    assert "start from the notebook's Regressor" in not_yet("05.1", wide, 100, BUFFERS)
    broken = nn.Sequential(nn.Linear(12, 50), nn.BatchNorm1d(50))
    assert "raised RuntimeError" in not_yet("05.1", broken, 100, BUFFERS)


# ---------------------------------------------------------------- 05.2 weight tying


def tied_model(how="tie"):
    torch.manual_seed(0)
    tied = nn.Sequential(nn.Linear(20, 20), nn.Tanh(), nn.Linear(20, 20))
    if how == "tie":
        tied[2].weight = tied[0].weight
    elif how == "data":
        tied[2].weight.data = tied[0].weight.data
    return tied


def test_weight_tying_correct():
    result = feedback("05.2", tied_model(), 440)
    assert result.status == "correct" and "440 parameters" in result.en


@pytest.mark.parametrize(
    "predicted, message",
    [
        (840, "counts the shared weight twice"),
        (420, "leaves out a bias"),
        (400, "leaves out a bias"),
        (500, "count each distinct tensor once"),
        ("440", "should be a whole number"),
    ],
)
def test_weight_tying_wrong_counts(predicted, message):
    assert message in not_yet("05.2", tied_model(), predicted)


def test_weight_tying_not_tied():
    assert "No two linear layers in `tied` hold the same weight" in not_yet("05.2", tied_model("none"), 440)
    assert "assign the Parameter object itself, not its .data" in not_yet("05.2", tied_model("data"), 440)
    assert "should be a torch.nn.Module" in not_yet("05.2", [nn.Linear(2, 2)], 440)


# ---------------------------------------------------------------- 05.3 tanh


@pytest.fixture(scope="module")
def tanh():
    """The reference numbers, from the exercise's own activation_stds (as the notebook computes them)."""
    plain = mp.activation_stds(torch.nn.init.xavier_uniform_, activation=torch.tanh)
    gain = mp.activation_stds(
        lambda w: torch.nn.init.xavier_uniform_(w, gain=torch.nn.init.calculate_gain("tanh")), activation=torch.tanh
    )
    return plain, gain


def test_tanh_reference_numbers_show_the_lesson(tanh):
    plain, gain = tanh
    assert plain[-1] < 0.5 * plain[0]  # plain Xavier loses the spread with tanh
    assert abs(gain[-1] / gain[5] - 1) < 0.05  # the tanh gain keeps it flat


def test_tanh_within_tolerance_is_correct(tanh):
    plain, gain = tanh
    result = feedback("05.3", plain[-1] + 0.009, gain[-1] - 0.009)
    assert result.status == "correct" and "±0.01" in result.en
    assert feedback("05.3", round(plain[-1], 2), torch.tensor(gain[-1])).status == "correct"


def test_tanh_typical_mistakes(tanh):
    plain, gain = tanh
    relu_plain = mp.activation_stds(torch.nn.init.xavier_uniform_)[-1]
    assert "what ReLU gives" in not_yet("05.3", relu_plain, gain[-1])
    assert "std after layer 1" in not_yet("05.3", plain[0], gain[-1])
    assert "look swapped" in not_yet("05.3", gain[-1], plain[-1])
    assert "got a sequence" in not_yet("05.3", plain, gain[-1])
    assert "should be a number" in not_yet("05.3", "0.13", gain[-1])
    message = not_yet("05.3", plain[-1] + 0.1, gain[-1])
    assert "not within ±0.01" in message and f"{plain[-1]:.2f}" not in message  # no answer given away


# ---------------------------------------------------------------- 05.4 freezing


def frozen_model(*names):
    torch.manual_seed(0)
    model = mp._Regressor()
    for name in names:
        getattr(model, name).requires_grad_(False)
    return model


def test_freezing_correct_and_the_learner_state_is_left_alone():
    model = frozen_model("fc1", "fc2")
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()
    result = feedback("05.4", model, optimizer)
    assert result.status == "correct" and "2 tensors (31 values)" in result.en
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert torch.equal(rng, torch.get_rng_state()) and all(p.grad is None for p in model.parameters())


def test_freezing_typical_mistakes():
    model = frozen_model("fc1", "fc2")
    assert "4 of them frozen (fc1.weight, fc1.bias, fc2.weight, fc2.bias)" in not_yet(
        "05.4", model, torch.optim.SGD(model.parameters(), lr=0.1)
    )
    only_fc1 = frozen_model("fc1")
    trainable = [p for p in only_fc1.parameters() if p.requires_grad]
    assert "fc2's parameters still have requires_grad=True" in not_yet(
        "05.4", only_fc1, torch.optim.SGD(trainable, lr=0.1)
    )
    all_three = frozen_model("fc1", "fc2", "fc3")
    assert "fc3's parameters have requires_grad=False" in not_yet(
        "05.4", all_three, torch.optim.SGD(all_three.fc3.parameters(), lr=0.1)
    )
    other = frozen_model("fc1", "fc2")
    assert "not partly_frozen's" in not_yet("05.4", model, torch.optim.SGD(other.fc3.parameters(), lr=0.1))
    assert "lacks fc3.bias" in not_yet("05.4", model, torch.optim.SGD([model.fc3.weight], lr=0.1))
    assert "changed nothing" in not_yet("05.4", model, torch.optim.SGD(model.fc3.parameters(), lr=0.0))


def test_freezing_wrong_types():
    model = frozen_model("fc1", "fc2")
    assert "is the class SGD" in not_yet("05.4", model, torch.optim.SGD)
    assert "should be a torch.optim optimizer" in not_yet("05.4", model, [model.fc3.weight])
    assert "should be a torch.nn.Module" in not_yet("05.4", "model", torch.optim.SGD(model.fc3.parameters(), lr=0.1))
    assert "with linear layers fc1, fc2 and fc3" in not_yet(
        "05.4", nn.Linear(13, 1), torch.optim.SGD(model.fc3.parameters(), lr=0.1)
    )
