"""rustorch._ext.conv (im2col/col2im, pooling kernels) against torch (CPU) as the oracle."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
C = pytest.importorskip("rustorch._ext.conv")

DTYPES = [np.float32, np.float64]


def _out(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _unfold_reference(x, kernel, stride, padding, dilation):
    """cols[n, c*K + k, o] = x[n, c, o*s - p + k*d] (0 outside), by brute force over every spatial dim."""
    nsp = x.ndim - 2
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, d * (k - 1) + 1) for p, k, d in zip(padding, kernel, dilation)])
    out = tuple(_out(n, k, s, p, d) for n, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation))
    cols = np.zeros((x.shape[0], x.shape[1], int(np.prod(kernel))) + out, x.dtype)
    for ki, k in enumerate(np.ndindex(*kernel)):
        index = tuple(slice(kk * d, kk * d + (o - 1) * s + 1, s) for kk, d, o, s in zip(k, dilation, out, stride))
        cols[:, :, ki] = xp[(slice(None), slice(None)) + index]
    assert nsp == len(out)
    return cols.reshape((x.shape[0], -1) + out)


GEOMETRIES = [
    ((3, 3), (1, 1), (1, 1), (1, 1)),
    ((3, 2), (2, 1), (0, 1), (1, 2)),
    ((1, 1), (2, 3), (0, 0), (1, 1)),
    ((4,), (3,), (2,), (2,)),
    ((2, 3, 2), (1, 2, 2), (1, 0, 1), (2, 1, 1)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel, stride, padding, dilation", GEOMETRIES)
def test_im2col_col2im_against_reference_and_adjoint(kernel, stride, padding, dilation, dtype):
    rng = np.random.default_rng(len(kernel))
    shape = (2, 3) + (9, 8, 7)[:len(kernel)]
    x = rng.standard_normal(shape).astype(dtype)
    ref = _unfold_reference(x, kernel, stride, padding, dilation)
    cols = C.im2col(x, np.full(ref.shape, np.nan, dtype), kernel, stride, padding, dilation)
    np.testing.assert_array_equal(cols, ref)
    # col2im is the adjoint: <im2col(x), y> == <x, col2im(y)>
    y = rng.standard_normal(ref.shape).astype(dtype)
    back = C.col2im(y, np.full(shape, np.nan, dtype), kernel, stride, padding, dilation)
    np.testing.assert_allclose((cols.astype(np.float64) * y).sum(), (x.astype(np.float64) * back).sum(), rtol=1e-5)
    if len(kernel) == 2:  # torch's fold is the same map
        expected = torch.nn.functional.fold(torch.from_numpy(y.reshape(y.shape[0], y.shape[1], -1)), shape[2:],
                                            kernel, dilation=dilation, padding=padding, stride=stride)
        np.testing.assert_allclose(back, expected.numpy(), rtol=1e-6 if dtype == np.float64 else 1e-5, atol=1e-6)


def _windows(shape, kernel, stride, padding, dilation, ceil_mode=False):
    """(first, count, step, None) per dim, as rustorch.nn.functional.pooling builds them."""
    from rustorch.nn.functional.pooling import _pool_size, _regular_windows

    out = tuple(_pool_size("t", n, k, s, p, d, ceil_mode) for n, k, s, p, d in zip(shape, kernel, stride, padding,
                                                                                    dilation))
    return out, _regular_windows(tuple(shape), out, kernel, stride, padding, dilation)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel, stride, padding, dilation, ceil", [
    ((2, 2), (2, 2), (0, 0), (1, 1), False), ((3, 3), (2, 2), (1, 1), (1, 1), True),
    ((3, 2), (1, 2), (1, 1), (2, 1), True), ((2, 2, 2), (1, 2, 1), (1, 0, 1), (1, 1, 2), False),
])
def test_max_pool_and_backward_against_torch(kernel, stride, padding, dilation, ceil, dtype):
    nsp = len(kernel)
    x = np.random.default_rng(0).standard_normal((2, 3) + (9, 8, 7)[:nsp]).astype(dtype)
    out, windows = _windows(x.shape[2:], kernel, stride, padding, dilation, ceil)
    y, idx = np.empty(x.shape[:2] + out, dtype), np.empty(x.shape[:2] + out, np.int64)
    C.pool("max", x, y, idx, windows)
    pool = getattr(torch.nn.functional, f"max_pool{nsp}d")
    tx = torch.from_numpy(x).requires_grad_()
    ty, ti = pool(tx, kernel, stride, padding, dilation, ceil_mode=ceil, return_indices=True)
    np.testing.assert_array_equal(y, ty.detach().numpy())
    np.testing.assert_array_equal(idx, ti.numpy())
    g = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    ty.backward(torch.from_numpy(g))
    gx = C.pool_backward("max", g, np.full(x.shape, np.nan, dtype), idx, None)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_avg_pool_and_backward_against_torch(dtype):
    x = np.random.default_rng(0).standard_normal((2, 3, 9, 8)).astype(dtype)
    kernel, stride, padding = (3, 2), (2, 2), (1, 1)
    out, windows = _windows(x.shape[2:], kernel, stride, padding, (1, 1), True)
    from rustorch.nn.functional.pooling import _avg_divisor

    windows = tuple((f, c, 1, _avg_divisor(n, o, k, s, p, False))
                    for (f, c, _, _), n, o, k, s, p in zip(windows, x.shape[2:], out, kernel, stride, padding))
    y = C.pool("avg", x, np.empty(x.shape[:2] + out, dtype), None, windows)
    tx = torch.from_numpy(x).requires_grad_()
    ty = torch.nn.functional.avg_pool2d(tx, kernel, stride, padding, ceil_mode=True, count_include_pad=False)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-6)
    g = np.random.default_rng(1).standard_normal(y.shape).astype(dtype)
    ty.backward(torch.from_numpy(g))
    gx = C.pool_backward("avg", g, np.full(x.shape, np.nan, dtype), None, windows)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_large_batch_uses_threads_deterministically():
    x = np.random.default_rng(0).standard_normal((8, 64, 32, 32)).astype(np.float32)
    cols = C.im2col(x, np.empty((8, 64 * 9, 32, 32), np.float32), (3, 3), (1, 1), (1, 1), (1, 1))
    a = C.col2im(cols, np.empty_like(x), (3, 3), (1, 1), (1, 1), (1, 1))
    b = C.col2im(cols, np.empty_like(x), (3, 3), (1, 1), (1, 1), (1, 1))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[:, :, 1:-1, 1:-1], 9 * x[:, :, 1:-1, 1:-1], rtol=1e-5)


def test_bad_arguments_raise():
    x = np.zeros((1, 2, 5), np.float32)
    with pytest.raises(ValueError, match="cols"):
        C.im2col(x, np.empty((1, 5, 4), np.float32), (2,), (1,), (0,), (1,))
    with pytest.raises(TypeError, match="float32"):
        C.im2col(x, np.empty((1, 4, 4)), (2,), (1,), (0,), (1,))
    with pytest.raises(TypeError, match="float32 or float64"):
        C.im2col(x.astype(np.int64), np.empty((1, 4, 4), np.int64), (2,), (1,), (0,), (1,))
    with pytest.raises(ValueError, match="C-contiguous"):
        C.im2col(np.zeros((1, 2, 10), np.float32)[:, :, ::2], np.empty((1, 4, 4), np.float32), (2,), (1,), (0,),
                 (1,))
    with pytest.raises(ValueError, match="stride"):
        C.im2col(x, np.empty((1, 4, 4), np.float32), (2,), (0,), (0,), (1,))
    with pytest.raises(ValueError, match="overlap"):
        C.col2im(x, x, (1,), (1,), (0,), (1,))
    with pytest.raises(ValueError, match="spatial"):
        C.im2col(np.zeros((2, 5), np.float32), np.zeros((2, 5), np.float32), (), (), (), ())
    y = np.empty((1, 2, 2), np.float32)
    with pytest.raises(ValueError, match="leaves the input"):
        C.pool("max", x, y, None, ((np.array([0, 4]), np.array([2, 2]), 1, None),))
    with pytest.raises(ValueError, match="entries"):
        C.pool("max", x, y, None, ((np.array([0]), np.array([2]), 1, None),))
    with pytest.raises(ValueError, match="unknown op"):
        C.pool("min", x, y, None, ((np.array([0, 2]), np.array([2, 2]), 1, None),))
    with pytest.raises(ValueError, match="indices"):
        C.pool_backward("max", y, np.empty_like(x), None, None)
    with pytest.raises(TypeError, match="int64"):
        C.pool_backward("max", y, np.empty_like(x), np.zeros((1, 2, 2), np.int32), None)
    # indices outside the plane pass no gradient
    out = C.pool_backward("max", np.ones((1, 2, 2), np.float32), np.empty_like(x),
                          np.array([[[0, 7], [-1, 4]]], np.int64), None)
    np.testing.assert_array_equal(out, [[[1, 0, 0, 0, 0], [0, 0, 0, 0, 1]]])
