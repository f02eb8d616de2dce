"""The OpenCL runtime under the backend: devices, contexts and queues, the memory pool, program builds, and
what every kernel family shares (C types of the dtypes, loads and stores of 16-bit floats, layout metadata,
scratch tensors).

float16 and bfloat16 are stored as 16-bit words and computed in float32 (vload_half/vstore_half are core
OpenCL), so they work without cl_khr_fp16; float64 needs cl_khr_fp64.
"""
import functools
import string
import sys
from importlib import resources

import numpy as np

from ...errors import DTypeError, OutOfMemoryError

try:
    import pyopencl as cl
except ImportError as _e:  # the backend reports it through availability()
    cl = None
    IMPORT_ERROR = f"PyOpenCL is not installed ({_e}); pip install 'rustorch[opencl]'"
else:
    IMPORT_ERROR = None

# the C type each dtype is stored as in a kernel
STORAGE = {
    "bool": "uchar", "uint8": "uchar", "int8": "char", "int16": "short", "int32": "int", "int64": "long",
    "float16": "half", "bfloat16": "ushort", "float32": "float", "float64": "double",
}


@functools.lru_cache(maxsize=None)
def kernel_source(name):
    """The text of gpu/opencl/``name`` (installed as rustorch.kernels.opencl)."""
    return resources.files("rustorch.kernels.opencl").joinpath(name).read_text()


@functools.lru_cache(maxsize=None)
def platform_devices():
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
        pairs = platform_devices()
    except cl.Error:
        return []
    return [{
        "index": i, "name": d.name.strip(), "platform": p.name.strip(), "type": cl.device_type.to_string(d.type),
        "compute_units": d.max_compute_units, "global_mem_bytes": d.global_mem_size,
        "fp64": "cl_khr_fp64" in d.extensions, "fp16": "cl_khr_fp16" in d.extensions,
    } for i, (p, d) in enumerate(pairs)]


class Buffer:
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
        return Buffer(self.block, self.nbytes, dtype, self.pool)

    def __del__(self, _finalizing=sys.is_finalizing):
        # at interpreter exit the pool (and this module's globals, sys among them) may already be gone; the driver
        # frees everything then anyway
        if not _finalizing():
            self.pool.release(self.block)


class Pool:
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
        return Buffer(block, nbytes, dtype, self)

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


# metadata buffers a device keeps for reuse (Device.constant)
CONSTANTS_KEPT = 4096


class Device:
    """One OpenCL device in use: its context, in-order queue, memory pool and built kernels."""

    def __init__(self, index, device):
        self.index = index
        self.device = device
        self.context = cl.Context([device])
        self.queue = cl.CommandQueue(self.context)
        self.pool = Pool(self.context)
        self.fp64 = "cl_khr_fp64" in device.extensions
        self.programs = {}
        self.kernels = {}
        self.sources = {}  # (family file, fp64, placeholders) -> rendered source
        self.constants = {}  # metadata bytes -> its read-only buffer, least recently used first

    def program(self, source):
        """The built program of OpenCL C ``source`` (built once per device and process; PyOpenCL's disk cache
        keeps the binary between processes). float32 division and sqrt are correctly rounded, as on the CPU:
        NVIDIA's OpenCL otherwise allows them 2.5 and 3 ulp."""
        p = self.programs.get(source)
        if p is None:
            p = self.programs[source] = cl.Program(self.context, source).build(
                options=["-cl-fp32-correctly-rounded-divide-sqrt"])
        return p

    def kernel(self, source, name):
        """Kernel ``name`` of ``source``'s program (one cl.Kernel per pair: retrieving one costs a driver call)."""
        k = self.kernels.get((source, name))
        if k is None:
            k = self.kernels[source, name] = cl.Kernel(self.program(source), name)
        return k

    def constant(self, array):
        """A read-only device copy of the NumPy ``array`` (kernel metadata: shapes, strides, offsets), kept for
        the next launch with the same metadata: releasing a buffer a queued kernel reads makes NVIDIA's driver
        wait for that kernel, which would turn every launch into a synchronous one."""
        key = (array.dtype.char, array.tobytes())
        buf = self.constants.pop(key, None)
        if buf is None:
            buf = cl.Buffer(self.context, cl.mem_flags.READ_ONLY | cl.mem_flags.COPY_HOST_PTR, hostbuf=array)
            if len(self.constants) >= CONSTANTS_KEPT:
                del self.constants[next(iter(self.constants))]  # the least recently used
        self.constants[key] = buf
        return buf

    def check_dtype(self, dtype, op):
        """DTypeError naming ``op`` unless this device stores and computes ``dtype``."""
        if dtype.name not in STORAGE:
            raise DTypeError(f"{op}: dtype {dtype} is not supported on OpenCL")
        if dtype.name == "float64" and not self.fp64:
            raise DTypeError(f"{op}: float64 needs cl_khr_fp64, which OpenCL device {self.index} "
                             f"({self.device.name.strip()}) does not have")


