/* Convolution (im2col / col2im) and pooling kernels over C-contiguous arrays
 * of "planes": a (N, C, *spatial) tensor is N * C planes of D x H x W elements
 * (1-D and 2-D data take D = H = 1 (and W alone for 1-D), with kernel 1,
 * stride 1, padding 0, dilation 1 on the added dims).  Called from conv.pyx,
 * which has checked every shape, dtype, window and contiguity condition;
 * nothing here validates its arguments.
 *
 * im2col writes one row of cols per (plane, kernel offset): the rows are the
 * parallel tasks, so even a single image with few channels spreads over the
 * threads.  col2im, max/avg pooling and their backward passes write whole
 * planes, so planes are the parallel tasks (no two threads write the same
 * element, and every sum is taken in a fixed order: the results do not
 * depend on the number of threads).
 *
 * Pooling windows are given per spatial dim, for each output position o:
 * first[o] (input position of the first tap inside the input), count[o]
 * (taps inside the input) and one step (the dilation) per dim; the window is
 * the product of the three dims' tap lists.  Taps that fall into the padding
 * are left out by the caller, so the kernels never test bounds.  An average
 * divides by div0[od] * div1[oh] * div2[ow] (the caller's divisor factors).
 *
 * Max pooling follows torch: NaN wins (the last NaN of the window), ties keep
 * the first maximum, and an index is the flat position in the input plane.
 */
#ifndef RUSTORCH_CONV_H
#define RUSTORCH_CONV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "simd.h"

#define RT_CONV_PAR_MIN 32768    /* fewer elements read and written than this: one thread */

typedef struct {
    int64_t in_[3];   /* input plane (D, H, W) */
    int64_t out[3];   /* output positions (D, H, W) */
    int64_t k[3];     /* kernel */
    int64_t s[3];     /* stride */
    int64_t p[3];     /* padding before the data */
    int64_t d[3];     /* dilation */
} rt_conv_geom;

typedef struct {
    int64_t in_[3];
    int64_t out[3];
    const int64_t *first[3];
    const int64_t *count[3];
    int64_t step[3];
    const double *div[3];   /* NULL for max pooling */
} rt_pool_geom;

/* The outputs o in [*lo, *hi) whose tap o * s + off lies inside [0, n). */
static inline void rt_inside(int64_t off, int64_t s, int64_t n, int64_t out, int64_t *lo, int64_t *hi)
{
    int64_t l = off >= 0 ? 0 : (-off + s - 1) / s;
    int64_t h = n - off <= 0 ? 0 : (n - off + s - 1) / s;
    if (h > out) h = out;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

#define RT_DEFINE_CONV(T, S, I)                                                     \
                                                                                 \
/* cols[c * K + k][o] = x[c][o * s - p + k * d], 0 outside x. */                 \
RT_CLONES void rt_im2col_##S(const T *x, int64_t planes, const rt_conv_geom *g,  \
                             T *cols)                                            \
{                                                                                \
    const int64_t K = g->k[0] * g->k[1] * g->k[2];                               \
    const int64_t L = g->out[0] * g->out[1] * g->out[2];                         \
    const int64_t P = g->in_[0] * g->in_[1] * g->in_[2];                         \
    const int64_t W = g->out[2], sw = g->s[2];                                   \
    _Pragma("omp parallel for schedule(static) if (planes * K * L > RT_CONV_PAR_MIN)") \
    for (int64_t r = 0; r < planes * K; r++) {                                   \
        const int64_t kk = r % K;                                                \
        const int64_t kw = kk % g->k[2], kh = kk / g->k[2] % g->k[1];            \
        const int64_t kd = kk / (g->k[2] * g->k[1]);                             \
        const T *xp = x + (r / K) * P;                                           \
        T *o = cols + r * L;                                                     \
        const int64_t offw = kw * g->d[2] - g->p[2];                             \
        int64_t lo, hi;                                                          \
        rt_inside(offw, sw, g->in_[2], W, &lo, &hi);                             \
        for (int64_t od = 0; od < g->out[0]; od++) {                             \
            const int64_t id = od * g->s[0] - g->p[0] + kd * g->d[0];            \
            for (int64_t oh = 0; oh < g->out[1]; oh++, o += W) {                 \
                const int64_t ih = oh * g->s[1] - g->p[1] + kh * g->d[1];        \
                if (id < 0 || id >= g->in_[0] || ih < 0 || ih >= g->in_[1]) {    \
                    memset(o, 0, W * sizeof(T));                                 \
                    continue;                                                    \
                }                                                                \
                const T *xr = xp + (id * g->in_[1] + ih) * g->in_[2];            \
                for (int64_t ow = 0; ow < lo; ow++) o[ow] = 0;                   \
                if (sw == 1)                                                     \
                    memcpy(o + lo, xr + lo + offw, (hi - lo) * sizeof(T));       \
                else                                                             \
                    for (int64_t ow = lo; ow < hi; ow++) o[ow] = xr[ow * sw + offw]; \
                for (int64_t ow = hi; ow < W; ow++) o[ow] = 0;                   \
            }                                                                    \
        }                                                                        \
    }                                                                            \
}                                                                                \
                                                                                 \
