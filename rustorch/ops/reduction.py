"""Reductions and scans: sum, mean, prod, max/min, arg-reductions, all/any, var/std, norm, logsumexp, cumsum.

``dim`` may be an int, a tuple/list of ints or None (every dim); ``keepdim``
keeps the reduced dims as size 1. Results follow torch's dtypes: sums and
products of integers and bools are int64, mean/var/std need a floating or
complex input. The backend's ``reduce`` and ``scan`` primitives do the work;
the rest is composed from other ops.

>>> import rustorch
>>> x = rustorch.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> x.sum(dim=0), x.mean()
(tensor([4., 6.]), tensor(2.5000))
"""
import builtins
import collections
import math

from .. import _dtype
from ..errors import DimensionError, DTypeError, InvalidArgumentError, InvalidTypeError, ValueOutOfRangeError
from ..tensor import contiguous_strides, numel_of, view_of
from ._common import Tensor, check_tensor, empty_tensor, wrap_dim, wrap_dims, write_out
from .elementwise import (
    abs, add, div, exp, gt, imag_part, isinf, isnan, log, logical_not, maximum, minimum, mul, ne, pow, real, sqrt, sub,
)
from .indexing import where


# named tuples, as torch.return_types -----------------------------------------------------
def _return_type(name, fields):
    cls = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"rustorch.return_types.{name}(\n{body})"

    cls.__repr__ = __repr__
    return cls


_MAX = _return_type("max", ("values", "indices"))
_MIN = _return_type("min", ("values", "indices"))
_MEDIAN = _return_type("median", ("values", "indices"))
_AMINMAX = _return_type("aminmax", ("min", "max"))


# helpers -------------------------------------------------------------------------------
def _dims(op, input, dim):
    """The dims to reduce as a sorted tuple; None and () mean every dim; a 0-d input accepts 0 and -1."""
    if dim is None or isinstance(dim, (tuple, list)) and len(dim) == 0:
        return tuple(range(input.ndim))
    dims = wrap_dims(op, dim, input.ndim)
    return dims if input.ndim else ()


def _int_to_long(d):
    return _dtype.int64 if d._category < 2 else d


def _cast(x, d):
    return x if x.dtype is d else x.to(d)


def _squeeze(t, dims):
    """A view of the fresh, contiguous ``t`` without the size-1 ``dims``."""
    shape = tuple(s for i, s in enumerate(t._shape) if i not in dims)
    return view_of(t, shape, contiguous_strides(shape), t._offset)


def _reduce(op, prim, input, dims, keepdim, dtype, with_index=False):
    """Backend ``prim`` over ``dims`` into a fresh ``dtype`` tensor (and int64 indices when ``with_index``)."""
    x = input
    if x.ndim == 0:  # reduce a 0-d tensor as a 1-element vector; the result stays 0-d
        x, dims, keepdim = view_of(x, (1,), (1,), x._offset), (0,), False
    keep = tuple(1 if i in dims else s for i, s in enumerate(x._shape))
    device = x._storage.device
    values = empty_tensor(keep, dtype, device)
    indices = empty_tensor(keep, _dtype.int64, device) if with_index else None
    x._storage.backend.reduce(prim, x, dims, values, indices)
    if not keepdim:
        values = _squeeze(values, dims)
        indices = _squeeze(indices, dims) if with_index else None
    return (values, indices) if with_index else values


def _reduced_numel(input, dims):
    return numel_of(input._shape[d] for d in dims)


def _check_nonempty(op, input, dims):
    for d in dims:
        if input._shape[d] == 0:
            raise DimensionError(f"{op}(): Expected reduction dim {d} to have non-zero size (input shape {list(input._shape)})")


def _check_real(op, input):
    if input.dtype.is_complex:
        raise DTypeError(f"{op}(): {op} is not supported for complex inputs (got {input.dtype})")


