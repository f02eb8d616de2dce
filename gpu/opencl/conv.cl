/* Convolution (im2col / col2im) and pooling kernels of the OpenCL backend.
 *
 * rustorch/backends/opencl/convolution.py renders this file once per dtype: S is the storage type, C the compute
 * type (float for float16/bfloat16), LOAD/STORE read and write S as C. Tensors are (N, C, *spatial) with the
 * spatial dims padded in front to three (D, H, W): N * C "planes" of D x H x W elements. Positions inside a plane
 * are ints (the host checks that a plane has fewer than 2^31 elements); offsets into buffers are longs.
 *
 * Every kernel is a 2-D launch: dim 0 runs over the positions of one plane (neighbouring work-items touch
 * neighbouring elements, so a warp's accesses coalesce), dim 1 over the planes, grid-stride (NVIDIA caps the
 * second dim of a grid at 65535 work-groups). Sums are taken in the order the CPU kernels (rustorch/_ext/conv.h)
 * take them, so float32 results match them bit for bit; only max pooling's backward adds with atomics.
 */
typedef $storage S;
typedef $compute C;
#define LOAD(p, i) ($load)
#define STORE(p, i, v) $store

/* Convolution geometry g (ints): in[3] at 0, out[3] at 3, kernel[3] at 6, stride[3] at 9, padding (before the
 * data)[3] at 12, dilation[3] at 15. */

/* cols[plane * K + k][o] = x[plane][o * stride - padding + k * dilation], 0 outside x: one work-item per output
 * position o, writing its K column entries of each plane. */
__kernel void rt_im2col(__global const S *x, const long x_off, __global S *cols, const long cols_off,
                        __constant const int *g, const long planes)
{
    const int o = get_global_id(0);
    const int I0 = g[0], I1 = g[1], I2 = g[2], O1 = g[4], O2 = g[5];
    const int L = g[3] * O1 * O2, K = g[6] * g[7] * g[8];
    if (o >= L)
        return;
    const int ow = o % O2, oh = o / O2 % O1, od = o / (O2 * O1);
    const int b0 = od * g[9] - g[12], b1 = oh * g[10] - g[13], b2 = ow * g[11] - g[14];
    for (long plane = get_global_id(1); plane < planes; plane += get_global_size(1)) {
        __global const S *xp = x + x_off + plane * I0 * I1 * I2;
        __global S *cp = cols + cols_off + plane * K * L + o;
        long k = 0;
        for (int kd = 0; kd < g[6]; kd++) {
            const int id = b0 + kd * g[15];
            for (int kh = 0; kh < g[7]; kh++) {
                const int ih = b1 + kh * g[16];
                const bool row_in = id >= 0 && id < I0 && ih >= 0 && ih < I1;
                for (int kw = 0; kw < g[8]; kw++, k++) {
                    const int iw = b2 + kw * g[17];
                    const C v = row_in && iw >= 0 && iw < I2 ? LOAD(xp, (id * I1 + ih) * I2 + iw) : (C)0;
                    STORE(cp, k * L, v);
                }
            }
        }
    }
}

/* The adjoint of rt_im2col as a gather: one work-item per input position i sums the column entries read from i,
 * kernel offsets in order (those whose o = (i + padding - k * dilation) / stride is a whole output position). */
