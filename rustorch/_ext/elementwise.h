/* Element-wise unary and binary kernels (float32 / float64) for rustorch.
 *
 * Called from elementwise.pyx, which has already checked every shape, dtype,
 * stride, alignment and overlap condition; nothing here validates arguments.
 *
 * Recipe (see DESIGN.md, "CPU kernels: a measured recipe"):
 *  - plain C loops, threads + SIMD from OpenMP pragmas;
 *  - run-time ISA dispatch through GCC target_clones on every kernel (the
 *    OpenMP-outlined bodies are cloned with them);
 *  - glibc's vector maths (libmvec) through `omp declare simd` declarations
 *    of the scalar libm functions; compiled without -ffast-math so NaN, inf
 *    and -0.0 keep their IEEE/torch meaning.
 *
 * Layout handling: rt_collapse() (strided.h) normalises any strided loop
 * (drops size-1 dims, orders dims by the output's strides, flips negative
 * output strides, merges dims that are contiguous for every operand).  Then
 *  - 1 dim, all unit strides (or a broadcast scalar operand): one flat
 *    `parallel for simd` loop  (fast paths);
 *  - otherwise the flat index range is split evenly over threads; each
 *    thread walks its part row by row (odometer over the outer dims) with a
 *    SIMD inner loop specialised for unit / zero inner strides, which makes
 *    row-broadcasts such as bias adds (M,N)+(N,) run at contiguous speed.
 */
#ifndef RUSTORCH_ELEMENTWISE_H
#define RUSTORCH_ELEMENTWISE_H

#include <math.h>
#include <stdint.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "simd.h"
#include "strided.h"

#define EW_GRAIN_CHEAP 32768  /* below this many elements: one thread */
#define EW_GRAIN_MATH 8192    /* same, for ops that call a libm function */


/* ---- the ops ------------------------------------------------------------ */
/* X(name, grain).  The order fixes the op ids used by elementwise.pyx. */
#define EW_UNARY_LIST(X)                                                     \
    X(neg, EW_GRAIN_CHEAP) X(abs, EW_GRAIN_CHEAP) X(exp, EW_GRAIN_MATH)      \
    X(exp2, EW_GRAIN_MATH) X(expm1, EW_GRAIN_MATH) X(log, EW_GRAIN_MATH)     \
    X(log2, EW_GRAIN_MATH) X(log10, EW_GRAIN_MATH) X(log1p, EW_GRAIN_MATH)   \
    X(sqrt, EW_GRAIN_CHEAP) X(rsqrt, EW_GRAIN_CHEAP)                         \
    X(square, EW_GRAIN_CHEAP) X(reciprocal, EW_GRAIN_CHEAP)                  \
    X(sin, EW_GRAIN_MATH) X(cos, EW_GRAIN_MATH) X(tan, EW_GRAIN_MATH)        \
    X(asin, EW_GRAIN_MATH) X(acos, EW_GRAIN_MATH) X(atan, EW_GRAIN_MATH)     \
    X(sinh, EW_GRAIN_MATH) X(cosh, EW_GRAIN_MATH) X(tanh, EW_GRAIN_MATH)     \
    X(asinh, EW_GRAIN_MATH) X(acosh, EW_GRAIN_MATH) X(atanh, EW_GRAIN_MATH)  \
    X(sigmoid, EW_GRAIN_MATH) X(relu, EW_GRAIN_CHEAP) X(erf, EW_GRAIN_MATH)  \
    X(erfc, EW_GRAIN_MATH) X(floor, EW_GRAIN_CHEAP) X(ceil, EW_GRAIN_CHEAP)  \
    X(round, EW_GRAIN_CHEAP) X(trunc, EW_GRAIN_CHEAP)                        \
    X(frac, EW_GRAIN_CHEAP) X(sign, EW_GRAIN_CHEAP)

/* fmod has no libmvec variant, so fmod/remainder/floor_divide stay scalar
 * calls inside the loop: give them the small grain too. */
