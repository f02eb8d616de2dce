/* Sorting of the OpenCL backend (rustorch/backends/opencl/sorting.py): a stable sort of the rows of a contiguous
 * (rows, n) tensor, giving the sorted values and their int64 positions in the row.
 *
 * Every element becomes a pair (key, position): the key is an unsigned integer whose order is the value's
 * (an order-preserving transform of the bits, NaN above everything, -0.0 equal to 0.0), complemented for a
 * descending sort, and the position breaks ties, so sorting the pairs ascending is a stable sort. Rows of at most
 * RT_SORT_MAX elements are sorted by a bitonic network in local memory, several short rows per work-group; longer
 * rows are sorted in chunks of RT_SORT_MAX that way, then merged in global memory, each element finding its place
 * by a binary search in the other run of its pair (the pairs are distinct, so ranks never tie).
 *
 * Placeholders (a dollar sign and a name): storage (x's C type), bits (the unsigned type of its size), key (uint
 * or ulong), float (the float type of the key transform: float for float16/bfloat16/float32, double for float64,
 * unused for integers), as_key (its bits as K: as_uint or as_ulong), kind (RT_UNSIGNED, RT_SIGNED or RT_FLOAT),
 * load (x[i] in its compute type).
 *
 * Launches are 1-D (NVIDIA caps the second dimension at 65535 work-groups): a kernel working on a row in tiles
 * gets `tiles` work-groups per row, work-group g taking tile g % tiles of row g / tiles.
 */
typedef $storage S;
typedef $bits B;   /* an unsigned integer of S's size: values are moved as bits (half has no assignment without
                      cl_khr_fp16, and NaN payloads and -0.0 stay as they were) */
typedef $key K;
typedef $float F;
#define RT_UNSIGNED 0
#define RT_SIGNED 1
#define RT_FLOAT 2
#define RT_KIND $kind
#define RT_SORT_MAX 2048
#define RT_KEY_MAX (~(K)0)
#define RT_KEY_TOP ((K)1 << (sizeof(K) * 8 - 1))

/* the order-preserving key of x[i] */
inline K rt_key(__global const S *x, long i)
{
#if RT_KIND == RT_UNSIGNED
    return (K)($load);
#elif RT_KIND == RT_SIGNED
    return (K)($load) ^ RT_KEY_TOP;          /* sign-extended, then the sign bit flipped */
#else
    F f = $load;
    if (isnan(f))
        return RT_KEY_MAX;                     /* every NaN is one value, above +inf */
    if (f == (F)0)
        f = (F)0;                              /* -0.0 sorts equal to 0.0 */
    K u = $as_key(f);
    return (u & RT_KEY_TOP) ? ~u : (u | RT_KEY_TOP);   /* negatives reversed below the positives */
#endif
}

inline bool rt_pair_less(K ka, int ia, K kb, int ib) { return ka < kb || (ka == kb && ia < ib); }

/* Sort each run of p (a power of two) of the pairs key/pos[0, total) ascending; total is a multiple of p. The
 * bitonic network over the whole array, with the direction of stage k taken from the position within the run
 * (so stage p sorts every run upwards). Uniform control flow: every work-item reaches every barrier. */
