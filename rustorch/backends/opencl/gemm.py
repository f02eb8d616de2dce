"""Matrix products: the batched, strided GEMM of gpu/opencl/gemm.cl (tiled in local memory, register-blocked),
its tile sizes tuned once per (device, dtype), and einsum reduced to that GEMM.

The GEMM reads its operands through their strides (a transposed or sliced matrix, a broadcast batch) without
copying them. Its tile configuration is (BM, BN, BK, WM, WN): a work-group computes a BM x BN tile of the
result, staging BK-slices of the operands, each work-item WM x WN outputs. On first use per device and
floating dtype, a few configurations are timed on a representative product and the fastest is kept in
~/.cache/rustorch/opencl_gemm.json (keyed by platform, device and driver version);
RUSTORCH_OPENCL_GEMM_TUNE=0 uses the first candidate instead.
"""
import json
import os
import time
from types import SimpleNamespace

import numpy as np

from ... import _dtype
from ...tensor import contiguous_strides, numel_of, view_of
from . import elementwise, runtime
from .runtime import STORAGE

# candidate configurations (BM, BN, BK, WM, WN), the default first: 128 x 128 tiles of 8 x 8 per work-item
# (256 work-items) are what reaches a large share of a big GPU's float32 peak; the smaller ones win on
# devices with fewer registers or local memory (and for float64, whose registers are twice as wide)
CANDIDATES = {
    "float": [(128, 128, 8, 8, 8), (128, 128, 16, 8, 8), (128, 64, 16, 8, 4), (64, 64, 16, 4, 4), (64, 64, 8, 8, 8)],
    "double": [(64, 64, 8, 4, 4), (64, 64, 16, 4, 4), (128, 128, 8, 8, 8), (128, 64, 8, 8, 4)],
}
# integer products (exact in any configuration) are not tuned
INTEGER_CONFIG = (64, 64, 8, 4, 4)
# products too small to give every compute unit a large tile take small tiles (more work-groups)
SMALL_CONFIG = (32, 32, 16, 4, 4)
# the accumulator of each dtype: 16-bit floats accumulate in float; integers in unsigned types, whose
# wrap-around is defined and gives torch's (two's complement) result once truncated to the dtype
ACCUMULATOR = {"float16": "float", "bfloat16": "float", "float32": "float", "float64": "double", "int64": "ulong",
               "uint8": "uint", "int8": "uint", "int16": "uint", "int32": "uint"}
HALVES = ("float16", "bfloat16")
CACHE_FILE = os.path.join(os.path.expanduser("~"), ".cache", "rustorch", "opencl_gemm.json")
_chosen = {}  # (device index, dtype name) -> configuration, for this process