#define EW_BINARY_LIST(X)                                                    \
    X(add, EW_GRAIN_CHEAP) X(sub, EW_GRAIN_CHEAP) X(mul, EW_GRAIN_CHEAP)     \
    X(div, EW_GRAIN_CHEAP) X(maximum, EW_GRAIN_CHEAP)                        \
    X(minimum, EW_GRAIN_CHEAP) X(pow, EW_GRAIN_MATH)                         \
    X(atan2, EW_GRAIN_MATH) X(fmod, EW_GRAIN_MATH)                           \
    X(remainder, EW_GRAIN_MATH) X(floor_divide, EW_GRAIN_MATH)               \
    X(tanh_backward, EW_GRAIN_CHEAP) X(sigmoid_backward, EW_GRAIN_CHEAP)     \
    X(threshold_backward, EW_GRAIN_CHEAP)

#define EW_ENUM_U(name, grain) EW_U_##name,
#define EW_ENUM_B(name, grain) EW_B_##name,
enum { EW_UNARY_LIST(EW_ENUM_U) EW_NUM_UNARY };
enum { EW_BINARY_LIST(EW_ENUM_B) EW_NUM_BINARY };
#define EW_NAME(name, grain) #name,
static const char *const ew_unary_names[] = {EW_UNARY_LIST(EW_NAME)};
static const char *const ew_binary_names[] = {EW_BINARY_LIST(EW_NAME)};

/* Scalar definitions, instantiated for T = float (libm suffix f) and
 * T = double (no suffix).  Each is checked against torch for NaN/inf/-0.0. */
