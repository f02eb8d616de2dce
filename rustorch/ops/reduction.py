"""Reductions and scans: sum, mean, prod, max/min, arg-reductions, all/any, var/std, norm, logsumexp, cumsum.

``dim`` may be an int, a tuple/list of ints or None (every dim); ``keepdim``
keeps the reduced dims as size 1. Results follow torch's dtypes: sums and
products of integers and bools are int64, mean/var/std need a floating or
complex input. The backend's ``reduce`` and ``scan`` primitives do the work;
the rest is composed from other ops.

Autograd: each differentiable reduction records one node with torch's
backward formula (its forward runs on a detached input, so that the ops it is
composed of record nothing); ties share the gradient as in torch.

>>> import rustorch
>>> x = rustorch.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> x.sum(dim=0), x.mean()
(tensor([4., 6.]), tensor(2.5000))
"""
import builtins
import collections
import math

from .. import _dtype
from ..autograd.grad_mode import STATE
from ..autograd.graph import check_inplace, record
from ..errors import DimensionError, DTypeError, InvalidArgumentError, InvalidTypeError, ValueOutOfRangeError
from ..tensor import contiguous_strides, numel_of, view_of
from ._common import Tensor, _make, check_tensor, empty_tensor, wrap_dim, wrap_dims, write_out
from .creation import arange, ones, zeros
from .elementwise import (
    _sgn, abs, add, conj, div, eq, exp, ge, gt, imag_part, isinf, isnan, log, logical_and, logical_not, logical_or,
    maximum, minimum, mul, ne, pow, real, sqrt, sub,
)
from .indexing import where
from .shape import cat, flip


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
    """``x`` as dtype ``d``, not recorded: the ops that cast record their own node over the uncast input."""
    if x.dtype is d:
        return x
    result = empty_tensor(x._shape, d, x._storage.device)
    x._storage.backend.copy_(result, x)
    return result


def _squeeze(t, dims):
    """The fresh, contiguous ``t`` without the size-1 ``dims`` (a new tensor on its storage, not a view)."""
    shape = tuple(s for i, s in enumerate(t._shape) if i not in dims)
    return _make(t._storage, shape, contiguous_strides(shape), t._offset, t.dtype)


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


# autograd helpers --------------------------------------------------------------------------
def _recording(op, input, out):
    """Whether ``op`` over ``input`` records its node; with ``out``, torch's out= error when something requires grad."""
    if out is None:
        return STATE.enabled and input.requires_grad
    check_inplace(op, out, (None, input))  # None first: out= here is never an in-place write of input
    return False


def _restore(grad, shape, dims, keepdim):
    """``grad`` of a reduction of ``shape`` over ``dims``, with the reduced dims back as size 1 (keepdim's shape)."""
    if keepdim or not dims:
        return grad
    return grad.reshape(tuple(1 if i in dims else s for i, s in enumerate(shape)))


def _evenly_distribute(node, grad, x, result):
    """The gradient of an all-reduce picking one value: shared evenly among the elements equal to it (NaN too)."""
    mask = logical_or(eq(x, result), logical_and(isnan(x), isnan(result)))
    return mul(mask, div(grad, sum(mask)))


def _scale_grad_by_count(grad, mask, dims):
    """The restored ``grad`` shared evenly among the ``mask`` positions of each slice reduced over ``dims``."""
    return mul(div(grad, sum(mask, dims, keepdim=True)), mask)


def _select_backward(node, grad, shape, d, indices, keepdim):
    """The gradient of a reduction along ``d`` that picked the values at ``indices``: to those positions only."""
    if not shape:
        return grad
    if not keepdim:
        grad, indices = grad.unsqueeze(d), indices.unsqueeze(d)
    return zeros(shape, dtype=grad.dtype, device=grad.device).scatter(d, indices, grad)


def _reversed_cumsum(x, d):
    return flip(cumsum(flip(x, (d,)), d), (d,))


