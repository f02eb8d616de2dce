# cython: language_level=3
"""Fused optimizer steps (OpenMP + SIMD) over lists of float32/float64 NumPy arrays: one call updates every
parameter of a group in a single pass over memory (torch's foreach/fused optimizers).

API
---
``sgd(params, grads, momentum_buffers, fresh, lr, momentum, dampening, weight_decay, nesterov, maximize)``
    SGD with momentum, dampening, Nesterov and weight decay. ``momentum_buffers`` is None without
    momentum; ``fresh[i]`` true makes buffer i a copy of the (decayed) gradient, as torch's first step.
``adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, step_sizes, bias_correction2_sqrts, beta1, beta2,
eps, weight_decay, decay, maximize)``
    Adam (``weight_decay`` added to the gradient) and AdamW (``decay`` = 1 - lr * weight_decay multiplies
    the parameter first); ``max_exp_avg_sqs`` None without amsgrad. ``step_sizes[i]`` = lr / (1 - beta1^t)
    and ``bias_correction2_sqrts[i]`` = sqrt(1 - beta2^t) of tensor i's step t.
``rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffers, lr, alpha, eps, weight_decay, momentum,
maximize)``
    RMSprop; ``grad_avgs`` None unless centered, ``momentum_buffers`` None without momentum.
``adagrad(params, grads, state_sums, clrs, eps, weight_decay, maximize)``
    Adagrad with ``clrs[i]`` = lr / (1 + (t - 1) lr_decay) for tensor i's step t.

Every list holds one array per parameter; the arrays at index i have the size of ``params[i]`` (any shape),
and all are C-contiguous, aligned and of the dtype of ``params[0]`` (float32 or float64); the updated ones
are writeable. Arrays that are written must not overlap the others (not checked). The formulas, in the
parameter's dtype, are torch's single-tensor steps (see optim.h). Violations raise TypeError (type, dtype)
or ValueError (length, size, layout).

Example::

    >>> import numpy as np
    >>> from rustorch._ext import optim
    >>> p, g = np.ones(3), np.full(3, 0.5)
    >>> optim.sgd([p], [g], None, None, 0.1, 0.0, 0.0, 0.0, False, False)
    >>> p
    array([0.95, 0.95, 0.95])
"""
import numpy as np
cimport numpy as cnp
from libc.stdint cimport int64_t, uint8_t, uintptr_t

from rustorch._ext.arraycheck cimport check_contiguous

cnp.import_array()

cdef extern from "optim.h" nogil:
    void rt_sgd_f32(int64_t n, const int64_t *sizes, float **p, float **grad, float **buf, const uint8_t *fresh,
                    double maximize_sign, double wd, double lr, double momentum, double dampening, int nesterov)
    void rt_sgd_f64(int64_t n, const int64_t *sizes, double **p, double **grad, double **buf,
                    const uint8_t *fresh, double maximize_sign, double wd, double lr, double momentum,
                    double dampening, int nesterov)
    void rt_adam_f32(int64_t n, const int64_t *sizes, float **p, float **grad, float **m, float **v,
                     float **vmax, const double *step_neg, const double *bc2_sqrt, double maximize_sign,
                     double decay, double wd, double beta1, double beta2, double eps)
    void rt_adam_f64(int64_t n, const int64_t *sizes, double **p, double **grad, double **m, double **v,
                     double **vmax, const double *step_neg, const double *bc2_sqrt, double maximize_sign,
                     double decay, double wd, double beta1, double beta2, double eps)
    void rt_rmsprop_f32(int64_t n, const int64_t *sizes, float **p, float **grad, float **sq, float **ga,
                        float **buf, double maximize_sign, double wd, double alpha, double eps, double lr,
                        double momentum)
    void rt_rmsprop_f64(int64_t n, const int64_t *sizes, double **p, double **grad, double **sq, double **ga,
                        double **buf, double maximize_sign, double wd, double alpha, double eps, double lr,
                        double momentum)
    void rt_adagrad_f32(int64_t n, const int64_t *sizes, float **p, float **grad, float **sum,
                        const double *clr_neg, double maximize_sign, double wd, double eps)
    void rt_adagrad_f64(int64_t n, const int64_t *sizes, double **p, double **grad, double **sum,
                        const double *clr_neg, double maximize_sign, double wd, double eps)

cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)


