# cython: language_level=3
"""Fused layer normalization over the rows of float32/float64 NumPy arrays (OpenMP + SIMD).

API
---
``layer_norm(x, weight, bias, eps, out, mean, rstd)``
    x and out (M, D); weight and bias (D,) or None; mean and rstd (M,) get
    each row's mean and 1 / sqrt(var + eps) (biased variance).
    ``out = (x - mean) * rstd * weight + bias`` row by row.  Returns out.
``layer_norm_backward(grad, x, mean, rstd, weight, grad_input, grad_weight, grad_bias)``
    The gradients of layer_norm for the output gradient grad (M, D), from the
    forward's x, mean and rstd; grad_input (M, D), grad_weight and grad_bias
    (D,) are each written unless None.  Returns None.

Every array is C-contiguous, aligned and of one dtype (float32 or float64);
the written arrays must not overlap the read ones.  Violations raise
TypeError (dtype) or ValueError (shape, layout, overlap).

Example::

    >>> import numpy as np
    >>> from rustorch._ext import norm
    >>> x = np.array([[1.0, 3.0]])
    >>> mean, rstd = np.empty(1), np.empty(1)
    >>> norm.layer_norm(x, None, None, 0.0, np.empty_like(x), mean, rstd), mean, rstd
    (array([[-1.,  1.]]), array([2.]), array([1.]))
"""
import numpy as np
cimport numpy as cnp
from libc.stdint cimport int64_t

from rustorch._ext.arraycheck cimport DISJOINT, check_contiguous, overlap

cnp.import_array()

cdef extern from "norm.h" nogil:
    void rt_layer_norm_f32(const float *x, int64_t M, int64_t D, const float *w, const float *b, double eps,
                           float *y, float *mean, float *rstd)
    void rt_layer_norm_f64(const double *x, int64_t M, int64_t D, const double *w, const double *b, double eps,
                           double *y, double *mean, double *rstd)
    int rt_layer_norm_backward_f32(const float *g, const float *x, const float *mean, const float *rstd,
                                   const float *w, int64_t M, int64_t D, float *dx, float *dw, float *db)
    int rt_layer_norm_backward_f64(const double *g, const double *x, const double *mean, const double *rstd,
                                   const double *w, int64_t M, int64_t D, double *dx, double *dw, double *db)

cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)


cdef void *_check(str fn, str name, object a, object dtype, tuple shape, bint written, list reads) except? NULL:
    """The data pointer of ``a`` (NULL for None), checked: dtype, shape, layout; a written array must not
    overlap any of ``reads``."""
    if a is None:
        return NULL
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{fn}: {name} must be a NumPy array or None, got {type(a).__name__}")
    cdef cnp.ndarray arr = <cnp.ndarray>a
    if arr.dtype != dtype:
        raise TypeError(f"{fn}: {name} must be {dtype}, got {arr.dtype}")
    if (<object>arr).shape != shape:
        raise ValueError(f"{fn}: {name} must have shape {shape}, got {(<object>arr).shape}")
    check_contiguous(fn, name, arr, written)
    if written and arr.size:
        for r in reads:
            if r is not None and (<cnp.ndarray>r).size and overlap(arr, <cnp.ndarray>r, False) != DISJOINT:
                raise ValueError(f"{fn}: {name} must not overlap the arrays it is computed from")
    return cnp.PyArray_DATA(arr)


cdef object _rows(str fn, cnp.ndarray x):
    if cnp.PyArray_NDIM(x) != 2:
        raise ValueError(f"{fn}: x must be 2-D (rows, row length), got shape {(<object>x).shape}")
    if x.dtype != _F32 and x.dtype != _F64:
        raise TypeError(f"{fn}: x must be float32 or float64 (native byte order), got {x.dtype}")
    return x.dtype


