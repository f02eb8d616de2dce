/* softmax and log_softmax over the middle dim of a C-contiguous
 * (outer, n, inner) array, forward and backward, fused: each slice is read
 * once per pass while it is in cache, where the composed form makes five
 * passes over memory.  Called from softmax.pyx, which has checked every
 * shape, dtype and contiguity condition; nothing here validates arguments.
 *
 * The forward subtracts each slice's maximum before exp() (no overflow) and
 * sums in double.  inner == 1 (the last dim) runs along contiguous rows;
 * otherwise a slice is n rows of `inner` contiguous values, handled
 * `inner` at a time with per-thread accumulators.  Outer slices are the
 * parallel tasks.
 *
 *   softmax:          y = exp(x - max) / sum(exp(x - max))
 *   log_softmax:      y = (x - max) - log(sum(exp(x - max)))
 *   softmax grad:     dx = y * (g - sum(g * y))
 *   log_softmax grad: dx = g - exp(y) * sum(g)
 */
#ifndef RUSTORCH_SOFTMAX_H
#define RUSTORCH_SOFTMAX_H

#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "simd.h"

#define RT_SOFTMAX_PAR_MIN 32768    /* fewer elements than this: one thread */

static inline int rt_softmax_threads(int64_t n)
{
#ifdef _OPENMP
    return n > RT_SOFTMAX_PAR_MIN ? omp_get_max_threads() : 1;
#else
    (void)n;
    return 1;
#endif
}

#define RT_DEFINE_SOFTMAX(T, S, EXP)                                            \
                                                                                \
/* y = softmax(x) (log_softmax when log_space) over the middle dim; returns -1  \
 * when the accumulators cannot be allocated, else 0. */                        \
RT_CLONES int rt_softmax_##S(const T *x, T *y, int64_t outer, int64_t n,        \
                             int64_t inner, int log_space)                      \
{                                                                               \
    int nt = rt_softmax_threads(outer * n * inner);                             \
    int failed = 0;                                                             \
    if (inner == 1) {                                                           \
        _Pragma("omp parallel for schedule(static) num_threads(nt)")            \
        for (int64_t r = 0; r < outer; r++) {                                   \
            const T *xr = x + r * n;                                            \
            T *yr = y + r * n;                                                  \
            T m = -INFINITY;                                                    \
            _Pragma("omp simd reduction(max:m)")                                \
            for (int64_t j = 0; j < n; j++) m = xr[j] > m ? xr[j] : m;          \
            double s = 0;                                                       \
            if (log_space) {                                                    \
                _Pragma("omp simd reduction(+:s)")                              \
                for (int64_t j = 0; j < n; j++) s += EXP(xr[j] - m);            \
                const T ls = (T)log(s);                                         \
                _Pragma("omp simd")                                             \
                for (int64_t j = 0; j < n; j++) yr[j] = (xr[j] - m) - ls;       \
            } else {                                                            \
                _Pragma("omp simd reduction(+:s)")                              \
                for (int64_t j = 0; j < n; j++) {                               \
                    T e = EXP(xr[j] - m);                                       \
                    yr[j] = e;                                                  \
                    s += e;                                                     \
                }                                                               \
                const T inv = (T)(1.0 / s);                                     \
                _Pragma("omp simd")                                             \
                for (int64_t j = 0; j < n; j++) yr[j] *= inv;                   \
            }                                                                   \
        }                                                                       \
        return 0;                                                               \
    }                                                                           \
    _Pragma("omp parallel num_threads(nt) reduction(|:failed)")                 \
    {                                                                           \
        T *m = (T *)malloc((size_t)inner * sizeof(T));                          \
        double *s = (double *)malloc((size_t)inner * sizeof(double));           \
        failed = !m || !s;                                                      \
        _Pragma("omp for schedule(static)")                                     \
        for (int64_t r = 0; r < outer; r++) {                                   \
            if (failed) continue;                                               \
            const T *xb = x + r * n * inner;                                    \
            T *yb = y + r * n * inner;                                          \
            for (int64_t i = 0; i < inner; i++) { m[i] = -INFINITY; s[i] = 0; } \
            for (int64_t j = 0; j < n; j++) {                                   \
                const T *xr = xb + j * inner;                                   \
                _Pragma("omp simd")                                             \
                for (int64_t i = 0; i < inner; i++) m[i] = xr[i] > m[i] ? xr[i] : m[i]; \
            }                                                                   \
            for (int64_t j = 0; j < n; j++) {                                   \
                const T *xr = xb + j * inner;                                   \
                T *yr = yb + j * inner;                                         \
                _Pragma("omp simd")                                             \
                for (int64_t i = 0; i < inner; i++) {                           \
                    T e = EXP(xr[i] - m[i]);                                    \
                    if (!log_space) yr[i] = e;                                  \
                    s[i] += e;                                                  \
                }                                                               \
            }                                                                   \
            if (log_space) {                                                    \
                for (int64_t i = 0; i < inner; i++) s[i] = log(s[i]);           \
                for (int64_t j = 0; j < n; j++) {                               \
                    const T *xr = xb + j * inner;                               \
                    T *yr = yb + j * inner;                                     \
                    _Pragma("omp simd")                                         \
                    for (int64_t i = 0; i < inner; i++) yr[i] = (xr[i] - m[i]) - (T)s[i]; \
                }                                                               \
            } else {                                                            \
                for (int64_t i = 0; i < inner; i++) s[i] = 1.0 / s[i];          \
                for (int64_t j = 0; j < n; j++) {                               \
                    T *yr = yb + j * inner;                                     \
                    _Pragma("omp simd")                                         \
                    for (int64_t i = 0; i < inner; i++) yr[i] *= (T)s[i];      \
                }                                                               \
            }                                                                   \
        }                                                                       \
        free(m);                                                                \
        free(s);                                                                \
    }                                                                           \
    return failed ? -1 : 0;                                                     \
}                                                                               \
                                                                                \
