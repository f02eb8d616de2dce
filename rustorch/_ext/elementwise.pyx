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
from libc.stdint cimport int64_t

from rustorch._ext.arraycheck cimport (OVERLAP, check_not_broadcast, is_aligned,
                                       overlap, same_shape)

cnp.import_array()

cdef extern from "elementwise.h" nogil:
    int RT_MAXDIM
    int EW_NUM_UNARY
    int EW_NUM_BINARY
    const char *const ew_unary_names[]
    const char *const ew_binary_names[]
    int ew_unary(int op, int is_f64, int nd, const int64_t *shape,
                 const int64_t *xs, const int64_t *os, char *x, char *o)
    int ew_binary(int op, int is_f64, int nd, const int64_t *shape,
                  const int64_t *as_, const int64_t *bs, const int64_t *os,
                  char *a, char *b, char *o)
    int ew_where(int is_f64, int nd, const int64_t *shape, const int64_t *os,
                 const int64_t *cs, const int64_t *as_, const int64_t *bs,
                 char *o, char *c, char *a, char *b)

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


cdef _check_no_overlap(str fn, str name, cnp.ndarray x, cnp.ndarray out):
    """x may be out itself; any other overlap would make the result depend
    on the visiting order, so it raises."""
    if overlap(x, out, True) == OVERLAP:
        raise ValueError(
            f"{fn}: {name} and out overlap in memory without being the same "
            f"view (in-place needs out to be exactly {name}); copy {name} first")


cdef _check_out(str fn, cnp.ndarray out):
    if not cnp.PyArray_ISWRITEABLE(out):
        raise ValueError(f"{fn}: out is read-only")
    if cnp.PyArray_SIZE(out) == 0:
        return
    check_not_broadcast(fn, "out", out)


cdef _check_pair(str fn, str name, cnp.ndarray x, cnp.ndarray out, int code):
    """x matches out's shape and dtype and is aligned."""
    if _dtype_code(x) != code or cnp.PyArray_TYPE(x) != cnp.PyArray_TYPE(out):
        raise TypeError(
            f"{fn}: {name} has dtype {x.dtype}, out has dtype {out.dtype}; "
            f"both must be the same native float32 or float64")
    if not same_shape(x, out):
        raise ValueError(f"{fn}: {name} has shape {(<object>x).shape} but out has shape "
                         f"{(<object>out).shape}; broadcast {name} to out's shape first")
    if not is_aligned(x, 8 if code else 4):
        raise ValueError(f"{fn}: {name} is not aligned to its item size "
                         f"(strides {(<object>x).strides}); copy it first")


cdef int _out_code(str fn, cnp.ndarray out) except -2:
    cdef int code = _dtype_code(out)
    if code < 0:
        raise TypeError(f"{fn}: dtype {out.dtype} is not supported; "
                        f"expected native float32 or float64")
    if not is_aligned(out, 8 if code else 4):
        raise ValueError(f"{fn}: out is not aligned to its item size "
                         f"(strides {(<object>out).strides})")
    _check_out(fn, out)
    return code


cdef inline int _run(bint is_unary, int iop, int code, int nd, const int64_t *shape,
                     const int64_t *as_, const int64_t *bs, const int64_t *os,
                     char *ap, char *bp, char *op_) noexcept nogil:
    if is_unary:
        return ew_unary(iop, code, nd, shape, as_, os, ap, op_)
    return ew_binary(iop, code, nd, shape, as_, bs, os, ap, bp, op_)


cdef _apply(str fn, str op, dict ids, str aname, cnp.ndarray a, cnp.ndarray b,
            cnp.ndarray out):
    """The body of unary (b is None, a named aname) and binary: check, then run."""
    cdef object opid = ids.get(op)
    if opid is None:
        raise ValueError(f"{fn}: unknown op {op!r}; expected one of {sorted(ids)}")
    cdef bint is_unary = b is None
    cdef int code = _out_code(fn, out)
    _check_pair(fn, aname, a, out, code)
    if not is_unary:
        _check_pair(fn, "b", b, out, code)
    if cnp.PyArray_SIZE(out) == 0:
        return out
    _check_no_overlap(fn, aname, a, out)
    if is_unary:
        b = a
    else:
        _check_no_overlap(fn, "b", b, out)
    cdef int iop = opid, nd = cnp.PyArray_NDIM(out), rc
    cdef int64_t *shape = <int64_t *>cnp.PyArray_DIMS(out)
    cdef int64_t *as_ = <int64_t *>cnp.PyArray_STRIDES(a)
    cdef int64_t *bs = <int64_t *>cnp.PyArray_STRIDES(b)
    cdef int64_t *os = <int64_t *>cnp.PyArray_STRIDES(out)
    cdef char *ap = <char *>cnp.PyArray_DATA(a)
    cdef char *bp = <char *>cnp.PyArray_DATA(b)
    cdef char *op_ = <char *>cnp.PyArray_DATA(out)
    if cnp.PyArray_SIZE(out) < _NOGIL_MIN:
        rc = _run(is_unary, iop, code, nd, shape, as_, bs, os, ap, bp, op_)
    else:
        with nogil:
            rc = _run(is_unary, iop, code, nd, shape, as_, bs, os, ap, bp, op_)
    if rc != 0:
        raise RuntimeError(f"{fn}: internal error for op {op!r}")
    return out


