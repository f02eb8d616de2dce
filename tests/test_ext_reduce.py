"""rustorch._ext.reduce against torch (CPU) as the oracle."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
R = pytest.importorskip("rustorch._ext.reduce")

DTYPES = [np.float32, np.float64]
# (outer, R, inner): each of 1, small, large; many rows; one long row; inner > 1
SHAPES = [
    (1, 1, 1), (1, 7, 1), (5, 1, 3), (3, 5, 1), (4, 33, 7), (1, 100_000, 1),
    (1, 70_000, 3), (2000, 50, 1), (3, 70_001, 1), (2, 300, 2000),
    (1, 5000, 1030), (7, 2, 2500), (1, 1, 5000),
]


def _run(op, x, with_index=False):
    o, n, i = x.shape
    if op in ("argmax", "argmin"):
        out = np.empty((o, i), np.int64)
        R.reduce(op, x, out)
        return out
    out = np.full((o, i), -12345, x.dtype)
    if with_index:
        idx = np.full((o, i), -1, np.int64)
        R.reduce(op, x, out, idx)
        return out, idx
    R.reduce(op, x, out)
    return out


def _torch(op, x):
    t = torch.from_numpy(x)
    if op in ("max", "min"):
        v, i = getattr(torch, op)(t, dim=1)
        return v.numpy(), i.numpy()
    return getattr(torch, op)(t, dim=1).numpy()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_ops_against_torch(shape, dtype):
    rng = np.random.default_rng(hash(shape) % 2**32)
    x = rng.standard_normal(shape).astype(dtype)
    tol = dict(rtol=1e-5, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-10)
    ref64 = x.astype(np.float64).sum(axis=1)
    np.testing.assert_allclose(_run("sum", x), ref64, **tol)
    # prod of values near 1 stays finite for long rows
    xp = (1 + 1e-4 * x).astype(dtype)
    np.testing.assert_allclose(_run("prod", xp), np.prod(xp.astype(np.float64), axis=1),
                               rtol=1e-4 if dtype == np.float32 else 1e-11)
    for op in ("max", "min"):
        v, i = _run(op, x, with_index=True)
        tv, ti = _torch(op, x)
        np.testing.assert_array_equal(v, tv)
        np.testing.assert_array_equal(i, ti)
        np.testing.assert_array_equal(_run(op, x), tv)
    for op in ("argmax", "argmin"):
        np.testing.assert_array_equal(_run(op, x), _torch(op, x))


@pytest.mark.parametrize("dtype", DTYPES)
def test_float32_sum_accuracy_16M(dtype):
    # 16M elements: the naive float32 running sum would be off by ~1e-3 relative.
    rng = np.random.default_rng(0)
    x = (rng.random(1 << 24) + 0.5).astype(dtype)
    out = np.empty((1, 1), dtype)
    R.reduce("sum", x.reshape(1, -1, 1), out)
    ref = x.astype(np.float64).sum()
    assert abs(out[0, 0] - ref) / ref < (1e-6 if dtype == np.float32 else 1e-13)
    # same through the inner > 1 path and the many-rows path
    out2 = np.empty((1, 4), dtype)
    R.reduce("sum", x.reshape(1, -1, 4), out2)
    np.testing.assert_allclose(out2[0], x.astype(np.float64).reshape(-1, 4).sum(0), rtol=1e-6)
    out3 = np.empty((4096, 1), dtype)
    R.reduce("sum", x.reshape(4096, -1, 1), out3)
    np.testing.assert_allclose(out3[:, 0], x.astype(np.float64).reshape(4096, -1).sum(1),
                               rtol=1e-6)


_THREADS_SCRIPT = """
import numpy as np
from rustorch._ext import reduce as R
x = np.random.default_rng(1).standard_normal(3 << 20).astype(np.float32)
res = []
for shape in [(1, 3 << 20, 1), (3, 1 << 20, 1), (1, 1 << 18, 12)]:
    out = np.empty((shape[0], shape[2]), np.float32)
    R.reduce("sum", x.reshape(shape), out)
    res.append(out.tobytes().hex())
