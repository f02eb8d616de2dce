/* Fused optimizer steps: one call updates every parameter of a group (torch's
 * foreach / fused optimizers).  Called from optim.pyx, which has checked
 * every dtype, size and layout condition; nothing here validates arguments.
 *
 * Each kernel takes arrays of pointers, one per tensor (params[i], grads[i]
 * and the state tensors at index i all hold sizes[i] contiguous values), and
 * makes a single pass over them: the composed steps in rustorch/optim read
 * and write whole tensors once per op (Adam: 18 array reads and writes per
 * value, here 7).
 *
 * Threads: the concatenation of all tensors is one flat index range, split
 * evenly over the threads; a thread updates the parts of the tensors its
 * range covers, so a group of one large and many small tensors balances.
 *
 * Arithmetic follows torch's per-parameter (single-tensor) steps op by op,
 * with the scalars rounded to the tensors' dtype as torch does, so that the
 * fused and the composed paths agree to rounding:
 *   lerp(a, b, w) = w < 0.5 ? a + w (b - a) : b - (b - a)(1 - w)   (torch's)
 *   addcmul(x, a, b, v) = x + (v a) b,   addcdiv(x, a, b, v) = x + (v a) / b
 */
#ifndef RUSTORCH_OPTIM_H
#define RUSTORCH_OPTIM_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "simd.h"

#define RT_OPTIM_GRAIN 32768  /* fewer values than this in a group: one thread */

static inline int rt_optim_threads(int64_t total)
{
#ifdef _OPENMP
    return total > RT_OPTIM_GRAIN ? omp_get_max_threads() : 1;
#else
    (void)total;
    return 1;
#endif
}

/* This thread's part [lo, hi) of the flat range [0, total), cut at multiples of 16 values (a cache line of
 * float32) so that two threads never write one line. */
static inline void rt_optim_range(int64_t total, int64_t *lo, int64_t *hi)
{
#ifdef _OPENMP
    int64_t nth = omp_get_num_threads(), tid = omp_get_thread_num();
#else
    int64_t nth = 1, tid = 0;
#endif
    *lo = tid == 0 ? 0 : (total / nth * tid + total % nth * tid / nth) & ~(int64_t)15;
    *hi = tid == nth - 1 ? total : (total / nth * (tid + 1) + total % nth * (tid + 1) / nth) & ~(int64_t)15;
}

static inline int64_t rt_optim_total(int64_t n, const int64_t *sizes)
{
    int64_t total = 0;
    for (int64_t t = 0; t < n; t++)
        total += sizes[t];
    return total;
}

/* Runs the statements (the variadic arguments) once for each piece of tensor t in this thread's range,
 * with `a` the piece's first index and `len` its length.  Used inside a parallel region. */
#define RT_OPTIM_PIECES(n, sizes, total, ...)                                   \
    do {                                                                        \
        int64_t lo_, hi_, base_ = 0;                                            \
        rt_optim_range(total, &lo_, &hi_);                                      \
        for (int64_t t = 0; t < (n) && base_ < hi_; base_ += (sizes)[t], t++) { \
            int64_t a = lo_ > base_ ? lo_ - base_ : 0;                          \
            int64_t end_ = hi_ - base_ < (sizes)[t] ? hi_ - base_ : (sizes)[t]; \
            int64_t len = end_ - a;                                             \
            if (len > 0) {                                                      \
                __VA_ARGS__;                                                    \
            }                                                                   \
        }                                                                       \
    } while (0)

#define RT_DEFINE_OPTIM(T, S, SQRT)                                             \
                                                                                \
static inline T rt_lerp_##S(T a, T b, T w, int small)                           \
{                                                                               \
    return small ? a + w * (b - a) : b - (b - a) * ((T)1 - w);                  \
}                                                                               \
                                                                                \
/* SGD: g = sign grad (+ wd p); buf = fresh ? g : momentum buf + (1 - dampening) g;      \
 * g = nesterov ? g + momentum buf : buf (when momentum); p += -lr g. */        \
RT_INLINE void rt_sgd_span_##S(int64_t n, T *p, const T *grad, T *buf, int fresh,       \
        T sign, T wd, T lr_neg, T mom, T damp1, int nesterov, const int has_buf) \
{                                                                               \
    _Pragma("omp simd")                                                         \
    for (int64_t j = 0; j < n; j++) {                                           \
        T g = sign * grad[j];                                                   \
        if (wd != (T)0) g = g + wd * p[j];                                      \
        if (has_buf) {                                                          \
            T b = fresh ? g : buf[j] * mom + damp1 * g;                         \
            buf[j] = b;                                                         \
            g = nesterov ? g + mom * b : b;                                     \
        }                                                                       \
        p[j] = p[j] + lr_neg * g;                                               \
    }                                                                           \
}                                                                               \
                                                                                \
