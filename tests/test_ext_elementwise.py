"""rustorch._ext.elementwise against torch (the oracle) on many layouts."""
import itertools

import numpy as np
import pytest
import torch

from rustorch._ext import elementwise as E

DTYPES = [np.float32, np.float64]

UNARY = ("neg abs exp exp2 expm1 log log2 log10 log1p sqrt rsqrt square reciprocal "
         "sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh sigmoid relu "
         "erf erfc floor ceil round trunc frac sign").split()
BINARY = ("add sub mul div maximum minimum pow atan2 fmod remainder "
          "floor_divide").split()

# autograd's fused backward kernels: (incoming gradient, forward result) -> gradient
GRADIENT_KERNELS = ["tanh_backward", "sigmoid_backward", "threshold_backward"]

# Results that must match torch bit for bit (IEEE-exact operations).
# sqrt/rsqrt: torch uses Sleef (0.5001 ulp), ours is the IEEE-exact instruction.
EXACT = {"neg", "abs", "square", "reciprocal", "relu", "floor",
         "ceil", "round", "trunc", "frac", "sign", "add", "sub", "mul", "div",
         "maximum", "minimum", "fmod", "remainder", "floor_divide"}

SPECIAL = [np.nan, np.inf, -np.inf, -0.0, 0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5,
           1.0, -1.0, 3.0, -3.0, 1e-30, -1e-30, 0.9999, 1e-8, 20.0, -20.0, 80.0]


def torch_unary(op, x):
    t = torch.from_numpy(np.array(x, order="C"))
    fn = {"relu": torch.relu, "sigmoid": torch.sigmoid}.get(op) or getattr(torch, op)
    return fn(t).numpy()


def torch_binary(op, a, b):
    ta = torch.from_numpy(np.array(a, order="C"))
    tb = torch.from_numpy(np.array(b, order="C"))
    return getattr(torch, op)(ta, tb).numpy()


def assert_matches(op, got, ref, dtype):
    assert got.shape == ref.shape
    got = np.asarray(got)
    both_nan = np.isnan(got) & np.isnan(ref)
    if op in EXACT:
        same = (got == ref) & (np.signbit(got) == np.signbit(ref))
        bad = ~(same | both_nan)
        assert not bad.any(), (op, got[bad][:5], ref[bad][:5])
    else:
        rtol = 2e-6 if dtype == np.float32 else 1e-13
        # atol: libm and Sleef may disagree by one subnormal step near underflow
        atol = np.finfo(dtype).tiny
        np.testing.assert_allclose(got, ref, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=op)
        # infinities exactly as torch, zeros with torch's sign
        inf = ~np.isfinite(ref)
        assert np.array_equal(got[inf], ref[inf], equal_nan=True), op
        z = (ref == 0) & (got == 0)
        assert (np.signbit(got[z]) == np.signbit(ref[z])).all(), op


def sample(rng, n, dtype, op=None):
    """Random values in a domain where the op is interesting, plus specials."""
    x = rng.standard_normal(n) * 3
    if op in ("asin", "acos", "atanh"):
        x = rng.uniform(-1.1, 1.1, n)
    elif op == "acosh":
        x = rng.uniform(0.5, 10, n)
    elif op in ("log", "log2", "log10", "log1p", "sqrt", "rsqrt"):
        x = np.abs(x) * rng.choice([1, 1, 1, -1], n)
    x = np.concatenate([np.array(SPECIAL), x])[:max(n, 0)] if n >= len(SPECIAL) else x
    return x.astype(dtype)


def layouts(rng, dtype, op=None):
    """(name, array) pairs of one logical content in many memory layouts."""
    base = sample(rng, 24 * 35, dtype, op).reshape(24, 35)
    yield "contig", base
    yield "1d", base.reshape(-1)
    yield "transposed", base.T
    yield "sliced", base[::2, 1::3]
    yield "negative", base[::-1, ::-2]
    yield "bcast_rows", np.broadcast_to(base[3], (7, 35))
    yield "bcast_scalar", np.broadcast_to(base[0, 5], (4, 6))
    yield "3d_perm", base.reshape(4, 6, 35).transpose(2, 0, 1)
    yield "0d", np.array(base[1, 2])
    yield "empty", base[:0]
    yield "empty_mid", np.empty((3, 0, 4), dtype)


