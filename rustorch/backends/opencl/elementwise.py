"""Elementwise kernels: every op of the shared table (rustorch/kernels/ops.py) rendered into gpu/opencl/elementwise.cl
for its dtypes, with broadcasting and strided operands; copies, fills and ``where`` are elementwise too."""
import numpy as np

from ... import _dtype
from ...errors import DeviceError
from . import runtime
from .runtime import COMPUTE_NP, GROUP, STORAGE


def elementwise(dev, op, out, operands, compute, expr):
    """out = expr over operands ((name, tensor or Python number) pairs), computed in dtype ``compute``."""
    is_number = [isinstance(v, (int, float, bool)) for _, v in operands]
    tensors = [v for (_, v), number in zip(operands, is_number) if not number]
    for v in tensors:
        if v.device != out.device:
            raise DeviceError(f"{op}: operands on {v.device} and {out.device}")
        dev.check_dtype(v.dtype, op)
    dev.check_dtype(out.dtype, op)
    dev.check_dtype(compute, op)
    n = out.numel()
    if n == 0:
        return
    meta = layout_meta(out._shape, [out] + tensors)
    source = _render(dev, out.dtype, [(name, None if number else v.dtype)
                                      for (name, v), number in zip(operands, is_number)], compute, expr)
    c_np = np.dtype(COMPUTE_NP.get(compute.name, compute.np))
    args = [out._storage.data.block]
    args += [c_np.type(v) if number else v._storage.data.block for (_, v), number in zip(operands, is_number)]
    args += [dev.constant(meta), np.int64(n)]
    dense = meta[0] == 1 and all(meta[3::2] == 1)  # one merged dim, every operand's stride 1
    if dense:
        dev.kernel(source, "rt_elementwise_dense")(dev.queue, (runtime.round_up(-(-n // 4)),), (GROUP,), *args)
    else:
        dev.kernel(source, "rt_elementwise")(dev.queue, (runtime.round_up(n),), (GROUP,), *args)


def copy(dev, dst, src):
    elementwise(dev, "copy_", dst, [("x", src)], dst.dtype, "x")


def contiguous(dev, t):
    """``t`` itself where it is contiguous, else a contiguous copy (for kernels that read rows directly)."""
    if t.is_contiguous():
        return t
    c = runtime.scratch(t, t._shape, t.dtype)
    copy(dev, c, t)
    return c


def layout_meta(shape, tensors):
    """meta for the kernels (see elementwise.cl): the output shape with mergeable dims merged, then each buffer
    operand's offset and strides, broadcast to the shape (stride 0)."""
    nd = len(shape)
    strides = []
    for t in tensors:
        pad = nd - t.ndim
        st = [0] * pad + [s if size != 1 else 0 for s, size in zip(t._stride, t._shape)]
        strides.append(st)
    # merge dim d into d-1 where every operand steps through them as one run
    dims, merged = [], []
    for d in range(nd):
        if shape[d] == 1:
            continue
        if dims and all(st[merged[-1][-1]] == st[d] * shape[d] for st in strides):
            merged[-1].append(d)
            dims[-1] *= shape[d]
        else:
            merged.append([d])
            dims.append(shape[d])
    if not dims:
        dims, merged = [1], [[None]]
    meta = [len(dims), *dims]
    for t, st in zip(tensors, strides):
        meta.append(t._offset)
        meta.extend(0 if group[-1] is None else st[group[-1]] for group in merged)
    return np.array(meta, dtype=np.int64)


def _render(dev, out_dtype, operands, compute, expr):
    """The OpenCL C source of one elementwise kernel (built once per device and source)."""
    params = [f"__global {STORAGE[out_dtype.name]} *p_out"]
    loads = []
    k = 1
    for name, dtype in operands:
        if dtype is None:
            params.append(f"const T {name}")
            continue
        params.append(f"__global const {STORAGE[dtype.name]} *p_{name}")
        loads.append(f"    const T {name} = (T)({runtime.load(dtype, f'p_{name}', f'AT({k})')});")
        k += 1
    store = runtime.store(out_dtype, "p_out", "AT(0)", f"({expr})")
    dense_offsets = " ".join(f"const long o{j} = meta[{2 + 2 * j}];" for j in range(k))
    # digamma's reflection term is computed in double where the device has it, as torch does for float
    wide = [_dtype.float64] if dev.fp64 and "rt_digamma" in expr else []
    return runtime.source(dev, "elementwise.cl", [out_dtype, compute] + [d for _, d in operands] + wide,
                          compute=runtime.c_type(compute), floating=int(compute.is_floating_point),
                          params=", ".join(params), loads="\n".join(loads), store=store, dense_offsets=dense_offsets)
