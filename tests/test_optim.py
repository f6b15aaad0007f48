"""Each from-scratch optimizer against its torch.optim twin, on seeded random problems."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

from chapter5_utils.optim import SGD, AdaGrad, Adam, Momentum, RMSProp, distance_to, optimize_path

# (ours, torch's, keyword arguments for both)
CASES = {
    "sgd": (SGD, torch.optim.SGD, {"lr": 0.05}),
    "momentum": (Momentum, torch.optim.SGD, {"lr": 0.02, "momentum": 0.9}),
    "nesterov": (Momentum, torch.optim.SGD, {"lr": 0.02, "momentum": 0.8, "nesterov": True}),
    "dampening": (Momentum, torch.optim.SGD, {"lr": 0.02, "momentum": 0.9, "dampening": 0.3}),
    "adagrad": (AdaGrad, torch.optim.Adagrad, {"lr": 0.05}),
    "adagrad_decay": (
        AdaGrad,
        torch.optim.Adagrad,
        {"lr": 0.05, "lr_decay": 0.01, "initial_accumulator_value": 0.1, "eps": 1e-6},
    ),
    "rmsprop": (RMSProp, torch.optim.RMSprop, {"lr": 0.005}),
    "rmsprop_centered": (
        RMSProp,
        torch.optim.RMSprop,
        {"lr": 0.002, "alpha": 0.9, "momentum": 0.5, "centered": True},
    ),
    "adam": (Adam, torch.optim.Adam, {"lr": 0.005}),
    "amsgrad": (Adam, torch.optim.Adam, {"lr": 0.005, "betas": (0.8, 0.99), "amsgrad": True}),
}
DEFAULTS = {  # our class, torch's class and the arguments that make torch's the same algorithm
    "sgd": (SGD, torch.optim.SGD, {}),
    "momentum": (Momentum, torch.optim.SGD, {"momentum": 0.9}),
    "adagrad": (AdaGrad, torch.optim.Adagrad, {}),
    "rmsprop": (RMSProp, torch.optim.RMSprop, {}),
    "adam": (Adam, torch.optim.Adam, {}),
}


def _problem(dtype: torch.dtype, seed: int) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(120, 4, generator=gen, dtype=dtype)
    y = X @ torch.randn(4, 1, generator=gen, dtype=dtype) + 0.3 * torch.randn(120, 1, generator=gen, dtype=dtype)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)).to(dtype)
    return model, X, y


def _train_pair(ours, theirs, kwargs, dtype=torch.float64, seed=0, steps=120, groups=None):
    """Return (largest parameter difference, largest change of a weight) after ``steps`` mini-batch steps."""
    model, X, y = _problem(dtype, seed)
    start = [p.detach().clone() for p in model.parameters()]
    a, b = model, copy.deepcopy(model)
    params_a = groups(a) if groups else a.parameters()
    params_b = groups(b) if groups else b.parameters()
    opt_a, opt_b = ours(params_a, **kwargs), theirs(params_b, **kwargs)
    gen = torch.Generator().manual_seed(seed + 1)
    for _ in range(steps):
        idx = torch.randint(0, X.shape[0], (16,), generator=gen)
        for net, opt in ((a, opt_a), (b, opt_b)):
            opt.zero_grad()
            nn.functional.mse_loss(net(X[idx]), y[idx]).backward()
            opt.step()
    diff = max((p - q).abs().max().item() for p, q in zip(a.parameters(), b.parameters(), strict=True))
    moved = max((p - s).abs().max().item() for p, s in zip(a.parameters(), start, strict=True))
    return diff, moved


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
@pytest.mark.parametrize("seed", [0, 1])
def test_equal_to_torch_float64(name, weight_decay, seed):
    ours, theirs, kwargs = CASES[name]
    diff, moved = _train_pair(ours, theirs, {**kwargs, "weight_decay": weight_decay}, seed=seed)
    assert diff < 1e-12
    assert moved > 1e-2  # the comparison means something only if the weights changed


@pytest.mark.parametrize("name", sorted(CASES))
def test_equal_to_torch_float32_over_150_steps(name):
    ours, theirs, kwargs = CASES[name]
    diff, _ = _train_pair(ours, theirs, {**kwargs, "weight_decay": 0.01}, dtype=torch.float32, steps=150)
    assert diff < 1e-6


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_defaults_equal_torch_defaults(name):
    ours, theirs, extra = DEFAULTS[name]
    w = torch.zeros(3, requires_grad=True)
    mine, twin = ours([w]), theirs([w], **extra)
    for key, value in mine.defaults.items():
        assert twin.defaults[key] == value, key
    diff, _ = _train_pair(ours, lambda p, **kw: theirs(p, **extra, **kw), {}, steps=100)
    assert diff < 1e-12


def _two_groups(model: nn.Module) -> list[dict]:
    first, second = model[0], model[2]
    return [
        {"params": list(first.parameters()), "lr": 0.01, "weight_decay": 0.2},
        {"params": list(second.parameters())},
    ]


@pytest.mark.parametrize("name", sorted(CASES))
def test_parameter_groups_with_their_own_settings(name):
    ours, theirs, kwargs = CASES[name]
    diff, _ = _train_pair(ours, theirs, kwargs, groups=_two_groups)
    assert diff < 1e-12


@pytest.mark.parametrize("name", sorted(CASES))
def test_parameter_without_gradient_is_skipped(name):
    ours, theirs, kwargs = CASES[name]
    used = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    unused = torch.tensor([3.0, 4.0], dtype=torch.float64, requires_grad=True)
    twin_used = used.detach().clone().requires_grad_(True)
    mine = ours([used, unused], **kwargs, weight_decay=0.5)
    twin = theirs([twin_used], **kwargs, weight_decay=0.5)
    for _ in range(5):
        for x, opt in ((used, mine), (twin_used, twin)):
            opt.zero_grad()
            (x**2).sum().backward()
            opt.step()
    assert unused.grad is None
    assert torch.equal(unused, torch.tensor([3.0, 4.0], dtype=torch.float64))  # not even weight decay
    assert unused not in mine.state or not mine.state[unused]
    assert torch.allclose(used, twin_used, rtol=0, atol=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
def test_closure_is_evaluated_and_returned(name):
    ours, theirs, kwargs = CASES[name]
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    x_twin = x.detach().clone().requires_grad_(True)
    mine, twin = ours([x], **kwargs), theirs([x_twin], **kwargs)

    def closure_for(v, opt):
        def closure():
            opt.zero_grad()
            loss = (v**2).sum()
            loss.backward()
            return loss

        return closure

    loss = mine.step(closure_for(x, mine))
    twin.step(closure_for(x_twin, twin))
    assert loss.item() == pytest.approx(5.0)
    assert torch.allclose(x, x_twin, rtol=0, atol=1e-15)
    assert mine.step() is None


def test_works_with_lr_schedulers_like_torch():
    model, X, y = _problem(torch.float64, 0)
    twin_model = copy.deepcopy(model)
    mine, twin = Adam(model.parameters(), lr=0.05), torch.optim.Adam(twin_model.parameters(), lr=0.05)
    s_mine = torch.optim.lr_scheduler.StepLR(mine, step_size=3, gamma=0.5)
    s_twin = torch.optim.lr_scheduler.StepLR(twin, step_size=3, gamma=0.5)
    lrs, twin_lrs = [], []
    for _ in range(7):
        for net, opt in ((model, mine), (twin_model, twin)):
            opt.zero_grad()
            nn.functional.mse_loss(net(X), y).backward()
            opt.step()
        s_mine.step()
        s_twin.step()
        lrs.append(mine.param_groups[0]["lr"])
        twin_lrs.append(twin.param_groups[0]["lr"])
    assert lrs == twin_lrs == [0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125]
    assert (
        max((p - q).abs().max().item() for p, q in zip(model.parameters(), twin_model.parameters(), strict=True))
        < 1e-12
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_state_dict_round_trip_continues_the_same_run(name):
    ours, _, kwargs = CASES[name]
    model, X, y = _problem(torch.float64, 0)
    copy_model = copy.deepcopy(model)
    opt = ours(model.parameters(), **kwargs)

    def train(net, optimizer, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            nn.functional.mse_loss(net(X), y).backward()
            optimizer.step()

    train(model, opt, 5)
    copy_model.load_state_dict(model.state_dict())
    resumed = ours(copy_model.parameters(), **kwargs)
    resumed.load_state_dict(copy.deepcopy(opt.state_dict()))
    train(model, opt, 5)
    train(copy_model, resumed, 5)
    for p, q in zip(model.parameters(), copy_model.parameters(), strict=True):
        assert torch.equal(p, q)


def test_sgd_step_is_lr_times_gradient():
    w = torch.tensor([1.0, -1.0], requires_grad=True)
    opt = SGD([w], lr=0.1)
    (3 * w[0] - 2 * w[1]).backward()
    opt.step()
    assert torch.allclose(w, torch.tensor([1.0 - 0.3, -1.0 + 0.2]))


def test_sparse_gradient_is_rejected():
    emb = nn.Embedding(5, 2, sparse=True)
    opt = Adam(emb.parameters())
    emb(torch.tensor([1, 2])).sum().backward()
    with pytest.raises(TypeError, match="sparse"):
        opt.step()


# Every invalid argument: torch raises ValueError, and so do we, naming the argument.
INVALID = [
    (SGD, torch.optim.SGD, {"lr": -0.1}, "lr"),
    (SGD, torch.optim.SGD, {"weight_decay": -1.0}, "weight_decay"),
    (Momentum, torch.optim.SGD, {"lr": -1.0, "momentum": 0.9}, "lr"),
    (Momentum, torch.optim.SGD, {"momentum": -0.5}, "momentum"),
    (Momentum, torch.optim.SGD, {"momentum": 0.9, "weight_decay": -0.1}, "weight_decay"),
    (Momentum, torch.optim.SGD, {"momentum": 0.0, "nesterov": True}, "nesterov"),
    (Momentum, torch.optim.SGD, {"momentum": 0.9, "dampening": 0.1, "nesterov": True}, "nesterov"),
    (AdaGrad, torch.optim.Adagrad, {"lr": -0.01}, "lr"),
    (AdaGrad, torch.optim.Adagrad, {"lr_decay": -0.1}, "lr_decay"),
    (AdaGrad, torch.optim.Adagrad, {"weight_decay": -0.1}, "weight_decay"),
    (AdaGrad, torch.optim.Adagrad, {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
    (AdaGrad, torch.optim.Adagrad, {"eps": -1e-10}, "eps"),
    (RMSProp, torch.optim.RMSprop, {"lr": -0.01}, "lr"),
    (RMSProp, torch.optim.RMSprop, {"eps": -1e-8}, "eps"),
    (RMSProp, torch.optim.RMSprop, {"momentum": -0.9}, "momentum"),
    (RMSProp, torch.optim.RMSprop, {"weight_decay": -0.1}, "weight_decay"),
    (RMSProp, torch.optim.RMSprop, {"alpha": -0.99}, "alpha"),
    (Adam, torch.optim.Adam, {"lr": -0.001}, "lr"),
    (Adam, torch.optim.Adam, {"eps": -1e-8}, "eps"),
    (Adam, torch.optim.Adam, {"betas": (1.0, 0.999)}, r"betas\[0\]"),
    (Adam, torch.optim.Adam, {"betas": (-0.1, 0.999)}, r"betas\[0\]"),
    (Adam, torch.optim.Adam, {"betas": (0.9, 1.5)}, r"betas\[1\]"),
    (Adam, torch.optim.Adam, {"weight_decay": -0.1}, "weight_decay"),
    (Adam, torch.optim.Adam, {"lr": float("nan")}, "lr"),
]


@pytest.mark.parametrize(("ours", "theirs", "kwargs", "name"), INVALID)
def test_invalid_arguments_raise_value_error_like_torch(ours, theirs, kwargs, name):
    w = torch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError):
        theirs([w], **kwargs)
    with pytest.raises(ValueError, match=name):
        ours([w], **kwargs)


def test_betas_must_be_a_pair():
    with pytest.raises(ValueError, match="betas must be a pair"):
        Adam([torch.zeros(1, requires_grad=True)], betas=(0.9,))


@pytest.mark.parametrize("bad", ["0.1", None, True, torch.tensor(0.1)])
def test_non_numeric_learning_rate_is_a_type_error(bad):
    with pytest.raises(TypeError, match="lr must be a real number"):
        SGD([torch.zeros(1, requires_grad=True)], lr=bad)


def test_momentum_dampening_must_be_a_number():
    with pytest.raises(TypeError, match="dampening"):
        Momentum([torch.zeros(1, requires_grad=True)], dampening="0")


def _quadratic(x: torch.Tensor) -> torch.Tensor:
    return 0.1 * x[0] ** 2 + 2 * x[1] ** 2


def test_optimize_path_is_plain_gradient_descent_for_sgd():
    path = optimize_path(SGD, _quadratic, [-4.0, 2.0], steps=10, lr=0.1)
    assert path.shape == (11, 2) and path.dtype == np.float64
    expected = np.array([-4.0, 2.0]) * np.array([1 - 0.1 * 0.2, 1 - 0.1 * 4.0]) ** np.arange(11)[:, None]
    np.testing.assert_allclose(path, expected, rtol=0, atol=1e-14)
    assert distance_to(path, [0.0, 0.0]) == pytest.approx(np.hypot(*expected[-1]))


@pytest.mark.parametrize("name", ["momentum", "adagrad", "rmsprop", "adam"])
def test_optimize_path_same_for_ours_and_torch(name):
    ours, theirs, kwargs = CASES[name]
    mine = optimize_path(ours, _quadratic, [-4.0, 2.0], steps=50, **kwargs)
    twin = optimize_path(theirs, _quadratic, [-4.0, 2.0], steps=50, **kwargs)
    np.testing.assert_allclose(mine, twin, rtol=0, atol=1e-12)
    assert np.abs(mine[-1]).sum() < np.abs(mine[0]).sum()


def test_optimize_path_zero_steps_returns_start():
    path = optimize_path(Adam, _quadratic, [1.0, 2.0], steps=0)
    np.testing.assert_array_equal(path, [[1.0, 2.0]])


def test_optimize_path_errors():
    with pytest.raises(TypeError, match="optimizer_cls"):
        optimize_path(lambda p: None, _quadratic, [1.0, 2.0], steps=3)
    with pytest.raises(ValueError, match="steps"):
        optimize_path(SGD, _quadratic, [1.0, 2.0], steps=-1)
    with pytest.raises(ValueError, match="steps"):
        optimize_path(SGD, _quadratic, [1.0, 2.0], steps=2.5)
    with pytest.raises(ValueError, match="start"):
        optimize_path(SGD, _quadratic, [[1.0, 2.0]], steps=3)
    with pytest.raises(ValueError, match="start"):
        optimize_path(SGD, _quadratic, [1.0, float("inf")], steps=3)
    with pytest.raises(ValueError, match="f must return a scalar"):
        optimize_path(SGD, lambda x: x**2, [1.0, 2.0], steps=3)
    with pytest.raises(ValueError, match="lr must be >= 0"):
        optimize_path(SGD, _quadratic, [1.0, 2.0], steps=3, lr=-1.0)


def test_distance_to_errors():
    with pytest.raises(ValueError, match="optimum"):
        distance_to(np.zeros((3, 2)), [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="path"):
        distance_to(np.zeros(2), [0.0, 0.0])


@pytest.mark.parametrize("cls", [SGD, Momentum, AdaGrad, RMSProp, Adam])
def test_parameter_groups_are_checked_like_the_defaults(cls):
    p = torch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"param_groups\[0\]\['lr'\] must be >= 0, got -1.0"):
        cls([{"params": [p], "lr": -1.0}], lr=0.1)
    with pytest.raises(TypeError, match=r"param_groups\[1\]\['lr'\] must be a real number, got 'x'"):
        cls([{"params": [p]}, {"params": [torch.zeros(1, requires_grad=True)], "lr": "x"}], lr=0.1)
    assert cls([p], lr=np.float32(0.1)).param_groups[0]["lr"] == np.float32(0.1)  # NumPy numbers are numbers


def test_flags_must_be_bools():
    p = [torch.zeros(2, requires_grad=True)]
    with pytest.raises(TypeError, match=r"\['nesterov'\] must be True or False, got 'yes'"):
        Momentum(p, nesterov="yes")
    with pytest.raises(TypeError, match=r"\['amsgrad'\] must be True or False, got 'no'"):
        Adam(p, amsgrad="no")
    with pytest.raises(TypeError, match=r"\['centered'\] must be True or False, got 1"):
        RMSProp(p, centered=1)


def test_optimize_path_and_distance_to_reject_bad_input():
    def quadratic(v):
        return (v**2).sum()

    with pytest.raises(TypeError, match="f must be a function"):
        optimize_path(SGD, 3, [1.0, 1.0], 2, lr=0.1)
    with pytest.raises(ValueError, match="start must be a non-empty 1-D sequence of finite numbers, got 'ab'"):
        optimize_path(SGD, quadratic, "ab", 2, lr=0.1)
    start = torch.tensor([1.0, 1.0], requires_grad=True)
    np.testing.assert_array_equal(optimize_path(SGD, quadratic, start, 1, lr=0.5), [[1.0, 1.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"n >= 1 and optimum \(d,\), got shapes \(0, 2\)"):
        distance_to(np.zeros((0, 2)), [0.0, 0.0])
    with pytest.raises(ValueError, match="optimum must contain only finite numbers"):
        distance_to(np.zeros((3, 2)), [np.nan, 0.0])


def test_the_first_optimizer_imports_nothing_that_the_module_did_not():
    """Importing the module loads what torch.optim loads on first use, so a notebook's first optimizer is quick."""
    import subprocess
    import sys

    code = (
        "import sys, torch, chapter5_utils.optim as o; before = set(sys.modules); "
        "o.SGD([torch.zeros(1, requires_grad=True)], lr=0.1); "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('torch')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]", run.stdout[:300]
