"""Exercises of notebook 05: right answers pass in each type a computation returns, NaN and inf never pass,
each requirement of a task, violated once, gets its own message (the batch norm's position, what is tied,
the optimizer and its rate), a slow model is stopped, and the checks leave the learner's objects alone.

``CASES`` (exercise, answers, expected status, a phrase of the English message) is read by
tests/test_exercises_korean.py too.
"""

import re
import time

import numpy as np
import pytest
import torch
from torch import nn

from chapter5_utils import exercises
from chapter5_utils.exercises import core
from chapter5_utils.exercises import model_parameters as mp
from chapter5_utils.models import ChapterMLP

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _bn():
    return mp._batch_norm_reference()[0]


class _AfterReLU(ChapterMLP):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(50)

    def forward(self, x):
        x = self.dropout(self.bn(self.relu(self.fc1(x))))
        x = self.dropout(self.relu(self.fc2(x)))
        return self.fc3(x)


class _Functional(ChapterMLP):
    """The batch norm in its place, with torch.relu instead of the module."""

    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(50)

    def forward(self, x):
        return self.fc3(torch.relu(self.fc2(torch.relu(self.bn(self.fc1(x))))))


class _Unused(ChapterMLP):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(50)


class _Elsewhere(ChapterMLP):
    """The batch norm applied, but to fc1's input side: the computation is not the task's."""

    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(50)

    def forward(self, x):
        h = self.relu(self.fc1(x))
        return self.fc3(self.relu(self.fc2(h + 0 * self.bn(h))))


class _Slow(_Functional):
    def forward(self, x):
        time.sleep(30)
        return super().forward(x)


class _Wide(ChapterMLP):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(30)


def _tied(bias_too=False, data_only=False):
    tied = nn.Sequential(nn.Linear(20, 20), nn.Tanh(), nn.Linear(20, 20))
    if data_only:
        tied[2].weight.data = tied[0].weight.data
    else:
        tied[2].weight = tied[0].weight
    if bias_too:
        tied[2].bias = tied[0].bias
    return tied


def _frozen():
    return mp._freezing_reference()[0]


def _optimizer(cls=torch.optim.SGD, which="trainable", **kwargs):
    model = ChapterMLP()
    model.fc1.requires_grad_(False)
    model.fc2.requires_grad_(False)
    params = {"trainable": [p for p in model.parameters() if p.requires_grad], "all": list(model.parameters()),
              "weight": [model.fc3.weight]}[which]
    return model, cls(params, **{"lr": 0.1, **kwargs})


def _partly(freeze=("fc1", "fc2")):
    model = ChapterMLP()
    for name in freeze:
        getattr(model, name).requires_grad_(False)
    return model, torch.optim.SGD(model.fc3.parameters(), lr=0.1)


STDS = (mp._stds("plain", "tanh")[-1], mp._stds("gain", "tanh")[-1])

