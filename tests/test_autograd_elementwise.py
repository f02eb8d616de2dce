"""Gradients of the elementwise ops: gradcheck in float64 and torch's gradients in float32."""
import numpy as np
import pytest
import torch

import rustorch
from conftest import assert_same, check_grads, gradchecks

RNG = np.random.default_rng(0)

# op -> a sampler of valid inputs (domain restrictions), default: standard normal
POSITIVE = ("log", "log2", "log10", "sqrt", "rsqrt", "lgamma", "digamma")
UNIT = ("asin", "acos", "atanh", "erfinv")
UNARY = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan",
         "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "erf", "erfc", "erfinv",
         "lgamma", "digamma", "square", "abs", "neg", "relu", "frac", "floor", "ceil", "trunc", "round", "sign")
BINARY = ("add", "sub", "mul", "div", "pow", "maximum", "minimum", "fmax", "fmin", "atan2", "hypot", "copysign",
          "logaddexp", "xlogy", "remainder", "fmod")
NO_SECOND_ORDER = {"digamma"}  # its second derivative needs polygamma(2, x), which arrives with rustorch.special


def sample(op, shape):
    x = RNG.standard_normal(shape)
    if op in POSITIVE or op == "log1p":
        return np.abs(x) + 0.5
    if op in UNIT:
        return np.tanh(x) * 0.9
    if op == "acosh":
        return np.abs(x) + 1.5
    if op == "reciprocal":
        return np.sign(x) * (np.abs(x) + 0.5)
    if op in ("frac", "floor", "ceil", "trunc", "round", "sign", "abs", "relu"):
        return np.where(np.abs(x - np.round(x)) < 0.05, x + 0.2, x)  # away from kinks, for finite differences
    return x


def torch_fn(op):
    return {"relu": torch.relu}.get(op) or getattr(torch, op)


@pytest.mark.parametrize("op", UNARY)
def test_unary_gradcheck(op, device):
    f = getattr(rustorch, op)
    gradchecks(f, sample(op, (3, 4)), device=device, second_order=op not in NO_SECOND_ORDER)
    x = rustorch.tensor(sample(op, (4, 3)), device=device).t().requires_grad_()  # non-contiguous
    assert rustorch.autograd.gradcheck(f, (x,))
    gradchecks(f, sample(op, ()), device=device, second_order=False)  # 0-d


@pytest.mark.parametrize("op", UNARY)
def test_unary_grads_match_torch(op, device):
    check_grads(getattr(rustorch, op), torch_fn(op), sample(op, (5, 6)).astype(np.float32), device=device)


@pytest.mark.parametrize("op", UNARY)
def test_unary_inplace_on_non_leaf(op, device):
    a = sample(op, (4,)).astype(np.float32)
    x = rustorch.tensor(a, device=device, requires_grad=True)
    y = x * 1
    getattr(y, op + "_")()
    xt = torch.tensor(a, requires_grad=True)
    yt = torch_fn(op)(xt * 1)  # out of place: torch has no in-place derivative for some (asinh_, ...)
    g = RNG.standard_normal(4).astype(np.float32)
    y.backward(rustorch.tensor(g, device=device))
    yt.backward(torch.tensor(g))
    assert_same(x.grad, xt.grad, rtol=1e-4, atol=1e-5)


def binary_inputs(op, shape_a, shape_b):
    a, b = RNG.standard_normal(shape_a), RNG.standard_normal(shape_b)
    if op == "pow":
        a = np.abs(a) + 0.5
    if op in ("div", "remainder", "fmod"):
        b = np.sign(b) * (np.abs(b) + 0.5)
    if op == "xlogy":
        b = np.abs(b) + 0.5
    if op in ("remainder", "fmod"):  # away from the jumps of the quotient
        q = a / b
        a = np.where(np.abs(q - np.round(q)) < 0.05, a + 0.2 * b, a)
    return a, b


@pytest.mark.parametrize("op", BINARY)
def test_binary_gradcheck_with_broadcasting(op, device):
    f = getattr(rustorch, op)
    gradchecks(f, *binary_inputs(op, (3, 4), (3, 4)), device=device)
    gradchecks(f, *binary_inputs(op, (3, 1), (4,)), device=device, second_order=False)


