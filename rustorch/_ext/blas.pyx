# cython: language_level=3
"""Batched matrix multiply through SciPy's Cython BLAS (OpenBLAS).

API
---
``gemm(a, b, out)``
    out[i] = a[i] @ b[i] for a (B, M, K), b (B, K, N), out (B, M, N).
    dtype float32, float64, complex64 or complex128, the same for all three.
    out is C-contiguous and does not overlap a or b.  a and b may have any
    batch stride (0 for a broadcast batch); each matrix is either row-major
    (``strides[-1] == itemsize``) or column-major (``strides[-2] ==
    itemsize``, a transposed view) -- the BLAS transpose flags are chosen
    instead of copying.  Any other layout raises ValueError: copy it first.
    K == 0 gives zeros.  Returns out.

The BLAS is column-major, so the row-major product C = A @ B is computed as
C^T = B^T @ A^T: a row-major matrix is its own transpose in column-major
terms (flag 'N'), a column-major one needs flag 'T'.

Example::

    >>> import numpy as np
    >>> from rustorch._ext.blas import gemm
    >>> a = np.arange(6, dtype=np.float32).reshape(1, 2, 3)
    >>> b = np.ones((1, 3, 2), np.float32)
    >>> gemm(a, b, np.empty((1, 2, 2), np.float32))
    array([[[ 3.,  3.],
            [12., 12.]]], dtype=float32)
"""
cimport numpy as cnp
from libc.stdint cimport int64_t, uintptr_t
from cython.parallel cimport parallel
cimport openmp
from libc.string cimport memset
from scipy.linalg.cython_blas cimport sgemm, dgemm, cgemm, zgemm

from rustorch._ext.arraycheck cimport DISJOINT, overlap

cnp.import_array()

ctypedef fused scalar_t:
    float
    double
    float complex
    double complex

cdef int64_t _INT_MAX = 2147483647


cdef void _gemm_call(scalar_t *dummy, char ta, char tb, int m, int n, int k,
                     char *A, int lda, char *B, int ldb, char *C, int ldc) noexcept nogil:
    """One column-major GEMM C = op(A) op(B)."""
    cdef scalar_t alpha = 1, beta = 0
    if scalar_t is float:
        sgemm(&ta, &tb, &m, &n, &k, &alpha, <float *>A, &lda, <float *>B, &ldb, &beta, <float *>C, &ldc)
    elif scalar_t is double:
        dgemm(&ta, &tb, &m, &n, &k, &alpha, <double *>A, &lda, <double *>B, &ldb, &beta, <double *>C, &ldc)
    elif scalar_t is floatcomplex:
        cgemm(&ta, &tb, &m, &n, &k, &alpha, <float complex *>A, &lda, <float complex *>B, &ldb, &beta,
              <float complex *>C, &ldc)
    else:
        zgemm(&ta, &tb, &m, &n, &k, &alpha, <double complex *>A, &lda, <double complex *>B, &ldb, &beta,
              <double complex *>C, &ldc)


# OpenBLAS keeps a thread pool of its own beside OpenMP's; on a small machine the two
# pools fight over the cores (a spinning or sleeping pool costs whole scheduler slices).
# So, where OpenBLAS lets us (openblas_set_num_threads_local, OpenBLAS >= 0.3.27), every
# BLAS call runs single-threaded and the work is split over the OpenMP threads the other
# kernels already keep warm: batches between threads, or else the columns of C.
ctypedef int (*set_threads_fn)(int) noexcept nogil
cdef set_threads_fn _openblas_set_threads_local = NULL

# below this many multiply-adds one thread is faster than waking others
cdef int64_t _SPLIT_MIN_WORK = 1 << 18


def _bind_openblas_threads():
    """Find the per-calling-thread thread count setter of the BLAS that SciPy links."""
    global _openblas_set_threads_local
    import ctypes

    import scipy.linalg.cython_blas
    try:
        fn = ctypes.CDLL(scipy.linalg.cython_blas.__file__).openblas_set_num_threads_local
    except (OSError, AttributeError):
        return False
    _openblas_set_threads_local = <set_threads_fn><uintptr_t>ctypes.cast(fn, ctypes.c_void_p).value
    return True


OPENMP_SPLIT = _bind_openblas_threads()