# sums and products -------------------------------------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum over ``dim`` (all dims by default); integers and bools sum to int64 unless ``dtype`` is given.

    >>> import rustorch
    >>> rustorch.sum(rustorch.tensor([[1, 2], [3, 4]]), dim=1)
    tensor([3, 7])
    """
    check_tensor("sum", input)
    d = dtype or _int_to_long(input.dtype)
    dims = _dims("sum", input, dim)
    recording = _recording("sum", input, out)
    result = _reduce("sum", "sum", _cast(input, d), dims, keepdim, d)
    if recording:
        record("SumBackward0" if dim is None else "SumBackward1", _sum_backward, (input,), result,
               (input._shape, dims, keepdim))
    return write_out("sum", result, out)


def _sum_backward(node, grad, shape, dims, keepdim):
    return _restore(grad, shape, dims, keepdim).expand(shape)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum treating NaN as zero.

    >>> import rustorch
    >>> rustorch.nansum(rustorch.tensor([1.0, float('nan'), 2.0]))
    tensor(3.)
    """
    check_tensor("nansum", input)
    if input.dtype.is_complex:
        raise DTypeError("nansum(): nansum does not support complex inputs")
    d = dtype or _int_to_long(input.dtype)
    dims = _dims("nansum", input, dim)
    recording = _recording("nansum", input, out)
    x = input.detach() if recording else input
    if x.dtype.is_floating_point:
        x = where(isnan(x), 0, x)
    result = _reduce("nansum", "sum", _cast(x, d), dims, keepdim, d)
    if recording:
        record("NansumBackward0", _nansum_backward, (input,), result, (input, dims, keepdim))
    return write_out("nansum", result, out)


def _nansum_backward(node, grad, x, dims, keepdim):
    return mul(_restore(grad, x._shape, dims, keepdim), logical_not(isnan(x)))


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
    dims = _dims("prod", input, dim)
    recording = _recording("prod", input, out)
    result = _reduce("prod", "prod", _cast(input, d), dims, keepdim, d)
    if recording:
        record("ProdBackward0" if dim is None else "ProdBackward1", _prod_backward, (input,), result,
               (input, result, dims, keepdim, dim is None))
    return write_out("prod", result, out)


def _prod_backward(node, grad, x, result, dims, keepdim, whole):
    # torch's formula: grad * conj(result / x) without zeros; else the products of all other elements
    if x.ndim == 0:
        return grad
    grad = _restore(grad, x._shape, dims, keepdim)
    zeros_count = int(sum(eq(x, 0)).item())
    if zeros_count == 0:
        return mul(grad, conj(div(_restore(result, x._shape, dims, keepdim), x)))
    if not whole:
        return _prod_safe_zeros_backward(grad, x, dims[0])
    if zeros_count > 1 and not STATE.enabled:  # every product of the others holds a zero
        return zeros(x._shape, dtype=grad.dtype, device=grad.device)
    return _prod_safe_zeros_backward(grad.reshape(1), x.reshape(-1), 0).reshape(x._shape)


def _prod_safe_zeros_backward(grad, x, d):
    """grad * conj(product of the other elements along ``d``), from exclusive running products (zeros allowed)."""
    n = x._shape[d]
    if x.numel() == 0:
        return grad.expand(x._shape)
    one = ones(x._shape[:d] + (1,) + x._shape[d + 1:], dtype=x.dtype, device=x.device)
    before = cumprod(cat([one, x.narrow(d, 0, n - 1)], d), d)
    after = flip(cumprod(cat([one, flip(x.narrow(d, 1, n - 1), (d,))], d), d), (d,))
    return mul(grad, conj(mul(before, after)))


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
    recording = _recording("mean", input, out)
    n = _reduced_numel(input, dims)
    result = div(_reduce("mean", "sum", _cast(input, d), dims, keepdim, d), n, out=out)
    if recording:
        record("MeanBackward0" if dim is None else "MeanBackward1", _mean_backward, (input,), result,
               (input._shape, dims, keepdim))
    return result


