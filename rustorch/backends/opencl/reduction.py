"""Reductions (sum, prod, max, min, argmax, argmin, all, any) and scans (cumsum, cumprod) on OpenCL, rendered into
gpu/opencl/reduce.cl: one program per (op, input dtype, output dtype), serving both.

A reduction sees x as M lines (its kept dims, merged) of R elements ``rs`` apart (its reduced dims, merged; x is
copied into that layout first where they do not merge). Each line is folded by LY work-items of a work-group of
(LX lines, LY), in ``splits`` parts where M alone would not fill the device; a second pass folds the parts.
"""
import numpy as np

from ... import _dtype
from . import elementwise, runtime
from .runtime import STORAGE

WG = 256  # work-items per work-group (reduce.cl's WG)
SCAN_OPS = {"cumsum": "sum", "cumprod": "prod"}
_INDEXED = ("max", "min", "argmax", "argmin")
_FLOATS = ("float16", "bfloat16", "float32", "float64")
# the identities of max and min in each accumulator type (bool accumulates as uchar 0/1)
_LOWEST = {"float32": "-INFINITY", "float64": "-INFINITY", "bool": "0", "uint8": "0", "int8": "CHAR_MIN",
           "int16": "SHRT_MIN", "int32": "INT_MIN", "int64": "LONG_MIN"}
_HIGHEST = {"float32": "INFINITY", "float64": "INFINITY", "bool": "1", "uint8": "UCHAR_MAX", "int8": "CHAR_MAX",
            "int16": "SHRT_MAX", "int32": "INT_MAX", "int64": "LONG_MAX"}


def _acc_dtype(op, x_dtype, out_dtype):
    """The dtype a reduction accumulates in: 16-bit floats in float32; sums and products in the result's dtype
    (bool's in int64), extremes in the input's, all/any as 0/1 bytes."""
    if op in ("all", "any"):
        return _dtype.uint8
    d = out_dtype if op in ("sum", "prod") else x_dtype
    if d.name in ("float16", "bfloat16"):
        return _dtype.float32
    if d.name == "bool" and op in ("sum", "prod"):
        return _dtype.int64
    return d


def _program(dev, op, x_dtype, out_dtype, with_index=False):
    """(source, accumulator dtype) of ``op`` from ``x_dtype`` into ``out_dtype`` (max and min also writing their
    positions ``with_index``)."""
    acc = _acc_dtype(op, x_dtype, out_dtype)
    load = runtime.load(x_dtype, "x", "(i)")
    if op in ("all", "any"):
        load = f"({load}) != 0"
    defines = [f"#define LOAD_X(i) ((ACC)({load}))",
               f"#define STORE_OUT(i, v) {runtime.store(out_dtype, 'out', '(i)', '(v)')}",
               f"#define HAS_INDEX {int(op in _INDEXED)}"]
    identity = {"sum": "0", "prod": "1", "all": "1", "any": "0"}
    combine = {"sum": "((a) + (b))", "prod": "((a) * (b))", "all": "((a) & (b))", "any": "((a) | (b))"}
    if op in _INDEXED:
        is_max = op in ("max", "argmax")
        identity[op] = (_LOWEST if is_max else _HIGHEST)[acc.name]
        gt = ">" if is_max else "<"
        # NaN wins (x != x is false for integers), then the larger (smaller) value, then the first position
        combine[op] = f"(((b) {gt} (a) || (b) != (b)) ? (b) : (a))"
        defines.append(f"#define BETTER(bv, bk, av, ak) ((av) == (av) ? ((bv) != (bv) || (bv) {gt} (av) || "
                       f"((bv) == (av) && (bk) < (ak))) : ((bv) != (bv) && (bk) < (ak)))")
    defines += [f"#define IDENTITY (({STORAGE[acc.name]}){identity[op]})",
                f"#define COMBINE(a, b) {combine[op]}"]
    if op in ("argmax", "argmin"):
        write = "out[oo] = k"
    elif with_index:
        write = f"{{ {runtime.store(out_dtype, 'out', 'oo', 'v')}; out_idx[io] = k; }}"
    else:
        write = runtime.store(out_dtype, "out", "oo", "v")
    defines.append(f"#define WRITE(oo, io, v, k) {write}")
    source = runtime.source(dev, "reduce.cl", [x_dtype, out_dtype, acc], acc=STORAGE[acc.name],
                            defines="\n".join(defines), x_t=STORAGE[x_dtype.name], out_t=STORAGE[out_dtype.name])
    return source, acc


