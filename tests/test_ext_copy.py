"""rustorch._ext.copy: every layout against NumPy assignment and torch."""
import numpy as np
import pytest
import torch

from rustorch._ext.copy import copy

DTYPES = [np.bool_, np.int8, np.uint8, np.int16, np.float16, np.int32, np.float32,
          np.int64, np.float64, np.complex64, np.complex128, "S3", "V12",
          np.dtype([("a", "<i4"), ("b", "<f8")]),   # packed structured, 12 bytes
          "datetime64[ns]"]


def rand(rng, shape, dtype):
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape)) * dtype.itemsize
    return rng.integers(0, 256, nbytes, dtype=np.uint8).view(dtype).reshape(shape)


def same_bytes(a, b):
    """Bitwise equality (NaN payloads, -0.0 and padding included)."""
    a, b = np.array(a, order="C"), np.array(b, order="C")
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def src_layouts(rng, dtype):
    base = rand(rng, (37, 53), dtype)
    yield base
    yield base.T
    yield base[::3, ::-2]
    yield base[::-1]
    yield base[5]
    yield np.broadcast_to(base[2], (9, 53))
    yield np.broadcast_to(base[2:3, 7:8], (4, 5))
    yield base.reshape(37, 53, 1)[:, ::4].transpose(2, 1, 0)
    yield rand(rng, (4, 5, 6, 7), dtype).transpose(3, 1, 0, 2)
    yield rand(rng, (6, 33, 70), dtype).transpose(0, 2, 1)        # batched transpose
    yield rand(rng, (64, 48, 5), dtype).transpose(1, 0, 2)
    yield np.array(base[3, 4])                                     # 0-d
    yield base[:0]
    yield base[:, :0].T


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_layouts(dtype):
    rng = np.random.default_rng(0)
    for src in src_layouts(rng, dtype):
        ref = np.array(src, order="C")
        dst = np.empty(src.shape, src.dtype)
        assert copy(src, dst) is dst
        assert same_bytes(dst, ref)
        if src.ndim >= 2:          # transposed and negatively strided destination
            big = np.zeros(src.shape[::-1], src.dtype)
            d2 = big.T[::-1]
            copy(src[::-1], d2)
            assert same_bytes(d2, src[::-1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int8, np.complex128])
def test_large_parallel(dtype):
    rng = np.random.default_rng(1)
    x = rand(rng, (517, 1030), dtype)
    for src in (x, x.T, x[::2, ::3], x[:, ::-1]):
        dst = np.empty(src.shape, x.dtype)
        copy(src, dst)
        assert same_bytes(dst, src)


def test_against_torch_transpose():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((300, 257)).astype(np.float32)
    out = np.empty((257, 300), np.float32)
    copy(x.T, out)
    ref = torch.from_numpy(x).t().contiguous().numpy()
    assert np.array_equal(out, ref)
    y = rng.standard_normal((3, 40, 50, 6))
    perm = (2, 0, 3, 1)
    out = np.empty(tuple(y.shape[p] for p in perm))
    copy(y.transpose(perm), out)
    assert np.array_equal(out, torch.from_numpy(y).permute(perm).contiguous().numpy())


def test_misaligned():
    rng = np.random.default_rng(3)
    buf = np.zeros(8 * 200 + 1, np.uint8)
    mis = np.ndarray((20, 10), np.float64, buffer=buf, offset=1)
    src = rng.standard_normal((10, 20))
    copy(src.T, mis)
    assert np.array_equal(mis, src.T)
    out = np.empty((10, 20))
    copy(mis.T, out)
    assert np.array_equal(out, src)


def test_same_view_and_interleaved():
    a = np.arange(10.0)
    copy(a, a)                                   # identical: no-op
    assert np.array_equal(a, np.arange(10.0))
    copy(a[::2], a[1::2])                        # interleaved, disjoint
    assert np.array_equal(a[1::2], a[::2])


def test_bad_input():
    x = np.ones((3, 4), np.float32)
    with pytest.raises(ValueError, match="shape"):
        copy(x, np.empty((4, 3), np.float32))
    with pytest.raises(ValueError, match="shape"):
        copy(x, np.empty(12, np.float32))
    with pytest.raises(TypeError, match="dtype"):
        copy(x, np.empty((3, 4), np.float64))
    with pytest.raises(TypeError, match="dtype"):
        copy(x, np.empty((3, 4), ">f4"))
    with pytest.raises(TypeError, match="object"):
        copy(np.empty(3, object), np.empty(3, object))
    with pytest.raises(TypeError):
        copy([1, 2], np.empty(2))
    with pytest.raises(TypeError):
        copy(None, np.empty(2))
    with pytest.raises(ValueError, match="stride 0"):
        copy(x, np.lib.stride_tricks.as_strided(np.empty(4, np.float32), (3, 4), (0, 4)))
    ro = np.empty((3, 4), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        copy(x, ro)
    y = np.arange(10.0)
    with pytest.raises(ValueError, match="overlap"):
        copy(y[1:], y[:-1])
    with pytest.raises(ValueError, match="overlap"):
        copy(y[::-1], y)
    z = np.arange(16.0).reshape(4, 4)
    with pytest.raises(ValueError, match="overlap"):
        copy(z.T, z)
    # an empty copy with a broadcast-looking empty dst is fine
    copy(np.empty((0, 3)), np.empty((0, 3)))