__kernel void rt_col2im(__global const S *cols, const long cols_off, __global S *x, const long x_off,
                        __constant const int *g, const long planes)
{
    const int i = get_global_id(0);
    const int I1 = g[1], I2 = g[2], P = g[0] * I1 * I2;
    const int O0 = g[3], O1 = g[4], O2 = g[5], L = O0 * O1 * O2;
    const int K1 = g[7], K2 = g[8], K = g[6] * K1 * K2;
    if (i >= P)
        return;
    const int iw = i % I2, ih = i / I2 % I1, id = i / (I2 * I1);
    for (long plane = get_global_id(1); plane < planes; plane += get_global_size(1)) {
        __global const S *cp = cols + cols_off + plane * K * L;
        C sum = 0;
        for (int kd = 0; kd < g[6]; kd++) {
            const int nd = id + g[12] - kd * g[15];  /* od * stride: falls as kd grows */
            if (nd < 0)
                break;
            if (nd % g[9] != 0 || nd / g[9] >= O0)
                continue;
            const int od = nd / g[9];
            for (int kh = 0; kh < K1; kh++) {
                const int nh = ih + g[13] - kh * g[16];
                if (nh < 0)
                    break;
                if (nh % g[10] != 0 || nh / g[10] >= O1)
                    continue;
                const int oh = nh / g[10];
                for (int kw = 0; kw < K2; kw++) {
                    const int nw = iw + g[14] - kw * g[17];
                    if (nw < 0)
                        break;
                    if (nw % g[11] != 0 || nw / g[11] >= O2)
                        continue;
                    const long k = (kd * K1 + kh) * K2 + kw;
                    sum += LOAD(cp, k * L + (od * O1 + oh) * O2 + nw / g[11]);
                }
            }
        }
        STORE(x + x_off, plane * P + i, sum);
    }
}

/* Pooling geometry g (ints): in[3] at 0, out[3] at 3, step[3] at 6, then per dim d its windows, first[out[d]]
 * and count[out[d]] (output position o of dim d reads input positions first[o] + j * step, j < count[o]); for the
 * average's backward then per dim lo[in[d]] and hi[in[d]]: the outputs [lo, hi) of dim d whose windows may hold
 * input position i (the others cannot). */
#define RT_WINDOWS(g)                                                                   \
    const int I1 = g[1], I2 = g[2], P = g[0] * I1 * I2;                                 \
    const int O0 = g[3], O1 = g[4], O2 = g[5], L = O0 * O1 * O2;                        \
    const int st0 = g[6], st1 = g[7], st2 = g[8];                                       \
    __global const int *first0 = g + 9, *count0 = first0 + O0;                         \
    __global const int *first1 = count0 + O0, *count1 = first1 + O1;                   \
    __global const int *first2 = count1 + O1, *count2 = first2 + O2;

/* The max of each window (NaN wins: the last NaN; ties keep the first maximum) and, when yi is not NULL, its flat
 * position in the input plane; one work-item per output position. */
__kernel void rt_maxpool(__global const S *x, const long x_off, __global S *y, const long y_off,
                         __global long *yi, const long yi_off, __global const int *g, const long planes)
{
    RT_WINDOWS(g)
    const int o = get_global_id(0);
    if (o >= L)
        return;
    const int ow = o % O2, oh = o / O2 % O1, od = o / (O2 * O1);
    const int f0 = first0[od], c0 = count0[od], f1 = first1[oh], c1 = count1[oh], f2 = first2[ow], c2 = count2[ow];
    for (long plane = get_global_id(1); plane < planes; plane += get_global_size(1)) {
        __global const S *xp = x + x_off + plane * P;
        C best = -INFINITY;
        int best_i = (f0 * I1 + f1) * I2 + f2;
        for (int a = 0; a < c0; a++)
            for (int b = 0; b < c1; b++) {
                const int row = ((f0 + a * st0) * I1 + f1 + b * st1) * I2 + f2;
                for (int e = 0; e < c2; e++) {
                    const int j = row + e * st2;
                    const C v = LOAD(xp, j);
                    if (v > best || isnan(v)) {
                        best = v;
                        best_i = j;
                    }
                }
            }
        STORE(y + y_off, plane * L + o, best);
        if (yi)
            yi[yi_off + plane * L + o] = best_i;
    }
}

/* The sum of each window divided by div[o] (the product of the dims' divisors); 0 for an empty window. */
__kernel void rt_avgpool(__global const S *x, const long x_off, __global S *y, const long y_off,
                         __global const int *g, __global const C *div, const long planes)
{
    RT_WINDOWS(g)
    const int o = get_global_id(0);
    if (o >= L)
        return;
    const int ow = o % O2, oh = o / O2 % O1, od = o / (O2 * O1);
    const int f0 = first0[od], c0 = count0[od], f1 = first1[oh], c1 = count1[oh], f2 = first2[ow], c2 = count2[ow];
    for (long plane = get_global_id(1); plane < planes; plane += get_global_size(1)) {
        __global const S *xp = x + x_off + plane * P;
        C sum = 0;
        for (int a = 0; a < c0; a++)
            for (int b = 0; b < c1; b++) {
                const int row = ((f0 + a * st0) * I1 + f1 + b * st1) * I2 + f2;
                for (int e = 0; e < c2; e++)
                    sum += LOAD(xp, row + e * st2);
            }
        STORE(y + y_off, plane * L + o, c0 && c1 && c2 ? sum / div[o] : (C)0);
    }
}