cdef class _Group:
    """The checked arrays of one call: the parameters' dtype and sizes, and each list's data pointers."""

    cdef str fn
    cdef object dtype
    cdef cnp.ndarray sizes    # int64, one per parameter
    cdef list keep            # the pointer arrays, alive for the call

    def __init__(self, str fn, params):
        if not isinstance(params, (list, tuple)):
            raise TypeError(f"{fn}: params must be a list of NumPy arrays, got {type(params).__name__}")
        self.fn = fn
        self.dtype = params[0].dtype if len(params) and isinstance(params[0], np.ndarray) else None
        if len(params) and self.dtype != _F32 and self.dtype != _F64:
            raise TypeError(f"{fn}: params must be float32 or float64 NumPy arrays, got "
                            f"{self.dtype if self.dtype is not None else type(params[0]).__name__}")
        self.sizes = np.array([a.size if isinstance(a, np.ndarray) else -1 for a in params], np.int64)
        self.keep = []

    cdef void **pointers(self, str name, arrays, bint written, bint optional=False) except? NULL:
        """The data pointers of ``arrays`` (one per parameter, checked), or NULL for an allowed None."""
        if arrays is None and optional:
            return NULL
        if not isinstance(arrays, (list, tuple)):
            raise TypeError(f"{self.fn}: {name} must be a list of NumPy arrays, got {type(arrays).__name__}")
        cdef Py_ssize_t n = self.sizes.shape[0], i
        if len(arrays) != n:
            raise ValueError(f"{self.fn}: {name} has {len(arrays)} arrays for {n} parameters")
        cdef cnp.ndarray out = np.empty(n, np.uintp)
        cdef uintptr_t *o = <uintptr_t *>cnp.PyArray_DATA(out)
        cdef int64_t *sizes = <int64_t *>cnp.PyArray_DATA(self.sizes)
        cdef cnp.ndarray arr
        for i in range(n):
            a = arrays[i]
            if not isinstance(a, np.ndarray):
                raise TypeError(f"{self.fn}: {name}[{i}] must be a NumPy array, got {type(a).__name__}")
            arr = <cnp.ndarray>a
            if arr.dtype != self.dtype:
                raise TypeError(f"{self.fn}: {name}[{i}] must be {self.dtype} like params[0], got {arr.dtype}")
            if cnp.PyArray_SIZE(arr) != sizes[i]:
                raise ValueError(f"{self.fn}: {name}[{i}] has {cnp.PyArray_SIZE(arr)} values but params[{i}] has "
                                 f"{sizes[i]}")
            check_contiguous(self.fn, f"{name}[{i}]", arr, written)
            o[i] = <uintptr_t>cnp.PyArray_DATA(arr)
        self.keep.append(out)
        return <void **>o

    cdef double *scalars(self, str name, values) except NULL:
        """One float64 per parameter, from a sequence of numbers."""
        cdef cnp.ndarray arr = np.ascontiguousarray(values, np.float64)
        if arr.ndim != 1 or arr.shape[0] != self.sizes.shape[0]:
            raise ValueError(f"{self.fn}: {name} must hold one number per parameter ({self.sizes.shape[0]}), "
                             f"got shape {(<object>arr).shape}")
        self.keep.append(arr)
        return <double *>cnp.PyArray_DATA(arr)

    cdef int64_t count(self):
        return self.sizes.shape[0]

    cdef const int64_t *size_ptr(self):
        return <const int64_t *>cnp.PyArray_DATA(self.sizes)


