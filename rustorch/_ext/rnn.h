/* One LSTM time step's elementwise work, forward and backward, fused: the
 * recurrent layers run one GEMM per step and then this, where the composed
 * form makes seven (forward) or five (backward) passes over small blocks
 * scattered in memory.  Called from rnn.pyx, which has checked every shape,
 * dtype and layout condition; nothing here validates arguments.
 *
 * Every array is a (rows, n) block whose rows are `n` contiguous values a
 * row stride apart (a column slice of a feature-major matrix).  The gate
 * blocks have 4H rows: input, forget, cell and output gates (torch's order
 * i, f, g, o), each H rows.  Rows are the parallel tasks.
 *
 *   forward:  i, f, o = sigmoid(pre + xp), g = tanh(pre + xp)   (per gate)
 *             c = f * c_prev + i * g,  tc = tanh(c),  h = o * tc
 *   backward: dc' = dc + dh * o * (1 - tc^2)
 *             d(pre)_i = dc' * g * i (1 - i)     d(pre)_f = dc' * c_prev * f (1 - f)
 *             d(pre)_g = dc' * i * (1 - g^2)     d(pre)_o = dh * tc * o (1 - o)
 *             dc_prev = dc' * f
 */
#ifndef RUSTORCH_RNN_H
#define RUSTORCH_RNN_H

#include <stdint.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "simd.h"

#define RT_RNN_PAR_MIN 8192     /* fewer gate values than this: one thread */

static inline int rt_rnn_threads(int64_t n)
{
#ifdef _OPENMP
    return n > RT_RNN_PAR_MIN ? omp_get_max_threads() : 1;
#else
    (void)n;
    return 1;
#endif
}

#define RT_DEFINE_LSTM(T, S, EXP, TANH)                                         \
                                                                                \
RT_CLONES void rt_lstm_cell_##S(int64_t H, int64_t n,                           \
        const T *pre, int64_t pre_s, const T *xp, int64_t xp_s,                 \
        const T *c_prev, int64_t cp_s, T *gates, int64_t g_s,                   \
        T *c, int64_t c_s, T *tc, int64_t tc_s, T *h, int64_t h_s)              \
{                                                                               \
    _Pragma("omp parallel for schedule(static) num_threads(rt_rnn_threads(4 * H * n))") \
    for (int64_t r = 0; r < H; r++) {                                           \
        const T *pi = pre + r * pre_s, *pf = pi + H * pre_s;                    \
        const T *pg = pf + H * pre_s, *po = pg + H * pre_s;                     \
        const T *xi = xp + r * xp_s, *xf = xi + H * xp_s;                       \
        const T *xg = xf + H * xp_s, *xo = xg + H * xp_s;                       \
        T *gi = gates + r * g_s, *gf = gi + H * g_s;                            \
        T *gg = gf + H * g_s, *go = gg + H * g_s;                               \
        const T *cpr = c_prev + r * cp_s;                                       \
        T *cr = c + r * c_s, *tr = tc + r * tc_s, *hr = h + r * h_s;            \
        _Pragma("omp simd")                                                     \
        for (int64_t j = 0; j < n; j++) {                                       \
            T i = (T)1 / ((T)1 + EXP(-(pi[j] + xi[j])));                        \
            T f = (T)1 / ((T)1 + EXP(-(pf[j] + xf[j])));                        \
            T g = TANH(pg[j] + xg[j]);                                          \
            T o = (T)1 / ((T)1 + EXP(-(po[j] + xo[j])));                        \
            T cc = f * cpr[j] + i * g;                                          \
            T t = TANH(cc);                                                     \
            gi[j] = i; gf[j] = f; gg[j] = g; go[j] = o;                         \
            cr[j] = cc; tr[j] = t; hr[j] = o * t;                               \
        }                                                                       \
    }                                                                           \
}                                                                               \
                                                                                \
RT_CLONES void rt_lstm_cell_backward_##S(int64_t H, int64_t n,                  \
        const T *dh, int64_t dh_s, const T *dc, int64_t dc_s,                   \
        const T *gates, int64_t g_s, const T *c_prev, int64_t cp_s,             \
        const T *tc, int64_t tc_s, T *dgates, int64_t dg_s,                     \
        T *dc_prev, int64_t dcp_s)                                              \
{                                                                               \
    _Pragma("omp parallel for schedule(static) num_threads(rt_rnn_threads(4 * H * n))") \
    for (int64_t r = 0; r < H; r++) {                                           \
        const T *gi = gates + r * g_s, *gf = gi + H * g_s;                      \
        const T *gg = gf + H * g_s, *go = gg + H * g_s;                         \
        T *di = dgates + r * dg_s, *df = di + H * dg_s;                         \
        T *dg = df + H * dg_s, *dout = dg + H * dg_s;                           \
        const T *dhr = dh + r * dh_s, *dcr = dc + r * dc_s;                     \
        const T *cpr = c_prev + r * cp_s, *tr = tc + r * tc_s;                  \
        T *dcpr = dc_prev + r * dcp_s;                                          \
        _Pragma("omp simd")                                                     \
        for (int64_t j = 0; j < n; j++) {                                       \
            T i = gi[j], f = gf[j], g = gg[j], o = go[j], t = tr[j];            \
            T d_h = dhr[j];                                                     \
            T d_c = dcr[j] + d_h * o * ((T)1 - t * t);                          \
            di[j] = d_c * g * i * ((T)1 - i);                                   \
            df[j] = d_c * cpr[j] * f * ((T)1 - f);                              \
            dg[j] = d_c * i * ((T)1 - g * g);                                   \
            dout[j] = d_h * t * o * ((T)1 - o);                                 \
            dcpr[j] = d_c * f;                                                  \
        }                                                                       \
    }                                                                           \
}

RT_DEFINE_LSTM(float, f32, expf, tanhf)
RT_DEFINE_LSTM(double, f64, exp, tanh)

#endif /* RUSTORCH_RNN_H */
