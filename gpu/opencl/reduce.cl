/* Reductions and scans of the OpenCL backend.
 *
 * rustorch/backends/opencl/reduction.py renders one program per (op, input dtype, output dtype) from this file: its
 * placeholder (a dollar sign and a name) becomes the accumulator type ACC and these macros:
 *   IDENTITY             the op's identity in ACC (0 for sum, -INFINITY for max, ...)
 *   HAS_INDEX            1 where the op tracks the position of its value (max, min, argmax, argmin)
 *   COMBINE(a, b)        a op b (ops without an index)
 *   BETTER(bv, bk, av, ak)  whether (value bv at position bk) beats (av at ak) (ops with an index): a total order,
 *                        so that any tree of folds picks torch's element (NaN first, then the first position)
 *   LOAD_X(i)            element i of x, as ACC
 *   STORE_OUT(i, v)      write v, cast, into element i of out
 *   WRITE(oo, io, v, k)  write a reduction's result (value v at position k) at element oo of out, io of out_idx
 *
 * Layout: the kept dims of x (those not reduced, or not scanned) are merged where every tensor steps through them
 * as one run; meta = [nk, the nk merged sizes, then per tensor (x, out, out_idx) its nk strides]. Line o (an output
 * element of a reduction, a line of a scan) starts at rt_koff(o, meta, t) in tensor t, and its elements are r * rs
 * apart (the reduced dims merged into one; the host makes x contiguous where they do not merge).
 */
typedef $acc ACC;
$defines

#define WG 256     /* work-items per work-group, everywhere here */

inline long rt_koff(long o, __global const long *meta, int t)
{
    const int nk = (int)meta[0];
    __global const long *st = meta + 1 + (long)(t + 1) * nk;
    long off = 0;
    for (int d = nk - 1; d >= 0; d--) {
        const long s = meta[1 + d];
        off += (o % s) * st[d];
        o /= s;
    }
    return off;
}

/* fold (bv, bk) into the state (*v, *k) */
inline void rt_fold(ACC *v, long *k, ACC bv, long bk)
{
#if HAS_INDEX
    if (BETTER(bv, bk, *v, *k)) {
        *v = bv;
        *k = bk;
    }
#else
    *v = COMBINE(*v, bv);
#endif
}

/* fold the LY lane states of each line of a work-group: lane ly of line lx sits at sv[lx * line_step + ly * step];
 * lane 0 ends with the line's result */