#define EW_SCALAR_FUNCS(T, F)                                                \
    static inline T ewu_neg_##T(T x) { return -x; }                          \
    static inline T ewu_abs_##T(T x) { return F(fabs)(x); }                  \
    static inline T ewu_exp_##T(T x) { return F(exp)(x); }                   \
    static inline T ewu_exp2_##T(T x) { return F(exp2)(x); }                 \
    static inline T ewu_expm1_##T(T x) { return F(expm1)(x); }               \
    static inline T ewu_log_##T(T x) { return F(log)(x); }                   \
    static inline T ewu_log2_##T(T x) { return F(log2)(x); }                 \
    static inline T ewu_log10_##T(T x) { return F(log10)(x); }               \
    static inline T ewu_log1p_##T(T x) { return F(log1p)(x); }               \
    static inline T ewu_sqrt_##T(T x) { return F(sqrt)(x); }                 \
    /* torch: 1 / sqrt(x), so rsqrt(-0.0) = -inf */                          \
    static inline T ewu_rsqrt_##T(T x) { return (T)1 / F(sqrt)(x); }         \
    static inline T ewu_square_##T(T x) { return x * x; }                    \
    static inline T ewu_reciprocal_##T(T x) { return (T)1 / x; }             \
    static inline T ewu_sin_##T(T x) { return F(sin)(x); }                   \
    static inline T ewu_cos_##T(T x) { return F(cos)(x); }                   \
    static inline T ewu_tan_##T(T x) { return F(tan)(x); }                   \
    static inline T ewu_asin_##T(T x) { return F(asin)(x); }                 \
    static inline T ewu_acos_##T(T x) { return F(acos)(x); }                 \
    static inline T ewu_atan_##T(T x) { return F(atan)(x); }                 \
    static inline T ewu_sinh_##T(T x) { return F(sinh)(x); }                 \
    static inline T ewu_cosh_##T(T x) { return F(cosh)(x); }                 \
    static inline T ewu_tanh_##T(T x) { return F(tanh)(x); }                 \
    static inline T ewu_asinh_##T(T x) { return F(asinh)(x); }               \
    static inline T ewu_acosh_##T(T x) { return F(acosh)(x); }               \
    static inline T ewu_atanh_##T(T x) { return F(atanh)(x); }               \
    /* torch: 1 / (1 + exp(-x)); exact 0 and 1 at -inf / +inf */            \
    static inline T ewu_sigmoid_##T(T x) { return (T)1 / ((T)1 + F(exp)(-x)); } \
    /* torch: relu(nan) = nan, relu(-0.0) = -0.0 */                          \
    static inline T ewu_relu_##T(T x) { return x < 0 ? (T)0 : x; }           \
    static inline T ewu_erf_##T(T x) { return F(erf)(x); }                   \
    static inline T ewu_erfc_##T(T x) { return F(erfc)(x); }                 \
    static inline T ewu_floor_##T(T x) { return F(floor)(x); }               \
    static inline T ewu_ceil_##T(T x) { return F(ceil)(x); }                 \
    /* half to even (default rounding mode), like torch.round */             \
    static inline T ewu_round_##T(T x) { return F(nearbyint)(x); }           \
    static inline T ewu_trunc_##T(T x) { return F(trunc)(x); }               \
    /* torch: x - trunc(x), so frac(+-inf) = nan, frac(-0.0) = 0.0 */        \
    static inline T ewu_frac_##T(T x) { return x - F(trunc)(x); }            \
    /* torch: sign(nan) = 0, sign(-0.0) = 0.0 */                             \
    static inline T ewu_sign_##T(T x)                                        \
    {                                                                        \
        return (T)(x > 0) - (T)(x < 0);                                      \
    }                                                                        \
    static inline T ewb_add_##T(T a, T b) { return a + b; }                  \
    static inline T ewb_sub_##T(T a, T b) { return a - b; }                  \
    static inline T ewb_mul_##T(T a, T b) { return a * b; }                  \
    static inline T ewb_div_##T(T a, T b) { return a / b; }                  \
    /* NaN-propagating; on ties (+-0.0) torch returns b (x86 max/min) */     \
    static inline T ewb_maximum_##T(T a, T b)                                \
    {                                                                        \
        return a != a ? a : (a > b ? a : b);                                 \
    }                                                                        \
    static inline T ewb_minimum_##T(T a, T b)                                \
    {                                                                        \
        return a != a ? a : (a < b ? a : b);                                 \
    }                                                                        \
    static inline T ewb_pow_##T(T a, T b) { return F(pow)(a, b); }           \
    /* gradients from the results: a is the incoming gradient, b the result */ \
    static inline T ewb_tanh_backward_##T(T a, T b) { return a * ((T)1 - b * b); } \
    static inline T ewb_sigmoid_backward_##T(T a, T b) { return a * (((T)1 - b) * b); } \
    /* torch's threshold_backward(grad, result, 0): 0 where result <= 0 */   \
    static inline T ewb_threshold_backward_##T(T a, T b) { return b <= 0 ? (T)0 : a; } \
    static inline T ewb_atan2_##T(T a, T b) { return F(atan2)(a, b); }       \
    static inline T ewb_fmod_##T(T a, T b) { return F(fmod)(a, b); }         \
    /* Python sign convention: result has the sign of b (c10 formula) */     \
    static inline T ewb_remainder_##T(T a, T b)                              \
    {                                                                        \
        T m = F(fmod)(a, b);                                                 \
        if (m != 0 && ((b < 0) != (m < 0))) m += b;                          \
        return m;                                                            \
    }                                                                        \
    /* c10::div_floor_floating: floor(a / b) computed from fmod so that it   \
     * is exact, rounded to the nearest integer when (a - mod) / b is off */ \
    static inline T ewb_floor_divide_##T(T a, T b)                           \
    {                                                                        \
        if (b == 0) return a / b;                                            \
        T m = F(fmod)(a, b);                                                 \
        T d = (a - m) / b;                                                   \
        if (m != 0 && ((b < 0) != (m < 0))) d -= (T)1;                       \
        if (d != 0) {                                                        \
            T fd = F(floor)(d);                                              \
            if (d - fd > (T)0.5) fd += (T)1;                                 \
            return fd;                                                       \
        }                                                                    \
        return F(copysign)((T)0, a / b);                                     \
    }

#define EW_F32(fn) fn##f
#define EW_F64(fn) fn
EW_SCALAR_FUNCS(float, EW_F32)
EW_SCALAR_FUNCS(double, EW_F64)