RT_CLONES void rt_sgd_##S(int64_t n, const int64_t *sizes, T *const *p,          \
        T *const *grad, T *const *buf, const uint8_t *fresh, double maximize_sign, \
        double wd, double lr, double momentum, double dampening, int nesterov)  \
{                                                                               \
    int64_t total = rt_optim_total(n, sizes);                                   \
    T sign = (T)maximize_sign, wdt = (T)wd, lr_neg = (T)(-lr);                  \
    T mom = (T)momentum, damp1 = (T)(1 - dampening);                            \
    _Pragma("omp parallel num_threads(rt_optim_threads(total))")                \
    RT_OPTIM_PIECES(n, sizes, total,                                            \
        if (buf)                                                                \
            rt_sgd_span_##S(len, p[t] + a, grad[t] + a, buf[t] + a, fresh[t],   \
                            sign, wdt, lr_neg, mom, damp1, nesterov, 1);        \
        else                                                                    \
            rt_sgd_span_##S(len, p[t] + a, grad[t] + a, NULL, 0,                \
                            sign, wdt, lr_neg, mom, damp1, nesterov, 0));       \
}                                                                               \
                                                                                \
/* Adam / AdamW: p *= decay (AdamW); g = sign grad (+ wd p, Adam); m = lerp(m, g, 1 - beta1);  \
 * v = beta2 v + ((1 - beta2) g) g; vmax = max(vmax, v) (amsgrad);              \
 * p += (-step_size m) / (sqrt(v or vmax) / bc2_sqrt + eps). */                 \
RT_INLINE void rt_adam_span_##S(int64_t n, T *p, const T *grad, T *m, T *v, T *vmax, \
        T sign, T decay, T wd, T w1, int small, T beta2, T w2, T step_neg,      \
        T bc2_sqrt, T eps, const int amsgrad)                                   \
{                                                                               \
    _Pragma("omp simd")                                                         \
    for (int64_t j = 0; j < n; j++) {                                           \
        T pj = p[j] * decay;                                                    \
        T g = sign * grad[j];                                                   \
        if (wd != (T)0) g = g + wd * pj;                                        \
        T mj = rt_lerp_##S(m[j], g, w1, small);                                 \
        T vj = v[j] * beta2 + (w2 * g) * g;                                     \
        m[j] = mj;                                                              \
        v[j] = vj;                                                              \
        if (amsgrad) {                                                          \
            T mx = vmax[j];                                                     \
            mx = (mx != mx || mx > vj) ? mx : vj; /* NaN wins, as torch.maximum */ \
            vmax[j] = mx;                                                       \
            vj = mx;                                                            \
        }                                                                       \
        p[j] = pj + (step_neg * mj) / (SQRT(vj) / bc2_sqrt + eps);              \
    }                                                                           \
}                                                                               \
                                                                                \
RT_CLONES void rt_adam_##S(int64_t n, const int64_t *sizes, T *const *p,         \
        T *const *grad, T *const *m, T *const *v, T *const *vmax,               \
        const double *step_neg, const double *bc2_sqrt, double maximize_sign,   \
        double decay, double wd, double beta1, double beta2, double eps)        \
{                                                                               \
    int64_t total = rt_optim_total(n, sizes);                                   \
    T sign = (T)maximize_sign, dec = (T)decay, wdt = (T)wd, b2 = (T)beta2;      \
    T w1 = (T)(1 - beta1), w2 = (T)(1 - beta2), e = (T)eps;                     \
    int small = fabs((double)w1) < 0.5;                                          \
    _Pragma("omp parallel num_threads(rt_optim_threads(total))")                \
    RT_OPTIM_PIECES(n, sizes, total,                                            \
        if (vmax)                                                               \
            rt_adam_span_##S(len, p[t] + a, grad[t] + a, m[t] + a, v[t] + a,    \
                             vmax[t] + a, sign, dec, wdt, w1, small, b2, w2,    \
                             (T)step_neg[t], (T)bc2_sqrt[t], e, 1);             \
        else                                                                    \
            rt_adam_span_##S(len, p[t] + a, grad[t] + a, m[t] + a, v[t] + a,    \
                             NULL, sign, dec, wdt, w1, small, b2, w2,           \
                             (T)step_neg[t], (T)bc2_sqrt[t], e, 0));            \
}                                                                               \
                                                                                \
/* RMSprop: g = sign grad (+ wd p); sq = alpha sq + ((1 - alpha) g) g;          \
 * avg = sqrt(sq - ga^2) with ga = lerp(ga, g, 1 - alpha) (centered), else sqrt(sq); avg += eps; \
 * momentum: buf = momentum buf + g / avg, p += -lr buf; else p += (-lr g) / avg. */     \
