/* Elementwise kernels of the OpenCL backend.
 *
 * rustorch/backends/opencl/elementwise.py renders one kernel per (expression, dtypes) from this skeleton: its placeholders (a dollar sign and a name)
 * are filled from the op table in rustorch/kernels/ops.py. Operand k of the kernel is either a buffer, read at
 * its strided offset, or a scalar argument. The layout of every buffer operand comes in `meta`:
 *   meta[0] = ndim, meta[1 .. ndim] = the output's shape,
 *   then per buffer operand (the output first): its element offset and ndim strides (0 where broadcast).
 */
typedef $compute T;

/* integer power by squaring (OpenCL's pow takes floats); a negative exponent gives torch's 1, -1 or 0 */
inline long rt_ipow(long a, long b)
{
    if (b < 0)
        return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
    long r = 1;
    for (; b > 0; b >>= 1) {
        if (b & 1)
            r *= a;
        a *= a;
    }
    return r;
}

/* the element offset of flat (row-major) index i in buffer operand k */
inline long rt_offset(long i, __global const long *meta, int k)
{
    const int nd = (int)meta[0];
    __global const long *shape = meta + 1;
    __global const long *st = meta + 1 + nd + (long)k * (nd + 1);
    if (nd == 1)
        return st[0] + i * st[1];   /* contiguous operands merge into one dim: no divisions */
    long off = st[0];
    for (int d = nd - 1; d >= 0; d--) {
        const long s = shape[d];
        off += (i % s) * st[1 + d];
        i /= s;
    }
    return off;
}

__kernel void rt_elementwise($params, __global const long *meta, const long n)
{
    const long i = get_global_id(0);
    if (i >= n)
        return;
$loads
    $store;
}
