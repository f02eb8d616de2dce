"""rustorch.nn.functional: pooling over 1 to 3 spatial dims (max, average, adaptive, Lp, unpooling).

Every max or average pooling is the backend's ``pool`` primitive over windows
described per spatial dim (first tap, number of taps inside the input, step):
regular windows come from kernel_size/stride/padding/dilation (padding is
left out of the taps, as -inf or 0 would add nothing), adaptive windows from
torch's floor/ceil split of the input. Each records its own backward node:
max pooling scatters the gradient to the saved indices of the maxima,
average pooling spreads it over the windows (``pool_backward``). Under
``create_graph`` the max backward is a differentiable scatter_add and the
average backward records a node whose backward is the forward pooling, so
both can be differentiated again.

>>> import rustorch
>>> import rustorch.nn.functional as F
>>> F.max_pool2d(rustorch.arange(16.0).reshape(1, 1, 4, 4), 2)
tensor([[[[ 5.,  7.],
          [13., 15.]]]])
"""
import functools

import numpy as np

from ... import _dtype
from ...autograd.grad_mode import STATE
from ...autograd.graph import needs_grad, record
from ...errors import DTypeError, IndexOutOfRangeError, InvalidArgumentError, ShapeError, ValueOutOfRangeError
from ...ops._common import check_tensor, empty_tensor
from ...ops.creation import zeros
from ...ops.elementwise import abs as _abs
from ...ops.elementwise import mul, neg, pow, relu, sign
from ...ops.indexing import scatter, scatter_add
from ...ops.views import reshape, squeeze
from ...tensor import numel_of
from .conv import _batched, _check_float, _ntuple, _raw


