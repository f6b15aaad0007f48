"""Exercises of notebook 05: right answers pass in each type a computation returns, NaN and inf never pass,
each requirement of a task, violated once, gets its own message (the batch norm's position, what is tied,
the optimizer and its rate), a slow model is stopped, and the checks leave the learner's objects alone.

``CASES`` (exercise, answers, expected status, a phrase of the English message) is read by
tests/test_exercises_korean.py too.
"""

import copy
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


class _BNOptions(ChapterMLP):
    """The batch norm in its place, made with other options than the defaults."""

    def __init__(self, **options):
        super().__init__()
        self.bn = nn.BatchNorm1d(50, **options)

    def forward(self, x):
        x = self.dropout(self.relu(self.bn(self.fc1(x))))
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


def _fine(params="trainable", freeze=("fc1", "fc2"), mode="train", record="before", reseed=False, loss="mse",
          lr=0.1, momentum=0.9, weight_decay=0.01, kind=torch.optim.SGD, steps=None, losses="list", returns="tuple",
          zero="none", touch_fc1=False):
    """A learner's fine_tune, with one thing changed."""

    def fine_tune(model, X, y, n):
        if reseed:
            torch.manual_seed(0)
        for name in freeze:
            getattr(model, name).requires_grad_(False)
        chosen = {"trainable": [p for p in model.parameters() if p.requires_grad], "all": list(model.parameters()),
                  "weight": [model.fc3.weight]}[params]
        settings = {"lr": lr, "momentum": momentum, "weight_decay": weight_decay}
        if kind is torch.optim.Adam:
            settings = {"lr": lr, "weight_decay": weight_decay}
        optimizer = kind(chosen, **settings)
        if mode != "keep":  # "keep": the learner never switches the mode
            model.train(mode == "train")
        out = []
        for _ in range(n if steps is None else steps):
            optimizer.zero_grad(set_to_none=zero == "none")
            value = (nn.functional.mse_loss if loss == "mse" else nn.functional.l1_loss)(model(X), y)
            value.backward()
            optimizer.step()
            if record == "after":
                with torch.no_grad():
                    value = nn.functional.mse_loss(model(X), y)
            out.append(value.item())
        if touch_fc1:
            with torch.no_grad():
                model.fc1.weight[0, 0] += 1
        if losses == "tensor":
            out = torch.tensor(out)
        elif losses == "nan":
            out[0] = float("nan")
        elif losses == "inf":
            out[3] = float("inf")
        return {"tuple": (optimizer, out), "list": [optimizer, out], "optimizer": optimizer,
                "swapped": (out, optimizer)}[returns]

    return fine_tune


def _save(optimizer=True, rng=True, whole=False, step=True, str_path=False, nan=False):
    def save_checkpoint(path, model, opt, n):
        if whole:
            torch.save({"model": model, "optimizer": opt, "step": n}, path)
            return
        saved = {"model": model.state_dict()}
        if optimizer:
            saved["optimizer"] = opt.state_dict()
        if rng:
            saved["rng"] = torch.get_rng_state()
        if step:
            saved["step"] = n
        if nan:
            saved["model"] = {k: v.clone().fill_(float("nan")) for k, v in saved["model"].items()}
        torch.save(saved, str(path) if str_path else path)

    return save_checkpoint


def _load(optimizer=True, rng=True, model=True, weights_only=True, whole=False, step="saved"):
    def load_checkpoint(path, net, opt):
        kwargs = {} if weights_only is None else {"weights_only": weights_only}
        saved = torch.load(path, **kwargs)
        if whole:
            net.load_state_dict(saved["model"].state_dict())
            return saved["step"]
        if model:
            net.load_state_dict(saved["model"])
        if optimizer:
            opt.load_state_dict(saved["optimizer"])
        if rng:
            torch.set_rng_state(saved["rng"])
        return saved.get("step") if step == "saved" else step

    return load_checkpoint


_STASH = {}


def _stash_save(path, model, optimizer, step):
    _STASH["last"] = (copy.deepcopy(model.state_dict()), copy.deepcopy(optimizer.state_dict()), torch.get_rng_state(),
                      step)
    torch.save({}, path)


def _stash_load(path, model, optimizer):
    state, opt_state, rng, step = _STASH["last"]
    model.load_state_dict(state)
    optimizer.load_state_dict(opt_state)
    torch.set_rng_state(rng)
    return step


