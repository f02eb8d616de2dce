"""The CPU backend: NumPy arrays from the Cython memory pool as buffers.

Hot primitives (float32/float64 elementwise ops, reductions, strided copies,
GEMM, im2col/col2im and pooling, Philox random numbers) run in rustorch/_ext's
Cython kernels with OpenMP and SIMD; the rest of the contract is served by
NumPy/SciPy on strided views of the same memory. A buffer is a 1-D NumPy array
over a pool Block; ``to_host`` gives a view with the tensor's shape, strides
and offset.

>>> import rustorch
>>> rustorch.backends.cpu.capabilities()["openmp"]
True
"""
import math
import os
import warnings

import numpy as np
import scipy.special

from .._ext import blas as _blas
from .._ext import conv as _conv
from .._ext import copy as _copy
from .._ext import cpuinfo as _cpuinfo
from .._ext import elementwise as _ew
from .._ext import norm as _norm
from .._ext import optim as _optim
from .._ext import philox as _philox
from .._ext import pool as _pool
from .._ext import reduce as _red
from .._ext import rnn as _rnn
from .._ext import softmax as _softmax
from ..errors import IndexOutOfRangeError, OutOfMemoryError, ValueOutOfRangeError
from .base import Backend

# libgomp's thread pool does not survive fork(): a forked child that opens a parallel region with more than one
# thread, after the parent used OpenMP, hangs. So forked children (DataLoader workers, multiprocessing pools) run
# the kernels on one thread, as torch's DataLoader workers do; spawned and forkserver children keep the default.
os.register_at_fork(after_in_child=lambda: _cpuinfo.set_num_threads(1))

_FAST = (np.dtype(np.float32), np.dtype(np.float64))
_GEMM = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.complex64), np.dtype(np.complex128))
_HALF = ("float16", "bfloat16")


# The conv and pool kernels take float32 and float64; half precision runs through float32 copies, rounded once
# at the end, as torch's CPU kernels compute half in float.
def _float32_in(a):
    return a.astype(np.float32) if a.dtype.name in _HALF else a


def _float32_out(a):
    return np.empty(a.shape, np.float32) if a.dtype.name in _HALF else a


def _store(dst, src):
    if src is not dst:
        np.copyto(dst, src, casting="unsafe")


def _ufunc1(f):
    return lambda x, out: f(x, out=out, casting="unsafe")


def _frac(x, out):
    np.subtract(x, np.trunc(x), out=out, casting="unsafe")


def _rsqrt(x, out):
    np.divide(1, np.sqrt(x), out=out, casting="unsafe")


def _relu(x, out):
    # maximum keeps NaN, as torch's relu does
    np.maximum(x, x.dtype.type(0), out=out, casting="unsafe")


def _sign(x, out):
    # torch.sign(nan) == 0: it is (0 < x) - (x < 0)
    if x.dtype.kind == "b":
        out[...] = x
    else:
        np.subtract(np.greater(x, 0), np.less(x, 0), out=out, casting="unsafe", dtype=out.dtype)


def _lgamma(x, out):
    # log|gamma(-inf)| is +inf (torch); scipy's gammaln gives -inf there
    r = np.asarray(scipy.special.gammaln(x))
    r[np.isneginf(x)] = np.inf
    np.copyto(out, r, casting="unsafe")


