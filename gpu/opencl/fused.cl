/* Fused fast paths of the OpenCL backend: softmax, layer norm, the LSTM step and the optimizer steps.
 *
 * rustorch/backends/opencl/fused.py renders this file once per floating dtype: S is the storage type, C the compute
 * type (float for float16 and bfloat16), LD/ST read and write an element of a buffer as C. Every buffer comes with
 * its element offset (a contiguous tensor may start inside its storage).
 *
 * The row kernels (softmax, layer norm) run groups of NX x NY work-items (NX * NY <= 256, NY a power of two) on a
 * 1-D range (a 2-D one would put the slices on its second dim, which NVIDIA's driver caps at 65535 groups): a
 * group owns NX adjacent columns of one slice, and its NY rows of work-items split the reduced dim, so that
 * neighbouring work-items read neighbouring elements (along the reduced dim when it is the last, NX = 1; along the
 * columns when the reduced dim is strided). The partial results meet in local memory. rt_tile() places a work-item.
 */
typedef $storage S;
typedef $compute C;
#define LD(p, i) $load
#define ST(p, i, v) $store

#define RT_GROUP_MAX 256  /* the most work-items fused.py puts in a group */

/* where a work-item of a row kernel works: its slice (returned), its column (*col, over every group of the slice)
 * and its row (*ly) in the group */
inline long rt_tile(const long inner, const int nx, long *col, int *lx, int *ly)
{
    const long per_slice = (inner + nx - 1) / nx, g = get_group_id(0);
    const int l = get_local_id(0);
    *lx = l % nx;
    *ly = l / nx;
    *col = (g % per_slice) * nx + *lx;
    return g / per_slice;
}

/* the sum of v over the group's rows, per column lx, handed to every work-item; every work-item of the group must
 * call it (it holds barriers) */
inline C rt_sum_y(C v, __local C *red, const int lx, const int ly, const int nx, const int ny)
{
    red[ly * nx + lx] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = ny / 2; s > 0; s >>= 1) {
        if (ly < s)
            red[ly * nx + lx] += red[(ly + s) * nx + lx];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const C r = red[lx];
    barrier(CLK_LOCAL_MEM_FENCE);  /* red is written again by the next reduction */
    return r;
}

