# cython: language_level=3
"""One LSTM time step's elementwise work, fused (OpenMP + SIMD), on float32/float64 NumPy blocks.

API
---
``lstm_cell(pre, xp, c_prev, gates, c, tanh_c, h)``
    ``pre`` (the recurrent GEMM W_hh h) and ``xp`` (the input projection)
    are (4H, n); ``c_prev`` (H, n).  Writes the gate activations (torch's
    order i, f, g, o) into ``gates`` (4H, n), and c = f c_prev + i g,
    tanh(c) and h = o tanh(c) into ``c``, ``tanh_c`` and ``h`` (H, n).
``lstm_cell_backward(dh, dc, gates, c_prev, tanh_c, dgates, dc_prev)``
    From the gradients ``dh`` and ``dc`` of the step's h and c (H, n) and
    the forward's gates, c_prev and tanh(c): the gradient of the gates'
    pre-activations into ``dgates`` (4H, n) and that of c_prev into
    ``dc_prev`` (H, n).

Every array is 2-D with contiguous rows (the last stride is the item size;
the row stride is any positive multiple of it, as in a column slice of a
wider matrix), aligned, of one dtype (float32 or float64); the written
arrays are writeable and must not overlap the read ones (not checked: the
blocks are usually column slices of one buffer, where an exact test costs
more than the kernel).  Violations raise TypeError (dtype) or ValueError
(shape, layout).

Example::

    >>> import numpy as np
    >>> from rustorch._ext import rnn
    >>> z = np.zeros((4, 1))
    >>> gates, c, tc, h = np.empty((4, 1)), np.empty((1, 1)), np.empty((1, 1)), np.empty((1, 1))
    >>> _ = rnn.lstm_cell(z, z, np.ones((1, 1)), gates, c, tc, h)
    >>> gates.ravel(), c.ravel()
    (array([0.5, 0.5, 0. , 0.5]), array([0.5]))
"""
import numpy as np
cimport numpy as cnp
from libc.stdint cimport int64_t

from rustorch._ext.arraycheck cimport is_aligned

cnp.import_array()

cdef extern from "rnn.h" nogil:
    void rt_lstm_cell_f32(int64_t H, int64_t n, const float *pre, int64_t pre_s, const float *xp, int64_t xp_s,
                          const float *c_prev, int64_t cp_s, float *gates, int64_t g_s, float *c, int64_t c_s,
                          float *tc, int64_t tc_s, float *h, int64_t h_s)
    void rt_lstm_cell_f64(int64_t H, int64_t n, const double *pre, int64_t pre_s, const double *xp, int64_t xp_s,
                          const double *c_prev, int64_t cp_s, double *gates, int64_t g_s, double *c, int64_t c_s,
                          double *tc, int64_t tc_s, double *h, int64_t h_s)
    void rt_lstm_cell_backward_f32(int64_t H, int64_t n, const float *dh, int64_t dh_s, const float *dc,
                                   int64_t dc_s, const float *gates, int64_t g_s, const float *c_prev,
                                   int64_t cp_s, const float *tc, int64_t tc_s, float *dgates, int64_t dg_s,
                                   float *dc_prev, int64_t dcp_s)
    void rt_lstm_cell_backward_f64(int64_t H, int64_t n, const double *dh, int64_t dh_s, const double *dc,
                                   int64_t dc_s, const double *gates, int64_t g_s, const double *c_prev,
                                   int64_t cp_s, const double *tc, int64_t tc_s, double *dgates, int64_t dg_s,
                                   double *dc_prev, int64_t dcp_s)

cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)


