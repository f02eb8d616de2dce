"""Indexing kernels (gpu/opencl/index.cl): x[index] and x[index] = v (index_get, index_put_), gather, scatter_, and
nonzero.

The first four are one kernel, rt_index, over the indexed shape S: index_get and gather read the source at the
positions the index tensors give (the destination being the contiguous result), index_put_ and scatter_ write the
destination there. The operands are laid out over S as elementwise.layout_meta lays out an elementwise op's: a dim
of x that an index tensor replaces has stride 0 in x's view, and each index tensor is broadcast over S. Repeated
positions of an accumulating write combine through compare-and-swap loops (see index.cl). A position out of range
sets a flag in a small buffer that the host reads after the kernel (IndexOutOfRangeError, as on the CPU).

nonzero is a stream compaction: per-tile counts, their prefix sum, then each tile writes its hits' coordinates.
A boolean mask in an index becomes its nonzero() positions, one index tensor per dim it covers (NumPy's rule).
"""
import numpy as np

from ... import _dtype
from ...errors import DTypeError, IndexOutOfRangeError
from ...tensor import view_of
from . import elementwise, runtime
from .runtime import COMPUTE_NP, GROUP, STORAGE

ITEMS = 4  # nonzero: a work-group's tile is ITEMS rounds of GROUP consecutive elements

# an accumulating write's element as bits (in a uint or ulong word) and back: (bits, from_bits, to_bits)
_BITS = {
    "bool": (8, "((b) != 0)", "((uint)((x) != 0))"),
    "uint8": (8, "((uchar)(b))", "((uint)(uchar)(x))"),
    "int8": (8, "((char)(b))", "((uint)(uchar)(char)(x))"),
    "int16": (16, "((short)(b))", "((uint)(ushort)(short)(x))"),
    "int32": (32, "as_int(b)", "as_uint((int)(x))"),
    "int64": (64, "as_long(b)", "as_ulong((long)(x))"),
    "float16": (16, "rt_half_from_bits(b)", "rt_half_to_bits(x)"),
    "bfloat16": (16, "rt_bf16_load((ushort)(b))", "((uint)rt_bf16_store(x))"),
    "float32": (32, "as_float(b)", "as_uint((float)(x))"),
    "float64": (64, "as_double(b)", "as_ulong((double)(x))"),
}

# RT_COMBINE(a, b) of each reduction (a the element, b the value written); max and min propagate NaN, as torch's
_COMBINE = {
    "add": "((a) + (b))",
    "multiply": "((a) * (b))",
    "amax": "(((a) > (b) || isnan(a)) ? (a) : (b))",
    "amin": "(((a) < (b) || isnan(a)) ? (a) : (b))",
}
_INTEGER_COMBINE = {"amax": "((a) > (b) ? (a) : (b))", "amin": "((a) < (b) ? (a) : (b))"}


def index_get(dev, x, index):
    """x[index] for an index of full slices and integer or boolean tensors: (the result's buffer, its shape)."""
    shape, strides, indices, axes = _advanced(dev, x, index)
    out = runtime.scratch(x, shape, x.dtype)
    _index(dev, "index", shape, out, view_of(x, shape, strides, x._offset), indices, axes, read=True, wrap=True)
    return out._storage.data, shape


def index_put_(dev, x, index, value, accumulate):
    """x[index] = value (a tensor broadcast to the indexed shape, or a number), or += when ``accumulate``."""
    shape, strides, indices, axes = _advanced(dev, x, index)
    _index(dev, "index_put_", shape, view_of(x, shape, strides, x._offset), value, indices, axes, read=False,
           wrap=True, reduce="add" if accumulate else None)


def gather(dev, x, dim, index, out):
    """out[i][j] = x[index[i][j]][j] (dim 0; likewise along any ``dim``)."""
    _index(dev, "gather", index._shape, out, _along(x, dim, index), [index], [_axis(x, dim)], read=True,
           wrap=False)


def scatter_(dev, x, dim, index, src, reduce):
    """x[index[i][j]][j] = src[i][j] (dim 0), or combined by ``reduce``; ``src`` a tensor or a number."""
    _index(dev, "scatter_", index._shape, _along(x, dim, index), src, [index], [_axis(x, dim)], read=False,
           wrap=False, reduce=reduce)


def nonzero(dev, x):
    """The (n, x.ndim) int64 positions of x's non-zero elements, in row-major order: (buffer, shape)."""
    positions = _positions(dev, x)
    return positions._storage.data, positions._shape