def _stash_load_reading(path, model, optimizer):
    torch.load(path, weights_only=True)
    return _stash_load(path, model, optimizer)


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
    ("05.1", lambda: (_BNOptions(affine=False), 0, _bn()[2]), "not_yet", "affine=False, so it has no scale"),
    ("05.1", lambda: (_BNOptions(track_running_stats=False), 100, []), "not_yet", "track_running_stats=False"),
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
    ("05.4", lambda: (mp.fine_tune_reference,), "correct", "Only fc3's 31 values trained"),
    ("05.4", lambda: (_fine(returns="list"),), "correct", "Only fc3's 31 values trained"),
    ("05.4", lambda: (_fine(losses="tensor"),), "correct", "Only fc3's 31 values trained"),
    ("05.4", lambda: (_fine(params="all", zero="keep"),), "not_yet", "also holds frozen tensors"),
    ("05.4", lambda: (_fine(params="all"),), "not_yet", "also holds frozen tensors"),
    ("05.4", lambda: (_fine(params="weight"),), "not_yet", "it should hold fc3.weight and fc3.bias"),
    ("05.4", lambda: (_fine(freeze=("fc1",)),), "not_yet", "fc2's parameters still have requires_grad=True"),
    ("05.4", lambda: (_fine(mode="eval"),), "not_yet", "losses with dropout off"),
    ("05.4", lambda: (_fine(mode="keep"),), "not_yet", "losses with dropout off"),  # the model comes in eval mode
    ("05.4", lambda: (_fine(record="after"),), "not_yet", "are not what 20 steps of full-batch MSE training give"),
    ("05.4", lambda: (_fine(reseed=True),), "not_yet", "sets the seed itself"),
    ("05.4", lambda: (_fine(loss="mae"),), "not_yet", "are not what 20 steps of full-batch MSE training give"),
    ("05.4", lambda: (_fine(lr=0.01),), "not_yet", "The optimizer's lr is not 0.1"),
    ("05.4", lambda: (_fine(momentum=0.0),), "not_yet", "The optimizer's momentum is not 0.9"),
    ("05.4", lambda: (_fine(weight_decay=0.0),), "not_yet", "The optimizer's weight_decay is not 0.01"),
    ("05.4", lambda: (_fine(kind=torch.optim.Adam),), "not_yet", "is Adam; the task asks for torch.optim.SGD"),
    ("05.4", lambda: (_fine(steps=19),), "not_yet", "`losses` holds 19 numbers"),
    ("05.4", lambda: (_fine(losses="nan"),), "not_yet", "`losses[0]` is nan"),
    ("05.4", lambda: (_fine(losses="inf"),), "not_yet", "`losses[3]` is inf"),
    ("05.4", lambda: (_fine(returns="optimizer"),), "not_yet", "should return two things, (optimizer, losses)"),
    ("05.4", lambda: (_fine(returns="swapped"),), "not_yet", "should be the optimizer it built"),
    ("05.4", lambda: (_fine(touch_fc1=True),), "not_yet", "fine_tune changed fc1.weight"),
    ("05.4", lambda: (lambda model, X, y, steps: 1 / 0,), "not_yet", "Running your code raised ZeroDivisionError"),
    ("05.4", lambda: ("fine_tune",), "not_yet", "Pass your function itself"),
    # 05.5
    ("05.5", lambda: (mp.save_checkpoint_reference, mp.load_checkpoint_reference), "correct", "exactly the weights"),
    ("05.5", lambda: (_save(str_path=True), mp.load_checkpoint_reference), "correct", "exactly the weights"),
    ("05.5", lambda: (_save(optimizer=False), _load(optimizer=False)), "not_yet", "momentum buffers start from zero"),
    ("05.5", lambda: (_save(rng=False), _load(rng=False)), "not_yet", "dropout would draw other masks"),
    ("05.5", lambda: (mp.save_checkpoint_reference, _load(rng=False)), "not_yet", "dropout would draw other masks"),
    ("05.5", lambda: (mp.save_checkpoint_reference, _load(model=False)), "not_yet", "the model's weights are not"),
    ("05.5", lambda: (mp.save_checkpoint_reference, _load(weights_only=False)), "not_yet",
     "without weights_only=True"),
    ("05.5", lambda: (mp.save_checkpoint_reference, _load(weights_only=None)), "not_yet", "without weights_only=True"),
    ("05.5", lambda: (_save(whole=True), _load(whole=True)), "not_yet", "refuses, such as the model"),
    ("05.5", lambda: (mp.save_checkpoint_reference, _load(step=0)), "not_yet", "returned step 0"),
    ("05.5", lambda: (_save(step=False), _load()), "not_yet", "should return the step saved in the checkpoint"),
    ("05.5", lambda: (mp.save_checkpoint_reference, _load(step=torch.tensor(12))), "correct", "exactly the weights"),
    ("05.5", lambda: (_save(step=False), _load(step=None)), "not_yet", "should return the step saved"),
    ("05.5", lambda: (_stash_save, _stash_load), "not_yet", "did not call torch.load"),
    ("05.5", lambda: (_stash_save, _stash_load_reading), "not_yet", "the model's weights are not the saved ones"),
    ("05.5", lambda: (lambda *a: None, mp.load_checkpoint_reference), "not_yet", "wrote no file at path"),
    ("05.5", lambda: (_save(nan=True), mp.load_checkpoint_reference), "not_yet", "the model's weights are not"),
    ("05.5", lambda: ("save", mp.load_checkpoint_reference), "not_yet", "Pass your function save_checkpoint itself"),
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


def test_checks_leave_the_learners_model_alone():
    (model, added, keys), _ = mp._batch_norm_reference()
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    assert exercises.evaluate("05.1", model, added, keys).status == "correct"
    assert model.training and all(torch.equal(v, before[k]) for k, v in model.state_dict().items())


def test_05_4_the_correct_message_is_true_an_optimizer_over_all_parameters_moves_frozen_layers():
    """With .grad tensors of zeros, SGD with momentum and weight decay over every parameter moves fc1."""
    X, y = mp._diabetes_all()
    model = mp._pretrained()
    before = model.fc1.weight.detach().clone()
    _fine(params="all", zero="keep")(model, X, y, 3)
    assert not torch.equal(model.fc1.weight, before)


def test_05_4_and_05_5_slow_functions_are_stopped(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 1.0)
    start = time.monotonic()
    assert "time limit" in exercises.evaluate("05.4", lambda *a: time.sleep(30)).en
    assert "time limit" in exercises.evaluate("05.5", lambda *a: time.sleep(30), mp.load_checkpoint_reference).en
    assert time.monotonic() - start < 5


def test_05_5_the_notebooks_recipe_with_adam_state_would_pass():
    """The notebook's checkpoint dict (step, model, optimizer, rng) is what the check accepts."""
    feedback = exercises.evaluate("05.5", mp.save_checkpoint_reference, mp.load_checkpoint_reference)
    assert feedback.status == "correct" and "weights_only=True" in feedback.en
