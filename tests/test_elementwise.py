"""Elementwise ops against torch: dtypes, promotion, broadcasting, views, scalars, out=, in-place, errors."""
import itertools

import numpy as np
import pytest
import torch

import rustorch
from conftest import DTYPE_PAIRS, assert_same, from_torch, to_torch

RNG = np.random.default_rng(0)

FLOAT_DTYPES = [rustorch.float32, rustorch.float64, rustorch.float16, rustorch.bfloat16]
INT_DTYPES = [rustorch.uint8, rustorch.int8, rustorch.int16, rustorch.int32, rustorch.int64]


def make(shape, dtype, device="cpu", special=False, low=-3.0, high=3.0):
    """A torch tensor and its rustorch twin with random values (NaN/inf/-0.0 mixed in when ``special``)."""
    tdt = DTYPE_PAIRS[dtype]
    if dtype is rustorch.bool:
        t = torch.from_numpy(np.asarray(RNG.random(shape) > 0.5))
    elif dtype.is_floating_point:
        a = np.asarray(RNG.uniform(low, high, shape))
        if special and a.size >= 4:
            flat = a.reshape(-1)
            flat[:4] = [np.nan, np.inf, -np.inf, -0.0]
            RNG.shuffle(flat)
        t = torch.from_numpy(a).to(tdt)
    elif dtype.is_complex:
        t = torch.from_numpy(np.asarray(RNG.uniform(low, high, shape) + 1j * RNG.uniform(low, high, shape))).to(tdt)
    else:
        lo = 0 if dtype is rustorch.uint8 else int(low) - 2
        t = torch.from_numpy(np.asarray(RNG.integers(lo, int(high) + 3, shape))).to(tdt)
    return from_torch(t, device), t


SHAPES = [(), (0,), (7,), (3, 5), (2, 3, 4)]


def layouts(shape, dtype, device, special=False, **kw):
    """The same values as a contiguous tensor, a transposed view and a strided slice."""
    r, t = make(shape, dtype, device, special, **kw)
    yield r, t
    if len(shape) >= 2:
        r2, t2 = make(shape[::-1], dtype, device, special, **kw)
        yield r2.transpose(0, -1), t2.transpose(0, -1)
    if len(shape) >= 1 and shape[0] > 1:
        big = (shape[0] * 2,) + shape[1:]
        r3, t3 = make(big, dtype, device, special, **kw)
        yield r3[::2], t3[::2]


FLOAT_UNARY = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos",
               "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "erf",
               "erfc", "erfinv", "lgamma", "digamma"]
SAME_UNARY = ["abs", "neg", "square", "floor", "ceil", "round", "trunc", "frac", "sign", "relu"]


def _torch_fn(name):
    return getattr(torch, name) if hasattr(torch, name) else getattr(torch.nn.functional, name)


@pytest.mark.parametrize("name", FLOAT_UNARY + SAME_UNARY)
@pytest.mark.parametrize("dtype", [rustorch.float32, rustorch.float64, rustorch.float16, rustorch.bfloat16])
def test_unary_float(device, name, dtype):
    if name == "digamma" and dtype in (rustorch.float16, rustorch.bfloat16):
        pytest.skip("digamma near poles in half precision is ill-conditioned in both libraries")
    for shape in SHAPES:
        for r, t in layouts(shape, dtype, device, special=True):
            tol = {"rtol": 2e-6, "atol": 1e-6} if dtype is rustorch.float32 else {}
            if name in ("lgamma", "digamma", "erfinv") and dtype is rustorch.float32:
                tol = {"rtol": 1e-5, "atol": 1e-5}
            assert_same(getattr(rustorch, name)(r), _torch_fn(name)(t), **tol)


@pytest.mark.parametrize("name", FLOAT_UNARY + SAME_UNARY)
@pytest.mark.parametrize("dtype", [rustorch.int32, rustorch.int64, rustorch.uint8, rustorch.bool])
def test_unary_integer_inputs(name, dtype):
    if name in ("frac",) or (dtype is rustorch.bool and name in ("neg", "abs", "square", "sign", "relu", "floor",
                                                                   "ceil", "round", "trunc")):
        pytest.skip("torch rejects this op for this dtype; covered in test_unary_rejects")
    if name == "relu" and dtype is rustorch.uint8:
        pytest.skip("torch has no relu for uint8")
    r, t = make((4, 6), dtype)
    tol = {"rtol": 1e-5, "atol": 1e-5} if name in ("lgamma", "digamma", "erfinv") else {}
    assert_same(getattr(rustorch, name)(r), _torch_fn(name)(t), **tol)


