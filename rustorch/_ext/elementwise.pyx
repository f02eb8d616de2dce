# cython: language_level=3
"""Element-wise float32/float64 kernels over NumPy arrays (OpenMP + SIMD).

API
---
``unary(op, x, out)``
    op in ``UNARY_OPS``; x and out have the same shape and dtype (float32 or
    float64), any strides (0, negative, non-contiguous); out may be x itself
    (in place) but must not otherwise overlap it.  Returns out.
``binary(op, a, b, out)``
    op in ``BINARY_OPS``; a and b are already broadcast to ``out.shape``
    (strides may be 0, e.g. from ``np.broadcast_to``) and share out's dtype.
    out may be a or b (in place).  Returns out.

Semantics (NaN, inf, -0.0) are torch's: sign(nan) = 0, relu(nan) = nan,
frac(inf) = nan, round is half-to-even, maximum/minimum propagate NaN,
remainder takes the sign of the divisor, floor_divide is torch's
``div_floor_floating``.  Transcendentals come from glibc's libm / libmvec
(float32 within a few ulp of torch's Sleef results).

Every condition is checked here before the C kernel runs without the GIL;
violations raise TypeError (not an ndarray, wrong dtype) or ValueError
(unknown op, shape mismatch, read-only or self-overlapping out, overlap,
misaligned data).

Example::

    >>> import numpy as np
    >>> from rustorch._ext import elementwise as E
    >>> x = np.array([-1.5, 0.0, 2.0], np.float32)
    >>> E.unary('relu', x, np.empty_like(x))
    array([0., 0., 2.], dtype=float32)
    >>> E.binary('add', x, np.broadcast_to(np.float32(1), x.shape), np.empty_like(x))
    array([-0.5,  1. ,  3. ], dtype=float32)
"""
import numpy as np
cimport numpy as cnp
from libc.stdint cimport int64_t, uintptr_t

cnp.import_array()

cdef extern from "elementwise.h" nogil:
    int EW_MAXDIM
    int EW_NUM_UNARY
    int EW_NUM_BINARY
    const char *const ew_unary_names[]
    const char *const ew_binary_names[]
    int ew_unary(int op, int is_f64, int nd, const int64_t *shape,
                 const int64_t *xs, const int64_t *os, char *x, char *o)
    int ew_binary(int op, int is_f64, int nd, const int64_t *shape,
                  const int64_t *as_, const int64_t *bs, const int64_t *os,
                  char *a, char *b, char *o)

# op name -> id; the ids are the order of the X-macro lists in elementwise.h
cdef dict _UNARY_IDS = {ew_unary_names[i].decode(): i for i in range(EW_NUM_UNARY)}
cdef dict _BINARY_IDS = {ew_binary_names[i].decode(): i for i in range(EW_NUM_BINARY)}
UNARY_OPS = frozenset(_UNARY_IDS)
BINARY_OPS = frozenset(_BINARY_IDS)
DTYPES = (np.float32, np.float64)

# Below this many elements the GIL is kept: releasing it costs more than the work.
cdef int64_t _NOGIL_MIN = 4096


cdef inline int _dtype_code(cnp.ndarray a):
    """0 for native float32, 1 for native float64, -1 otherwise."""
    cdef int t = cnp.PyArray_TYPE(a)
    if not cnp.PyArray_ISNOTSWAPPED(a):
        return -1
    if t == cnp.NPY_FLOAT:
        return 0
    if t == cnp.NPY_DOUBLE:
        return 1
    return -1


cdef inline bint _is_aligned(cnp.ndarray a, int64_t isz):
    """Data pointer and every stride (of dims longer than 1) are multiples of
    the item size: the kernels index typed pointers."""
    cdef int d
    cdef cnp.npy_intp *sh = cnp.PyArray_DIMS(a)
    cdef cnp.npy_intp *st = cnp.PyArray_STRIDES(a)
    if (<uintptr_t>cnp.PyArray_DATA(a)) % isz:
        return False
    for d in range(cnp.PyArray_NDIM(a)):
        if sh[d] > 1 and st[d] % isz:
            return False
    return True


cdef inline void _bounds(cnp.ndarray a, uintptr_t *lo, uintptr_t *hi):
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


cdef inline bint _same_view(cnp.ndarray a, cnp.ndarray b):
    """a and b (same shape) address exactly the same elements in the same order."""
    cdef int d
    if cnp.PyArray_DATA(a) != cnp.PyArray_DATA(b):
        return False
    for d in range(cnp.PyArray_NDIM(a)):
        if cnp.PyArray_DIMS(a)[d] > 1 and cnp.PyArray_STRIDES(a)[d] != cnp.PyArray_STRIDES(b)[d]:
            return False
    return True


cdef _check_no_overlap(str fn, str name, cnp.ndarray x, cnp.ndarray out):
    """x may be out itself; any other overlap would make the result depend
    on the visiting order, so it raises."""
    cdef uintptr_t xl, xh, ol, oh
    _bounds(x, &xl, &xh)
    _bounds(out, &ol, &oh)
    if xh <= ol or oh <= xl or _same_view(x, out):
        return
    if np.shares_memory(x, out):   # exact test, only for interleaved views
        raise ValueError(
            f"{fn}: {name} and out overlap in memory without being the same "
            f"view (in-place needs out to be exactly {name}); copy {name} first")