def sgd(params, grads, momentum_buffers, fresh, double lr, double momentum, double dampening, double weight_decay,
        bint nesterov, bint maximize):
    """One SGD step over the lists (see the module's docstring). Returns None.

    Example::

        >>> p, g, buf = np.zeros(2, np.float32), np.ones(2, np.float32), np.empty(2, np.float32)
        >>> sgd([p], [g], [buf], [True], 0.5, 0.9, 0.0, 0.0, False, False)
        >>> p, buf
        (array([-0.5, -0.5], dtype=float32), array([1., 1.], dtype=float32))
    """
    cdef _Group grp = _Group("sgd", params)
    cdef int64_t n = grp.count()
    cdef void **pp = grp.pointers("params", params, True)
    cdef void **pg = grp.pointers("grads", grads, False)
    cdef void **pb = grp.pointers("momentum_buffers", momentum_buffers, True, True)
    cdef cnp.ndarray fr = np.zeros(n, np.uint8)
    if pb != NULL:
        fr = np.ascontiguousarray(fresh, np.uint8)
        if fr.ndim != 1 or fr.shape[0] != n:
            raise ValueError(f"sgd: fresh must hold one flag per parameter ({n})")
    cdef const uint8_t *pf = <const uint8_t *>cnp.PyArray_DATA(fr)
    cdef double sign = -1.0 if maximize else 1.0
    if n == 0:
        return
    cdef bint f32 = grp.dtype == _F32
    cdef const int64_t *sizes = grp.size_ptr()
    with nogil:
        if f32:
            rt_sgd_f32(n, sizes, <float **>pp, <float **>pg, <float **>pb, pf, sign, weight_decay, lr, momentum,
                       dampening, nesterov)
        else:
            rt_sgd_f64(n, sizes, <double **>pp, <double **>pg, <double **>pb, pf, sign, weight_decay, lr, momentum,
                       dampening, nesterov)


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, step_sizes, bias_correction2_sqrts, double beta1,
         double beta2, double eps, double weight_decay, double decay, bint maximize):
    """One Adam/AdamW step over the lists (see the module's docstring). Returns None.

    Example::

        >>> p, g, m, v = np.zeros(1), np.ones(1), np.zeros(1), np.zeros(1)
        >>> adam([p], [g], [m], [v], None, [0.1 / 0.1], [0.001 ** 0.5], 0.9, 0.999, 0.0, 0.0, 1.0, False)
        >>> p, m, v   # a first step moves by lr
        (array([-0.1]), array([0.1]), array([0.001]))
    """
    cdef _Group grp = _Group("adam", params)
    cdef int64_t n = grp.count()
    cdef void **pp = grp.pointers("params", params, True)
    cdef void **pg = grp.pointers("grads", grads, False)
    cdef void **pm = grp.pointers("exp_avgs", exp_avgs, True)
    cdef void **pv = grp.pointers("exp_avg_sqs", exp_avg_sqs, True)
    cdef void **pvmax = grp.pointers("max_exp_avg_sqs", max_exp_avg_sqs, True, True)
    cdef cnp.ndarray neg = -np.asarray(step_sizes, np.float64)
    cdef double *step_neg = grp.scalars("step_sizes", neg)
    cdef double *bc2 = grp.scalars("bias_correction2_sqrts", bias_correction2_sqrts)
    cdef double sign = -1.0 if maximize else 1.0
    if n == 0:
        return
    cdef bint f32 = grp.dtype == _F32
    cdef const int64_t *sizes = grp.size_ptr()
    with nogil:
        if f32:
            rt_adam_f32(n, sizes, <float **>pp, <float **>pg, <float **>pm, <float **>pv, <float **>pvmax, step_neg,
                        bc2, sign, decay, weight_decay, beta1, beta2, eps)
        else:
            rt_adam_f64(n, sizes, <double **>pp, <double **>pg, <double **>pm, <double **>pv, <double **>pvmax,
                        step_neg, bc2, sign, decay, weight_decay, beta1, beta2, eps)


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffers, double lr, double alpha, double eps,
            double weight_decay, double momentum, bint maximize):
    """One RMSprop step over the lists (see the module's docstring). Returns None.

    Example::

        >>> p, g, sq = np.zeros(1), np.ones(1), np.zeros(1)
        >>> rmsprop([p], [g], [sq], None, None, 0.01, 0.99, 0.0, 0.0, 0.0, False)
        >>> p, sq
        (array([-0.1]), array([0.01]))
    """
    cdef _Group grp = _Group("rmsprop", params)
    cdef int64_t n = grp.count()
    cdef void **pp = grp.pointers("params", params, True)
    cdef void **pg = grp.pointers("grads", grads, False)
    cdef void **psq = grp.pointers("square_avgs", square_avgs, True)
    cdef void **pga = grp.pointers("grad_avgs", grad_avgs, True, True)
    cdef void **pb = grp.pointers("momentum_buffers", momentum_buffers, True, True)
    cdef double sign = -1.0 if maximize else 1.0
    if n == 0:
        return
    cdef bint f32 = grp.dtype == _F32
    cdef const int64_t *sizes = grp.size_ptr()
    with nogil:
        if f32:
            rt_rmsprop_f32(n, sizes, <float **>pp, <float **>pg, <float **>psq, <float **>pga, <float **>pb, sign,
                           weight_decay, alpha, eps, lr, momentum)
        else:
            rt_rmsprop_f64(n, sizes, <double **>pp, <double **>pg, <double **>psq, <double **>pga, <double **>pb,
                           sign, weight_decay, alpha, eps, lr, momentum)


def adagrad(params, grads, state_sums, clrs, double eps, double weight_decay, bint maximize):
    """One Adagrad step over the lists (see the module's docstring). Returns None.

    Example::

        >>> p, g, s = np.zeros(1), np.full(1, 2.0), np.zeros(1)
        >>> adagrad([p], [g], [s], [0.5], 0.0, 0.0, False)
        >>> p, s
        (array([-0.5]), array([4.]))
    """
    cdef _Group grp = _Group("adagrad", params)
    cdef int64_t n = grp.count()
    cdef void **pp = grp.pointers("params", params, True)
    cdef void **pg = grp.pointers("grads", grads, False)
    cdef void **ps = grp.pointers("state_sums", state_sums, True)
    cdef cnp.ndarray neg = -np.asarray(clrs, np.float64)
    cdef double *clr_neg = grp.scalars("clrs", neg)
    cdef double sign = -1.0 if maximize else 1.0
    if n == 0:
        return
    cdef bint f32 = grp.dtype == _F32
    cdef const int64_t *sizes = grp.size_ptr()
    with nogil:
        if f32:
            rt_adagrad_f32(n, sizes, <float **>pp, <float **>pg, <float **>ps, clr_neg, sign, weight_decay, eps)
        else:
            rt_adagrad_f64(n, sizes, <double **>pp, <double **>pg, <double **>ps, clr_neg, sign, weight_decay, eps)