def test_unary_rejects():
    b = rustorch.tensor([True, False])
    with pytest.raises(rustorch.DTypeError, match="neg"):
        -b
    with pytest.raises(TypeError, match="bitwise_not"):
        rustorch.bitwise_not(rustorch.tensor([1.0]))
    with pytest.raises(TypeError, match="exp"):
        rustorch.exp([1.0, 2.0])


def test_unary_out_and_inplace(device):
    r, t = make((3, 4), rustorch.float32, device)
    out = rustorch.empty(0, device=device)
    rustorch.exp(r, out=out)
    assert_same(out, torch.exp(t))
    r2 = r.clone()
    r2.exp_()
    assert_same(r2, torch.exp(t))
    # in place through a view writes into the base
    base, tb = make((4, 4), rustorch.float32, device)
    base.t().sin_()
    assert_same(base, torch.sin(tb))
    # int tensors cannot hold a float result
    with pytest.raises(RuntimeError, match="can't be cast"):
        rustorch.tensor([1, 2]).exp_()


def test_sign_relu_nan_semantics():
    x = rustorch.tensor([float("nan"), -0.0, 0.0, -2.0, float("inf")])
    tx = to_torch(x)
    assert_same(rustorch.sign(x), torch.sign(tx))
    assert_same(rustorch.relu(x), torch.relu(tx))
    assert_same(rustorch.round(rustorch.tensor([0.5, 1.5, 2.5, -0.5])), torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5])))
    assert_same(rustorch.round(rustorch.tensor([1.2345, 25.5]), decimals=2),
                torch.round(torch.tensor([1.2345, 25.5]), decimals=2))


ARITH = ["add", "sub", "mul", "div", "maximum", "minimum", "fmax", "fmin", "pow"]
FLOAT_BINARY = ["atan2", "hypot", "copysign", "logaddexp", "xlogy"]
PREDICATES = ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"]
ROUNDING = ["floor_divide", "remainder", "fmod"]


@pytest.mark.parametrize("name", ARITH + FLOAT_BINARY + PREDICATES + ROUNDING)
@pytest.mark.parametrize("dtype", [rustorch.float32, rustorch.float64, rustorch.float16, rustorch.bfloat16])
def test_binary_float(device, name, dtype):
    for shape in SHAPES:
        for (ra, ta), (rb, tb) in zip(layouts(shape, dtype, device, special=True), layouts(shape, dtype, device)):
            if name == "pow":
                ra, ta = ra.abs(), ta.abs()
            tol = {"rtol": 2e-6, "atol": 1e-6} if dtype is rustorch.float32 else {}
            expected = getattr(torch, name)(ta, tb)
            assert_same(getattr(rustorch, name)(ra, rb), expected, **tol)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "maximum", "minimum", "pow", "floor_divide",
                                  "remainder", "fmod", "bitwise_and", "bitwise_or", "bitwise_xor",
                                  "bitwise_left_shift", "bitwise_right_shift"] + PREDICATES)
@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_binary_int(name, dtype):
    ra, ta = make((4, 5), dtype, low=1, high=6)
    rb, tb = make((4, 5), dtype, low=1, high=6)
    if name in ("floor_divide", "remainder", "fmod"):
        rb = rustorch.where(rb == 0, rustorch.ones_like(rb), rb)
        tb = torch.where(tb == 0, torch.ones_like(tb), tb)
    if name.startswith("bitwise_") and "shift" in name:
        rb, tb = rb.clamp(0, 3), tb.clamp(0, 3)
    if name == "pow":
        rb, tb = rb.clamp(0, 3), tb.clamp(0, 3)
    assert_same(getattr(rustorch, name)(ra, rb), getattr(torch, name)(ta, tb))


# type promotion over every pair of dtypes (and with 0-d tensors and Python scalars)
PROMO_DTYPES = [rustorch.bool, rustorch.uint8, rustorch.int8, rustorch.int16, rustorch.int32, rustorch.int64,
                rustorch.float16, rustorch.bfloat16, rustorch.float32, rustorch.float64, rustorch.complex64,
                rustorch.complex128]