# sums and products -------------------------------------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum over ``dim`` (all dims by default); integers and bools sum to int64 unless ``dtype`` is given.

    >>> import rustorch
    >>> rustorch.sum(rustorch.tensor([[1, 2], [3, 4]]), dim=1)
    tensor([3, 7])
    """
    check_tensor("sum", input)
    d = dtype or _int_to_long(input.dtype)
    return write_out("sum", _reduce("sum", "sum", _cast(input, d), _dims("sum", input, dim), keepdim, d), out)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum treating NaN as zero.

    >>> import rustorch
    >>> rustorch.nansum(rustorch.tensor([1.0, float('nan'), 2.0]))
    tensor(3.)
    """
    check_tensor("nansum", input)
    if input.dtype.is_complex:
        raise DTypeError("nansum(): nansum does not support complex inputs")
    if input.dtype.is_floating_point:
        input = where(logical_not(isnan(input)), input, 0)
    return sum(input, dim, keepdim, dtype=dtype, out=out)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product over one ``dim`` (all elements by default); integers and bools give int64.

    >>> import rustorch
    >>> rustorch.prod(rustorch.tensor([[1, 2], [3, 4]]), 0)
    tensor([3, 8])
    """
    check_tensor("prod", input)
    if dim is not None and not isinstance(dim, int):
        raise InvalidTypeError(f"prod(): argument 'dim' must be an int, got {type(dim).__name__}")
    d = dtype or _int_to_long(input.dtype)
    return write_out("prod", _reduce("prod", "prod", _cast(input, d), _dims("prod", input, dim), keepdim, d), out)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean over ``dim``; the input (or ``dtype``) must be floating or complex.

    >>> import rustorch
    >>> rustorch.mean(rustorch.tensor([[1.0, 2.0], [3.0, 4.0]]), dim=0)
    tensor([2., 3.])
    """
    check_tensor("mean", input)
    d = dtype or input.dtype
    if not (d.is_floating_point or d.is_complex):
        which = "Optional dtype" if dtype is not None else "Input dtype"
        raise DTypeError(f"mean(): could not infer output dtype. {which} must be either a floating point or complex dtype. Got: {d}")
    dims = _dims("mean", input, dim)
    total = sum(_cast(input, d), dims, keepdim)
    return div(total, _reduced_numel(input, dims), out=out)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the non-NaN elements.

    >>> import rustorch
    >>> rustorch.nanmean(rustorch.tensor([1.0, float('nan'), 3.0]))
    tensor(2.)
    """
    check_tensor("nanmean", input)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise DTypeError(f"nanmean(): expected input to have floating point or complex dtype but got {input.dtype}")
    dims = _dims("nanmean", input, dim)
    count = sum(logical_not(isnan(input)), dims, keepdim)
    return div(nansum(input, dims, keepdim, dtype=dtype), count, out=out)


def count_nonzero(input, dim=None):
    """Number of non-zero elements over ``dim`` (int64).

    >>> import rustorch
    >>> rustorch.count_nonzero(rustorch.tensor([[0, 1], [2, 3]]), dim=0)
    tensor([1, 2])
    """
    check_tensor("count_nonzero", input)
    return sum(ne(input, 0), dim)


# max / min ---------------------------------------------------------------------------------
def _extreme(op, prim, input, dim, keepdim, out, other_fn, result_type):
    check_tensor(op, input)
    if isinstance(dim, Tensor):
        return other_fn(input, dim, out=out)
    _check_real(op, input)
    if dim is None:
        if keepdim:
            raise InvalidArgumentError(f"{op}(): keepdim=True needs a dim")
        if input.numel() == 0:
            raise ValueOutOfRangeError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0 (input shape {list(input._shape)}). "
                "Specify the reduction dim with the 'dim' argument.")
        return write_out(op, _reduce(op, prim, input, tuple(range(input.ndim)), False, input.dtype), out)
    d = wrap_dim(op, dim, input.ndim)
    dims = (d,) if input.ndim else ()
    _check_nonempty(op, input, dims)
    values, indices = _reduce(op, prim, input, dims, keepdim, input.dtype, with_index=True)
    if out is not None:
        values, indices = write_out(op, values, out[0]), write_out(op, indices, out[1])
    return result_type(values, indices)


def max(input, dim=None, keepdim=False, *, out=None):
    """The largest element; with ``dim`` a named tuple (values, indices); with a tensor, ``maximum``.

    NaN propagates, and its index is reported.

    >>> import rustorch
    >>> rustorch.max(rustorch.tensor([[1, 5], [7, 2]]), dim=1).indices
    tensor([1, 0])
    """
    return _extreme("max", "max", input, dim, keepdim, out, maximum, _MAX)


def min(input, dim=None, keepdim=False, *, out=None):
    """The smallest element; with ``dim`` a named tuple (values, indices); with a tensor, ``minimum``.

    >>> import rustorch
    >>> rustorch.min(rustorch.tensor([[1, 5], [7, 2]]), dim=1).values
    tensor([1, 2])
    """
    return _extreme("min", "min", input, dim, keepdim, out, minimum, _MIN)


def _amax_amin(op, prim, input, dim, keepdim, out):
    check_tensor(op, input)
    _check_real(op, input)
    dims = _dims(op, input, dim)
    _check_nonempty(op, input, dims)
    return write_out(op, _reduce(op, prim, input, dims, keepdim, input.dtype), out)


def amax(input, dim=(), keepdim=False, *, out=None):
    """Maximum over ``dim`` (all dims by default), values only; NaN propagates.

    >>> import rustorch
    >>> rustorch.amax(rustorch.tensor([[1, 5], [7, 2]]), dim=0)
    tensor([7, 5])
    """
    return _amax_amin("amax", "max", input, dim, keepdim, out)


def amin(input, dim=(), keepdim=False, *, out=None):
    """Minimum over ``dim`` (all dims by default), values only; NaN propagates.

    >>> import rustorch
    >>> rustorch.amin(rustorch.tensor([[1, 5], [7, 2]]), dim=0)
    tensor([1, 2])
    """
    return _amax_amin("amin", "min", input, dim, keepdim, out)


def aminmax(input, *, dim=None, keepdim=False):
    """Named tuple (min, max) over ``dim`` (all elements by default).

    >>> import rustorch
    >>> rustorch.aminmax(rustorch.tensor([3, 1, 2]))
    rustorch.return_types.aminmax(
    min=tensor(1),
    max=tensor(3))
    """
    return _AMINMAX(_amax_amin("aminmax", "min", input, dim, keepdim, None),
                    _amax_amin("aminmax", "max", input, dim, keepdim, None))


def _arg(op, input, dim, keepdim, out):
    check_tensor(op, input)
    _check_real(op, input)
    if input.dtype is _dtype.bool_:
        raise DTypeError(f"{op}(): does not support bool input")
    if dim is None:
        if input.numel() == 0:
            raise DimensionError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
        flat = input.reshape(-1)
        result = _reduce(op, op, flat, (0,), False, _dtype.int64)
        if keepdim:
            result = view_of(result, (1,) * input.ndim, (1,) * input.ndim, result._offset)
        return write_out(op, result, out)
    dims = (wrap_dim(op, dim, input.ndim),) if input.ndim else ()
    _check_nonempty(op, input, dims)
    return write_out(op, _reduce(op, op, input, dims, keepdim, _dtype.int64), out)


def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the largest element (of the flattened input when ``dim`` is None); the first NaN wins.

    >>> import rustorch
    >>> rustorch.argmax(rustorch.tensor([[1, 5], [7, 2]]))
    tensor(2)
    """
    return _arg("argmax", input, dim, keepdim, out)