/* The adjoint: x[c] = sum of its columns, each added where it was read. */      \
RT_CLONES void rt_col2im_##S(const T *cols, int64_t planes, const rt_conv_geom *g, \
                             T *x)                                               \
{                                                                                \
    const int64_t K = g->k[0] * g->k[1] * g->k[2];                               \
    const int64_t L = g->out[0] * g->out[1] * g->out[2];                         \
    const int64_t P = g->in_[0] * g->in_[1] * g->in_[2];                         \
    const int64_t W = g->out[2], sw = g->s[2];                                   \
    _Pragma("omp parallel for schedule(static) if (planes * K * L > RT_CONV_PAR_MIN)") \
    for (int64_t c = 0; c < planes; c++) {                                       \
        T *xp = x + c * P;                                                       \
        memset(xp, 0, P * sizeof(T));                                            \
        const T *o = cols + c * K * L;                                           \
        for (int64_t kk = 0; kk < K; kk++) {                                     \
            const int64_t kw = kk % g->k[2], kh = kk / g->k[2] % g->k[1];        \
            const int64_t kd = kk / (g->k[2] * g->k[1]);                         \
            const int64_t offw = kw * g->d[2] - g->p[2];                         \
            int64_t lo, hi;                                                      \
            rt_inside(offw, sw, g->in_[2], W, &lo, &hi);                         \
            for (int64_t od = 0; od < g->out[0]; od++) {                         \
                const int64_t id = od * g->s[0] - g->p[0] + kd * g->d[0];        \
                for (int64_t oh = 0; oh < g->out[1]; oh++, o += W) {             \
                    const int64_t ih = oh * g->s[1] - g->p[1] + kh * g->d[1];    \
                    if (id < 0 || id >= g->in_[0] || ih < 0 || ih >= g->in_[1])  \
                        continue;                                                \
                    T *xr = xp + (id * g->in_[1] + ih) * g->in_[2] + offw;       \
                    if (sw == 1) {                                               \
                        _Pragma("omp simd")                                      \
                        for (int64_t ow = lo; ow < hi; ow++) xr[ow] += o[ow];    \
                    } else {                                                     \
                        for (int64_t ow = lo; ow < hi; ow++) xr[ow * sw] += o[ow]; \
                    }                                                            \
                }                                                                \
            }                                                                    \
        }                                                                        \
    }                                                                            \
}                                                                                \
                                                                                 \
/* take ? v : old, as bit masks: GCC compiles the ?: of the window loop below    \
 * into branches, and on data the winner is a coin flip (2x2 windows ran 5x      \
 * slower for the mispredictions). */                                            \
RT_INLINE T rt_select_##S(int take, T v, T old)                                  \
{                                                                                \
    I a, b;                                                                      \
    memcpy(&a, &v, sizeof a);                                                    \
    memcpy(&b, &old, sizeof b);                                                  \
    a = b ^ ((a ^ b) & -(I)take);                                                \
    memcpy(&v, &a, sizeof v);                                                    \
    return v;                                                                    \
}                                                                                \
                                                                                 \
/* The max of one window and its flat index (taps in order: NaN wins, the last   \
 * NaN of the window; ties keep the first maximum). */                           \
RT_INLINE void rt_window_max_##S(const T *xp, const rt_pool_geom *g, int64_t f0, int64_t c0, \
                                 int64_t f1, int64_t c1, int64_t f2, int64_t c2, \
                                 T *y, int64_t *yi)                              \
{                                                                                \
    const int64_t H = g->in_[1], W = g->in_[2];                                  \
    int64_t best_i = (f0 * H + f1) * W + f2;                                     \
    T best = -INFINITY;                                                          \
    for (int64_t a = 0; a < c0; a++)                                             \
        for (int64_t b = 0; b < c1; b++) {                                       \
            const int64_t row = ((f0 + a * g->step[0]) * H + f1 + b * g->step[1]) * W + f2; \
            for (int64_t e = 0; e < c2; e++) {                                   \
                const T v = xp[row + e * g->step[2]];                            \
                const int take = (v > best) | (v != v);                          \
                best = rt_select_##S(take, v, best);                             \
                best_i ^= (best_i ^ (row + e * g->step[2])) & -(int64_t)take;    \
            }                                                                    \
        }                                                                        \
    *y = best;                                                                   \
    *yi = best_i;                                                                \
}                                                                                \
                                                                                 \
