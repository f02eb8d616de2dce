# cython: language_level=3
"""Convolution and pooling kernels over float32/float64 NumPy arrays (OpenMP).

Every array is C-contiguous, aligned and of one dtype (float32 or float64;
indices int64); ``x`` is (N, C, *spatial) with 1 to 3 spatial dims, and
``kernel``, ``stride``, ``padding`` and ``dilation`` are tuples with one int
per spatial dim.

API
---
``im2col(x, cols, kernel, stride, padding, dilation)``
    cols (N, C * prod(kernel), *out) gets the sliding windows of x:
    ``cols[n, c*K + k, o] = x[n, c, o*stride - padding + k*dilation]`` (k and
    o are multi-indices in C order), 0 where that falls outside x.  The output
    size ``out`` is cols's shape; padding is the padding before the data (the
    padding after it follows from ``out``, so it may differ).  Returns cols.
``col2im(cols, x, kernel, stride, padding, dilation)``
    The adjoint of im2col: x is overwritten with the sum, over every column
    entry, of the entry added where im2col read it.  Returns x.
``pool(op, x, out, indices, windows)``
    op 'max' or 'avg': the max or the mean of every window of x into out (N,
    C, *out).  ``windows`` has one ``(first, count, step, divisor)`` per
    spatial dim: for each output position o of that dim the window reads
    ``count[o]`` taps ``first[o] + j*step`` (first, count int64 arrays of the
    output's size; every tap inside the input); ``divisor`` (float64, 'avg'
    only, else None) holds per-dim factors whose product divides the window's
    sum.  An empty window averages to 0.  For 'max', ``indices`` (int64, out's
    shape, or None) gets the flat position of the maximum in its input plane;
    NaN propagates as in torch.  Returns out.
``pool_backward(op, grad, grad_input, indices, windows)``
    The gradient of ``pool``: grad_input (x's shape) is overwritten with
    grad's entries added at ``indices`` ('max': windows may be None) or spread
    over the windows divided by their divisors ('avg').  An index outside its
    plane passes nothing (torch gives one to the -inf max of a window without
    a tap inside the input).  Returns grad_input.

Example::

    >>> import numpy as np
    >>> from rustorch._ext import conv
    >>> x = np.arange(4, dtype=np.float32).reshape(1, 1, 4)
    >>> cols = conv.im2col(x, np.empty((1, 2, 3), np.float32), (2,), (1,), (0,), (1,))
    >>> cols[0]
    array([[0., 1., 2.],
           [1., 2., 3.]], dtype=float32)
"""
import numpy as np
cimport numpy as cnp
from libc.stdint cimport int64_t

from rustorch._ext.arraycheck cimport DISJOINT, check_contiguous, overlap

cnp.import_array()

cdef extern from "conv.h" nogil:
    ctypedef struct rt_conv_geom:
        int64_t in_[3]
        int64_t out[3]
        int64_t k[3]
        int64_t s[3]
        int64_t p[3]
        int64_t d[3]
    ctypedef struct rt_pool_geom:
        int64_t in_[3]
        int64_t out[3]
        const int64_t *first[3]
        const int64_t *count[3]
        int64_t step[3]
        const double *div[3]
    void rt_im2col_f32(const float *x, int64_t planes, const rt_conv_geom *g, float *cols)
    void rt_im2col_f64(const double *x, int64_t planes, const rt_conv_geom *g, double *cols)
    void rt_col2im_f32(const float *cols, int64_t planes, const rt_conv_geom *g, float *x)
    void rt_col2im_f64(const double *cols, int64_t planes, const rt_conv_geom *g, double *x)
    void rt_maxpool_f32(const float *x, int64_t planes, const rt_pool_geom *g, float *y, int64_t *yi)
    void rt_maxpool_f64(const double *x, int64_t planes, const rt_pool_geom *g, double *y, int64_t *yi)
    void rt_avgpool_f32(const float *x, int64_t planes, const rt_pool_geom *g, float *y)
    void rt_avgpool_f64(const double *x, int64_t planes, const rt_pool_geom *g, double *y)
    void rt_maxpool_backward_f32(const float *gy, const int64_t *yi, int64_t planes, int64_t L,
                                 int64_t P, float *gx)
    void rt_maxpool_backward_f64(const double *gy, const int64_t *yi, int64_t planes, int64_t L,
                                 int64_t P, double *gx)
    void rt_avgpool_backward_f32(const float *gy, int64_t planes, const rt_pool_geom *g, float *gx)
    void rt_avgpool_backward_f64(const double *gy, int64_t planes, const rt_pool_geom *g, double *gx)

cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)
cdef object _I64 = np.dtype(np.int64)


cdef inline tuple _sh(cnp.ndarray a):
    return (<object>a).shape


cdef int _check_pair(str fn, cnp.ndarray a, str an, cnp.ndarray b, str bn) except -1:
    """a (read) and b (written): planar arrays of one float dtype, contiguous, disjoint; returns the
    number of spatial dims."""
    cdef int nd = cnp.PyArray_NDIM(a)
    if nd < 3 or nd > 5:
        raise ValueError(f"{fn}: {an} must be (N, C, *spatial) with 1 to 3 spatial dims, got shape {_sh(a)}")
    if cnp.PyArray_NDIM(b) != nd:
        raise ValueError(f"{fn}: {bn} must have {nd} dims like {an}, got shape {_sh(b)}")
    if a.dtype != _F32 and a.dtype != _F64:
        raise TypeError(f"{fn}: {an} must be float32 or float64 (native byte order), got {a.dtype}")
    if b.dtype != a.dtype:
        raise TypeError(f"{fn}: {bn} must be {a.dtype} like {an}, got {b.dtype}")
    check_contiguous(fn, an, a, False)
    check_contiguous(fn, bn, b, True)
    if a.size and b.size and overlap(a, b, False) != DISJOINT:
        raise ValueError(f"{fn}: {bn} must not overlap {an}")
    return nd - 2


cdef tuple _ints(str fn, str name, object v, int nsp, int64_t least):
    t = tuple(int(i) for i in v)
    if len(t) != nsp:
        raise ValueError(f"{fn}: {name} must have {nsp} entries, got {t}")
    for i in t:
        if i < least:
            raise ValueError(f"{fn}: {name} entries must be >= {least}, got {t}")
    return t


cdef rt_conv_geom _conv_geom(str fn, cnp.ndarray x, cnp.ndarray cols, kernel, stride, padding,
                             dilation, int nsp) except *:
    """The geometry of im2col(x) -> cols, checked: cols's channel dim is C * prod(kernel)."""
    cdef rt_conv_geom g
    k = _ints(fn, "kernel", kernel, nsp, 1)
    s = _ints(fn, "stride", stride, nsp, 1)
    p = _ints(fn, "padding", padding, nsp, 0)
    d = _ints(fn, "dilation", dilation, nsp, 1)
    cdef int64_t K = 1
    cdef int i, j
    for i in range(3):
        j = i - (3 - nsp)
        g.in_[i] = x.shape[2 + j] if j >= 0 else 1
        g.out[i] = cols.shape[2 + j] if j >= 0 else 1
        g.k[i] = k[j] if j >= 0 else 1
        g.s[i] = s[j] if j >= 0 else 1
        g.p[i] = p[j] if j >= 0 else 0
        g.d[i] = d[j] if j >= 0 else 1
        K *= g.k[i]
    if cols.shape[0] != x.shape[0] or cols.shape[1] != x.shape[1] * K:
        raise ValueError(f"{fn}: cols of shape {_sh(cols)} do not match x of shape {_sh(x)} and kernel "
                         f"{k}: expected ({x.shape[0]}, {x.shape[1] * K}, ...)")
    return g


def im2col(cnp.ndarray x not None, cnp.ndarray cols not None, kernel, stride, padding, dilation):
    """Unfold the sliding windows of x into the columns ``cols`` (see the module docstring).

    Example::

        >>> x = np.arange(9, dtype=np.float64).reshape(1, 1, 3, 3)
        >>> im2col(x, np.empty((1, 4, 1, 1)), (2, 2), (1, 1), (0, 0), (2, 2)).ravel()
        array([0., 2., 6., 8.])
    """
    fn = "im2col"
    cdef int nsp = _check_pair(fn, x, "x", cols, "cols")
    cdef rt_conv_geom g = _conv_geom(fn, x, cols, kernel, stride, padding, dilation, nsp)
    cdef int64_t planes = x.shape[0] * x.shape[1]
    if cols.size == 0:
        return cols
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *cp = cnp.PyArray_DATA(cols)
    cdef bint f32 = x.descr.type_num == cnp.NPY_FLOAT32
    with nogil:
        if f32:
            rt_im2col_f32(<const float *>xp, planes, &g, <float *>cp)
        else:
            rt_im2col_f64(<const double *>xp, planes, &g, <double *>cp)
    return cols