def argmin(input, dim=None, keepdim=False, *, out=None):
    """Index of the smallest element (of the flattened input when ``dim`` is None).

    >>> import rustorch
    >>> rustorch.argmin(rustorch.tensor([[1, 5], [7, 2]]), dim=1)
    tensor([0, 1])
    """
    return _arg("argmin", input, dim, keepdim, out)


def _median(x, d, keepdim):
    """(values, indices) of the lower median along dim ``d`` (checked, non-empty); NaN wins, as in torch."""
    if x.ndim == 0:
        x, d, keepdim = view_of(x, (1,), (1,), x._offset), 0, False
    n = x._shape[d]
    backend = x._storage.backend
    ordered = empty_tensor(x._shape, x.dtype, x.device)
    order = empty_tensor(x._shape, _dtype.int64, x.device)
    backend.sort(x, d, False, True, ordered, order)  # stable, NaN last
    keep = x._shape[:d] + (1,) + x._shape[d + 1:]
    position = empty_tensor(keep, _dtype.int64, x.device)
    backend.fill_(position, (n - 1) // 2)
    if x.dtype.is_floating_point:  # a row holding NaN reports its first NaN
        nans = sum(isnan(x), d, keepdim=True)
        position = where(gt(nans, 0), sub(n, nans), (n - 1) // 2)
    values = empty_tensor(keep, x.dtype, x.device)
    indices = empty_tensor(keep, _dtype.int64, x.device)
    backend.gather(ordered, d, position, values)
    backend.gather(order, d, position, indices)
    return (values, indices) if keepdim else (_squeeze(values, (d,)), _squeeze(indices, (d,)))


def median(input, dim=None, keepdim=False, *, out=None):
    """Lower median of all elements; with ``dim`` a named tuple (values, indices). NaN propagates.

    >>> import rustorch
    >>> rustorch.median(rustorch.tensor([[4.0, 2.0, 2.0, 1.0], [1.0, 5.0, 3.0, 0.0]]), dim=1).values
    tensor([2., 1.])
    """
    check_tensor("median", input)
    _check_real("median", input)
    if input.dtype is _dtype.bool_:
        raise DTypeError("median(): not implemented for bool tensors")
    if dim is None:
        if input.numel() == 0:
            if not input.dtype.is_floating_point:
                raise ValueOutOfRangeError(f"median(): cannot take the median of an empty {input.dtype} tensor")
            result = empty_tensor((), input.dtype, input.device)
            result._storage.backend.fill_(result, math.nan)
            return write_out("median", result, out)
        return write_out("median", _median(input.reshape(-1), 0, False)[0].reshape(()), out)
    d = wrap_dim("median", dim, input.ndim)
    _check_nonempty("median", input, (d,) if input.ndim else ())
    values, indices = _median(input, d, keepdim)
    if out is not None:
        values, indices = write_out("median", values, out[0]), write_out("median", indices, out[1])
    return _MEDIAN(values, indices)


# logical -----------------------------------------------------------------------------------
def _logical(op, input, dim, keepdim, out):
    check_tensor(op, input)
    # torch: dim=() reduces nothing here (unlike sum); uint8 keeps its dtype
    d = _dtype.uint8 if input.dtype is _dtype.uint8 else _dtype.bool_
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        return write_out(op, _cast(ne(input, 0), d), out)
    return write_out(op, _reduce(op, op, input, _dims(op, input, dim), keepdim, d), out)


def all(input, dim=None, keepdim=False, *, out=None):
    """Whether every element (over ``dim``) is non-zero; bool (uint8 for uint8 input).

    >>> import rustorch
    >>> rustorch.all(rustorch.tensor([[True, False], [True, True]]), dim=1)
    tensor([False,  True])
    """
    return _logical("all", input, dim, keepdim, out)


def any(input, dim=None, keepdim=False, *, out=None):
    """Whether some element (over ``dim``) is non-zero; bool (uint8 for uint8 input).

    >>> import rustorch
    >>> rustorch.any(rustorch.tensor([0, 0, 3]))
    tensor(True)
    """
    return _logical("any", input, dim, keepdim, out)


# statistics --------------------------------------------------------------------------------
def _var_args(op, input, dim, unbiased, correction):
    check_tensor(op, input)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise DTypeError(f"{op}(): std and var only support floating point and complex dtypes, got {input.dtype}")
    if isinstance(dim, bool):  # legacy var(input, unbiased)
        dim, unbiased = None, dim
    if correction is not None and unbiased is not None:
        raise InvalidArgumentError(f"{op}(): cannot specify both correction and unbiased")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return _dims(op, input, dim), correction


def _var_mean(op, input, dims, correction, keepdim):
    m = mean(input, dims, keepdim=True)
    dev = sub(input, m)
    squares = mul(dev, dev) if not dev.dtype.is_complex else add(mul(real(dev), real(dev)), mul(imag_part(dev), imag_part(dev)))
    v = div(sum(squares, dims, keepdim), builtins.max(0, _reduced_numel(input, dims) - correction))
    return v, (m if keepdim else _squeeze(m, dims))


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default; ``unbiased=False`` means 0).

    >>> import rustorch
    >>> rustorch.var(rustorch.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor(1.6667)
    """
    dims, correction = _var_args("var", input, dim, unbiased, correction)
    return write_out("var", _var_mean("var", input, dims, correction, keepdim)[0], out)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation: sqrt of ``var`` with the same arguments.

    >>> import rustorch
    >>> rustorch.std(rustorch.tensor([1.0, 2.0, 3.0, 4.0]), correction=0)
    tensor(1.1180)
    """
    dims, correction = _var_args("std", input, dim, unbiased, correction)
    return sqrt(_var_mean("std", input, dims, correction, keepdim)[0], out=out)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over ``dim`` in one call.

    >>> import rustorch
    >>> rustorch.var_mean(rustorch.tensor([1.0, 3.0]))
    (tensor(2.), tensor(2.))
    """
    dims, correction = _var_args("var_mean", input, dim, unbiased, correction)
    return _var_mean("var_mean", input, dims, correction, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over ``dim`` in one call.

    >>> import rustorch
    >>> rustorch.std_mean(rustorch.tensor([1.0, 3.0]), correction=0)
    (tensor(1.), tensor(2.))
    """
    dims, correction = _var_args("std_mean", input, dim, unbiased, correction)
    v, m = _var_mean("std_mean", input, dims, correction, keepdim)
    return sqrt(v), m


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """Vector p-norm over ``dim`` (all elements by default): p = 'fro', 2, 1, inf, -inf, 0 or any number.

    The result has the input's real dtype (complex inputs give their magnitude's norm).

    >>> import rustorch
    >>> rustorch.norm(rustorch.tensor([3.0, -4.0])), rustorch.norm(rustorch.tensor([3.0, -4.0]), p=1)
    (tensor(5.), tensor(7.))
    """
    check_tensor("norm", input)
    if dtype is not None:
        input = _cast(input, dtype)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise DTypeError(f"norm(): Expected a floating point or complex tensor as input. Got {input.dtype}")
    if isinstance(p, str) and p != "fro":
        raise InvalidArgumentError(f"norm(): p={p!r} is not supported; use p='fro' or a number (matrix norms live in rustorch.linalg)")
    if p == "fro" and isinstance(dim, (tuple, list)) and len(dim) > 2:
        raise InvalidArgumentError(f"norm(): p='fro' takes at most 2 dims, got dim={tuple(dim)}")
    dims = _dims("norm", input, dim)
    a = abs(input)
    p = 2 if p == "fro" else p
    if p == 2:
        result = sqrt(sum(mul(a, a), dims, keepdim))
    elif p == 1:
        result = sum(a, dims, keepdim)
    elif p in (math.inf, -math.inf):
        if _reduced_numel(input, dims) == 0:
            raise ValueOutOfRangeError(
                f"norm(): cannot compute the {p} norm on an empty tensor of shape {list(input._shape)} "
                "because the operation does not have an identity")
        result = (amax if p > 0 else amin)(a, dims, keepdim)
    elif p == 0:
        result = _cast(sum(ne(a, 0), dims, keepdim), a.dtype)
    else:
        result = pow(sum(pow(a, p), dims, keepdim), 1.0 / p)
    return write_out("norm", result, out)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over ``dim``, computed stably by shifting by the maximum.

    >>> import rustorch
    >>> rustorch.logsumexp(rustorch.tensor([1000.0, 1000.0]), dim=0)
    tensor(1000.6932)
    """
    check_tensor("logsumexp", input)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        input = _cast(input, _dtype.get_default_dtype())
    dims = _dims("logsumexp", input, dim)
    if input.numel() == 0:
        shift = None
    else:
        shift = _reduce("logsumexp", "max", input, dims, True, input.dtype)
        shift = where(logical_not(isinf(shift)), shift, 0)
    shifted = input if shift is None else sub(input, shift)
    result = log(sum(exp(shifted), dims, keepdim))
    if shift is not None:
        result = add(result, shift if keepdim else _squeeze(shift, dims))
    return write_out("logsumexp", result, out)


# scans --------------------------------------------------------------------------------------
def _scan(op, input, dim, dtype, out):
    check_tensor(op, input)
    d = dtype or _int_to_long(input.dtype)
    x = _cast(input, d)
    axis = wrap_dim(op, dim, x.ndim)
    if x.ndim == 0:
        x, axis = view_of(x, (1,), (1,), x._offset), 0
    result = empty_tensor(x._shape, d, x.device)
    x._storage.backend.scan(op, x, axis, result)
    if input.ndim == 0:
        result = view_of(result, (), (), result._offset)
    return write_out(op, result, out)


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along ``dim``; integers and bools give int64 unless ``dtype`` is given.

    >>> import rustorch
    >>> rustorch.cumsum(rustorch.tensor([1, 2, 3]), dim=0)
    tensor([1, 3, 6])
    """
    return _scan("cumsum", input, dim, dtype, out)


def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along ``dim``; integers and bools give int64 unless ``dtype`` is given.

    >>> import rustorch
    >>> rustorch.cumprod(rustorch.tensor([1, 2, 3]), dim=0)
    tensor([1, 2, 6])
    """
    return _scan("cumprod", input, dim, dtype, out)


__all__ = ["sum", "nansum", "mean", "nanmean", "prod", "count_nonzero", "max", "min", "amax", "amin", "aminmax",
           "median", "argmax", "argmin", "all", "any", "var", "std", "var_mean", "std_mean", "norm", "logsumexp", "cumsum",
           "cumprod"]
TENSOR_METHODS = [n for n in __all__ if n not in ("var_mean", "std_mean")]
INPLACE_METHODS = ["cumsum", "cumprod"]
