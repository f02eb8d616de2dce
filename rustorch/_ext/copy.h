/* Strided copy of any fixed-size dtype for rustorch.
 *
 * Called from copy.pyx, which has already checked shapes, dtypes, strides
 * and overlap; nothing here validates its arguments.
 *
 * Elements are moved with fixed-size memcpy (1/2/4/8/16 bytes), which GCC
 * turns into plain (unaligned-safe) loads and stores: no alignment is
 * assumed, so misaligned views copy correctly too.  Other item sizes use a
 * run-time-sized memcpy per element.
 *
 * After rt_collapse() (strided.h; the same normalisation as elementwise.h,
 * ordered by the destination's strides):
 *  - one dim, both unit-stride: memcpy of 64 KiB blocks split over threads;
 *  - destination contiguous in its last dim and the source contiguous along
 *    another dim (a transposed view): cache-blocked tiles of those two dims,
 *    so both sides are read/written a cache line at a time;
 *  - otherwise: the flat range split over threads, each thread walks rows
 *    with an odometer over the outer dims.
 */
#ifndef RUSTORCH_COPY_H
#define RUSTORCH_COPY_H

#include <stdint.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "simd.h"
#include "strided.h"

#define CP_PAR_BYTES (1 << 18)   /* below 256 KiB: one thread */
#define CP_TILE_BYTES 64         /* tile edge, in bytes of one element row */

/* ---- contiguous: memcpy of 64 KiB blocks, blocks split over threads -----
 * Blocks rather than one chunk per thread: glibc switches to non-temporal
 * stores for multi-MiB copies, which measured ~10% slower here than cached
 * stores of L2-sized blocks. */
#define CP_BLOCK (1 << 16)
static void cp_contig(char *dst, const char *src, int64_t nbytes)
{
    const int64_t nb = (nbytes + CP_BLOCK - 1) / CP_BLOCK;
#pragma omp parallel for schedule(static) if (nbytes >= CP_PAR_BYTES)
    for (int64_t b = 0; b < nb; b++) {
        int64_t lo = b * CP_BLOCK;
        int64_t len = nbytes - lo < CP_BLOCK ? nbytes - lo : CP_BLOCK;
        memcpy(dst + lo, src + lo, (size_t)len);
    }
}

/* ---- element move of S bytes through memcpy (alignment-free) ------------ */
#define CP_MOVE(S, d, s) memcpy((d), (s), (S))

/* Strided row: n elements, byte strides. */
#define CP_DEF_ROW(S)                                                        \
    static inline void cp_row_##S(char *d, int64_t ds, const char *s,       \
                                  int64_t ss, int64_t n)                     \
    {                                                                        \
        if (ds == S && ss == S) { memcpy(d, s, (size_t)(n * S)); return; }   \
        if (ss == 0) {                                                       \
            for (int64_t i = 0; i < n; i++) CP_MOVE(S, d + i * ds, s);       \
            return;                                                          \
        }                                                                    \
        _Pragma("omp simd")                                                  \
        for (int64_t i = 0; i < n; i++)                                      \
            CP_MOVE(S, d + i * ds, s + i * ss);                              \
    }
CP_DEF_ROW(1)
CP_DEF_ROW(2)
CP_DEF_ROW(4)
CP_DEF_ROW(8)
CP_DEF_ROW(16)

static inline void cp_row_any(char *d, int64_t ds, const char *s, int64_t ss,
                              int64_t n, int64_t isz)
{
    switch (isz) {
    case 1: cp_row_1(d, ds, s, ss, n); return;
    case 2: cp_row_2(d, ds, s, ss, n); return;
    case 4: cp_row_4(d, ds, s, ss, n); return;
    case 8: cp_row_8(d, ds, s, ss, n); return;
    case 16: cp_row_16(d, ds, s, ss, n); return;
    }
    for (int64_t i = 0; i < n; i++) memcpy(d + i * ds, s + i * ss, (size_t)isz);
}

/* ---- general: odometer over outer dims, strided rows -------------------- */
RT_CLONES static void cp_general(int nd, const int64_t *shape,
                                 const int64_t *ds, const int64_t *ss,
                                 char *dst, const char *src, int64_t isz)
{
    int64_t n = shape[nd - 1], total = n;
    for (int d = 0; d < nd - 1; d++) total *= shape[d];
#pragma omp parallel if (total * isz >= CP_PAR_BYTES)
    {
        int64_t lo, hi, idx[RT_MAXDIM];
        rt_my_range(total, &lo, &hi);
        if (lo < hi) {
            int64_t r = lo / n, c = lo % n, left = hi - lo, doff = 0, soff = 0;
            for (int d = nd - 2; d >= 0; d--) {
                idx[d] = r % shape[d];
                r /= shape[d];
                doff += idx[d] * ds[d];
                soff += idx[d] * ss[d];
            }
            for (;;) {
                int64_t len = n - c < left ? n - c : left;
                cp_row_any(dst + doff + c * ds[nd - 1], ds[nd - 1],
                           src + soff + c * ss[nd - 1], ss[nd - 1], len, isz);
                left -= len;
                if (left <= 0) break;
                c = 0;
                for (int d = nd - 2; d >= 0; d--) {
                    doff += ds[d];
                    soff += ss[d];
                    if (++idx[d] < shape[d]) break;
                    doff -= shape[d] * ds[d];
                    soff -= shape[d] * ss[d];
                    idx[d] = 0;
                }
            }
        }
    }
}