def _mean_backward(node, grad, shape, dims, keepdim):
    return div(_restore(grad, shape, dims, keepdim), numel_of(shape[d] for d in dims)).expand(shape)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the non-NaN elements.

    >>> import rustorch
    >>> rustorch.nanmean(rustorch.tensor([1.0, float('nan'), 3.0]))
    tensor(2.)
    """
    check_tensor("nanmean", input)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise DTypeError(f"nanmean(): expected input to have floating point or complex dtype but got {input.dtype}")
    _recording("nanmean", input, out)
    dims = _dims("nanmean", input, dim)
    count = sum(logical_not(isnan(input)), dims, keepdim)
    # differentiable through nansum and div, as torch's (DivBackward0 over NansumBackward0)
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
        recording = _recording(op, input, out)
        result = _reduce(op, prim, input, tuple(range(input.ndim)), False, input.dtype)
        if recording:
            record(op.capitalize() + "Backward1", _evenly_distribute, (input,), result, (input, result))
        return write_out(op, result, out)
    d = wrap_dim(op, dim, input.ndim)
    dims = (d,) if input.ndim else ()
    _check_nonempty(op, input, dims)
    recording = _recording(op, input, None if out is None else out[0])
    values, indices = _reduce(op, prim, input, dims, keepdim, input.dtype, with_index=True)
    if recording:
        record(op.capitalize() + "Backward0", _select_backward, (input,), values, (input._shape, d, indices, keepdim))
    if out is not None:
        values, indices = write_out(op, values, out[0]), write_out(op, indices, out[1])
    return result_type(values, indices)


def max(input, dim=None, keepdim=False, *, out=None):
    """The largest element; with ``dim`` a named tuple (values, indices); with a tensor, ``maximum``.

    NaN propagates, and its index is reported. The gradient of the largest element is shared among ties;
    with ``dim`` it goes to the reported index.

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


def _extreme_dims(op, input, dim):
    check_tensor(op, input)
    _check_real(op, input)
    dims = _dims(op, input, dim)
    _check_nonempty(op, input, dims)
    return dims


def _amax_amin(op, prim, input, dim, keepdim, out):
    dims = _extreme_dims(op, input, dim)
    recording = _recording(op, input, out)
    result = _reduce(op, prim, input, dims, keepdim, input.dtype)
    if recording:
        record(op.capitalize() + "Backward0", _amax_backward, (input,), result, (input, result, dims, keepdim))
    return write_out(op, result, out)


def _amax_backward(node, grad, x, result, dims, keepdim):
    mask = eq(x, _restore(result, x._shape, dims, keepdim))
    return _scale_grad_by_count(_restore(grad, x._shape, dims, keepdim), mask, dims)


def amax(input, dim=(), keepdim=False, *, out=None):
    """Maximum over ``dim`` (all dims by default), values only; NaN propagates. Ties share the gradient evenly.

    >>> import rustorch
    >>> rustorch.amax(rustorch.tensor([[1, 5], [7, 2]]), dim=0)
    tensor([7, 5])
    """
    return _amax_amin("amax", "max", input, dim, keepdim, out)