/* ---- kernels -------------------------------------------------------------
 * General n-d loop over 3 operands (out o, inputs a, b), element strides.
 * The flat range [0, total) is split evenly over threads; each thread finds
 * its first row, then walks rows with an odometer over the outer dims.
 * FN(x, y) is the scalar op, inlined into the SIMD inner loops. */
#define EW_ND_KERNEL(KNAME, T, FN, GRAIN)                                    \
    RT_CLONES static void KNAME(int nd, const int64_t *shape,                \
                                const int64_t *os, const int64_t *as,        \
                                const int64_t *bs, T *o, const T *a,         \
                                const T *b)                                  \
    {                                                                        \
        int64_t n = shape[nd - 1], total = n;                                \
        for (int d = 0; d < nd - 1; d++) total *= shape[d];                  \
        const int64_t so = os[nd - 1], sa = as[nd - 1], sb = bs[nd - 1];     \
        const int64_t grain_ = (GRAIN);                                      \
        _Pragma("omp parallel if (total >= grain_)")                         \
        {                                                                    \
            int64_t lo, hi, idx[RT_MAXDIM];                                  \
            rt_my_range(total, &lo, &hi);                                    \
            if (lo < hi) {                                                   \
                int64_t r = lo / n, c = lo % n, left = hi - lo;              \
                int64_t oo = 0, ao = 0, bo = 0;                              \
                for (int d = nd - 2; d >= 0; d--) {                          \
                    idx[d] = r % shape[d];                                   \
                    r /= shape[d];                                           \
                    oo += idx[d] * os[d];                                    \
                    ao += idx[d] * as[d];                                    \
                    bo += idx[d] * bs[d];                                    \
                }                                                            \
                for (;;) {                                                   \
                    int64_t len = n - c < left ? n - c : left;               \
                    T *op = o + oo + c * so;                                 \
                    const T *ap = a + ao + c * sa, *bp = b + bo + c * sb;    \
                    if (so == 1 && sa == 1 && sb == 1) {                     \
                        _Pragma("omp simd")                                  \
                        for (int64_t i = 0; i < len; i++)                    \
                            op[i] = FN(ap[i], bp[i]);                        \
                    } else if (so == 1 && sa == 1 && sb == 0) {              \
                        const T bv = *bp;                                    \
                        _Pragma("omp simd")                                  \
                        for (int64_t i = 0; i < len; i++)                    \
                            op[i] = FN(ap[i], bv);                           \
                    } else if (so == 1 && sa == 0 && sb == 1) {              \
                        const T av = *ap;                                    \
                        _Pragma("omp simd")                                  \
                        for (int64_t i = 0; i < len; i++)                    \
                            op[i] = FN(av, bp[i]);                           \
                    } else {                                                 \
                        _Pragma("omp simd")                                  \
                        for (int64_t i = 0; i < len; i++)                    \
                            op[i * so] = FN(ap[i * sa], bp[i * sb]);         \
                    }                                                        \
                    left -= len;                                             \
                    if (left <= 0) break;                                    \
                    c = 0;                                                   \
                    for (int d = nd - 2; d >= 0; d--) {                      \
                        oo += os[d]; ao += as[d]; bo += bs[d];               \
                        if (++idx[d] < shape[d]) break;                      \
                        oo -= shape[d] * os[d];                              \
                        ao -= shape[d] * as[d];                              \
                        bo -= shape[d] * bs[d];                              \
                        idx[d] = 0;                                          \
                    }                                                        \
                }                                                            \
            }                                                                \
        }                                                                    \
    }

/* Unary ops reuse the binary machinery with b == a (the op ignores b). */
#define EW_DEF_UNARY(name, grain)                                            \
    EW_DEF_UNARY_T(name, grain, float, f32)                                  \
    EW_DEF_UNARY_T(name, grain, double, f64)