# name -> f(x, out) computing into ``out`` (already of the result dtype)
_UNARY = {
    "neg": _ufunc1(np.negative), "abs": _ufunc1(np.absolute), "exp": _ufunc1(np.exp), "exp2": _ufunc1(np.exp2),
    "expm1": _ufunc1(np.expm1), "log": _ufunc1(np.log), "log2": _ufunc1(np.log2), "log10": _ufunc1(np.log10),
    "log1p": _ufunc1(np.log1p), "sqrt": _ufunc1(np.sqrt), "rsqrt": _rsqrt, "square": _ufunc1(np.square),
    "reciprocal": _ufunc1(np.reciprocal), "sin": _ufunc1(np.sin), "cos": _ufunc1(np.cos), "tan": _ufunc1(np.tan),
    "asin": _ufunc1(np.arcsin), "acos": _ufunc1(np.arccos), "atan": _ufunc1(np.arctan), "sinh": _ufunc1(np.sinh),
    "cosh": _ufunc1(np.cosh), "tanh": _ufunc1(np.tanh), "asinh": _ufunc1(np.arcsinh), "acosh": _ufunc1(np.arccosh),
    "atanh": _ufunc1(np.arctanh), "sigmoid": _ufunc1(scipy.special.expit), "relu": _relu,
    "erf": _ufunc1(scipy.special.erf), "erfc": _ufunc1(scipy.special.erfc), "erfinv": _ufunc1(scipy.special.erfinv),
    "floor": _ufunc1(np.floor), "ceil": _ufunc1(np.ceil), "round": _ufunc1(np.rint), "trunc": _ufunc1(np.trunc),
    "frac": _frac, "sign": _sign, "bitwise_not": _ufunc1(np.invert), "logical_not": _ufunc1(np.logical_not),
    "isnan": _ufunc1(np.isnan), "isinf": _ufunc1(np.isinf), "isfinite": _ufunc1(np.isfinite),
    "signbit": _ufunc1(np.signbit), "conj": _ufunc1(np.conjugate), "angle": lambda x, out: np.copyto(out, np.angle(x), casting="unsafe"),
    "lgamma": _lgamma, "digamma": _ufunc1(scipy.special.psi),
    "trigamma": lambda x, out: np.copyto(out, scipy.special.polygamma(1, x), casting="unsafe"),
}
# rounding an integer is the identity
_INT_IDENTITY = frozenset(("floor", "ceil", "round", "trunc"))


def _trunc_divide(a, b, out, dtype, casting):
    if np.dtype(dtype).kind in "iub":
        q = np.floor_divide(a, b, dtype=dtype)
        inexact = np.not_equal(np.remainder(a, b, dtype=dtype), 0) & np.not_equal(np.less(a, 0), np.less(b, 0))
        np.add(q, inexact, out=out, casting=casting, dtype=dtype)
    else:
        np.trunc(np.true_divide(a, b, dtype=dtype), out=out, casting=casting)


def _ufunc2(f):
    return lambda a, b, out, dtype, casting: f(a, b, out=out, dtype=dtype, casting=casting)


def _pred2(f):
    # comparisons and logical ops write bool; compute in the promoted dtype first
    def run(a, b, out, dtype, casting):
        f(np.asarray(a, dtype=dtype), np.asarray(b, dtype=dtype), out=out)

    return run


_BINARY = {
    "add": _ufunc2(np.add), "sub": _ufunc2(np.subtract), "mul": _ufunc2(np.multiply),
    "div": _ufunc2(np.true_divide), "div_trunc": _trunc_divide, "floor_divide": _ufunc2(np.floor_divide),
    "remainder": _ufunc2(np.remainder), "fmod": _ufunc2(np.fmod), "pow": _ufunc2(np.power),
    "maximum": _ufunc2(np.maximum), "minimum": _ufunc2(np.minimum), "fmax": _ufunc2(np.fmax),
    "fmin": _ufunc2(np.fmin), "atan2": _ufunc2(np.arctan2), "hypot": _ufunc2(np.hypot),
    "copysign": _ufunc2(np.copysign), "logaddexp": _ufunc2(np.logaddexp), "xlogy": _ufunc2(scipy.special.xlogy),
    "bitwise_and": _ufunc2(np.bitwise_and), "bitwise_or": _ufunc2(np.bitwise_or),
    "bitwise_xor": _ufunc2(np.bitwise_xor), "left_shift": _ufunc2(np.left_shift),
    "right_shift": _ufunc2(np.right_shift),
    "eq": _pred2(np.equal), "ne": _pred2(np.not_equal), "lt": _pred2(np.less), "le": _pred2(np.less_equal),
    "gt": _pred2(np.greater), "ge": _pred2(np.greater_equal), "logical_and": _pred2(np.logical_and),
    "logical_or": _pred2(np.logical_or), "logical_xor": _pred2(np.logical_xor),
}