inline void rt_tree(__local ACC *sv, __local long *sk, ACC *v, long *k, int me, int ly, int LY, int step)
{
    sv[me] = *v;
#if HAS_INDEX
    sk[me] = *k;
#endif
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int h = LY / 2; h > 0; h >>= 1) {
        if (ly < h) {
#if HAS_INDEX
            rt_fold(v, k, sv[me + h * step], sk[me + h * step]);
            sk[me] = *k;
#else
            rt_fold(v, k, sv[me + h * step], 0);
#endif
            sv[me] = *v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

/* The work-group of a reduction: LX lines of LY lanes. Local dim 0 (the fastest, consecutive work-items) runs along
 * the lanes for contiguous lines (``lanes_first``: a warp reads a stretch of a row) and along the lines otherwise
 * (a warp reads neighbouring lines, neighbours in memory when reducing an outer dim). */
#define RT_GROUP(lanes_first)                                                               \
    const int lf = (lanes_first);                                                           \
    const int l0 = get_local_id(0), l1 = get_local_id(1);                                   \
    const int n0 = get_local_size(0), n1 = get_local_size(1);                               \
    const long g0 = get_global_id(0), g1 = get_global_id(1);                                \
    const int ly = lf ? l0 : l1, LY = lf ? n0 : n1, LX = lf ? n1 : n0;                      \
    const long o = lf ? g1 : g0;                                                            \
    const long s = (lf ? g0 : g1) / LY;     /* the split */                                 \
    const int step = lf ? 1 : LX;                                                           \
    const int me = lf ? l1 * LY + ly : ly * LX + l0

/* Pass 1 of a reduction. Work-groups of LX lines (outputs) by LY lanes (RT_GROUP; global LY * splits lanes by
 * ceil(M / LX) * LX lines): the LY lanes of line o fold split s of it (elements [s * span, (s + 1) * span)), LY
 * consecutive elements per step. With one split the result goes to out, else to the partials (M, splits) that
 * rt_reduce_partials folds. */
__kernel void rt_reduce(__global const $x_t *x, __global $out_t *out, __global long *out_idx,
                        __global ACC *part_v, __global long *part_k, __global const long *meta,
                        const long x_off, const long out_off, const long idx_off,
                        const long M, const long R, const long rs, const long span, const int splits,
                        const int lanes_first)
{
    __local ACC sv[WG];
    __local long sk[WG];
    RT_GROUP(lanes_first);
    ACC v = IDENTITY;
    long k = LONG_MAX;
    if (o < M) {
        const long p = x_off + rt_koff(o, meta, 0);
        const long hi = min(R, (s + 1) * span);
        long r = s * span + ly;
        /* four loads in flight per work-item before their folds */
        for (; r + 3 * LY < hi; r += 4 * LY) {
            const ACC a = LOAD_X(p + r * rs), b = LOAD_X(p + (r + LY) * rs);
            const ACC c = LOAD_X(p + (r + 2 * LY) * rs), d = LOAD_X(p + (r + 3 * LY) * rs);
            rt_fold(&v, &k, a, r);
            rt_fold(&v, &k, b, r + LY);
            rt_fold(&v, &k, c, r + 2 * LY);
            rt_fold(&v, &k, d, r + 3 * LY);
        }
        for (; r < hi; r += LY)
            rt_fold(&v, &k, LOAD_X(p + r * rs), r);
    }
    rt_tree(sv, sk, &v, &k, me, ly, LY, step);
    if (ly != 0 || o >= M)
        return;
    if (splits == 1) {
        WRITE(out_off + rt_koff(o, meta, 1), idx_off + rt_koff(o, meta, 2), v, k);
    } else {
        part_v[o * splits + s] = v;
        part_k[o * splits + s] = k;
    }
}

/* Pass 2: fold the partials (M, S) of rt_reduce into the results; work-groups as rt_reduce's, lanes first. */
__kernel void rt_reduce_partials(__global const ACC *part_v, __global const long *part_k, __global $out_t *out,
                                 __global long *out_idx, __global const long *meta, const long out_off,
                                 const long idx_off, const long M, const long S)
{
    __local ACC sv[WG];
    __local long sk[WG];
    RT_GROUP(1);
    ACC v = IDENTITY;
    long k = LONG_MAX;
    if (o < M)
        for (long r = ly; r < S; r += LY)
            rt_fold(&v, &k, part_v[o * S + r], part_k[o * S + r]);
    rt_tree(sv, sk, &v, &k, me, ly, LY, step);
    if (ly == 0 && o < M)
        WRITE(out_off + rt_koff(o, meta, 1), idx_off + rt_koff(o, meta, 2), v, k);
}

/* A scan, one work-item per line (many or short lines): global ceil(M / WG) * WG. Neighbouring lines are
 * neighbours in memory when the scan runs over an outer dim, so the loads are coalesced there. */
__kernel void rt_scan_serial(__global const $x_t *x, __global $out_t *out, __global const long *meta,
                             const long x_off, const long out_off, const long M, const long n, const long rsx,
                             const long rso)
{
    const long o = get_global_id(0);
    if (o >= M)
        return;
    const long px = x_off + rt_koff(o, meta, 0), po = out_off + rt_koff(o, meta, 1);
    ACC run = IDENTITY;
    for (long j = 0; j < n; j++) {
        run = COMBINE(run, LOAD_X(px + j * rsx));
        STORE_OUT(po + j * rso, run);
    }
}

/* rt_reduce's partial totals (M, C) of a line's chunks become each chunk's carry-in: an exclusive scan per line */
__kernel void rt_scan_carry(__global ACC *part, const long M, const long C)
{
    const long o = get_global_id(0);
    if (o >= M)
        return;
    ACC run = IDENTITY;
    for (long c = 0; c < C; c++) {
        const ACC t = part[o * C + c];
        part[o * C + c] = run;
        run = COMBINE(run, t);
    }
}

/* A scan, one work-group per (line, chunk): global (M * WG, C), local (WG, 1). The chunk's elements
 * [c * span, (c + 1) * span) go through in tiles of WG, each scanned in local memory (Hillis-Steele) and
 * offset by the running total; with C > 1 chunks, a chunk starts from its carry-in (rt_scan_carry). */
__kernel void rt_scan_block(__global const $x_t *x, __global $out_t *out, __global const ACC *carry,
                            __global const long *meta, const long x_off, const long out_off, const long n,
                            const long rsx, const long rso, const long span, const long C)
{
    __local ACC sh[WG];
    const long o = get_group_id(0), c = get_group_id(1);
    const int t = get_local_id(0);
    const long px = x_off + rt_koff(o, meta, 0), po = out_off + rt_koff(o, meta, 1);
    ACC run = C > 1 ? carry[o * C + c] : IDENTITY;
    const long hi = min(n, (c + 1) * span);
    for (long j0 = c * span; j0 < hi; j0 += WG) {
        const long j = j0 + t;
        ACC v = j < hi ? LOAD_X(px + j * rsx) : IDENTITY;
        for (int h = 1; h < WG; h <<= 1) {
            sh[t] = v;
            barrier(CLK_LOCAL_MEM_FENCE);
            if (t >= h)
                v = COMBINE(sh[t - h], v);
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        v = COMBINE(run, v);
        if (j < hi)
            STORE_OUT(po + j * rso, v);
        if (t == WG - 1)
            sh[0] = v;      /* the tile's last running value is the next tile's start */
        barrier(CLK_LOCAL_MEM_FENCE);
        run = sh[0];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}
