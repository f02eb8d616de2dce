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
#include <string.h>

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

/* Word pair -> 64 bits: word a is the low half, word b the high half. */
#define RT_W64(a, b) ((uint64_t)(a) | ((uint64_t)(b) << 32))

/* 2^-24 and 2^-53 */
#define RT_2M24 5.9604644775390625e-08f
#define RT_2M53 1.1102230246251565404236316680908203125e-16

/* The per-block transforms: block words (w0..w3) -> K outputs, written to
 * the lvalues o0..o(K-1) (the others are not touched). */
#define RT_XF_U32F(w0, w1, w2, w3, o0, o1, o2, o3) do {                        \
    o0 = (float)((w0) >> 8) * RT_2M24; o1 = (float)((w1) >> 8) * RT_2M24;       \
    o2 = (float)((w2) >> 8) * RT_2M24; o3 = (float)((w3) >> 8) * RT_2M24;       \
} while (0)
#define RT_XF_U64F(w0, w1, w2, w3, o0, o1, o2, o3) do {                        \
    o0 = (double)(RT_W64(w0, w1) >> 11) * RT_2M53;                              \
    o1 = (double)(RT_W64(w2, w3) >> 11) * RT_2M53;                              \
} while (0)
/* Box-Muller in float32: u1 in (0, 1] from word a, u2 in [0, 1) from word b */
#define RT_BM_F32(a, b, zc, zs) do {                                           \
    float u1_ = (float)(((a) >> 8) + 1) * RT_2M24;                              \
    float u2_ = (float)((b) >> 8) * RT_2M24;                                    \
    float r_ = sqrtf(-2.0f * logf(u1_));                                        \
    float t_ = 6.2831853071795864769f * u2_;                                    \
    zc = r_ * cosf(t_);                                                         \
    zs = r_ * sinf(t_);                                                         \
} while (0)
#define RT_XF_N32F(w0, w1, w2, w3, o0, o1, o2, o3) do {                        \
    RT_BM_F32(w0, w1, o0, o1); RT_BM_F32(w2, w3, o2, o3);                       \
} while (0)
#define RT_XF_N64F(w0, w1, w2, w3, o0, o1, o2, o3) do {                        \
    double u1_ = (double)((RT_W64(w0, w1) >> 11) + 1) * RT_2M53; /* (0, 1] */  \
    double u2_ = (double)(RT_W64(w2, w3) >> 11) * RT_2M53;       /* [0, 1) */  \
    double r_ = sqrt(-2.0 * log(u1_));                                          \
    double t_ = 6.283185307179586476925 * u2_;                                  \
    o0 = r_ * cos(t_);                                                          \
    o1 = r_ * sin(t_);                                                          \
} while (0)
#define RT_XF_B32(w0, w1, w2, w3, o0, o1, o2, o3) do {                         \
    o0 = (w0); o1 = (w1); o2 = (w2); o3 = (w3);                                 \
} while (0)
#define RT_XF_B64(w0, w1, w2, w3, o0, o1, o2, o3) do {                         \
    o0 = RT_W64(w0, w1); o1 = RT_W64(w2, w3);                                   \
} while (0)

/* One block, scalar: used for blocks outside whole chunks. */
#define RT_ONE_BLOCK(XF, seed, ctr, o) do {                                     \
    uint32_t w_[4];                                                             \
    uint64_t c_ = (ctr);                                                        \
    rt_philox4x32_10((uint32_t)c_, (uint32_t)(c_ >> 32), 0, 0,                  \
                     (uint32_t)(seed), (uint32_t)((seed) >> 32), w_);           \
    XF(w_[0], w_[1], w_[2], w_[3], (o)[0], (o)[1], (o)[2], (o)[3]);             \
} while (0)

#define RT_LANES 16   /* blocks per SIMD chunk */

/* fill: out[0..n) from blocks offset, offset+1, ...; K outputs per block.
 * Chunks of RT_LANES blocks run in a parallel loop; inside a chunk, the
 * Philox rounds and the transform are SIMD loops over the blocks (one block
 * per lane, words and outputs kept as separate arrays so they vectorise),
 * then the K outputs of each block are interleaved into out.  Blocks past
 * the last whole chunk, and a final partial block, are done one at a time. */
#define RT_DEFINE_FILL(NAME, T, K, XF)                                          \
RT_CLONES static void NAME(uint64_t seed, uint64_t offset, int64_t n, T *out)   \
{                                                                               \
    int64_t nfull = n / K, nch = nfull / RT_LANES;                              \
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);                  \
    _Pragma("omp parallel for schedule(static) if(nfull >= RT_PHILOX_PAR_MIN)") \
    for (int64_t ch = 0; ch < nch; ch++) {                                      \
        uint32_t w0[RT_LANES], w1[RT_LANES], w2[RT_LANES], w3[RT_LANES];        \
        T o0[RT_LANES], o1[RT_LANES], o2[RT_LANES], o3[RT_LANES];               \
        _Pragma("omp simd")                                                     \
        for (int l = 0; l < RT_LANES; l++) {                                    \
            uint64_t c = offset + (uint64_t)(ch * RT_LANES + l);                \
            uint32_t w[4];                                                      \
            rt_philox4x32_10((uint32_t)c, (uint32_t)(c >> 32), 0, 0, k0, k1, w); \
            w0[l] = w[0]; w1[l] = w[1]; w2[l] = w[2]; w3[l] = w[3];             \
        }                                                                       \
        _Pragma("omp simd")                                                     \
        for (int l = 0; l < RT_LANES; l++)                                      \
            XF(w0[l], w1[l], w2[l], w3[l], o0[l], o1[l], o2[l], o3[l]);         \
        T *dst = out + ch * RT_LANES * K;                                       \
        for (int l = 0; l < RT_LANES; l++) {                                    \
            dst[l * K] = o0[l]; dst[l * K + 1] = o1[l];                         \
            if (K == 4) { dst[l * K + 2] = o2[l]; dst[l * K + 3] = o3[l]; }     \
        }                                                                       \
    }                                                                           \
    for (int64_t b = nch * RT_LANES; b < nfull; b++) {                          \
        T o[4];                                                                 \
        RT_ONE_BLOCK(XF, seed, offset + (uint64_t)b, o);                        \
        for (int j = 0; j < K; j++) out[b * K + j] = o[j];                      \
    }                                                                           \
    if (n % K) {                                                                \
        T o[4];                                                                 \
        RT_ONE_BLOCK(XF, seed, offset + (uint64_t)nfull, o);                    \
        for (int64_t i = nfull * K; i < n; i++) out[i] = o[i - nfull * K];      \
    }                                                                           \
}

RT_DEFINE_FILL(rt_philox_uniform_f32, float, 4, RT_XF_U32F)
RT_DEFINE_FILL(rt_philox_uniform_f64, double, 2, RT_XF_U64F)
RT_DEFINE_FILL(rt_philox_normal_f32, float, 4, RT_XF_N32F)
RT_DEFINE_FILL(rt_philox_normal_f64, double, 2, RT_XF_N64F)
RT_DEFINE_FILL(rt_philox_bits_u32, uint32_t, 4, RT_XF_B32)
RT_DEFINE_FILL(rt_philox_bits_u64, uint64_t, 2, RT_XF_B64)

#endif /* RUSTORCH_PHILOX_H */