def _tanh_backward(a, b, out, dtype, casting):
    np.multiply(a, np.subtract(1, np.multiply(b, b, dtype=dtype), dtype=dtype), out=out, dtype=dtype, casting=casting)


def _sigmoid_backward(a, b, out, dtype, casting):
    np.multiply(a, np.multiply(np.subtract(1, b, dtype=dtype), b, dtype=dtype), out=out, dtype=dtype, casting=casting)


def _threshold_backward(a, b, out, dtype, casting):
    np.copyto(out, np.where(np.less_equal(b, 0), 0, a).astype(dtype, copy=False), casting=casting)


# gradient kernels of the autograd fast paths: (incoming gradient, forward result)
_BINARY.update(tanh_backward=_tanh_backward, sigmoid_backward=_sigmoid_backward, threshold_backward=_threshold_backward)
_INT_DIVISIONS = frozenset(("floor_divide", "remainder", "fmod", "div_trunc"))


def capabilities():
    """The CPU as the kernels see it: active SIMD ISA, OpenMP threads.

    >>> import rustorch
    >>> rustorch.backends.cpu.capabilities()["num_threads"] >= 1
    True
    """
    return _cpuinfo.capabilities()


def _opt(t):
    """An optional tensor's array (None stays None)."""
    return None if t is None else t._array()


def _contiguous_block(dims):
    return all(b == a + 1 for a, b in zip(dims, dims[1:]))