/* Max over each window; yi gets the flat index in the plane.  Along W, the      \
 * run [lo, hi) of windows with the most taps (all but the borders, for          \
 * regular windows) is done tap by tap, each tap one SIMD pass of gathers and    \
 * selects over the run; each window still sees its taps in order.  Indices      \
 * are I (int32 for float32: a 16-lane gather takes 32-bit indices) in a         \
 * per-thread row; the other windows go one by one. */                           \
RT_CLONES void rt_maxpool_##S(const T *x, int64_t planes, const rt_pool_geom *g, \
                              T *y, int64_t *yi)                                 \
{                                                                                \
    const int64_t P = g->in_[0] * g->in_[1] * g->in_[2];                         \
    const int64_t L = g->out[0] * g->out[1] * g->out[2];                         \
    const int64_t H = g->in_[1], W = g->in_[2], OW = g->out[2];                  \
    const int64_t *f2 = g->first[2], *c2 = g->count[2];                          \
    int64_t taps2 = 0, lo = 0, hi;                                               \
    for (int64_t ow = 0; ow < OW; ow++)                                          \
        if (c2[ow] > taps2) taps2 = c2[ow];                                      \
    while (lo < OW && c2[lo] != taps2) lo++;                                     \
    for (hi = lo; hi < OW && c2[hi] == taps2; hi++) {}                           \
    _Pragma("omp parallel if (planes * (L + P) > RT_CONV_PAR_MIN)")              \
    {                                                                            \
        I *scratch = (I *)malloc(2 * (hi - lo + 1) * sizeof(I));                 \
        I *ix = scratch, *f2i = scratch + (hi - lo + 1);                         \
        const int64_t run_lo = scratch ? lo : 0, run_hi = scratch ? hi : 0;      \
        for (int64_t ow = run_lo; ow < run_hi; ow++) f2i[ow - run_lo] = (I)f2[ow]; \
        _Pragma("omp for schedule(static)")                                      \
        for (int64_t c = 0; c < planes; c++) {                                   \
            const T *xp = x + c * P;                                             \
            for (int64_t od = 0; od < g->out[0]; od++) {                         \
                const int64_t f0 = g->first[0][od], c0 = g->count[0][od];        \
                for (int64_t oh = 0; oh < g->out[1]; oh++) {                     \
                    const int64_t f1 = g->first[1][oh], c1 = g->count[1][oh];    \
                    T *yr = y + c * L + (od * g->out[1] + oh) * OW;              \
                    int64_t *ir = yi + c * L + (od * g->out[1] + oh) * OW;       \
                    for (int64_t ow = 0; ow < OW; ow++)                          \
                        if (ow < run_lo || ow >= run_hi)                         \
                            rt_window_max_##S(xp, g, f0, c0, f1, c1, f2[ow], c2[ow], yr + ow, ir + ow); \
                    const int64_t n = run_hi - run_lo;                           \
                    T *yv = yr + run_lo;                                         \
                    for (int64_t k = 0; k < n; k++) {                            \
                        yv[k] = -INFINITY;                                       \
                        ix[k] = (I)((f0 * H + f1) * W) + f2i[k];                 \
                    }                                                            \
                    for (int64_t a = 0; a < c0; a++)                             \
                        for (int64_t b = 0; b < c1; b++) {                       \
                            const I row = (I)(((f0 + a * g->step[0]) * H + f1 + b * g->step[1]) * W); \
                            for (int64_t e = 0; e < taps2; e++) {                \
                                const I tap = row + (I)(e * g->step[2]);         \
                                _Pragma("omp simd")                              \
                                for (int64_t k = 0; k < n; k++) {                \
                                    const I j = tap + f2i[k];                    \
                                    const T v = xp[j];                           \
                                    const int take = (v > yv[k]) | (v != v);     \
                                    yv[k] = rt_select_##S(take, v, yv[k]);       \
                                    ix[k] ^= (ix[k] ^ j) & -(I)take;             \
                                }                                                \
                            }                                                    \
                        }                                                        \
                    for (int64_t k = 0; k < n; k++) ir[run_lo + k] = ix[k];      \
                }                                                                \
            }                                                                    \
        }                                                                        \
        free(scratch);                                                           \
    }                                                                            \
}                                                                                \
                                                                                 \