cdef int64_t _block(str fn, str name, object a, object dtype, int64_t rows, int64_t n, bint written) except -1:
    """The row stride (in items) of the (rows, n) block ``a``, after checking its dtype, shape and layout."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{fn}: {name} must be a NumPy array, got {type(a).__name__}")
    cdef cnp.ndarray arr = <cnp.ndarray>a
    if arr.dtype != dtype:
        raise TypeError(f"{fn}: {name} must be {dtype}, got {arr.dtype}")
    if cnp.PyArray_NDIM(arr) != 2 or cnp.PyArray_DIMS(arr)[0] != rows or cnp.PyArray_DIMS(arr)[1] != n:
        raise ValueError(f"{fn}: {name} must have shape ({rows}, {n}), got {(<object>arr).shape}")
    cdef int64_t isz = cnp.PyArray_ITEMSIZE(arr)
    cdef int64_t row_stride = cnp.PyArray_STRIDES(arr)[0], col_stride = cnp.PyArray_STRIDES(arr)[1]
    if not is_aligned(arr, isz):
        raise ValueError(f"{fn}: {name} must be aligned to its dtype")
    if (n > 1 and col_stride != isz) or (rows > 1 and row_stride < n * isz):
        raise ValueError(f"{fn}: {name} must have contiguous, non-overlapping rows (strides {(<object>arr).strides})")
    if written and not cnp.PyArray_ISWRITEABLE(arr):
        raise ValueError(f"{fn}: {name} is read-only")
    return row_stride // isz if rows > 1 else n


cdef tuple _sizes(str fn, object gates, object dtype_source):
    """(dtype, H, n) from the (4H, n) gate block."""
    if not isinstance(gates, np.ndarray) or gates.ndim != 2 or gates.shape[0] % 4:
        raise ValueError(f"{fn}: the gate blocks must be 2-D NumPy arrays with 4H rows, got "
                         f"{getattr(gates, 'shape', type(gates).__name__)}")
    dt = dtype_source.dtype if isinstance(dtype_source, np.ndarray) else None
    if dt != _F32 and dt != _F64:
        raise TypeError(f"{fn}: arrays must be float32 or float64 (native byte order), got {dt}")
    return dt, gates.shape[0] // 4, gates.shape[1]


def lstm_cell(pre, xp, c_prev, gates, c, tanh_c, h):
    """The forward of one LSTM step (see the module's docstring); returns h.

    Example::

        >>> z = np.zeros((4, 2), np.float32)
        >>> out = [np.empty((4, 2), np.float32)] + [np.empty((1, 2), np.float32) for _ in range(3)]
        >>> lstm_cell(z, z, np.zeros((1, 2), np.float32), *out)
        array([[0., 0.]], dtype=float32)
    """
    fn = "lstm_cell"
    dt, hidden, n = _sizes(fn, gates, pre)
    cdef int64_t H = hidden, N = n
    cdef int64_t pre_s = _block(fn, "pre", pre, dt, 4 * H, N, False)
    cdef int64_t xp_s = _block(fn, "xp", xp, dt, 4 * H, N, False)
    cdef int64_t cp_s = _block(fn, "c_prev", c_prev, dt, H, N, False)
    cdef int64_t g_s = _block(fn, "gates", gates, dt, 4 * H, N, True)
    cdef int64_t c_s = _block(fn, "c", c, dt, H, N, True)
    cdef int64_t tc_s = _block(fn, "tanh_c", tanh_c, dt, H, N, True)
    cdef int64_t h_s = _block(fn, "h", h, dt, H, N, True)
    if H == 0 or N == 0:
        return h
    cdef void *p_pre = cnp.PyArray_DATA(<cnp.ndarray>pre)
    cdef void *p_xp = cnp.PyArray_DATA(<cnp.ndarray>xp)
    cdef void *p_cp = cnp.PyArray_DATA(<cnp.ndarray>c_prev)
    cdef void *p_g = cnp.PyArray_DATA(<cnp.ndarray>gates)
    cdef void *p_c = cnp.PyArray_DATA(<cnp.ndarray>c)
    cdef void *p_tc = cnp.PyArray_DATA(<cnp.ndarray>tanh_c)
    cdef void *p_h = cnp.PyArray_DATA(<cnp.ndarray>h)
    cdef bint f32 = dt == _F32
    with nogil:
        if f32:
            rt_lstm_cell_f32(H, N, <const float *>p_pre, pre_s, <const float *>p_xp, xp_s, <const float *>p_cp, cp_s,
                             <float *>p_g, g_s, <float *>p_c, c_s, <float *>p_tc, tc_s, <float *>p_h, h_s)
        else:
            rt_lstm_cell_f64(H, N, <const double *>p_pre, pre_s, <const double *>p_xp, xp_s,
                             <const double *>p_cp, cp_s, <double *>p_g, g_s, <double *>p_c, c_s,
                             <double *>p_tc, tc_s, <double *>p_h, h_s)
    return h


def lstm_cell_backward(dh, dc, gates, c_prev, tanh_c, dgates, dc_prev):
    """The backward of one LSTM step (see the module's docstring); returns dgates.

    Example::

        >>> gates = np.array([[0.5], [0.5], [0.0], [0.5]])
        >>> dgates, dc_prev = np.empty((4, 1)), np.empty((1, 1))
        >>> lstm_cell_backward(np.zeros((1, 1)), np.ones((1, 1)), gates, np.ones((1, 1)), np.zeros((1, 1)),
        ...                    dgates, dc_prev).ravel(), dc_prev.ravel()
        (array([0.  , 0.25, 0.5 , 0.  ]), array([0.5]))
    """
    fn = "lstm_cell_backward"
    dt, hidden, n = _sizes(fn, gates, gates)
    cdef int64_t H = hidden, N = n
    cdef int64_t dh_s = _block(fn, "dh", dh, dt, H, N, False)
    cdef int64_t dc_s = _block(fn, "dc", dc, dt, H, N, False)
    cdef int64_t g_s = _block(fn, "gates", gates, dt, 4 * H, N, False)
    cdef int64_t cp_s = _block(fn, "c_prev", c_prev, dt, H, N, False)
    cdef int64_t tc_s = _block(fn, "tanh_c", tanh_c, dt, H, N, False)
    cdef int64_t dg_s = _block(fn, "dgates", dgates, dt, 4 * H, N, True)
    cdef int64_t dcp_s = _block(fn, "dc_prev", dc_prev, dt, H, N, True)
    if H == 0 or N == 0:
        return dgates
    cdef void *p_dh = cnp.PyArray_DATA(<cnp.ndarray>dh)
    cdef void *p_dc = cnp.PyArray_DATA(<cnp.ndarray>dc)
    cdef void *p_g = cnp.PyArray_DATA(<cnp.ndarray>gates)
    cdef void *p_cp = cnp.PyArray_DATA(<cnp.ndarray>c_prev)
    cdef void *p_tc = cnp.PyArray_DATA(<cnp.ndarray>tanh_c)
    cdef void *p_dg = cnp.PyArray_DATA(<cnp.ndarray>dgates)
    cdef void *p_dcp = cnp.PyArray_DATA(<cnp.ndarray>dc_prev)
    cdef bint f32 = dt == _F32
    with nogil:
        if f32:
            rt_lstm_cell_backward_f32(H, N, <const float *>p_dh, dh_s, <const float *>p_dc, dc_s,
                                      <const float *>p_g, g_s, <const float *>p_cp, cp_s, <const float *>p_tc, tc_s,
                                      <float *>p_dg, dg_s, <float *>p_dcp, dcp_s)
        else:
            rt_lstm_cell_backward_f64(H, N, <const double *>p_dh, dh_s, <const double *>p_dc, dc_s,
                                      <const double *>p_g, g_s, <const double *>p_cp, cp_s,
                                      <const double *>p_tc, tc_s, <double *>p_dg, dg_s, <double *>p_dcp, dcp_s)
    return dgates