class CPUBackend(Backend):
    name = "cpu"

    def availability(self):
        return None

    def capabilities(self):
        return capabilities()

    # memory -------------------------------------------------------------------
    def empty(self, numel, dtype, device):
        try:
            return _pool.empty(numel, dtype.np)
        except MemoryError:
            raise OutOfMemoryError(f"CPU out of memory: failed to allocate {numel * dtype.itemsize} bytes") from None

    def from_host(self, array, device):
        return array.reshape(-1)

    def to_host(self, t):
        data = t._storage.data
        if t._offset == 0 and len(t._shape) == 1 and t._stride[0] == 1 and t._shape[0] == len(data):
            return data  # the whole storage, as most fresh 1-D results are
        itemsize = t.dtype.itemsize
        # an empty view may sit at an offset past the end of its buffer; it reads nothing, so start at 0
        offset = t._offset * itemsize if 0 not in t._shape else 0
        return np.ndarray(t._shape, t.dtype.np, t._storage.data, offset, tuple(s * itemsize for s in t._stride))

    def copy_(self, dst, src):
        d = dst._array()
        s = src._array() if not isinstance(src, np.ndarray) else src
        if s.dtype == d.dtype and d.size:
            if s.shape != d.shape:
                s = np.broadcast_to(s, d.shape)
            _copy.copy(s, d)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
                np.copyto(d, s, casting="unsafe")

    def fill_(self, dst, value):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            dst._array()[...] = value

    def cat(self, inputs, dim, out):
        arrays = [t._array() for t in inputs]
        if arrays[0].ndim < out.ndim:
            np.stack(arrays, axis=dim, out=out._array(), casting="unsafe")
        else:
            np.concatenate(arrays, axis=dim, out=out._array(), casting="unsafe")

    def memory_stats(self, device):
        return _pool.stats()

    def empty_cache(self, device):
        _pool.empty_cache()

    # elementwise --------------------------------------------------------------
    def unary(self, op, x, out):
        xa = x._array()
        oa = out._array()
        if op in _ew.UNARY_OPS and oa.dtype in _FAST and xa.dtype == oa.dtype:
            _ew.unary(op, xa, oa)
            return
        if oa.dtype.kind in "iu" and op in _INT_IDENTITY:
            np.copyto(oa, xa, casting="unsafe")
            return
        with np.errstate(all="ignore"):
            if out.dtype.name in _HALF:
                # as torch does, compute half-precision ops in float32 and round once
                tmp = np.empty(oa.shape, np.float32)
                _UNARY[op](xa.astype(np.float32), tmp)
                np.copyto(oa, tmp, casting="unsafe")
            elif xa.dtype.kind in "biu" and oa.dtype.kind in "fc":
                _UNARY[op](xa.astype(oa.dtype), oa)
            else:
                _UNARY[op](xa, oa)

    def binary(self, op, a, b, out, compute_dtype):
        oa = out._array()
        cdt = compute_dtype.np
        a_scalar = isinstance(a, (int, float, complex))
        b_scalar = isinstance(b, (int, float, complex))
        if op in _ew.BINARY_OPS and oa.dtype is cdt and cdt in _FAST and not a_scalar:
            # the common cases without a broadcast view: same-shape tensors, tensor and int or float
            aa = a._array()
            if aa.dtype is cdt and aa.shape == oa.shape:
                if type(b) is float or type(b) is int:
                    _ew.binary_scalar(op, aa, b, oa)
                    return
                if not b_scalar:
                    ba = b._array()
                    if ba.dtype is cdt and ba.shape == oa.shape:
                        _ew.binary(op, aa, ba, oa)
                        return
        aa = a if a_scalar else a._array()
        ba = b if b_scalar else b._array()
        if op in _ew.BINARY_OPS and cdt in _FAST and oa.dtype == cdt and oa.size:
            ka = self._operand(aa, cdt, oa.shape)
            kb = self._operand(ba, cdt, oa.shape)
            if ka is not None and kb is not None:
                _ew.binary(op, ka, kb, oa)
                return
        if op in _INT_DIVISIONS and cdt.kind in "iub" and np.any(np.equal(ba, 0)):
            raise ValueOutOfRangeError(f"{op}(): ZeroDivisionError: integer division by zero")
        if op == "pow" and cdt.kind in "iu" and np.any(np.less(ba, 0)):
            raise ValueOutOfRangeError("pow(): Integers to negative integer powers are not allowed")
        with np.errstate(all="ignore"):
            if compute_dtype.name in _HALF:
                # as torch: tensor operands are rounded to the half dtype, then the op runs in float32
                aa, ba = (v.astype(cdt) if isinstance(v, np.ndarray) and v.dtype != cdt else v for v in (aa, ba))
                tmp = np.empty(oa.shape, np.float32)
                _BINARY[op](aa, ba, tmp, np.float32, "unsafe")
                np.copyto(oa, tmp, casting="unsafe")
            else:
                _BINARY[op](aa, ba, oa, cdt, "unsafe")

    @staticmethod
    def _operand(v, dtype, shape):
        # an operand for the C kernel: ``dtype`` and broadcast to ``shape``; None if it needs a cast
        if isinstance(v, np.ndarray):
            if v.dtype != dtype:
                return None
        else:
            v = np.asarray(v, dtype=dtype)
        return v if v.shape == shape else np.broadcast_to(v, shape)

    def where(self, cond, a, b, out):
        oa = out._array()
        aa = a._array() if not isinstance(a, (int, float, complex)) else a
        ba = b._array() if not isinstance(b, (int, float, complex)) else b
        ca = cond._array()
        if oa.dtype in _FAST and ca.dtype == np.bool_ and oa.size:
            ka = self._operand(aa, oa.dtype, oa.shape)
            kb = self._operand(ba, oa.dtype, oa.shape)
            if ka is not None and kb is not None:
                _ew.where(ca if ca.shape == oa.shape else np.broadcast_to(ca, oa.shape), ka, kb, oa)
                return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            same_view = isinstance(ba, np.ndarray) and (ba.ctypes.data, ba.shape, ba.strides) == (
                oa.ctypes.data, oa.shape, oa.strides)
            if same_view:
                np.copyto(oa, aa, where=ca, casting="unsafe")  # masked_fill: only the selected elements change
                return
            np.copyto(oa, np.where(ca, aa, ba), casting="unsafe")

    # reductions ---------------------------------------------------------------
    def reduce(self, op, x, dims, out, out_index=None):
        xa = x._array()
        oa = out._array()
        if (op in _red.REDUCE_OPS and xa.dtype in _FAST and xa.flags.c_contiguous and _contiguous_block(dims)
                and (oa.dtype == xa.dtype or op in ("argmax", "argmin"))):
            shape = xa.shape
            outer = int(np.prod(shape[: dims[0]], dtype=np.int64))
            inner = int(np.prod(shape[dims[-1] + 1:], dtype=np.int64))
            r = xa.size // max(outer * inner, 1) if xa.size else int(np.prod([shape[d] for d in dims], dtype=np.int64))
            idx = out_index._array().reshape(outer, inner) if out_index is not None else None
            _red.reduce(op, xa.reshape(outer, r, inner), oa.reshape(outer, inner), idx)
            return
        axis = tuple(dims)
        with np.errstate(all="ignore"):
            if op in ("sum", "prod", "nansum"):
                f = {"sum": np.sum, "prod": np.prod, "nansum": np.nansum}[op]
                acc = np.float32 if oa.dtype.name in _HALF else oa.dtype
                np.copyto(oa, f(xa, axis=axis, keepdims=True, dtype=acc), casting="unsafe")
            elif op in ("max", "min"):
                np.copyto(oa, (np.max if op == "max" else np.min)(xa, axis=axis, keepdims=True), casting="unsafe")
                if out_index is not None:
                    f = np.argmax if op == "max" else np.argmin
                    np.copyto(out_index._array(), f(xa, axis=axis[0], keepdims=True), casting="unsafe")
            elif op in ("argmax", "argmin"):
                f = np.argmax if op == "argmax" else np.argmin
                if len(axis) == xa.ndim and xa.ndim > 1:
                    oa[...] = f(xa.reshape(-1)) if xa.flags.c_contiguous else f(np.ascontiguousarray(xa).reshape(-1))
                else:
                    np.copyto(oa, f(xa, axis=axis[0] if axis else None, keepdims=True), casting="unsafe")
            elif op in ("all", "any"):
                f = np.all if op == "all" else np.any
                np.copyto(oa, f(xa, axis=axis, keepdims=True), casting="unsafe")
            else:
                raise NotImplementedError(f"cpu reduce: unknown op {op!r}")

    def scan(self, op, x, dim, out):
        xa = x._array()
        oa = out._array()
        if op in ("cumsum", "cumprod") and xa.dtype in _FAST and oa.dtype == xa.dtype and xa.flags.c_contiguous:
            shape = xa.shape
            outer = int(np.prod(shape[:dim], dtype=np.int64))
            inner = int(np.prod(shape[dim + 1:], dtype=np.int64))
            _red.scan(op, xa.reshape(outer, shape[dim], inner), oa.reshape(outer, shape[dim], inner))
            return
        f = {"cumsum": np.cumsum, "cumprod": np.cumprod}[op]
        acc = np.float32 if oa.dtype.name in _HALF else oa.dtype
        with np.errstate(all="ignore"):
            np.copyto(oa, f(xa, axis=dim, dtype=acc), casting="unsafe")

    # indexing -----------------------------------------------------------------
    @staticmethod
    def _np_index(index):
        return tuple(i._array() if hasattr(i, "_array") else i for i in index)

    @staticmethod
    def _vector_axis(idx):
        """The axis of an index made of whole slices then one integer vector (index_select's), else None."""
        last = idx[-1] if idx else None
        if (type(last) is np.ndarray and last.ndim == 1 and last.dtype.kind in "iu"
                and all(type(i) is slice and i == slice(None) for i in idx[:-1])):
            return len(idx) - 1
        return None

    def index_get(self, x, index):
        idx = self._np_index(index)
        axis = self._vector_axis(idx)
        if axis is not None:
            # one integer vector along one dim: np.take writes a C-ordered result directly, 5-25x faster
            # than the fancy index below and its copy into C order
            try:
                r = np.take(x._array(), idx[-1], axis=axis)
            except IndexError as e:
                raise IndexOutOfRangeError(f"index: {e}".replace("axis", "dimension")) from None
            return r.reshape(-1), r.shape
        try:
            r = x._array()[idx]
        except IndexError as e:
            raise IndexOutOfRangeError(f"index: {e}".replace("axis", "dimension")) from None
        r = np.array(r, order="C")  # a fresh C-ordered copy; unlike ascontiguousarray it keeps 0-d results 0-d
        return r.reshape(-1), r.shape

    def index_put_(self, x, index, value, accumulate):
        xa = x._array()
        va = value._array() if hasattr(value, "_array") else value
        idx = self._np_index(index)
        if accumulate and self._add_along(xa, idx, va):
            return
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
                if accumulate:
                    np.add.at(xa, idx, va)
                else:
                    xa[idx] = va
        except IndexError as e:
            raise IndexOutOfRangeError(f"index_put_: {e}".replace("axis", "dimension")) from None

    def _add_along(self, xa, idx, va):
        """index_add's accumulation (whole slices, then one integer vector) as one np.add.at on the flat array,
        5-8x faster than np.add.at along an axis; False where the index, layout or dtypes do not allow it."""
        axis = self._vector_axis(idx)
        if axis is None or not xa.flags.c_contiguous or not isinstance(va, np.ndarray) or va.dtype != xa.dtype:
            return False
        vec = idx[-1]
        if vec.size and (vec.min() < 0 or vec.max() >= xa.shape[axis]):
            return False  # negative or out of range: the general path
        outer, inner = math.prod(xa.shape[:axis]), math.prod(xa.shape[axis + 1:])
        try:
            values = np.broadcast_to(va, xa.shape[:axis] + (vec.size,) + xa.shape[axis + 1:])
        except ValueError:
            return False
        # flat positions (o * size + vec[j]) * inner + i, in int32 where they fit (half the index traffic)
        itype = np.int32 if xa.size < 2**31 else np.int64
        rows = ((np.arange(outer)[:, None] * xa.shape[axis] + vec) * inner).astype(itype)
        flat = rows[:, :, None] + np.arange(inner, dtype=itype)
        np.add.at(xa.reshape(-1), flat.reshape(-1), values.reshape(-1))
        return True

    def gather(self, x, dim, index, out):
        xa = x._array()
        ia = index._array()
        window = tuple(slice(None) if d == dim else slice(0, s) for d, s in enumerate(ia.shape))
        np.copyto(out._array(), np.take_along_axis(xa[window], ia, axis=dim))

    def scatter_(self, x, dim, index, src, reduce):
        xa = x._array()
        ia = index._array()
        full = list(np.indices(ia.shape, sparse=True))
        full[dim] = ia
        full = tuple(full)
        if hasattr(src, "_array"):
            sa = src._array()[tuple(slice(0, s) for s in ia.shape)]
        else:
            sa = src
        if reduce is None:
            xa[full] = sa
        elif reduce == "add":
            np.add.at(xa, full, sa)
        elif reduce == "multiply":
            np.multiply.at(xa, full, sa)
        elif reduce in ("amax", "amin"):
            with np.errstate(invalid="ignore"):
                (np.maximum if reduce == "amax" else np.minimum).at(xa, full, sa)
        else:
            raise NotImplementedError(f"cpu scatter_: unknown reduce {reduce!r}")

    def nonzero(self, x):
        xa = x._array()
        if xa.ndim == 0:
            r = np.zeros((int(bool(xa)), 0), np.int64)
        else:
            r = np.ascontiguousarray(np.stack(np.nonzero(xa), axis=-1).astype(np.int64))
        return r.reshape(-1), r.shape

    def sort(self, x, dim, descending, stable, values, indices):
        xa = x._array()
        keys = _float32_in(xa)  # ml_dtypes' bfloat16 sorts NaN first; float32 holds 16-bit floats exactly
        if descending:
            # a stable descending sort that puts NaN first, as torch: sort the reversed
            # axis ascending and reverse the result back
            n = xa.shape[dim]
            rev = np.flip(keys, axis=dim)
            order = np.flip(np.argsort(rev, axis=dim, kind="stable"), axis=dim)
            order = (n - 1) - order
        else:
            order = np.argsort(keys, axis=dim, kind="stable")
        np.copyto(indices._array(), order)
        np.copyto(values._array(), np.take_along_axis(xa, order, axis=dim))

    # contraction --------------------------------------------------------------
    def matmul(self, a, b, out):
        aa = a._array()
        ba = b._array()
        oa = out._array()
        if oa.dtype in _GEMM and aa.dtype == oa.dtype and ba.dtype == oa.dtype and oa.size:
            m, n = oa.shape[-2], oa.shape[-1]
            k = aa.shape[-1]
            batch = oa.shape[:-2]
            if ba.ndim == 2 and aa.flags.c_contiguous:
                # (..., M, K) @ (K, N) is one GEMM over the stacked rows
                _blas.gemm(aa.reshape(1, -1, k), self._as_batched(ba, (), k, n), oa.reshape(1, -1, n))
                return
            a3 = self._as_batched(aa, batch, m, k)
            b3 = self._as_batched(ba, batch, k, n)
            _blas.gemm(a3, b3, oa.reshape(-1, m, n))
            return
        np.matmul(aa, ba, out=oa, casting="unsafe")

    @staticmethod
    def _as_batched(x, batch, rows, cols):
        # a (B, rows, cols) view for the GEMM kernel, copying only when the layout forces it
        x = np.broadcast_to(x, batch + (rows, cols))
        s = x.strides
        if not (s[-1] == x.itemsize or s[-2] == x.itemsize):
            x = np.ascontiguousarray(x)
        try:
            x3 = x.reshape(-1, rows, cols, copy=False) if batch else x[None]
        except (ValueError, AttributeError):
            x3 = np.ascontiguousarray(x).reshape(-1, rows, cols)
        return x3

    # convolution and pooling ----------------------------------------------------
    def im2col(self, x, cols, kernel, stride, padding, dilation):
        ca = cols._array()
        c = _float32_out(ca)
        _conv.im2col(_float32_in(x._array()), c, kernel, stride, padding, dilation)
        _store(ca, c)

    def col2im(self, cols, x, kernel, stride, padding, dilation):
        xa = x._array()
        xs = _float32_out(xa)
        _conv.col2im(_float32_in(cols._array()), xs, kernel, stride, padding, dilation)
        _store(xa, xs)

    def pool(self, op, x, out, indices, windows):
        oa = out._array()
        o = _float32_out(oa)
        _conv.pool(op, _float32_in(x._array()), o, None if indices is None else indices._array(), windows)
        _store(oa, o)

    def pool_backward(self, op, grad, grad_input, indices, windows):
        ga = grad_input._array()
        g = _float32_out(ga)
        _conv.pool_backward(op, _float32_in(grad._array()), g, None if indices is None else indices._array(),
                            windows)
        _store(ga, g)

    # softmax --------------------------------------------------------------------
    def softmax(self, x, dim, log_space, out):
        if x.dtype.np not in _FAST:
            raise NotImplementedError  # the op layer composes the other dtypes
        _softmax.softmax(x._array(), out._array(), dim, log_space)

    def softmax_backward(self, grad, y, dim, log_space, out):
        if y.dtype.np not in _FAST:
            raise NotImplementedError
        _softmax.softmax_backward(grad._array(), y._array(), out._array(), dim, log_space)

    # normalization --------------------------------------------------------------
    def layer_norm(self, x, weight, bias, eps, out, mean, rstd):
        if x.dtype.np not in _FAST:
            raise NotImplementedError  # the op layer composes the other dtypes
        _norm.layer_norm(x._array(), _opt(weight), _opt(bias), eps, out._array(), mean._array(), rstd._array())

    def layer_norm_backward(self, grad, x, mean, rstd, weight, grad_input, grad_weight, grad_bias):
        if x.dtype.np not in _FAST:
            raise NotImplementedError
        _norm.layer_norm_backward(grad._array(), x._array(), mean._array(), rstd._array(), _opt(weight),
                                  _opt(grad_input), _opt(grad_weight), _opt(grad_bias))

    # LSTM step --------------------------------------------------------------------
    def lstm_cell(self, pre, xp, c_prev, gates, c, tanh_c, h):
        if gates.dtype.np not in _FAST:
            raise NotImplementedError  # the layer composes the other dtypes
        _rnn.lstm_cell(pre._array(), xp._array(), c_prev._array(), gates._array(), c._array(), tanh_c._array(),
                       h._array())

    def lstm_cell_backward(self, dh, dc, gates, c_prev, tanh_c, dgates, dc_prev):
        if gates.dtype.np not in _FAST:
            raise NotImplementedError
        _rnn.lstm_cell_backward(dh._array(), dc._array(), gates._array(), c_prev._array(), tanh_c._array(),
                                dgates._array(), dc_prev._array())

    # optimizer steps ----------------------------------------------------------------
    @staticmethod
    def _arrays(tensors, dtype):
        """The tensors' arrays for the optim kernels (None stays None); NotImplementedError for other dtypes."""
        if tensors is None:
            return None
        if dtype.np not in _FAST:
            raise NotImplementedError  # the optimizer composes the other dtypes
        return [t._array() for t in tensors]

    def sgd_step(self, params, grads, momentum_buffers, fresh, lr, momentum, dampening, weight_decay, nesterov,
                 maximize):
        dt = params[0].dtype
        _optim.sgd(self._arrays(params, dt), self._arrays(grads, dt), self._arrays(momentum_buffers, dt), fresh, lr,
                   momentum, dampening, weight_decay, nesterov, maximize)

    def adam_step(self, params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, step_sizes, bias_correction2_sqrts,
                  beta1, beta2, eps, weight_decay, decay, maximize):
        dt = params[0].dtype
        _optim.adam(self._arrays(params, dt), self._arrays(grads, dt), self._arrays(exp_avgs, dt),
                    self._arrays(exp_avg_sqs, dt), self._arrays(max_exp_avg_sqs, dt), step_sizes,
                    bias_correction2_sqrts, beta1, beta2, eps, weight_decay, decay, maximize)

    def rmsprop_step(self, params, grads, square_avgs, grad_avgs, momentum_buffers, lr, alpha, eps, weight_decay,
                     momentum, maximize):
        dt = params[0].dtype
        _optim.rmsprop(self._arrays(params, dt), self._arrays(grads, dt), self._arrays(square_avgs, dt),
                       self._arrays(grad_avgs, dt), self._arrays(momentum_buffers, dt), lr, alpha, eps,
                       weight_decay, momentum, maximize)

    def adagrad_step(self, params, grads, state_sums, clrs, eps, weight_decay, maximize):
        dt = params[0].dtype
        _optim.adagrad(self._arrays(params, dt), self._arrays(grads, dt), self._arrays(state_sums, dt), clrs, eps,
                       weight_decay, maximize)

    # random -------------------------------------------------------------------
    def random_(self, kind, out, seed, offset):
        oa = out._array().reshape(-1)
        if kind == "bits":
            oa = oa.view(np.uint32 if oa.itemsize == 4 else np.uint64)  # the words, read back as int32/int64
        fill = {"uniform": _philox.philox_uniform, "normal": _philox.philox_normal, "bits": _philox.philox_bits}[kind]
        return fill(seed, offset, oa)

    def einsum(self, equation, operands, out):
        oa = out._array()
        # half precision is summed in float32, as torch does, then rounded once
        acc = np.float32 if out.dtype.name in _HALF else oa.dtype
        arrays = [t._array().astype(acc, copy=False) for t in operands]
        np.copyto(oa, np.einsum(equation, *arrays, optimize=True), casting="unsafe")


BACKEND = CPUBackend()
