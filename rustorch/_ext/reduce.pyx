# cython: language_level=3
"""Reductions and scans over the middle axis of a (outer, R, inner) array.

The caller views its tensor so that the reduced dimension(s) form the middle
axis: reducing dim d of shape s is ``x.reshape(prod(s[:d]), s[d], prod(s[d+1:]))``
(several adjacent dims may be merged into the middle one).  Everything here
works on C-contiguous, aligned, native-byte-order float32/float64 NumPy
arrays and writes into caller-provided outputs.

API
---
``reduce(op, x, out, out_index=None)``
    op in ``REDUCE_OPS``; x (outer, R, inner); out (outer, inner) of x's
    dtype, or int64 for 'argmax'/'argmin'; ``out_index`` (int64, (outer,
    inner)) optionally receives the index along R for 'max'/'min'.
``scan(op, x, out)``
    op in ``SCAN_OPS`` ('cumsum', 'cumprod'); out has x's shape and dtype
    (out may be x itself: the scan is then done in place).

Semantics are torch's: NaN propagates through max/min and the index points
at the first NaN; ties give the first index; over an empty dimension sum is
0, prod is 1 and max/min/argmax/argmin raise ValueError.  A float32 sum over
the last axis adds each block of 4096 elements in 64 float lanes (64 numbers
per lane), then carries on in double; prod, sums over a non-last axis and
scans accumulate in double.  Work is cut by shape only, so results do not
depend on the number of threads.

Example::

    >>> import numpy as np
    >>> from rustorch._ext import reduce as R
    >>> x = np.arange(6, dtype=np.float32).reshape(1, 2, 3)
    >>> out = np.empty((1, 3), np.float32)
    >>> R.reduce('sum', x, out)
    array([[3., 5., 7.]], dtype=float32)
"""
import numpy as np
cimport numpy as cnp
from libc.stdint cimport int64_t

from rustorch._ext.arraycheck cimport check_contiguous

cnp.import_array()

cdef extern from "reduce.h" nogil:
    int RT_SUM, RT_PROD, RT_MAX, RT_MIN, RT_CUMSUM, RT_CUMPROD
    int rt_reduce_f32(const float *x, int64_t outer, int64_t R, int64_t inner,
                      int op, float *out, int64_t *oidx)
    int rt_reduce_f64(const double *x, int64_t outer, int64_t R, int64_t inner,
                      int op, double *out, int64_t *oidx)
    void rt_scan_f32(const float *x, int64_t outer, int64_t R, int64_t inner,
                     int op, float *out)
    void rt_scan_f64(const double *x, int64_t outer, int64_t R, int64_t inner,
                     int op, double *out)

REDUCE_OPS = frozenset(('sum', 'prod', 'max', 'min', 'argmax', 'argmin'))
SCAN_OPS = frozenset(('cumsum', 'cumprod'))
DTYPES = (np.float32, np.float64)

cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)
cdef object _I64 = np.dtype(np.int64)


cdef inline tuple _sh(cnp.ndarray a):
    return (<object>a).shape


cdef inline void _check_array(str fn, str name, cnp.ndarray a, int ndim,
                              bint writable) except *:
    """ndim, C-contiguity, alignment (the kernels assume natural alignment),
    writeability."""
    if cnp.PyArray_NDIM(a) != ndim:
        raise ValueError(f"{fn}: {name} must be {ndim}-D, got shape {_sh(a)}")
    check_contiguous(fn, name, a, writable)


cdef inline int _float_kind(str fn, cnp.ndarray x) except -1:
    """0 for float32, 1 for float64 (native byte order), else TypeError."""
    dt = x.dtype
    if dt == _F32:
        return 0
    if dt == _F64:
        return 1
    raise TypeError(f"{fn}: x must be float32 or float64 (native byte order), got {dt}")


