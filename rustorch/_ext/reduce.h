/* Reductions and scans over the middle axis of a C-contiguous (outer, R, inner)
 * array.  Called from reduce.pyx, which has already checked every shape,
 * dtype and contiguity condition; nothing here validates its arguments.
 *
 * Two layouts, two strategies:
 *
 *  inner == 1 (reduce over the last axis, or everything when outer == 1):
 *    each row of R elements is cut into segments of RT_SEG elements.  The
 *    (row, segment) pairs are the parallel tasks, so many short rows spread
 *    over threads by rows and one long row spreads by segments.  A float32
 *    sum adds blocks of RT_BLOCK elements in 64 float lanes, then folds the
 *    lanes into double; segment results are combined in double, in order.
 *    The cut depends on the shape only, so the result does not depend on
 *    the number of threads.
 *
 *  inner > 1: whole contiguous inner rows are accumulated element-wise
 *    (vectorised over the inner index) into a chunk of RT_ICHUNK
 *    accumulators; tasks are (outer, inner chunk, R block).  R is split into
 *    blocks only when there are too few (outer, chunk) tasks to feed the
 *    threads; partial results are combined in block order, again so the
 *    answer depends on the shape only.
 *
 * Semantics follow torch: NaN propagates through max/min and the index of
 * max/min/argmax/argmin points at the first NaN; ties go to the first index.
 */
#ifndef RUSTORCH_REDUCE_H
#define RUSTORCH_REDUCE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "simd.h"
#include "strided.h"   /* rt_my_range */

#define RT_BLOCK 4096        /* float lanes add this many elements, then double */
#define RT_SEG 65536         /* inner == 1: a row is cut into tasks this long */
#define RT_ICHUNK 1024       /* inner elements per accumulator chunk (inner > 1) */
#define RT_PAR_MIN 32768     /* fewer elements than this: stay on one thread */
#define RT_MIN_TASKS 16      /* inner > 1: split R until there are this many tasks */
#define RT_MIN_RROWS 64      /* ... but never into blocks of fewer rows */

enum { RT_SUM = 0, RT_PROD = 1, RT_MAX = 2, RT_MIN = 3 };
enum { RT_CUMSUM = 0, RT_CUMPROD = 1 };

static inline int64_t rt_cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* Everything below is written once per element type through this macro.
 * T: element type, S: name suffix, ONE/ZERO literals. */
#define RT_DEFINE_REDUCE(T, S)                                                  \
                                                                                \
/* Sum of n contiguous elements.  64 independent T accumulators (4 AVX-512      \
 * registers for float32, so the adds are not serialised on one register's      \
 * latency) add blocks of RT_BLOCK elements, i.e. RT_BLOCK/64 numbers per       \
 * lane; after each block the lanes are folded to 16 and added into 16 double   \
 * lanes, which are summed pairwise at the end.  Accurate for float32 (error    \
 * grows with RT_BLOCK/64, not with n) at memory speed. */                      \
RT_INLINE double rt_seg_sum_##S(const T *x, int64_t n)                          \
{                                                                               \
    double d[16];                                                               \
    T a[64];                                                                    \
    for (int j = 0; j < 16; j++) d[j] = 0;                                      \
    for (int j = 0; j < 64; j++) a[j] = 0;                                      \
    /* Peel to a 64-byte boundary: NumPy's large arrays start 16 bytes past     \
     * one, and 64-byte loads that straddle cache lines cost ~1.3x here.  The   \
     * head (< 64 bytes) goes into the lanes, vectorised with a mask. */        \
    int64_t i = (int64_t)(((64 - ((uintptr_t)x & 63)) & 63) / sizeof(T));       \
    if ((uintptr_t)x % sizeof(T)) i = 0;                                        \
    if (i > n) i = n;                                                           \
    for (int64_t h = 0; h < i; h++) a[h] = x[h];                                \
    for (;;) {                                                                  \
        int64_t e = n - i < RT_BLOCK ? n : i + RT_BLOCK;                        \
        for (; i + 64 <= e; i += 64) {                                          \
            _Pragma("omp simd")                                                 \
            for (int j = 0; j < 64; j++) a[j] += x[i + j];                      \
        }                                                                       \
        if (e == n) {  /* last partial vector group */                          \
            int64_t m = n - i;                                                  \
            for (int64_t j = 0; j < m; j++) a[j] += x[i + j];                   \
            i = n;                                                              \
        }                                                                       \
        for (int j = 0; j < 16; j++) {  /* fold 64 T lanes into 16 doubles */   \
            d[j] += (double)((a[j] + a[j + 16]) + (a[j + 32] + a[j + 48]));     \
            a[j] = a[j + 16] = a[j + 32] = a[j + 48] = 0;                       \
        }                                                                       \
        if (i >= n) break;                                                      \
    }                                                                           \
    for (int j = 0; j < 8; j++) d[j] += d[j + 8];                               \
    for (int j = 0; j < 4; j++) d[j] += d[j + 4];                               \
    return (d[0] + d[2]) + (d[1] + d[3]);                                       \
}                                                                               \
                                                                                \
