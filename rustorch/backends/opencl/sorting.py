"""Sorting: a stable sort along any dim by gpu/opencl/sort.cl (bitonic networks in local memory for rows that fit
a work-group, then global merges for longer rows), NaN as the largest value as on the CPU."""
import numpy as np

from ... import _dtype
from ...errors import ShapeError
from ...tensor import view_of
from . import elementwise, runtime

_SORT_MAX = 2048   # RT_SORT_MAX of sort.cl: the pairs one work-group sorts in local memory
_LOCAL = 256
_BITS = {1: "uchar", 2: "ushort", 4: "uint", 8: "ulong"}  # C type of an element's bits by its size

# dtype -> (key kind, key C type, float type of the key transform, its bits as the key)
_KEYS = {
    "bool": ("RT_UNSIGNED", "uint", "float", ""), "uint8": ("RT_UNSIGNED", "uint", "float", ""),
    "int8": ("RT_SIGNED", "uint", "float", ""), "int16": ("RT_SIGNED", "uint", "float", ""),
    "int32": ("RT_SIGNED", "uint", "float", ""), "int64": ("RT_SIGNED", "ulong", "float", ""),
    "float16": ("RT_FLOAT", "uint", "float", "as_uint"), "bfloat16": ("RT_FLOAT", "uint", "float", "as_uint"),
    "float32": ("RT_FLOAT", "uint", "float", "as_uint"), "float64": ("RT_FLOAT", "ulong", "double", "as_ulong"),
}


def sort(dev, x, dim, descending, stable, values, indices):
    """Always stable (``stable`` only allows it); descending keeps equal values in their order, NaN first."""
    dev.check_dtype(x.dtype, "sort")
    if x.numel() == 0:
        return
    if x.ndim == 0:
        x, values, indices = (view_of(t, (1,), (1,), t._offset) for t in (x, values, indices))
    n = x._shape[dim]
    if n > 2 ** 31 - 1 - _SORT_MAX:  # positions are int in the kernels (padding runs past n)
        raise ShapeError(f"sort(): OpenCL sorts rows of up to {2 ** 31 - 1 - _SORT_MAX} elements, got {n}")
    rows = x.numel() // n
    # the kernels sort contiguous rows: the dim moves last (a copy unless it already is)
    xs = elementwise.contiguous(dev, _dim_last(x, dim))
    v_dst, i_dst = _dim_last(values, dim), _dim_last(indices, dim)
    v_out = v_dst if v_dst.is_contiguous() else runtime.scratch(x, v_dst._shape, values.dtype)
    i_out = i_dst if i_dst.is_contiguous() else runtime.scratch(x, i_dst._shape, _dtype.int64)

    kind, key, float_type, as_key = _KEYS[x.dtype.name]
    source = runtime.source(dev, "sort.cl", [x.dtype], storage=runtime.STORAGE[x.dtype.name],
                            bits=_BITS[x.dtype.itemsize], key=key, float=float_type, as_key=as_key, kind=kind,
                            load=runtime.load(x.dtype, "x", "i"))
    key_np = np.uint64 if key == "ulong" else np.uint32
    flip = key_np(np.iinfo(key_np).max if descending else 0)  # a complemented key sorts descending
    x_buf, v_buf, i_buf = xs._storage.data.block, v_out._storage.data.block, i_out._storage.data.block
    x0, v0, i0 = np.int64(xs._offset), np.int64(v_out._offset), np.int64(i_out._offset)
    if n <= _SORT_MAX:
        log2p = max(1, (n - 1).bit_length())
        per_group = min(_SORT_MAX >> log2p, rows)  # short rows share a work-group
        total = per_group << log2p
        local = min(_LOCAL, total // 2)
        groups = -(-rows // per_group)
        dev.kernel(source, "rt_sort_rows")(dev.queue, (groups * local,), (local,), x_buf, x0, v_buf, v0, i_buf, i0,
                                           np.int32(n), np.int64(rows), np.int32(log2p), np.int32(total), flip)
    else:
        key_dtype = _dtype.int64 if key == "ulong" else _dtype.int32  # the keys' bits, never read as numbers
        keys = [runtime.scratch(x, (rows, n), key_dtype) for _ in range(2)]
        poss = [runtime.scratch(x, (rows, n), _dtype.int32) for _ in range(2)]
        chunks = -(-n // _SORT_MAX)
        dev.kernel(source, "rt_sort_chunks")(dev.queue, (rows * chunks * _LOCAL,), (_LOCAL,), x_buf, x0,
                                             keys[0]._storage.data.block, poss[0]._storage.data.block, np.int32(n),
                                             np.int64(chunks), flip)
        tiles = -(-n // _LOCAL)
        merge = dev.kernel(source, "rt_sort_merge")
        width = _SORT_MAX
        while width < n:
            merge(dev.queue, (rows * tiles * _LOCAL,), (_LOCAL,), keys[0]._storage.data.block,
                  poss[0]._storage.data.block, keys[1]._storage.data.block, poss[1]._storage.data.block,
                  np.int32(n), np.int64(tiles), np.int64(width))
            keys.reverse()
            poss.reverse()
            width *= 2
        dev.kernel(source, "rt_sort_finish")(dev.queue, (rows * tiles * _LOCAL,), (_LOCAL,), x_buf, x0,
                                             poss[0]._storage.data.block, v_buf, v0, i_buf, i0, np.int32(n),
                                             np.int64(tiles))
    if v_out is not v_dst:
        elementwise.copy(dev, v_dst, v_out)
    if i_out is not i_dst:
        elementwise.copy(dev, i_dst, i_out)


def _dim_last(t, dim):
    """A view of ``t`` with dim ``dim`` moved last."""
    return runtime.permuted(t, [d for d in range(t.ndim) if d != dim] + [dim])
