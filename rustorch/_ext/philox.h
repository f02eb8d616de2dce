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

#include "simd.h"

#define RT_PHILOX_M0 0xD2511F53u
#define RT_PHILOX_M1 0xCD9E8D57u
#define RT_PHILOX_W0 0x9E3779B9u   /* golden ratio */
#define RT_PHILOX_W1 0xBB67AE85u   /* sqrt(3) - 1 */
#define RT_PHILOX_PAR_MIN 16384    /* fewer blocks than this: one thread */


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
#define RT_XF_U32F(w0, w1, w2, w3, o0, o1, o2, o3) do {                         \
    o0 = (float)((w0) >> 8) * RT_2M24; o1 = (float)((w1) >> 8) * RT_2M24;       \
    o2 = (float)((w2) >> 8) * RT_2M24; o3 = (float)((w3) >> 8) * RT_2M24;       \
} while (0)
#define RT_XF_U64F(w0, w1, w2, w3, o0, o1, o2, o3) do {                         \
    o0 = (double)(RT_W64(w0, w1) >> 11) * RT_2M53;                              \
    o1 = (double)(RT_W64(w2, w3) >> 11) * RT_2M53;                              \
} while (0)
/* Box-Muller.  Prepared in one SIMD loop (r, t per pair), then cos and sin
 * in two more: in one loop GCC fuses sinf+cosf into sincosf, which has no
 * vector variant and would keep the loop scalar. */
#define RT_BM_PREP_F32(a, b, r, t) do {                                         \
    float u1_ = (float)(((a) >> 8) + 1) * RT_2M24;   /* (0, 1] */               \
    float u2_ = (float)((b) >> 8) * RT_2M24;         /* [0, 1) */               \
    r = sqrtf(-2.0f * logf(u1_));                                               \
    t = 6.2831853071795864769f * u2_;                                           \
} while (0)
#define RT_BM_PREP_F64(w0, w1, w2, w3, r, t) do {                               \
    double u1_ = (double)((RT_W64(w0, w1) >> 11) + 1) * RT_2M53; /* (0, 1] */   \
    double u2_ = (double)(RT_W64(w2, w3) >> 11) * RT_2M53;       /* [0, 1) */   \
    r = sqrt(-2.0 * log(u1_));                                                  \
    t = 6.283185307179586476925 * u2_;                                          \
} while (0)
#define RT_XF_B32(w0, w1, w2, w3, o0, o1, o2, o3) do {                          \
    o0 = (w0); o1 = (w1); o2 = (w2); o3 = (w3);                                 \
} while (0)
#define RT_XF_B64(w0, w1, w2, w3, o0, o1, o2, o3) do {                          \
    o0 = RT_W64(w0, w1); o1 = RT_W64(w2, w3);                                   \
} while (0)

#define RT_LANES 16   /* blocks per SIMD chunk */

/* Words of the RT_LANES blocks c0, c0+1, ...: a SIMD loop, one block a lane. */
RT_INLINE void rt_philox_chunk(uint64_t seed, uint64_t c0, uint32_t *w0,
                               uint32_t *w1, uint32_t *w2, uint32_t *w3)
{
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    _Pragma("omp simd")
    for (int l = 0; l < RT_LANES; l++) {
        uint64_t c = c0 + (uint64_t)l;
        uint32_t w[4];
        rt_philox4x32_10((uint32_t)c, (uint32_t)(c >> 32), 0, 0, k0, k1, w);
        w0[l] = w[0]; w1[l] = w[1]; w2[l] = w[2]; w3[l] = w[3];
    }
}

/* Interleave K SoA outputs into dst[l * K + j]. */
#define RT_STORE(dst, K, o0, o1, o2, o3) do {                                   \
    for (int l = 0; l < RT_LANES; l++) {                                        \
        (dst)[l * K] = o0[l]; (dst)[l * K + 1] = o1[l];                         \
        if (K == 4) { (dst)[l * K + 2] = o2[l]; (dst)[l * K + 3] = o3[l]; }     \
    }                                                                           \
} while (0)

/* Chunk functions: RT_LANES * K outputs from the blocks c0, c0+1, ... */
#define RT_DEFINE_CHUNK(NAME, T, K, XF)                                         \
RT_INLINE void NAME(uint64_t seed, uint64_t c0, T *dst)                         \
{                                                                               \
    uint32_t w0[RT_LANES], w1[RT_LANES], w2[RT_LANES], w3[RT_LANES];            \
    T o0[RT_LANES], o1[RT_LANES], o2[RT_LANES], o3[RT_LANES];                   \
    rt_philox_chunk(seed, c0, w0, w1, w2, w3);                                  \
    _Pragma("omp simd")                                                         \
    for (int l = 0; l < RT_LANES; l++)                                          \
        XF(w0[l], w1[l], w2[l], w3[l], o0[l], o1[l], o2[l], o3[l]);             \
    RT_STORE(dst, K, o0, o1, o2, o3);                                           \
}