def amin(input, dim=(), keepdim=False, *, out=None):
    """Minimum over ``dim`` (all dims by default), values only; NaN propagates. Ties share the gradient evenly.

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
    dims = _extreme_dims("aminmax", input, dim)
    low = _reduce("aminmax", "min", input, dims, keepdim, input.dtype)
    high = _reduce("aminmax", "max", input, dims, keepdim, input.dtype)
    if STATE.enabled and input.requires_grad:
        record("AminmaxBackward0", _aminmax_backward, (input,), (low, high), (input, low, high, dims, keepdim))
    return _AMINMAX(low, high)


def _aminmax_backward(node, grads, x, low, high, dims, keepdim):
    result = None
    for grad, value in zip(grads, (low, high)):
        if grad is not None:
            part = _amax_backward(node, grad, x, value, dims, keepdim)
            result = part if result is None else add(result, part)
    return result


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

    The gradient of the median of all elements is shared among the elements equal to it; with ``dim`` it goes to
    the reported index.

    >>> import rustorch
    >>> rustorch.median(rustorch.tensor([[4.0, 2.0, 2.0, 1.0], [1.0, 5.0, 3.0, 0.0]]), dim=1).values
    tensor([2., 1.])
    """
    check_tensor("median", input)
    _check_real("median", input)
    if input.dtype is _dtype.bool_:
        raise DTypeError("median(): not implemented for bool tensors")
    if dim is None:
        recording = _recording("median", input, out)
        if input.numel() == 0:
            if not input.dtype.is_floating_point:
                raise ValueOutOfRangeError(f"median(): cannot take the median of an empty {input.dtype} tensor")
            result = empty_tensor((), input.dtype, input.device)
            result._storage.backend.fill_(result, math.nan)
        else:
            result = _median((input.detach() if recording else input).reshape(-1), 0, False)[0]
        if recording:
            record("MedianBackward0", _evenly_distribute, (input,), result, (input, result))
        return write_out("median", result, out)
    d = wrap_dim("median", dim, input.ndim)
    _check_nonempty("median", input, (d,) if input.ndim else ())
    recording = _recording("median", input, None if out is None else out[0])
    values, indices = _median(input, d, keepdim)
    if recording:
        record("MedianBackward1", _select_backward, (input,), values, (input._shape, d, indices, keepdim))
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
    """(dims, correction, whole): ``whole`` when reducing every element without a dim list (torch's formula differs
    there when there are no degrees of freedom left)."""
    check_tensor(op, input)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise DTypeError(f"{op}(): std and var only support floating point and complex dtypes, got {input.dtype}")
    if isinstance(dim, bool):  # legacy var(input, unbiased)
        dim, unbiased = None, dim
    if correction is not None and unbiased is not None:
        raise InvalidArgumentError(f"{op}(): cannot specify both correction and unbiased")
    if correction is None:
        correction = 0 if unbiased is False else 1
    dims = _dims(op, input, dim)
    return dims, correction, input.ndim == 0 or dim is None or isinstance(dim, (tuple, list)) and not dim


def _var_mean(input, dims, correction, keepdim):
    m = mean(input, dims, keepdim=True)
    dev = sub(input, m)
    squares = mul(dev, dev) if not dev.dtype.is_complex else add(mul(real(dev), real(dev)), mul(imag_part(dev), imag_part(dev)))
    v = div(sum(squares, dims, keepdim), builtins.max(0, _reduced_numel(input, dims) - correction))
    return v, (m if keepdim else _squeeze(m, dims))


def _var_backward(node, grad, x, dims, correction, keepdim, whole):
    """torch's var_backward: grad * 2 (x - mean) / (N - correction), and its limits when N <= correction."""
    grad = _restore(grad, x._shape, dims, keepdim)
    dof = _reduced_numel(x, dims) - correction
    if whole and dof <= 0:  # inf, or NaN where x is the mean (inf * 0)
        return mul(grad, where(eq(x, mean(x)), math.nan, math.inf))
    return mul(mul(grad, 2.0 / dof if dof else math.inf), sub(x, mean(x, dims, keepdim=True)))