/* the maximum of v likewise, NaN winning (as torch's max) */
inline C rt_max_y(C v, __local C *red, const int lx, const int ly, const int nx, const int ny)
{
    red[ly * nx + lx] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = ny / 2; s > 0; s >>= 1) {
        if (ly < s) {
            const C a = red[ly * nx + lx], b = red[(ly + s) * nx + lx];
            red[ly * nx + lx] = (b > a || isnan(b)) ? b : a;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const C r = red[lx];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

/* softmax ---------------------------------------------------------------------------------------------------------
 * x and y are (outer, n, inner) contiguous, softmax along n. */
__kernel void rt_softmax(__global S *y, const long y_off, __global const S *x, const long x_off,
                         const long n, const long inner, const int log_space, const int nx, const int ny)
{
    __local C red[RT_GROUP_MAX];
    long i;
    int lx, ly;
    const long o = rt_tile(inner, nx, &i, &lx, &ly);
    const bool live = i < inner;  /* a work-item past the last column still takes part in the reductions */
    const long base = o * n * inner + i;
    C m = -INFINITY;
    if (live)
        for (long j = ly; j < n; j += ny) {
            const C v = LD(x, x_off + base + j * inner);
            m = (v > m || isnan(v)) ? v : m;
        }
    m = rt_max_y(m, red, lx, ly, nx, ny);
    C s = 0;
    if (live)
        for (long j = ly; j < n; j += ny)
            s += exp(LD(x, x_off + base + j * inner) - m);
    s = rt_sum_y(s, red, lx, ly, nx, ny);
    if (!live)
        return;
    if (log_space) {
        const C ls = log(s);
        for (long j = ly; j < n; j += ny)
            ST(y, y_off + base + j * inner, (LD(x, x_off + base + j * inner) - m) - ls);
    } else {
        const C inv = (C)1 / s;
        for (long j = ly; j < n; j += ny)
            ST(y, y_off + base + j * inner, exp(LD(x, x_off + base + j * inner) - m) * inv);
    }
}

/* dx = y * (g - sum(g * y)), or g - exp(y) * sum(g) for log_softmax; the layout of rt_softmax */
__kernel void rt_softmax_backward(__global S *dx, const long dx_off, __global const S *g, const long g_off,
                                  __global const S *y, const long y_off, const long n, const long inner,
                                  const int log_space, const int nx, const int ny)
{
    __local C red[RT_GROUP_MAX];
    long i;
    int lx, ly;
    const long o = rt_tile(inner, nx, &i, &lx, &ly);
    const bool live = i < inner;
    const long base = o * n * inner + i;
    C s = 0;
    if (live)
        for (long j = ly; j < n; j += ny) {
            const long k = base + j * inner;
            s += log_space ? LD(g, g_off + k) : LD(g, g_off + k) * LD(y, y_off + k);
        }
    s = rt_sum_y(s, red, lx, ly, nx, ny);
    if (!live)
        return;
    for (long j = ly; j < n; j += ny) {
        const long k = base + j * inner;
        const C gv = LD(g, g_off + k), yv = LD(y, y_off + k);
        ST(dx, dx_off + k, log_space ? gv - exp(yv) * s : yv * (gv - s));
    }
}

/* layer norm --------------------------------------------------------------------------------------------------------
 * Rows of x (M, D) contiguous; one group (NX = 1) per row. The variance in two passes (the mean first), so that a
 * large mean costs no accuracy. */
__kernel void rt_layer_norm(__global S *y, const long y_off, __global const S *x, const long x_off,
                            __global const S *w, const long w_off, __global const S *b, const long b_off,
                            __global S *mean, const long mean_off, __global S *rstd, const long rstd_off,
                            const long D, const C eps, const int has_w, const int has_b, const int nx, const int ny)
{
    __local C red[RT_GROUP_MAX];
    long col;
    int lx, ly;
    const long r = rt_tile(1, nx, &col, &lx, &ly);
    const long row = x_off + r * D;
    C s = 0;
    for (long j = ly; j < D; j += ny)
        s += LD(x, row + j);
    const C mu = D ? rt_sum_y(s, red, lx, ly, nx, ny) / (C)D : (C)0;
    C v = 0;
    for (long j = ly; j < D; j += ny) {
        const C d = LD(x, row + j) - mu;
        v += d * d;
    }
    const C k = (C)1 / sqrt((D ? rt_sum_y(v, red, lx, ly, nx, ny) / (C)D : (C)0) + eps);
    if (ly == 0) {
        ST(mean, mean_off + r, mu);
        ST(rstd, rstd_off + r, k);
    }
    for (long j = ly; j < D; j += ny) {
        C o = (LD(x, row + j) - mu) * k;
        if (has_w)
            o *= LD(w, w_off + j);
        if (has_b)
            o += LD(b, b_off + j);
        ST(y, y_off + r * D + j, o);
    }
}

/* the input gradient of a row: with xhat = (x - mean) * rstd and gw = g * w,
 * dx = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)) */
__kernel void rt_layer_norm_backward(__global S *dx, const long dx_off, __global const S *g, const long g_off,
                                     __global const S *x, const long x_off, __global const S *mean,
                                     const long mean_off, __global const S *rstd, const long rstd_off,
                                     __global const S *w, const long w_off, const long D, const int has_w,
                                     const int nx, const int ny)
{
    __local C red[RT_GROUP_MAX];
    long col;
    int lx, ly;
    const long r = rt_tile(1, nx, &col, &lx, &ly);
    const C m = LD(mean, mean_off + r), k = LD(rstd, rstd_off + r);
    C a = 0, c = 0;
    for (long j = ly; j < D; j += ny) {
        const C gw = LD(g, g_off + r * D + j) * (has_w ? LD(w, w_off + j) : (C)1);
        a += gw;
        c += gw * ((LD(x, x_off + r * D + j) - m) * k);
    }
    const C ma = rt_sum_y(a, red, lx, ly, nx, ny) / (C)D, mc = rt_sum_y(c, red, lx, ly, nx, ny) / (C)D;
    for (long j = ly; j < D; j += ny) {
        const C gw = LD(g, g_off + r * D + j) * (has_w ? LD(w, w_off + j) : (C)1);
        ST(dx, dx_off + r * D + j, k * (gw - ma - (LD(x, x_off + r * D + j) - m) * k * mc));
    }
}

/* the weight and bias gradients, first stage: a group adds rows chunk * rows_per .. of NX columns
 * into the partial sums pw[chunk, j] = sum g * xhat and pb[chunk, j] = sum g (compute type) */
__kernel void rt_layer_norm_colsum(__global C *pw, __global C *pb, __global const S *g, const long g_off,
                                   __global const S *x, const long x_off, __global const S *mean,
                                   const long mean_off, __global const S *rstd, const long rstd_off,
                                   const long M, const long D, const long rows_per, const int nx, const int ny)
{
    __local C red[RT_GROUP_MAX];
    long j;
    int lx, ly;
    const long chunk = rt_tile(D, nx, &j, &lx, &ly);
    const bool live = j < D;
    const long r1 = min(M, (chunk + 1) * rows_per);
    C sw = 0, sb = 0;
    if (live)
        for (long r = chunk * rows_per + ly; r < r1; r += ny) {
            const C gv = LD(g, g_off + r * D + j);
            sw += gv * ((LD(x, x_off + r * D + j) - LD(mean, mean_off + r)) * LD(rstd, rstd_off + r));
            sb += gv;
        }
    sw = rt_sum_y(sw, red, lx, ly, nx, ny);
    sb = rt_sum_y(sb, red, lx, ly, nx, ny);
    if (live && ly == 0) {
        pw[chunk * D + j] = sw;
        pb[chunk * D + j] = sb;
    }
}

/* second stage: dw[j], db[j] = the sums of the chunks' partials (each unless has_*) */
__kernel void rt_layer_norm_colsum_finish(__global S *dw, const long dw_off, __global S *db, const long db_off,
                                          __global const C *pw, __global const C *pb, const long chunks,
                                          const long D, const int has_dw, const int has_db)
{
    const long j = get_global_id(0);
    if (j >= D)
        return;
    C sw = 0, sb = 0;
    for (long t = 0; t < chunks; t++) {
        sw += pw[t * D + j];
        sb += pb[t * D + j];
    }
    if (has_dw)
        ST(dw, dw_off + j, sw);
    if (has_db)
        ST(db, db_off + j, sb);
}

/* LSTM step ---------------------------------------------------------------------------------------------------------
 * Every block is (rows, n) with contiguous rows a row stride apart; gate blocks have 4H rows (i, f, g, o). Work-item
 * (j, r) takes column j of hidden unit r. */
#define RT_AT(p, r, j) (p##_off + (r) * p##_s + (j))

__kernel void rt_lstm_cell(__global const S *pre, const long pre_off, const long pre_s,
                           __global const S *xp, const long xp_off, const long xp_s,
                           __global const S *cp, const long cp_off, const long cp_s,
                           __global S *gates, const long gates_off, const long gates_s,
                           __global S *c, const long c_off, const long c_s,
                           __global S *tc, const long tc_off, const long tc_s,
                           __global S *h, const long h_off, const long h_s, const long H, const long n)
{
    const long j = get_global_id(0), r = get_global_id(1);
    if (j >= n || r >= H)
        return;
    const C i = (C)1 / ((C)1 + exp(-(LD(pre, RT_AT(pre, r, j)) + LD(xp, RT_AT(xp, r, j)))));
    const C f = (C)1 / ((C)1 + exp(-(LD(pre, RT_AT(pre, r + H, j)) + LD(xp, RT_AT(xp, r + H, j)))));
    const C gg = tanh(LD(pre, RT_AT(pre, r + 2 * H, j)) + LD(xp, RT_AT(xp, r + 2 * H, j)));
    const C o = (C)1 / ((C)1 + exp(-(LD(pre, RT_AT(pre, r + 3 * H, j)) + LD(xp, RT_AT(xp, r + 3 * H, j)))));
    const C cc = f * LD(cp, RT_AT(cp, r, j)) + i * gg;
    const C t = tanh(cc);
    ST(gates, RT_AT(gates, r, j), i);
    ST(gates, RT_AT(gates, r + H, j), f);
    ST(gates, RT_AT(gates, r + 2 * H, j), gg);
    ST(gates, RT_AT(gates, r + 3 * H, j), o);
    ST(c, RT_AT(c, r, j), cc);
    ST(tc, RT_AT(tc, r, j), t);
    ST(h, RT_AT(h, r, j), o * t);
}

__kernel void rt_lstm_cell_backward(__global const S *dh, const long dh_off, const long dh_s,
                                    __global const S *dc, const long dc_off, const long dc_s,
                                    __global const S *gates, const long gates_off, const long gates_s,
                                    __global const S *cp, const long cp_off, const long cp_s,
                                    __global const S *tc, const long tc_off, const long tc_s,
                                    __global S *dg, const long dg_off, const long dg_s,
                                    __global S *dcp, const long dcp_off, const long dcp_s,
                                    const long H, const long n)
{
    const long j = get_global_id(0), r = get_global_id(1);
    if (j >= n || r >= H)
        return;
    const C i = LD(gates, RT_AT(gates, r, j)), f = LD(gates, RT_AT(gates, r + H, j));
    const C g = LD(gates, RT_AT(gates, r + 2 * H, j)), o = LD(gates, RT_AT(gates, r + 3 * H, j));
    const C t = LD(tc, RT_AT(tc, r, j)), d_h = LD(dh, RT_AT(dh, r, j));
    const C d_c = LD(dc, RT_AT(dc, r, j)) + d_h * o * ((C)1 - t * t);
    ST(dg, RT_AT(dg, r, j), d_c * g * i * ((C)1 - i));
    ST(dg, RT_AT(dg, r + H, j), d_c * LD(cp, RT_AT(cp, r, j)) * f * ((C)1 - f));
    ST(dg, RT_AT(dg, r + 2 * H, j), d_c * i * ((C)1 - g * g));
    ST(dg, RT_AT(dg, r + 3 * H, j), d_h * t * o * ((C)1 - o));
    ST(dcp, RT_AT(dcp, r, j), d_c * f);
}

/* optimizer steps ---------------------------------------------------------------------------------------------------
 * One launch per parameter, one work-item per element; the formulas of rustorch/_ext/optim.h, op by op (torch's
 * single-tensor steps). sign is -1 when maximizing; a state buffer that is absent is flagged off (its argument is
 * then a stand-in). */

/* torch's lerp: the form that is exact at the end nearer to w */
inline C rt_lerp(C a, C b, C w, int small)
{
    return small ? a + w * (b - a) : b - (b - a) * ((C)1 - w);
}

__kernel void rt_sgd_step(__global S *p, const long p_off, __global const S *grad, const long g_off,
                          __global S *buf, const long buf_off, const long n, const C sign, const C wd,
                          const C lr_neg, const C mom, const C damp1, const int has_buf, const int fresh,
                          const int nesterov)
{
    const long k = get_global_id(0);
    if (k >= n)
        return;
    const C pv = LD(p, p_off + k);
    C g = sign * LD(grad, g_off + k);
    if (wd != (C)0)
        g = g + wd * pv;
    if (has_buf) {
        const C bv = fresh ? g : LD(buf, buf_off + k) * mom + damp1 * g;
        ST(buf, buf_off + k, bv);
        g = nesterov ? g + mom * bv : bv;
    }
    ST(p, p_off + k, pv + lr_neg * g);
}

__kernel void rt_adam_step(__global S *p, const long p_off, __global const S *grad, const long g_off,
                           __global S *m, const long m_off, __global S *v, const long v_off,
                           __global S *vmax, const long vmax_off, const long n, const C sign, const C decay,
                           const C wd, const C w1, const int small, const C beta2, const C w2, const C step_neg,
                           const C bc2_sqrt, const C eps, const int amsgrad)
{
    const long k = get_global_id(0);
    if (k >= n)
        return;
    const C pv = LD(p, p_off + k) * decay;
    C g = sign * LD(grad, g_off + k);
    if (wd != (C)0)
        g = g + wd * pv;
    const C mv = rt_lerp(LD(m, m_off + k), g, w1, small);
    C vv = LD(v, v_off + k) * beta2 + (w2 * g) * g;
    ST(m, m_off + k, mv);
    ST(v, v_off + k, vv);
    if (amsgrad) {
        const C mx = LD(vmax, vmax_off + k);
        vv = (isnan(mx) || mx > vv) ? mx : vv;  /* NaN wins, as torch.maximum */
        ST(vmax, vmax_off + k, vv);
    }
    ST(p, p_off + k, pv + (step_neg * mv) / (sqrt(vv) / bc2_sqrt + eps));
}

__kernel void rt_rmsprop_step(__global S *p, const long p_off, __global const S *grad, const long g_off,
                              __global S *sq, const long sq_off, __global S *ga, const long ga_off,
                              __global S *buf, const long buf_off, const long n, const C sign, const C wd,
                              const C alpha, const C w, const int small, const C eps, const C lr_neg, const C mom,
                              const int centered, const int has_buf)
{
    const long k = get_global_id(0);
    if (k >= n)
        return;
    const C pv = LD(p, p_off + k);
    C g = sign * LD(grad, g_off + k);
    if (wd != (C)0)
        g = g + wd * pv;
    const C s = LD(sq, sq_off + k) * alpha + (w * g) * g;
    ST(sq, sq_off + k, s);
    C avg;
    if (centered) {
        const C a = rt_lerp(LD(ga, ga_off + k), g, w, small);
        ST(ga, ga_off + k, a);
        avg = sqrt(s + (-a) * a);
    } else {
        avg = sqrt(s);
    }
    avg = avg + eps;
    if (has_buf) {
        const C bv = LD(buf, buf_off + k) * mom + g / avg;
        ST(buf, buf_off + k, bv);
        ST(p, p_off + k, pv + lr_neg * bv);
    } else {
        ST(p, p_off + k, pv + (lr_neg * g) / avg);
    }
}

__kernel void rt_adagrad_step(__global S *p, const long p_off, __global const S *grad, const long g_off,
                              __global S *sum, const long sum_off, const long n, const C sign, const C wd,
                              const C clr_neg, const C eps)
{
    const long k = get_global_id(0);
    if (k >= n)
        return;
    const C pv = LD(p, p_off + k);
    C g = sign * LD(grad, g_off + k);
    if (wd != (C)0)
        g = g + wd * pv;
    const C s = LD(sum, sum_off + k) + g * g;
    ST(sum, sum_off + k, s);
    ST(p, p_off + k, pv + (clr_neg * g) / (sqrt(s) + eps));
}