/* Sum over each window divided by the window's divisor; 0 for an empty one. */  \
RT_CLONES void rt_avgpool_##S(const T *x, int64_t planes, const rt_pool_geom *g, \
                              T *y)                                              \
{                                                                                \
    const int64_t P = g->in_[0] * g->in_[1] * g->in_[2];                         \
    const int64_t L = g->out[0] * g->out[1] * g->out[2];                         \
    const int64_t H = g->in_[1], W = g->in_[2];                                  \
    const int64_t s0 = g->step[0], s1 = g->step[1], s2 = g->step[2];             \
    _Pragma("omp parallel for schedule(static) if (planes * (L + P) > RT_CONV_PAR_MIN)") \
    for (int64_t c = 0; c < planes; c++) {                                       \
        const T *xp = x + c * P;                                                 \
        T *yp = y + c * L;                                                       \
        for (int64_t od = 0; od < g->out[0]; od++) {                             \
            const int64_t f0 = g->first[0][od], c0 = g->count[0][od];            \
            for (int64_t oh = 0; oh < g->out[1]; oh++) {                         \
                const int64_t f1 = g->first[1][oh], c1 = g->count[1][oh];        \
                const double d01 = g->div[0][od] * g->div[1][oh];                \
                for (int64_t ow = 0; ow < g->out[2]; ow++) {                     \
                    const int64_t f2 = g->first[2][ow], c2 = g->count[2][ow];    \
                    T sum = 0;                                                   \
                    for (int64_t a = 0; a < c0; a++)                             \
                        for (int64_t b = 0; b < c1; b++) {                       \
                            const T *xr = xp + ((f0 + a * s0) * H + f1 + b * s1) * W + f2; \
                            for (int64_t e = 0; e < c2; e++) sum += xr[e * s2];  \
                        }                                                        \
                    *yp++ = c0 && c1 && c2 ? sum / (T)(d01 * g->div[2][ow]) : 0; \
                }                                                                \
            }                                                                    \
        }                                                                        \
    }                                                                            \
}                                                                                \
                                                                                 \
/* gx[c][yi[c][o]] += gy[c][o] (gx overwritten).  An index outside the plane     \
 * (the max of a window with no tap inside the input is -inf at such an index,   \
 * as in torch) passes no gradient. */                                           \
RT_CLONES void rt_maxpool_backward_##S(const T *gy, const int64_t *yi,           \
                                       int64_t planes, int64_t L, int64_t P,     \
                                       T *gx)                                    \
{                                                                                \
    _Pragma("omp parallel for schedule(static) if (planes * (L + P) > RT_CONV_PAR_MIN)") \
    for (int64_t c = 0; c < planes; c++) {                                       \
        T *gp = gx + c * P;                                                      \
        const T *g = gy + c * L;                                                 \
        const int64_t *ip = yi + c * L;                                          \
        memset(gp, 0, P * sizeof(T));                                            \
        for (int64_t o = 0; o < L; o++) {                                        \
            const int64_t j = ip[o];                                             \
            if ((uint64_t)j < (uint64_t)P) gp[j] += g[o];                        \
        }                                                                        \
    }                                                                            \
}                                                                                \
                                                                                 \
/* The adjoint of rt_avgpool: each output's gradient / divisor goes to its taps. */ \
RT_CLONES void rt_avgpool_backward_##S(const T *gy, int64_t planes,              \
                                       const rt_pool_geom *g, T *gx)             \
{                                                                                \
    const int64_t P = g->in_[0] * g->in_[1] * g->in_[2];                         \
    const int64_t L = g->out[0] * g->out[1] * g->out[2];                         \
    const int64_t H = g->in_[1], W = g->in_[2];                                  \
    const int64_t s0 = g->step[0], s1 = g->step[1], s2 = g->step[2];             \
    _Pragma("omp parallel for schedule(static) if (planes * (L + P) > RT_CONV_PAR_MIN)") \
    for (int64_t c = 0; c < planes; c++) {                                       \
        T *gp = gx + c * P;                                                      \
        const T *gyp = gy + c * L;                                               \
        memset(gp, 0, P * sizeof(T));                                            \
        for (int64_t od = 0; od < g->out[0]; od++) {                             \
            const int64_t f0 = g->first[0][od], c0 = g->count[0][od];            \
            for (int64_t oh = 0; oh < g->out[1]; oh++) {                         \
                const int64_t f1 = g->first[1][oh], c1 = g->count[1][oh];        \
                const double d01 = g->div[0][od] * g->div[1][oh];                \
                for (int64_t ow = 0; ow < g->out[2]; ow++) {                     \
                    const int64_t f2 = g->first[2][ow], c2 = g->count[2][ow];    \
                    const T v = *gyp++ / (T)(d01 * g->div[2][ow]);               \
                    for (int64_t a = 0; a < c0; a++)                             \
                        for (int64_t b = 0; b < c1; b++) {                       \
                            T *xr = gp + ((f0 + a * s0) * H + f1 + b * s1) * W + f2; \
                            for (int64_t e = 0; e < c2; e++) xr[e * s2] += v;    \
                        }                                                        \
                }                                                                \
            }                                                                    \
        }                                                                        \
    }                                                                            \
}

RT_DEFINE_CONV(float, f32, int32_t)
RT_DEFINE_CONV(double, f64, int64_t)

#endif /* RUSTORCH_CONV_H */