/* Product of n elements, in double lanes: no spurious overflow of partial      \
 * products for float32 (prod is rare; speed matters less than for sum). */     \
RT_INLINE double rt_seg_prod_##S(const T *x, int64_t n)                         \
{                                                                               \
    double p = 1;                                                               \
    _Pragma("omp simd reduction(*:p)")                                          \
    for (int64_t i = 0; i < n; i++) p *= (double)x[i];                          \
    return p;                                                                   \
}                                                                               \
                                                                                \
/* Index of the first element equal to v (or the first NaN when v is NaN),      \
 * scanning 64 elements at a time with a vectorised "any" test. */              \
RT_INLINE int64_t rt_first_eq_##S(const T *x, int64_t n, T v)                   \
{                                                                               \
    int64_t i = 0;                                                              \
    int isnan_v = (v != v);                                                     \
    for (; i + 64 <= n; i += 64) {                                              \
        int hit = 0;                                                            \
        if (isnan_v) {                                                          \
            _Pragma("omp simd reduction(|:hit)")                                \
            for (int j = 0; j < 64; j++) hit |= (x[i + j] != x[i + j]);         \
        } else {                                                                \
            _Pragma("omp simd reduction(|:hit)")                                \
            for (int j = 0; j < 64; j++) hit |= (x[i + j] == v);                \
        }                                                                       \
        if (hit) break;                                                         \
    }                                                                           \
    for (; i < n; i++)                                                          \
        if (isnan_v ? (x[i] != x[i]) : (x[i] == v)) return i;                   \
    return n - 1; /* unreachable when v came from x */                          \
}                                                                               \
                                                                                \
/* Max (is_max) or min of one block and the first index holding it; NaN wins.   \
 * Pass 1 is a vectorised max/min plus a NaN flag; pass 2 finds the first       \
 * index of the result in the block, which is still in L1/L2 cache. */          \
RT_INLINE void rt_seg_ext_##S(const T *x, int64_t n, int is_max,                \
                                T *val, int64_t *idx)                           \
{                                                                               \
    T m = x[0];                                                                 \
    int nan = 0;                                                                \
    if (is_max) {                                                               \
        _Pragma("omp simd reduction(max:m) reduction(|:nan)")                   \
        for (int64_t i = 0; i < n; i++) {                                       \
            T v = x[i];                                                         \
            m = v > m ? v : m;                                                  \
            nan |= (v != v);                                                    \
        }                                                                       \
    } else {                                                                    \
        _Pragma("omp simd reduction(min:m) reduction(|:nan)")                   \
        for (int64_t i = 0; i < n; i++) {                                       \
            T v = x[i];                                                         \
            m = v < m ? v : m;                                                  \
            nan |= (v != v);                                                    \
        }                                                                       \
    }                                                                           \
    if (nan) m = (T)NAN;                                                        \
    int64_t k = rt_first_eq_##S(x, n, m);                                       \
    *idx = k;                                                                   \
    *val = x[k]; /* x[k], not m: keeps the sign of a zero and the NaN payload */ \
}                                                                               \
                                                                                \
/* Does candidate c replace the current best b (c comes later in order)? */     \
RT_INLINE int rt_better_##S(T c, T b, int is_max)                               \
{                                                                               \
    if (b != b) return 0;          /* first NaN sticks */                       \
    if (c != c) return 1;                                                       \
    return is_max ? (c > b) : (c < b);                                          \
}                                                                               \
                                                                                \
/* ---- inner == 1: tasks are (row, block) pairs ---------------------------- */ \
                                                                                \
/* sum/prod of rows.  nb == 1: results go straight to out; else one double      \
 * per task to part, combined afterwards. */                                    \
