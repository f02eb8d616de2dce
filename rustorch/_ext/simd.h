/* Compiler settings shared by every CPU kernel header.
 *
 * RT_CLONES: GCC builds one clone of a kernel per ISA (AVX-512, AVX2, baseline)
 * and picks the best at load time, so one wheel runs fast on any x86-64. On
 * other architectures (aarch64: NEON is the baseline) it is empty. Predefine it
 * empty to build one ISA only.
 *
 * libmvec: glibc's vector maths routines, declared SIMD-callable so that
 * `omp simd` loops over expf/tanhf/... vectorise (glibc itself declares them
 * only under -ffast-math, which would change NaN/inf semantics).
 */
#ifndef RUSTORCH_SIMD_H
#define RUSTORCH_SIMD_H

#ifndef RT_CLONES
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define RT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define RT_CLONES
#endif
#endif

#define RT_INLINE static inline __attribute__((always_inline))

/* ---- libmvec: declare the scalar functions SIMD-callable ---------------- */
#if defined(__x86_64__) && defined(__GLIBC__)
#pragma omp declare simd notinbranch
extern float expf(float);
#pragma omp declare simd notinbranch
extern double exp(double);
#pragma omp declare simd notinbranch
extern float exp2f(float);
#pragma omp declare simd notinbranch
extern double exp2(double);
#pragma omp declare simd notinbranch
extern float expm1f(float);
#pragma omp declare simd notinbranch
extern double expm1(double);
#pragma omp declare simd notinbranch
extern float logf(float);
#pragma omp declare simd notinbranch
extern double log(double);
#pragma omp declare simd notinbranch
extern float log2f(float);
#pragma omp declare simd notinbranch
extern double log2(double);
#pragma omp declare simd notinbranch
extern float log10f(float);
#pragma omp declare simd notinbranch
extern double log10(double);
#pragma omp declare simd notinbranch
extern float log1pf(float);
#pragma omp declare simd notinbranch
extern double log1p(double);
#pragma omp declare simd notinbranch
extern float sinf(float);
#pragma omp declare simd notinbranch
extern double sin(double);
#pragma omp declare simd notinbranch
extern float cosf(float);
#pragma omp declare simd notinbranch
extern double cos(double);
#pragma omp declare simd notinbranch
extern float tanf(float);
#pragma omp declare simd notinbranch
extern double tan(double);
#pragma omp declare simd notinbranch
extern float asinf(float);
#pragma omp declare simd notinbranch
extern double asin(double);
#pragma omp declare simd notinbranch
extern float acosf(float);
#pragma omp declare simd notinbranch
extern double acos(double);
#pragma omp declare simd notinbranch
extern float atanf(float);
#pragma omp declare simd notinbranch
extern double atan(double);
#pragma omp declare simd notinbranch
extern float sinhf(float);
#pragma omp declare simd notinbranch
extern double sinh(double);
#pragma omp declare simd notinbranch
extern float coshf(float);
#pragma omp declare simd notinbranch
extern double cosh(double);
#pragma omp declare simd notinbranch
extern float tanhf(float);
#pragma omp declare simd notinbranch
extern double tanh(double);
#pragma omp declare simd notinbranch
extern float asinhf(float);
#pragma omp declare simd notinbranch
extern double asinh(double);
#pragma omp declare simd notinbranch
extern float acoshf(float);
#pragma omp declare simd notinbranch
extern double acosh(double);
#pragma omp declare simd notinbranch
extern float atanhf(float);
#pragma omp declare simd notinbranch
extern double atanh(double);
#pragma omp declare simd notinbranch
extern float erff(float);
#pragma omp declare simd notinbranch
extern double erf(double);
#pragma omp declare simd notinbranch
extern float erfcf(float);
#pragma omp declare simd notinbranch
extern double erfc(double);
#pragma omp declare simd notinbranch
extern float powf(float, float);
#pragma omp declare simd notinbranch
extern double pow(double, double);
#pragma omp declare simd notinbranch
extern float atan2f(float, float);
#pragma omp declare simd notinbranch
extern double atan2(double, double);
#endif

#endif /* RUSTORCH_SIMD_H */
