/* Strided-loop helpers shared by the CPU kernel headers (elementwise.h,
 * copy.h, reduce.h).
 *
 * rt_collapse: normalises the n-d loop of an element-wise map over nops
 * operands (operand 0 the output/destination) so that the kernels see as
 * few, as long and as ordered dims as possible.
 *
 * rt_my_range: the static split of a flat range over the threads of the
 * current OpenMP team.
 */
#ifndef RUSTORCH_STRIDED_H
#define RUSTORCH_STRIDED_H

#include <stdint.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define RT_MAXDIM 64          /* NumPy 2's NPY_MAXDIMS */
#define RT_MAXOPS 4           /* most operands rt_collapse takes */

/* Operand 0 is the output.  st[k][d] are byte strides, ptr[k] base pointers
 * (nops <= RT_MAXOPS).  Drops size-1 dims, sorts dims by |output stride|
 * (largest outermost), flips dims whose output stride is negative (for an
 * element-wise map the visiting order is free), then merges each dim into
 * its outer neighbour when that is contiguous for every operand.  Returns
 * the new number of dims (>= 1; a 0-d loop becomes shape (1,));
 * shape[0] == 0 if empty. */
static inline int rt_collapse(int nd, int64_t *shape, int nops,
                              int64_t st[][RT_MAXDIM], char **ptr)
{
    int m = 0, d, k, j;
    for (d = 0; d < nd; d++) {
        if (shape[d] == 0) { shape[0] = 0; return 1; }
        if (shape[d] == 1) continue;
        shape[m] = shape[d];
        for (k = 0; k < nops; k++) st[k][m] = st[k][d];
        m++;
    }
    nd = m;
    if (nd == 0) {
        shape[0] = 1;
        for (k = 0; k < nops; k++) st[k][0] = 0;
        return 1;
    }
    for (d = 0; d < nd; d++) {
        if (st[0][d] < 0) {
            for (k = 0; k < nops; k++) {
                ptr[k] += (shape[d] - 1) * st[k][d];
                st[k][d] = -st[k][d];
            }
        }
    }
    /* stable insertion sort, output strides descending */
    for (d = 1; d < nd; d++) {
        int64_t sh = shape[d], sv[RT_MAXOPS];
        for (k = 0; k < nops; k++) sv[k] = st[k][d];
        for (j = d; j > 0 && st[0][j - 1] < sv[0]; j--) {
            shape[j] = shape[j - 1];
            for (k = 0; k < nops; k++) st[k][j] = st[k][j - 1];
        }
        shape[j] = sh;
        for (k = 0; k < nops; k++) st[k][j] = sv[k];
    }
    m = 1;
    for (d = 1; d < nd; d++) {
        int ok = 1;
        for (k = 0; k < nops; k++)
            if (st[k][m - 1] != st[k][d] * shape[d]) ok = 0;
        if (ok) {
            shape[m - 1] *= shape[d];
            for (k = 0; k < nops; k++) st[k][m - 1] = st[k][d];
        } else {
            shape[m] = shape[d];
            for (k = 0; k < nops; k++) st[k][m] = st[k][d];
            m++;
        }
    }
    return m;
}

/* This thread's share [lo, hi) of [0, n) inside a parallel region. */
static inline void rt_my_range(int64_t n, int64_t *lo, int64_t *hi)
{
#ifdef _OPENMP
    int64_t nt = omp_get_num_threads(), id = omp_get_thread_num();
#else
    int64_t nt = 1, id = 0;
#endif
    *lo = n * id / nt;
    *hi = n * (id + 1) / nt;
}

#endif /* RUSTORCH_STRIDED_H */
