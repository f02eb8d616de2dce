/* Helpers every OpenCL kernel family shares; rustorch/backends/opencl/runtime.py puts this file before each family's
 * source (after the cl_khr_fp64 pragma where a float64 operand needs it). */

/* bfloat16 is stored as its upper 16 bits of a float */
inline float rt_bf16_load(ushort v) { return as_float((uint)v << 16); }

inline ushort rt_bf16_store(float f)
{
    uint u = as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (ushort)((u >> 16) | 0x40u);     /* a quiet NaN */
    u += 0x7fffu + ((u >> 16) & 1u);            /* round to nearest, ties to even */
    return (ushort)(u >> 16);
}