def col2im(cnp.ndarray cols not None, cnp.ndarray x not None, kernel, stride, padding, dilation):
    """Fold the columns ``cols`` back into x, adding overlaps (the adjoint of im2col).

    Example::

        >>> cols = np.ones((1, 2, 3), np.float32)
        >>> col2im(cols, np.empty((1, 1, 4), np.float32), (2,), (1,), (0,), (1,)).ravel()
        array([1., 2., 2., 1.], dtype=float32)
    """
    fn = "col2im"
    cdef int nsp = _check_pair(fn, cols, "cols", x, "x")
    cdef rt_conv_geom g = _conv_geom(fn, x, cols, kernel, stride, padding, dilation, nsp)
    cdef int64_t planes = x.shape[0] * x.shape[1]
    if x.size == 0:
        return x
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *cp = cnp.PyArray_DATA(cols)
    cdef bint f32 = x.descr.type_num == cnp.NPY_FLOAT32
    with nogil:
        if f32:
            rt_col2im_f32(<const float *>cp, planes, &g, <float *>xp)
        else:
            rt_col2im_f64(<const double *>cp, planes, &g, <double *>xp)
    return x


cdef rt_pool_geom _pool_geom(str fn, str op, cnp.ndarray x, cnp.ndarray y, windows, int nsp, list keep) except *:
    """The checked window geometry of a pooling of x into y; ``keep`` holds the arrays it points into."""
    cdef rt_pool_geom g
    cdef int i, j
    cdef int64_t o, n_in, n_out, step, f, c
    cdef const int64_t[::1] first
    cdef const int64_t[::1] count
    cdef const double[::1] div
    if x.shape[0] != y.shape[0] or x.shape[1] != y.shape[1]:
        raise ValueError(f"{fn}: x of shape {_sh(x)} and out of shape {_sh(y)} differ in (N, C)")
    windows = tuple(windows)
    if len(windows) != nsp:
        raise ValueError(f"{fn}: windows must have one entry per spatial dim ({nsp}), got {len(windows)}")
    for i in range(3):
        j = i - (3 - nsp)
        if j < 0:
            one = np.zeros(1, np.int64), np.ones(1, np.int64), np.ones(1)
            keep.append(one)
            first, count, div = one
            g.in_[i] = g.out[i] = 1
            g.step[i] = 1
        else:
            w_first, w_count, step, w_div = windows[j]
            n_in = x.shape[2 + j]
            n_out = y.shape[2 + j]
            first = np.ascontiguousarray(w_first, np.int64)
            count = np.ascontiguousarray(w_count, np.int64)
            if op == 'avg':
                div = np.ascontiguousarray(w_div, np.float64)
                if div.shape[0] != n_out:
                    raise ValueError(f"{fn}: divisor of dim {j} must have {n_out} entries, got {div.shape[0]}")
            else:
                div = np.ones(n_out)
            keep.append((first, count, div))
            if first.shape[0] != n_out or count.shape[0] != n_out:
                raise ValueError(f"{fn}: the windows of dim {j} must have {n_out} entries, got "
                                 f"{first.shape[0]} and {count.shape[0]}")
            if step < 1:
                raise ValueError(f"{fn}: window step of dim {j} must be >= 1, got {step}")
            for o in range(n_out):
                f = first[o]
                c = count[o]
                if c < 0 or (c > 0 and (f < 0 or f + (c - 1) * step >= n_in)):
                    raise ValueError(f"{fn}: window {o} of dim {j} (first {f}, {c} taps, step {step}) leaves "
                                     f"the input of size {n_in}")
            g.in_[i] = n_in
            g.out[i] = n_out
            g.step[i] = step
        g.first[i] = &first[0]
        g.count[i] = &count[0]
        g.div[i] = &div[0]
    return g


cdef int _check_indices(str fn, cnp.ndarray indices, cnp.ndarray like, bint writable) except -1:
    if indices.dtype != _I64:
        raise TypeError(f"{fn}: indices must be int64, got {indices.dtype}")
    if _sh(indices) != _sh(like):
        raise ValueError(f"{fn}: indices must have shape {_sh(like)}, got {_sh(indices)}")
    check_contiguous(fn, "indices", indices, writable)
    return 0