print(" ".join(res))
"""


def test_thread_count_independent():
    # Work is cut by shape only, so the bits do not depend on the thread count.
    import os
    import subprocess
    import sys
    outs = []
    for n in ("1", "2", "3"):
        env = dict(os.environ, OMP_NUM_THREADS=n)
        outs.append(subprocess.run([sys.executable, "-c", _THREADS_SCRIPT], env=env,
                                   check=True, capture_output=True, text=True).stdout)
    assert outs[0] == outs[1] == outs[2]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 50, 1), (2, 70_000, 1), (2, 9, 5), (1, 3000, 40)])
def test_nan_inf(shape, dtype):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape).astype(dtype)
    flat = x.reshape(-1)
    flat[rng.integers(0, flat.size, 7)] = np.inf
    flat[rng.integers(0, flat.size, 7)] = -np.inf
    x[0, shape[1] // 3, :] = np.nan
    x[0, shape[1] // 2, :] = np.nan      # the first NaN must win
    x[-1, -1, 0] = np.nan
    for op in ("max", "min"):
        v, i = _run(op, x, with_index=True)
        tv, ti = _torch(op, x)
        np.testing.assert_array_equal(v, tv)
        np.testing.assert_array_equal(i, ti)
    for op in ("argmax", "argmin"):
        np.testing.assert_array_equal(_run(op, x), _torch(op, x))
    t = torch.from_numpy(x)
    np.testing.assert_array_equal(np.isnan(_run("sum", x)), torch.isnan(t.sum(1)).numpy())
    # +inf and -inf in one row give NaN, only +inf gives +inf
    y = np.zeros((1, 5, 1), dtype)
    y[0, 1, 0] = np.inf
    assert _run("sum", y)[0, 0] == np.inf
    y[0, 3, 0] = -np.inf
    assert np.isnan(_run("sum", y)[0, 0])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 10, 1), (1, 200_000, 1), (3, 7, 6), (1, 1000, 3)])
def test_ties_first_index(shape, dtype):
    rng = np.random.default_rng(3)
    x = rng.integers(-3, 4, shape).astype(dtype)   # many ties
    for op in ("max", "min"):
        v, i = _run(op, x, with_index=True)
        tv, ti = _torch(op, x)
        np.testing.assert_array_equal(v, tv)
        np.testing.assert_array_equal(i, ti)
    for op in ("argmax", "argmin"):
        np.testing.assert_array_equal(_run(op, x), _torch(op, x))
    # constant rows: index 0
    c = np.full(shape, 2.0, dtype)
    assert (_run("argmax", c) == 0).all() and (_run("argmin", c) == 0).all()


def test_signed_zero_tie():
    x = np.array([-0.0, 0.0], np.float32).reshape(1, 2, 1)
    v, i = _run("max", x, with_index=True)
    assert i[0, 0] == 0 and np.signbit(v[0, 0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_empty(dtype):
    x = np.empty((3, 0, 2), dtype)
    np.testing.assert_array_equal(_run("sum", x), np.zeros((3, 2)))
    np.testing.assert_array_equal(_run("prod", x), np.ones((3, 2)))
    for op in ("max", "min", "argmax", "argmin"):
        with pytest.raises(ValueError, match="empty dimension"):
            _run(op, x)
    # empty outer/inner but non-empty R: nothing to do
    for shape in [(0, 5, 3), (2, 5, 0)]:
        x = np.empty(shape, dtype)
        for op in sorted(R.REDUCE_OPS):
            assert _run(op, x).size == 0


def test_validation_errors():
    x = np.zeros((2, 3, 4), np.float32)
    out = np.zeros((2, 4), np.float32)
    with pytest.raises(ValueError, match="unknown op"):
        R.reduce("mean", x, out)
    with pytest.raises(ValueError, match="3-D"):
        R.reduce("sum", x[0], out)
    with pytest.raises(ValueError, match="C-contiguous"):
        R.reduce("sum", x[:, :, ::2], np.zeros((2, 2), np.float32))
    with pytest.raises(TypeError, match="float32 or float64"):
        R.reduce("sum", x.astype(np.int32), out)
    with pytest.raises(TypeError, match="float32 or float64"):
        R.reduce("sum", x.astype(">f4"), out)
    with pytest.raises(TypeError, match="out must be float32"):
        R.reduce("sum", x, out.astype(np.float64))
    with pytest.raises(TypeError, match="int64"):
        R.reduce("argmax", x, out)
    with pytest.raises(ValueError, match=r"shape \(2, 4\)"):
        R.reduce("sum", x, np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="out_index is only"):
        R.reduce("sum", x, out, np.zeros((2, 4), np.int64))
    with pytest.raises(TypeError, match="out_index must be int64"):
        R.reduce("max", x, out, np.zeros((2, 4), np.int32))
    ro = out.copy()
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        R.reduce("sum", x, ro)
    buf = np.zeros(2 * 3 * 4 * 4 + 1, np.uint8)
    mis = buf[1:].view(np.float32).reshape(2, 3, 4)
    with pytest.raises(ValueError, match="aligned"):
        R.reduce("sum", mis, out)
    with pytest.raises(TypeError):
        R.reduce("sum", None, out)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1, 1), (3, 100, 1), (1, 100_000, 1), (2, 50, 7),
                                   (1, 40, 3000), (2, 0, 3)])
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_scan(op, shape, dtype):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape).astype(dtype)
    if op == "cumprod":
        x = (1 + 1e-3 * x).astype(dtype)
    out = np.empty_like(x)
    R.scan(op, x, out)
    ref = getattr(torch, op)(torch.from_numpy(x).double(), dim=1).numpy()
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out, ref, rtol=tol, atol=tol)
    # in place
    y = x.copy()
    R.scan(op, y, y)
    np.testing.assert_array_equal(y, out)


def test_scan_errors():
    x = np.zeros((2, 3, 4))
    with pytest.raises(ValueError, match="unknown op"):
        R.scan("cummax", x, np.empty_like(x))
    with pytest.raises(ValueError, match="shape"):
        R.scan("cumsum", x, np.empty((2, 3, 5)))
    with pytest.raises(TypeError, match="out must be float64"):
        R.scan("cumsum", x, np.empty_like(x, dtype=np.float32))