#define EW_DEF_UNARY_T(name, grain, T, S)                                    \
    static inline T ewu2_##name##_##T(T x, T unused)                         \
    {                                                                        \
        (void)unused;                                                        \
        return ewu_##name##_##T(x);                                          \
    }                                                                        \
    RT_CLONES static void ewk_u_##name##_##S##_flat(int64_t n, T *o,         \
                                                   const T *x)               \
    {                                                                        \
        const int64_t grain_ = (grain);                                      \
        _Pragma("omp parallel for simd schedule(static) if (n >= grain_)")   \
        for (int64_t i = 0; i < n; i++) o[i] = ewu_##name##_##T(x[i]);       \
    }                                                                        \
    EW_ND_KERNEL(ewk_u_##name##_##S##_nd, T, ewu2_##name##_##T, grain)

#define EW_DEF_BINARY(name, grain)                                           \
    EW_DEF_BINARY_T(name, grain, float, f32)                                 \
    EW_DEF_BINARY_T(name, grain, double, f64)
#define EW_DEF_BINARY_T(name, grain, T, S)                                   \
    /* flat fast paths: all contiguous, b scalar, a scalar */                \
    RT_CLONES static void ewk_b_##name##_##S##_flat(                         \
        int64_t n, T *o, const T *a, const T *b, int mode)                   \
    {                                                                        \
        const int64_t grain_ = (grain);                                      \
        if (mode == 0) {                                                     \
            _Pragma("omp parallel for simd schedule(static) if (n >= grain_)") \
            for (int64_t i = 0; i < n; i++)                                  \
                o[i] = ewb_##name##_##T(a[i], b[i]);                         \
        } else if (mode == 1) {                                              \
            const T bv = *b;                                                 \
            _Pragma("omp parallel for simd schedule(static) if (n >= grain_)") \
            for (int64_t i = 0; i < n; i++)                                  \
                o[i] = ewb_##name##_##T(a[i], bv);                           \
        } else {                                                             \
            const T av = *a;                                                 \
            _Pragma("omp parallel for simd schedule(static) if (n >= grain_)") \
            for (int64_t i = 0; i < n; i++)                                  \
                o[i] = ewb_##name##_##T(av, b[i]);                           \
        }                                                                    \
    }                                                                        \
    EW_ND_KERNEL(ewk_b_##name##_##S##_nd, T, ewb_##name##_##T, grain)

EW_UNARY_LIST(EW_DEF_UNARY)
EW_BINARY_LIST(EW_DEF_BINARY)

/* ---- entry points --------------------------------------------------------
 * shape/strides (bytes) are copied and normalised here; 0 on success,
 * -1 for an unknown op id (cannot happen from elementwise.pyx). */
static int ew_unary(int op, int is_f64, int nd, const int64_t *shape_in,
                    const int64_t *xs_in, const int64_t *os_in,
                    char *x, char *o)
{
    int64_t shape[RT_MAXDIM], st[2][RT_MAXDIM];
    char *ptr[2] = {o, x};
    const int64_t isz = is_f64 ? 8 : 4;
    for (int d = 0; d < nd; d++) {
        shape[d] = shape_in[d];
        st[0][d] = os_in[d];
        st[1][d] = xs_in[d];
    }
    nd = rt_collapse(nd, shape, 2, st, ptr);
    if (shape[0] == 0) return 0;
    for (int d = 0; d < nd; d++) { st[0][d] /= isz; st[1][d] /= isz; }
    const int flat = nd == 1 && st[0][0] == 1 && st[1][0] == 1;
#define EW_CASE_U(name, grain)                                               \
    case EW_U_##name:                                                        \
        if (is_f64) {                                                        \
            if (flat) ewk_u_##name##_f64_flat(shape[0], (double *)ptr[0],    \
                                              (const double *)ptr[1]);       \
            else ewk_u_##name##_f64_nd(nd, shape, st[0], st[1], st[1],       \
                                       (double *)ptr[0],                     \
                                       (const double *)ptr[1],               \
                                       (const double *)ptr[1]);              \
        } else {                                                             \
            if (flat) ewk_u_##name##_f32_flat(shape[0], (float *)ptr[0],     \
                                              (const float *)ptr[1]);        \
            else ewk_u_##name##_f32_nd(nd, shape, st[0], st[1], st[1],       \
                                       (float *)ptr[0],                      \
                                       (const float *)ptr[1],                \
                                       (const float *)ptr[1]);               \
        }                                                                    \
        return 0;
    switch (op) {
        EW_UNARY_LIST(EW_CASE_U)
    }
