# cython: language_level=3
"""Fused softmax and log_softmax over one dim of float32/float64 NumPy arrays (OpenMP + SIMD).

API
---
``softmax(x, out, dim, log_space)``
    out = softmax(x) along ``dim`` (log_softmax when log_space), the maximum
    of each slice subtracted first.  Returns out.
``softmax_backward(grad, y, out, dim, log_space)``
    The input gradient for the output gradient ``grad`` from the forward's
    result ``y``: y * (grad - sum(grad * y)), or grad - exp(y) * sum(grad) for
    log_softmax, along ``dim``.  Returns out.

Every array is C-contiguous, aligned, of one dtype (float32 or float64) and
of one shape; ``out`` must not overlap the arrays it is computed from.
Violations raise TypeError (dtype) or ValueError (shape, dim, layout,
overlap).

Example::

    >>> import numpy as np
    >>> from rustorch._ext import softmax
    >>> softmax.softmax(np.array([[0.0, 0.0]]), np.empty((1, 2)), 1, False)
    array([[0.5, 0.5]])
"""
import numpy as np
cimport numpy as cnp
from libc.stdint cimport int64_t

from rustorch._ext.arraycheck cimport DISJOINT, check_contiguous, overlap

cnp.import_array()

cdef extern from "softmax.h" nogil:
    int rt_softmax_f32(const float *x, float *y, int64_t outer, int64_t n, int64_t inner, int log_space)
    int rt_softmax_f64(const double *x, double *y, int64_t outer, int64_t n, int64_t inner, int log_space)
    int rt_softmax_backward_f32(const float *g, const float *y, float *dx, int64_t outer, int64_t n, int64_t inner,
                                int log_space)
    int rt_softmax_backward_f64(const double *g, const double *y, double *dx, int64_t outer, int64_t n,
                                int64_t inner, int log_space)

cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)


cdef tuple _layout(str fn, list inputs, list names, cnp.ndarray out, int dim):
    """(outer, n, inner) of the common shape split at ``dim``, after checking the dtype, shape and layout of
    ``inputs`` and ``out``, and that ``out`` overlaps none of the inputs."""
    cdef cnp.ndarray first = <cnp.ndarray>inputs[0]
    dt = first.dtype
    if dt != _F32 and dt != _F64:
        raise TypeError(f"{fn}: arrays must be float32 or float64 (native byte order), got {dt}")
    shape = (<object>first).shape
    for a, name in zip(inputs + [out], names + ["out"]):
        if not isinstance(a, np.ndarray):
            raise TypeError(f"{fn}: {name} must be a NumPy array, got {type(a).__name__}")
        if a.dtype != dt:
            raise TypeError(f"{fn}: {name} must be {dt}, got {a.dtype}")
        if a.shape != shape:
            raise ValueError(f"{fn}: {name} must have shape {shape}, got {a.shape}")
        check_contiguous(fn, name, <cnp.ndarray>a, a is out)
    if not 0 <= dim < len(shape):
        raise ValueError(f"{fn}: dim {dim} is out of range for shape {shape}")
    if out.size:
        for a in inputs:
            if overlap(out, <cnp.ndarray>a, False) != DISJOINT:
                raise ValueError(f"{fn}: out must not overlap the arrays it is computed from")
    return int(np.prod(shape[:dim], dtype=np.int64)), shape[dim], int(np.prod(shape[dim + 1:], dtype=np.int64))


def softmax(cnp.ndarray x not None, cnp.ndarray out not None, int dim, bint log_space):
    """out = softmax(x) (log_softmax when log_space) along ``dim``.

    Example::

        >>> softmax(np.array([[1.0], [1.0]], np.float32), np.empty((2, 1), np.float32), 0, True)
        array([[-0.6931472],
               [-0.6931472]], dtype=float32)
    """
    fn = "softmax"
    outer, n, inner = _layout(fn, [x], ["x"], out, dim)
    if out.size == 0:
        return out
    cdef int64_t o = outer, k = n, i = inner
    cdef bint f32 = x.dtype == _F32
    cdef int rc
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *yp = cnp.PyArray_DATA(out)
    with nogil:
        if f32:
            rc = rt_softmax_f32(<const float *>xp, <float *>yp, o, k, i, log_space)
        else:
            rc = rt_softmax_f64(<const double *>xp, <double *>yp, o, k, i, log_space)
    if rc != 0:
        raise MemoryError(f"{fn}: could not allocate the per-thread accumulators")
    return out


def softmax_backward(cnp.ndarray grad not None, cnp.ndarray y not None, cnp.ndarray out not None, int dim,
                     bint log_space):
    """out = the input gradient of softmax (log_softmax when log_space) for ``grad``, from its result ``y``.

    Example::

        >>> softmax_backward(np.array([1.0, 0.0]), np.array([0.5, 0.5]), np.empty(2), 0, False)
        array([ 0.25, -0.25])
    """
    fn = "softmax_backward"
    outer, n, inner = _layout(fn, [grad, y], ["grad", "y"], out, dim)
    if out.size == 0:
        return out
    cdef int64_t o = outer, k = n, i = inner
    cdef bint f32 = y.dtype == _F32
    cdef int rc
    cdef void *gp = cnp.PyArray_DATA(grad)
    cdef void *yp = cnp.PyArray_DATA(y)
    cdef void *dp = cnp.PyArray_DATA(out)
    with nogil:
        if f32:
            rc = rt_softmax_backward_f32(<const float *>gp, <const float *>yp, <float *>dp, o, k, i, log_space)
        else:
            rc = rt_softmax_backward_f64(<const double *>gp, <const double *>yp, <double *>dp, o, k, i, log_space)
    if rc != 0:
        raise MemoryError(f"{fn}: could not allocate the per-thread accumulators")
    return out
