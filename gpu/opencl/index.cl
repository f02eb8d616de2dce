/* Indexing kernels of the OpenCL backend: x[index] and x[index] = v, gather and scatter (one kernel, rt_index),
 * and nonzero (a stream compaction in three kernels).
 *
 * rustorch/backends/opencl/indexing.py renders this file, filling its placeholders (a dollar sign and a name): the
 * #defines choosing the variant, and the lines that depend on the number and dtypes of rt_index's operands.
 */
$defines

#ifdef RT_NONZERO
/* nonzero of a contiguous x (X_STORAGE elements from element `offset`; RT_NONZERO_TEST(p, i) reads element i as a
 * truth value).
 * Each work-group owns a tile of RT_ITEMS rounds of RT_GROUP consecutive elements (coalesced reads):
 * rt_nonzero_count counts a tile's hits, rt_nonzero_scan turns the counts into each tile's first output row,
 * rt_nonzero_write ranks the hits within the tile (a scan in local memory) and writes their coordinates, so the
 * rows come out in row-major order, as torch's. */
#define RT_TILE ((long)RT_GROUP * RT_ITEMS)

/* the inclusive prefix sum of v over the work-group (Hillis-Steele in local memory; RT_GROUP items) */
inline long rt_group_scan(long v, __local long *tmp)
{
    const int lid = get_local_id(0);
    tmp[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int step = 1; step < RT_GROUP; step <<= 1) {
        const long add = lid >= step ? tmp[lid - step] : 0;
        barrier(CLK_LOCAL_MEM_FENCE);
        tmp[lid] += add;
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    v = tmp[lid];
    barrier(CLK_LOCAL_MEM_FENCE);   /* tmp is reused by the next call */
    return v;
}

__kernel void rt_nonzero_count(__global const X_STORAGE *p, const long offset, const long n, __global long *counts)
{
    __local long tmp[RT_GROUP];
    p += offset;
    const long first = get_group_id(0) * RT_TILE + get_local_id(0);
    long c = 0;
    for (int r = 0; r < RT_ITEMS; r++) {
        const long i = first + (long)r * RT_GROUP;
        c += i < n && RT_NONZERO_TEST(p, i);
    }
    c = rt_group_scan(c, tmp);
    if (get_local_id(0) == RT_GROUP - 1)
        counts[get_group_id(0)] = c;
}

/* one work-group: counts[0 .. groups) become exclusive prefix sums; counts[groups] the total */
__kernel void rt_nonzero_scan(__global long *counts, const long groups)
{
    __local long tmp[RT_GROUP];
    const int lid = get_local_id(0);
    long carry = 0;
    for (long start = 0; start <= groups; start += RT_GROUP) {
        const long g = start + lid;
        const long c = g < groups ? counts[g] : 0;
        const long inclusive = rt_group_scan(c, tmp);
        if (g <= groups)
            counts[g] = carry + inclusive - c;
        carry += tmp[RT_GROUP - 1];   /* rt_group_scan leaves tmp holding the inclusive sums */
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

/* out: (total, nd) positions; shape: x's nd sizes */
__kernel void rt_nonzero_write(__global const X_STORAGE *p, const long offset, const long n,
                               __global const long *starts, __global long *out, __global const long *shape,
                               const int nd)
{
    __local long tmp[RT_GROUP];
    p += offset;
    const int lid = get_local_id(0);
    const long first = get_group_id(0) * RT_TILE;
    long row = starts[get_group_id(0)];
    for (int r = 0; r < RT_ITEMS; r++) {
        const long i = first + (long)r * RT_GROUP + lid;
        const long hit = i < n && RT_NONZERO_TEST(p, i);
        const long rank = rt_group_scan(hit, tmp);
        if (hit) {
            __global long *o = out + (row + rank - 1) * nd;
            long rest = i;
            for (int d = nd - 1; d > 0; d--) {
                o[d] = rest % shape[d];
                rest /= shape[d];
            }
            o[0] = rest;
        }
        row += tmp[RT_GROUP - 1];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

#else
/* rt_index: one work-item per element of the indexed shape S (the index tensors broadcast, with the dims that
 * full slices keep). Operand 0 is the destination, 1 the source (absent for a number), 2.. the index tensors;
 * `meta` holds S and every operand's offset and strides over S (elementwise.py's layout_meta, dims merged; in
 * constant memory, which every work-item reads alike).
 * Index tensor k reads a position along x's dim axes[3k] (size axes[3k+1], stride axes[3k+2]): a read
 * (x[index], gather) adds it to the source's offset, a write (x[index] = v, scatter) to the destination's. A
 * position out of range stores (1, the index value, the dim) into err, which the host checks after the kernel.
 *
 * Defines: T (compute type), NOPS (operands in meta), RT_FLAT (uint where S's size fits, so that the dims split
 * with 32-bit divisions), RT_WRAP (negative positions count from the end). With RT_UPDATE (repeated positions
 * combine: add, multiply, amax, amin) the write is a compare-and-swap loop on the RT_BITS-bit element, or on the
 * 32-bit word holding it for 8- and 16-bit elements: RT_FROM_BITS/RT_TO_BITS convert an element's bits to T and
 * back, RT_COMBINE(old, v) is the update. */

/* the element offsets of operands 0 .. NOPS-1 at flat index i of S: one pass of divisions for all */
inline void rt_offsets(RT_FLAT i, __constant long *meta, long *off)
{
    const int nd = (int)meta[0];
    __constant long *st = meta + 1 + nd;
    for (int k = 0; k < NOPS; k++)
        off[k] = st[k * (nd + 1)];
    for (int d = nd - 1; d >= 0; d--) {
        const RT_FLAT s = (RT_FLAT)meta[1 + d];
        const RT_FLAT c = d ? i % s : i;
        i /= s;
        for (int k = 0; k < NOPS; k++)
            off[k] += (long)c * st[k * (nd + 1) + 1 + d];
    }
}

/* add index value v (along axis = {dim, size, stride}) to *pos; 0 (and err set) when it is out of range */
inline int rt_position(long v, __constant long *axis, __global long *err, long *pos)
{
    const long size = axis[1];
    const long w = RT_WRAP && v < 0 ? v + size : v;
    if (w < 0 || w >= size) {
        err[1] = v;
        err[2] = axis[0];
        err[0] = 1;
        return 0;
    }
    *pos += w * axis[2];
    return 1;
}

#ifdef RT_UPDATE
#if RT_BITS == 16
/* 16-bit floats as bits of a 32-bit word (vload_half/vstore_half are core; half arithmetic is not) */
inline float rt_half_from_bits(uint b) { const ushort h = (ushort)b; return vload_half(0, (const __private half *)&h); }
inline uint rt_half_to_bits(float f) { ushort h; vstore_half_rte(f, 0, (__private half *)&h); return h; }
#endif

inline void rt_update(__global DST_STORAGE *p, long off, T v)
{
#if RT_BITS == 64
    volatile __global ulong *w = (volatile __global ulong *)(p + off);
    ulong seen, old = *w;
    do {
        seen = old;
        const ulong next = RT_TO_BITS(RT_COMBINE(RT_FROM_BITS(seen), v));
        if (next == seen)
            return;
        old = atom_cmpxchg(w, seen, next);
    } while (old != seen);
#elif RT_BITS == 32
    volatile __global uint *w = (volatile __global uint *)(p + off);
    uint seen, old = *w;
    do {
        seen = old;
        const uint next = RT_TO_BITS(RT_COMBINE(RT_FROM_BITS(seen), v));
        if (next == seen)
            return;
        old = atomic_cmpxchg(w, seen, next);
    } while (old != seen);
#else
    /* the aligned 32-bit word holding the element (buffers are 4-byte aligned and padded; little-endian) */
    const uintptr_t addr = (uintptr_t)(p + off);
    volatile __global uint *w = (volatile __global uint *)(addr & ~(uintptr_t)3);
    const uint shift = (uint)(addr & 3) * 8u;
    const uint ones = (1u << RT_BITS) - 1u;
    uint seen, old = *w;
    do {
        seen = old;
        const uint e = RT_TO_BITS(RT_COMBINE(RT_FROM_BITS((seen >> shift) & ones), v)) & ones;
        const uint next = (seen & ~(ones << shift)) | (e << shift);
        if (next == seen)
            return;
        old = atomic_cmpxchg(w, seen, next);
    } while (old != seen);
#endif
}
#endif

__kernel void rt_index(__global DST_STORAGE *p_dst, $params, __constant long *meta, __constant long *axes,
                       __global long *err, const long n)
{
    if (get_global_id(0) >= n)
        return;
    long off[NOPS];
    rt_offsets((RT_FLAT)get_global_id(0), meta, off);
    long pos = 0;
$positions
    const T v = $load;
    $store;
}
#endif