RT_DEFINE_CHUNK(rt_chunk_u32f, float, 4, RT_XF_U32F)
RT_DEFINE_CHUNK(rt_chunk_u64f, double, 2, RT_XF_U64F)
RT_DEFINE_CHUNK(rt_chunk_b32, uint32_t, 4, RT_XF_B32)
RT_DEFINE_CHUNK(rt_chunk_b64, uint64_t, 2, RT_XF_B64)

RT_INLINE void rt_chunk_n32f(uint64_t seed, uint64_t c0, float *dst)
{
    uint32_t w0[RT_LANES], w1[RT_LANES], w2[RT_LANES], w3[RT_LANES];
    float r0[RT_LANES], t0[RT_LANES], r1[RT_LANES], t1[RT_LANES];
    float o0[RT_LANES], o1[RT_LANES], o2[RT_LANES], o3[RT_LANES];
    rt_philox_chunk(seed, c0, w0, w1, w2, w3);
    _Pragma("omp simd")
    for (int l = 0; l < RT_LANES; l++) {
        RT_BM_PREP_F32(w0[l], w1[l], r0[l], t0[l]);
        RT_BM_PREP_F32(w2[l], w3[l], r1[l], t1[l]);
    }
    _Pragma("omp simd")
    for (int l = 0; l < RT_LANES; l++) {
        o0[l] = r0[l] * cosf(t0[l]);
        o2[l] = r1[l] * cosf(t1[l]);
    }
    _Pragma("omp simd")
    for (int l = 0; l < RT_LANES; l++) {
        o1[l] = r0[l] * sinf(t0[l]);
        o3[l] = r1[l] * sinf(t1[l]);
    }
    RT_STORE(dst, 4, o0, o1, o2, o3);
}

RT_INLINE void rt_chunk_n64f(uint64_t seed, uint64_t c0, double *dst)
{
    uint32_t w0[RT_LANES], w1[RT_LANES], w2[RT_LANES], w3[RT_LANES];
    double r[RT_LANES], t[RT_LANES], o0[RT_LANES], o1[RT_LANES];
    rt_philox_chunk(seed, c0, w0, w1, w2, w3);
    _Pragma("omp simd")
    for (int l = 0; l < RT_LANES; l++)
        RT_BM_PREP_F64(w0[l], w1[l], w2[l], w3[l], r[l], t[l]);
    _Pragma("omp simd")
    for (int l = 0; l < RT_LANES; l++) o0[l] = r[l] * cos(t[l]);
    _Pragma("omp simd")
    for (int l = 0; l < RT_LANES; l++) o1[l] = r[l] * sin(t[l]);
    RT_STORE(dst, 2, o0, o1, o0, o1);
}

/* fill: out[0..n) from blocks offset, offset+1, ...; K outputs per block.
 * Whole chunks of RT_LANES blocks are written in a parallel loop; the last,
 * partial chunk is computed by the same chunk code into a scratch buffer and
 * its head copied, so every element takes the same (SIMD) path and element
 * i never depends on n. */
#define RT_DEFINE_FILL(NAME, T, K, CHUNK)                                       \
RT_CLONES static void NAME(uint64_t seed, uint64_t offset, int64_t n, T *out)   \
{                                                                               \
    const int64_t per = RT_LANES * K;  /* outputs per chunk */                  \
    int64_t nch = n / per;                                                      \
    _Pragma("omp parallel for schedule(static) if(nch * RT_LANES >= RT_PHILOX_PAR_MIN)") \
    for (int64_t ch = 0; ch < nch; ch++)                                        \
        CHUNK(seed, offset + (uint64_t)(ch * RT_LANES), out + ch * per);        \
    if (n % per) {                                                              \
        T tmp[RT_LANES * K];                                                    \
        CHUNK(seed, offset + (uint64_t)(nch * RT_LANES), tmp);                  \
        memcpy(out + nch * per, tmp, (size_t)(n % per) * sizeof(T));            \
    }                                                                           \
}

RT_DEFINE_FILL(rt_philox_uniform_f32, float, 4, rt_chunk_u32f)
RT_DEFINE_FILL(rt_philox_uniform_f64, double, 2, rt_chunk_u64f)
RT_DEFINE_FILL(rt_philox_normal_f32, float, 4, rt_chunk_n32f)
RT_DEFINE_FILL(rt_philox_normal_f64, double, 2, rt_chunk_n64f)
RT_DEFINE_FILL(rt_philox_bits_u32, uint32_t, 4, rt_chunk_b32)
RT_DEFINE_FILL(rt_philox_bits_u64, uint64_t, 2, rt_chunk_b64)

#endif /* RUSTORCH_PHILOX_H */