def test_constants():
    assert E.UNARY_OPS == frozenset(UNARY)
    assert E.BINARY_OPS == frozenset(BINARY + GRADIENT_KERNELS)
    assert E.DTYPES == (np.float32, np.float64)
    assert isinstance(E.UNARY_OPS, frozenset) and isinstance(E.BINARY_OPS, frozenset)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", UNARY)
def test_unary_layouts(op, dtype):
    rng = np.random.default_rng(sum(map(ord, op)))
    for name, x in layouts(rng, dtype, op):
        out = np.empty(x.shape, dtype)
        res = E.unary(op, x, out)
        assert res is out
        assert_matches(op, out, torch_unary(op, x), dtype)
        # into a non-contiguous, negatively strided out
        big = np.full((2,) + x.shape[::-1], 7, dtype)
        out2 = big[1:].reshape(x.shape[::-1]).T
        if x.ndim >= 1:
            out2 = out2[::-1]
        E.unary(op, x, out2)
        assert_matches(op, out2, torch_unary(op, x), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", UNARY)
def test_unary_inplace_and_parallel(op, dtype):
    rng = np.random.default_rng(1)
    x = sample(rng, 70000, dtype, op)          # above the OpenMP threshold
    ref = torch_unary(op, x)
    out = np.empty_like(x)
    E.unary(op, x, out)
    assert_matches(op, out, ref, dtype)
    y = x.copy()
    E.unary(op, y, y)                           # in place
    assert_matches(op, y, ref, dtype)
    # big strided (general path, parallel over rows)
    m = x.reshape(350, 200)
    E.unary(op, m.T, out.reshape(200, 350))
    assert_matches(op, out.reshape(200, 350), torch_unary(op, m.T), dtype)


def test_unary_special_semantics():
    for dtype in DTYPES:
        x = np.array([np.nan, -0.0, 0.0, np.inf, -np.inf, 0.5, 1.5, 2.5, -0.5], dtype)
        o = np.empty_like(x)
        assert np.array_equal(E.unary("sign", x, o)[:3], [0, 0, 0])
        assert not np.signbit(o[1])
        r = E.unary("relu", x, o.copy())
        assert np.isnan(r[0]) and np.signbit(r[1]) and r[4] == 0
        f = E.unary("frac", x, o.copy())
        assert np.isnan(f[3]) and np.isnan(f[4])
        assert np.array_equal(E.unary("round", x, o.copy())[5:], [0, 2, 2, -0.0])
        assert E.unary("rsqrt", x, o.copy())[1] == -np.inf


def bin_samples(rng, dtype, op):
    a = rng.standard_normal(1000) * 4
    b = rng.standard_normal(1000) * 2
    if op == "pow":
        b = np.where(rng.random(1000) < 0.5, np.round(b * 2), b)
    pairs = np.array(list(itertools.product(SPECIAL, SPECIAL)))
    a = np.concatenate([pairs[:, 0], a])
    b = np.concatenate([pairs[:, 1], b])
    return a.astype(dtype), b.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", BINARY)
def test_binary_specials(op, dtype):
    rng = np.random.default_rng(2)
    a, b = bin_samples(rng, dtype, op)
    out = np.empty_like(a)
    assert E.binary(op, a, b, out) is out
    assert_matches(op, out, torch_binary(op, a, b), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", BINARY)
def test_binary_layouts(op, dtype):
    rng = np.random.default_rng(3)
    a2, b2 = bin_samples(rng, dtype, op)
    A = a2[:30 * 40].reshape(30, 40)
    Bm = b2[-30 * 40:].reshape(30, 40)
    cases = [
        ("contig", A, Bm),
        ("b_scalar", A, np.broadcast_to(Bm[2, 3], A.shape)),
        ("a_scalar", np.broadcast_to(A[2, 3], A.shape), Bm),
        ("both_scalar", np.broadcast_to(A[1, 1], A.shape), np.broadcast_to(Bm[1, 2], A.shape)),
        ("row_bcast", A, np.broadcast_to(Bm[4], A.shape)),
        ("col_bcast", A, np.broadcast_to(Bm[:, 4:5], A.shape)),
        ("row_bcast_a", np.broadcast_to(A[4], A.shape), Bm),
        ("transposed", A.T, Bm.T),
        ("mixed", A.T, np.ascontiguousarray(Bm.T)),
        ("negative", A[::-1, ::-3], Bm[::-1, ::-3]),
        ("3d", A.reshape(5, 6, 40).transpose(1, 2, 0), Bm.reshape(5, 6, 40).transpose(1, 2, 0)),
        ("0d", np.array(A[0, 0]), np.array(Bm[0, 1])),
        ("empty", A[:, :0], Bm[:, :0]),
    ]
    for name, a, b in cases:
        ref = torch_binary(op, a, b)
        out = np.empty(a.shape, dtype)
        E.binary(op, a, b, out)
        assert_matches(op, out, ref, dtype)
        if a.ndim == 2:                          # out transposed / negative
            outT = np.empty(a.shape[::-1], dtype).T[::-1]
            E.binary(op, a, b, outT)
            assert_matches(op, outT, ref, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["add", "mul", "div", "maximum", "pow", "remainder"])
def test_binary_parallel_and_inplace(op, dtype):
    rng = np.random.default_rng(4)
    a = (rng.standard_normal((300, 250)) * 3).astype(dtype)
    b = (rng.standard_normal((300, 250)) + 0.5).astype(dtype)
    bias = b[7]
    for x, y in [(a, b), (a, np.broadcast_to(bias, a.shape)),
                 (a, np.broadcast_to(b[:, :1], a.shape)),
                 (a, np.broadcast_to(dtype(1.25), a.shape)),
                 (np.broadcast_to(dtype(1.25), a.shape), b), (a.T, b.T)]:
        ref = torch_binary(op, x, y)
        out = np.empty(x.shape, dtype)
        E.binary(op, x, y, out)
        assert_matches(op, out, ref, dtype)
    # in place: out is a, out is b
    x = a.copy()
    E.binary(op, x, b, x)
    assert_matches(op, x, torch_binary(op, a, b), dtype)
    y = b.copy()
    E.binary(op, a, y, y)
    assert_matches(op, y, torch_binary(op, a, b), dtype)
    z = a.T.copy().T                              # in place on a transposed view
    E.binary(op, z, b, z)
    assert_matches(op, z, torch_binary(op, a, b), dtype)


def test_high_rank():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 1, 4, 2, 3, 2)).astype(np.float32)
    xp = x.transpose(6, 0, 5, 2, 1, 4, 3)[::-1, :, ::2]
    out = np.empty(xp.shape, np.float32)
    E.unary("exp", xp, out)
    assert_matches("exp", out, torch_unary("exp", xp), np.float32)
    y = np.broadcast_to(rng.standard_normal((1, 1, 1, 1, 3, 1, 1)).astype(np.float32), xp.shape)
    E.binary("sub", xp, y, out)
    assert_matches("sub", out, torch_binary("sub", xp, y), np.float32)