def layer_norm(cnp.ndarray x not None, weight, bias, double eps, cnp.ndarray out not None,
               cnp.ndarray mean not None, cnp.ndarray rstd not None):
    """Normalise the rows of x into out (see the module docstring).

    Example::

        >>> x = np.array([[0.0, 2.0]], np.float32)
        >>> layer_norm(x, np.array([2.0, 2.0], np.float32), None, 0.0, np.empty_like(x),
        ...            np.empty(1, np.float32), np.empty(1, np.float32))
        array([[-2.,  2.]], dtype=float32)
    """
    fn = "layer_norm"
    dt = _rows(fn, x)
    cdef int64_t M = x.shape[0], D = x.shape[1]
    reads = [x, weight, bias]
    cdef void *xp = _check(fn, "x", x, dt, (M, D), False, [])
    cdef void *wp = _check(fn, "weight", weight, dt, (D,), False, [])
    cdef void *bp = _check(fn, "bias", bias, dt, (D,), False, [])
    cdef void *yp = _check(fn, "out", out, dt, (M, D), True, reads)
    cdef void *mp = _check(fn, "mean", mean, dt, (M,), True, reads + [out])
    cdef void *rp = _check(fn, "rstd", rstd, dt, (M,), True, reads + [out, mean])
    if M == 0:
        return out
    cdef bint f32 = dt == _F32
    with nogil:
        if f32:
            rt_layer_norm_f32(<const float *>xp, M, D, <const float *>wp, <const float *>bp, eps, <float *>yp,
                              <float *>mp, <float *>rp)
        else:
            rt_layer_norm_f64(<const double *>xp, M, D, <const double *>wp, <const double *>bp, eps, <double *>yp,
                              <double *>mp, <double *>rp)
    return out


def layer_norm_backward(cnp.ndarray grad not None, cnp.ndarray x not None, cnp.ndarray mean not None,
                        cnp.ndarray rstd not None, weight, grad_input, grad_weight, grad_bias):
    """The gradients of layer_norm into grad_input, grad_weight and grad_bias (each unless None).

    Example::

        >>> x, g = np.array([[0.0, 2.0]]), np.array([[1.0, 0.0]])
        >>> dw, db = np.empty(2), np.empty(2)
        >>> layer_norm_backward(g, x, np.array([1.0]), np.array([1.0]), None, None, dw, db)
        >>> dw, db
        (array([-1.,  0.]), array([1., 0.]))
    """
    fn = "layer_norm_backward"
    dt = _rows(fn, x)
    cdef int64_t M = x.shape[0], D = x.shape[1]
    reads = [grad, x, mean, rstd, weight]
    cdef void *gp = _check(fn, "grad", grad, dt, (M, D), False, [])
    cdef void *xp = _check(fn, "x", x, dt, (M, D), False, [])
    cdef void *mp = _check(fn, "mean", mean, dt, (M,), False, [])
    cdef void *rp = _check(fn, "rstd", rstd, dt, (M,), False, [])
    cdef void *wp = _check(fn, "weight", weight, dt, (D,), False, [])
    cdef void *dxp = _check(fn, "grad_input", grad_input, dt, (M, D), True, reads)
    cdef void *dwp = _check(fn, "grad_weight", grad_weight, dt, (D,), True, reads + [grad_input])
    cdef void *dbp = _check(fn, "grad_bias", grad_bias, dt, (D,), True, reads + [grad_input, grad_weight])
    cdef bint f32 = dt == _F32
    cdef int rc
    with nogil:
        if f32:
            rc = rt_layer_norm_backward_f32(<const float *>gp, <const float *>xp, <const float *>mp,
                                            <const float *>rp, <const float *>wp, M, D, <float *>dxp, <float *>dwp,
                                            <float *>dbp)
        else:
            rc = rt_layer_norm_backward_f64(<const double *>gp, <const double *>xp, <const double *>mp,
                                            <const double *>rp, <const double *>wp, M, D, <double *>dxp,
                                            <double *>dwp, <double *>dbp)
    if rc != 0:
        raise MemoryError(f"{fn}: could not allocate its scratch memory")
