"""The OpenCL backend: the contract of rustorch/backends/base.py on PyOpenCL, one module per kernel family
(elementwise, reduction, indexing, sorting, gemm, convolution, random, fused), each with its OpenCL C source in
gpu/opencl/ (installed as rustorch.kernels.opencl); runtime.py holds devices, memory and program builds."""
import os

import numpy as np

from ...errors import DeviceError
from ...kernels import ops as _ops
from ..base import Backend
from . import convolution, elementwise, fused, gemm, indexing, random, reduction, runtime, sorting


class OpenCLBackend(Backend):
    name = "opencl"

    def __init__(self):
        self._devices = {}

    def availability(self):
        if runtime.cl is None:
            return runtime.IMPORT_ERROR
        try:
            pairs = runtime.platform_devices()
        except runtime.cl.Error as e:
            return f"no OpenCL platform could be queried ({e}); install a driver (an ICD), e.g. " \
                   "pip install pocl-binary-distribution for the CPU"
        if not pairs:
            return "no OpenCL device found; install a driver (an ICD), e.g. pip install pocl-binary-distribution"
        return runtime.compiler_problem(pairs[self._default_index() % len(pairs)][1])

    def capabilities(self):
        return {"devices": runtime.devices(), "default_index": self._default_index()}

    def _default_index(self):
        """The device ``'opencl'`` means: RUSTORCH_OPENCL_DEVICE, else the first that builds kernels (a machine
        may carry a driver whose compiler does not know its CPU, beside one that works)."""
        value = os.environ.get("RUSTORCH_OPENCL_DEVICE")
        if value is None:
            pairs = runtime.platform_devices()
            return next((i for i, (_, d) in enumerate(pairs) if runtime.compiler_problem(d) is None), 0)
        if not value.isdigit():
            raise DeviceError(f"RUSTORCH_OPENCL_DEVICE must be a device index (see "
                              f"rustorch.backends.opencl.devices()), got {value!r}")
        return int(value)

    def _device(self, device):
        index = self._default_index() if device.index is None else device.index
        d = self._devices.get(index)
        if d is None:
            pairs = runtime.platform_devices()
            if index >= len(pairs):
                raise DeviceError(f"opencl:{index}: no such OpenCL device; this machine has {len(pairs)} "
                                  f"({', '.join(p[1].name.strip() for p in pairs)})")
            d = self._devices[index] = runtime.Device(index, pairs[index][1])
        return d

    # memory -------------------------------------------------------------------
    def empty(self, numel, dtype, device):
        dev = self._device(device)
        return dev.pool.allocate(numel * dtype.itemsize, dtype.np)

    def from_host(self, array, device):
        dev = self._device(device)
        array = np.ascontiguousarray(array)
        buf = dev.pool.allocate(array.nbytes, array.dtype)
        if array.nbytes:
            runtime.cl.enqueue_copy(dev.queue, buf.block, array)
        return buf

    def to_host(self, t):
        dev = self._device(t.device)
        itemsize = t.dtype.itemsize
        span = 1 + sum((s - 1) * st for s, st in zip(t._shape, t._stride)) if 0 not in t._shape else 0
        host = np.empty(span, t.dtype.np)
        if span:
            runtime.cl.enqueue_copy(dev.queue, host, t._storage.data.block, src_offset=t._offset * itemsize)
        return np.lib.stride_tricks.as_strided(host, t._shape, tuple(s * itemsize for s in t._stride))

    def copy_(self, dst, src):
        elementwise.copy(self._device(dst.device), dst, src)

    def fill_(self, dst, value):
        elementwise.elementwise(self._device(dst.device), "fill_", dst, [("x", value)], dst.dtype, "x")

    def synchronize(self, device):
        self._device(device).queue.finish()

    def memory_stats(self, device):
        return dict(self._device(device).pool.stats)

    def empty_cache(self, device):
        self._device(device).pool.empty_cache()

    # elementwise --------------------------------------------------------------
    def unary(self, op, x, out):
        ops = _ops
        # predicates look at x in its own dtype; the others compute in the result's
        if op not in ops.UNARY:
            raise NotImplementedError(f"{op}(): the OpenCL backend has no kernel for it yet (issue #6)")
        compute = x.dtype if op in ops.PREDICATES else out.dtype
        expr = ops.UNARY[op]
        if not compute.is_floating_point:
            expr = ops.INTEGER_PREDICATES.get(op) or ops.INTEGER_UNARY.get(op) or expr
        elementwise.elementwise(self._device(out.device), op, out, [("x", x)], compute, expr)

    def binary(self, op, a, b, out, compute_dtype):
        ops = _ops
        if op not in ops.BINARY:
            raise NotImplementedError(f"{op}(): the OpenCL backend has no kernel for it yet (issue #6)")
        expr = ops.BINARY[op]
        if not compute_dtype.is_floating_point:
            expr = ops.INTEGER_BINARY.get(op, expr)
        elementwise.elementwise(self._device(out.device), op, out, [("a", a), ("b", b)], compute_dtype, expr)

    def where(self, cond, a, b, out):
        elementwise.elementwise(self._device(out.device), "where", out, [("c", cond), ("a", a), ("b", b)], out.dtype,
                                "(c != (T)0 ? a : b)")

    # reductions ---------------------------------------------------------------
    def reduce(self, op, x, dims, out, out_index=None):
        reduction.reduce(self._device(out.device), op, x, dims, out, out_index)

    def scan(self, op, x, dim, out):
        reduction.scan(self._device(out.device), op, x, dim, out)

    # indexing -----------------------------------------------------------------
    def index_get(self, x, index):
        return indexing.index_get(self._device(x.device), x, index)

    def index_put_(self, x, index, value, accumulate):
        indexing.index_put_(self._device(x.device), x, index, value, accumulate)

    def gather(self, x, dim, index, out):
        indexing.gather(self._device(out.device), x, dim, index, out)

    def scatter_(self, x, dim, index, src, reduce):
        indexing.scatter_(self._device(x.device), x, dim, index, src, reduce)

    def nonzero(self, x):
        return indexing.nonzero(self._device(x.device), x)

    def sort(self, x, dim, descending, stable, values, indices):
        sorting.sort(self._device(x.device), x, dim, descending, stable, values, indices)

    # contraction --------------------------------------------------------------
    def matmul(self, a, b, out):
        gemm.matmul(self._device(out.device), a, b, out)

    def einsum(self, equation, operands, out):
        gemm.einsum(self._device(out.device), equation, operands, out)

    # convolution and pooling ----------------------------------------------------
    def im2col(self, x, cols, kernel, stride, padding, dilation):
        convolution.im2col(self._device(x.device), x, cols, kernel, stride, padding, dilation)

    def col2im(self, cols, x, kernel, stride, padding, dilation):
        convolution.col2im(self._device(x.device), cols, x, kernel, stride, padding, dilation)

    def pool(self, op, x, out, indices, windows):
        convolution.pool(self._device(x.device), op, x, out, indices, windows)

    def pool_backward(self, op, grad, grad_input, indices, windows):
        convolution.pool_backward(self._device(grad.device), op, grad, grad_input, indices, windows)

    # random -------------------------------------------------------------------
    def random_(self, kind, out, seed, offset):
        return random.random_(self._device(out.device), kind, out, seed, offset)

    # fused fast paths (softmax, layer norm, LSTM step, optimizer steps): NotImplementedError for a dtype they do not
    # handle, and the op layer composes the op ----------------------------------------------------------------------
    def softmax(self, x, dim, log_space, out):
        fused.softmax(self._device(out.device), x, dim, log_space, out)

    def softmax_backward(self, grad, y, dim, log_space, out):
        fused.softmax_backward(self._device(out.device), grad, y, dim, log_space, out)

    def layer_norm(self, x, weight, bias, eps, out, mean, rstd):
        fused.layer_norm(self._device(out.device), x, weight, bias, eps, out, mean, rstd)

    def layer_norm_backward(self, grad, x, mean, rstd, weight, grad_input, grad_weight, grad_bias):
        fused.layer_norm_backward(self._device(x.device), grad, x, mean, rstd, weight, grad_input, grad_weight,
                                  grad_bias)

    def lstm_cell(self, pre, xp, c_prev, gates, c, tanh_c, h):
        fused.lstm_cell(self._device(h.device), pre, xp, c_prev, gates, c, tanh_c, h)

    def lstm_cell_backward(self, dh, dc, gates, c_prev, tanh_c, dgates, dc_prev):
        fused.lstm_cell_backward(self._device(dgates.device), dh, dc, gates, c_prev, tanh_c, dgates, dc_prev)

    def sgd_step(self, params, grads, momentum_buffers, fresh, lr, momentum, dampening, weight_decay, nesterov,
                 maximize):
        fused.sgd_step(self._device(params[0].device), params, grads, momentum_buffers, fresh, lr, momentum,
                       dampening, weight_decay, nesterov, maximize)

    def adam_step(self, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, step_sizes, bias_correction2_sqrts,
                  beta1, beta2, eps, weight_decay, decay, maximize):
        fused.adam_step(self._device(params[0].device), params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs,
                        step_sizes, bias_correction2_sqrts, beta1, beta2, eps, weight_decay, decay, maximize)

    def rmsprop_step(self, params, grads, square_avgs, grad_avgs, momentum_buffers, lr, alpha, eps, weight_decay,
                     momentum, maximize):
        fused.rmsprop_step(self._device(params[0].device), params, grads, square_avgs, grad_avgs, momentum_buffers,
                           lr, alpha, eps, weight_decay, momentum, maximize)

    def adagrad_step(self, params, grads, state_sums, clrs, eps, weight_decay, maximize):
        fused.adagrad_step(self._device(params[0].device), params, grads, state_sums, clrs, eps, weight_decay,
                           maximize)


BACKEND = OpenCLBackend()