inline void rt_bitonic(__local K *key, __local int *pos, int p, int total)
{
    const int lid = get_local_id(0), lsz = get_local_size(0);
    for (int k = 2; k <= p; k <<= 1) {
        for (int j = k >> 1; j > 0; j >>= 1) {
            for (int t = lid; t < total / 2; t += lsz) {
                const int a = 2 * t - (t & (j - 1)), b = a + j;   /* a: t with a 0 bit inserted at j */
                const bool up = ((a & (p - 1)) & k) == 0;
                const K ka = key[a], kb = key[b];
                const int ia = pos[a], ib = pos[b];
                if (rt_pair_less(kb, ib, ka, ia) == up) {
                    key[a] = kb; key[b] = ka;
                    pos[a] = ib; pos[b] = ia;
                }
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
    }
}

/* Rows of n <= RT_SORT_MAX: each work-group sorts total / p rows (p = 1 << log2p >= n, padded with pairs
 * that sort last), writing values and indices directly. */
__kernel void rt_sort_rows(__global const S *x, const long x0, __global B *values, const long v0,
                           __global long *indices, const long i0, const int n, const long rows, const int log2p,
                           const int total, const K flip)
{
    __local K key[RT_SORT_MAX];
    __local int pos[RT_SORT_MAX];
    const int lid = get_local_id(0), lsz = get_local_size(0), p = 1 << log2p;
    const long first = get_group_id(0) * (long)(total >> log2p);
    x += x0;
    values += v0;
    indices += i0;
    for (int t = lid; t < total; t += lsz) {
        const long row = first + (t >> log2p);
        const int j = t & (p - 1);
        key[t] = row < rows && j < n ? rt_key(x, row * n + j) ^ flip : RT_KEY_MAX;
        pos[t] = j;   /* padding has j >= n: after every real pair, even one of key RT_KEY_MAX */
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    rt_bitonic(key, pos, p, total);
    for (int t = lid; t < total; t += lsz) {
        const long row = first + (t >> log2p);
        const int j = t & (p - 1);
        if (row < rows && j < n) {
            values[row * n + j] = ((__global const B *)x)[row * n + pos[t]];
            indices[row * n + j] = pos[t];
        }
    }
}

/* Rows of n > RT_SORT_MAX, step 1: each work-group sorts one chunk (tile) of RT_SORT_MAX elements of a row into
 * the pair buffers keys/poss (rows, n). */
__kernel void rt_sort_chunks(__global const S *x, const long x0, __global K *keys, __global int *poss, const int n,
                             const long tiles, const K flip)
{
    __local K key[RT_SORT_MAX];
    __local int pos[RT_SORT_MAX];
    const int lid = get_local_id(0), lsz = get_local_size(0);
    const long g = get_group_id(0), r = g / tiles, row = r * n;
    const int base = (int)(g - r * tiles) * RT_SORT_MAX;
    x += x0 + row;
    for (int t = lid; t < RT_SORT_MAX; t += lsz) {
        const int j = base + t;
        key[t] = j < n ? rt_key(x, j) ^ flip : RT_KEY_MAX;
        pos[t] = j;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    rt_bitonic(key, pos, RT_SORT_MAX, RT_SORT_MAX);
    for (int t = lid; t < RT_SORT_MAX; t += lsz) {
        if (base + t < n) {
            keys[row + base + t] = key[t];
            poss[row + base + t] = pos[t];
        }
    }
}

/* step 2, once per width w = RT_SORT_MAX, 2 RT_SORT_MAX, ... < n: merge the sorted runs [s, s + w) and
 * [s + w, s + 2w) of every row. The work-item of position p of a row moves pair p to s + (its rank in its run)
 * + (the number of pairs of the other run below it). */
__kernel void rt_sort_merge(__global const K *kin, __global const int *pin, __global K *kout, __global int *pout,
                            const int n, const long tiles, const long w)
{
    const long g = get_group_id(0), r = g / tiles, row = r * n;
    const long p = (g - r * tiles) * get_local_size(0) + get_local_id(0);
    if (p >= n)
        return;
    kin += row; pin += row; kout += row; pout += row;
    const K k = kin[p];
    const int i = pin[p];
    const long s = p & ~(2 * w - 1);
    long lo, hi, rank;
    if (p < s + w) {
        lo = min(s + w, (long)n); hi = min(s + 2 * w, (long)n); rank = p - s;
    } else {
        lo = s; hi = s + w; rank = p - s - w;
    }
    const long other = lo;
    while (lo < hi) {
        const long m = lo + ((hi - lo) >> 1);
        if (rt_pair_less(kin[m], pin[m], k, i))
            lo = m + 1;
        else
            hi = m;
    }
    kout[s + rank + (lo - other)] = k;
    pout[s + rank + (lo - other)] = i;
}

/* step 3: the values and indices of the sorted pairs */
__kernel void rt_sort_finish(__global const S *x, const long x0, __global const int *poss, __global B *values,
                             const long v0, __global long *indices, const long i0, const int n, const long tiles)
{
    const long g = get_group_id(0), r = g / tiles, row = r * n;
    const long p = (g - r * tiles) * get_local_size(0) + get_local_id(0);
    if (p >= n)
        return;
    const int j = poss[row + p];
    values[v0 + row + p] = ((__global const B *)x)[x0 + row + j];
    indices[i0 + row + p] = j;
}
