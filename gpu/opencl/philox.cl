/* Philox4x32-10 random numbers of the OpenCL backend (rustorch/backends/opencl/random.py).
 *
 * The stream is the one rustorch/_ext/philox.pyx documents (and philox.h computes on the CPU): for seed s and
 * offset o, block b of a fill is Philox4x32-10 of the counter (c & 0xffffffff, c >> 32, 0, 0), c = o + b, under
 * the key (s & 0xffffffff, s >> 32); it gives K outputs (4 of a 32-bit type, 2 of a 64-bit one), elements
 * b*K .. b*K+K-1. One work-item computes one block. Uniforms and bits are bit-exact with the CPU; normals go
 * through log/sin/cos, which differ between math libraries by a few ulp.
 */
#define RT_PHILOX_M0 0xD2511F53u
#define RT_PHILOX_M1 0xCD9E8D57u
#define RT_PHILOX_W0 0x9E3779B9u
#define RT_PHILOX_W1 0xBB67AE85u

/* block ``c`` of the stream of ``seed``: its words w0..w3 */
inline uint4 rt_philox(ulong seed, ulong c)
{
    uint c0 = (uint)c, c1 = (uint)(c >> 32), c2 = 0, c3 = 0;
    uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
    for (int r = 0; r < 10; r++) {
        if (r) {
            k0 += RT_PHILOX_W0;
            k1 += RT_PHILOX_W1;
        }
        const uint hi0 = mul_hi(RT_PHILOX_M0, c0), lo0 = RT_PHILOX_M0 * c0;
        const uint hi1 = mul_hi(RT_PHILOX_M1, c2), lo1 = RT_PHILOX_M1 * c2;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    return (uint4)(c0, c1, c2, c3);
}

/* word a is the low half, word b the high half */
inline ulong rt_w64(uint a, uint b) { return (ulong)a | ((ulong)b << 32); }

/* The kernels fill out[start, start + n) of a buffer; the global size is the number of blocks rounded up to the
 * work-group size. A whole block is one vector store: a 16-byte one where out is 16-byte aligned (a buffer starts
 * aligned, so that is where start is a multiple of the block's elements), else vstore; the tail block of a fill
 * stores what is left of it. */
#define RT_BLOCK(K)                                                     \
    out += start;                                                       \
    const ulong b = get_global_id(0);                                   \
    const long i = (long)b * K;                                         \
    if (i >= n)                                                         \
        return;                                                         \
    const uint4 w = rt_philox(seed, offset + b);

#define RT_STORE4(V, v)                                                 \
    if (i + 4 <= n && (start & 3) == 0)                                 \
        ((__global V *)out)[b] = v;                                     \
    else if (i + 4 <= n)                                                \
        vstore4(v, b, out);                                             \
    else                                                                \
    {                                                                   \
        out[i] = v.s0;                                                  \
        if (i + 1 < n)                                                  \
            out[i + 1] = v.s1;                                          \
        if (i + 2 < n)                                                  \
            out[i + 2] = v.s2;                                          \
    }

#define RT_STORE2(V, v)                                                 \
    if (i + 2 <= n && (start & 1) == 0)                                 \
        ((__global V *)out)[b] = v;                                     \
    else if (i + 2 <= n)                                                \
        vstore2(v, b, out);                                             \
    else                                                                \
        out[i] = v.s0;

__kernel void rt_philox_uniform_f32(__global float *out, const long start,
                                   const ulong seed, const ulong offset, const long n)
{
    RT_BLOCK(4)
    const float4 v = convert_float4(w >> 8) * 0x1p-24f;     /* 24-bit integers: exact */
    RT_STORE4(float4, v)
}

__kernel void rt_philox_bits_u32(__global uint *out, const long start,
                                   const ulong seed, const ulong offset, const long n)
{
    RT_BLOCK(4)
    RT_STORE4(uint4, w)
}

__kernel void rt_philox_bits_u64(__global ulong *out, const long start,
                                   const ulong seed, const ulong offset, const long n)
{
    RT_BLOCK(2)
    const ulong2 v = (ulong2)(rt_w64(w.s0, w.s1), rt_w64(w.s2, w.s3));
    RT_STORE2(ulong2, v)
}

/* Box-Muller in float32, as the CPU: each word pair (2p, 2p+1) gives r cos t, r sin t */
__kernel void rt_philox_normal_f32(__global float *out, const long start,
                                   const ulong seed, const ulong offset, const long n)
{
    RT_BLOCK(4)
    const float4 u = convert_float4(w >> 8);
    const float u1a = (u.s0 + 1.0f) * 0x1p-24f, u1b = (u.s2 + 1.0f) * 0x1p-24f;   /* (0, 1]: log is finite */
    const float ra = sqrt(-2.0f * log(u1a)), rb = sqrt(-2.0f * log(u1b));
    const float ta = 6.2831853071795864769f * (u.s1 * 0x1p-24f), tb = 6.2831853071795864769f * (u.s3 * 0x1p-24f);
    const float4 v = (float4)(ra * cos(ta), ra * sin(ta), rb * cos(tb), rb * sin(tb));
    RT_STORE4(float4, v)
}

#ifdef cl_khr_fp64
__kernel void rt_philox_uniform_f64(__global double *out, const long start,
                                   const ulong seed, const ulong offset, const long n)
{
    RT_BLOCK(2)
    const double2 v = (double2)((double)(rt_w64(w.s0, w.s1) >> 11), (double)(rt_w64(w.s2, w.s3) >> 11)) * 0x1p-53;
    RT_STORE2(double2, v)
}

__kernel void rt_philox_normal_f64(__global double *out, const long start,
                                   const ulong seed, const ulong offset, const long n)
{
    RT_BLOCK(2)
    const double u1 = (double)((rt_w64(w.s0, w.s1) >> 11) + 1) * 0x1p-53;             /* (0, 1] */
    const double u2 = (double)(rt_w64(w.s2, w.s3) >> 11) * 0x1p-53;
    const double r = sqrt(-2.0 * log(u1)), t = 6.283185307179586476925 * u2;
    const double2 v = (double2)(r * cos(t), r * sin(t));
    RT_STORE2(double2, v)
}
#endif
