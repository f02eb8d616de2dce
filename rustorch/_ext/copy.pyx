# cython: language_level=3
"""Strided array copy (any fixed-size dtype) with OpenMP.

API
---
``copy(src, dst)``
    dst[...] = src.  Same shape and same dtype (any dtype without Python
    objects; item sizes 1/2/4/8/16 have typed kernels, others a byte copy).
    Both may have arbitrary strides; src may have 0 strides (broadcast), dst
    must not have a 0 stride on a dim longer than 1.  src and dst must not
    overlap unless they are exactly the same view (then nothing is done).
    Misaligned views are fine.  Returns dst.

Fast paths: both contiguous (memcpy split over threads); a cache-blocked
tiled transpose when dst is contiguous along its last dim and src along
another dim (e.g. ``copy(x.T, out)``, batched or permuted transposes); a
general strided loop (dims collapsed, split over threads) for the rest.

Example::

    >>> import numpy as np
    >>> from rustorch._ext.copy import copy
    >>> x = np.arange(6, dtype=np.float32).reshape(2, 3)
    >>> copy(x.T, np.empty((3, 2), np.float32))
    array([[0., 3.],
           [1., 4.],
           [2., 5.]], dtype=float32)
"""
cimport numpy as cnp
from libc.stdint cimport int64_t

from rustorch._ext.arraycheck cimport (SAME_VIEW, DISJOINT, check_not_broadcast,
                                       overlap, same_shape)

cnp.import_array()

cdef extern from "copy.h" nogil:
    void cp_copy(int nd, const int64_t *shape, const int64_t *ds,
                 const int64_t *ss, char *dst, const char *src, int64_t isz)

# Below this many bytes the GIL is kept: releasing it costs more than the copy.
cdef int64_t _NOGIL_MIN_BYTES = 16384


def copy(cnp.ndarray src not None, cnp.ndarray dst not None):
    """dst[...] = src for same-shape, same-dtype arrays; see the module docstring.

    >>> import numpy as np
    >>> a = np.arange(4.0)
    >>> copy(a[::-1], np.empty(4))
    array([3., 2., 1., 0.])
    """
    cdef int nd = cnp.PyArray_NDIM(dst)
    cdef object sdt = src.dtype, ddt = dst.dtype
    if sdt is not ddt and sdt != ddt:
        raise TypeError(f"copy: src has dtype {sdt} but dst has dtype {ddt}; "
                        f"convert src first")
    if ddt.hasobject:
        raise TypeError(f"copy: dtype {ddt} holds Python objects; not supported")
    if not same_shape(src, dst):
        raise ValueError(f"copy: src has shape {(<object>src).shape} but dst has "
                         f"shape {(<object>dst).shape}; broadcast src first")
    if not cnp.PyArray_ISWRITEABLE(dst):
        raise ValueError("copy: dst is read-only")
    cdef int64_t isz = cnp.PyArray_ITEMSIZE(dst)
    cdef int64_t n = cnp.PyArray_SIZE(dst)
    if n == 0 or isz == 0:
        return dst
    check_not_broadcast("copy", "dst", dst)
    cdef int ov = overlap(src, dst, True)
    if ov == SAME_VIEW:
        return dst
    if ov != DISJOINT:
        raise ValueError("copy: src and dst overlap in memory; copy src to a "
                         "fresh array first")
    cdef int64_t *shape = <int64_t *>cnp.PyArray_DIMS(dst)
    cdef int64_t *ds = <int64_t *>cnp.PyArray_STRIDES(dst)
    cdef int64_t *ss = <int64_t *>cnp.PyArray_STRIDES(src)
    cdef char *dp = <char *>cnp.PyArray_DATA(dst)
    cdef const char *sp = <const char *>cnp.PyArray_DATA(src)
    if n * isz < _NOGIL_MIN_BYTES:
        cp_copy(nd, shape, ds, ss, dp, sp, isz)
    else:
        with nogil:
            cp_copy(nd, shape, ds, ss, dp, sp, isz)
    return dst