cdef void _gemm_share(scalar_t *dummy, int tid, int nthr, int64_t batch, char ta, char tb,
                      int m, int n, int k, char *A, int64_t sA, int lda, char *B, int64_t sB,
                      int ldb, char *C, int64_t sC, int ldc, int64_t isz) noexcept nogil:
    """Thread tid's share of batch column-major GEMMs C_i = op(A_i) op(B_i)."""
    cdef int64_t i, lo, hi
    if batch >= nthr:
        for i in range(batch * tid // nthr, batch * (tid + 1) // nthr):
            _gemm_call(dummy, ta, tb, m, n, k, A + i * sA, lda, B + i * sB, ldb, C + i * sC, ldc)
        return
    cdef int64_t a_off, b_off
    if m > n:
        # rows lo..hi of op(A) and C (a short, wide C^T, as a convolution's GEMM, splits badly by columns):
        # row i of A ('N'), or column i of A ('T')
        lo = m * tid // nthr
        hi = m * (tid + 1) // nthr
        if hi == lo:
            return
        a_off = lo * isz if ta == b'N' else lo * lda * isz
        for i in range(batch):
            _gemm_call(dummy, ta, tb, <int>(hi - lo), n, k, A + i * sA + a_off, lda, B + i * sB, ldb,
                       C + i * sC + lo * isz, ldc)
        return
    lo = n * tid // nthr
    hi = n * (tid + 1) // nthr
    if hi == lo:
        return
    # columns lo..hi of op(B): column j of B ('N'), or row j of B ('T')
    b_off = lo * ldb * isz if tb == b'N' else lo * isz
    for i in range(batch):
        _gemm_call(dummy, ta, tb, m, <int>(hi - lo), k, A + i * sA, lda, B + i * sB + b_off, ldb,
                   C + i * sC + lo * ldc * isz, ldc)


cdef void _gemm(scalar_t *dummy, int64_t batch, char ta, char tb, int m, int n, int k,
                char *A, int64_t sA, int lda, char *B, int64_t sB, int ldb, char *C, int64_t sC,
                int ldc, int64_t isz) noexcept nogil:
    """batch column-major GEMMs C_i = op(A_i) op(B_i); byte batch strides."""
    cdef int nthr = openmp.omp_get_max_threads()
    cdef int tid, prev
    cdef int64_t work = <int64_t>m * n * k * batch
    if _openblas_set_threads_local == NULL:
        _gemm_share(dummy, 0, 1, batch, ta, tb, m, n, k, A, sA, lda, B, sB, ldb, C, sC, ldc, isz)
        return
    if nthr == 1 or work < _SPLIT_MIN_WORK:
        nthr = 1
    # SciPy's pthreads OpenBLAS keeps one count for the whole process behind the "local" setter: a thread
    # that restored it while another was still in its GEMMs let OpenBLAS spawn threads inside this region.
    # So the calling thread sets it before the region and restores it after; each thread also sets it, for
    # builds where the count really is per thread.
    prev = _openblas_set_threads_local(1)
    with parallel(num_threads=nthr):
        tid = openmp.omp_get_thread_num()
        _openblas_set_threads_local(1)
        _gemm_share(dummy, tid, openmp.omp_get_num_threads(), batch, ta, tb, m, n, k, A, sA, lda,
                    B, sB, ldb, C, sC, ldc, isz)
    _openblas_set_threads_local(prev)


cdef _layout(str name, cnp.ndarray x, int64_t isz, char *trans_if_row,
             char *trans_if_col, char *flag, int64_t *ld):
    """Pick the BLAS flag and leading dimension for a (B, R, C) operand.

    Row-major (stride[-1] == 1 element, or C == 1): flag trans_if_row,
    ld = stride[-2] (>= max(1, C)).  Column-major (stride[-2] == 1 element,
    or R == 1): flag trans_if_col, ld = stride[-1] (>= max(1, R)).
    A stride of a dim of size 1 never matters, so it is not checked."""
    cdef int64_t R = cnp.PyArray_DIMS(x)[1], Cc = cnp.PyArray_DIMS(x)[2]
    cdef int64_t sr = cnp.PyArray_STRIDES(x)[1], sc = cnp.PyArray_STRIDES(x)[2]
    cdef int64_t minld
    # row-major?
    if (Cc <= 1 or sc == isz) and (R <= 1 or (sr > 0 and sr % isz == 0)):
        minld = Cc if Cc > 1 else 1
        ld[0] = sr // isz if R > 1 else minld
        if ld[0] >= minld:
            flag[0] = trans_if_row[0]
            return
    # column-major?
    if (R <= 1 or sr == isz) and (Cc <= 1 or (sc > 0 and sc % isz == 0)):
        minld = R if R > 1 else 1
        ld[0] = sc // isz if Cc > 1 else minld
        if ld[0] >= minld:
            flag[0] = trans_if_col[0]
            return
    raise ValueError(
        f"gemm: {name} with shape {(<object>x).shape} and strides "
        f"{(<object>x).strides} is neither row-major nor column-major in its "
        f"last two dims; copy it to a contiguous array first")


cdef _check_no_overlap(str name, cnp.ndarray x, cnp.ndarray out):
    if overlap(x, out, False) != DISJOINT:
        raise ValueError(f"gemm: out overlaps {name}; BLAS needs a separate output")


def gemm(cnp.ndarray a not None, cnp.ndarray b not None, cnp.ndarray out not None):
    """out[i] = a[i] @ b[i]; see the module docstring.

    >>> import numpy as np
    >>> a = np.eye(2)[None]; b = np.arange(4.0).reshape(1, 2, 2)
    >>> gemm(a, b.transpose(0, 2, 1), np.empty((1, 2, 2)))
    array([[[0., 2.],
            [1., 3.]]])
    """
    cdef int t = cnp.PyArray_TYPE(out)
    if not (t == cnp.NPY_FLOAT or t == cnp.NPY_DOUBLE or t == cnp.NPY_CFLOAT
            or t == cnp.NPY_CDOUBLE) or not cnp.PyArray_ISNOTSWAPPED(out):
        raise TypeError(f"gemm: dtype {out.dtype} is not supported; expected "
                        f"float32, float64, complex64 or complex128")
    if (cnp.PyArray_TYPE(a) != t or cnp.PyArray_TYPE(b) != t
            or not cnp.PyArray_ISNOTSWAPPED(a) or not cnp.PyArray_ISNOTSWAPPED(b)):
        raise TypeError(f"gemm: dtypes differ (a {a.dtype}, b {b.dtype}, out "
                        f"{out.dtype}); all three must be the same")
    if cnp.PyArray_NDIM(a) != 3 or cnp.PyArray_NDIM(b) != 3 or cnp.PyArray_NDIM(out) != 3:
        raise ValueError(f"gemm: expected 3-d arrays (B, M, K), (B, K, N), (B, M, N); got "
                         f"shapes {(<object>a).shape}, {(<object>b).shape}, {(<object>out).shape}")
    cdef int64_t Bt = cnp.PyArray_DIMS(out)[0], M = cnp.PyArray_DIMS(out)[1]
    cdef int64_t N = cnp.PyArray_DIMS(out)[2], K = cnp.PyArray_DIMS(a)[2]
    if (cnp.PyArray_DIMS(a)[0] != Bt or cnp.PyArray_DIMS(a)[1] != M
            or cnp.PyArray_DIMS(b)[0] != Bt or cnp.PyArray_DIMS(b)[1] != K
            or cnp.PyArray_DIMS(b)[2] != N):
        raise ValueError(f"gemm: shapes do not match: a {(<object>a).shape}, b "
                         f"{(<object>b).shape}, out {(<object>out).shape}; expected "
                         f"(B, M, K), (B, K, N), (B, M, N)")
    if not cnp.PyArray_IS_C_CONTIGUOUS(out):
        raise ValueError(f"gemm: out must be C-contiguous (strides {(<object>out).strides})")
    if not cnp.PyArray_ISWRITEABLE(out):
        raise ValueError("gemm: out is read-only")
    if not (cnp.PyArray_ISALIGNED(a) and cnp.PyArray_ISALIGNED(b) and cnp.PyArray_ISALIGNED(out)):
        raise ValueError("gemm: a, b and out must be aligned to their dtype; copy first")
    if M > _INT_MAX or N > _INT_MAX or K > _INT_MAX:
        raise ValueError(f"gemm: M={M}, N={N}, K={K} exceed the 32-bit BLAS int range")
    cdef int64_t isz = cnp.PyArray_ITEMSIZE(out)
    if Bt == 0 or M == 0 or N == 0:
        return out
    _check_no_overlap("a", a, out)
    _check_no_overlap("b", b, out)
    cdef char *cp = <char *>cnp.PyArray_DATA(out)
    if K == 0:
        with nogil:
            memset(cp, 0, <size_t>(Bt * M * N * isz))
        return out
    # C^T (N x M) = op(b') (N x K) @ op(a') (K x M), column-major.
    cdef char fa = 0, fb = 0
    cdef int64_t lda = 0, ldb = 0
    _layout("b", b, isz, "N", "T", &fb, &ldb)
    _layout("a", a, isz, "N", "T", &fa, &lda)
    if lda > _INT_MAX or ldb > _INT_MAX:
        raise ValueError(f"gemm: leading dimensions ({lda}, {ldb}) exceed the 32-bit BLAS int range")
    cdef char *ap = <char *>cnp.PyArray_DATA(a)
    cdef char *bp = <char *>cnp.PyArray_DATA(b)
    cdef int64_t sa = cnp.PyArray_STRIDES(a)[0], sb = cnp.PyArray_STRIDES(b)[0]
    cdef int64_t sc = M * N * isz
    cdef int m_ = <int>N, n_ = <int>M, k_ = <int>K, ildb = <int>ldb, ilda = <int>lda
    cdef int ldc = <int>(N if N > 1 else 1)
    with nogil:
        if t == cnp.NPY_FLOAT:
            _gemm(<float *>NULL, Bt, fb, fa, m_, n_, k_, bp, sb, ildb, ap, sa, ilda, cp, sc, ldc, isz)
        elif t == cnp.NPY_DOUBLE:
            _gemm(<double *>NULL, Bt, fb, fa, m_, n_, k_, bp, sb, ildb, ap, sa, ilda, cp, sc, ldc, isz)
        elif t == cnp.NPY_CFLOAT:
            _gemm(<float complex *>NULL, Bt, fb, fa, m_, n_, k_, bp, sb, ildb, ap, sa, ilda, cp, sc, ldc, isz)
        else:
            _gemm(<double complex *>NULL, Bt, fb, fa, m_, n_, k_, bp, sb, ildb, ap, sa, ilda, cp, sc, ldc, isz)
    return out