def pool(str op, cnp.ndarray x not None, cnp.ndarray out not None, cnp.ndarray indices, windows):
    """Max or average pooling of x over ``windows`` into out (see the module docstring).

    Example::

        >>> x = np.array([[[1., 3., 2., 5.]]])
        >>> w = ((np.array([0, 2]), np.array([2, 2]), 1, None),)
        >>> i = np.empty((1, 1, 2), np.int64)
        >>> pool('max', x, np.empty((1, 1, 2)), i, w), i
        (array([[[3., 5.]]]), array([[[1, 3]]]))
    """
    fn = f"pool({op!r})"
    if op != 'max' and op != 'avg':
        raise ValueError(f"pool: unknown op {op!r}; expected 'max' or 'avg'")
    cdef int nsp = _check_pair(fn, x, "x", out, "out")
    cdef list keep = []
    cdef rt_pool_geom g = _pool_geom(fn, op, x, out, windows, nsp, keep)
    cdef int64_t *ip = NULL
    if indices is not None:
        if op != 'max':
            raise ValueError(f"{fn}: indices are only given by 'max'")
        _check_indices(fn, indices, out, True)
    elif op == 'max':
        indices = np.empty_like(out, dtype=np.int64)  # the kernel keeps its running argmax there
    if indices is not None:
        ip = <int64_t *>cnp.PyArray_DATA(indices)
    cdef int64_t planes = x.shape[0] * x.shape[1]
    if out.size == 0:
        return out
    cdef void *xp = cnp.PyArray_DATA(x)
    cdef void *yp = cnp.PyArray_DATA(out)
    cdef bint f32 = x.descr.type_num == cnp.NPY_FLOAT32
    cdef bint is_max = op == 'max'
    if is_max and f32 and x.size // planes >= 2 ** 31:
        raise ValueError(f"{fn}: a float32 input plane of {x.size // planes} elements is too large "
                         f"(the kernel indexes a plane with 32-bit ints)")
    with nogil:
        if is_max and f32:
            rt_maxpool_f32(<const float *>xp, planes, &g, <float *>yp, ip)
        elif is_max:
            rt_maxpool_f64(<const double *>xp, planes, &g, <double *>yp, ip)
        elif f32:
            rt_avgpool_f32(<const float *>xp, planes, &g, <float *>yp)
        else:
            rt_avgpool_f64(<const double *>xp, planes, &g, <double *>yp)
    return out


def pool_backward(str op, cnp.ndarray grad not None, cnp.ndarray grad_input not None, cnp.ndarray indices,
                  windows):
    """The gradient of ``pool`` with respect to x, written into grad_input (see the module docstring).

    Example::

        >>> g = np.array([[[1., 2.]]])
        >>> pool_backward('max', g, np.empty((1, 1, 4)), np.array([[[1, 3]]]), None)
        array([[[0., 1., 0., 2.]]])
    """
    fn = f"pool_backward({op!r})"
    if op != 'max' and op != 'avg':
        raise ValueError(f"pool_backward: unknown op {op!r}; expected 'max' or 'avg'")
    cdef int nsp = _check_pair(fn, grad, "grad", grad_input, "grad_input")
    if grad.shape[0] != grad_input.shape[0] or grad.shape[1] != grad_input.shape[1]:
        raise ValueError(f"{fn}: grad of shape {_sh(grad)} and grad_input of shape {_sh(grad_input)} differ "
                         f"in (N, C)")
    cdef list keep = []
    cdef rt_pool_geom g
    cdef int64_t planes = grad.shape[0] * grad.shape[1]
    cdef int64_t L = 1, P = 1
    cdef int i
    for i in range(nsp):
        L *= grad.shape[2 + i]
        P *= grad_input.shape[2 + i]
    if op == 'max':
        if indices is None:
            raise ValueError(f"{fn}: the indices of the maxima are required")
        _check_indices(fn, indices, grad, False)
    else:
        g = _pool_geom(fn, op, grad_input, grad, windows, nsp, keep)
    if grad_input.size == 0:
        return grad_input
    cdef void *gp = cnp.PyArray_DATA(grad)
    cdef void *xp = cnp.PyArray_DATA(grad_input)
    cdef const int64_t *ip = <const int64_t *>cnp.PyArray_DATA(indices) if indices is not None else NULL
    cdef bint f32 = grad.descr.type_num == cnp.NPY_FLOAT32
    cdef bint is_max = op == 'max'
    with nogil:
        if is_max and f32:
            rt_maxpool_backward_f32(<const float *>gp, ip, planes, L, P, <float *>xp)
        elif is_max:
            rt_maxpool_backward_f64(<const double *>gp, ip, planes, L, P, <double *>xp)
        elif f32:
            rt_avgpool_backward_f32(<const float *>gp, planes, &g, <float *>xp)
        else:
            rt_avgpool_backward_f64(<const double *>gp, planes, &g, <double *>xp)
    return grad_input
