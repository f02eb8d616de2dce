/* Philox4x32-10 counter-based random numbers (Salmon et al., SC'11;
 * Random123).  The layouts are documented in philox.pyx; every GPU backend
 * implements the same ones, so a seed gives the same numbers everywhere.
 *
 * Element i depends only on (seed, offset, i): each fill is one loop over
 * counter blocks, threaded with OpenMP and vectorised with omp simd (the
 * 32x32->64 bit multiplies become vpmuludq; logf/sinf/cosf come from
 * glibc's libmvec).
 */
#ifndef RUSTORCH_PHILOX_H
#define RUSTORCH_PHILOX_H

#include <stdint.h>
#include <math.h>

#define RT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#define RT_INLINE static inline __attribute__((always_inline))

#define RT_PHILOX_M0 0xD2511F53u
#define RT_PHILOX_M1 0xCD9E8D57u
#define RT_PHILOX_W0 0x9E3779B9u   /* golden ratio */
#define RT_PHILOX_W1 0xBB67AE85u   /* sqrt(3) - 1 */
#define RT_PHILOX_PAR_MIN 16384    /* fewer blocks than this: one thread */

/* Vector variants from libmvec (glibc declares them only under -ffast-math). */
#pragma omp declare simd notinbranch
extern float logf(float);
#pragma omp declare simd notinbranch
extern float sinf(float);
#pragma omp declare simd notinbranch
extern float cosf(float);
#pragma omp declare simd notinbranch
extern double log(double);
#pragma omp declare simd notinbranch
extern double sin(double);
#pragma omp declare simd notinbranch
extern double cos(double);

/* One Philox4x32-10 block: counter (c0..c3), key (k0, k1) -> w[0..3]. */
RT_INLINE void rt_philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                uint32_t k0, uint32_t k1, uint32_t w[4])
{
    for (int r = 0; r < 10; r++) {
        if (r) { k0 += RT_PHILOX_W0; k1 += RT_PHILOX_W1; }   /* key schedule */
        uint64_t p0 = (uint64_t)RT_PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)RT_PHILOX_M1 * c2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
        c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    }
    w[0] = c0; w[1] = c1; w[2] = c2; w[3] = c3;
}

/* Block number `ctr` (offset + b) of a stream with key = seed. */
RT_INLINE void rt_philox_at(uint64_t seed, uint64_t ctr, uint32_t w[4])
{
    rt_philox4x32_10((uint32_t)ctr, (uint32_t)(ctr >> 32), 0, 0,
                     (uint32_t)seed, (uint32_t)(seed >> 32), w);
}

/* Word pair -> 64 bits: word 2j is the low half, word 2j+1 the high half. */
#define RT_W64(w, j) ((uint64_t)(w)[2 * (j)] | ((uint64_t)(w)[2 * (j) + 1] << 32))

/* 2^-24 and 2^-53 */
#define RT_2M24 5.9604644775390625e-08f
#define RT_2M53 1.1102230246251565404236316680908203125e-16

/* The per-block transforms: block words w -> K outputs o[0..K-1]. */
RT_INLINE void rt_blk_u32f(const uint32_t w[4], float o[4])
{
    for (int j = 0; j < 4; j++) o[j] = (float)(w[j] >> 8) * RT_2M24;
}
RT_INLINE void rt_blk_u64f(const uint32_t w[4], double o[2])
{
    for (int j = 0; j < 2; j++) o[j] = (double)(RT_W64(w, j) >> 11) * RT_2M53;
}
RT_INLINE void rt_blk_n32f(const uint32_t w[4], float o[4])
{
    for (int p = 0; p < 2; p++) {
        float u1 = (float)((w[2 * p] >> 8) + 1) * RT_2M24;      /* (0, 1] */
        float u2 = (float)(w[2 * p + 1] >> 8) * RT_2M24;        /* [0, 1) */
        float r = sqrtf(-2.0f * logf(u1));
        float t = 6.2831853071795864769f * u2;
        o[2 * p] = r * cosf(t);
        o[2 * p + 1] = r * sinf(t);
    }
}
RT_INLINE void rt_blk_n64f(const uint32_t w[4], double o[2])
{
    double u1 = (double)((RT_W64(w, 0) >> 11) + 1) * RT_2M53;   /* (0, 1] */
    double u2 = (double)(RT_W64(w, 1) >> 11) * RT_2M53;         /* [0, 1) */
    double r = sqrt(-2.0 * log(u1));
    double t = 6.283185307179586476925 * u2;
    o[0] = r * cos(t);
    o[1] = r * sin(t);
}
RT_INLINE void rt_blk_b32(const uint32_t w[4], uint32_t o[4])
{
    for (int j = 0; j < 4; j++) o[j] = w[j];
}
RT_INLINE void rt_blk_b64(const uint32_t w[4], uint64_t o[2])
{
    for (int j = 0; j < 2; j++) o[j] = RT_W64(w, j);
}

/* fill: out[0..n) from blocks offset, offset+1, ...; K outputs per block.
 * Full blocks run in a parallel simd loop; a last partial block is written
 * element by element. */
#define RT_DEFINE_FILL(NAME, T, K, BLK)                                         \
RT_CLONES static void NAME(uint64_t seed, uint64_t offset, int64_t n, T *out)   \
{                                                                               \
    int64_t nfull = n / K;                                                      \
    _Pragma("omp parallel for simd schedule(static) if(nfull >= RT_PHILOX_PAR_MIN)") \
    for (int64_t b = 0; b < nfull; b++) {                                       \
        uint32_t w[4];                                                          \
        T o[K];                                                                 \
        rt_philox_at(seed, offset + (uint64_t)b, w);                            \
        BLK(w, o);                                                              \
        for (int j = 0; j < K; j++) out[b * K + j] = o[j];                      \
    }                                                                           \
    if (n % K) {                                                                \
        uint32_t w[4];                                                          \
        T o[K];                                                                 \
        rt_philox_at(seed, offset + (uint64_t)nfull, w);                        \
        BLK(w, o);                                                              \
        for (int64_t i = nfull * K; i < n; i++) out[i] = o[i - nfull * K];      \
    }                                                                           \
}

RT_DEFINE_FILL(rt_philox_uniform_f32, float, 4, rt_blk_u32f)
RT_DEFINE_FILL(rt_philox_uniform_f64, double, 2, rt_blk_u64f)
RT_DEFINE_FILL(rt_philox_normal_f32, float, 4, rt_blk_n32f)
RT_DEFINE_FILL(rt_philox_normal_f64, double, 2, rt_blk_n64f)
RT_DEFINE_FILL(rt_philox_bits_u32, uint32_t, 4, rt_blk_b32)
RT_DEFINE_FILL(rt_philox_bits_u64, uint64_t, 2, rt_blk_b64)

#endif /* RUSTORCH_PHILOX_H */