def unary(str op, cnp.ndarray x not None, cnp.ndarray out not None):
    """out[...] = op(x), element-wise; see the module docstring.

    >>> import numpy as np
    >>> x = np.array([1.0, 4.0])
    >>> unary('sqrt', x, x)
    array([1., 2.])
    """
    return _apply("unary", op, _UNARY_IDS, "x", x, None, out)


def binary_scalar(str op, cnp.ndarray a not None, double scalar, cnp.ndarray out not None,
                  bint scalar_first=False):
    """out[...] = op(a, scalar), or op(scalar, a) when scalar_first; the scalar is
    rounded to out's dtype first (as torch does), and a has out's shape and dtype.

    >>> import numpy as np
    >>> a = np.array([1.0, 2.0], np.float32)
    >>> binary_scalar('sub', a, 10.0, np.empty_like(a), True)
    array([9., 8.], dtype=float32)
    """
    cdef object opid = _BINARY_IDS.get(op)
    if opid is None:
        raise ValueError(f"binary_scalar: unknown op {op!r}; expected one of {sorted(_BINARY_IDS)}")
    cdef int code = _out_code("binary_scalar", out)
    _check_pair("binary_scalar", "a", a, out, code)
    if cnp.PyArray_SIZE(out) == 0:
        return out
    _check_no_overlap("binary_scalar", "a", a, out)
    cdef float scalar_f32 = <float>scalar
    cdef char *sp = <char *>&scalar if code else <char *>&scalar_f32
    cdef int64_t zero_strides[64]
    cdef int iop = opid, nd = cnp.PyArray_NDIM(out), rc, d
    for d in range(nd):
        zero_strides[d] = 0
    cdef int64_t *shape = <int64_t *>cnp.PyArray_DIMS(out)
    cdef int64_t *as_ = <int64_t *>cnp.PyArray_STRIDES(a)
    cdef int64_t *os = <int64_t *>cnp.PyArray_STRIDES(out)
    cdef char *ap = <char *>cnp.PyArray_DATA(a)
    cdef char *op_ = <char *>cnp.PyArray_DATA(out)
    if scalar_first:
        if cnp.PyArray_SIZE(out) < _NOGIL_MIN:
            rc = ew_binary(iop, code, nd, shape, zero_strides, as_, os, sp, ap, op_)
        else:
            with nogil:
                rc = ew_binary(iop, code, nd, shape, zero_strides, as_, os, sp, ap, op_)
    elif cnp.PyArray_SIZE(out) < _NOGIL_MIN:
        rc = ew_binary(iop, code, nd, shape, as_, zero_strides, os, ap, sp, op_)
    else:
        with nogil:
            rc = ew_binary(iop, code, nd, shape, as_, zero_strides, os, ap, sp, op_)
    if rc != 0:
        raise RuntimeError(f"binary_scalar: internal error for op {op!r}")
    return out


def binary(str op, cnp.ndarray a not None, cnp.ndarray b not None, cnp.ndarray out not None):
    """out[...] = op(a, b), element-wise; a, b already broadcast to out.shape.

    >>> import numpy as np
    >>> a = np.array([7.0, -7.0]); b = np.array([2.0, 2.0])
    >>> binary('remainder', a, b, np.empty_like(a))
    array([1., 1.])
    """
    return _apply("binary", op, _BINARY_IDS, "a", a, b, out)


def where(cnp.ndarray cond not None, cnp.ndarray a not None, cnp.ndarray b not None, cnp.ndarray out not None):
    """out[...] = a where cond else b; cond is bool, a and b have out's dtype, all
    already broadcast to out.shape (strides may be 0); out must not overlap them
    except by being a or b itself.

    >>> import numpy as np
    >>> where(np.array([True, False]), np.ones(2), np.zeros(2), np.empty(2))
    array([1., 0.])
    """
    cdef int code = _out_code("where", out)
    _check_pair("where", "a", a, out, code)
    _check_pair("where", "b", b, out, code)
    if cnp.PyArray_TYPE(cond) != cnp.NPY_BOOL:
        raise TypeError(f"where: cond has dtype {cond.dtype}, expected bool")
    if not same_shape(cond, out):
        raise ValueError(f"where: cond has shape {(<object>cond).shape} but out has shape {(<object>out).shape}")
    if cnp.PyArray_SIZE(out) == 0:
        return out
    _check_no_overlap("where", "a", a, out)
    _check_no_overlap("where", "b", b, out)
    _check_no_overlap("where", "cond", cond, out)
    cdef int nd = cnp.PyArray_NDIM(out), rc
    cdef int64_t *shape = <int64_t *>cnp.PyArray_DIMS(out)
    cdef int64_t *os = <int64_t *>cnp.PyArray_STRIDES(out)
    cdef int64_t *cs = <int64_t *>cnp.PyArray_STRIDES(cond)
    cdef int64_t *as_ = <int64_t *>cnp.PyArray_STRIDES(a)
    cdef int64_t *bs = <int64_t *>cnp.PyArray_STRIDES(b)
    cdef char *op_ = <char *>cnp.PyArray_DATA(out)
    cdef char *cp = <char *>cnp.PyArray_DATA(cond)
    cdef char *ap = <char *>cnp.PyArray_DATA(a)
    cdef char *bp = <char *>cnp.PyArray_DATA(b)
    with nogil:
        rc = ew_where(code, nd, shape, os, cs, as_, bs, op_, cp, ap, bp)
    if rc != 0:
        raise RuntimeError("where: internal error")
    return out