@pytest.mark.parametrize("da,db", list(itertools.product(PROMO_DTYPES, PROMO_DTYPES)))
def test_promotion_pairs(da, db):
    ta, tb = DTYPE_PAIRS[da], DTYPE_PAIRS[db]
    if da is rustorch.float16 and db.is_complex:
        pytest.skip("torch gives complex32 (ComplexHalf) here; rustorch has no complex32 and gives complex64")
    assert DTYPE_PAIRS[rustorch.promote_types(da, db)] == torch.promote_types(ta, tb)
    ra, rta = make((3,), da, low=1, high=4)
    rb, rtb = make((), db, low=1, high=4)
    assert DTYPE_PAIRS[rustorch.result_type(ra, rb)] == torch.result_type(rta, rtb)
    if da is not rustorch.bool or db is not rustorch.bool:
        assert_same(ra * rb, rta * rtb)
        assert_same(ra + rb.expand(3), rta + rtb.expand(3))
    assert_same(ra == rb, rta == rtb)


@pytest.mark.parametrize("dtype", PROMO_DTYPES)
@pytest.mark.parametrize("scalar", [2, 2.5, True, 1 + 2j])
def test_promotion_with_python_scalars(dtype, scalar):
    if dtype is rustorch.float16 and isinstance(scalar, complex):
        pytest.skip("torch gives complex32 (ComplexHalf) here; rustorch has no complex32 and gives complex64")
    r, t = make((4,), dtype, low=1, high=4)
    if dtype is rustorch.bool and scalar is True:
        assert_same(r * scalar, t * scalar)
        return
    assert_same(r * scalar, t * scalar)
    assert_same(scalar * r, scalar * t)
    assert_same(r + scalar, t + scalar)
    assert_same(r / scalar, t / scalar)
    if not isinstance(scalar, complex) and not dtype.is_complex:
        assert_same(r > scalar, t > scalar)


def test_scalar_first_and_reflected_ops():
    r, t = make((2, 3), rustorch.float32, low=1, high=3)
    for expr in ["2 - x", "2 / x", "2 ** x", "x ** 2", "7 // x", "7 % x", "-x", "+x", "abs(x)", "x @ x.T",
                 "x.T @ x", "3 * x - x / 2"]:
        got = eval(expr, {"x": r})
        want = eval(expr, {"x": t})
        assert_same(got, want, rtol=1e-6, atol=1e-6)
    # ndarray on the left defers to the tensor
    assert isinstance(np.float64(2.0) * r, rustorch.Tensor)


