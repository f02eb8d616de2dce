# cython: language_level=3
"""Argument checks shared by the Cython wrappers of the CPU kernels.

``cdef inline`` only, so every module that cimports them gets its own copy
(no run-time dependency between the extension modules)::

    from rustorch._ext.arraycheck cimport overlap, DISJOINT, SAME_VIEW

Each caller words its own error messages; the ``check_*`` helpers raise
ValueError with the caller's function name ``fn`` and argument ``name``.
The array arguments must be non-None ndarrays.
"""
cimport numpy as cnp
from libc.stdint cimport int64_t, uintptr_t

# overlap() results
cdef enum:
    DISJOINT = 0     # no common byte
    SAME_VIEW = 1    # exactly the same elements in the same order
    OVERLAP = 2      # any other sharing (partial or interleaved overlap)


cdef inline void bounds(cnp.ndarray a, uintptr_t *lo, uintptr_t *hi) noexcept:
    """Byte range [lo, hi) that a (non-empty) array touches."""
    cdef int d
    cdef cnp.npy_intp *sh = cnp.PyArray_DIMS(a)
    cdef cnp.npy_intp *st = cnp.PyArray_STRIDES(a)
    cdef int64_t l = 0, h = 0
    for d in range(cnp.PyArray_NDIM(a)):
        if st[d] < 0:
            l += (sh[d] - 1) * st[d]
        else:
            h += (sh[d] - 1) * st[d]
    lo[0] = <uintptr_t>cnp.PyArray_DATA(a) + l
    hi[0] = <uintptr_t>cnp.PyArray_DATA(a) + h + cnp.PyArray_ITEMSIZE(a)


cdef inline bint same_view(cnp.ndarray a, cnp.ndarray b) noexcept:
    """a and b (same shape) address exactly the same elements in the same order."""
    cdef int d
    if cnp.PyArray_DATA(a) != cnp.PyArray_DATA(b):
        return False
    for d in range(cnp.PyArray_NDIM(a)):
        if cnp.PyArray_DIMS(a)[d] > 1 and cnp.PyArray_STRIDES(a)[d] != cnp.PyArray_STRIDES(b)[d]:
            return False
    return True


cdef inline int overlap(cnp.ndarray a, cnp.ndarray b, bint detect_same_view) except -1:
    """DISJOINT, SAME_VIEW or OVERLAP for two non-empty arrays.

    SAME_VIEW is only reported when detect_same_view is set (then a and b
    must have the same shape); otherwise exactly the same view is OVERLAP.
    Cheap byte-range test first; np.shares_memory (exact) only for views
    whose ranges intersect."""
    cdef uintptr_t al, ah, bl, bh
    bounds(a, &al, &ah)
    bounds(b, &bl, &bh)
    if ah <= bl or bh <= al:
        return DISJOINT
    if detect_same_view and same_view(a, b):
        return SAME_VIEW
    from numpy import shares_memory
    if shares_memory(a, b):   # exact test, only for interleaved views
        return OVERLAP
    return DISJOINT


cdef inline bint same_shape(cnp.ndarray a, cnp.ndarray b) noexcept:
    """a and b have the same ndim and the same size on every dim."""
    cdef int d
    if cnp.PyArray_NDIM(a) != cnp.PyArray_NDIM(b):
        return False
    for d in range(cnp.PyArray_NDIM(a)):
        if cnp.PyArray_DIMS(a)[d] != cnp.PyArray_DIMS(b)[d]:
            return False
    return True


cdef inline bint is_aligned(cnp.ndarray a, int64_t isz) noexcept:
    """Data pointer and every stride (of dims longer than 1) are multiples of
    isz: kernels that index typed pointers need this."""
    cdef int d
    cdef cnp.npy_intp *sh = cnp.PyArray_DIMS(a)
    cdef cnp.npy_intp *st = cnp.PyArray_STRIDES(a)
    if (<uintptr_t>cnp.PyArray_DATA(a)) % isz:
        return False
    for d in range(cnp.PyArray_NDIM(a)):
        if sh[d] > 1 and st[d] % isz:
            return False
    return True


cdef inline int check_contiguous(str fn, str name, cnp.ndarray a, bint writable) except -1:
    """C-contiguous, aligned to its dtype and, if writable, writeable."""
    if not cnp.PyArray_IS_C_CONTIGUOUS(a):
        raise ValueError(f"{fn}: {name} must be C-contiguous (strides {(<object>a).strides})")
    if not cnp.PyArray_ISALIGNED(a):
        raise ValueError(f"{fn}: {name} must be aligned to its dtype")
    if writable and not cnp.PyArray_ISWRITEABLE(a):
        raise ValueError(f"{fn}: {name} is read-only")
    return 0


cdef inline int check_not_broadcast(str fn, str name, cnp.ndarray a) except -1:
    """No 0 stride on a dim longer than 1 (an output must not be a broadcast view)."""
    cdef int d
    for d in range(cnp.PyArray_NDIM(a)):
        if cnp.PyArray_DIMS(a)[d] > 1 and cnp.PyArray_STRIDES(a)[d] == 0:
            raise ValueError(
                f"{fn}: {name} has stride 0 on dim {d} (size {cnp.PyArray_DIMS(a)[d]}); "
                f"{name} must not be a broadcast view")
    return 0