# windows ---------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=512)
def _regular_window(n, out, kernel, stride, padding, dilation):
    """(first, count) of the taps inside [0, n) of each of the ``out`` windows of one dim, and the first tap of
    each window counting the padding (for the divisors of an average)."""
    start = np.arange(out, dtype=np.int64) * stride - padding
    skip = np.where(start < 0, (-start + dilation - 1) // dilation, 0)  # taps in the padding before the data
    end = np.minimum(kernel, np.where(n - start > 0, (n - start + dilation - 1) // dilation, 0))
    count = np.maximum(end - skip, 0)
    return start + skip * dilation, count, start


@functools.lru_cache(maxsize=512)
def _avg_divisor(n, out, kernel, stride, padding, count_include_pad):
    """torch's divisor factor of each window of one dim: its length counting the padding (not past it) or not."""
    first, count, start = _regular_window(n, out, kernel, stride, padding, 1)
    if count_include_pad:
        return (np.minimum(start + kernel, n + padding) - start).astype(np.float64)
    return count.astype(np.float64)


@functools.lru_cache(maxsize=512)
def _adaptive_window(n, out):
    """torch's adaptive windows of one dim: [floor(o * n / out), ceil((o + 1) * n / out))."""
    o = np.arange(out, dtype=np.int64)
    first = o * n // out
    count = -((-(o + 1) * n) // out) - first
    return first, count


def _regular_windows(in_size, out_size, kernel, stride, padding, dilation):
    return tuple((first, count, d, None) for (first, count, _), d in zip(
        map(_regular_window, in_size, out_size, kernel, stride, padding, dilation), dilation))


def _pool_size(op, n, kernel, stride, padding, dilation, ceil_mode):
    """The number of windows along a dim (torch's pooling_output_shape)."""
    span = dilation * (kernel - 1) + 1
    out = (n + 2 * padding - span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= n + padding:
        out -= 1  # the last window must start inside the input or its left padding
    return out


# the recorded pooling ops ------------------------------------------------------------------------
def _pool_args(op, nsp, x, kernel_size, stride, padding, dilation, ceil_mode):
    kernel = _ntuple(op, "kernel_size", kernel_size, nsp)
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else \
        _ntuple(op, "stride", stride, nsp)
    padding = _ntuple(op, "padding", padding, nsp)
    dilation = _ntuple(op, "dilation", dilation, nsp)
    if any(k <= 0 for k in kernel):
        raise ValueOutOfRangeError(f"{op}(): kernel_size must be greater than zero, but got {kernel}")
    if any(s <= 0 for s in stride):
        raise ValueOutOfRangeError(f"{op}(): stride must be greater than zero, but got {stride}")
    if any(d <= 0 for d in dilation):
        raise ValueOutOfRangeError(f"{op}(): dilation must be greater than zero, but got {dilation}")
    if any(p < 0 or p > k // 2 for p, k in zip(padding, kernel)):
        raise ValueOutOfRangeError(f"{op}(): pad should be smaller than or equal to half of kernel size, but got "
                                   f"padding={padding} and kernel_size={kernel}")
    in_size = tuple(x.shape[2:])
    out_size = tuple(map(functools.partial(_pool_size, op), in_size, kernel, stride, padding, dilation,
                         (ceil_mode,) * nsp))
    if any(o <= 0 for o in out_size) or 0 in in_size:
        raise ShapeError(f"{op}(): given input size: ({'x'.join(map(str, x.shape[1:]))}). Calculated output size: "
                         f"({'x'.join(map(str, (x.shape[1],) + out_size))}). Output size is too small")
    return kernel, stride, padding, dilation, out_size


def _max_pool(name, x, out_size, windows):
    """The max of each window of the (N, C, *in) ``x`` and the flat index of each maximum in its plane."""
    xr = _raw(x)
    out = empty_tensor(tuple(x.shape[:2]) + out_size, x.dtype, x.device)
    indices = empty_tensor(out.shape, _dtype.int64, x.device)
    xr._storage.backend.pool("max", xr, out, indices, windows)
    if needs_grad(x):
        record(name, _max_pool_backward, (x,), out, (indices, tuple(x.shape)))
    return out, indices


def _max_pool_backward(node, grad, indices, shape):
    return _scatter_maxima(grad, indices, shape)


def _scatter_maxima(grad, indices, shape):
    """The (N, C, *in) tensor of zeros with ``grad`` added at ``indices`` (the plane positions of the maxima)."""
    n, c = shape[:2]
    if STATE.enabled:  # create_graph: a differentiable scatter
        flat = zeros((n, c, numel_of(shape[2:])), dtype=grad.dtype, device=grad.device)
        length = numel_of(indices.shape[2:])
        flat = scatter_add(flat, 2, reshape(indices, (n, c, length)), reshape(grad, (n, c, length)))
        return reshape(flat, shape)
    grad_input = empty_tensor(shape, grad.dtype, grad.device)
    grad = _raw(grad)
    grad._storage.backend.pool_backward("max", grad, grad_input, indices, None)
    return grad_input


def _avg_pool(name, x, out_size, windows):
    """The average of each window of the (N, C, *in) ``x`` (divided as the windows' divisors say)."""
    xr = _raw(x)
    out = empty_tensor(tuple(x.shape[:2]) + out_size, x.dtype, x.device)
    xr._storage.backend.pool("avg", xr, out, None, windows)
    if needs_grad(x):
        record(name, _avg_pool_backward, (x,), out, (name, tuple(x.shape), windows))
    return out


def _avg_pool_backward(node, grad, name, shape, windows):
    return _avg_pool_grad(name, grad, shape, windows)


def _avg_pool_grad(name, grad, shape, windows):
    """The gradient of ``_avg_pool`` for the output gradient ``grad``; linear in grad, its own backward is the
    forward pooling."""
    grad_input = empty_tensor(shape, grad.dtype, grad.device)
    g = _raw(grad)
    g._storage.backend.pool_backward("avg", g, grad_input, None, windows)
    if needs_grad(grad):
        record(name.replace("Backward0", "BackwardBackward0"), _avg_pool_grad_backward, (grad,), grad_input,
               (name, tuple(grad.shape[2:]), windows))
    return grad_input


def _avg_pool_grad_backward(node, grad, name, out_size, windows):
    return _avg_pool(name, grad, out_size, windows)


def _prepare(op, nsp, input):
    x, batched = _batched(op, input, nsp)
    _check_float(op, x)
    return x, batched


def _unbatch(batched, *outs):
    outs = tuple(o if batched else squeeze(o, 0) for o in outs)
    return outs if len(outs) > 1 else outs[0]


# max pooling -------------------------------------------------------------------------------------
def _max_pool_nd(nsp, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    op = f"max_pool{nsp}d"
    x, batched = _prepare(op, nsp, input)
    kernel, stride, padding, dilation, out_size = _pool_args(op, nsp, x, kernel_size, stride, padding, dilation,
                                                             ceil_mode)
    windows = _regular_windows(tuple(x.shape[2:]), out_size, kernel, stride, padding, dilation)
    out, indices = _max_pool(f"MaxPool{nsp}DWithIndicesBackward0", x, out_size, windows)
    return _unbatch(batched, out, indices) if return_indices else _unbatch(batched, out)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The max over sliding windows of the last dim of (N, C, L) or (C, L) ``input`` (padding counts as -inf);
    with ``return_indices`` also the position of each max (for max_unpool1d).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.max_pool1d(rustorch.tensor([[1.0, 3.0, 2.0, 5.0, 4.0]]), 2, return_indices=True)
    (tensor([[3., 5.]]), tensor([[1, 3]]))
    """
    return _max_pool_nd(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-D max pooling of (N, C, H, W) or (C, H, W) ``input``; indices are flat positions in each H x W plane.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.max_pool2d(rustorch.ones(1, 2, 5, 5), 2, ceil_mode=True).shape
    rustorch.Size([1, 2, 3, 3])
    """
    return _max_pool_nd(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-D max pooling of (N, C, D, H, W) or (C, D, H, W) ``input``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.max_pool3d(rustorch.ones(1, 1, 4, 4, 4), 2, stride=1, padding=1).shape
    rustorch.Size([1, 1, 5, 5, 5])
    """
    return _max_pool_nd(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool1d returning (values, indices) whatever ``return_indices`` says.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.max_pool1d_with_indices(rustorch.tensor([[[4.0, 1.0, 0.0, 2.0]]]), 2)[1]
    tensor([[[0, 3]]])
    """
    return _max_pool_nd(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool2d returning (values, indices) whatever ``return_indices`` says.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.max_pool2d_with_indices(rustorch.arange(16.0).reshape(1, 1, 4, 4), 2)[1]
    tensor([[[[ 5,  7],
              [13, 15]]]])
    """
    return _max_pool_nd(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """max_pool3d returning (values, indices) whatever ``return_indices`` says.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.max_pool3d_with_indices(rustorch.arange(8.0).reshape(1, 1, 2, 2, 2), 2)[1]
    tensor([[[[[7]]]]])
    """
    return _max_pool_nd(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


# average pooling ---------------------------------------------------------------------------------
def _avg_pool_nd(nsp, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    op = f"avg_pool{nsp}d"
    x, batched = _prepare(op, nsp, input)
    kernel, stride, padding, _, out_size = _pool_args(op, nsp, x, kernel_size, stride, padding, 1, ceil_mode)
    in_size = tuple(x.shape[2:])
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override, (int, np.integer)) \
                or divisor_override == 0:
            raise ValueOutOfRangeError(f"{op}(): divisor must be not zero, got divisor_override={divisor_override!r}")
    windows = []
    for d, (n, o, k, s, p) in enumerate(zip(in_size, out_size, kernel, stride, padding)):
        first, count, _ = _regular_window(n, o, k, s, p, 1)
        if divisor_override is not None:
            # the whole divisor in the first dim's factors
            divisor = np.full(o, float(divisor_override) if d == 0 else 1.0)
        else:
            divisor = _avg_divisor(n, o, k, s, p, bool(count_include_pad))
        windows.append((first, count, 1, divisor))
    out = _avg_pool(f"AvgPool{nsp}DBackward0", x, out_size, tuple(windows))
    return _unbatch(batched, out)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """The mean over sliding windows of the last dim of (N, C, L) or (C, L) ``input``; zero padding is counted
    in the mean when ``count_include_pad``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.avg_pool1d(rustorch.tensor([[1.0, 2.0, 3.0, 4.0]]), 2)
    tensor([[1.5000, 3.5000]])
    """
    return _avg_pool_nd(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling of (N, C, H, W) or (C, H, W) ``input``; ``divisor_override`` replaces the window
    size as divisor.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.avg_pool2d(rustorch.ones(1, 1, 3, 3), 2, padding=1, count_include_pad=False)
    tensor([[[[1., 1.],
              [1., 1.]]]])
    """
    return _avg_pool_nd(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-D average pooling of (N, C, D, H, W) or (C, D, H, W) ``input``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.avg_pool3d(rustorch.ones(1, 1, 2, 2, 2), 2, divisor_override=2)
    tensor([[[[[4.]]]]])
    """
    return _avg_pool_nd(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


# adaptive pooling --------------------------------------------------------------------------------
def _adaptive_args(op, nsp, input, output_size):
    x, batched = _prepare(op, nsp, input)
    if isinstance(output_size, (list, tuple)):
        sizes = tuple(x.shape[2 + d] if v is None else v for d, v in enumerate(output_size))
    else:
        sizes = output_size
    out_size = _ntuple(op, "output_size", sizes, nsp)
    if any(o < 0 for o in out_size):
        raise ValueOutOfRangeError(f"{op}(): elements of output_size must be greater than or equal to 0 but "
                                   f"received {out_size}")
    for d in range(1, x.ndim):
        if x.shape[d] == 0:
            raise ShapeError(f"{op}(): expected input to have non-zero size for non-batch dimensions, but input has "
                             f"sizes {list(input.shape)} with dimension {d - (0 if batched else 1)} being empty")
    return x, batched, out_size


def _adaptive_windows(in_size, out_size, with_divisor):
    windows = []
    for n, o in zip(in_size, out_size):
        first, count = _adaptive_window(n, o)
        windows.append((first, count, 1, count.astype(np.float64) if with_divisor else None))
    return tuple(windows)


def _adaptive_avg_pool_nd(nsp, input, output_size):
    op = f"adaptive_avg_pool{nsp}d"
    x, batched, out_size = _adaptive_args(op, nsp, input, output_size)
    windows = _adaptive_windows(tuple(x.shape[2:]), out_size, True)
    return _unbatch(batched, _avg_pool(f"AdaptiveAvgPool{nsp}DBackward0", x, out_size, windows))


def adaptive_avg_pool1d(input, output_size):
    """The mean over ``output_size`` windows that split the last dim of (N, C, L) or (C, L) ``input`` evenly
    (torch's floor/ceil bounds).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.adaptive_avg_pool1d(rustorch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0]]), 2)
    tensor([[2., 4.]])
    """
    return _adaptive_avg_pool_nd(1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """2-D adaptive average pooling to ``output_size`` (an int, or a pair where None keeps the input's size).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.adaptive_avg_pool2d(rustorch.ones(2, 3, 7, 9), (1, None)).shape
    rustorch.Size([2, 3, 1, 9])
    """
    return _adaptive_avg_pool_nd(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """3-D adaptive average pooling to ``output_size``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.adaptive_avg_pool3d(rustorch.ones(1, 2, 5, 6, 7), 2).shape
    rustorch.Size([1, 2, 2, 2, 2])
    """
    return _adaptive_avg_pool_nd(3, input, output_size)


def _adaptive_max_pool_nd(nsp, input, output_size, return_indices):
    op = f"adaptive_max_pool{nsp}d"
    x, batched, out_size = _adaptive_args(op, nsp, input, output_size)
    windows = _adaptive_windows(tuple(x.shape[2:]), out_size, False)
    out, indices = _max_pool(f"AdaptiveMaxPool{nsp}DBackward0", x, out_size, windows)
    return _unbatch(batched, out, indices) if return_indices else _unbatch(batched, out)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """The max over ``output_size`` windows that split the last dim of (N, C, L) or (C, L) ``input`` evenly.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.adaptive_max_pool1d(rustorch.tensor([[1.0, 5.0, 3.0, 4.0, 2.0]]), 2, return_indices=True)
    (tensor([[5., 4.]]), tensor([[1, 3]]))
    """
    return _adaptive_max_pool_nd(1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2-D adaptive max pooling to ``output_size``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.adaptive_max_pool2d(rustorch.arange(16.0).reshape(1, 4, 4), 1)
    tensor([[[15.]]])
    """
    return _adaptive_max_pool_nd(2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """3-D adaptive max pooling to ``output_size``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.adaptive_max_pool3d(rustorch.ones(1, 1, 3, 4, 5), (1, 2, 3)).shape
    rustorch.Size([1, 1, 1, 2, 3])
    """
    return _adaptive_max_pool_nd(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool1d returning (values, indices).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.adaptive_max_pool1d_with_indices(rustorch.tensor([[3.0, 1.0]]), 1)
    (tensor([[3.]]), tensor([[0]]))
    """
    return _adaptive_max_pool_nd(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool2d returning (values, indices).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.adaptive_max_pool2d_with_indices(rustorch.arange(4.0).reshape(1, 2, 2), 1)[1]
    tensor([[[3]]])
    """
    return _adaptive_max_pool_nd(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """adaptive_max_pool3d returning (values, indices).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.adaptive_max_pool3d_with_indices(rustorch.arange(8.0).reshape(1, 2, 2, 2), 1)[1]
    tensor([[[[7]]]])
    """
    return _adaptive_max_pool_nd(3, input, output_size, True)


# unpooling ---------------------------------------------------------------------------------------
def _max_unpool_nd(nsp, input, indices, kernel_size, stride, padding, output_size):
    op = f"max_unpool{nsp}d"
    x, batched = _prepare(op, nsp, input)
    check_tensor(op, indices, "indices")
    if indices.dtype is not _dtype.int64:
        raise DTypeError(f"{op}(): elements in indices should be type int64 but got: {indices.dtype}")
    if tuple(indices.shape) != tuple(input.shape):
        raise ShapeError(f"{op}(): expected shape of indices to be same as that of the input tensor "
                         f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    kernel = _ntuple(op, "kernel_size", kernel_size, nsp)
    stride = kernel if stride is None else _ntuple(op, "stride", stride, nsp)
    padding = _ntuple(op, "padding", padding, nsp)
    in_size = tuple(x.shape[2:])
    default = tuple((i - 1) * s + k - 2 * p for i, s, k, p in zip(in_size, stride, kernel, padding))
    if output_size is None:
        out_size = default
    else:
        out_size = tuple(output_size)
        if len(out_size) == nsp + 2:
            out_size = out_size[2:]
        elif len(out_size) == nsp + 1 and not batched:
            out_size = out_size[1:]
        if len(out_size) != nsp:
            raise InvalidArgumentError(f"{op}(): output_size should be a sequence containing {nsp} or {nsp + 2} "
                                       f"elements, but it has a length of '{len(out_size)}'")
        for d, (o, dflt, s) in enumerate(zip(out_size, default, stride)):
            if not dflt - s < o < dflt + s:
                raise InvalidArgumentError(f'{op}(): invalid output_size "{list(out_size)}" (dim {d} must be '
                                           f'between {dflt - s} and {dflt + s})')
    n, c = x.shape[:2]
    plane = numel_of(out_size)
    idx = reshape(indices, (n, c, numel_of(in_size)))
    if idx.numel():
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= plane:
            raise IndexOutOfRangeError(f"{op}(): found an invalid max index: {lo if lo < 0 else hi} (output volumes "
                                       f"are of size {'x'.join(map(str, out_size))})")
    flat = zeros((n, c, plane), dtype=x.dtype, device=x.device)
    out = reshape(scatter(flat, 2, idx, reshape(x, (n, c, numel_of(in_size)))), (n, c) + out_size)
    return _unbatch(batched, out)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d: zeros with the pooled values put back at ``indices``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> v, i = F.max_pool1d(rustorch.tensor([[[1.0, 2.0, 4.0, 3.0]]]), 2, return_indices=True)
    >>> F.max_unpool1d(v, i, 2)
    tensor([[[0., 2., 4., 0.]]])
    """
    return _max_unpool_nd(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d; ``output_size`` picks among the input sizes that pool to this size.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> v, i = F.max_pool2d(rustorch.ones(1, 1, 5, 5), 2, return_indices=True)
    >>> F.max_unpool2d(v, i, 2, output_size=(5, 5)).shape
    rustorch.Size([1, 1, 5, 5])
    """
    return _max_unpool_nd(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool3d.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> v, i = F.max_pool3d(rustorch.ones(1, 1, 4, 4, 4), 2, return_indices=True)
    >>> F.max_unpool3d(v, i, 2).sum()
    tensor(8.)
    """
    return _max_unpool_nd(3, input, indices, kernel_size, stride, padding, output_size)


# Lp pooling --------------------------------------------------------------------------------------
def _lp_pool_nd(nsp, input, norm_type, kernel_size, stride, ceil_mode):
    kernel = _ntuple(f"lp_pool{nsp}d", "kernel_size", kernel_size, nsp)
    if norm_type == float("inf"):
        return _max_pool_nd(nsp, _abs(input), kernel_size, stride, 0, 1, ceil_mode, False)
    if norm_type == -float("inf"):
        return neg(_max_pool_nd(nsp, neg(_abs(input)), kernel_size, stride, 0, 1, ceil_mode, False))
    out = _avg_pool_nd(nsp, pow(input, norm_type), kernel_size, stride, 0, ceil_mode, True, None)
    # as torch: sign(out) * relu(|out|) keeps the gradient of a zero window finite
    return pow(mul(mul(sign(out), relu(_abs(out))), numel_of(kernel)), 1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The p-norm (sum of x^p)^(1/p) over sliding windows of the last dim of (N, C, L) or (C, L) ``input``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.lp_pool1d(rustorch.tensor([[3.0, 4.0, 6.0, 8.0]]), 2, 2)
    tensor([[ 5., 10.]])
    """
    return _lp_pool_nd(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling: the p-norm of each window of (N, C, H, W) or (C, H, W) ``input``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.lp_pool2d(rustorch.ones(1, 1, 4, 4), 1, 2)
    tensor([[[[4., 4.],
              [4., 4.]]]])
    """
    return _lp_pool_nd(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-D power-average pooling.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.lp_pool3d(rustorch.ones(1, 1, 2, 2, 2), 2, 2)
    tensor([[[[[2.8284]]]]])
    """
    return _lp_pool_nd(3, input, norm_type, kernel_size, stride, ceil_mode)


__all__ = [
    "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d", "lp_pool1d", "lp_pool2d",
    "lp_pool3d",
]