def _axis(x, dim):
    """(dim, size, stride) of x's ``dim``: where an index tensor's positions go."""
    return dim, x._shape[dim], x._stride[dim]


def _along(x, dim, index):
    """x viewed over index's shape with stride 0 along ``dim`` (the positions there come from the index)."""
    strides = list(x._stride)
    strides[dim] = 0
    return view_of(x, index._shape, strides, x._offset)


def _advanced(dev, x, index):
    """The indexed shape S of x[index] (NumPy's rule: the index tensors' broadcast shape where they stand when
    they are adjacent, else first), x's strides over S (0 on the broadcast dims), the index tensors viewed over
    S, and the axis each indexes."""
    items = []  # (dim of x, integer tensor)
    d = 0
    for i in index:
        if isinstance(i, slice):
            d += 1
        elif i.dtype is _dtype.bool_:
            if i.ndim == 0:
                # a 0-d mask (masked_select of 0-d tensors) selects along a new dim of size 1, as a 1-element mask
                x = view_of(x, x._shape[:d] + (1,) + x._shape[d:], x._stride[:d] + (0,) + x._stride[d:], x._offset)
                i = view_of(i, (1,), (0,), i._offset)
            positions = _positions(dev, i)
            count, k = positions._shape
            items.extend((d + j, view_of(positions, (count,), (k,), j)) for j in range(k))
            d += i.ndim
        else:
            items.append((d, i))
            d += 1
    dims = [k for k, _ in items]
    broadcast = tuple(np.broadcast_shapes(*(t._shape for _, t in items)))
    kept = [k for k in range(x.ndim) if k not in dims]
    first = dims[0] if dims == list(range(dims[0], dims[0] + len(dims))) else 0  # where the broadcast dims go in S
    shape = tuple(x._shape[k] for k in kept[:first]) + broadcast + tuple(x._shape[k] for k in kept[first:])
    strides = [x._stride[k] for k in kept[:first]] + [0] * len(broadcast) + [x._stride[k] for k in kept[first:]]
    after = len(shape) - first - len(broadcast)
    indices = []
    for _, t in items:
        own = [st if size != 1 else 0 for st, size in zip(t._stride, t._shape)]
        indices.append(view_of(t, shape, [0] * (first + len(broadcast) - t.ndim) + own + [0] * after, t._offset))
    return shape, strides, indices, [_axis(x, k) for k in dims]


def _index(dev, op, shape, dst, src, indices, axes, read, wrap, reduce=None):
    """Run rt_index over ``shape`` (S): dst and src (a tensor or a number) laid out over S, the index tensors
    broadcastable to S, ``axes`` the (dim, size, stride) of x each indexes. ``read``: the positions move the
    source (x[index], gather), else the destination (x[index] = v, scatter); ``wrap``: negative positions count
    from the end; ``reduce``: how a write combines with the element (None: it replaces it)."""
    number = isinstance(src, (bool, int, float))
    for t in [dst] + indices + ([] if number else [src]):
        dev.check_dtype(t.dtype, op)
    n = int(np.prod(shape, dtype=np.int64))
    if n == 0:
        return
    operands = [dst] + ([] if number else [src]) + indices
    source = _index_source(dev, op, dst.dtype, None if number else src.dtype, [t.dtype for t in indices], n,
                           read, wrap, reduce)
    err = dev.pool.allocate(3 * 8, np.int64)
    runtime.cl.enqueue_fill_buffer(dev.queue, err.block, np.int64(0), 0, 3 * 8)
    scalar = np.dtype(COMPUTE_NP.get(dst.dtype.name, dst.dtype.np)).type
    args = [dst._storage.data.block, scalar(src) if number else src._storage.data.block]
    args += [t._storage.data.block for t in indices]
    args += [dev.constant(elementwise.layout_meta(shape, operands)), dev.constant(np.array(axes, np.int64).ravel()),
             err.block, np.int64(n)]
    dev.kernel(source, "rt_index")(dev.queue, (runtime.round_up(n),), (GROUP,), *args)
    flag = np.empty(3, np.int64)
    runtime.cl.enqueue_copy(dev.queue, flag, err.block)
    if flag[0]:
        size = next(size for dim, size, _ in axes if dim == flag[2])
        raise IndexOutOfRangeError(f"{op}: index {flag[1]} is out of bounds for dimension {flag[2]} with size {size}")