/* The gradient of rt_avgpool as a gather: one work-item per input position sums gy[o] / div[o] over the windows
 * o that hold it, in the order of o. */
__kernel void rt_avgpool_backward(__global const S *gy, const long gy_off, __global S *gx, const long gx_off,
                                  __global const int *g, __global const C *div, const long planes)
{
    RT_WINDOWS(g)
    __global const int *lo0 = count2 + O2, *hi0 = lo0 + g[0];
    __global const int *lo1 = hi0 + g[0], *hi1 = lo1 + I1;
    __global const int *lo2 = hi1 + I1, *hi2 = lo2 + I2;
    const int i = get_global_id(0);
    if (i >= P)
        return;
    const int iw = i % I2, ih = i / I2 % I1, id = i / (I2 * I1);
    for (long plane = get_global_id(1); plane < planes; plane += get_global_size(1)) {
        __global const S *gp = gy + gy_off + plane * L;
        C sum = 0;
        for (int od = lo0[id]; od < hi0[id]; od++) {
            const int t0 = id - first0[od];
            if (t0 < 0 || t0 % st0 != 0 || t0 / st0 >= count0[od])
                continue;
            for (int oh = lo1[ih]; oh < hi1[ih]; oh++) {
                const int t1 = ih - first1[oh];
                if (t1 < 0 || t1 % st1 != 0 || t1 / st1 >= count1[oh])
                    continue;
                for (int ow = lo2[iw]; ow < hi2[iw]; ow++) {
                    const int t2 = iw - first2[ow];
                    if (t2 < 0 || t2 % st2 != 0 || t2 / st2 >= count2[ow])
                        continue;
                    const int o = (od * O1 + oh) * O2 + ow;
                    sum += LOAD(gp, o) / div[o];
                }
            }
        }
        STORE(gx + gx_off, plane * P + i, sum);
    }
}

/* *p += v atomically, by compare-and-swap on the value's bits (OpenCL has no float atomic add). */
#if $f64
#ifdef cl_khr_int64_base_atomics
#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable
#define RT_ATOMIC_ADD
inline void rt_atomic_add(volatile __global double *p, double v)
{
    ulong old = as_ulong(*p), seen;
    while ((seen = atom_cmpxchg((volatile __global ulong *)p, old, as_ulong(as_double(old) + v))) != old)
        old = seen;
}
#endif
#else
#define RT_ATOMIC_ADD
inline void rt_atomic_add(volatile __global float *p, float v)
{
    uint old = as_uint(*p), seen;
    while ((seen = atomic_cmpxchg((volatile __global uint *)p, old, as_uint(as_float(old) + v))) != old)
        old = seen;
}
#endif

#ifdef RT_ATOMIC_ADD
/* acc[plane][yi[plane][o]] += gy[plane][o] (acc zeroed by the host; of the compute type, so that 16-bit floats
 * add in float): the windows are not known here and may overlap, so two outputs may hit one position. An index
 * outside its plane passes nothing. */
__kernel void rt_maxpool_backward(__global const S *gy, const long gy_off, __global const long *yi,
                                  const long yi_off, __global C *acc, const long acc_off, const int L, const long P,
                                  const long planes)
{
    const int o = get_global_id(0);
    if (o >= L)
        return;
    for (long plane = get_global_id(1); plane < planes; plane += get_global_size(1)) {
        const long j = yi[yi_off + plane * L + o];
        if ((ulong)j < (ulong)P)
            rt_atomic_add(acc + acc_off + plane * P + j, LOAD(gy + gy_off, plane * L + o));
    }
}
#endif
