"""Convolution and pooling kernels (gpu/opencl/conv.cl): im2col and its adjoint col2im around the GEMM of a
convolution, max and average pooling over per-dim windows, and their gradients.

One program per dtype holds every kernel; the geometry (sizes, strides, windows) travels in a small int array.
Each output element is computed by one work-item that gathers its inputs (col2im and the average's gradient
included, so no two work-items write one element), except max pooling's gradient: its windows are not passed
(only the indices of the maxima), so it scatters with atomic adds.
"""
import functools

import numpy as np

from ... import _dtype
from ...errors import DTypeError, ShapeError
from . import elementwise, runtime
from .runtime import COMPUTE_NP, STORAGE, cl

FLOATS = ("float16", "bfloat16", "float32", "float64")
# work-groups along a launch's second dim at most (NVIDIA allows 65535); the kernels stride over the rest
MAX_GROUPS_1 = 32768


@functools.lru_cache(maxsize=None)
def _source(dev, dtype):
    """conv.cl rendered for ``dtype`` (cached: the source is the key of the built program)."""
    return runtime.source(dev, "conv.cl", [dtype], storage=STORAGE[dtype.name], compute=runtime.c_type(dtype),
                          load=runtime.load(dtype, "(p)", "(i)"), store=runtime.store(dtype, "(p)", "(i)", "(v)"),
                          f64=int(dtype.name == "float64"))


def _check(dev, op, *tensors):
    for t in tensors:
        if t.dtype.name not in FLOATS:
            raise DTypeError(f"{op}: expected a floating dtype (float16, bfloat16, float32 or float64), got {t.dtype}")
        dev.check_dtype(t.dtype, op)


def _spatial(op, shape):
    """The spatial sizes of an (N, C, *spatial) shape padded in front to three dims, checked to index with ints."""
    sizes = (1,) * (5 - len(shape)) + tuple(shape[2:])
    if int(np.prod(sizes)) >= 2 ** 31:
        raise ShapeError(f"{op}: planes of {'x'.join(map(str, shape[2:]))} elements are too large for the OpenCL "
                         f"kernels (at most 2^31 - 1 per plane)")
    return sizes