def reduce(str op, cnp.ndarray x not None, cnp.ndarray out not None,
           cnp.ndarray out_index=None):
    """Reduce x (outer, R, inner) over its middle axis into out (outer, inner).

    Example::

        >>> x = np.array([[[1.], [5.], [5.]]], np.float32)   # (1, 3, 1)
        >>> v = np.empty((1, 1), np.float32); i = np.empty((1, 1), np.int64)
        >>> _ = reduce('max', x, v, i); (float(v[0, 0]), int(i[0, 0]))
        (5.0, 1)
    """
    if op not in REDUCE_OPS:
        raise ValueError(f"reduce: unknown op {op!r}; expected one of {sorted(REDUCE_OPS)}")
    fn = f"reduce({op!r})"
    _check_array(fn, "x", x, 3, False)
    cdef int kind = _float_kind(fn, x)
    cdef int64_t outer = x.shape[0], R = x.shape[1], inner = x.shape[2]
    _check_array(fn, "out", out, 2, True)
    cdef bint is_arg = op == 'argmax' or op == 'argmin'
    want = _I64 if is_arg else x.dtype
    if out.dtype != want:
        raise TypeError(f"{fn}: out must be {want}, got {out.dtype}")
    if out.shape[0] != outer or out.shape[1] != inner:
        raise ValueError(f"{fn}: out must have shape ({outer}, {inner}) for x of "
                         f"shape {_sh(x)}, got {_sh(out)}")
    if out_index is not None:
        if op != 'max' and op != 'min':
            raise ValueError(f"{fn}: out_index is only accepted by 'max' and 'min'")
        _check_array(fn, "out_index", out_index, 2, True)
        if out_index.dtype != _I64:
            raise TypeError(f"{fn}: out_index must be int64, got {out_index.dtype}")
        if out_index.shape[0] != outer or out_index.shape[1] != inner:
            raise ValueError(f"{fn}: out_index must have shape ({outer}, {inner}), "
                             f"got {_sh(out_index)}")
    if R == 0 and op not in ('sum', 'prod'):
        raise ValueError(f"{fn}: cannot reduce on an empty dimension "
                         f"(x has shape {_sh(x)}; torch: 'Expected reduction dim "
                         f"to have non-zero size')")

    cdef int cop
    if op == 'sum':
        cop = RT_SUM
    elif op == 'prod':
        cop = RT_PROD
    elif op == 'max' or op == 'argmax':
        cop = RT_MAX
    else:
        cop = RT_MIN

    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *vp = NULL          # value output
    cdef int64_t *ip = NULL       # index output
    if is_arg:
        ip = <int64_t *>cnp.PyArray_DATA(out)
    else:
        vp = cnp.PyArray_DATA(out)
        if out_index is not None:
            ip = <int64_t *>cnp.PyArray_DATA(out_index)
    cdef int rc
    with nogil:
        if kind == 0:
            rc = rt_reduce_f32(<const float *>xp, outer, R, inner, cop, <float *>vp, ip)
        else:
            rc = rt_reduce_f64(<const double *>xp, outer, R, inner, cop, <double *>vp, ip)
    if rc != 0:
        raise MemoryError(f"{fn}: could not allocate scratch space for x of shape {_sh(x)}")
    return out


def scan(str op, cnp.ndarray x not None, cnp.ndarray out not None):
    """Cumulative sum/product of x (outer, R, inner) along the middle axis.

    Example::

        >>> x = np.array([[[1.], [2.], [3.]]])
        >>> scan('cumsum', x, np.empty_like(x)).ravel()
        array([1., 3., 6.])
    """
    if op not in SCAN_OPS:
        raise ValueError(f"scan: unknown op {op!r}; expected one of {sorted(SCAN_OPS)}")
    fn = f"scan({op!r})"
    _check_array(fn, "x", x, 3, False)
    cdef int kind = _float_kind(fn, x)
    _check_array(fn, "out", out, 3, True)
    if out.dtype != x.dtype:
        raise TypeError(f"{fn}: out must be {x.dtype}, got {out.dtype}")
    if _sh(out) != _sh(x):
        raise ValueError(f"{fn}: out must have shape {_sh(x)}, got {_sh(out)}")
    cdef int64_t outer = x.shape[0], R = x.shape[1], inner = x.shape[2]
    cdef int cop = RT_CUMSUM if op == 'cumsum' else RT_CUMPROD
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *op_ = cnp.PyArray_DATA(out)
    if outer * R * inner == 0:
        return out
    with nogil:
        if kind == 0:
            rt_scan_f32(<const float *>xp, outer, R, inner, cop, <float *>op_)
        else:
            rt_scan_f64(<const double *>xp, outer, R, inner, cop, <double *>op_)
    return out