#undef EW_CASE_U
    return -1;
}

static int ew_binary(int op, int is_f64, int nd, const int64_t *shape_in,
                     const int64_t *as_in, const int64_t *bs_in,
                     const int64_t *os_in, char *a, char *b, char *o)
{
    int64_t shape[RT_MAXDIM], st[3][RT_MAXDIM];
    char *ptr[3] = {o, a, b};
    const int64_t isz = is_f64 ? 8 : 4;
    for (int d = 0; d < nd; d++) {
        shape[d] = shape_in[d];
        st[0][d] = os_in[d];
        st[1][d] = as_in[d];
        st[2][d] = bs_in[d];
    }
    nd = rt_collapse(nd, shape, 3, st, ptr);
    if (shape[0] == 0) return 0;
    for (int d = 0; d < nd; d++) {
        st[0][d] /= isz; st[1][d] /= isz; st[2][d] /= isz;
    }
    /* mode 0: a, b contiguous; 1: b broadcast scalar; 2: a broadcast scalar */
    int mode = -1;
    if (nd == 1 && st[0][0] == 1) {
        if (st[1][0] == 1 && st[2][0] == 1) mode = 0;
        else if (st[1][0] == 1 && st[2][0] == 0) mode = 1;
        else if (st[1][0] == 0 && st[2][0] == 1) mode = 2;
    }
#define EW_CASE_B(name, grain)                                               \
    case EW_B_##name:                                                        \
        if (is_f64) {                                                        \
            if (mode >= 0) ewk_b_##name##_f64_flat(                          \
                shape[0], (double *)ptr[0], (const double *)ptr[1],          \
                (const double *)ptr[2], mode);                               \
            else ewk_b_##name##_f64_nd(nd, shape, st[0], st[1], st[2],       \
                                       (double *)ptr[0],                     \
                                       (const double *)ptr[1],               \
                                       (const double *)ptr[2]);              \
        } else {                                                             \
            if (mode >= 0) ewk_b_##name##_f32_flat(                          \
                shape[0], (float *)ptr[0], (const float *)ptr[1],            \
                (const float *)ptr[2], mode);                                \
            else ewk_b_##name##_f32_nd(nd, shape, st[0], st[1], st[2],       \
                                       (float *)ptr[0],                      \
                                       (const float *)ptr[1],                \
                                       (const float *)ptr[2]);               \
        }                                                                    \
        return 0;
    switch (op) {
        EW_BINARY_LIST(EW_CASE_B)
    }
#undef EW_CASE_B
    return -1;
}

/* ---- where: o = c ? a : b ------------------------------------------------
 * c is bool (one byte), a, b and o one float type; any strides (0 for a
 * broadcast operand).  A select, not a branch: a random mask costs nothing
 * extra (NumPy's where mispredicts on it). */