RT_INLINE void rt_rmsprop_span_##S(int64_t n, T *p, const T *grad, T *sq, T *ga, T *buf, \
        T sign, T wd, T alpha, T w, int small, T eps, T lr_neg, T mom,          \
        const int centered, const int has_buf)                                  \
{                                                                               \
    _Pragma("omp simd")                                                         \
    for (int64_t j = 0; j < n; j++) {                                           \
        T g = sign * grad[j];                                                   \
        if (wd != (T)0) g = g + wd * p[j];                                      \
        T s = sq[j] * alpha + (w * g) * g;                                      \
        sq[j] = s;                                                              \
        T avg;                                                                  \
        if (centered) {                                                         \
            T a = rt_lerp_##S(ga[j], g, w, small);                              \
            ga[j] = a;                                                          \
            avg = SQRT(s + (-a) * a);                                           \
        } else {                                                                \
            avg = SQRT(s);                                                      \
        }                                                                       \
        avg = avg + eps;                                                        \
        if (has_buf) {                                                          \
            T b = buf[j] * mom + g / avg;                                       \
            buf[j] = b;                                                         \
            p[j] = p[j] + lr_neg * b;                                           \
        } else {                                                                \
            p[j] = p[j] + (lr_neg * g) / avg;                                   \
        }                                                                       \
    }                                                                           \
}                                                                               \
                                                                                \
RT_CLONES void rt_rmsprop_##S(int64_t n, const int64_t *sizes, T *const *p,      \
        T *const *grad, T *const *sq, T *const *ga, T *const *buf,              \
        double maximize_sign, double wd, double alpha, double eps, double lr,   \
        double momentum)                                                        \
{                                                                               \
    int64_t total = rt_optim_total(n, sizes);                                   \
    T sign = (T)maximize_sign, wdt = (T)wd, al = (T)alpha, w = (T)(1 - alpha);  \
    T e = (T)eps, lr_neg = (T)(-lr), mom = (T)momentum;                         \
    int small = fabs((double)w) < 0.5;                                          \
    _Pragma("omp parallel num_threads(rt_optim_threads(total))")                \
    RT_OPTIM_PIECES(n, sizes, total,                                            \
        T *ga_t = ga ? ga[t] + a : NULL;                                        \
        T *buf_t = buf ? buf[t] + a : NULL;                                     \
        if (ga && buf)                                                          \
            rt_rmsprop_span_##S(len, p[t] + a, grad[t] + a, sq[t] + a, ga_t, buf_t, \
                                sign, wdt, al, w, small, e, lr_neg, mom, 1, 1); \
        else if (ga)                                                            \
            rt_rmsprop_span_##S(len, p[t] + a, grad[t] + a, sq[t] + a, ga_t, NULL, \
                                sign, wdt, al, w, small, e, lr_neg, mom, 1, 0); \
        else if (buf)                                                           \
            rt_rmsprop_span_##S(len, p[t] + a, grad[t] + a, sq[t] + a, NULL, buf_t, \
                                sign, wdt, al, w, small, e, lr_neg, mom, 0, 1); \
        else                                                                    \
            rt_rmsprop_span_##S(len, p[t] + a, grad[t] + a, sq[t] + a, NULL, NULL, \
                                sign, wdt, al, w, small, e, lr_neg, mom, 0, 0)); \
}                                                                               \
                                                                                \
/* Adagrad: g = sign grad (+ wd p); sum += g g; p += (-clr g) / (sqrt(sum) + eps). */   \
RT_INLINE void rt_adagrad_span_##S(int64_t n, T *p, const T *grad, T *sum,      \
        T sign, T wd, T clr_neg, T eps)                                         \
{                                                                               \
    _Pragma("omp simd")                                                         \
    for (int64_t j = 0; j < n; j++) {                                           \
        T g = sign * grad[j];                                                   \
        if (wd != (T)0) g = g + wd * p[j];                                      \
        T s = sum[j] + g * g;                                                   \
        sum[j] = s;                                                             \
        p[j] = p[j] + (clr_neg * g) / (SQRT(s) + eps);                          \
    }                                                                           \
}                                                                               \
                                                                                \
RT_CLONES void rt_adagrad_##S(int64_t n, const int64_t *sizes, T *const *p,      \
        T *const *grad, T *const *sum, const double *clr_neg,                   \
        double maximize_sign, double wd, double eps)                            \
{                                                                               \
    int64_t total = rt_optim_total(n, sizes);                                   \
    T sign = (T)maximize_sign, wdt = (T)wd, e = (T)eps;                         \
    _Pragma("omp parallel num_threads(rt_optim_threads(total))")                \
    RT_OPTIM_PIECES(n, sizes, total,                                            \
        rt_adagrad_span_##S(len, p[t] + a, grad[t] + a, sum[t] + a, sign, wdt,  \
                            (T)clr_neg[t], e));                                 \
}

RT_DEFINE_OPTIM(float, f32, sqrtf)
RT_DEFINE_OPTIM(double, f64, sqrt)

#endif /* RUSTORCH_OPTIM_H */
