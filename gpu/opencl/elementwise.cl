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

#if $floating
/* floor division and remainder as torch's div_floor / remainder on floats: from fmod, so that a - q * b keeps the
   sign of b and q is exact where floor(a / b) would round */
inline T rt_floor_divide(T a, T b)
{
    if (b == (T)0)
        return a / b;
    T mod = fmod(a, b);
    T div = (a - mod) / b;
    if (mod != (T)0 && (b < (T)0) != (mod < (T)0))
        div -= (T)1;
    if (div == (T)0)
        return copysign((T)0, a / b);
    T q = floor(div);
    return div - q > (T)0.5 ? q + (T)1 : q;
}

inline T rt_remainder(T a, T b)
{
    T mod = fmod(a, b);
    return mod != (T)0 && (b < (T)0) != (mod < (T)0) ? mod + b : mod;
}

/* digamma and trigamma as torch's calc_digamma / calc_trigamma (Cephes' asymptotic series after recurrence) */
inline T rt_digamma(T x)
{
    const T pi = (T)3.14159265358979323846;
    if (x == (T)0)
        return copysign((T)INFINITY, -x);
    T reflection = (T)0;  /* added last, as torch does: it may be large */
    if (x < (T)0) {
        if (x == trunc(x))
            return (T)NAN;
#ifdef RT_FP64
        /* in double, rounded once: the float product pi * r loses digits the steep tangent near a pole magnifies */
        reflection = (T)(-M_PI / tan(M_PI * (double)(x - trunc(x))));
#else
        reflection = -pi / tan(pi * (x - trunc(x)));
#endif
        x = (T)1 - x;
    }
    T result = (T)0;
    while (x < (T)10) {
        result -= (T)1 / x;
        x += (T)1;
    }
    if (x == (T)10)
        return result + (T)2.25175258906672110764 + reflection;
    T y = (T)0;
    if (x < (T)1e17) {
        const T z = (T)1 / (x * x);
        y = z * (((((((T)8.33333333333333333333E-2 * z - (T)2.10927960927960927961E-2) * z
                    + (T)7.57575757575757575758E-3) * z - (T)4.16666666666666666667E-3) * z
                  + (T)3.96825396825396825397E-3) * z - (T)8.33333333333333333333E-3) * z
                 + (T)8.33333333333333333333E-2);
    }
    return result + log(x) - (T)0.5 / x - y + reflection;
}

inline T rt_trigamma(T x)
{
    const T pi = (T)3.14159265358979323846;
    T sign = (T)1, result = (T)0;
    if (x < (T)0.5) {
        sign = (T)-1;
        const T s = sin(pi * x);
        result -= pi * pi / (s * s);
        x = (T)1 - x;
    }
    for (int i = 0; i < 6; i++) {
        result += (T)1 / (x * x);
        x += (T)1;
    }
    const T ixx = (T)1 / (x * x);
    result += ((T)1 + (T)1 / ((T)2 * x) + ixx * ((T)1 / (T)6 - ixx * ((T)1 / (T)30 - ixx * ((T)1 / (T)42)))) / x;
    return sign * result;
}

/* erfinv as torch's calc_erfinv: a rational first guess (central range / tails), then two Newton steps */
inline T rt_erfinv(T y)
{
    const T ay = fabs(y);
    if (ay > (T)1)
        return (T)NAN;
    if (ay == (T)1)
        return copysign((T)INFINITY, y);
    T x;
    if (ay <= (T)0.7) {
        const T z = y * y;
        const T num = (((T)-0.140543331 * z + (T)0.914624893) * z - (T)1.645349621) * z + (T)0.886226899;
        const T den = ((((T)0.012229801 * z - (T)0.329097515) * z + (T)1.442710462) * z - (T)2.118377725) * z + (T)1;
        x = y * num / den;
    } else {
        const T z = sqrt(-log(((T)1 - ay) / (T)2));
        const T num = (((T)1.641345311 * z + (T)3.429567803) * z - (T)1.624906493) * z - (T)1.970840454;
        const T den = ((T)1.637067800 * z + (T)3.543889200) * z + (T)1;
        x = copysign(num / den, y);
    }
    const T two_over_sqrt_pi = (T)1.12837916709551257390;
    x -= (erf(x) - y) / (two_over_sqrt_pi * exp(-x * x));
    x -= (erf(x) - y) / (two_over_sqrt_pi * exp(-x * x));
    return x;
}
#endif

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

/* Operand k's element at flat index i. rt_elementwise reads every layout through the strides in meta;
   rt_elementwise_dense is for operands all laid out densely in the output's order (the common case), where
   each is its offset (the o<k> variables) plus i: no index arithmetic, and four elements per work-item. */
#define AT(k) rt_offset(i, meta, k)
__kernel void rt_elementwise($params, __global const long *meta, const long n)
{
    const long i = get_global_id(0);
    if (i >= n)
        return;
$loads
    $store;
}
#undef AT

#define AT(k) (o##k + i)
__kernel void rt_elementwise_dense($params, __global const long *meta, const long n)
{
    $dense_offsets
    for (int j = 0; j < 4; j++) {
        const long i = get_global_id(0) + j * (long)get_global_size(0);
        if (i >= n)
            return;
$loads
        $store;
    }
}
#undef AT