/* ---- tiled transpose ----------------------------------------------------
 * Two dims are tiled: u, where the source is contiguous (source stride ==
 * item size) and v = the last dim, where the destination is contiguous.
 * A tile is b x b elements with b * S = 64 bytes (one cache line per tile
 * row on both sides; 16 x 16 for float32): each destination row is written
 * contiguously while the source column reads hit lines already in L1.  A
 * parallel task is a group of CP_TG x CP_TG tiles (64 x 64 for float32),
 * enough lines per task to keep the hardware prefetchers busy. */
#define CP_TG 4
#define CP_DEF_TILE(S)                                                       \
    static inline void cp_tile_##S(char *d, int64_t dsu, const char *s,     \
                                   int64_t ssv, int64_t nu, int64_t nv)      \
    {                                                                        \
        /* d[i*dsu + j*S] = s[i*S + j*ssv], i < nu, j < nv */                \
        for (int64_t i = 0; i < nu; i++) {                                   \
            char *dr = d + i * dsu;                                          \
            const char *sr = s + i * S;                                      \
            _Pragma("omp simd")                                              \
            for (int64_t j = 0; j < nv; j++)                                 \
                CP_MOVE(S, dr + j * S, sr + j * ssv);                        \
        }                                                                    \
    }                                                                        \
    RT_CLONES static void cp_transpose_##S(                                  \
        int nd, const int64_t *shape, const int64_t *ds, const int64_t *ss,  \
        int u, char *dst, const char *src)                                   \
    {                                                                        \
        const int64_t B = CP_TILE_BYTES / S * CP_TG;                         \
        const int v = nd - 1;                                                \
        const int64_t nu = shape[u], nv = shape[v];                          \
        const int64_t tu = (nu + B - 1) / B, tv = (nv + B - 1) / B;          \
        int64_t outer = 1;                                                   \
        for (int d = 0; d < nd; d++)                                         \
            if (d != u && d != v) outer *= shape[d];                         \
        const int64_t ntask = outer * tu * tv;                               \
        const int par_ = outer * nu * nv * S >= CP_PAR_BYTES;                \
        _Pragma("omp parallel for schedule(static) if (par_)")               \
        for (int64_t t = 0; t < ntask; t++) {                                \
            int64_t jt = t % tv, it = (t / tv) % tu, o = t / (tv * tu);      \
            int64_t doff = 0, soff = 0;                                      \
            for (int d = nd - 1; d >= 0; d--) {                              \
                if (d == u || d == v) continue;                              \
                int64_t id = o % shape[d];                                   \
                o /= shape[d];                                               \
                doff += id * ds[d];                                          \
                soff += id * ss[d];                                          \
            }                                                                \
            int64_t i0 = it * B, j0 = jt * B;                                \
            int64_t ni = nu - i0 < B ? nu - i0 : B;                          \
            int64_t nj = nv - j0 < B ? nv - j0 : B;                          \
            const int64_t b = CP_TILE_BYTES / S;                             \
            for (int64_t ii = 0; ii < ni; ii += b)                           \
                for (int64_t jj = 0; jj < nj; jj += b)                       \
                    cp_tile_##S(dst + doff + (i0 + ii) * ds[u] + (j0 + jj) * S, \
                                ds[u],                                       \
                                src + soff + (i0 + ii) * S + (j0 + jj) * ss[v], \
                                ss[v], ni - ii < b ? ni - ii : b,            \
                                nj - jj < b ? nj - jj : b);                  \
        }                                                                    \
    }
CP_DEF_TILE(1)
CP_DEF_TILE(2)
CP_DEF_TILE(4)
CP_DEF_TILE(8)
CP_DEF_TILE(16)

/* ---- entry point ---------------------------------------------------------
 * Byte strides; shape/strides are copied and normalised here. */
static void cp_copy(int nd, const int64_t *shape_in, const int64_t *ds_in,
                    const int64_t *ss_in, char *dst, const char *src,
                    int64_t isz)
{
    int64_t shape[RT_MAXDIM], st[2][RT_MAXDIM];
    char *ptr[2] = {dst, (char *)src};
    for (int d = 0; d < nd; d++) {
        shape[d] = shape_in[d];
        st[0][d] = ds_in[d];
        st[1][d] = ss_in[d];
    }
    nd = rt_collapse(nd, shape, 2, st, ptr);
    if (shape[0] == 0) return;
    const int64_t *ds = st[0], *ss = st[1];
    if (nd == 1 && ds[0] == isz && ss[0] == isz) {
        cp_contig(ptr[0], ptr[1], shape[0] * isz);
        return;
    }
    /* transpose: destination contiguous in its last dim, the source not but
     * contiguous along some other dim u (the last such, the innermost) */
    if (nd >= 2 && ds[nd - 1] == isz && ss[nd - 1] != isz &&
        (isz == 1 || isz == 2 || isz == 4 || isz == 8 || isz == 16)) {
        int u = -1;
        for (int d = 0; d < nd - 1; d++)
            if (ss[d] == isz) u = d;
        if (u >= 0 && shape[u] >= 8 && shape[nd - 1] >= 8) {
            switch (isz) {
            case 1: cp_transpose_1(nd, shape, ds, ss, u, ptr[0], ptr[1]); return;
            case 2: cp_transpose_2(nd, shape, ds, ss, u, ptr[0], ptr[1]); return;
            case 4: cp_transpose_4(nd, shape, ds, ss, u, ptr[0], ptr[1]); return;
            case 8: cp_transpose_8(nd, shape, ds, ss, u, ptr[0], ptr[1]); return;
            case 16: cp_transpose_16(nd, shape, ds, ss, u, ptr[0], ptr[1]); return;
            }
        }
    }
    cp_general(nd, shape, ds, ss, ptr[0], ptr[1], isz);
}

#endif /* RUSTORCH_COPY_H */