RT_CLONES static void rt_rows_sp_##S(const T *x, int64_t rows, int64_t R,       \
                                     int op, T *out, double *part, int par)     \
{                                                                               \
    int64_t nb = rt_cdiv(R, RT_SEG), ntasks = rows * nb;                        \
    /* Static schedule: each thread streams one contiguous range, which         \
     * measured faster at DRAM speed than dynamic chunks. */                    \
    _Pragma("omp parallel if(par)")                                             \
    {                                                                           \
        if (nb == 1 && op == RT_SUM) {  /* the common case, kept lean */        \
            _Pragma("omp for schedule(static) nowait")                          \
            for (int64_t row = 0; row < rows; row++)                            \
                out[row] = (T)rt_seg_sum_##S(x + row * R, R);                   \
        } else {                                                                \
            _Pragma("omp for schedule(static) nowait")                          \
            for (int64_t t = 0; t < ntasks; t++) {                              \
                int64_t row = t / nb, b = t % nb;                               \
                int64_t start = b * RT_SEG;                                     \
                int64_t len = R - start < RT_SEG ? R - start : RT_SEG;          \
                const T *p = x + row * R + start;                               \
                double r = op == RT_SUM ? rt_seg_sum_##S(p, len)                \
                                        : rt_seg_prod_##S(p, len);              \
                if (nb == 1) out[row] = (T)r; else part[t] = r;                 \
            }                                                                   \
        }                                                                       \
    }                                                                           \
}                                                                               \
                                                                                \
RT_CLONES static void rt_rows_ext_##S(const T *x, int64_t rows, int64_t R,      \
                                      int is_max, T *out, int64_t *oidx,        \
                                      T *pval, int64_t *pidx, int par)          \
{                                                                               \
    int64_t nb = rt_cdiv(R, RT_SEG), ntasks = rows * nb;                        \
    _Pragma("omp parallel if(par)")                                             \
    {                                                                           \
        int64_t t0, t1;                                                         \
        rt_my_range(ntasks, &t0, &t1);                                          \
        for (int64_t t = t0; t < t1; t++) {                                     \
            int64_t row = t / nb, b = t % nb;                                   \
            int64_t start = b * RT_SEG;                                         \
            int64_t len = R - start < RT_SEG ? R - start : RT_SEG;              \
            T v; int64_t k;                                                     \
            rt_seg_ext_##S(x + row * R + start, len, is_max, &v, &k);           \
            if (nb == 1) {                                                      \
                if (out) out[row] = v;                                          \
                if (oidx) oidx[row] = k;                                        \
            } else {                                                            \
                pval[t] = v; pidx[t] = start + k;                               \
            }                                                                   \
        }                                                                       \
    }                                                                           \
}                                                                               \
                                                                                \
/* ---- inner > 1: accumulate whole inner rows ------------------------------ */ \
                                                                                \
/* Rows [r0, r1) of one (outer, chunk): sum/prod into a double chunk. */        \
RT_INLINE void rt_chunk_sp_##S(const T *x, int64_t inner, int64_t r0,           \
                               int64_t r1, int64_t w, int op, double *acc)      \
{                                                                               \
    double init = op == RT_SUM ? 0.0 : 1.0;                                     \
    for (int64_t j = 0; j < w; j++) acc[j] = init;                              \
    if (op == RT_SUM) {                                                         \
        for (int64_t r = r0; r < r1; r++) {                                     \
            const T *xr = x + r * inner;                                        \
            _Pragma("omp simd")                                                 \
            for (int64_t j = 0; j < w; j++) acc[j] += (double)xr[j];            \
        }                                                                       \
    } else {                                                                    \
        for (int64_t r = r0; r < r1; r++) {                                     \
            const T *xr = x + r * inner;                                        \
            _Pragma("omp simd")                                                 \
            for (int64_t j = 0; j < w; j++) acc[j] *= (double)xr[j];            \
        }                                                                       \
    }                                                                           \
}                                                                               \
                                                                                \