def matmul(dev, a, b, out):
    """out (..., M, N) = a (..., M, K) @ b (..., K, N), batch dims broadcast (a stride of 0). ``out`` may be of
    another dtype than a and b (einsum's float32 partial sums rounded into float16)."""
    for t in (a, b, out):
        dev.check_dtype(t.dtype, "matmul")
    if out.numel() == 0:
        return
    m, k = a._shape[-2:]
    n = b._shape[-1]
    batch = out._shape[:-2]
    a_bs, b_bs, c_bs = (_batch_strides(t, batch) for t in (a, b, out))
    a_rs, a_cs = a._stride[-2:]
    b_rs, b_cs = b._stride[-2:]
    c_rs, c_cs = out._stride[-2:]
    # one matrix b for every batch entry: where a's and out's rows step evenly through the batch, the batch
    # is M (as the CPU backend stacks the rows): one large product instead of many small ones
    if batch and not any(b_bs):
        a_rows = _merged_stride(batch + (m,), a_bs + [a_rs])
        c_rows = _merged_stride(batch + (m,), c_bs + [c_rs])
        if a_rows is not None and c_rows is not None:
            m, batch, a_rs, c_rs = numel_of(batch) * m, (), a_rows, c_rows
            a_bs = b_bs = c_bs = []
    cfg = _config(dev, a, numel_of(batch), m, n)
    tiles = numel_of(batch) * -(-m // cfg[0]) * -(-n // cfg[1])
    splits, k_len = _splits(dev, tiles, k, cfg[2])
    c, c_split = out, 0
    if splits > 1:
        # each K-range sums into its own slice of a (splits, batch, m, n) buffer, in float32 for 16-bit floats;
        # the slices are then summed by a product with a ones row
        c = runtime.scratch(out, (splits,) + batch + (m, n), _dtype.float32 if a.dtype.name in HALVES else out.dtype)
        c_bs, (c_split, *_) = list(c._stride[1:-2]), c._stride
        c_rs, c_cs = n, 1
    meta = elementwise.layout_meta(batch, [SimpleNamespace(_shape=batch, _stride=s, ndim=len(batch), _offset=t._offset)
                                           for t, s in ((c, c_bs), (a, a_bs), (b, b_bs))])
    threads = (cfg[0] // cfg[3]) * (cfg[1] // cfg[4])
    # walk each operand along the dim of its smaller stride (a dim of size 1 has no stride that matters)
    a_kfast = m == 1 or (k != 1 and a_cs <= a_rs)
    b_kfast = n == 1 or (k != 1 and b_rs <= b_cs)
    kernel = dev.kernel(_source(dev, a.dtype, c.dtype, cfg, a_kfast, b_kfast), "rt_gemm")
    kernel(dev.queue, (tiles * splits * threads,), (threads,), c._storage.data.block, a._storage.data.block,
           b._storage.data.block, dev.constant(meta),
           *(np.int64(v) for v in (m, n, k, k_len, splits, c_split, -(-n // cfg[1]), -(-m // cfg[0]),
                                   a_rs, a_cs, b_rs, b_cs, c_rs, c_cs)))
    if splits > 1:
        partial = view_of(c, (splits, c.numel() // splits), (c_split, 1), 0)
        one = runtime.scratch(c, (), c.dtype)
        elementwise.elementwise(dev, "fill_", one, [("x", 1)], c.dtype, "x")
        total = out if out.is_contiguous() else runtime.scratch(out, out._shape, out.dtype)
        matmul(dev, view_of(one, (1, splits), (0, 0), 0), partial,
               view_of(total, (1, total.numel()), (0, 1), total._offset))
        if total is not out:
            elementwise.copy(dev, out, total)


def _splits(dev, tiles, k, bk):
    """(splits, K per split) of a product: a product of fewer tiles than the device has compute units and a long
    K is split along K into enough work-groups to fill the device (each at least 256 deep), else (1, K)."""
    units = dev.device.max_compute_units
    if tiles >= units or k < 1024:
        return 1, k
    splits = min(-(-2 * units // tiles), k // 256)
    k_len = -(-(-(-k // splits)) // bk) * bk
    return -(-k // k_len), k_len


def _batch_strides(t, batch):
    """``t``'s strides over the batch dims of ``batch`` (its leading dims), 0 where broadcast."""
    own = t.ndim - 2
    pad = len(batch) - own
    return [0] * pad + [s if size != 1 else 0 for s, size in zip(t._stride[:own], t._shape[:own])]


def _merged_stride(sizes, strides):
    """The stride with which dims of ``sizes`` (outermost first) step as one dim, None where they do not."""
    stride = expected = None
    for size, st in zip(reversed(sizes), reversed(strides)):
        if size == 1:
            continue
        if stride is None:
            stride = st
        elif st != expected:
            return None
        expected = st * size
    return 1 if stride is None else stride


def _source(dev, dtype, out_dtype, cfg, a_kfast, b_kfast):
    """The GEMM kernel of operands of ``dtype`` into ``out_dtype`` for tile configuration ``cfg``."""
    bm, bn, bk, wm, wn = cfg
    acc = ACCUMULATOR[dtype.name]
    defines = [f"#define BM {bm}", f"#define BN {bn}", f"#define BK {bk}", f"#define WM {wm}", f"#define WN {wn}",
               f"#define A_KFAST {int(a_kfast)}", f"#define B_KFAST {int(b_kfast)}",
               f"#define A_T {STORAGE[dtype.name]}", f"#define B_T {STORAGE[dtype.name]}",
               f"#define C_T {STORAGE[out_dtype.name]}",
               f"#define LOAD_A(o) {runtime.load(dtype, 'A', '(o)')}",
               f"#define LOAD_B(o) {runtime.load(dtype, 'B', '(o)')}",
               f"#define STORE_C(o, v) {runtime.store(out_dtype, 'C', '(o)', '(v)')}"]
    return runtime.source(dev, "gemm.cl", [dtype, out_dtype], defines="\n".join(defines), acc=acc, acc4=acc + "4")


# tile configuration ------------------------------------------------------------------------------
def _config(dev, like, batches, m, n):
    """The tile configuration of a product of ``like``'s dtype with ``batches`` (m, n) results."""
    dtype = like.dtype
    key = (dev.index, dtype.name)
    cfg = _chosen.get(key)
    if cfg is None:
        cfg = _chosen[key] = _tuned(dev, like)
    tiles = batches * -(-m // cfg[0]) * -(-n // cfg[1])
    if cfg[0] > SMALL_CONFIG[0] and tiles < dev.device.max_compute_units:
        return SMALL_CONFIG
    return cfg


def _fits(dev, dtype, cfg):
    """Whether ``dev`` runs ``cfg`` for ``dtype`` (work-group size, local memory) and its slices split evenly
    over the work-items."""
    bm, bn, bk, wm, wn = cfg
    threads = (bm // wm) * (bn // wn)
    local = bk * (bm + bn + 8) * (8 if ACCUMULATOR[dtype.name] in ("double", "ulong") else 4)
    return (threads <= dev.device.max_work_group_size and local <= dev.device.local_mem_size
            and bm * bk % threads == 0 and bn * bk % threads == 0 and threads % bk == 0)


def _device_key(dev):
    d = dev.device
    return f"{d.platform.name.strip()} | {d.name.strip()} | {d.driver_version.strip()}"


def _tuned(dev, like):
    """The configuration for ``like``'s dtype on ``dev``: cached, else measured (and cached), else the default."""
    dtype = like.dtype
    if not dtype.is_floating_point:
        return INTEGER_CONFIG
    candidates = [c for c in CANDIDATES[ACCUMULATOR[dtype.name]] if _fits(dev, dtype, c)]
    if os.environ.get("RUSTORCH_OPENCL_GEMM_TUNE") == "0":
        return candidates[0]
    try:
        with open(CACHE_FILE) as f:
            cache = json.load(f)
    except (OSError, ValueError):
        cache = {}
    known = cache.get(_device_key(dev), {}).get(dtype.name)
    if known is not None and tuple(known) in candidates:
        return tuple(known)
    best = _measure(dev, like, candidates)
    cache.setdefault(_device_key(dev), {})[dtype.name] = list(best)
    try:
        os.makedirs(os.path.dirname(CACHE_FILE), exist_ok=True)
        tmp = f"{CACHE_FILE}.{os.getpid()}"
        with open(tmp, "w") as f:
            json.dump(cache, f, indent=1)
        os.replace(tmp, CACHE_FILE)  # atomic: another process reading it sees the old or the new file
    except OSError:
        pass  # a read-only home: the choice holds for this process, and the next one measures again
    return best


def _measure(dev, like, candidates):
    """The fastest of ``candidates`` on a square product (2048 on a GPU, 256 on a CPU device)."""
    size = 256 if dev.device.type & runtime.cl.device_type.CPU else 2048
    a, b, c = (runtime.scratch(like, (size, size), like.dtype) for _ in range(3))
    for t in (a, b):
        elementwise.elementwise(dev, "fill_", t, [("x", 0.5)], t.dtype, "x")
    meta = dev.constant(np.array([1, 1, 0, 0, 0, 0, 0, 0], dtype=np.int64))
    times = {}
    for cfg in candidates:
        threads = (cfg[0] // cfg[3]) * (cfg[1] // cfg[4])
        groups = -(-size // cfg[0]) * -(-size // cfg[1])
        try:
            kernel = dev.kernel(_source(dev, like.dtype, like.dtype, cfg, True, False), "rt_gemm")
            args = [c._storage.data.block, a._storage.data.block, b._storage.data.block, meta,
                    *(np.int64(v) for v in (size, size, size, size, 1, 0, -(-size // cfg[1]), -(-size // cfg[0]),
                                            size, 1, size, 1, size, 1))]
            kernel(dev.queue, (groups * threads,), (threads,), *args)  # the first run pays for the build
            dev.queue.finish()
            best = float("inf")
            for _ in range(3):
                start = time.perf_counter()
                kernel(dev.queue, (groups * threads,), (threads,), *args)
                dev.queue.finish()
                best = min(best, time.perf_counter() - start)
            times[cfg] = best
        except runtime.cl.Error:
            continue  # a configuration this device cannot build or run (registers, local memory)
    return min(times, key=times.get) if times else candidates[0]


# einsum ------------------------------------------------------------------------------------------
def einsum(dev, equation, operands, out):
    """out = the Einstein sum of ``operands`` by the explicit, letters-only ``equation``: diagonals are strided
    views, letters of one operand alone are summed (a product with a broadcast ones vector), then the operands
    are contracted left to right, each pair one batched GEMM."""
    dev.check_dtype(out.dtype, "einsum")
    lhs, output = equation.split("->")
    # 16-bit floats are contracted in float32 and rounded once at the end, as the CPU backend does
    work = _dtype.float32 if out.dtype.name in HALVES else out.dtype
    ops = []
    for term, t in zip(lhs.split(","), operands):
        if t.dtype is not work:
            wide = runtime.scratch(t, t._shape, work)
            elementwise.copy(dev, wide, t)
            t = wide
        ops.append(_diagonal(term, t))
    for i, (term, t) in enumerate(ops):
        needed = set(output).union(*(u for j, (u, _) in enumerate(ops) if j != i))
        ops[i] = _sum_out(dev, term, t, needed)
    while len(ops) > 1:
        (tx, x), (ty, y) = ops[0], ops[1]
        keep = set(output).union(*(u for u, _ in ops[2:]))
        ops[:2] = [_contract(dev, tx, x, ty, y, keep)]
    term, t = ops[0]
    where = {c: i for i, c in enumerate(term)}
    result = view_of(t, [t._shape[where[c]] for c in output], [t._stride[where[c]] for c in output], t._offset)
    elementwise.copy(dev, out, result)


def _diagonal(term, t):
    """(letters, view) of ``t`` with each repeated letter of ``term`` taken once: the diagonal, whose stride is
    the sum of the repeated dims' strides."""
    letters, shape, strides = [], [], []
    for c, size, st in zip(term, t._shape, t._stride):
        if c in letters:
            strides[letters.index(c)] += st
        else:
            letters.append(c)
            shape.append(size)
            strides.append(st)
    return "".join(letters), view_of(t, shape, strides, t._offset)


def _sum_out(dev, term, t, needed):
    """(letters, tensor): ``t`` summed over its letters that are not ``needed``, as the product with a ones
    vector broadcast over them (a view of one element with stride 0)."""
    summed = [c for c in term if c not in needed]
    if not summed:
        return term, t
    one = runtime.scratch(t, (), t.dtype)
    elementwise.elementwise(dev, "fill_", one, [("x", 1)], t.dtype, "x")
    sizes = dict(zip(term, t._shape))
    ones = view_of(one, [sizes[c] for c in summed], [0] * len(summed), 0)
    return _contract(dev, term, t, "".join(summed), ones, needed)


def _contract(dev, tx, x, ty, y, keep):
    """(letters, tensor) of the product of ``x`` (letters ``tx``) and ``y`` (``ty``), summed over the letters
    they share that ``keep`` leaves out, as one batched GEMM: x viewed as (batch, rows, contracted),
    y as (batch, contracted, cols). The result's letters are batch + rows + cols."""
    sizes = dict(zip(tx, x._shape)) | dict(zip(ty, y._shape))
    sx, sy = dict(zip(tx, x._stride)), dict(zip(ty, y._stride))
    batch = [c for c in tx if c in ty and c in keep]
    # each group in the order of decreasing stride of the operand it comes from, so that its dims merge
    # into one matrix dim without a copy wherever the layout allows
    contracted = sorted((c for c in tx if c in ty and c not in keep), key=lambda c: -sx[c])
    rows = sorted((c for c in tx if c not in ty), key=lambda c: -sx[c])
    cols = sorted((c for c in ty if c not in tx), key=lambda c: -sy[c])
    a = _matrix(dev, x, tx, batch, rows, contracted)
    b = _matrix(dev, y, ty, batch, contracted, cols)
    result = runtime.scratch(x, [sizes[c] for c in batch] + [a._shape[-2], b._shape[-1]], x.dtype)
    if result.numel():
        matmul(dev, a, b, result)
    letters = batch + rows + cols
    shape = [sizes[c] for c in letters]
    return "".join(letters), view_of(result, shape, contiguous_strides(shape), 0)


def _matrix(dev, t, term, batch, rows, cols):
    """``t`` (letters ``term``) as a (batch..., rows, cols) view, each of rows and cols merged into one dim;
    a contiguous copy in that order where the letters' strides do not merge."""
    size, stride = dict(zip(term, t._shape)), dict(zip(term, t._stride))
    row_stride = _merged_stride([size[c] for c in rows], [stride[c] for c in rows])
    col_stride = _merged_stride([size[c] for c in cols], [stride[c] for c in cols])
    if row_stride is None or col_stride is None:
        order = batch + rows + cols
        t = elementwise.contiguous(dev, view_of(t, [size[c] for c in order], [stride[c] for c in order], t._offset))
        stride = dict(zip(order, t._stride))
        row_stride = _merged_stride([size[c] for c in rows], [stride[c] for c in rows])
        col_stride = _merged_stride([size[c] for c in cols], [stride[c] for c in cols])
    shape = [size[c] for c in batch] + [numel_of([size[c] for c in rows]), numel_of([size[c] for c in cols])]
    return view_of(t, shape, [stride[c] for c in batch] + [row_stride, col_stride], t._offset)
