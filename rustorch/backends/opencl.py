"""The OpenCL backend: PyOpenCL buffers and the project's own kernels (gpu/opencl/, installed as
rustorch.kernels.opencl), built per device on first use; PyOpenCL keeps the built binaries in its disk cache,
keyed by source and device.

What runs so far (issue #6 is being built family by family): device discovery and selection, a caching memory
pool per device with the CPU pool's statistics, host transfers, strided copies with casts and broadcasting,
fill, ``where``, and every unary and binary op of the elementwise table (rustorch/kernels/ops.py) on bool,
integer, float16, bfloat16, float32 and float64 (where the device has cl_khr_fp64) tensors. The other primitives
of the contract raise NotImplementedError. float16 and bfloat16 are stored as 16-bit words and computed in
float32 (vload_half/vstore_half are core OpenCL), so they work without cl_khr_fp16.

``RUSTORCH_OPENCL_DEVICE=N`` picks the device that ``'opencl'`` means (``'opencl:N'`` names one explicitly);
``devices()`` lists them.
"""
import functools
import os
import string
import sys
from importlib import resources

import numpy as np

from ..errors import DeviceError, DTypeError, OutOfMemoryError
from .base import Backend

try:
    import pyopencl as cl
except ImportError as _e:  # the backend reports it through availability()
    cl = None
    _IMPORT_ERROR = f"PyOpenCL is not installed ({_e}); pip install 'rustorch[opencl]'"
else:
    _IMPORT_ERROR = None

# storage C type of each dtype in a kernel, and the type it is computed in
_STORAGE = {
    "bool": "uchar", "uint8": "uchar", "int8": "char", "int16": "short", "int32": "int", "int64": "long",
    "float16": "half", "bfloat16": "ushort", "float32": "float", "float64": "double",
}
_COMPUTE = {"float16": "float", "bfloat16": "float"}


def _kernel_source(name):
    return resources.files("rustorch.kernels.opencl").joinpath(name).read_text()


def _ops():
    from ..kernels import ops  # the op table shared with the other GPU dialects

    return ops


@functools.lru_cache(maxsize=None)
def _platform_devices():
    """Every (platform, device) pair of the installed OpenCL drivers, in a stable order."""
    found = []
    for platform in cl.get_platforms():
        try:
            found.extend((platform, d) for d in platform.get_devices())
        except cl.Error:
            continue  # a platform without devices (a driver installed for absent hardware)
    return tuple(found)


def devices():
    """The OpenCL devices rustorch can use: a list of dicts (index, name, platform, type, compute units,
    global memory, fp64, fp16), index being N of ``'opencl:N'``.

    >>> import rustorch
    >>> isinstance(rustorch.backends.opencl.devices(), list)
    True
    """
    if cl is None:
        return []
    try:
        pairs = _platform_devices()
    except cl.Error:
        return []
    return [{
        "index": i, "name": d.name.strip(), "platform": p.name.strip(), "type": cl.device_type.to_string(d.type),
        "compute_units": d.max_compute_units, "global_mem_bytes": d.global_mem_size,
        "fp64": "cl_khr_fp64" in d.extensions, "fp16": "cl_khr_fp16" in d.extensions,
    } for i, (p, d) in enumerate(pairs)]


class _Buffer:
    """A tensor's storage on an OpenCL device: a pool block (a cl.Buffer) seen as ``len(self)`` elements of
    ``dtype``; the block goes back to its pool when the last storage using it is gone."""

    __slots__ = ("block", "nbytes", "dtype", "pool")

    def __init__(self, block, nbytes, dtype, pool):
        self.block, self.nbytes, self.dtype, self.pool = block, nbytes, np.dtype(dtype), pool

    def __len__(self):
        return self.nbytes // self.dtype.itemsize

    def view(self, dtype):
        """The same memory seen as another dtype (Tensor.view(dtype))."""
        self.pool.retain(self.block)
        return _Buffer(self.block, self.nbytes, dtype, self.pool)

    def __del__(self):
        # at interpreter exit the pool may already be gone; the driver frees everything then anyway
        if not sys.is_finalizing():
            self.pool.release(self.block)