/* Rows [r0, r1) of one (outer, chunk): running max/min and first index. */     \
RT_INLINE void rt_chunk_ext_##S(const T *x, int64_t inner, int64_t r0,          \
                                int64_t r1, int64_t w, int is_max,              \
                                T *m, int64_t *mi)                              \
{                                                                               \
    const T *x0 = x + r0 * inner;                                               \
    for (int64_t j = 0; j < w; j++) { m[j] = x0[j]; mi[j] = r0; }               \
    for (int64_t r = r0 + 1; r < r1; r++) {                                     \
        const T *xr = x + r * inner;                                            \
        if (is_max) {                                                           \
            _Pragma("omp simd")                                                 \
            for (int64_t j = 0; j < w; j++) {                                   \
                T v = xr[j], b = m[j];                                          \
                /* take v if larger, or if v is the first NaN */                \
                int take = (v > b) | ((v != v) & (b == b));                     \
                m[j] = take ? v : b;                                            \
                mi[j] = take ? r : mi[j];                                       \
            }                                                                   \
        } else {                                                                \
            _Pragma("omp simd")                                                 \
            for (int64_t j = 0; j < w; j++) {                                   \
                T v = xr[j], b = m[j];                                          \
                int take = (v < b) | ((v != v) & (b == b));                     \
                m[j] = take ? v : b;                                            \
                mi[j] = take ? r : mi[j];                                       \
            }                                                                   \
        }                                                                       \
    }                                                                           \
}                                                                               \
                                                                                \
/* Tasks (o, chunk c, R block k).  nrb == 1: write out directly; else write     \
 * partials laid out [(o * nrb + k) * inner + j]. */                            \
RT_CLONES static void rt_inner_##S(const T *x, int64_t outer, int64_t R,        \
                                   int64_t inner, int64_t nrb, int op,          \
                                   T *out, int64_t *oidx, double *psum,         \
                                   T *pval, int64_t *pidx, int par)             \
{                                                                               \
    int64_t nc = rt_cdiv(inner, RT_ICHUNK);                                     \
    int64_t rpb = rt_cdiv(R, nrb);  /* rows per R block */                      \
    int64_t ntasks = outer * nc * nrb;                                          \
    _Pragma("omp parallel if(par)")                                             \
    {                                                                           \
        double dacc[RT_ICHUNK];                                                 \
        T macc[RT_ICHUNK];                                                      \
        int64_t iacc[RT_ICHUNK];                                                \
        int64_t t0, t1;                                                         \
        rt_my_range(ntasks, &t0, &t1);                                          \
        for (int64_t t = t0; t < t1; t++) {                                     \
            int64_t o = t / (nc * nrb), rem = t % (nc * nrb);                   \
            int64_t c = rem / nrb, k = rem % nrb;                               \
            int64_t j0 = c * RT_ICHUNK;                                         \
            int64_t w = inner - j0 < RT_ICHUNK ? inner - j0 : RT_ICHUNK;        \
            int64_t r0 = k * rpb, r1 = r0 + rpb < R ? r0 + rpb : R;             \
            const T *xo = x + o * R * inner + j0;                               \
            if (r0 >= r1) {  /* possible only for trailing empty blocks */      \
                if (op == RT_SUM || op == RT_PROD) {                            \
                    double *d = psum + (o * nrb + k) * inner + j0;              \
                    for (int64_t j = 0; j < w; j++)                             \
                        d[j] = op == RT_SUM ? 0.0 : 1.0;                        \
                } else {                                                        \
                    /* an empty block never wins: copy nothing, mark index */   \
                    int64_t *di = pidx + (o * nrb + k) * inner + j0;            \
                    for (int64_t j = 0; j < w; j++) di[j] = -1;                 \
                }                                                               \
                continue;                                                       \
            }                                                                   \
            if (op == RT_SUM || op == RT_PROD) {                                \
                rt_chunk_sp_##S(xo, inner, r0, r1, w, op, dacc);                \
                if (nrb == 1) {                                                 \
                    T *d = out + o * inner + j0;                                \
                    for (int64_t j = 0; j < w; j++) d[j] = (T)dacc[j];          \
                } else {                                                        \
                    memcpy(psum + (o * nrb + k) * inner + j0, dacc,             \
                           w * sizeof(double));                                 \
                }                                                               \
            } else {                                                            \
                rt_chunk_ext_##S(xo, inner, r0, r1, w, op == RT_MAX,            \
                                 macc, iacc);                                   \
                if (nrb == 1) {                                                 \
                    if (out) memcpy(out + o * inner + j0, macc, w * sizeof(T)); \
                    if (oidx) memcpy(oidx + o * inner + j0, iacc,               \
                                     w * sizeof(int64_t));                      \
                } else {                                                        \
                    int64_t base = (o * nrb + k) * inner + j0;                  \
                    memcpy(pval + base, macc, w * sizeof(T));                   \
                    memcpy(pidx + base, iacc, w * sizeof(int64_t));             \
                }                                                               \
            }                                                                   \
        }                                                                       \
    }                                                                           \
}                                                                               \
                                                                                \