@pytest.mark.parametrize("op", BINARY)
def test_binary_grads_match_torch(op, device):
    a, b = binary_inputs(op, (2, 3, 4), (3, 1))
    check_grads(getattr(rustorch, op), getattr(torch, op), a.astype(np.float32), b.astype(np.float32), device=device)


TENSOR_ONLY = ("maximum", "minimum", "atan2", "copysign")  # torch takes no Python number there


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "atan2", "remainder", "fmod",
                                "xlogy", "copysign"])
@pytest.mark.parametrize("scalar_first", [False, True])
def test_binary_with_a_number(op, scalar_first, device):
    if scalar_first and op in ("remainder", "fmod"):
        pytest.skip("torch has no Number-first remainder/fmod with a gradient")
    a = np.abs(RNG.standard_normal((3, 2))) + 0.5
    number = 1.7

    def call(lib, x):
        n = lib.tensor(number, dtype=x.dtype) if op in TENSOR_ONLY else number
        if op in TENSOR_ONLY and lib is rustorch:
            n = n.to(x.device)
        return getattr(lib, op)(n, x) if scalar_first else getattr(lib, op)(x, n)

    gradchecks(lambda x: call(rustorch, x), a, device=device)
    check_grads(lambda x: call(rustorch, x), lambda x: call(torch, x), a.astype(np.float32), device=device)


def test_operators_and_alpha(device):
    def rt(a, b):
        return (a + b * 2 - a / b) ** 2 + rustorch.add(a, b, alpha=3) - rustorch.sub(a, b, alpha=0.5) - (3 - a) + (-b)

    def th(a, b):
        return (a + b * 2 - a / b) ** 2 + torch.add(a, b, alpha=3) - torch.sub(a, b, alpha=0.5) - (3 - a) + (-b)

    a, b = binary_inputs("div", (4,), (4,))
    check_grads(rt, th, a.astype(np.float32), b.astype(np.float32), device=device)
    gradchecks(rt, a, b, device=device)


def test_pow_edge_cases():
    # torch's rules: d/dx x**0 = 0 (also at x = 0); d/dy 0**y = 0 for y >= 0
    x = rustorch.tensor([0.0, 2.0], requires_grad=True)
    e = rustorch.tensor([0.0, 3.0], requires_grad=True)
    gx, ge = rustorch.autograd.grad(rustorch.pow(x, e).sum(), [x, e])
    xt = torch.tensor([0.0, 2.0], requires_grad=True)
    et = torch.tensor([0.0, 3.0], requires_grad=True)
    gxt, get = torch.autograd.grad(torch.pow(xt, et).sum(), [xt, et])
    assert_same(gx, gxt)
    assert_same(ge, get)
    (g0,) = rustorch.autograd.grad((x ** 0).sum(), x)
    assert g0.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("op", ["maximum", "minimum", "fmax", "fmin"])
def test_ties_and_nan_split_like_torch(op):
    a = np.array([1.0, 2.0, np.nan, 3.0], np.float32)
    b = np.array([1.0, 1.0, 0.0, np.nan], np.float32)
    check_grads(getattr(rustorch, op), getattr(torch, op), a, b)


@pytest.mark.parametrize("low,high", [(-0.5, 0.5), (None, 0.2), (-0.2, None), (0.5, -0.5)])
def test_clamp_scalar_bounds(low, high, device):
    a = np.array([-1.0, -0.5, -0.2, 0.0, 0.2, 0.5, 1.0], np.float32)
    check_grads(lambda x: rustorch.clamp(x, low, high), lambda x: torch.clamp(x, low, high), a, device=device)
    if low is not None:
        check_grads(lambda x: rustorch.clamp_min(x, low), lambda x: torch.clamp_min(x, low), a, device=device)
    if high is not None:
        check_grads(lambda x: x.clamp_max(high), lambda x: x.clamp_max(high), a, device=device)


def test_clamp_tensor_bounds(device):
    x = np.array([-1.0, 0.0, 0.3, 2.0, 0.7], np.float32)
    low = np.array([-0.5, 0.0, 0.5, 0.0, 0.9], np.float32)
    high = np.array([0.5, 0.2, 1.0, 1.0, 0.1], np.float32)  # the last has low > high: the result is high
    check_grads(rustorch.clamp, torch.clamp, x, low, high, device=device)
    gradchecks(rustorch.clamp, x + 0.01, low, high, device=device)