@functools.lru_cache(maxsize=None)
def compiler_problem(device):
    """None when ``device`` builds a kernel, else why not (PoCL's LLVM fails on CPUs it does not know, saying
    "unknown target CPU 'generic'")."""
    try:
        cl.Program(cl.Context([device]), "__kernel void rt_probe(__global int *x) { x[0] = 1; }").build()
    except cl.Error as e:
        log = next((line.strip() for line in str(e).splitlines() if "error" in line.lower() and line.strip()),
                   str(e).splitlines()[0])
        return f"OpenCL device {device.name.strip()!r} cannot build kernels: {log}"
    return None


# the work-group size of one-dimensional launches
GROUP = 256


def round_up(n, group=GROUP):
    """``n`` work-items rounded up to whole work-groups (OpenCL 1.2 needs it; kernels return early past their
    end)."""
    return -(-n // group) * group


def pow2(n):
    """The smallest power of two >= n (1 for n <= 1)."""
    return 1 << max(int(n) - 1, 0).bit_length()


def arg(t):
    """A tensor's buffer and element offset, as kernel arguments."""
    return t._storage.data.block, np.int64(t._offset)


def permuted(t, order):
    """A view of ``t`` with its dims in ``order``."""
    from ...tensor import view_of

    return view_of(t, [t._shape[d] for d in order], [t._stride[d] for d in order], t._offset)


# the compute type of a dtype in a kernel (16-bit floats compute in float), and NumPy's type for a scalar argument
# of that compute type
COMPUTE = {"float16": "float", "bfloat16": "float"}
COMPUTE_NP = {"float16": np.float32, "bfloat16": np.float32, "bool": np.uint8}


def c_type(dtype):
    """The OpenCL C type ``dtype`` is computed in."""
    return COMPUTE.get(dtype.name, STORAGE[dtype.name])


def load(dtype, ptr, offset):
    """An OpenCL C expression reading element ``offset`` of ``ptr`` (storage of ``dtype``) as its compute type."""
    if dtype.name == "float16":
        return f"vload_half({offset}, {ptr})"
    if dtype.name == "bfloat16":
        return f"rt_bf16_load({ptr}[{offset}])"
    if dtype.name == "bool":
        return f"({ptr}[{offset}] != 0)"
    return f"{ptr}[{offset}]"


def store(dtype, ptr, offset, value):
    """An OpenCL C statement writing ``value`` into element ``offset`` of ``ptr`` (storage of ``dtype``)."""
    if dtype.name == "float16":
        return f"vstore_half_rte((float){value}, {offset}, {ptr})"
    if dtype.name == "bfloat16":
        return f"{ptr}[{offset}] = rt_bf16_store((float){value})"
    if dtype.name == "bool":
        return f"{ptr}[{offset}] = ({value}) != 0"
    return f"{ptr}[{offset}] = ({STORAGE[dtype.name]}){value}"


@functools.lru_cache(maxsize=None)
def _template(name):
    return string.Template(kernel_source(name))


def source(dev, name, dtypes, **fill):
    """The OpenCL C source of family file ``name`` with its ``$placeholders`` filled from ``fill``, after
    common.cl and, where one of ``dtypes`` is float64 (None in ``dtypes`` is skipped), the pragma enabling
    cl_khr_fp64 and ``#define RT_FP64``."""
    fp64 = dev.fp64 and any(d is not None and d.name == "float64" for d in dtypes)
    key = (name, fp64, tuple(sorted(fill.items())))
    text = dev.sources.get(key)  # rendered once: a launch looks its program up by this text
    if text is None:
        pragma = "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n#define RT_FP64 1\n" if fp64 else ""
        text = dev.sources[key] = pragma + kernel_source("common.cl") + "\n" + _template(name).substitute(fill)
    return text


def scratch(like, shape, dtype):
    """A new contiguous tensor of ``shape`` and ``dtype`` on ``like``'s device (uninitialised): a temporary of a
    primitive, or its result buffer."""
    from ...tensor import Storage, _make, contiguous_strides, numel_of

    backend = like._storage.backend
    shape = tuple(shape)
    data = backend.empty(numel_of(shape), dtype, like.device)
    return _make(Storage(data, like.device, backend), shape, contiguous_strides(shape), 0, dtype)
