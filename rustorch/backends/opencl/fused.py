"""Fused fast paths: softmax, layer norm, the LSTM step and the optimizer steps (gpu/opencl/fused.cl), for float16,
bfloat16, float32 and float64 (where the device has it). Other dtypes raise NotImplementedError: the op layer then
composes the op from the other primitives (see rustorch/backends/base.py)."""
import math

import numpy as np

from ..._dtype import float32, float64
from . import runtime

GROUP = 256  # work-items per group of the row kernels (RT_GROUP_MAX in fused.cl)
WIDE = 32    # at most this many columns per group where the reduced dim is strided (one NVIDIA warp)
FLOATS = ("float16", "bfloat16", "float32", "float64")


def _kernel(dev, dtype, name):
    """Kernel ``name`` of fused.cl rendered for ``dtype``; NotImplementedError for a dtype it does not handle."""
    if dtype.name not in FLOATS or dtype.name == "float64" and not dev.fp64:
        raise NotImplementedError
    source = runtime.source(dev, "fused.cl", [dtype], storage=runtime.STORAGE[dtype.name],
                            compute=runtime.c_type(dtype), load=runtime.load(dtype, "(p)", "(i)"),
                            store=runtime.store(dtype, "(p)", "(i)", "(v)"))
    return dev.kernel(source, name)


def _scalar(dtype):
    """The NumPy type of a scalar argument of dtype's compute type."""
    return np.float64 if dtype.name == "float64" else np.float32