def test_clamp_inplace(device):
    a = np.array([-1.0, 0.3, 2.0], np.float32)

    def rt(x):
        y = x * 2
        y.clamp_(-1, 1)
        return y

    def th(x):
        y = x * 2
        y.clamp_(-1, 1)
        return y

    check_grads(rt, th, a, device=device)


def test_composite_ops(device):
    a, b, c = (RNG.standard_normal((3, 4)).astype(np.float32) for _ in range(3))
    c = np.abs(c) + 0.5
    for rt, th in [
        (lambda x, y, z: rustorch.lerp(x, y, z), lambda x, y, z: torch.lerp(x, y, z)),
        (lambda x, y, z: rustorch.lerp(x, y, 0.3), lambda x, y, z: torch.lerp(x, y, 0.3)),
        (lambda x, y, z: rustorch.addcmul(x, y, z, value=0.5), lambda x, y, z: torch.addcmul(x, y, z, value=0.5)),
        (lambda x, y, z: rustorch.addcdiv(x, y, z, value=2), lambda x, y, z: torch.addcdiv(x, y, z, value=2)),
        (lambda x, y, z: rustorch.float_power(z, y), lambda x, y, z: torch.float_power(z, y)),
        (lambda x, y, z: rustorch.round(x * 10, decimals=1) * y, lambda x, y, z: torch.round(x * 10, decimals=1) * y),
        (lambda x, y, z: rustorch.rsub(x, y, alpha=2), lambda x, y, z: torch.rsub(x, y, alpha=2)),
        (lambda x, y, z: x.square() + rustorch.positive(y), lambda x, y, z: x.square() + torch.positive(y)),
    ]:
        check_grads(rt, th, a, b, c, device=device)
    gradchecks(lambda x, y, z: rustorch.lerp(x, y, z), a, b, c, device=device)
    gradchecks(lambda x, y, z: rustorch.addcdiv(x, y, z, value=2), a, b, c, device=device)


def test_non_differentiable_outputs_do_not_require_grad():
    x = rustorch.randn(3, requires_grad=True)
    for r in (x > 0, x == x, rustorch.isnan(x), rustorch.signbit(x), rustorch.isfinite(x), x.floor_divide(2) > 0):
        assert not r.requires_grad and r.grad_fn is None


def test_integer_ops_are_not_recorded():
    n = rustorch.tensor([1, 2, 3])
    assert not (n * 2).requires_grad
    x = rustorch.ones(3, requires_grad=True)
    y = x * n  # int tensor times float leaf: float result with a gradient for x only
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 3.0]


def test_complex_gradients_follow_torch():
    a = (RNG.standard_normal(3) + 1j * RNG.standard_normal(3)).astype(np.complex64)
    b = (RNG.standard_normal(3) + 1j * RNG.standard_normal(3)).astype(np.complex64)
    x, y = rustorch.tensor(a, requires_grad=True), rustorch.tensor(b, requires_grad=True)
    xt, yt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out = (x * y).exp() / y + x.conj()
    outt = (xt * yt).exp() / yt + xt.conj()
    g = (RNG.standard_normal(3) + 1j * RNG.standard_normal(3)).astype(np.complex64)
    gx, gy = rustorch.autograd.grad(out, [x, y], rustorch.tensor(g))
    gxt, gyt = torch.autograd.grad(outt, [xt, yt], torch.tensor(g))
    assert_same(gx, gxt, rtol=1e-4, atol=1e-5)
    assert_same(gy, gyt, rtol=1e-4, atol=1e-5)
    z = rustorch.tensor(a, requires_grad=True)
    zt = torch.tensor(a, requires_grad=True)
    (gz,) = rustorch.autograd.grad(z.abs(), z, rustorch.ones(3))
    (gzt,) = torch.autograd.grad(zt.abs(), zt, torch.ones(3))
    assert_same(gz, gzt, rtol=1e-5, atol=1e-6)


def test_real_and_imag_parts():
    a = np.array([1 + 2j, 3 - 1j], np.complex64)
    g = np.array([1.0, 2.0], np.float32)
    for part in ("real", "imag"):
        z, zt = rustorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        (ours,) = rustorch.autograd.grad(getattr(z, part) * 3, z, rustorch.tensor(g))
        (theirs,) = torch.autograd.grad(getattr(zt, part) * 3, zt, torch.tensor(g))
        assert_same(ours, theirs)