/* dx from the output gradient g and the forward's result y (see the top);     \
 * returns -1 when the accumulators cannot be allocated, else 0. */             \
RT_CLONES int rt_softmax_backward_##S(const T *g, const T *y, T *dx,           \
                                      int64_t outer, int64_t n, int64_t inner,  \
                                      int log_space)                            \
{                                                                               \
    int nt = rt_softmax_threads(outer * n * inner);                             \
    int failed = 0;                                                             \
    if (inner == 1) {                                                           \
        _Pragma("omp parallel for schedule(static) num_threads(nt)")            \
        for (int64_t r = 0; r < outer; r++) {                                   \
            const T *gr = g + r * n, *yr = y + r * n;                           \
            T *dr = dx + r * n;                                                 \
            double s = 0;                                                       \
            if (log_space) {                                                    \
                _Pragma("omp simd reduction(+:s)")                              \
                for (int64_t j = 0; j < n; j++) s += gr[j];                     \
                const T k = (T)s;                                               \
                _Pragma("omp simd")                                             \
                for (int64_t j = 0; j < n; j++) dr[j] = gr[j] - EXP(yr[j]) * k; \
            } else {                                                            \
                _Pragma("omp simd reduction(+:s)")                              \
                for (int64_t j = 0; j < n; j++) s += gr[j] * yr[j];             \
                const T k = (T)s;                                               \
                _Pragma("omp simd")                                             \
                for (int64_t j = 0; j < n; j++) dr[j] = yr[j] * (gr[j] - k);    \
            }                                                                   \
        }                                                                       \
        return 0;                                                               \
    }                                                                           \
    _Pragma("omp parallel num_threads(nt) reduction(|:failed)")                 \
    {                                                                           \
        double *s = (double *)malloc((size_t)inner * sizeof(double));           \
        failed = !s;                                                            \
        _Pragma("omp for schedule(static)")                                     \
        for (int64_t r = 0; r < outer; r++) {                                   \
            if (failed) continue;                                               \
            const T *gb = g + r * n * inner, *yb = y + r * n * inner;           \
            T *db = dx + r * n * inner;                                         \
            for (int64_t i = 0; i < inner; i++) s[i] = 0;                       \
            for (int64_t j = 0; j < n; j++) {                                   \
                const T *gr = gb + j * inner, *yr = yb + j * inner;             \
                _Pragma("omp simd")                                             \
                for (int64_t i = 0; i < inner; i++) s[i] += log_space ? gr[i] : gr[i] * yr[i]; \
            }                                                                   \
            for (int64_t j = 0; j < n; j++) {                                   \
                const T *gr = gb + j * inner, *yr = yb + j * inner;             \
                T *dr = db + j * inner;                                         \
                if (log_space) {                                                \
                    _Pragma("omp simd")                                         \
                    for (int64_t i = 0; i < inner; i++) dr[i] = gr[i] - EXP(yr[i]) * (T)s[i]; \
                } else {                                                        \
                    _Pragma("omp simd")                                         \
                    for (int64_t i = 0; i < inner; i++) dr[i] = yr[i] * (gr[i] - (T)s[i]); \
                }                                                               \
            }                                                                   \
        }                                                                       \
        free(s);                                                                \
    }                                                                           \
    return failed ? -1 : 0;                                                     \
}

RT_DEFINE_SOFTMAX(float, f32, expf)
RT_DEFINE_SOFTMAX(double, f64, exp)

#endif /* RUSTORCH_SOFTMAX_H */