/* Entry point.  op: RT_SUM/PROD/MAX/MIN.  out may be NULL for argmax/argmin;   \
 * oidx may be NULL for sum/prod and value-only max/min.  R >= 1 for MAX/MIN    \
 * (the caller checks).  Returns 0, or -1 when a scratch buffer could not be    \
 * allocated. */                                                                \
static int rt_reduce_##S(const T *x, int64_t outer, int64_t R, int64_t inner,   \
                         int op, T *out, int64_t *oidx)                         \
{                                                                               \
    int64_t nout = outer * inner;                                               \
    if (nout == 0) return 0;                                                    \
    if (R == 0) {  /* only sum/prod get here */                                 \
        for (int64_t i = 0; i < nout; i++) out[i] = op == RT_SUM ? 0 : 1;       \
        return 0;                                                               \
    }                                                                           \
    int par = nout * R >= RT_PAR_MIN;                                           \
    int is_sp = op == RT_SUM || op == RT_PROD;                                  \
    if (inner == 1) {                                                           \
        int64_t rows = outer, nb = rt_cdiv(R, RT_SEG), nt = rows * nb;          \
        if (nb == 1) {                                                          \
            if (is_sp) rt_rows_sp_##S(x, rows, R, op, out, NULL, par);          \
            else rt_rows_ext_##S(x, rows, R, op == RT_MAX, out, oidx,           \
                                 NULL, NULL, par);                              \
            return 0;                                                           \
        }                                                                       \
        if (is_sp) {                                                            \
            double *part = (double *)malloc(nt * sizeof(double));               \
            if (!part) return -1;                                               \
            rt_rows_sp_##S(x, rows, R, op, out, part, par);                     \
            for (int64_t row = 0; row < rows; row++) {                          \
                const double *p = part + row * nb;                              \
                double r = p[0];                                                \
                if (op == RT_SUM) for (int64_t b = 1; b < nb; b++) r += p[b];   \
                else for (int64_t b = 1; b < nb; b++) r *= p[b];                \
                out[row] = (T)r;                                                \
            }                                                                   \
            free(part);                                                         \
        } else {                                                                \
            T *pval = (T *)malloc(nt * sizeof(T));                              \
            int64_t *pidx = (int64_t *)malloc(nt * sizeof(int64_t));            \
            if (!pval || !pidx) { free(pval); free(pidx); return -1; }          \
            int is_max = op == RT_MAX;                                          \
            rt_rows_ext_##S(x, rows, R, is_max, NULL, NULL, pval, pidx, par);   \
            for (int64_t row = 0; row < rows; row++) {                          \
                const T *pv = pval + row * nb;                                  \
                const int64_t *pi = pidx + row * nb;                            \
                int64_t best = 0;                                               \
                for (int64_t b = 1; b < nb; b++)                                \
                    if (rt_better_##S(pv[b], pv[best], is_max)) best = b;       \
                if (out) out[row] = pv[best];                                   \
                if (oidx) oidx[row] = pi[best];                                 \
            }                                                                   \
            free(pval); free(pidx);                                             \
        }                                                                       \
        return 0;                                                               \
    }                                                                           \
    /* inner > 1: split R only when (outer, chunk) tasks are too few. */        \
    int64_t nc = rt_cdiv(inner, RT_ICHUNK), base_tasks = outer * nc;            \
    int64_t nrb = 1;                                                            \
    if (par && base_tasks < RT_MIN_TASKS) {                                     \
        nrb = rt_cdiv(RT_MIN_TASKS, base_tasks);                                \
        int64_t maxb = R / RT_MIN_RROWS;                                        \
        if (nrb > maxb) nrb = maxb;                                             \
        if (nrb < 1) nrb = 1;                                                   \
    }                                                                           \
    if (nrb == 1) {                                                             \
        rt_inner_##S(x, outer, R, inner, 1, op, out, oidx, NULL, NULL, NULL,    \
                     par);                                                      \
        return 0;                                                               \
    }                                                                           \
    int64_t np = outer * nrb * inner;                                           \
    if (is_sp) {                                                                \
        double *psum = (double *)malloc(np * sizeof(double));                   \
        if (!psum) return -1;                                                   \
        rt_inner_##S(x, outer, R, inner, nrb, op, out, oidx, psum, NULL, NULL,  \
                     par);                                                      \
        for (int64_t o = 0; o < outer; o++)                                     \
            for (int64_t j = 0; j < inner; j++) {                               \
                const double *p = psum + o * nrb * inner + j;                   \
                double r = p[0];                                                \
                if (op == RT_SUM)                                               \
                    for (int64_t k = 1; k < nrb; k++) r += p[k * inner];        \
                else                                                            \
                    for (int64_t k = 1; k < nrb; k++) r *= p[k * inner];        \
                out[o * inner + j] = (T)r;                                      \
            }                                                                   \
        free(psum);                                                             \
    } else {                                                                    \
        T *pval = (T *)malloc(np * sizeof(T));                                  \
        int64_t *pidx = (int64_t *)malloc(np * sizeof(int64_t));                \
        if (!pval || !pidx) { free(pval); free(pidx); return -1; }              \
        int is_max = op == RT_MAX;                                              \
        rt_inner_##S(x, outer, R, inner, nrb, op, NULL, NULL, NULL, pval, pidx, \
                     par);                                                      \
        for (int64_t o = 0; o < outer; o++)                                     \
            for (int64_t j = 0; j < inner; j++) {                               \
                int64_t b0 = o * nrb * inner + j, best = b0;                    \
                for (int64_t k = 1; k < nrb; k++) {                             \
                    int64_t b = b0 + k * inner;                                 \
                    if (pidx[b] >= 0 && rt_better_##S(pval[b], pval[best],      \
                                                      is_max))                  \
                        best = b;                                               \
                }                                                               \
                if (out) out[o * inner + j] = pval[best];                       \
                if (oidx) oidx[o * inner + j] = pidx[best];                     \
            }                                                                   \
        free(pval); free(pidx);                                                 \
    }                                                                           \
    return 0;                                                                   \
}                                                                               \
                                                                                \