def _merge(sizes, strides):
    """Adjacent dims merged where every tensor steps through both as one run, size-1 dims dropped: (sizes,
    strides per tensor). ``strides`` holds one list per tensor, of ``sizes``'s length."""
    merged, merged_strides = [], [[] for _ in strides]
    for d, n in enumerate(sizes):
        if n == 1:
            continue
        if merged and all(ms[-1] == st[d] * n for ms, st in zip(merged_strides, strides)):
            merged[-1] *= n
            for ms, st in zip(merged_strides, strides):
                ms[-1] = st[d]
        else:
            merged.append(n)
            for ms, st in zip(merged_strides, strides):
                ms.append(st[d])
    return merged, merged_strides


def _kept_meta(dev, x, others, reduced):
    """(meta, M): reduce.cl's layout of the kept dims (not in ``reduced``) of x and of ``others``, and their
    number of elements."""
    kept = [d for d in range(x.ndim) if d not in reduced]
    sizes, strides = _merge([x._shape[d] for d in kept], [[t._stride[d] for d in kept] for t in [x, *others]])
    meta = np.array([len(sizes), *sizes, *(s for st in strides for s in st)], dtype=np.int64)
    return dev.constant(meta), int(np.prod(sizes, dtype=np.int64))


def _shape(M, R, rs):
    """(LX, LY) for M lines of R elements ``rs`` apart: contiguous lines are read along LY (a whole work-group
    per long line), strided lines along LX (neighbouring lines, neighbours in memory)."""
    if rs == 1:
        ly = min(WG, runtime.pow2(R))
    else:
        ly = min(WG // min(32, runtime.pow2(M)), runtime.pow2(R))
    return min(WG // ly, runtime.pow2(M)), ly


def _target_groups(dev):
    """Work-groups that keep every compute unit busy."""
    return 8 * dev.device.max_compute_units


def reduce(dev, op, x, dims, out, out_index):
    if op not in ("sum", "prod", "all", "any") + _INDEXED:
        raise NotImplementedError(f"{op}(): the OpenCL backend has no reduction {op!r}")
    for t in (x, out):
        dev.check_dtype(t.dtype, op)
    dims = tuple(dims)
    red_sizes, (red_strides,) = _merge([x._shape[d] for d in dims], [[x._stride[d] for d in dims]])
    R = int(np.prod(red_sizes, dtype=np.int64))
    if len(red_sizes) > 1 and R:
        # reduced dims that do not merge: a contiguous copy with the kept dims first and the reduced ones last
        perm = [d for d in range(x.ndim) if d not in dims] + list(dims)
        xp = elementwise.contiguous(dev, runtime.permuted(x, perm))
        rest = tuple(range(x.ndim - len(dims), x.ndim))
        return reduce(dev, op, xp, rest, runtime.permuted(out, perm),
                      None if out_index is None else runtime.permuted(out_index, perm))
    rs = red_strides[0] if red_strides else 1
    idx = out if out_index is None else out_index  # out stands in where there is no index (never written)
    meta, M = _kept_meta(dev, x, (out, idx), dims)
    if M == 0:
        return
    source, acc = _program(dev, op, x.dtype, out.dtype, out_index is not None)
    lx, ly = _shape(M, R, rs)
    groups = -(-M // lx)
    splits = max(1, min(-(-_target_groups(dev) // groups), R // (ly * 32)))
    span = -(-R // splits)
    xb, ob, ib = x._storage.data.block, out._storage.data.block, idx._storage.data.block
    offsets = (np.int64(x._offset), np.int64(out._offset), np.int64(idx._offset))
    pv, pk = ob, ib  # the partials, where there are several splits
    if splits > 1:
        part_v = runtime.scratch(out, (M, splits), acc)
        part_k = runtime.scratch(out, (M, splits), _dtype.int64)
        pv, pk = part_v._storage.data.block, part_k._storage.data.block
    lanes_first = rs == 1
    dev.kernel(source, "rt_reduce")(dev.queue, *_grid(lx, ly, groups, splits, lanes_first), xb, ob, ib, pv, pk,
                                    meta, *offsets, np.int64(M), np.int64(R), np.int64(rs), np.int64(span),
                                    np.int32(splits), np.int32(lanes_first))
    if splits > 1:
        lx, ly = _shape(M, splits, 1)
        dev.kernel(source, "rt_reduce_partials")(dev.queue, *_grid(lx, ly, -(-M // lx), 1, True), pv, pk, ob, ib,
                                                 meta, *offsets[1:], np.int64(M), np.int64(splits))


def _grid(lx, ly, groups, splits, lanes_first):
    """(global, local) sizes of a reduction's work-groups of lx lines by ly lanes (reduce.cl's RT_GROUP)."""
    if lanes_first:
        return (ly * splits, groups * lx), (ly, lx)
    return (groups * lx, ly * splits), (lx, ly)


def scan(dev, op, x, dim, out):
    if op not in SCAN_OPS:
        raise NotImplementedError(f"{op}(): the OpenCL backend has no scan {op!r}")
    for t in (x, out):
        dev.check_dtype(t.dtype, op)
    n = x._shape[dim]
    meta, M = _kept_meta(dev, x, (out,), (dim,))
    if M == 0 or n == 0:
        return
    source, acc = _program(dev, SCAN_OPS[op], x.dtype, out.dtype)
    xb, ob = x._storage.data.block, out._storage.data.block
    offsets = (np.int64(x._offset), np.int64(out._offset))
    rsx, rso = np.int64(x._stride[dim]), np.int64(out._stride[dim])
    if n <= 16 or (x._stride[dim] != 1 and M >= 4096):
        # many lines, or short ones: a work-item per line
        dev.kernel(source, "rt_scan_serial")(dev.queue, (runtime.round_up(M, WG),), (WG,), xb, ob, meta, *offsets,
                                             np.int64(M), np.int64(n), rsx, rso)
        return
    # long lines: a work-group per line, and per chunk of it where the lines alone would not fill the device:
    # the chunks' totals (rt_reduce) become their carry-ins (rt_scan_carry) before the chunks scan
    chunks = max(1, min(-(-_target_groups(dev) // M), n // (WG * 8)))
    span = -(-n // chunks)
    carry = ob
    if chunks > 1:
        part_v = runtime.scratch(out, (M, chunks), acc)
        part_k = runtime.scratch(out, (M, chunks), _dtype.int64)  # rt_reduce's positions, unused here
        carry = part_v._storage.data.block
        dev.kernel(source, "rt_reduce")(dev.queue, *_grid(1, WG, M, chunks, True), xb, ob, ob, carry,
                                        part_k._storage.data.block, meta, offsets[0], offsets[1], offsets[1],
                                        np.int64(M), np.int64(n), rsx, np.int64(span), np.int32(chunks), np.int32(1))
        dev.kernel(source, "rt_scan_carry")(dev.queue, (runtime.round_up(M, WG),), (WG,), carry, np.int64(M),
                                            np.int64(chunks))
    dev.kernel(source, "rt_scan_block")(dev.queue, (M * WG, chunks), (WG, 1), xb, ob, carry, meta, *offsets,
                                        np.int64(n), rsx, rso, np.int64(span), np.int64(chunks))
