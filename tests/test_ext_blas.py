"""rustorch._ext.blas.gemm against torch.matmul on every accepted layout."""
import numpy as np
import pytest
import torch

from rustorch._ext.blas import gemm

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
TOL = {np.float32: 2e-5, np.float64: 1e-12, np.complex64: 2e-5, np.complex128: 1e-12}


def rand(rng, shape, dtype):
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def ref_mm(a, b):
    ta = torch.from_numpy(np.array(a, order="C"))
    tb = torch.from_numpy(np.array(b, order="C"))
    return torch.matmul(ta, tb).numpy()


def check(a, b, dtype):
    out = np.full((a.shape[0], a.shape[1], b.shape[2]), np.nan, dtype)
    assert gemm(a, b, out) is out
    ref = ref_mm(a, b)
    scale = max(1.0, np.abs(ref).max(initial=0))
    np.testing.assert_allclose(out, ref, rtol=TOL[dtype], atol=TOL[dtype] * scale)


def variants(rng, B, M, K, N, dtype):
    """(a, b) pairs in every layout gemm accepts, same logical shapes."""
    a = rand(rng, (B, M, K), dtype)
    b = rand(rng, (B, K, N), dtype)
    aT = rand(rng, (B, K, M), dtype).transpose(0, 2, 1)          # column-major
    bT = rand(rng, (B, N, K), dtype).transpose(0, 2, 1)
    a_ld = rand(rng, (B, M, K + 3), dtype)[:, :, :K]              # ld > cols
    b_ld = rand(rng, (B, N + 2, K), dtype)[:, :N].transpose(0, 2, 1)  # col-major, ld > rows
    a_bc = np.broadcast_to(rand(rng, (1, M, K), dtype), (B, M, K))    # batch stride 0
    b_bc = np.broadcast_to(rand(rng, (1, K, N), dtype), (B, K, N))
    a_rev = rand(rng, (B, M, K), dtype)[::-1]                     # negative batch stride
    return [(a, b), (aT, b), (a, bT), (aT, bT), (a_ld, b_ld), (a_bc, b), (a, b_bc),
            (a_bc, bT), (a_rev, b)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 4, 5), (3, 17, 33, 9),
                                   (1, 64, 128, 32), (2, 1, 7, 1), (2, 5, 1, 6),
                                   (1, 1, 9, 8), (2, 8, 9, 1)])
def test_layouts(dtype, shape):
    rng = np.random.default_rng(0)
    for a, b in variants(rng, *shape, dtype):
        check(a, b, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_dims(dtype):
    rng = np.random.default_rng(1)
    # K == 0: zeros, whatever out held before
    out = np.full((2, 3, 4), 7, dtype)
    gemm(rand(rng, (2, 3, 0), dtype), rand(rng, (2, 0, 4), dtype), out)
    assert (out == 0).all()
    for B, M, K, N in [(0, 3, 4, 5), (2, 0, 4, 5), (2, 3, 4, 0)]:
        out = np.empty((B, M, N), dtype)
        gemm(rand(rng, (B, M, K), dtype), rand(rng, (B, K, N), dtype), out)


def test_degenerate_strides():
    """Size-1 dims may carry any stride: they never matter."""
    rng = np.random.default_rng(2)
    big = rng.standard_normal((1, 5, 40))
    a = big[:, :1, ::4]                    # (1, 1, 10), stride[-1] = 4 elements
    b = rng.standard_normal((1, 10, 3))
    check(a, b, np.float64)
    col = big[:, ::2, :1]                  # (1, 3, 1), stride[-2] = 80 elements
    check(col, rng.standard_normal((1, 1, 6)), np.float64)


def test_medium_against_torch_bmm():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 96, 200)).astype(np.float32)
    b = rng.standard_normal((4, 200, 150)).astype(np.float32)
    out = np.empty((4, 96, 150), np.float32)
    gemm(a, b, out)
    ref = torch.bmm(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)


def test_bad_input():
    f = np.float32
    a, b, o = np.ones((2, 3, 4), f), np.ones((2, 4, 5), f), np.empty((2, 3, 5), f)
    with pytest.raises(TypeError, match="dtype"):
        gemm(a.astype(np.int32), b.astype(np.int32), o.astype(np.int32))
    with pytest.raises(TypeError, match="dtype"):
        gemm(a, b.astype(np.float64), o)
    with pytest.raises(TypeError, match="dtype"):
        gemm(a.astype(">f4"), b, o)
    with pytest.raises(ValueError, match="3-d"):
        gemm(a[0], b[0], o[0])
    with pytest.raises(ValueError, match="shapes"):
        gemm(a, np.ones((2, 5, 5), f), o)
    with pytest.raises(ValueError, match="shapes"):
        gemm(a, b, np.empty((1, 3, 5), f))
    with pytest.raises(ValueError, match="C-contiguous"):
        gemm(a, b, np.empty((2, 5, 3), f).transpose(0, 2, 1))
    with pytest.raises(ValueError, match="row-major nor column-major"):
        gemm(np.ones((2, 6, 8), f)[:, ::2, ::2], b, o)
    with pytest.raises(ValueError, match="row-major nor column-major"):
        gemm(a, np.ones((2, 4, 5), f)[:, ::-1], o)
    ro = np.empty((2, 3, 5), f)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        gemm(a, b, ro)
    buf = np.zeros(2 * 3 * 5 * 4 + 1, np.uint8)
    mis = np.ndarray((2, 3, 5), f, buffer=buf, offset=1)
    with pytest.raises(ValueError, match="aligned"):
        gemm(a, b, mis)
    shared = np.zeros(200, f)
    with pytest.raises(ValueError, match="overlap"):
        gemm(shared[:24].reshape(2, 3, 4), b, shared[10:40].reshape(2, 3, 5))
    with pytest.raises(TypeError):
        gemm(None, b, o)
    with pytest.raises(TypeError):
        gemm(a.tolist(), b, o)


@pytest.mark.parametrize("batch", [1, 2, 3, 5])
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
def test_split_over_threads(batch, ta, tb):
    # big enough to be split over the OpenMP threads: by batch, or by columns of the result
    rng = np.random.default_rng(batch)
    m, k, n = 131, 97, 203
    a = rng.standard_normal((batch, k, m) if ta else (batch, m, k))
    b = rng.standard_normal((batch, n, k) if tb else (batch, k, n))
    a = a.transpose(0, 2, 1) if ta else a
    b = b.transpose(0, 2, 1) if tb else b
    out = gemm(a, b, np.empty((batch, m, n)))
    np.testing.assert_allclose(out, np.matmul(a, b), rtol=1e-12, atol=1e-12)