class _Pool:
    """The caching allocator of one device: blocks in size classes (512 B; powers of two to 1 MiB; multiples
    of 2 MiB) are kept when freed and handed out again, as the CPU pool does; the same counters."""

    def __init__(self, context):
        self.context = context
        self.free = {}
        self.refs = {}  # id(block) -> number of live _Buffers on it (views of one storage share a block)
        self.sizes = {}
        self.stats = dict.fromkeys(("allocated_bytes", "reserved_bytes", "peak_allocated_bytes", "cached_bytes",
                                    "num_allocs", "num_frees", "cache_hits", "cache_misses"), 0)

    @staticmethod
    def size_class(nbytes):
        if nbytes <= 512:
            return 512
        if nbytes <= 1 << 20:
            return 1 << (nbytes - 1).bit_length()
        return -(-nbytes // (2 << 20)) * (2 << 20)

    def allocate(self, nbytes, dtype):
        size = self.size_class(max(nbytes, 1))
        cached = self.free.get(size)
        s = self.stats
        if cached:
            block = cached.pop()
            s["cache_hits"] += 1
            s["cached_bytes"] -= size
        else:
            try:
                block = cl.Buffer(self.context, cl.mem_flags.READ_WRITE, size)
            except cl.Error as e:
                raise OutOfMemoryError(f"OpenCL out of memory: failed to allocate {nbytes} bytes ({e})") from None
            s["cache_misses"] += 1
            s["reserved_bytes"] += size
        self.sizes[id(block)] = size
        self.refs[id(block)] = 1
        s["num_allocs"] += 1
        s["allocated_bytes"] += size
        s["peak_allocated_bytes"] = max(s["peak_allocated_bytes"], s["allocated_bytes"])
        return _Buffer(block, nbytes, dtype, self)

    def retain(self, block):
        self.refs[id(block)] += 1

    def release(self, block):
        key = id(block)
        self.refs[key] -= 1
        if self.refs[key]:
            return
        del self.refs[key]
        size = self.sizes.pop(key)
        self.free.setdefault(size, []).append(block)
        s = self.stats
        s["num_frees"] += 1
        s["allocated_bytes"] -= size
        s["cached_bytes"] += size

    def empty_cache(self):
        for blocks in self.free.values():
            for block in blocks:
                block.release()
        self.stats["reserved_bytes"] -= self.stats["cached_bytes"]
        self.stats["cached_bytes"] = 0
        self.free.clear()


class _Device:
    """One OpenCL device in use: its context, in-order queue, memory pool and built kernels."""

    def __init__(self, index, device):
        self.index = index
        self.device = device
        self.context = cl.Context([device])
        self.queue = cl.CommandQueue(self.context)
        self.pool = _Pool(self.context)
        self.fp64 = "cl_khr_fp64" in device.extensions
        self.kernels = {}

    def kernel(self, source):
        k = self.kernels.get(source)
        if k is None:
            k = self.kernels[source] = cl.Program(self.context, source).build().rt_elementwise
        return k


@functools.lru_cache(maxsize=None)
def _compiler_problem(device):
    """None when ``device`` builds a kernel, else why not (PoCL's LLVM fails on CPUs it does not know, saying
    "unknown target CPU 'generic'")."""
    try:
        cl.Program(cl.Context([device]), "__kernel void rt_probe(__global int *x) { x[0] = 1; }").build()
    except cl.Error as e:
        log = next((line.strip() for line in str(e).splitlines() if "error" in line.lower() and line.strip()),
                   str(e).splitlines()[0])
        return f"OpenCL device {device.name.strip()!r} cannot build kernels: {log}"
    return None


class OpenCLBackend(Backend):
    name = "opencl"

    def __init__(self):
        self._devices = {}

    def availability(self):
        if cl is None:
            return _IMPORT_ERROR
        try:
            pairs = _platform_devices()
        except cl.Error as e:
            return f"no OpenCL platform could be queried ({e}); install a driver (an ICD), e.g. " \
                   "pip install pocl-binary-distribution for the CPU"
        if not pairs:
            return "no OpenCL device found; install a driver (an ICD), e.g. pip install pocl-binary-distribution"
        return _compiler_problem(pairs[self._default_index() % len(pairs)][1])

    def capabilities(self):
        return {"devices": devices(), "default_index": self._default_index()}

    def _default_index(self):
        value = os.environ.get("RUSTORCH_OPENCL_DEVICE", "0")
        if not value.isdigit():
            raise DeviceError(f"RUSTORCH_OPENCL_DEVICE must be a device index (see "
                              f"rustorch.backends.opencl.devices()), got {value!r}")
        return int(value)

    def _device(self, device):
        index = self._default_index() if device.index is None else device.index
        d = self._devices.get(index)
        if d is None:
            pairs = _platform_devices()
            if index >= len(pairs):
                raise DeviceError(f"opencl:{index}: no such OpenCL device; this machine has {len(pairs)} "
                                  f"({', '.join(p[1].name.strip() for p in pairs)})")
            d = self._devices[index] = _Device(index, pairs[index][1])
        return d

    def _check_dtype(self, dev, dtype, op):
        if dtype.name not in _STORAGE:
            raise DTypeError(f"{op}: dtype {dtype} is not supported on OpenCL yet")
        if dtype.name == "float64" and not dev.fp64:
            raise DTypeError(f"{op}: float64 needs cl_khr_fp64, which OpenCL device {dev.index} "
                             f"({dev.device.name.strip()}) does not have")

    # memory -------------------------------------------------------------------
    def empty(self, numel, dtype, device):
        dev = self._device(device)
        return dev.pool.allocate(numel * dtype.itemsize, dtype.np)

    def from_host(self, array, device):
        dev = self._device(device)
        array = np.ascontiguousarray(array)
        buf = dev.pool.allocate(array.nbytes, array.dtype)
        if array.nbytes:
            cl.enqueue_copy(dev.queue, buf.block, array)
        return buf

    def to_host(self, t):
        dev = self._device(t.device)
        itemsize = t.dtype.itemsize
        span = 1 + sum((s - 1) * st for s, st in zip(t._shape, t._stride)) if 0 not in t._shape else 0
        host = np.empty(span, t.dtype.np)
        if span:
            cl.enqueue_copy(dev.queue, host, t._storage.data.block, src_offset=t._offset * itemsize)
        return np.lib.stride_tricks.as_strided(host, t._shape, tuple(s * itemsize for s in t._stride))

    def copy_(self, dst, src):
        self._elementwise("copy_", dst, [("x", src)], dst.dtype, "x")

    def fill_(self, dst, value):
        self._elementwise("fill_", dst, [("x", value)], dst.dtype, "x")

    def synchronize(self, device):
        self._device(device).queue.finish()

    def memory_stats(self, device):
        return dict(self._device(device).pool.stats)

    def empty_cache(self, device):
        self._device(device).pool.empty_cache()

    # elementwise --------------------------------------------------------------
    def unary(self, op, x, out):
        ops = _ops()
        # predicates look at x in its own dtype; the others compute in the result's
        if op not in ops.UNARY:
            raise NotImplementedError(f"{op}(): the OpenCL backend has no kernel for it yet (issue #6)")
        compute = x.dtype if op in ops.PREDICATES else out.dtype
        expr = ops.UNARY[op]
        if not compute.is_floating_point:
            expr = ops.INTEGER_PREDICATES.get(op) or ops.INTEGER_UNARY.get(op) or expr
        self._elementwise(op, out, [("x", x)], compute, expr)

    def binary(self, op, a, b, out, compute_dtype):
        ops = _ops()
        if op not in ops.BINARY:
            raise NotImplementedError(f"{op}(): the OpenCL backend has no kernel for it yet (issue #6)")
        expr = ops.BINARY[op]
        if not compute_dtype.is_floating_point:
            expr = ops.INTEGER_BINARY.get(op, expr)
        self._elementwise(op, out, [("a", a), ("b", b)], compute_dtype, expr)

    def where(self, cond, a, b, out):
        self._elementwise("where", out, [("c", cond), ("a", a), ("b", b)], out.dtype, "(c != (T)0 ? a : b)")

    def _elementwise(self, op, out, operands, compute, expr):
        """out = expr over operands ((name, tensor or Python number) pairs), computed in dtype ``compute``."""
        dev = self._device(out.device)
        is_number = [isinstance(v, (int, float, bool)) for _, v in operands]
        tensors = [v for (_, v), number in zip(operands, is_number) if not number]
        for v in tensors:
            if v.device != out.device:
                raise DeviceError(f"{op}: operands on {v.device} and {out.device}")
            self._check_dtype(dev, v.dtype, op)
        self._check_dtype(dev, out.dtype, op)
        self._check_dtype(dev, compute, op)
        n = out.numel()
        if n == 0:
            return
        meta = _layout_meta(out._shape, [out] + tensors)
        source = _render(dev, out.dtype, [(name, None if number else v.dtype)
                                          for (name, v), number in zip(operands, is_number)], compute, expr)
        kernel = dev.kernel(source)
        c_np = np.dtype(_COMPUTE_NP.get(compute.name, compute.np))
        args = [out._storage.data.block]
        args += [c_np.type(v) if number else v._storage.data.block for (_, v), number in zip(operands, is_number)]
        meta_buf = cl.Buffer(dev.context, cl.mem_flags.READ_ONLY | cl.mem_flags.COPY_HOST_PTR, hostbuf=meta)
        args += [meta_buf, np.int64(n)]
        kernel(dev.queue, (n,), None, *args)


_COMPUTE_NP = {"float16": np.float32, "bfloat16": np.float32, "bool": np.uint8}


def _layout_meta(shape, tensors):
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


_TEMPLATE = None


def _render(dev, out_dtype, operands, compute, expr):
    """The OpenCL C source of one elementwise kernel (cached by the device per source)."""
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = string.Template(_kernel_source("elementwise.cl"))
    c_type = _COMPUTE.get(compute.name, _STORAGE[compute.name])
    params = [f"__global {_STORAGE[out_dtype.name]} *p_out"]
    loads = []
    k = 1
    for name, dtype in operands:
        if dtype is None:
            params.append(f"const T {name}")
            continue
        params.append(f"__global const {_STORAGE[dtype.name]} *p_{name}")
        loads.append(f"    const T {name} = (T)({_load(dtype, f'p_{name}', f'rt_offset(i, meta, {k})')});")
        k += 1
    value = f"({expr})"
    store = _store(out_dtype, "p_out", "rt_offset(i, meta, 0)", value)
    fp64 = "float64" in (out_dtype.name, compute.name) or any(d is not None and d.name == "float64"
                                                                for _, d in operands)
    pragmas = "#pragma OPENCL EXTENSION cl_khr_fp64 : enable" if fp64 and dev.fp64 else ""
    return _TEMPLATE.substitute(pragmas=pragmas, compute=c_type, params=", ".join(params), loads="\n".join(loads),
                                store=store)


def _load(dtype, ptr, offset):
    if dtype.name == "float16":
        return f"vload_half({offset}, {ptr})"
    if dtype.name == "bfloat16":
        return f"rt_bf16_load({ptr}[{offset}])"
    if dtype.name == "bool":
        return f"({ptr}[{offset}] != 0)"
    return f"{ptr}[{offset}]"


def _store(dtype, ptr, offset, value):
    if dtype.name == "float16":
        return f"vstore_half_rte((float){value}, {offset}, {ptr})"
    if dtype.name == "bfloat16":
        return f"{ptr}[{offset}] = rt_bf16_store((float){value})"
    if dtype.name == "bool":
        return f"{ptr}[{offset}] = ({value}) != 0"
    return f"{ptr}[{offset}] = ({_STORAGE[dtype.name]}){value}"


BACKEND = OpenCLBackend()