def _index_source(dev, op, dtype, src_dtype, index_dtypes, n, read, wrap, reduce):
    """The source of rt_index for a destination of ``dtype``, a source of ``src_dtype`` (None: a number), index
    tensors of ``index_dtypes`` and ``n`` elements of S (see _index)."""
    first = 1 if src_dtype is None else 2  # operand of the first index tensor
    defines = [f"typedef {runtime.c_type(dtype)} T;", f"#define DST_STORAGE {STORAGE[dtype.name]}",
               f"#define NOPS {first + len(index_dtypes)}", f"#define RT_FLAT {'uint' if n < 2**32 else 'ulong'}",
               f"#define RT_WRAP {int(wrap)}"]
    if reduce is not None:
        bits, from_bits, to_bits = _BITS[dtype.name]
        if bits == 64:
            if "cl_khr_int64_base_atomics" not in dev.device.extensions:
                raise DTypeError(f"{op}: combining {dtype} values needs cl_khr_int64_base_atomics, which OpenCL "
                                 f"device {dev.index} ({dev.device.name.strip()}) does not have")
            defines.append("#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable")
        combine = _COMBINE[reduce] if dtype.is_floating_point else _INTEGER_COMBINE.get(reduce, _COMBINE[reduce])
        defines += ["#define RT_UPDATE", f"#define RT_BITS {bits}", f"#define RT_FROM_BITS(b) {from_bits}",
                    f"#define RT_TO_BITS(x) {to_bits}", f"#define RT_COMBINE(a, b) {combine}"]
    params = ["const T src" if src_dtype is None else f"__global const {STORAGE[src_dtype.name]} *p_src"]
    params += [f"__global const {STORAGE[d.name]} *p_i{k}" for k, d in enumerate(index_dtypes)]
    positions = "\n".join(f"    if (!rt_position((long)p_i{k}[off[{first + k}]], axes + {3 * k}, err, &pos))\n"
                          f"        return;" for k in range(len(index_dtypes)))
    load = "src" if src_dtype is None else runtime.load(src_dtype, "p_src", "off[1] + pos" if read else "off[1]")
    target = "off[0]" if read else "off[0] + pos"
    store = runtime.store(dtype, "p_dst", target, "v") if reduce is None else f"rt_update(p_dst, {target}, v)"
    return runtime.source(dev, "index.cl", [dtype, src_dtype], defines="\n".join(defines), params=", ".join(params),
                          positions=positions, load=f"(T)({load})", store=store)


def _positions(dev, x):
    """nonzero(x) as a new (n, x.ndim) int64 tensor."""
    dev.check_dtype(x.dtype, "nonzero")
    x = elementwise.contiguous(dev, x)
    n = x.numel()
    if n == 0:
        return runtime.scratch(x, (0, x.ndim), _dtype.int64)
    groups = -(-n // (GROUP * ITEMS))
    counts = runtime.scratch(x, (groups + 1,), _dtype.int64)  # each tile's count, then its first row; the total
    source = _nonzero_source(dev, x.dtype)
    data, offset = x._storage.data.block, np.int64(x._offset)
    dev.kernel(source, "rt_nonzero_count")(dev.queue, (groups * GROUP,), (GROUP,), data, offset, np.int64(n),
                                           counts._storage.data.block)
    dev.kernel(source, "rt_nonzero_scan")(dev.queue, (GROUP,), (GROUP,), counts._storage.data.block,
                                          np.int64(groups))
    total = np.empty(1, np.int64)
    runtime.cl.enqueue_copy(dev.queue, total, counts._storage.data.block, src_offset=groups * 8)
    out = runtime.scratch(x, (int(total[0]), x.ndim), _dtype.int64)
    if total[0]:
        dev.kernel(source, "rt_nonzero_write")(dev.queue, (groups * GROUP,), (GROUP,), data, offset, np.int64(n),
                                               counts._storage.data.block, out._storage.data.block,
                                               dev.constant(np.array(x._shape, np.int64)), np.int32(x.ndim))
    return out


def _nonzero_source(dev, dtype):
    """The source of the nonzero kernels for x of ``dtype``."""
    defines = ["#define RT_NONZERO", f"#define RT_GROUP {GROUP}", f"#define RT_ITEMS {ITEMS}",
               f"#define X_STORAGE {STORAGE[dtype.name]}",
               f"#define RT_NONZERO_TEST(p, i) ({runtime.load(dtype, 'p', 'i')} != 0)"]
    return runtime.source(dev, "index.cl", [dtype], defines="\n".join(defines), params="", positions="", load="",
                          store="")
