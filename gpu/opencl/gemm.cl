/* Batched, strided GEMM of the OpenCL backend: C[b] = A[b] @ B[b], A (M, K), B (K, N), C (M, N).
 *
 * rustorch/backends/opencl/gemm.py renders one kernel per (dtype, tile configuration, operand layout). The
 * defines it puts first:
 *   BM, BN, BK   the tile of C one work-group computes (BM x BN) and the K-slice staged per step,
 *   WM, WN       the outputs per work-item along M and N (multiples of 4: local reads are 4-vectors),
 *   A_KFAST      1 where A is read walking K (A's K stride is the small one: row-major A), else walking M,
 *   B_KFAST      1 where B is read walking K (B's K stride is the small one: a transposed B), else walking N,
 *   LOAD_A(o), LOAD_B(o), STORE_C(o, v)   element access in the storage dtype, computed as ACC.
 * Consecutive work-items read consecutive addresses in either layout (coalesced); any other strides are
 * correct, only slower. A work-group is one (tile of C, batch entry): the batch offsets of A, B and C come from
 * `meta` as elementwise.layout_meta lays them out (C first), decoded once per work-group. A split-K product
 * (few tiles, a long K) gives each of `splits` groups per tile a K-range and a slice of C (c_split apart).
 *
 * Each step stages a BK-slice of A (transposed, as As[k][m]) and of B (Bs[k][n]) in local memory, padded by 4
 * so that the transposing writes spread over the banks; while the work-group multiplies the slice, each
 * work-item already has the next slice's elements in flight into registers (prefetch). Work-item (tx, ty)
 * computes rows (g*TY + ty)*4 + 0..3 for g < WM/4 and columns (g*TX + tx)*4 + 0..3 for g < WN/4: its local
 * reads are 4-vectors at consecutive addresses across the work-group, and its stores are coalesced 4-runs.
 */
$defines

typedef $acc ACC;
typedef $acc4 ACC4;

#define TX (BN / WN)
#define TY (BM / WM)
#define NT (TX * TY)
#define LDA (BM + 4)
#define LDB (BN + 4)
#define LA (BM * BK / NT)
#define LB (BK * BN / NT)

#if A_KFAST
#define A_ROW(e) ((e) / BK)
#define A_DEPTH(e) ((e) % BK)
#else
#define A_ROW(e) ((e) % BM)
#define A_DEPTH(e) ((e) / BM)
#endif
#if B_KFAST
#define B_COL(e) ((e) / BK)
#define B_DEPTH(e) ((e) % BK)
#else
#define B_COL(e) ((e) % BN)
#define B_DEPTH(e) ((e) / BN)
#endif

/* this work-item's elements of the K-slice at k0 into ra, rb (0 outside the matrices) */
#define LOAD_SLICE(k0)                                                                      \
    for (int i = 0; i < LA; i++) {                                                          \
        const int e = lid + i * NT;                                                         \
        const long m = m0 + A_ROW(e), k = (k0) + A_DEPTH(e);                                \
        ra[i] = (m < M && k < ks) ? (ACC)(LOAD_A(a_off + m * a_rs + k * a_cs)) : (ACC)0;     \
    }                                                                                       \
    for (int i = 0; i < LB; i++) {                                                          \
        const int e = lid + i * NT;                                                         \
        const long n = n0 + B_COL(e), k = (k0) + B_DEPTH(e);                                \
        rb[i] = (n < N && k < ks) ? (ACC)(LOAD_B(b_off + k * b_rs + n * b_cs)) : (ACC)0;     \
    }

__kernel __attribute__((reqd_work_group_size(NT, 1, 1)))
void rt_gemm(__global C_T *restrict C, __global const A_T *restrict A, __global const B_T *restrict B,
             __global const long *meta,
             const long M, const long N, const long K, const long k_len, const long splits, const long c_split,
             const long tiles_n, const long tiles_m,
             const long a_rs, const long a_cs, const long b_rs, const long b_cs, const long c_rs, const long c_cs)
{
    __local ACC4 As4[BK][LDA / 4];
    __local ACC4 Bs4[BK][LDB / 4];
    __local ACC *As = (__local ACC *)As4;
    __local ACC *Bs = (__local ACC *)Bs4;

    /* the work-group's tile, K-split and batch entry (N tiles fastest: neighbouring groups share A's rows) */
    const long g = get_group_id(0);
    const long m0 = (g / tiles_n % tiles_m) * BM, n0 = (g % tiles_n) * BN;
    const long split = g / tiles_n / tiles_m % splits;
    long batch = g / tiles_n / tiles_m / splits;
    const int nd = (int)meta[0];
    __global const long *shape = meta + 1, *sc = meta + 1 + nd, *sa = sc + nd + 1, *sb = sa + nd + 1;
    long c_off = sc[0], a_off = sa[0], b_off = sb[0];
    for (int d = nd - 1; d >= 0; d--) {
        const long j = batch % shape[d];
        batch /= shape[d];
        c_off += j * sc[1 + d];
        a_off += j * sa[1 + d];
        b_off += j * sb[1 + d];
    }
    /* a split-K product: this group sums K-range [split * k_len, + k_len) into its own slice of C */
    const long ks = min(K - split * k_len, k_len);
    a_off += split * k_len * a_cs;
    b_off += split * k_len * b_rs;
    c_off += split * c_split;

    const int lid = get_local_id(0);
    const int tx = lid % TX, ty = lid / TX;
    ACC4 acc[WM][WN / 4];
    for (int i = 0; i < WM; i++)
        for (int j = 0; j < WN / 4; j++)
            acc[i][j] = (ACC4)0;
    ACC ra[LA], rb[LB];
    LOAD_SLICE(0)

    for (long k0 = 0; k0 < ks; k0 += BK) {
        for (int i = 0; i < LA; i++) {
            const int e = lid + i * NT;
            As[A_DEPTH(e) * LDA + A_ROW(e)] = ra[i];
        }
        for (int i = 0; i < LB; i++) {
            const int e = lid + i * NT;
            Bs[B_DEPTH(e) * LDB + B_COL(e)] = rb[i];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (k0 + BK < ks) {
            LOAD_SLICE(k0 + BK)
        }
#pragma unroll
        for (int k = 0; k < BK; k++) {
            ACC a[WM];
            ACC4 b[WN / 4];
#pragma unroll
            for (int i = 0; i < WM / 4; i++) {
                const ACC4 v = As4[k][i * TY + ty];
                a[4 * i] = v.x;
                a[4 * i + 1] = v.y;
                a[4 * i + 2] = v.z;
                a[4 * i + 3] = v.w;
            }
#pragma unroll
            for (int j = 0; j < WN / 4; j++)
                b[j] = Bs4[k][j * TX + tx];
#pragma unroll
            for (int i = 0; i < WM; i++)
#pragma unroll
                for (int j = 0; j < WN / 4; j++)
                    acc[i][j] += a[i] * b[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int i = 0; i < WM; i++) {
        const long m = m0 + ((i / 4) * TY + ty) * 4 + i % 4;
        if (m >= M)
            continue;
        for (int j = 0; j < WN / 4; j++) {
            const long n = n0 + (j * TX + tx) * 4;
            const long o = c_off + m * c_rs + n * c_cs;
            const ACC4 v = acc[i][j];
            if (n < N) STORE_C(o, v.x);
            if (n + 1 < N) STORE_C(o + c_cs, v.y);
            if (n + 2 < N) STORE_C(o + 2 * c_cs, v.z);
            if (n + 3 < N) STORE_C(o + 3 * c_cs, v.w);
        }
    }
}