/* ---- scans: cumsum / cumprod, accumulated in double ---------------------- */ \
RT_CLONES static void rt_scan_##S(const T *x, int64_t outer, int64_t R,         \
                                  int64_t inner, int op, T *out)                \
{                                                                               \
    int par = outer * R * inner >= RT_PAR_MIN;                                  \
    if (inner == 1) {                                                           \
        _Pragma("omp parallel for schedule(static) if(par)")                    \
        for (int64_t o = 0; o < outer; o++) {                                   \
            const T *xr = x + o * R;                                            \
            T *yr = out + o * R;                                                \
            double a = op == RT_CUMSUM ? 0.0 : 1.0;                             \
            if (op == RT_CUMSUM)                                                \
                for (int64_t r = 0; r < R; r++) { a += xr[r]; yr[r] = (T)a; }   \
            else                                                                \
                for (int64_t r = 0; r < R; r++) { a *= xr[r]; yr[r] = (T)a; }   \
        }                                                                       \
        return;                                                                 \
    }                                                                           \
    int64_t nc = rt_cdiv(inner, RT_ICHUNK), ntasks = outer * nc;                \
    _Pragma("omp parallel if(par)")                                             \
    {                                                                           \
        double acc[RT_ICHUNK];                                                  \
        int64_t t0, t1;                                                         \
        rt_my_range(ntasks, &t0, &t1);                                          \
        for (int64_t t = t0; t < t1; t++) {                                     \
            int64_t o = t / nc, j0 = (t % nc) * RT_ICHUNK;                      \
            int64_t w = inner - j0 < RT_ICHUNK ? inner - j0 : RT_ICHUNK;        \
            const T *xo = x + o * R * inner + j0;                               \
            T *yo = out + o * R * inner + j0;                                   \
            for (int64_t j = 0; j < w; j++)                                     \
                acc[j] = op == RT_CUMSUM ? 0.0 : 1.0;                           \
            for (int64_t r = 0; r < R; r++) {                                   \
                const T *xr = xo + r * inner;                                   \
                T *yr = yo + r * inner;                                         \
                if (op == RT_CUMSUM) {                                          \
                    _Pragma("omp simd")                                         \
                    for (int64_t j = 0; j < w; j++) {                           \
                        acc[j] += xr[j]; yr[j] = (T)acc[j];                     \
                    }                                                           \
                } else {                                                        \
                    _Pragma("omp simd")                                         \
                    for (int64_t j = 0; j < w; j++) {                           \
                        acc[j] *= xr[j]; yr[j] = (T)acc[j];                     \
                    }                                                           \
                }                                                               \
            }                                                                   \
        }                                                                       \
    }                                                                           \
}

RT_DEFINE_REDUCE(float, f32)
RT_DEFINE_REDUCE(double, f64)

#endif /* RUSTORCH_REDUCE_H */
