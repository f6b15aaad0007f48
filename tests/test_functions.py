"""chapter5_utils.functions against torch.nn.functional: random inputs, extreme values, kinks, bad input."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from chapter5_utils import functions as fn

DTYPES = [torch.float32, torch.float64]
TOL = {torch.float32: 1e-6, torch.float64: 1e-14}
EXTREMES = [-1e4, -1e3, -100.0, -30.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 30.0, 100.0, 1e3, 1e4]

# (mine, torch's, mine's derivative, keyword arguments)
ACTIVATIONS = {
    "sigmoid": (fn.sigmoid, torch.sigmoid, fn.sigmoid_grad, {}),
    "tanh": (fn.tanh, torch.tanh, fn.tanh_grad, {}),
    "relu": (fn.relu, F.relu, fn.relu_grad, {}),
    "leaky_relu": (fn.leaky_relu, F.leaky_relu, fn.leaky_relu_grad, {}),
    "leaky_relu_0.2": (fn.leaky_relu, F.leaky_relu, fn.leaky_relu_grad, {"negative_slope": 0.2}),
    "elu": (fn.elu, F.elu, fn.elu_grad, {}),
    "elu_0.5": (fn.elu, F.elu, fn.elu_grad, {"alpha": 0.5}),
}


def inputs(dtype: torch.dtype) -> torch.Tensor:
    """Seeded normal values (scaled to reach the saturating regions), the extremes and the kink."""
    gen = torch.Generator().manual_seed(0)
    random = 6 * torch.randn(3, 200, generator=gen, dtype=torch.float64)
    return torch.cat([random.reshape(-1), torch.tensor(EXTREMES, dtype=torch.float64)]).to(dtype)


def autograd_derivative(f, x: torch.Tensor, **kwargs) -> torch.Tensor:
    x = x.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(x, **kwargs).sum(), x)
    return grad


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_torch(name, dtype):
    mine, ref, _, kwargs = ACTIVATIONS[name]
    x = inputs(dtype)
    out = mine(x, **kwargs)
    assert out.dtype == dtype and out.shape == x.shape
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, ref(x, **kwargs), atol=TOL[dtype], rtol=TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_derivative_matches_autograd_of_torch(name, dtype):
    _, ref, derivative, kwargs = ACTIVATIONS[name]
    x = inputs(dtype)
    got = derivative(x, **kwargs)
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, autograd_derivative(ref, x, **kwargs), atol=TOL[dtype], rtol=TOL[dtype])


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_autograd_through_mine_is_finite_and_correct(name):
    mine, ref, _, kwargs = ACTIVATIONS[name]
    x = inputs(torch.float64)
    got = autograd_derivative(mine, x, **kwargs)
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, autograd_derivative(ref, x, **kwargs), atol=1e-14, rtol=1e-14)


def test_extremes_do_not_overflow_where_the_textbook_formula_does():
    x = torch.tensor([-1e4, 1e4])
    naive_tanh = (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))
    assert torch.isnan(naive_tanh).all()  # inf / inf
    assert fn.tanh(x).tolist() == [-1.0, 1.0]
    assert fn.sigmoid(x).tolist() == [0.0, 1.0]
    assert fn.elu(x).tolist() == [-1.0, 1e4]
    assert fn.sigmoid_grad(x).tolist() == [0.0, 0.0]


def test_tanh_is_accurate_near_zero():
    x = torch.tensor([1e-30, 1e-10, -1e-7], dtype=torch.float64)
    torch.testing.assert_close(fn.tanh(x), torch.tanh(x), rtol=1e-15, atol=0)


def test_largest_sigmoid_derivative_is_a_quarter():
    x = torch.linspace(-10, 10, 2001, dtype=torch.float64)
    assert fn.sigmoid_grad(x).max().item() == pytest.approx(0.25)
    assert fn.tanh_grad(x).max().item() == pytest.approx(1.0)


def test_activations_keep_shape():
    x = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(1))
    for mine, _, derivative, kwargs in ACTIVATIONS.values():
        assert mine(x, **kwargs).shape == (2, 3, 4)
        assert derivative(x, **kwargs).shape == (2, 3, 4)


# --- losses -----------------------------------------------------------------------------------


def regression_pair(dtype: torch.dtype, shape=(50, 3)) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(2)
    return torch.randn(shape, generator=gen, dtype=dtype), torch.randn(shape, generator=gen, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("mine", "ref"), [(fn.mae, F.l1_loss), (fn.mse, F.mse_loss)])
def test_regression_losses_match_torch(mine, ref, dtype):
    pred, target = regression_pair(dtype)
    torch.testing.assert_close(mine(pred, target), ref(pred, target), atol=TOL[dtype], rtol=TOL[dtype])
    big = pred * 1e4
    torch.testing.assert_close(mine(big, target), ref(big, target), atol=0, rtol=TOL[dtype])
    assert mine(pred, target).ndim == 0
    assert mine(target, target).item() == 0.0


@pytest.mark.parametrize(("mine", "ref"), [(fn.mae, F.l1_loss), (fn.mse, F.mse_loss)])
def test_regression_loss_gradients_match_torch(mine, ref):
    pred, target = regression_pair(torch.float64)
    got = autograd_derivative(lambda p: mine(p, target), pred)
    want = autograd_derivative(lambda p: ref(p, target), pred)
    torch.testing.assert_close(got, want, atol=1e-15, rtol=1e-14)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_matches_torch_on_random_and_huge_logits(dtype):
    gen = torch.Generator().manual_seed(3)
    logits = 5 * torch.randn(4, 6, 10, generator=gen, dtype=torch.float64).to(dtype)
    torch.testing.assert_close(fn.softmax(logits), torch.softmax(logits, dim=-1), atol=TOL[dtype], rtol=0)
    huge = logits * 1e4 / logits.abs().max()  # scores up to ±1e4
    probs = fn.softmax(huge)
    assert torch.isfinite(probs).all()
    torch.testing.assert_close(probs, torch.softmax(huge, dim=-1), atol=TOL[dtype], rtol=0)
    torch.testing.assert_close(probs.sum(dim=-1), torch.ones(4, 6, dtype=dtype))


def test_naive_softmax_agrees_on_small_logits_and_overflows_on_large():
    logits = torch.tensor([[1.0, 2.0, 3.0]])
    torch.testing.assert_close(fn.naive_softmax(logits), torch.softmax(logits, dim=-1))
    large = torch.tensor([[1000.0, 1001.0, 1002.0]])
    assert torch.isnan(fn.naive_softmax(large)).all()
    torch.testing.assert_close(fn.softmax(large), torch.softmax(large, dim=-1))


def test_softmax_gradient_matches_torch():
    logits = torch.randn(5, 4, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    weights = torch.arange(4, dtype=torch.float64)
    got = autograd_derivative(lambda z: fn.softmax(z) * weights, logits)
    want = autograd_derivative(lambda z: torch.softmax(z, dim=-1) * weights, logits)
    torch.testing.assert_close(got, want, atol=1e-15, rtol=1e-14)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1.0, 10.0, 1e4])
def test_cross_entropy_matches_torch(dtype, scale):
    gen = torch.Generator().manual_seed(5)
    logits = (scale * torch.randn(64, 10, generator=gen, dtype=torch.float64)).to(dtype)
    target = torch.randint(0, 10, (64,), generator=gen)
    got = fn.cross_entropy(logits, target)
    assert got.ndim == 0 and torch.isfinite(got)
    torch.testing.assert_close(got, F.cross_entropy(logits, target), atol=TOL[dtype], rtol=TOL[dtype])


@pytest.mark.parametrize("target_dtype", [torch.int64, torch.int32, torch.uint8])
def test_cross_entropy_accepts_any_integer_target(target_dtype):
    logits = torch.randn(6, 3, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
    target = torch.tensor([0, 1, 2, 2, 1, 0], dtype=target_dtype)
    torch.testing.assert_close(fn.cross_entropy(logits, target), F.cross_entropy(logits, target.long()))


def test_cross_entropy_gradient_matches_torch_and_is_softmax_minus_onehot():
    gen = torch.Generator().manual_seed(7)
    logits = torch.randn(8, 5, generator=gen, dtype=torch.float64)
    target = torch.randint(0, 5, (8,), generator=gen)
    got = autograd_derivative(lambda z: fn.cross_entropy(z, target), logits)
    want = autograd_derivative(lambda z: F.cross_entropy(z, target), logits)
    torch.testing.assert_close(got, want, atol=1e-15, rtol=1e-14)
    formula = (torch.softmax(logits, dim=1) - F.one_hot(target, 5)) / 8
    torch.testing.assert_close(got, formula, atol=1e-15, rtol=1e-14)


def test_cross_entropy_range():
    target = torch.tensor([0])
    assert fn.cross_entropy(torch.tensor([[1e4, 0.0]]), target).item() == 0.0
    assert fn.cross_entropy(torch.tensor([[0.0, 0.0]]), target).item() == pytest.approx(0.6931471805599453)
    assert fn.cross_entropy(torch.tensor([[0.0, 1e4]], dtype=torch.float64), target).item() == 1e4


# --- bad input --------------------------------------------------------------------------------

ALL_ELEMENTWISE = [
    fn.sigmoid,
    fn.tanh,
    fn.relu,
    fn.leaky_relu,
    fn.elu,
    fn.sigmoid_grad,
    fn.tanh_grad,
    fn.relu_grad,
    fn.leaky_relu_grad,
    fn.elu_grad,
    fn.softmax,
    fn.naive_softmax,
]


@pytest.mark.parametrize("f", ALL_ELEMENTWISE)
def test_non_tensor_is_rejected(f):
    with pytest.raises(TypeError, match=r"must be a torch\.Tensor, got list"):
        f([0.0, 1.0])


@pytest.mark.parametrize("f", ALL_ELEMENTWISE)
def test_integer_tensor_is_rejected(f):
    with pytest.raises(TypeError, match=r"floating-point tensor, got dtype torch\.int64"):
        f(torch.tensor([0, 1]))


@pytest.mark.parametrize("f", [fn.leaky_relu, fn.leaky_relu_grad])
@pytest.mark.parametrize("slope", ["0.1", None, True, float("nan"), float("inf")])
def test_bad_negative_slope(f, slope):
    with pytest.raises(TypeError, match="negative_slope must be a finite real number"):
        f(torch.zeros(2), negative_slope=slope)


@pytest.mark.parametrize("f", [fn.elu, fn.elu_grad])
def test_negative_alpha(f):
    with pytest.raises(ValueError, match=r"alpha must be >= 0, got -1\.0"):
        f(torch.zeros(2), alpha=-1.0)
    with pytest.raises(TypeError, match="alpha must be a finite real number"):
        f(torch.zeros(2), alpha="1")


@pytest.mark.parametrize("loss", [fn.mae, fn.mse])
def test_regression_loss_bad_input(loss):
    with pytest.raises(TypeError, match="pred must be a torch.Tensor, got ndarray"):
        loss(torch.zeros(3).numpy(), torch.zeros(3))
    with pytest.raises(TypeError, match="target must be a torch.Tensor, got float"):
        loss(torch.zeros(3), 0.0)
    with pytest.raises(TypeError, match=r"target must be a floating-point tensor, got dtype torch\.int64"):
        loss(torch.zeros(3), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"same shape, got \(3, 1\) and \(3,\)"):
        loss(torch.zeros(3, 1), torch.zeros(3))
    with pytest.raises(ValueError, match=r"must not be empty, got shape \(0,\)"):
        loss(torch.zeros(0), torch.zeros(0))


@pytest.mark.parametrize("f", [fn.softmax, fn.naive_softmax, fn.cross_entropy])
def test_logits_without_classes(f):
    args = (
        (torch.zeros(3, 0), torch.zeros(3, dtype=torch.long))
        if f is fn.cross_entropy
        else (torch.zeros(3, 0),)
    )
    with pytest.raises(ValueError, match=r"at least one class along the last dim, got shape \(3, 0\)"):
        f(*args)
    with pytest.raises(ValueError, match=r"got shape \(\)"):
        f(torch.tensor(1.0), *args[1:])


def test_cross_entropy_bad_input():
    logits = torch.zeros(4, 3)
    good = torch.tensor([0, 1, 2, 1])
    with pytest.raises(TypeError, match="logits must be a torch.Tensor, got list"):
        fn.cross_entropy([[0.0, 1.0]], good)
    with pytest.raises(ValueError, match=r"logits must be 2-D \(n, classes\), got shape \(3,\)"):
        fn.cross_entropy(torch.zeros(3), torch.tensor(0))
    with pytest.raises(ValueError, match=r"logits must be 2-D \(n, classes\), got shape \(2, 4, 3\)"):
        fn.cross_entropy(torch.zeros(2, 4, 3), good)
    with pytest.raises(TypeError, match="target must be a torch.Tensor of class indices, got list"):
        fn.cross_entropy(logits, [0, 1, 2, 1])
    with pytest.raises(TypeError, match=r"integer class indices, got dtype torch\.float32"):
        fn.cross_entropy(logits, good.float())
    with pytest.raises(TypeError, match=r"integer class indices, got dtype torch\.bool"):
        fn.cross_entropy(logits, good > 0)
    with pytest.raises(ValueError, match=r"target must have shape \(4,\) like logits has rows, got \(4, 1\)"):
        fn.cross_entropy(logits, good.unsqueeze(1))
    with pytest.raises(ValueError, match=r"target must have shape \(4,\) like logits has rows, got \(3,\)"):
        fn.cross_entropy(logits, good[:3])
    with pytest.raises(ValueError, match=r"class indices in 0\.\.2 .* got values from 0 to 3"):
        fn.cross_entropy(logits, torch.tensor([0, 1, 3, 1]))
    with pytest.raises(ValueError, match=r"class indices in 0\.\.2 .* got values from -1 to 2"):
        fn.cross_entropy(logits, torch.tensor([-1, 1, 2, 1]))
    with pytest.raises(ValueError, match="at least one example, got 0 rows"):
        fn.cross_entropy(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))


SPECIAL = torch.tensor([-1e4, -3.0, -0.0, 0.0, 2.0, 1e4, torch.nan, torch.inf, -torch.inf], dtype=torch.float64)


@pytest.mark.parametrize(
    "ours, theirs",
    [(fn.sigmoid, torch.sigmoid), (fn.tanh, torch.tanh), (fn.relu, torch.relu), (fn.leaky_relu, F.leaky_relu),
     (fn.elu, F.elu)],
)
def test_activations_equal_torch_on_nan_inf_and_signed_zero(ours, theirs):
    torch.testing.assert_close(ours(SPECIAL), theirs(SPECIAL), rtol=1e-15, atol=1e-300, equal_nan=True)


@pytest.mark.parametrize(
    "grad, activation",
    [(fn.relu_grad, torch.relu), (fn.leaky_relu_grad, F.leaky_relu), (fn.elu_grad, F.elu)],
)
def test_piecewise_derivatives_equal_autograd_on_nan_inf_and_signed_zero(grad, activation):
    # torch's own ELU derivative at NaN depends on the CPU kernel (1 or NaN), so NaN is left out there
    special = SPECIAL[~SPECIAL.isnan()] if grad is fn.elu_grad else SPECIAL
    x = special.clone().requires_grad_(True)
    activation(x).sum().backward()
    torch.testing.assert_close(grad(special), x.grad, rtol=0, atol=0, equal_nan=True)


def test_elu_grad_at_nan_is_one_as_torchs_backward_formula():
    x = torch.tensor([float("nan")], dtype=torch.float64, requires_grad=True)
    F.elu(x).sum().backward()  # one element: torch's scalar formula, x <= 0 ? alpha * e^x : 1
    assert x.grad.item() == 1.0
    for alpha in (1.0, 0.5, 0.0):
        assert fn.elu_grad(torch.tensor([float("nan"), -0.0, 0.0]), alpha).tolist() == [1.0, alpha, alpha]


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "elu"])
def test_half_precision_is_within_two_units_in_the_last_place_of_torch(dtype, name):
    ours, theirs = getattr(fn, name), {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "elu": F.elu}[name]
    x = torch.linspace(-6, 6, 49).to(dtype)
    eps = torch.finfo(dtype).eps
    assert ours(x).dtype == dtype
    torch.testing.assert_close(ours(x).float(), theirs(x).float(), rtol=2 * eps, atol=2 * eps)
    ref = x.clone().requires_grad_(True)
    theirs(ref).sum().backward()
    grad = getattr(fn, f"{name}_grad")(x)
    assert grad.dtype == dtype
    torch.testing.assert_close(grad.float(), ref.grad.float(), rtol=2 * eps, atol=2 * eps)
