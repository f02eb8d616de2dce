/* Layer normalization over the rows of a C-contiguous (M, D) array, forward
 * and backward, fused: each row is read once per pass (it stays in cache
 * between its reductions and its writes), where the composed form makes a
 * dozen passes over memory.  Called from norm.pyx, which has checked every
 * shape, dtype and contiguity condition; nothing here validates arguments.
 *
 * Rows are the parallel tasks.  Row sums are taken in double (float32
 * inputs too), the variance in two passes (the mean first, then the squared
 * deviations), so a large mean costs no accuracy.  The weight and bias
 * gradients are column sums over all rows: each thread adds its rows into
 * its own double accumulators, which are then added in thread order.
 */
#ifndef RUSTORCH_NORM_H
#define RUSTORCH_NORM_H

#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "simd.h"

#define RT_NORM_PAR_MIN 32768    /* fewer elements than this: one thread */

static inline int rt_norm_threads(int64_t n)
{
#ifdef _OPENMP
    return n > RT_NORM_PAR_MIN ? omp_get_max_threads() : 1;
#else
    (void)n;
    return 1;
#endif
}

static inline int rt_norm_thread(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

#define RT_DEFINE_NORM(T, S)                                                    \
                                                                                \
/* y = (x - mean) * rstd * w + b per row (w, b may be NULL); mean and rstd      \
 * (M values each) receive each row's mean and 1 / sqrt(var + eps). */          \
RT_CLONES void rt_layer_norm_##S(const T *x, int64_t M, int64_t D, const T *w,  \
                                 const T *b, double eps, T *y, T *mean,          \
                                 T *rstd)                                        \
{                                                                               \
    int nt = rt_norm_threads(M * D);                                            \
    _Pragma("omp parallel for schedule(static) num_threads(nt)")                \
    for (int64_t r = 0; r < M; r++) {                                           \
        const T *xr = x + r * D;                                                \
        T *yr = y + r * D;                                                      \
        double s = 0, v = 0;                                                    \
        _Pragma("omp simd reduction(+:s)")                                      \
        for (int64_t j = 0; j < D; j++) s += xr[j];                             \
        double mu = D ? s / D : 0.0;                                            \
        _Pragma("omp simd reduction(+:v)")                                      \
        for (int64_t j = 0; j < D; j++) {                                       \
            double d = xr[j] - mu;                                              \
            v += d * d;                                                         \
        }                                                                       \
        double rs = 1.0 / sqrt((D ? v / D : 0.0) + eps);                        \
        mean[r] = (T)mu;                                                        \
        rstd[r] = (T)rs;                                                        \
        const T m = (T)mu, k = (T)rs;                                           \
        if (w && b) {                                                           \
            _Pragma("omp simd")                                                 \
            for (int64_t j = 0; j < D; j++) yr[j] = (xr[j] - m) * k * w[j] + b[j]; \
        } else if (w) {                                                         \
            _Pragma("omp simd")                                                 \
            for (int64_t j = 0; j < D; j++) yr[j] = (xr[j] - m) * k * w[j];     \
        } else if (b) {                                                         \
            _Pragma("omp simd")                                                 \
            for (int64_t j = 0; j < D; j++) yr[j] = (xr[j] - m) * k + b[j];     \
        } else {                                                                \
            _Pragma("omp simd")                                                 \
            for (int64_t j = 0; j < D; j++) yr[j] = (xr[j] - m) * k;            \
        }                                                                       \
    }                                                                           \
}                                                                               \
                                                                                \
/* Gradients of rt_layer_norm for the output gradient g (M, D), from x and      \
 * the forward's mean and rstd; any of dx (M, D), dw and db (D) may be NULL,    \
 * and w (NULL: ones).  With xhat = (x - mean) * rstd and gw = g * w:           \
 *   dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat))   per row             \
 *   dw = sum over rows of g * xhat,  db = sum over rows of g.                  \
 * One loop over a row takes its two sums (and adds into the thread's dw, db    \
 * accumulators), a second writes dx.  Returns -1 when the scratch memory       \
 * cannot be allocated, else 0. */                                              \
RT_CLONES int rt_layer_norm_backward_##S(const T *g, const T *x, const T *mean, \
                                         const T *rstd, const T *w, int64_t M,  \
                                         int64_t D, T *dx, T *dw, T *db)         \
{                                                                               \
    int nt = rt_norm_threads(M * D);                                            \
    int64_t width = D ? D : 1;                                                  \
    /* per thread: dw and db accumulators (double), then ones for a NULL w */   \
    size_t bytes = (size_t)nt * 2 * width * sizeof(double) + (size_t)width * sizeof(T); \
    double *acc = (double *)calloc(1, bytes);                                   \
    if (!acc) return -1;                                                        \
    T *ones = (T *)(acc + (int64_t)nt * 2 * width);                             \
    if (!w) {                                                                   \
        for (int64_t j = 0; j < D; j++) ones[j] = 1;                            \
        w = ones;                                                               \
    }                                                                           \
    const int sums = dw || db;                                                  \
    _Pragma("omp parallel num_threads(nt)")                                     \
    {                                                                           \
        double *aw = acc + (int64_t)rt_norm_thread() * 2 * width;               \
        double *ab = aw + width;                                                \
        _Pragma("omp for schedule(static)")                                     \
        for (int64_t r = 0; r < M; r++) {                                       \
            const T *gr = g + r * D, *xr = x + r * D;                           \
            const T m = mean[r], k = rstd[r];                                   \
            double a = 0, c = 0;                                                \
            if (sums) {                                                         \
                _Pragma("omp simd reduction(+:a,c)")                            \
                for (int64_t j = 0; j < D; j++) {                               \
                    const T xh = (xr[j] - m) * k;                               \
                    const double gw = (double)gr[j] * w[j];                     \
                    a += gw;                                                    \
                    c += gw * xh;                                               \
                    aw[j] += (double)gr[j] * xh;                                \
                    ab[j] += gr[j];                                             \
                }                                                               \
            } else {                                                            \
                _Pragma("omp simd reduction(+:a,c)")                            \
                for (int64_t j = 0; j < D; j++) {                               \
                    const double gw = (double)gr[j] * w[j];                     \
                    a += gw;                                                    \
                    c += gw * ((xr[j] - m) * k);                                \
                }                                                               \
            }                                                                   \
            if (dx) {                                                           \
                T *dr = dx + r * D;                                             \
                const T ma = (T)(a / D), mc = (T)(c / D);                       \
                _Pragma("omp simd")                                             \
                for (int64_t j = 0; j < D; j++)                                 \
                    dr[j] = k * (gr[j] * w[j] - ma - (xr[j] - m) * k * mc);     \
            }                                                                   \
        }                                                                       \
    }                                                                           \
    if (sums) {                                                                 \
        for (int64_t j = 0; j < D; j++) {                                       \
            double sw = 0, sb = 0;                                              \
            for (int t = 0; t < nt; t++) {                                      \
                sw += acc[(int64_t)t * 2 * width + j];                          \
                sb += acc[(int64_t)t * 2 * width + width + j];                  \
            }                                                                   \
            if (dw) dw[j] = (T)sw;                                              \
            if (db) db[j] = (T)sb;                                              \
        }                                                                       \
    }                                                                           \
    free(acc);                                                                  \
    return 0;                                                                   \
}

RT_DEFINE_NORM(float, f32)
RT_DEFINE_NORM(double, f64)

#endif /* RUSTORCH_NORM_H */