CASES = [
    # 05.1
    ("05.1", lambda: _bn(), "correct", "adds 100 parameters"),
    ("05.1", lambda: (_bn()[0], np.int64(100), tuple(_bn()[2])), "correct", "adds 100 parameters"),
    ("05.1", lambda: (_bn()[0], torch.tensor(100), set(_bn()[2])), "correct", "adds 100 parameters"),
    ("05.1", lambda: (_bn()[0], np.array(100.0), _bn()[2]), "correct", "adds 100 parameters"),
    ("05.1", lambda: (_Functional(), 100, _bn()[2]), "correct", "adds 100 parameters"),
    ("05.1", lambda: (_AfterReLU(), 100, _bn()[2]), "not_yet", "sits after fc1's ReLU"),
    ("05.1", lambda: (_Elsewhere(), 100, _bn()[2]), "not_yet", "does not compute fc3(relu(fc2(relu(bn(fc1(x))))))"),
    ("05.1", lambda: (_Unused(), 100, _bn()[2]), "not_yet", "never calls the batch-norm layer"),
    ("05.1", lambda: (ChapterMLP(), 100, _bn()[2]), "not_yet", "has no nn.BatchNorm1d layer"),
    ("05.1", lambda: (_Wide(), 100, _bn()[2]), "not_yet", "normalises 30 features"),
    ("05.1", lambda: (nn.Sequential(nn.Linear(10, 50), nn.BatchNorm1d(50)), 100, _bn()[2]), "not_yet",
     "should be the chapter's MLP"),
    ("05.1", lambda: (ChapterMLP(n_features=13), 100, _bn()[2]), "not_yet", "build it with ChapterMLP(n_features=10)"),
    ("05.1", lambda: (_bn()[0], 50, _bn()[2]), "not_yet", "learns two vectors, not one"),
    ("05.1", lambda: (_bn()[0], 201, _bn()[2]), "not_yet", "also counts the running statistics"),
    ("05.1", lambda: (_bn()[0], 2211, _bn()[2]), "not_yet", "is the whole model's count"),
    ("05.1", lambda: (_bn()[0], 7, _bn()[2]), "not_yet", "adds a different number than 7"),
    ("05.1", lambda: (_bn()[0], 100.5, _bn()[2]), "not_yet", "should be a whole number"),
    ("05.1", lambda: (_bn()[0], float("nan"), _bn()[2]), "not_yet", "`added_params` is nan"),
    ("05.1", lambda: (_bn()[0], 100, "bn.running_mean"), "not_yet", "should be a list of state_dict keys"),
    ("05.1", lambda: (_bn()[0], 100, ["bn.weight"]), "not_yet", "is a parameter"),
    ("05.1", lambda: (_bn()[0], 100, ["running_mean", "running_var", "num_batches_tracked"]), "not_yet",
     "Write the full keys"),
    ("05.1", lambda: (_bn()[0], 100, ["bn.running_mean", "bn.mean"]), "not_yet", "is not a key"),
    ("05.1", lambda: (_bn()[0], 100, ["bn.running_mean"]), "not_yet", "You listed 1 of the 3 keys"),
    ("05.1", lambda: ("model", 100, []), "not_yet", "should be a torch.nn.Module"),
    ("05.1", lambda: (ChapterMLP().to("meta"), 100, []), "not_yet", "meta device"),
    # 05.2
    ("05.2", lambda: (_tied(), 440), "correct", "counts once, each layer's bias separately"),
    ("05.2", lambda: (_tied(), np.int64(440)), "correct", "counts once"),
    ("05.2", lambda: (_tied(), torch.tensor(440.0)), "correct", "counts once"),
    ("05.2", lambda: (_tied(bias_too=True), 420), "not_yet", "You tied the biases as well"),
    ("05.2", lambda: (_tied(bias_too=True), 440), "not_yet", "You tied the biases as well"),
    ("05.2", lambda: (_tied(data_only=True), 440), "not_yet", "still two Parameter objects"),
    ("05.2", lambda: (nn.Sequential(nn.Linear(20, 20), nn.Tanh(), nn.Linear(20, 20)), 440), "not_yet",
     "No two linear layers"),
    ("05.2", lambda: (_tied(), 840), "not_yet", "counts the shared weight twice"),
    ("05.2", lambda: (_tied(), 420), "not_yet", "leaves out a bias"),
    ("05.2", lambda: (_tied(), 441), "not_yet", "does not have 441 parameters"),
    ("05.2", lambda: (_tied(), float("inf")), "not_yet", "`predicted_params` is inf"),
    ("05.2", lambda: (_tied(), "440"), "not_yet", "`predicted_params` should be a number"),
    ("05.2", lambda: ([1], 440), "not_yet", "should be a torch.nn.Module"),
    # 05.3
    ("05.3", lambda: STDS, "correct", "settles near"),
    ("05.3", lambda: (np.array(STDS[0]), torch.tensor(STDS[1])), "correct", "settles near"),
    ("05.3", lambda: (np.float32(STDS[0]), np.array([STDS[1]])), "correct", "settles near"),
    ("05.3", lambda: (round(STDS[0], 2), round(STDS[1], 2)), "correct", "settles near"),
    ("05.3", lambda: STDS[::-1], "not_yet", "swapped"),
    ("05.3", lambda: (mp._stds("plain", "relu")[-1], STDS[1]), "not_yet", "is what ReLU gives"),
    ("05.3", lambda: (mp._stds("plain", "tanh")[0], STDS[1]), "not_yet", "is the std after layer 1"),
    ("05.3", lambda: (STDS[0], 0.9), "not_yet", "is not within ±0.01"),
    ("05.3", lambda: (list(mp._stds("plain", "tanh")), STDS[1]), "not_yet", "got 30 numbers: take the last entry"),
    ("05.3", lambda: (float("nan"), STDS[1]), "not_yet", "`xavier_std_30` is nan"),
    ("05.3", lambda: (STDS[0], float("-inf")), "not_yet", "`xavier_gain_std_30` is -inf"),
    ("05.3", lambda: ("0.13", STDS[1]), "not_yet", "`xavier_std_30` should be a number"),
    # 05.4
    ("05.4", lambda: _frozen(), "correct", "changed fc3 and left fc1 and fc2 exactly as they were"),
    ("05.4", lambda: _optimizer(lr=0.01), "not_yet", "learning rate is 0.01; the task asks for lr=0.1"),
    ("05.4", lambda: _optimizer(torch.optim.Adam), "not_yet", "is a Adam; the task asks for plain SGD"),
    ("05.4", lambda: _optimizer(which="all"), "not_yet", "4 of them frozen"),
    ("05.4", lambda: _optimizer(which="weight"), "not_yet", "The optimizer lacks fc3.bias"),
    ("05.4", lambda: _partly(("fc1",)), "not_yet", "fc2's parameters still have requires_grad=True"),
    ("05.4", lambda: _partly(("fc1", "fc2", "fc3")), "not_yet", "fc3's parameters have requires_grad=False"),
    ("05.4", lambda: (_frozen()[0], _optimizer()[1]), "not_yet", "are not partly_frozen's"),
    ("05.4", lambda: (_frozen()[0], torch.optim.SGD), "not_yet", "is the class SGD, not an optimizer"),
    ("05.4", lambda: (_frozen()[0], [1]), "not_yet", "should be a torch.optim.SGD optimizer"),
    ("05.4", lambda: (nn.Linear(10, 1), _frozen()[1]), "not_yet", "should be the chapter's MLP"),
    ("05.4", lambda: _optimizer(weight_decay=0.0, momentum=0.0, lr=float("nan")), "not_yet", "learning rate is nan"),
]


@pytest.mark.parametrize(("exercise_id", "answers", "status", "phrase"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_case(exercise_id, answers, status, phrase):
    feedback = exercises.evaluate(exercise_id, *answers())
    assert feedback.status == status, feedback.en
    assert phrase in feedback.en, feedback.en
    assert HANGUL.search(feedback.ko) and feedback.ko != feedback.en


def test_05_1_a_slow_model_is_stopped(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 1.0)
    start = time.monotonic()
    feedback = exercises.evaluate("05.1", _Slow(), 100, _bn()[2])
    assert time.monotonic() - start < 3 and "time limit" in feedback.en


def test_checks_leave_the_learners_model_and_optimizer_alone():
    (model, added, keys), _ = mp._batch_norm_reference()
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    assert exercises.evaluate("05.1", model, added, keys).status == "correct"
    assert model.training and all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
    frozen, optimizer = _frozen()
    weights = {k: v.clone() for k, v in frozen.state_dict().items()}
    assert exercises.evaluate("05.4", frozen, optimizer).status == "correct"
    assert all(torch.equal(v, weights[k]) for k, v in frozen.state_dict().items())
    assert all(p.grad is None for p in frozen.parameters())