#define EW_WHERE_KERNEL(KNAME, T)                                            \
    RT_CLONES static void KNAME(int nd, const int64_t *shape,                \
                                int64_t st[][RT_MAXDIM], char **ptr)         \
    {                                                                        \
        int64_t n = shape[nd - 1], total = n;                                \
        for (int d = 0; d < nd - 1; d++) total *= shape[d];                  \
        const int64_t so = st[0][nd - 1], sc = st[1][nd - 1],                \
                      sa = st[2][nd - 1], sb = st[3][nd - 1];                \
        _Pragma("omp parallel if (total >= EW_GRAIN_CHEAP)")                 \
        {                                                                    \
            int64_t lo, hi, idx[RT_MAXDIM];                                  \
            rt_my_range(total, &lo, &hi);                                    \
            if (lo < hi) {                                                   \
                int64_t r = lo / n, col = lo % n, left = hi - lo;            \
                int64_t off[4] = {0, 0, 0, 0};                               \
                for (int d = nd - 2; d >= 0; d--) {                          \
                    idx[d] = r % shape[d];                                   \
                    r /= shape[d];                                           \
                    for (int k = 0; k < 4; k++) off[k] += idx[d] * st[k][d]; \
                }                                                            \
                for (;;) {                                                   \
                    int64_t len = n - col < left ? n - col : left;           \
                    T *o = (T *)(ptr[0] + off[0]) + col * so;                \
                    const uint8_t *c = (const uint8_t *)(ptr[1] + off[1])    \
                                       + col * sc;                           \
                    const T *a = (const T *)(ptr[2] + off[2]) + col * sa;    \
                    const T *b = (const T *)(ptr[3] + off[3]) + col * sb;    \
                    if (so == 1 && sc == 1 && sa == 1 && sb == 1) {          \
                        _Pragma("omp simd")                                  \
                        for (int64_t i = 0; i < len; i++)                    \
                            o[i] = c[i] ? a[i] : b[i];                       \
                    } else if (so == 1 && sc == 1 && sa == 1 && sb == 0) {   \
                        const T bv = *b;                                     \
                        _Pragma("omp simd")                                  \
                        for (int64_t i = 0; i < len; i++)                    \
                            o[i] = c[i] ? a[i] : bv;                         \
                    } else if (so == 1 && sc == 1 && sa == 0 && sb == 1) {   \
                        const T av = *a;                                     \
                        _Pragma("omp simd")                                  \
                        for (int64_t i = 0; i < len; i++)                    \
                            o[i] = c[i] ? av : b[i];                         \
                    } else {                                                 \
                        _Pragma("omp simd")                                  \
                        for (int64_t i = 0; i < len; i++)                    \
                            o[i * so] = c[i * sc] ? a[i * sa] : b[i * sb];   \
                    }                                                        \
                    left -= len;                                             \
                    if (left <= 0) break;                                    \
                    col = 0;                                                 \
                    for (int d = nd - 2; d >= 0; d--) {                      \
                        for (int k = 0; k < 4; k++) off[k] += st[k][d];      \
                        if (++idx[d] < shape[d]) break;                      \
                        for (int k = 0; k < 4; k++)                          \
                            off[k] -= shape[d] * st[k][d];                   \
                        idx[d] = 0;                                          \
                    }                                                        \
                }                                                            \
            }                                                                \
        }                                                                    \
    }

EW_WHERE_KERNEL(ewk_where_f32, float)
EW_WHERE_KERNEL(ewk_where_f64, double)

/* os, cs, as_, bs are byte strides; the inner-dim strides are turned into
 * element strides here (the outer ones stay in bytes). */
static int ew_where(int is_f64, int nd, const int64_t *shape_in, const int64_t *os,
                    const int64_t *cs, const int64_t *as_, const int64_t *bs,
                    char *o, char *c, char *a, char *b)
{
    int64_t shape[RT_MAXDIM], st[4][RT_MAXDIM];
    char *ptr[4] = {o, c, a, b};
    const int64_t isz = is_f64 ? 8 : 4;
    for (int d = 0; d < nd; d++) {
        shape[d] = shape_in[d];
        st[0][d] = os[d]; st[1][d] = cs[d]; st[2][d] = as_[d]; st[3][d] = bs[d];
    }
    nd = rt_collapse(nd, shape, 4, st, ptr);
    if (shape[0] == 0) return 0;
    st[0][nd - 1] /= isz; st[2][nd - 1] /= isz; st[3][nd - 1] /= isz;
    if (is_f64) ewk_where_f64(nd, shape, st, ptr);
    else ewk_where_f32(nd, shape, st, ptr);
    return 0;
}

#endif /* RUSTORCH_ELEMENTWISE_H */