def _rows_launch(dev, kernel, outer, n, inner, *args):
    """Run a row kernel over ``outer`` slices of n x inner: groups of NX columns by NY work-items along n (the
    kernel's last two arguments), on a 1-D range."""
    nx = min(runtime.pow2(inner), WIDE)
    ny = min(runtime.pow2(n), GROUP // nx)
    groups = outer * -(-inner // nx)
    kernel(dev.queue, (groups * nx * ny,), (nx * ny,), *args, np.int32(nx), np.int32(ny))


# softmax ----------------------------------------------------------------------------------------------------------
def _slices(x, dim):
    """(outer, n, inner) of contiguous ``x`` with ``dim`` in the middle."""
    shape = x._shape
    return math.prod(shape[:dim]), shape[dim], math.prod(shape[dim + 1:])


def softmax(dev, x, dim, log_space, out):
    kernel = _kernel(dev, x.dtype, "rt_softmax")
    outer, n, inner = _slices(x, dim)
    if outer * n * inner == 0:
        return
    _rows_launch(dev, kernel, outer, n, inner, *runtime.arg(out), *runtime.arg(x), np.int64(n), np.int64(inner),
                 np.int32(log_space))


def softmax_backward(dev, grad, y, dim, log_space, out):
    kernel = _kernel(dev, y.dtype, "rt_softmax_backward")
    outer, n, inner = _slices(y, dim)
    if outer * n * inner == 0:
        return
    _rows_launch(dev, kernel, outer, n, inner, *runtime.arg(out), *runtime.arg(grad), *runtime.arg(y), np.int64(n),
                 np.int64(inner),
                 np.int32(log_space))


# layer norm -------------------------------------------------------------------------------------------------------
ROW_CHUNK = 16    # the weight and bias gradients add at least this many rows per group
MAX_CHUNKS = 64   # and use at most this many groups of rows (then one pass adds their partial sums)


def layer_norm(dev, x, weight, bias, eps, out, mean, rstd):
    kernel = _kernel(dev, x.dtype, "rt_layer_norm")
    m, d = x._shape
    if m == 0:
        return
    # a missing weight or bias is flagged off; x stands in for its buffer
    _rows_launch(dev, kernel, m, d, 1, *runtime.arg(out), *runtime.arg(x),
                 *runtime.arg(weight if weight is not None else x),
                 *runtime.arg(bias if bias is not None else x), *runtime.arg(mean), *runtime.arg(rstd), np.int64(d),
                 _scalar(x.dtype)(eps), np.int32(weight is not None), np.int32(bias is not None))


def layer_norm_backward(dev, grad, x, mean, rstd, weight, grad_input, grad_weight, grad_bias):
    dtype = x.dtype
    m, d = x._shape
    if grad_input is not None and m * d:
        kernel = _kernel(dev, dtype, "rt_layer_norm_backward")
        _rows_launch(dev, kernel, m, d, 1, *runtime.arg(grad_input), *runtime.arg(grad), *runtime.arg(x),
                     *runtime.arg(mean), *runtime.arg(rstd),
                     *runtime.arg(weight if weight is not None else x), np.int64(d), np.int32(weight is not None))
    if (grad_weight is None and grad_bias is None) or d == 0:
        return
    # column sums over the rows in two passes: groups of rows into partial sums, then the partial sums
    chunks = max(1, min(MAX_CHUNKS, -(-m // ROW_CHUNK)))
    rows_per = max(1, -(-m // chunks))
    compute = float64 if dtype.name == "float64" else float32
    pw, pb = runtime.scratch(x, (chunks, d), compute), runtime.scratch(x, (chunks, d), compute)
    pw_buf, pb_buf = pw._storage.data.block, pb._storage.data.block
    colsum = _kernel(dev, dtype, "rt_layer_norm_colsum")
    _rows_launch(dev, colsum, chunks, rows_per, d, pw_buf, pb_buf, *runtime.arg(grad), *runtime.arg(x),
                 *runtime.arg(mean), *runtime.arg(rstd),
                 np.int64(m), np.int64(d), np.int64(rows_per))
    finish = _kernel(dev, dtype, "rt_layer_norm_colsum_finish")
    some = grad_weight if grad_weight is not None else grad_bias  # stands in for the one not asked for
    finish(dev.queue, (runtime.round_up(d, runtime.GROUP),), (runtime.GROUP,),
           *runtime.arg(grad_weight if grad_weight is not None else some),
           *runtime.arg(grad_bias if grad_bias is not None else some), pw_buf, pb_buf, np.int64(chunks), np.int64(d),
           np.int32(grad_weight is not None), np.int32(grad_bias is not None))


# LSTM step --------------------------------------------------------------------------------------------------------
def _block(t):
    """A (rows, n) block with contiguous rows: buffer, offset and row stride."""
    return (*runtime.arg(t), np.int64(t._stride[0]))


def _lstm_launch(dev, kernel, hidden, n, blocks):
    if hidden * n == 0:
        return
    lx = min(runtime.pow2(n), runtime.GROUP)  # the columns along x: neighbours read neighbouring elements
    ly = runtime.GROUP // lx
    kernel(dev.queue, (runtime.round_up(n, lx), runtime.round_up(hidden, ly)), (lx, ly),
           *[a for t in blocks for a in _block(t)], np.int64(hidden), np.int64(n))


def lstm_cell(dev, pre, xp, c_prev, gates, c, tanh_c, h):
    kernel = _kernel(dev, gates.dtype, "rt_lstm_cell")
    _lstm_launch(dev, kernel, c._shape[0], c._shape[1], (pre, xp, c_prev, gates, c, tanh_c, h))


def lstm_cell_backward(dev, dh, dc, gates, c_prev, tanh_c, dgates, dc_prev):
    kernel = _kernel(dev, gates.dtype, "rt_lstm_cell_backward")
    _lstm_launch(dev, kernel, dc_prev._shape[0], dc_prev._shape[1], (dh, dc, gates, c_prev, tanh_c, dgates, dc_prev))


# optimizer steps --------------------------------------------------------------------------------------------------
# One launch per parameter (a kernel cannot take a list of buffers on OpenCL 1.2); an absent state buffer is flagged
# off in the kernel and the parameter stands in for its argument.
def _flat_launch(dev, kernel, n, *args):
    if n:
        kernel(dev.queue, (runtime.round_up(n, runtime.GROUP),), (runtime.GROUP,), *args)


def _lerp_small(w):
    """Whether torch's lerp takes its a + w (b - a) form for weight ``w``."""
    return np.int32(abs(w) < 0.5)


def sgd_step(dev, params, grads, momentum_buffers, fresh, lr, momentum, dampening, weight_decay, nesterov, maximize):
    dtype = params[0].dtype
    kernel = _kernel(dev, dtype, "rt_sgd_step")
    f = _scalar(dtype)
    scalars = (f(-1.0 if maximize else 1.0), f(weight_decay), f(-lr), f(momentum), f(1 - dampening))
    for i, p in enumerate(params):
        buf = momentum_buffers[i] if momentum_buffers is not None else p
        _flat_launch(dev, kernel, p.numel(), *runtime.arg(p), *runtime.arg(grads[i]), *runtime.arg(buf),
                     np.int64(p.numel()), *scalars,
                     np.int32(momentum_buffers is not None), np.int32(bool(fresh and fresh[i])),
                     np.int32(nesterov))


def adam_step(dev, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, step_sizes, bias_correction2_sqrts,
              beta1, beta2, eps, weight_decay, decay, maximize):
    dtype = params[0].dtype
    kernel = _kernel(dev, dtype, "rt_adam_step")
    f = _scalar(dtype)
    for i, p in enumerate(params):
        vmax = max_exp_avg_sqs[i] if max_exp_avg_sqs is not None else p
        _flat_launch(dev, kernel, p.numel(), *runtime.arg(p), *runtime.arg(grads[i]), *runtime.arg(exp_avgs[i]),
                     *runtime.arg(exp_avg_sqs[i]),
                     *runtime.arg(vmax), np.int64(p.numel()), f(-1.0 if maximize else 1.0), f(decay), f(weight_decay),
                     f(1 - beta1), _lerp_small(1 - beta1), f(beta2), f(1 - beta2), f(-step_sizes[i]),
                     f(bias_correction2_sqrts[i]), f(eps), np.int32(max_exp_avg_sqs is not None))


def rmsprop_step(dev, params, grads, square_avgs, grad_avgs, momentum_buffers, lr, alpha, eps, weight_decay,
                 momentum, maximize):
    dtype = params[0].dtype
    kernel = _kernel(dev, dtype, "rt_rmsprop_step")
    f = _scalar(dtype)
    scalars = (f(-1.0 if maximize else 1.0), f(weight_decay), f(alpha), f(1 - alpha), _lerp_small(1 - alpha), f(eps),
               f(-lr), f(momentum), np.int32(grad_avgs is not None), np.int32(momentum_buffers is not None))
    for i, p in enumerate(params):
        ga = grad_avgs[i] if grad_avgs is not None else p
        buf = momentum_buffers[i] if momentum_buffers is not None else p
        _flat_launch(dev, kernel, p.numel(), *runtime.arg(p), *runtime.arg(grads[i]), *runtime.arg(square_avgs[i]),
                     *runtime.arg(ga), *runtime.arg(buf),
                     np.int64(p.numel()), *scalars)


def adagrad_step(dev, params, grads, state_sums, clrs, eps, weight_decay, maximize):
    dtype = params[0].dtype
    kernel = _kernel(dev, dtype, "rt_adagrad_step")
    f = _scalar(dtype)
    for i, p in enumerate(params):
        _flat_launch(dev, kernel, p.numel(), *runtime.arg(p), *runtime.arg(grads[i]), *runtime.arg(state_sums[i]),
                     np.int64(p.numel()),
                     f(-1.0 if maximize else 1.0), f(weight_decay), f(-clrs[i]), f(eps))