def test_broadcasting(device):
    cases = [((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((5, 1, 3), (1, 2, 1)), ((0, 3), (3,)), ((1,), ()), ((4, 1), (4, 0))]
    for sa, sb in cases:
        ra, ta = make(sa, rustorch.float32, device)
        rb, tb = make(sb, rustorch.float32, device)
        for name in ["add", "mul", "sub", "div", "maximum", "lt"]:
            assert_same(getattr(rustorch, name)(ra, rb), getattr(torch, name)(ta, tb))
    with pytest.raises(rustorch.ShapeError, match=r"add\(\).*\[2, 3\].*\[4\]"):
        rustorch.ones(2, 3, device=device) + rustorch.ones(4, device=device)
    with pytest.raises(RuntimeError, match="must match"):
        rustorch.ones(2, 3) * rustorch.ones(3, 2)


def test_expanded_and_overlapping_views():
    base, tbase = make((4,), rustorch.float32)
    r = base.expand(3, 4)
    t = tbase.expand(3, 4)
    assert_same(r * 2 + r.T.T, t * 2 + t)
    x, tx = make((6, 6), rustorch.float64)
    assert_same(x[::2, 1::3] + x.T[::2, 1::3], tx[::2, 1::3] + tx.T[::2, 1::3])


def test_out_argument():
    ra, ta = make((3, 4), rustorch.float32)
    rb, tb = make((4,), rustorch.float32)
    out = rustorch.empty(3, 4)
    result = rustorch.add(ra, rb, out=out)
    assert result is out
    assert_same(out, ta + tb)
    # out is resized when its shape differs
    out2 = rustorch.empty(0)
    rustorch.mul(ra, rb, out=out2)
    assert out2.shape == (3, 4)
    # out of a wider dtype is fine; of a narrower kind is an error naming both dtypes
    out64 = rustorch.empty(3, 4, dtype=rustorch.float64)
    rustorch.add(ra, rb, out=out64)
    assert_same(out64, (ta + tb).double())
    with pytest.raises(RuntimeError, match="result type rustorch.float32 can't be cast to the desired output type rustorch.int64"):
        rustorch.add(ra, rb, out=rustorch.empty(3, 4, dtype=rustorch.int64))


def test_inplace_semantics():
    ra, ta = make((3, 4), rustorch.float32)
    rb, tb = make((4,), rustorch.float32)
    x = ra.clone()
    v0 = x._version
    x.add_(rb, alpha=2)
    assert_same(x, ta.add(tb, alpha=2))
    assert x._version > v0
    x = ra.clone()
    x += rb
    x *= 2
    x -= 1
    x /= 3
    assert_same(x, (((ta + tb) * 2) - 1) / 3)
    with pytest.raises(rustorch.ShapeError, match="doesn't match the broadcast shape"):
        rb.clone().add_(ra)
    i = rustorch.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.add_(1.5)
    with pytest.raises(RuntimeError, match="can't be cast"):
        i /= 2
    i.mul_(2)
    assert i.tolist() == [2, 4, 6]
    # in place through a transposed view writes into the base
    y = ra.clone()
    y.T.mul_(10)
    assert_same(y, ta * 10)


def test_integer_division_errors():
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        rustorch.tensor([1, 2]) // rustorch.tensor([1, 0])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        rustorch.tensor([1, 2]) % 0
    with pytest.raises(RuntimeError, match="negative integer powers"):
        rustorch.tensor([2, 3]) ** -1
    with pytest.raises(TypeError, match="sub"):
        rustorch.tensor([True]) - rustorch.tensor([False])
    with pytest.raises(TypeError, match="bitwise_and"):
        rustorch.tensor([1.0]) & rustorch.tensor([1.0])
    with pytest.raises(TypeError, match="alpha"):
        rustorch.add(rustorch.tensor([1]), rustorch.tensor([1]), alpha=0.5)


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
@pytest.mark.parametrize("dtype", [rustorch.float32, rustorch.float64, rustorch.int32, rustorch.int64])
def test_div_rounding_modes(mode, dtype):
    ra, ta = make((30,), dtype, low=-9, high=9)
    rb, tb = make((30,), dtype, low=1, high=4)
    rb = rustorch.where(rb == 0, rustorch.ones_like(rb), rb)
    tb = torch.where(tb == 0, torch.ones_like(tb), tb)
    assert_same(rustorch.div(ra, -rb, rounding_mode=mode), torch.div(ta, -tb, rounding_mode=mode))
    assert_same(rustorch.div(ra, 3, rounding_mode=mode), torch.div(ta, 3, rounding_mode=mode))


def test_clamp_and_friends(device):
    r, t = make((5, 6), rustorch.float32, device, special=True)
    assert_same(r.clamp(-1, 1), t.clamp(-1, 1))
    assert_same(r.clamp(min=0.5), t.clamp(min=0.5))
    assert_same(r.clip(max=0.5), t.clip(max=0.5))
    assert_same(r.clamp(1, -1), t.clamp(1, -1))
    lo, tlo = make((6,), rustorch.float32, device)
    assert_same(rustorch.clamp(r, min=lo, max=lo + 1), torch.clamp(t, min=tlo, max=tlo + 1))
    x = r.clone()
    x.clamp_(-0.5, 0.5)
    assert_same(x, t.clamp(-0.5, 0.5))
    ri, ti = make((5,), rustorch.int64)
    assert_same(ri.clamp(0, 2), ti.clamp(0, 2))
    assert_same(ri.clamp(min=0.5), ti.clamp(min=0.5))
    with pytest.raises(RuntimeError, match="clamp"):
        rustorch.clamp(r)


def test_ternary_ops():
    a, ta = make((3, 4), rustorch.float32)
    b, tb = make((3, 4), rustorch.float32)
    c, tc = make((4,), rustorch.float32, low=1, high=2)
    assert_same(rustorch.lerp(a, b, 0.3), torch.lerp(ta, tb, 0.3), rtol=1e-6, atol=1e-6)
    assert_same(rustorch.lerp(a, b, c), torch.lerp(ta, tb, tc), rtol=1e-6, atol=1e-6)
    assert_same(rustorch.addcmul(a, b, c, value=0.5), torch.addcmul(ta, tb, tc, value=0.5))
    assert_same(rustorch.addcdiv(a, b, c, value=2), torch.addcdiv(ta, tb, tc, value=2))
    x = a.clone()
    x.addcmul_(b, c)
    assert_same(x, ta.addcmul(tb, tc))
    with pytest.raises(TypeError, match="addcdiv"):
        rustorch.addcdiv(rustorch.tensor([1]), rustorch.tensor([1]), rustorch.tensor([1]))


def test_nan_checks_and_nan_to_num():
    r, t = make((40,), rustorch.float32, special=True)
    r = r * 1e30
    t = t * 1e30
    for name in ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit"]:
        assert_same(getattr(rustorch, name)(r), getattr(torch, name)(t))
    assert_same(rustorch.nan_to_num(r), torch.nan_to_num(t))
    assert_same(rustorch.nan_to_num(r, nan=1.0, posinf=2.0, neginf=-2.0), torch.nan_to_num(t, nan=1.0, posinf=2.0, neginf=-2.0))
    ri, ti = make((5,), rustorch.int32)
    assert_same(rustorch.isnan(ri), torch.isnan(ti))
    assert_same(rustorch.nan_to_num(ri), torch.nan_to_num(ti))


def test_isclose_allclose_equal():
    a, ta = make((10,), rustorch.float64, special=True)
    b = a + 1e-9
    tb = ta + 1e-9
    assert_same(rustorch.isclose(a, b), torch.isclose(ta, tb))
    assert_same(rustorch.isclose(a, b, equal_nan=True), torch.isclose(ta, tb, equal_nan=True))
    assert rustorch.allclose(a, a, equal_nan=True) == torch.allclose(ta, ta, equal_nan=True)
    assert rustorch.equal(rustorch.ones(3), rustorch.ones(3))
    assert not rustorch.equal(rustorch.ones(3), rustorch.ones(4))


def test_complex_arithmetic():
    a, ta = make((3, 4), rustorch.complex64)
    b, tb = make((3, 4), rustorch.complex64)
    for name in ["add", "sub", "mul", "div"]:
        assert_same(getattr(rustorch, name)(a, b), getattr(torch, name)(ta, tb), rtol=1e-5, atol=1e-5)
    for name in ["exp", "log", "sqrt", "sin", "tanh", "abs", "neg", "reciprocal"]:
        assert_same(getattr(rustorch, name)(a), getattr(torch, name)(ta), rtol=1e-5, atol=1e-5)
    assert_same(a.real, ta.real)
    assert_same(a.imag, ta.imag)
    assert_same(rustorch.angle(a), torch.angle(ta), rtol=1e-6, atol=1e-6)
    assert_same(a.conj(), ta.conj().resolve_conj())


def test_device_mismatch_and_bad_operands():
    x = rustorch.ones(2)
    with pytest.raises(TypeError, match="add"):
        rustorch.add(x, "a")
    with pytest.raises(TypeError):
        x + [1, 2]
    with pytest.raises(rustorch.BackendUnavailableError, match="cuda"):
        x.to("cuda")
    with pytest.raises(rustorch.DeviceError, match="unknown device"):
        rustorch.ones(2, device="tpu")


def test_large_tensors_use_threads_and_match():
    # big enough for the OpenMP paths of the kernels
    r, t = make((1 << 18,), rustorch.float32, special=True)
    r2, t2 = make((1 << 18,), rustorch.float32)
    assert_same(r + r2, t + t2)
    assert_same(rustorch.tanh(r), torch.tanh(t), rtol=2e-6, atol=1e-6)
    assert_same(rustorch.exp(r), torch.exp(t), rtol=2e-6, atol=1e-6)
    m, tm = make((512, 513), rustorch.float32)
    row, trow = make((513,), rustorch.float32)
    assert_same(m + row, tm + trow)
    assert_same(m.T * 3.0, tm.T * 3.0)