def test_misaligned_and_interleaved_views():
    buf = np.zeros(4 * 101, np.uint8)
    mis = np.ndarray((100,), np.float32, buffer=buf, offset=1)
    good = np.ones(100, np.float32)
    with pytest.raises(ValueError, match="aligned"):
        E.unary("neg", mis, good)
    with pytest.raises(ValueError, match="aligned"):
        E.unary("neg", good, mis)
    # interleaved, not overlapping: allowed
    a = np.arange(20, dtype=np.float64)
    E.unary("neg", a[::2], a[1::2])
    assert np.array_equal(a[1::2], -a[::2])


@pytest.mark.parametrize("fn", ["unary", "binary"])
def test_bad_input(fn):
    x = np.ones((3, 4), np.float32)
    o = np.empty((3, 4), np.float32)

    def call(op, *arrs):
        if fn == "unary":
            return E.unary(op, arrs[0], arrs[-1])
        return E.binary(op, arrs[0], arrs[0] if len(arrs) == 2 else arrs[1], arrs[-1])

    good = "exp" if fn == "unary" else "add"
    with pytest.raises(ValueError, match="unknown op"):
        call("nope", x, o)
    with pytest.raises(ValueError, match="shape"):
        call(good, np.ones((4, 3), np.float32), o)
    with pytest.raises(ValueError, match="shape"):
        call(good, np.ones(12, np.float32), o)
    with pytest.raises(TypeError, match="dtype"):
        call(good, np.ones((3, 4), np.float64), o)
    with pytest.raises(TypeError, match="dtype"):
        call(good, np.ones((3, 4), np.int32), np.empty((3, 4), np.int32))
    with pytest.raises(TypeError):
        call(good, np.ones((3, 4), ">f4"), np.empty((3, 4), ">f4"))
    with pytest.raises(TypeError):
        call(good, [[1.0] * 4] * 3, o)
    with pytest.raises(TypeError):
        call(good, None, o)
    ro = np.empty((3, 4), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        call(good, x, ro)
    with pytest.raises(ValueError, match="stride 0"):
        call(good, x, np.lib.stride_tricks.as_strided(np.empty(4, np.float32), (3, 4), (0, 4)))
    y = np.arange(10, dtype=np.float32)
    with pytest.raises(ValueError, match="overlap"):
        call(good, y[1:], y[:-1])
    with pytest.raises(TypeError):
        call(3, x, o)


def test_binary_bad_second_operand():
    x = np.ones((3, 4), np.float32)
    with pytest.raises(ValueError, match="shape"):
        E.binary("add", x, np.ones(4, np.float32), np.empty((3, 4), np.float32))
    with pytest.raises(TypeError, match="dtype"):
        E.binary("add", x, np.ones((3, 4)), np.empty((3, 4), np.float32))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", GRADIENT_KERNELS)
def test_gradient_kernels_match_torch(op, dtype):
    rng = np.random.default_rng(3)
    grad = rng.standard_normal(257).astype(dtype)
    result = np.concatenate([rng.uniform(-1, 1, 250), SPECIAL[:7]]).astype(dtype)
    ours = E.binary(op, grad, result, np.empty_like(grad))
    g, r = torch.from_numpy(grad), torch.from_numpy(result)
    if op == "threshold_backward":
        expected = torch.ops.aten.threshold_backward(g, r, 0)
    else:
        expected = getattr(torch.ops.aten, op)(g, r)
    np.testing.assert_allclose(ours, expected.numpy(), rtol=2e-7 if dtype == np.float32 else 1e-15, equal_nan=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", BINARY)
def test_binary_scalar_equals_broadcast_binary(op, dtype):
    rng = np.random.default_rng(4)
    a = (rng.standard_normal((3, 5)) * 4).astype(dtype)[:, ::2]  # non-contiguous
    for scalar, first in [(2.5, False), (-3.0, True), (0.1, False)]:
        s = np.broadcast_to(np.asarray(scalar, dtype), a.shape)
        expected = E.binary(op, s, a, np.empty(a.shape, dtype)) if first else E.binary(op, a, s, np.empty(a.shape, dtype))
        ours = E.binary_scalar(op, a, scalar, np.empty(a.shape, dtype), first)
        np.testing.assert_array_equal(ours, expected)


def test_binary_scalar_checks_its_arguments():
    a = np.ones(3, np.float32)
    with pytest.raises(ValueError, match="unknown op"):
        E.binary_scalar("nope", a, 1.0, np.empty_like(a))
    with pytest.raises(TypeError):
        E.binary_scalar("add", a, 1.0, np.empty(3, np.float64))
    with pytest.raises(ValueError):
        E.binary_scalar("add", a, 1.0, np.empty(4, np.float32))


@pytest.mark.parametrize("dtype", DTYPES)
def test_where_kernel_matches_numpy(dtype):
    rng = np.random.default_rng(5)
    cond = rng.random((4, 6)) > 0.5
    a = rng.standard_normal((6, 4)).astype(dtype).T  # non-contiguous
    b = rng.standard_normal((4, 6)).astype(dtype)
    a[0, 0], b[1, 1] = np.nan, np.inf
    for x, y in [(a, b), (a, np.broadcast_to(dtype(2.5), a.shape)), (np.broadcast_to(dtype(-1), a.shape), b)]:
        np.testing.assert_array_equal(E.where(cond, x, y, np.empty(a.shape, dtype)), np.where(cond, x, y))
    out = b.copy()
    E.where(cond, a, out, out)  # out may be b itself (masked fill)
    np.testing.assert_array_equal(out, np.where(cond, a, b))
    with pytest.raises(TypeError, match="bool"):
        E.where(cond.astype(np.uint8), a, b, np.empty(a.shape, dtype))
    with pytest.raises(ValueError, match="shape"):
        E.where(cond[:2], a, b, np.empty(a.shape, dtype))
