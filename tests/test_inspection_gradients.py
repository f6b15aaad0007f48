"""gradient_profile: per-layer backward signal, layer-input size and weight gradient, checked by hand."""

import math

import pytest
import torch
from torch import nn

from chapter5_utils.inspection import GradientProfile, gradient_profile


def _stack(activation: nn.Module, depth: int, width: int, std: float) -> nn.Sequential:
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for _ in range(depth):
        linear = nn.Linear(width, width, dtype=torch.float64)
        nn.init.normal_(linear.weight, std=std)
        nn.init.zeros_(linear.bias)
        layers += [linear, activation]
    return nn.Sequential(*layers, nn.Linear(width, 1, dtype=torch.float64))


def _data(width: int, n: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(1)
    return (torch.randn(n, width, generator=gen, dtype=torch.float64),
            torch.randn(n, 1, generator=gen, dtype=torch.float64))


def test_every_number_matches_a_hand_written_forward_and_backward_pass():
    net = _stack(nn.Tanh(), depth=3, width=5, std=0.7)
    X, y = _data(5, n=20)
    profile = gradient_profile(net, X, y)
    assert isinstance(profile, GradientProfile)

    h, inputs, zs = X, [], []
    for module in net:
        if isinstance(module, nn.Linear):
            inputs.append(h)
            h = module(h)
            h.retain_grad()
            zs.append(h)
        else:
            h = module(h)
    nn.functional.mse_loss(h, y).backward()
    linears = [m for m in net if isinstance(m, nn.Linear)]
    expected = {
        "input_rms": [t.pow(2).mean().sqrt().item() for t in inputs],
        "preactivation_rms": [z.pow(2).mean().sqrt().item() for z in zs],
        "output_grad_norms": [z.grad.norm().item() for z in zs],
        "weight_grad_norms": [m.weight.grad.norm().item() for m in linears],
    }
    for field, values in expected.items():
        got = getattr(profile, field)
        assert len(got) == 4, field  # three hidden layers and the head
        assert got == pytest.approx(values, rel=1e-12), field
    # the weight gradient is the backward signal times the layer's input: ∂L/∂W = (∂L/∂z)ᵀ h
    for z, x, m in zip(zs, inputs, linears):
        assert torch.allclose(z.grad.T @ x, m.weight.grad, rtol=1e-12, atol=1e-15)


def test_it_touches_no_grad_and_leaves_no_hook_behind():
    net = _stack(nn.ReLU(), depth=2, width=4, std=0.5)
    net.eval()
    gradient_profile(net, *_data(4))
    assert all(p.grad is None for p in net.parameters())
    assert all(not m._forward_hooks for m in net.modules())
    assert not net.training


def test_relu_signal_shrinks_by_one_over_root_two_per_layer_and_he_init_keeps_it():
    X, y = _data(64)
    xavier = gradient_profile(_stack(nn.ReLU(), depth=12, width=64, std=64**-0.5), X, y)
    he = gradient_profile(_stack(nn.ReLU(), depth=12, width=64, std=(2 / 64) ** 0.5), X, y)

    def per_layer(values: tuple[float, ...]) -> float:  # average factor from hidden layer 12 down to layer 1
        return (values[0] / values[11]) ** (1 / 11)

    assert per_layer(xavier.output_grad_norms) == pytest.approx(1 / math.sqrt(2), abs=0.05)
    assert per_layer(xavier.input_rms) == pytest.approx(math.sqrt(2), rel=0.1)
    assert per_layer(he.output_grad_norms) == pytest.approx(1.0, abs=0.1)
    assert per_layer(he.input_rms) == pytest.approx(1.0, abs=0.1)


def test_a_custom_loss_and_integer_targets():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    X, labels = torch.randn(10, 3), torch.randint(0, 2, (10,))
    profile = gradient_profile(net, X, labels, loss_fn=nn.functional.cross_entropy)
    nn.functional.cross_entropy(net(X), labels).backward()
    assert profile.weight_grad_norms == pytest.approx([net[0].weight.grad.norm().item(),
                                                       net[2].weight.grad.norm().item()], rel=1e-6)


def test_hooks_are_removed_when_the_forward_pass_raises():
    net = nn.Sequential(nn.Linear(3, 4), nn.Linear(5, 1))
    with pytest.raises(RuntimeError):
        gradient_profile(net, torch.randn(2, 3), torch.randn(2, 1))
    assert all(not m._forward_hooks for m in net.modules())


@pytest.mark.parametrize(
    ("model", "X", "y", "loss_fn", "error", "says"),
    [
        ("not a model", torch.randn(2, 3), torch.randn(2, 1), None, TypeError, "model must be a torch.nn.Module"),
        (nn.Linear(3, 1), [[1.0, 2.0, 3.0]], torch.randn(1, 1), None, TypeError, "X must be a torch.Tensor"),
        (nn.Linear(3, 1), torch.randn(2, 3), 1.0, None, TypeError, "y must be a torch.Tensor"),
        (nn.Linear(3, 1), torch.ones(2, 3, dtype=torch.long), torch.randn(2, 1), None, TypeError, "floating-point"),
        (nn.Linear(3, 1), torch.randn(2, 3), torch.randn(2, 1), "mse", TypeError, "loss_fn must be a function"),
        (nn.Sequential(nn.ReLU()), torch.randn(2, 3), torch.randn(2, 3), None, ValueError, "no nn.Linear"),
        (nn.Linear(3, 1), torch.randn(2, 3), torch.randn(2, 1), lambda p, t: (p - t) ** 2, ValueError,
         "single number"),
    ],
)
def test_bad_arguments_raise_a_clear_error(model, X, y, loss_fn, error, says):
    with pytest.raises(error, match=says):
        gradient_profile(model, X, y, loss_fn)


def test_a_layer_called_twice_or_never_or_frozen_is_refused():
    shared = nn.Linear(3, 3)
    with pytest.raises(ValueError, match="called 2 times"):
        gradient_profile(nn.Sequential(shared, nn.Tanh(), shared), torch.randn(2, 3), torch.randn(2, 3))

    class Skips(nn.Module):
        def __init__(self):
            super().__init__()
            self.unused = nn.Linear(3, 3)

        def forward(self, x):
            return x * 2

    with pytest.raises(ValueError, match="called none"):
        gradient_profile(Skips(), torch.randn(2, 3, requires_grad=True), torch.randn(2, 3))

    frozen = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 1))
    frozen[0].weight.requires_grad_(False)
    with pytest.raises(ValueError, match="must require grad"):
        gradient_profile(frozen, torch.randn(2, 3), torch.randn(2, 1))