cdef _check_out(str fn, cnp.ndarray out):
    cdef int d
    if not cnp.PyArray_ISWRITEABLE(out):
        raise ValueError(f"{fn}: out is read-only")
    if cnp.PyArray_SIZE(out) == 0:
        return
    for d in range(cnp.PyArray_NDIM(out)):
        if cnp.PyArray_DIMS(out)[d] > 1 and cnp.PyArray_STRIDES(out)[d] == 0:
            raise ValueError(
                f"{fn}: out has stride 0 on dim {d} (size {cnp.PyArray_DIMS(out)[d]}); "
                f"out must not be a broadcast view")


cdef _check_pair(str fn, str name, cnp.ndarray x, cnp.ndarray out, int code):
    """x matches out's shape and dtype and is aligned."""
    cdef int d
    if _dtype_code(x) != code or cnp.PyArray_TYPE(x) != cnp.PyArray_TYPE(out):
        raise TypeError(
            f"{fn}: {name} has dtype {x.dtype}, out has dtype {out.dtype}; "
            f"both must be the same native float32 or float64")
    if cnp.PyArray_NDIM(x) != cnp.PyArray_NDIM(out):
        raise ValueError(f"{fn}: {name} has shape {(<object>x).shape} but out has shape "
                         f"{(<object>out).shape}; broadcast {name} to out's shape first")
    for d in range(cnp.PyArray_NDIM(x)):
        if cnp.PyArray_DIMS(x)[d] != cnp.PyArray_DIMS(out)[d]:
            raise ValueError(f"{fn}: {name} has shape {(<object>x).shape} but out has shape "
                             f"{(<object>out).shape}; broadcast {name} to out's shape first")
    if not _is_aligned(x, 8 if code else 4):
        raise ValueError(f"{fn}: {name} is not aligned to its item size "
                         f"(strides {(<object>x).strides}); copy it first")


cdef int _out_code(str fn, cnp.ndarray out) except -2:
    cdef int code = _dtype_code(out)
    if code < 0:
        raise TypeError(f"{fn}: dtype {out.dtype} is not supported; "
                        f"expected native float32 or float64")
    if not _is_aligned(out, 8 if code else 4):
        raise ValueError(f"{fn}: out is not aligned to its item size "
                         f"(strides {(<object>out).strides})")
    _check_out(fn, out)
    return code


def unary(str op, cnp.ndarray x not None, cnp.ndarray out not None):
    """out[...] = op(x), element-wise; see the module docstring.

    >>> import numpy as np
    >>> x = np.array([1.0, 4.0])
    >>> unary('sqrt', x, x)
    array([1., 2.])
    """
    cdef object opid = _UNARY_IDS.get(op)
    if opid is None:
        raise ValueError(f"unary: unknown op {op!r}; expected one of {sorted(UNARY_OPS)}")
    cdef int code = _out_code("unary", out)
    _check_pair("unary", "x", x, out, code)
    if cnp.PyArray_SIZE(out) == 0:
        return out
    _check_no_overlap("unary", "x", x, out)
    cdef int iop = opid, nd = cnp.PyArray_NDIM(out), rc
    cdef int64_t *shape = <int64_t *>cnp.PyArray_DIMS(out)
    cdef int64_t *xs = <int64_t *>cnp.PyArray_STRIDES(x)
    cdef int64_t *os = <int64_t *>cnp.PyArray_STRIDES(out)
    cdef char *xp = <char *>cnp.PyArray_DATA(x)
    cdef char *op_ = <char *>cnp.PyArray_DATA(out)
    if cnp.PyArray_SIZE(out) < _NOGIL_MIN:
        rc = ew_unary(iop, code, nd, shape, xs, os, xp, op_)
    else:
        with nogil:
            rc = ew_unary(iop, code, nd, shape, xs, os, xp, op_)
    if rc != 0:
        raise RuntimeError(f"unary: internal error for op {op!r}")
    return out


def binary(str op, cnp.ndarray a not None, cnp.ndarray b not None, cnp.ndarray out not None):
    """out[...] = op(a, b), element-wise; a, b already broadcast to out.shape.

    >>> import numpy as np
    >>> a = np.array([7.0, -7.0]); b = np.array([2.0, 2.0])
    >>> binary('remainder', a, b, np.empty_like(a))
    array([1., 1.])
    """
    cdef object opid = _BINARY_IDS.get(op)
    if opid is None:
        raise ValueError(f"binary: unknown op {op!r}; expected one of {sorted(BINARY_OPS)}")
    cdef int code = _out_code("binary", out)
    _check_pair("binary", "a", a, out, code)
    _check_pair("binary", "b", b, out, code)
    if cnp.PyArray_SIZE(out) == 0:
        return out
    _check_no_overlap("binary", "a", a, out)
    _check_no_overlap("binary", "b", b, out)
    cdef int iop = opid, nd = cnp.PyArray_NDIM(out), rc
    cdef int64_t *shape = <int64_t *>cnp.PyArray_DIMS(out)
    cdef int64_t *as_ = <int64_t *>cnp.PyArray_STRIDES(a)
    cdef int64_t *bs = <int64_t *>cnp.PyArray_STRIDES(b)
    cdef int64_t *os = <int64_t *>cnp.PyArray_STRIDES(out)
    cdef char *ap = <char *>cnp.PyArray_DATA(a)
    cdef char *bp = <char *>cnp.PyArray_DATA(b)
    cdef char *op_ = <char *>cnp.PyArray_DATA(out)
    if cnp.PyArray_SIZE(out) < _NOGIL_MIN:
        rc = ew_binary(iop, code, nd, shape, as_, bs, os, ap, bp, op_)
    else:
        with nogil:
            rc = ew_binary(iop, code, nd, shape, as_, bs, os, ap, bp, op_)
    if rc != 0:
        raise RuntimeError(f"binary: internal error for op {op!r}")
    return out