def _std_backward(node, grad, x, result, dims, correction, keepdim, whole):
    # d sqrt(v) = dv / (2 sqrt(v)), with 0 (not inf) where the std is 0, as torch
    grad_var = where(eq(result, 0), 0, div(grad, mul(result, 2)))
    return _var_backward(node, grad_var, x, dims, correction, keepdim, whole)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default; ``unbiased=False`` means 0).

    >>> import rustorch
    >>> rustorch.var(rustorch.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor(1.6667)
    """
    dims, correction, whole = _var_args("var", input, dim, unbiased, correction)
    recording = _recording("var", input, out)
    result = _var_mean(input.detach() if recording else input, dims, correction, keepdim)[0]
    if recording:
        record("VarBackward0", _var_backward, (input,), result, (input, dims, correction, keepdim, whole))
    return write_out("var", result, out)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation: sqrt of ``var`` with the same arguments (its gradient is 0 where it is 0).

    >>> import rustorch
    >>> rustorch.std(rustorch.tensor([1.0, 2.0, 3.0, 4.0]), correction=0)
    tensor(1.1180)
    """
    dims, correction, whole = _var_args("std", input, dim, unbiased, correction)
    recording = _recording("std", input, out)
    result = sqrt(_var_mean(input.detach() if recording else input, dims, correction, keepdim)[0], out=out)
    if recording:
        record("StdBackward0", _std_backward, (input,), result, (input, result, dims, correction, keepdim, whole))
    return result


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over ``dim`` in one call.

    >>> import rustorch
    >>> rustorch.var_mean(rustorch.tensor([1.0, 3.0]))
    (tensor(2.), tensor(2.))
    """
    dims, correction, whole = _var_args("var_mean", input, dim, unbiased, correction)
    recording = STATE.enabled and input.requires_grad
    v, m = _var_mean(input.detach() if recording else input, dims, correction, keepdim)
    if recording:
        record("VarMeanBackward0", _var_mean_backward, (input,), (v, m), (input, dims, correction, keepdim, whole))
    return v, m


def _var_mean_backward(node, grads, x, dims, correction, keepdim, whole):
    grad_var, grad_mean = grads
    result = None if grad_var is None else _var_backward(node, grad_var, x, dims, correction, keepdim, whole)
    if grad_mean is not None:
        part = _mean_backward(node, grad_mean, x._shape, dims, keepdim)
        result = part if result is None else add(result, part)
    return result


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over ``dim`` in one call.

    >>> import rustorch
    >>> rustorch.std_mean(rustorch.tensor([1.0, 3.0]), correction=0)
    (tensor(1.), tensor(2.))
    """
    dims, correction, whole = _var_args("std_mean", input, dim, unbiased, correction)
    recording = STATE.enabled and input.requires_grad
    v, m = _var_mean(input.detach() if recording else input, dims, correction, keepdim)
    s = sqrt(v)
    if recording:
        record("StdMeanBackward0", _std_mean_backward, (input,), (s, m), (input, s, dims, correction, keepdim, whole))
    return s, m


def _std_mean_backward(node, grads, x, s, dims, correction, keepdim, whole):
    grad_std, grad_mean = grads
    result = None if grad_std is None else _std_backward(node, grad_std, x, s, dims, correction, keepdim, whole)
    if grad_mean is not None:
        part = _mean_backward(node, grad_mean, x._shape, dims, keepdim)
        result = part if result is None else add(result, part)
    return result


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """Vector p-norm over ``dim`` (all elements by default): p = 'fro', 2, 1, inf, -inf, 0 or any number.

    The result has the input's real dtype (complex inputs give their magnitude's norm). The gradient follows
    torch's (linalg.vector_norm's): 0 where the 2-norm is 0, shared among ties for p = +-inf, none for p = 0.

    >>> import rustorch
    >>> rustorch.norm(rustorch.tensor([3.0, -4.0])), rustorch.norm(rustorch.tensor([3.0, -4.0]), p=1)
    (tensor(5.), tensor(7.))
    """
    check_tensor("norm", input)
    recording = _recording("norm", input, out)
    x = input.detach() if recording else input
    if dtype is not None:
        x = _cast(x, dtype)
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise DTypeError(f"norm(): Expected a floating point or complex tensor as input. Got {x.dtype}")
    if isinstance(p, str) and p != "fro":
        raise InvalidArgumentError(f"norm(): p={p!r} is not supported; use p='fro' or a number (matrix norms live in rustorch.linalg)")
    if p == "fro" and isinstance(dim, (tuple, list)) and len(dim) > 2:
        raise InvalidArgumentError(f"norm(): p='fro' takes at most 2 dims, got dim={tuple(dim)}")
    dims = _dims("norm", x, dim)
    a = abs(x)
    p = 2 if p == "fro" else p
    if p == 2:
        result = sqrt(sum(mul(a, a), dims, keepdim))
    elif p == 1:
        result = sum(a, dims, keepdim)
    elif p in (math.inf, -math.inf):
        if _reduced_numel(x, dims) == 0:
            raise ValueOutOfRangeError(
                f"norm(): cannot compute the {p} norm on an empty tensor of shape {list(x._shape)} "
                "because the operation does not have an identity")
        result = (amax if p > 0 else amin)(a, dims, keepdim)
    elif p == 0:
        result = _cast(sum(ne(a, 0), dims, keepdim), a.dtype)
    else:
        result = pow(sum(pow(a, p), dims, keepdim), 1.0 / p)
    if recording:
        record("LinalgVectorNormBackward0", _norm_backward, (input,), result, (input, result, p, dims, keepdim))
    return write_out("norm", result, out)


def _norm_backward(node, grad, x, result, p, dims, keepdim):
    # torch's norm_backward, case by case
    if p == 0:
        return None
    grad = _restore(grad, x._shape, dims, keepdim)
    result = _restore(result, x._shape, dims, keepdim)
    if p == 1:
        return mul(_sgn(x), grad)
    if p == 2:
        return mul(grad, where(eq(result, 0), 0, div(x, result)))
    if math.isinf(p):  # amax of |x|, NaN counting as a maximum
        a = abs(x)
        return mul(_sgn(x), _scale_grad_by_count(grad, logical_or(eq(a, result), isnan(a)), dims))
    if p < 1:
        scaled = mul(_sgn(x), where(eq(x, 0), 0, pow(abs(x), p - 1)))
        return mul(mul(scaled, grad), pow(result, 1 - p))
    scaled = mul(_sgn(x), pow(abs(x), p - 1)) if p < 2 else mul(x, pow(abs(x), p - 2))
    return mul(scaled, where(eq(result, 0), 0, div(grad, pow(result, p - 1))))


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over ``dim``, computed stably by shifting by the maximum.

    >>> import rustorch
    >>> rustorch.logsumexp(rustorch.tensor([1000.0, 1000.0]), dim=0)
    tensor(1000.6932)
    """
    check_tensor("logsumexp", input)
    recording = _recording("logsumexp", input, out)
    x = input.detach() if recording else input
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        x = _cast(x, _dtype.get_default_dtype())
    dims = _dims("logsumexp", x, dim)
    if x.numel() == 0:
        shift = None
    else:
        shift = _reduce("logsumexp", "max", x, dims, True, x.dtype)
        shift = where(logical_not(isinf(shift)), shift, 0)
    shifted = x if shift is None else sub(x, shift)
    result = log(sum(exp(shifted), dims, keepdim))
    if shift is not None:
        result = add(result, shift if keepdim else _squeeze(shift, dims))
    if recording:
        record("LogsumexpBackward0", _logsumexp_backward, (input,), result, (input, result, dims, keepdim))
    return write_out("logsumexp", result, out)


def _logsumexp_backward(node, grad, x, result, dims, keepdim):
    return mul(_restore(grad, x._shape, dims, keepdim), conj(exp(sub(x, _restore(result, x._shape, dims, keepdim)))))


# scans --------------------------------------------------------------------------------------
def _scan(op, input, dim, dtype, out):
    """(result, dim, whether to record, input's values before the write when ``out`` is input)."""
    check_tensor(op, input)
    d = dtype or _int_to_long(input.dtype)
    # x.cumsum_() is cumsum(x, out=x): an in-place write that records
    recording = (STATE.enabled and input.requires_grad) if out is None else check_inplace(op, out, (input,))
    before = input.clone() if recording and out is input and op == "cumprod" else input  # recorded: double backward
    x = _cast(input, d)
    axis = wrap_dim(op, dim, x.ndim)
    if x.ndim == 0:
        x, axis = view_of(x, (1,), (1,), x._offset), 0
    result = empty_tensor(x._shape, d, x.device)
    x._storage.backend.scan(op, x, axis, result)
    if input.ndim == 0:
        result = _make(result._storage, (), (), result._offset, d)
    return write_out(op, result, out), axis, recording, before


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along ``dim``; integers and bools give int64 unless ``dtype`` is given.

    >>> import rustorch
    >>> rustorch.cumsum(rustorch.tensor([1, 2, 3]), dim=0)
    tensor([1, 3, 6])
    """
    result, axis, recording, _ = _scan("cumsum", input, dim, dtype, out)
    if recording:
        record("CumsumBackward0", _cumsum_backward, (input,), result, (axis,))
    return result


def _cumsum_backward(node, grad, axis):
    if grad.numel() <= 1 or grad._shape[axis] == 1:
        return grad
    return _reversed_cumsum(grad, axis)


def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along ``dim``; integers and bools give int64 unless ``dtype`` is given.

    >>> import rustorch
    >>> rustorch.cumprod(rustorch.tensor([1, 2, 3]), dim=0)
    tensor([1, 2, 6])
    """
    result, axis, recording, before = _scan("cumprod", input, dim, dtype, out)
    if recording:
        record("CumprodBackward0", _cumprod_backward, (input,), result, (before, result, axis))
    return result


def _cumprod_backward(node, grad, x, result, d):
    # torch's cases: without zeros, reversed_cumsum(grad * conj(result)) / conj(x); with zeros only the elements up to
    # the first zero of a row get a gradient, computed in O(n) for a first derivative and in an exactly
    # differentiable O(n^2) form when the graph of the gradient is being built
    if x.numel() <= 1 or x._shape[d] == 1:
        return grad
    w = mul(grad, conj(result))
    is_zero = eq(x, 0)
    if not bool(is_zero.any()):
        return div(_reversed_cumsum(w, d), conj(x))
    if STATE.enabled:
        return _cumprod_backward_quadratic(grad, x, d)
    zeros_so_far = cumsum(is_zero, d)
    before_zero = eq(zeros_so_far, 0)
    first_zero = logical_and(is_zero, eq(zeros_so_far, 1))
    # before the first zero: the usual formula (w is 0 from the first zero on)
    grad_before = div(_reversed_cumsum(w, d), conj(where(before_zero, x, 1)))
    # at the first zero: sum over j >= it of grad_j * the product of x_i (i <= j) without that zero
    skipped = cumprod(where(first_zero, 1, x), d)
    grad_first = _reversed_cumsum(where(before_zero, 0, mul(grad, conj(skipped))), d)
    return where(before_zero, grad_before, where(first_zero, grad_first, 0))


def _cumprod_backward_quadratic(grad, x, d):
    """sum over j >= k of grad_j * conj(prod of x_i, i <= j, i != k), built as an (n, n) table along ``d``."""
    n = x._shape[d]
    trailing = (1,) * (x.ndim - 1 - d)
    positions = arange(n, device=x.device)
    k = positions.reshape((n, 1) + trailing)
    j = positions.reshape((1, n) + trailing)
    # row k: the running product of x with x_k replaced by 1
    products = cumprod(where(eq(k, j), 1, x.unsqueeze(d)), d + 1)
    terms = mul(grad.unsqueeze(d), conj(products))
    return sum(where(ge(j, k), terms, 0), d + 1)


__all__ = ["sum", "nansum", "mean", "nanmean", "prod", "count_nonzero", "max", "min", "amax", "amin", "aminmax",
           "median", "argmax", "argmin", "all", "any", "var", "std", "var_mean", "std_mean", "norm", "logsumexp", "cumsum",
           "cumprod"]
TENSOR_METHODS = [n for n in __all__ if n not in ("var_mean", "std_mean")]
INPLACE_METHODS = ["cumsum", "cumprod"]