def _launch(dev, dtype, name, positions, planes, *args):
    """Run kernel ``name`` over ``positions`` in a plane (dim 0: neighbouring work-items touch neighbouring
    elements) by ``planes`` (dim 1, which the kernels stride over: NVIDIA caps a grid's second dim at 65535
    groups), in groups of 256 work-items, planes filling what a small plane leaves of a group."""
    l0 = min(256, 1 << (positions - 1).bit_length())
    l1 = 256 // l0
    rows = min(-(-planes // l1), MAX_GROUPS_1) * l1
    kernel = dev.kernel(_source(dev, dtype), name)
    kernel(dev.queue, (runtime.round_up(positions, l0), rows), (l0, l1), *args, np.int64(planes))


# im2col / col2im -------------------------------------------------------------------------------------------------
def _conv_geometry(op, x_shape, cols_shape, kernel, stride, padding, dilation):
    """in[3], out[3], kernel[3], stride[3], padding[3], dilation[3] as ints (see conv.cl), padded in front."""
    pad = 3 - len(kernel)
    return np.array(_spatial(op, x_shape) + _spatial(op, cols_shape) + (1,) * pad + tuple(kernel) + (1,) * pad
                    + tuple(stride) + (0,) * pad + tuple(padding) + (1,) * pad + tuple(dilation), dtype=np.int32)


def im2col(dev, x, cols, kernel, stride, padding, dilation):
    _check(dev, "im2col", x, cols)
    if cols.numel() == 0:
        return
    x = elementwise.contiguous(dev, x)
    g = _conv_geometry("im2col", x._shape, cols._shape, kernel, stride, padding, dilation)
    _launch(dev, x.dtype, "rt_im2col", int(np.prod(g[3:6])), x._shape[0] * x._shape[1],
            *runtime.arg(x), *runtime.arg(cols), dev.constant(g))


def col2im(dev, cols, x, kernel, stride, padding, dilation):
    _check(dev, "col2im", cols, x)
    if x.numel() == 0:
        return
    cols = elementwise.contiguous(dev, cols)
    g = _conv_geometry("col2im", x._shape, cols._shape, kernel, stride, padding, dilation)
    _launch(dev, x.dtype, "rt_col2im", int(np.prod(g[0:3])), x._shape[0] * x._shape[1],
            *runtime.arg(cols), *runtime.arg(x), dev.constant(g))


# pooling ---------------------------------------------------------------------------------------------------------
def _windows(windows):
    """The (first, count, step, divisor) windows padded in front to three dims with one whole-plane tap."""
    one = (np.zeros(1, np.int64), np.ones(1, np.int64), 1, np.ones(1))
    return (one,) * (3 - len(windows)) + tuple(windows)


def _pool_geometry(in_size, out_size, windows, covering):
    """The pooling geometry of conv.cl: sizes, steps, each dim's first and count and, with ``covering`` (the
    average's gradient), each dim's [lo, hi) of the outputs whose windows may hold an input position."""
    parts = [np.array(in_size + out_size + tuple(w[2] for w in windows), np.int64)]
    for first, count, _, _ in windows:
        parts += [first, count]
    if covering:
        for n, out, (first, count, step, _) in zip(in_size, out_size, windows):
            o = np.repeat(np.arange(out), count)
            taps = np.repeat(first, count) + (np.arange(len(o)) - np.repeat(np.cumsum(count) - count, count)) * step
            lo, hi = np.full(n, out, np.int64), np.zeros(n, np.int64)
            np.minimum.at(lo, taps, o)
            np.maximum.at(hi, taps, o + 1)
            parts += [lo, hi]
    return np.concatenate(parts).astype(np.int32)


def _divisors(windows, dtype):
    """div[o] of every output position of a plane: the product of its dims' divisors, multiplied in float64 in
    the CPU kernels' order and then rounded to the compute type (as they do)."""
    d0, d1, d2 = (np.asarray(w[3], np.float64) for w in windows)
    div = (d0[:, None] * d1[None, :])[:, :, None] * d2[None, None, :]
    return div.ravel().astype(COMPUTE_NP.get(dtype.name, dtype.np))


def pool(dev, op, x, out, indices, windows):
    _check(dev, f"pool({op})", x, out)
    if out.numel() == 0:
        return
    x = elementwise.contiguous(dev, x)
    in_size, out_size = _spatial("pool", x._shape), _spatial("pool", out._shape)
    windows = _windows(windows)
    g = dev.constant(_pool_geometry(in_size, out_size, windows, False))
    planes, positions = x._shape[0] * x._shape[1], int(np.prod(out_size))
    if op == "max":
        yi = (None, np.int64(0)) if indices is None else runtime.arg(indices)
        _launch(dev, x.dtype, "rt_maxpool", positions, planes, *runtime.arg(x), *runtime.arg(out), *yi, g)
    else:
        _launch(dev, x.dtype, "rt_avgpool", positions, planes, *runtime.arg(x), *runtime.arg(out), g,
                dev.constant(_divisors(windows, x.dtype)))


def pool_backward(dev, op, grad, grad_input, indices, windows):
    _check(dev, f"pool_backward({op})", grad, grad_input)
    if grad_input.numel() == 0:
        return
    grad = elementwise.contiguous(dev, grad)
    in_size, out_size = _spatial("pool_backward", grad_input._shape), _spatial("pool_backward", grad._shape)
    planes, positions = grad_input._shape[0] * grad_input._shape[1], int(np.prod(in_size))
    if op == "avg":
        windows = _windows(windows)
        g = dev.constant(_pool_geometry(in_size, out_size, windows, True))
        _launch(dev, grad.dtype, "rt_avgpool_backward", positions, planes, *runtime.arg(grad),
                *runtime.arg(grad_input), g,
                dev.constant(_divisors(windows, grad.dtype)))
        return
    if grad.dtype.name == "float64" and "cl_khr_int64_base_atomics" not in dev.device.extensions:
        raise DTypeError(f"max pooling's gradient in float64 needs cl_khr_int64_base_atomics, which OpenCL device "
                         f"{dev.index} ({dev.device.name.strip()}) does not have")
    # the atomic adds accumulate in the compute type: 16-bit floats in a float32 scratch, rounded once at the end
    acc = grad_input if grad.dtype.name in ("float32", "float64") else \
        runtime.scratch(grad_input, grad_input._shape, _dtype.float32)
    itemsize = acc.dtype.itemsize
    cl.enqueue_fill_buffer(dev.queue, acc._storage.data.block, np.uint8(0), acc._offset * itemsize,
                           acc.numel() * itemsize)
    length = int(np.prod(out_size))
    if grad.numel():
        indices = elementwise.contiguous(dev, indices)
        _launch(dev, grad.dtype, "rt_maxpool_backward", length, planes, *runtime.arg(grad), *runtime.arg(indices),
                *runtime.arg(acc), np.int32(length), np.int64(positions))
    if acc is not grad_input:
        elementwise.copy(dev, grad_input, acc)
