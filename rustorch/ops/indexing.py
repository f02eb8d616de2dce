"""Indexing: ``x[...]`` and ``x[...] = v``, gather/scatter, masks, sorting, triangles.

Basic indices (ints, slices with positive steps, None, Ellipsis) give views;
advanced indices (integer or bool tensors, lists, arrays) follow NumPy's rules,
as torch does, and give copies. Every index is checked against the size it
indexes before a backend sees it.

>>> import rustorch
>>> x = rustorch.arange(6).view(2, 3)
>>> x[:, 1], x[x > 3]
(tensor([1, 4]), tensor([4, 5]))
"""
from collections import namedtuple

import numpy as np

from .. import _dtype
from ..autograd.grad_mode import STATE
from ..autograd.graph import check_inplace, needs_grad, record
from ..errors import (
    AutogradError, DTypeError, IndexOutOfRangeError, InvalidArgumentError, InvalidTypeError, ShapeError,
    ValueOutOfRangeError,
)
from ..tensor import Storage, Tensor, _make, contiguous_strides, empty_tensor, view_of
from . import creation, elementwise, views
from ._common import as_int, as_number, broadcast_shapes, check_same_device, check_tensor, prepare_out, wrap_dim, write_out


def _return_type(name):
    """torch.return_types.<name>: a (values, indices) tuple whose fields are also attributes."""
    base = namedtuple(name, ("values", "indices"))
    return type(name, (base,), {"__slots__": (), "__module__": "rustorch.return_types",
                                "__repr__": lambda self: f"rustorch.return_types.{base.__repr__(self)}"})


sort_result, topk_result, kthvalue_result = (_return_type(n) for n in ("sort", "topk", "kthvalue"))

_INT_INDEX = (_dtype.int32, _dtype.int64)
_MASK = (_dtype.bool_, _dtype.uint8)


# helpers ---------------------------------------------------------------------------
def _from_buffer(like, data, shape, dtype):
    """A contiguous tensor over a buffer that ``like``'s backend returned."""
    shape = tuple(shape)
    return _make(Storage(data, like.device, like._storage.backend), shape, contiguous_strides(shape), 0, dtype)


def _as_1d(t):
    """``t`` itself, or a 0-d tensor viewed as shape (1,) (for primitives that need a dim)."""
    return t if t._shape else view_of(t, (1,), (1,), t._offset)


def _size(t, d):
    return t._shape[d] if t._shape else 1


def _reduce_item(op, t, dtype):
    """The backend's ``op`` reduction of all of ``t`` as a Python number."""
    out = empty_tensor((1,) * t.ndim, dtype, t.device)
    t._storage.backend.reduce(op, t, tuple(range(t.ndim)), out)
    return out.item()


def _count_true(mask):
    return _reduce_item("sum", mask, _dtype.int64) if mask.numel() else 0


def _check_index_dtype(op, index, allowed=_INT_INDEX):
    check_tensor(op, index, "index")
    if index.dtype not in allowed:
        names = "/".join(str(d).replace("rustorch.", "") for d in allowed)
        raise DTypeError(f"{op}(): expected dtype {names} for index, but got {index.dtype}")


def _check_bounds(op, index, size, dim, negative=False):
    """IndexOutOfRangeError unless every value of ``index`` lies in [0, size) (or [-size, size) when ``negative``)."""
    if index.numel() == 0:
        return
    low = -size if negative else 0
    # the minimum and the maximum side by side, read with one host transfer (one wait for a GPU's queue)
    extremes = empty_tensor((2,), index.dtype, index.device)
    ones = (1,) * index.ndim
    for k, op_name in enumerate(("min", "max")):
        index._storage.backend.reduce(op_name, index, tuple(range(index.ndim)), view_of(extremes, ones, ones, k))
    for v in extremes.tolist():
        if not low <= v < size:
            raise IndexOutOfRangeError(f"{op}(): index {v} is out of bounds for dimension {dim} with size {size}")


def _number_for(dtype, value):
    """The Python number ``value`` converted as torch converts a scalar to ``dtype``."""
    value = as_number("scalar", value)
    if dtype is _dtype.bool_:
        return bool(value)
    if not (dtype.is_floating_point or dtype.is_complex):
        return int(value.real if isinstance(value, complex) else value)
    return value if dtype.is_complex else float(value.real if isinstance(value, complex) else value)


def _untracked(t):
    """``t``, or an alias of it without history: the forward of an op that records its own node afterwards."""
    return t.detach() if t.requires_grad else t


def _recording(op, out, inputs):
    """Whether an op over ``inputs`` records; with an ``out``, torch's out= error comes first (see check_inplace)."""
    return needs_grad(*inputs) if out is None else check_inplace(op, out, inputs)


def _target(op, input, out, inputs):
    """The tensor that an op modifying a copy of ``input`` writes, and whether it records its node over ``inputs``.

    ``out is input``: in place; another ``out``: it gets a copy of input; None: a fresh copy (not recorded
    itself: the op's node connects to ``input`` directly, as torch's does).
    """
    if out is input:
        return input, check_inplace(op, input, inputs)
    if out is not None:
        check_inplace(op, out, inputs)
        return write_out(op, input, out), False
    return creation.clone(_untracked(input)), needs_grad(*inputs)


def _zeros(shape, like):
    """Zeros of ``shape`` with the dtype and device of ``like`` (a gradient)."""
    return creation.zeros(shape, dtype=like.dtype, device=like.device)


# x[index] and x[index] = value --------------------------------------------------------
def _is_basic(i):
    return i is None or i is Ellipsis or isinstance(i, slice) or (isinstance(i, (int, np.integer)) and not isinstance(i, bool))


def _normalize_index(x, index):
    """A tuple of index items with lists/arrays turned into tensors (and advanced-index dtypes checked)."""
    if not isinstance(index, tuple):
        index = (index,)
    items = []
    for i in index:
        if isinstance(i, (list, np.ndarray)) or isinstance(i, bool):
            i = creation.tensor(i, device=x.device)
            if i.numel() == 0:
                i = i.long()  # an empty list indexes nothing, as torch's empty long index
        if isinstance(i, Tensor):
            if i.dtype.is_floating_point or i.dtype.is_complex:
                raise IndexOutOfRangeError(f"index: tensors used as indices must be long, int, byte or bool tensors, got {i.dtype}")
            check_same_device("index", x, i)
            if i.dtype is _dtype.uint8:
                i = i.bool()  # as torch: a byte tensor is a mask
            elif i.ndim == 0 and i.dtype is not _dtype.bool_:
                i = int(i.item())  # as torch: a 0-d integer tensor selects like an int (a view)
        elif isinstance(i, slice):
            if i.step is not None and i.step <= 0:
                raise InvalidArgumentError(f"index: step must be greater than zero, got {i.step}")
        elif not _is_basic(i):
            raise InvalidTypeError(
                f"index: only integers, slices (`:`), ellipsis (`...`), None and long or bool tensors are valid indices "
                f"(got {type(i).__name__})"
            )
        items.append(i)
    if sum(1 for i in items if i is Ellipsis) > 1:
        raise IndexOutOfRangeError("index: an index can only have a single ellipsis ('...')")
    return tuple(items)


def _consumed(i):
    if i is None or i is Ellipsis:
        return 0
    if isinstance(i, Tensor) and i.dtype is _dtype.bool_:
        return i.ndim
    return 1


def _check_int(i, size, d):
    if not -size <= i < size:
        raise IndexOutOfRangeError(f"index {i} is out of bounds for dimension {d} with size {size}")


def _used_dims(x, index):
    n_used = sum(_consumed(i) for i in index)
    if n_used > x.ndim:
        raise IndexOutOfRangeError(f"index: too many indices for tensor of dimension {x.ndim}")
    return n_used


def _basic_view(x, index):
    """The view selected by a tuple of basic index items."""
    n_used = _used_dims(x, index)
    shape, stride = [], []
    offset = x._offset
    d = 0
    for i in index:
        if i is None:
            shape.append(1)
            stride.append(1)
        elif i is Ellipsis:
            for _ in range(x.ndim - n_used):
                shape.append(x._shape[d])
                stride.append(x._stride[d])
                d += 1
        elif isinstance(i, slice):
            start, stop, step = i.indices(x._shape[d])
            length = len(range(start, stop, step))
            offset += start * x._stride[d] if length else 0
            shape.append(length)
            stride.append(x._stride[d] * step)
            d += 1
        else:
            size = x._shape[d]
            _check_int(i, size, d)
            offset += (i % size) * x._stride[d]
            d += 1
    shape.extend(x._shape[d:])
    stride.extend(x._stride[d:])
    # an empty view keeps the base offset: there may be no element to point at
    return view_of(x, shape, stride, offset if 0 not in shape else x._offset)


def _advanced_item_shape(x, i, d):
    """Check index tensor ``i`` (indexing from dim ``d``); the shape it contributes to the broadcast."""
    if i.dtype is _dtype.bool_:
        if i._shape != x._shape[d:d + i.ndim]:
            raise IndexOutOfRangeError(
                f"index: the shape of the mask {list(i._shape)} does not match the shape of the indexed tensor "
                f"{list(x._shape)} at dimension {d}"
            )
        return (_count_true(i),)
    _check_bounds("index", i, x._shape[d], d, negative=True)
    return i._shape


def _advanced_shape(x, index):
    """Check an index of tensors and full slices (from _split_index) against ``x``; the shape of x[index].

    NumPy's rule: the broadcast shape of the tensors replaces them where they stand
    when they are adjacent, else it leads the result.
    """
    before, after, adv, positions = [], [], [], []
    d = 0
    for pos, i in enumerate(index):
        if isinstance(i, Tensor):
            adv.append(_advanced_item_shape(x, i, d))
            positions.append(pos)
            d += _consumed(i)
        else:
            (after if adv else before).append(x._shape[d])
            d += 1
    after.extend(x._shape[d:])
    adv = list(broadcast_shapes("index", *adv))
    if positions[-1] - positions[0] + 1 != len(positions):
        return tuple(adv + before + after)
    return tuple(before + adv + after)


def _split_index(x, index):
    """torch's two passes: (a view of ``x`` by the basic items, the tensor items as an index of that view).

    Ints select first, so only tensors take part in the advanced indexing; a 0-d bool
    tensor adds a dim of size 1 and indexes it as a 1-element mask.
    """
    n_used = _used_dims(x, index)
    basic, advanced = [], []
    d = 0  # the dim of the view that the next item produces
    for i in index:
        if isinstance(i, Tensor):
            if i.ndim == 0:
                basic.append(None)
                i = views.reshape(i, (1,))
            else:
                basic.extend([slice(None)] * _consumed(i))
            advanced.append((d, i))
            d += _consumed(i)
        else:
            basic.append(i)
            d += 1 if i is None or isinstance(i, slice) else x.ndim - n_used if i is Ellipsis else 0
    view = _basic_view(x, tuple(basic))
    items, d = [], 0
    for pos, t in advanced:
        items.extend([slice(None)] * (pos - d))
        items.append(t)
        d = pos + _consumed(t)
    return view, tuple(items)


def getitem(x, index):
    if type(index) is int and x._shape and not (STATE.enabled and x.requires_grad):
        # x[i] without a graph, the commonest index (a dataset's sample): a view, skipping the general machinery
        size = x._shape[0]
        _check_int(index, size, 0)
        shape = x._shape[1:]
        offset = x._offset + (index % size) * x._stride[0] if 0 not in shape else x._offset
        return view_of(x, shape, x._stride[1:], offset)
    items = _normalize_index(x, index)
    if all(_is_basic(i) for i in items):
        result = _basic_view(x, items)
        if STATE.enabled and x.requires_grad:
            record(_view_node_name(x, items, isinstance(index, slice)), _basic_index_backward, (x,), result,
                   (x._shape,) + items)
        return result
    view, advanced = _split_index(x, items)
    _advanced_shape(view, advanced)
    data, shape = x._storage.backend.index_get(view, advanced)
    result = _from_buffer(x, data, shape, x.dtype)
    if STATE.enabled and x.requires_grad:
        record("IndexBackward0", _index_backward, (x,), result, (x._shape,) + items)
    return result


def _view_node_name(x, index, lone_slice):
    """torch's node for a basic x[index]: that of the last item making a view (full slices make none)."""
    if lone_slice:
        return "SliceBackward0"
    name = "AliasBackward0"
    d, n_used = 0, _used_dims(x, index)
    for i in index:
        if i is None:
            name = "UnsqueezeBackward0"
        elif i is Ellipsis:
            d += x.ndim - n_used
        else:
            if not isinstance(i, slice):
                name = "SelectBackward0"
            elif i.indices(x._shape[d]) != (0, x._shape[d], 1):
                name = "SliceBackward0"
            d += 1
    return name


def _basic_index_backward(node, grad, shape, *index):
    result = _zeros(shape, grad)
    creation.copy_(_basic_view(result, index), grad)
    return result


def _index_backward(node, grad, shape, *index):
    # repeated positions each add their gradient
    result = _zeros(shape, grad)
    return _put("index_put_", result, index, grad, True, result)


def _put(op, input, index, value, accumulate, out):
    """out[index] = value (or +=) for a normalized index with advanced items, checked first; ``out`` as _target's."""
    x, recording = _target(op, input, out, (input, value))
    view, items = _split_index(x, index)
    target = _advanced_shape(view, items)
    if isinstance(value, Tensor):
        check_same_device(op, x, value)
        if len(value._shape) > len(target) or any(v not in (1, t) for v, t in zip(value._shape[::-1], target[::-1])):
            raise ShapeError(
                f"{op}(): shape mismatch: value tensor of shape {list(value._shape)} cannot be broadcast to "
                f"indexing result of shape {list(target)}"
            )
        written = value
    else:
        written = _number_for(x.dtype, value)
    x._storage.backend.index_put_(view, items, written, accumulate)
    x._bump_version()
    if recording:
        record("IndexPutBackward0", _index_put_backward, (input, value), x, (accumulate,) + index)
    return x


def _index_put_backward(node, grad, accumulate, *index):
    need_self, need_value = node.needs_input_grad
    grad_self = grad_value = None
    if need_self:
        # overwritten positions got their value from `value`, not from self
        grad_self = grad if accumulate else _put("index_put_", grad, index, 0, False, None)
    if need_value:
        grad_value = getitem(grad, index)
    return grad_self, grad_value


def setitem(x, index, value):
    index = _normalize_index(x, index)
    if isinstance(value, (list, tuple, np.ndarray)):
        value = creation.tensor(value, dtype=x.dtype, device=x.device)
    if not all(_is_basic(i) for i in index):
        _put("index_put_", x, index, value, False, x)
        return
    target = _basic_view(x, index)
    if isinstance(value, Tensor):
        check_same_device("index_put_", x, value)
        creation.copy_(target, value)
    else:
        creation.fill_(target, value)


def _tensor_index(op, input, indices):
    index = _normalize_index(input, tuple(indices))
    if all(_is_basic(i) for i in index):
        raise InvalidTypeError(f"{op}(): indices must be a tuple of tensors")
    return index


def index_put_(input, indices, values, accumulate=False):
    """input[indices] = values (or += when accumulate, summing repeated indices).

    >>> import rustorch
    >>> x = rustorch.zeros(3); x.index_put_((rustorch.tensor([0, 0]),), rustorch.tensor(1.0), accumulate=True)
    tensor([2., 0., 0.])
    """
    return _put("index_put_", input, _tensor_index("index_put_", input, indices), values, accumulate, input)


def index_put(input, indices, values, accumulate=False):
    """Out-of-place :func:`index_put_`.

    >>> import rustorch
    >>> rustorch.index_put(rustorch.zeros(2), (rustorch.tensor([1]),), rustorch.tensor(5.0))
    tensor([0., 5.])
    """
    return _put("index_put_", input, _tensor_index("index_put_", input, indices), values, accumulate, None)


# gather / scatter ---------------------------------------------------------------------
def _check_gather_shapes(op, input, d, index, src=None):
    """torch's rules: same number of dims; index no larger than input (except at ``d``) nor than src."""
    if max(index.ndim, 1) != max(input.ndim, 1) or (src is not None and max(src.ndim, 1) != max(index.ndim, 1)):
        raise ShapeError(
            f"{op}(): index {list(index._shape)} must have the same number of dimensions as input "
            f"{list(input._shape)}" + (f" and src {list(src._shape)}" if src is not None else "")
        )
    for k in range(index.ndim):
        too_big = (k != d and index._shape[k] > _size(input, k)) or (src is not None and index._shape[k] > _size(src, k))
        if too_big:
            raise ShapeError(
                f"{op}(): size does not match at dimension {k}: expected index {list(index._shape)} to be no larger "
                f"than input {list(input._shape)} apart from dimension {d}"
                + (f" and to be no larger than src {list(src._shape)}" if src is not None else "")
            )


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values of ``input`` along ``dim`` at ``index``: out[i][j] = input[index[i][j]][j] for dim=0.

    >>> import rustorch
    >>> rustorch.gather(rustorch.tensor([[1, 2], [3, 4]]), 1, rustorch.tensor([[1, 0], [0, 0]]))
    tensor([[2, 1],
            [3, 3]])
    """
    check_tensor("gather", input)
    _check_index_dtype("gather", index)
    device = check_same_device("gather", input, index)
    d = wrap_dim("gather", dim, input.ndim)
    _check_gather_shapes("gather", input, d, index)
    _check_bounds("gather", index, _size(input, d), d)
    recording = _recording("gather", out, (input,))
    out = prepare_out("gather", out, index._shape, input.dtype, device)
    if out.numel():
        input._storage.backend.gather(_as_1d(input), d, _as_1d(index), _as_1d(out))
    out._bump_version()
    if recording:
        record("GatherBackward0", _gather_backward, (input,), out, (input._shape, d, index))
    return out


def _gather_backward(node, grad, shape, d, index):
    return scatter_add(_zeros(shape, grad), d, index, grad)


def _scatter_into(op, input, dim, index, src, reduce):
    """Checks, then the backend's scatter_ of ``src`` (a tensor or a number) into ``input``."""
    check_tensor(op, input)
    _check_index_dtype(op, index)
    check_same_device(op, input, index)
    d = wrap_dim(op, dim, input.ndim)
    if isinstance(src, Tensor):
        check_same_device(op, input, src)
        if src.dtype is not input.dtype:
            raise DTypeError(f"{op}(): expected self.dtype to be equal to src.dtype, got {input.dtype} and {src.dtype}")
        _check_gather_shapes(op, input, d, index, src)
        src = _as_1d(src)
    else:
        if src is None:
            raise InvalidArgumentError(f"{op}(): expected a src tensor or a value")
        _check_gather_shapes(op, input, d, index)
        src = _number_for(input.dtype, src)
    _check_bounds(op, index, _size(input, d), d)
    if index.numel():
        input._storage.backend.scatter_(_as_1d(input), d, _as_1d(index), src, reduce)
    input._bump_version()
    return input


def _src_or_value(op, src, value):
    if (src is None) == (value is None):
        raise InvalidArgumentError(f"{op}(): give exactly one of src and value")
    return value if src is None else src


def _scatter(op, input, dim, index, src, value, reduce, out):
    if reduce not in (None, "add", "multiply"):
        raise InvalidArgumentError(f"{op}(): reduce argument must be either add or multiply, got {reduce!r}")
    src = _src_or_value(op, src, value)
    x, recording = _target(op, input, out, (input, src))
    _scatter_into(op, x, dim, index, src, reduce)
    if recording:
        if reduce is not None:
            record("NotImplemented", _scatter_with_reduce_backward, (input, src), x)
        else:
            name = "ScatterBackward0" if isinstance(src, Tensor) else "ScatterBackward1"
            record(name, _scatter_backward, (input, src), x, (wrap_dim(op, dim, x.ndim), index))
    return x


def _scatter_backward(node, grad, d, index):
    need_self, need_src = node.needs_input_grad
    grad_self = scatter(grad, d, index, value=0) if need_self else None
    return grad_self, (gather(grad, d, index) if need_src else None)


def _scatter_with_reduce_backward(node, grad):
    raise AutogradError("the derivative for scatter with reduce= is not implemented (as in torch); use scatter_reduce")


def scatter_(input, dim, index, src=None, *, value=None, reduce=None):
    """Write ``src`` (a tensor, or a number ``value``) into ``input`` at ``index`` along ``dim``, in place.

    reduce='add' or 'multiply' combines with the values already there (not differentiable, as in torch).

    >>> import rustorch
    >>> rustorch.zeros(2, 3).scatter_(1, rustorch.tensor([[2], [0]]), 1.0)
    tensor([[0., 0., 1.],
            [1., 0., 0.]])
    """
    return _scatter("scatter_", input, dim, index, src, value, reduce, input)


def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):
    """Out-of-place :func:`scatter_`.

    >>> import rustorch
    >>> rustorch.scatter(rustorch.zeros(3), 0, rustorch.tensor([1]), rustorch.tensor([5.0]))
    tensor([0., 5., 0.])
    """
    return _scatter("scatter_", input, dim, index, src, value, reduce, out)


def _scatter_add(input, dim, index, src, out):
    check_tensor("scatter_add_", src, "src")
    x, recording = _target("scatter_add_", input, out, (input, src))
    _scatter_into("scatter_add_", x, dim, index, src, "add")
    if recording:
        record("ScatterAddBackward0", _scatter_add_backward, (input, src), x,
               (wrap_dim("scatter_add_", dim, x.ndim), index))
    return x


def _scatter_add_backward(node, grad, d, index):
    return grad, (gather(grad, d, index) if node.needs_input_grad[1] else None)


def scatter_add_(input, dim, index, src):
    """Add ``src`` into ``input`` at ``index`` along ``dim`` (repeated indices accumulate), in place.

    >>> import rustorch
    >>> rustorch.zeros(3).scatter_add_(0, rustorch.tensor([1, 1]), rustorch.tensor([2.0, 3.0]))
    tensor([0., 5., 0.])
    """
    return _scatter_add(input, dim, index, src, input)


def scatter_add(input, dim, index, src, *, out=None):
    """Out-of-place :func:`scatter_add_`.

    >>> import rustorch
    >>> rustorch.scatter_add(rustorch.zeros(2), 0, rustorch.tensor([0, 0]), rustorch.ones(2))
    tensor([2., 0.])
    """
    return _scatter_add(input, dim, index, src, out)


_SCATTER_REDUCE = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "amax", "amin": "amin"}


def _identity(reduce, dtype):
    """The value that leaves ``reduce`` unchanged, as a number of ``dtype``."""
    if reduce == "prod":
        return _number_for(dtype, 1)
    if reduce in ("sum", "mean"):
        return _number_for(dtype, 0)
    if dtype is _dtype.bool_:
        return reduce == "amin"
    if dtype.is_floating_point:
        return float("-inf") if reduce == "amax" else float("inf")
    info = _dtype.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _scatter_reduce(input, dim, index, src, reduce, include_self, out):
    op = "scatter_reduce_"
    if reduce not in _SCATTER_REDUCE:
        raise InvalidArgumentError(
            f"{op}(): reduce argument must be one of sum, prod, mean, amax, amin, got {reduce!r}")
    if input.dtype.is_complex and reduce in ("amax", "amin"):
        raise DTypeError(f"{op}(): {reduce} is not supported for complex dtype {input.dtype}")
    check_tensor(op, src, "src")
    x, recording = _target(op, input, out, (input, src))
    if recording and input.dtype.is_complex:
        raise AutogradError("scatter_reduce does not support automatic differentiation for outputs with complex dtype.")
    # prod, amax and amin differentiate through the values: self's from before the write, src's, the result's
    by_value = recording and reduce not in ("sum", "mean")
    self_before = (creation.clone(input) if x is input else input) if by_value else None
    written = _untracked(x)  # the steps below are not recorded: the node is recorded afterwards
    if not include_self:
        _scatter_into(op, written, dim, index, _identity(reduce, input.dtype), None)
    _scatter_into(op, written, dim, index, src, _SCATTER_REDUCE[reduce])
    d = wrap_dim(op, dim, x.ndim)
    if reduce == "mean":
        counts = _scatter_counts(written, d, index, include_self)
        floor = not (input.dtype.is_floating_point or input.dtype.is_complex)
        elementwise.div(written, counts, rounding_mode="floor" if floor else None, out=written)
    if recording:
        record("ScatterReduceBackward0", _scatter_reduce_backward, (input, src), x,
               (d, index, reduce, include_self, self_before, src if by_value else None, x if by_value else None))
    return x


def _scatter_counts(like, d, index, include_self):
    """How many values each position of a 'mean' scatter_reduce averages (at least 1), with like's shape and dtype."""
    counts = creation.full(like._shape, 1 if include_self else 0, dtype=like.dtype, device=like.device)
    _scatter_into("scatter_reduce_", counts, d, index, 1, "add")
    return elementwise.clamp_min(counts, 1)


def _scatter_reduce_backward(node, grad, d, index, reduce, include_self, self, src, result):
    """torch's scatter_reduce_backward."""
    E = elementwise
    if reduce == "sum":
        grad_self, grad_src = grad, gather(grad, d, index)
    elif reduce == "mean":
        counts = _scatter_counts(grad, d, index, include_self)
        grad_self = E.div(grad, counts)
        grad_src = E.div(gather(grad, d, index), gather(counts, d, index))
    elif reduce == "prod":
        # the products without each zero factor: self's and src's zeros are masked out separately
        masked_self = where(E.eq(self, 0), 1, self)
        grad_self = E.div(E.mul(grad, scatter_reduce(masked_self, d, index, src, "prod", include_self=include_self)),
                          masked_self)
        src_zero = E.eq(src, 0)
        zeros_at = gather(scatter_add(creation.zeros_like(self), d, index, src_zero.to(self.dtype)), d, index)
        single_zero = E.logical_and(src_zero, E.eq(zeros_at, 1))
        without_zero = scatter_reduce(self, d, index, where(single_zero, 1, src), "prod", include_self=include_self)
        grad_src = where(single_zero, gather(E.mul(grad, without_zero), d, index),
                         E.div(gather(E.mul(grad, result), d, index), where(src_zero, 1, src)))
    else:
        # amax / amin: the gradient is shared evenly between the values equal to the result
        value = gather(result, d, index)
        self_is_result, src_is_result = E.eq(self, result), E.eq(src, value)
        shares = scatter_add(self_is_result.to(grad.dtype), d, index, src_is_result.to(grad.dtype))
        grad_shared = E.div(grad, shares)
        grad_self = E.mul(self_is_result, grad_shared)
        grad_src = E.mul(src_is_result, gather(grad_shared, d, index))
    if not include_self:
        grad_self = scatter(grad_self, d, index, value=0)
    return grad_self, grad_src


def scatter_reduce_(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into ``input`` at ``index`` along ``dim`` with 'sum', 'prod', 'mean', 'amax' or 'amin', in place.

    With include_self=False the values of ``input`` at scattered positions are left out of the reduction.
    Integer 'mean' rounds down, as torch does.

    >>> import rustorch
    >>> x = rustorch.tensor([1.0, 2.0, 3.0])
    >>> x.scatter_reduce_(0, rustorch.tensor([0, 0]), rustorch.tensor([5.0, 9.0]), "amax")
    tensor([9., 2., 3.])
    """
    return _scatter_reduce(input, dim, index, src, reduce, include_self, input)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """Out-of-place :func:`scatter_reduce_`.

    >>> import rustorch
    >>> rustorch.scatter_reduce(rustorch.zeros(2), 0, rustorch.tensor([1, 1]), rustorch.tensor([2.0, 4.0]), "mean",
    ...                         include_self=False)
    tensor([0., 3.])
    """
    return _scatter_reduce(input, dim, index, src, reduce, include_self, out)


# index_select / index_add / index_copy / index_fill ---------------------------------------
def _check_vector_index(op, input, dim, index, negative=False):
    """Checks of a 1-D index along ``dim``; (wrapped dim, index as 1-D)."""
    check_tensor(op, input)
    _check_index_dtype(op, index)
    check_same_device(op, input, index)
    if index.ndim > 1:
        raise IndexOutOfRangeError(f"{op}(): index is supposed to be a vector, got shape {list(index._shape)}")
    d = wrap_dim(op, dim, input.ndim)
    _check_bounds(op, index, _size(input, d), d, negative)
    return d, views.reshape(index, (-1,))


def _along(d, index):
    """An index tuple selecting ``index`` along dim ``d``."""
    return (slice(None),) * d + (index,)


def _put_along(input, d, idx, values, accumulate):
    """input[..., idx, ...] = values (or +=) along dim ``d``; a tensor ``values`` has len(idx) slices there."""
    target = _as_1d(input)
    if isinstance(values, Tensor):
        values = views.reshape(values, target._shape[:d] + (idx.numel(),) + target._shape[d + 1:])
    input._storage.backend.index_put_(target, _along(d, idx), values, accumulate)
    input._bump_version()
    return input


def index_select(input, dim, index, *, out=None):
    """The slices of ``input`` along ``dim`` at the positions in the 1-D ``index``.

    >>> import rustorch
    >>> rustorch.arange(6).view(2, 3).index_select(1, rustorch.tensor([2, 0]))
    tensor([[2, 0],
            [5, 3]])
    """
    d, idx = _check_vector_index("index_select", input, dim, index)
    if input.ndim == 0 and idx.numel() != 1:
        raise ShapeError(f"index_select(): index to a 0-d tensor can have only 1 value, got {idx.numel()}")
    recording = _recording("index_select", out, (input,))
    data, shape = input._storage.backend.index_get(_as_1d(input), _along(d, idx))
    result = write_out("index_select", _from_buffer(input, data, shape if input.ndim else (), input.dtype), out)
    if recording:
        record("IndexSelectBackward0", _index_select_backward, (input,), result, (input._shape, d, idx))
    return result


def _index_select_backward(node, grad, shape, d, idx):
    return index_add(_zeros(shape, grad), d, idx, grad)


def _selected_slices(grad, d, idx, shape):
    """grad's slices along ``d`` at ``idx``, shaped as a source of ``shape`` (which is 0-d or (1,) for a 0-d grad)."""
    g = index_select(grad, d, idx)
    return g if g._shape == shape else views.reshape(g, shape)


def _check_source(op, input, d, idx, source):
    check_tensor(op, source, "source")
    check_same_device(op, input, source)
    if source.dtype is not input.dtype:
        raise DTypeError(f"{op}(): self ({input.dtype}) and source ({source.dtype}) must have the same dtype")
    expected = list(input._shape)
    if expected:
        expected[d] = idx.numel()
    if list(source._shape) != expected and not (source.numel() == 1 and input.ndim == 0):
        raise ShapeError(f"{op}(): source of shape {list(source._shape)} does not match the expected shape {expected}")


def _index_add(input, dim, index, source, alpha, out):
    d, idx = _check_vector_index("index_add_", input, dim, index)
    _check_source("index_add_", input, d, idx, source)
    x, recording = _target("index_add_", input, out, (input, source))
    alpha = _number_for(input.dtype, alpha)
    _put_along(x, d, idx, source if alpha == 1 else elementwise.mul(_untracked(source), alpha), True)
    if recording:
        record("IndexAddBackward0", _index_add_backward, (input, source), x, (d, idx, alpha, source._shape))
    return x


def _index_add_backward(node, grad, d, idx, alpha, source_shape):
    if not node.needs_input_grad[1]:
        return grad, None
    grad_source = _selected_slices(grad, d, idx, source_shape)
    # torch multiplies by alpha itself, not its conjugate
    return grad, (grad_source if alpha == 1 else elementwise.mul(grad_source, alpha))


def index_add_(input, dim, index, source, *, alpha=1):
    """input[..., index[i], ...] += alpha * source[..., i, ...] along ``dim`` (repeats accumulate), in place.

    >>> import rustorch
    >>> rustorch.zeros(3).index_add_(0, rustorch.tensor([0, 0, 2]), rustorch.tensor([1.0, 2.0, 3.0]))
    tensor([3., 0., 3.])
    """
    return _index_add(input, dim, index, source, alpha, input)


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """Out-of-place :func:`index_add_`.

    >>> import rustorch
    >>> rustorch.index_add(rustorch.ones(2), 0, rustorch.tensor([1]), rustorch.tensor([2.0]), alpha=3)
    tensor([1., 7.])
    """
    return _index_add(input, dim, index, source, alpha, out)


def _index_copy(input, dim, index, source, out):
    d, idx = _check_vector_index("index_copy_", input, dim, index)
    _check_source("index_copy_", input, d, idx, source)
    x, recording = _target("index_copy_", input, out, (input, source))
    _put_along(x, d, idx, source, False)
    if recording:
        record("IndexCopyBackward0", _index_copy_backward, (input, source), x, (d, idx, source._shape))
    return x


def _index_copy_backward(node, grad, d, idx, source_shape):
    need_self, need_source = node.needs_input_grad
    grad_self = index_fill(grad, d, idx, 0) if need_self else None
    return grad_self, (_selected_slices(grad, d, idx, source_shape) if need_source else None)


def index_copy_(input, dim, index, source):
    """input[..., index[i], ...] = source[..., i, ...] along ``dim``, in place.

    >>> import rustorch
    >>> rustorch.zeros(3).index_copy_(0, rustorch.tensor([2, 0]), rustorch.tensor([1.0, 2.0]))
    tensor([2., 0., 1.])
    """
    return _index_copy(input, dim, index, source, input)


def index_copy(input, dim, index, source, *, out=None):
    """Out-of-place :func:`index_copy_`.

    >>> import rustorch
    >>> rustorch.index_copy(rustorch.zeros(2), 0, rustorch.tensor([1]), rustorch.tensor([4.0]))
    tensor([0., 4.])
    """
    return _index_copy(input, dim, index, source, out)


def _scalar_value(op, value):
    """A number, or a 0-d tensor's value, for fill ops."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise ShapeError(f"{op}(): only supports a 0-dimensional value tensor, but got tensor with {value.ndim} dimension(s)")
        return value.item()
    return as_number(op, value)


def _index_fill(input, dim, index, value, out):
    d, idx = _check_vector_index("index_fill_", input, dim, index, negative=True)
    number = _number_for(input.dtype, _scalar_value("index_fill_", value))
    value = value if isinstance(value, Tensor) else None
    x, recording = _target("index_fill_", input, out, (input, value))
    _put_along(x, d, idx, number, False)
    if recording:
        record("IndexFillBackward0" if value is None else "IndexFillBackward1", _index_fill_backward, (input, value), x,
               (d, idx))
    return x


def _index_fill_backward(node, grad, d, idx):
    grad_self = index_fill(grad, d, idx, 0)
    # the value gets the gradient of every filled position (once each, however often idx names it)
    return grad_self, (elementwise.sub(grad, grad_self).sum() if node.needs_input_grad[1] else None)


def index_fill_(input, dim, index, value):
    """Fill the slices of ``input`` along ``dim`` at ``index`` (negative positions allowed) with ``value``, in place.

    >>> import rustorch
    >>> rustorch.zeros(2, 3).index_fill_(1, rustorch.tensor([0, -1]), 7)
    tensor([[7., 0., 7.],
            [7., 0., 7.]])
    """
    return _index_fill(input, dim, index, value, input)


def index_fill(input, dim, index, value):
    """Out-of-place :func:`index_fill_`.

    >>> import rustorch
    >>> rustorch.index_fill(rustorch.zeros(3), 0, rustorch.tensor([1]), 2.5)
    tensor([0.0000, 2.5000, 0.0000])
    """
    return _index_fill(input, dim, index, value, None)


# masks ------------------------------------------------------------------------------
def _check_mask(op, input, mask):
    check_tensor(op, input)
    check_tensor(op, mask, "mask")
    check_same_device(op, input, mask)
    if mask.dtype is not _dtype.bool_:
        raise DTypeError(f"{op}(): only supports boolean masks, but got mask with dtype {mask.dtype}")


def masked_fill_(input, mask, value):
    """Write ``value`` (a number or a 0-d tensor) where the bool ``mask`` (broadcast to input) is True, in place.

    >>> import rustorch
    >>> rustorch.zeros(3).masked_fill_(rustorch.tensor([True, False, True]), 2.0)
    tensor([2., 0., 2.])
    """
    _check_mask("masked_fill_", input, mask)
    if broadcast_shapes("masked_fill_", input._shape, mask._shape) != input._shape:
        raise ShapeError(f"masked_fill_(): mask of shape {list(mask._shape)} can't be broadcast to input {list(input._shape)}")
    number = _number_for(input.dtype, _scalar_value("masked_fill_", value))
    value = value if isinstance(value, Tensor) else None
    recording = check_inplace("masked_fill_", input, (input, value))
    input._storage.backend.where(mask, number, input, input)
    input._bump_version()
    if recording:
        _record_masked_fill(input, value, input, mask)
    return input


def masked_fill(input, mask, value):
    """``value`` where ``mask`` is True, else ``input`` (broadcast together).

    >>> import rustorch
    >>> rustorch.arange(3).masked_fill(rustorch.tensor([False, True, False]), -1)
    tensor([ 0, -1,  2])
    """
    _check_mask("masked_fill", input, mask)
    shape = broadcast_shapes("masked_fill", input._shape, mask._shape)
    number = _number_for(input.dtype, _scalar_value("masked_fill", value))
    out = empty_tensor(shape, input.dtype, input.device)
    input._storage.backend.where(mask, number, input, out)
    value = value if isinstance(value, Tensor) else None
    if STATE.enabled and (input.requires_grad or value is not None and value.requires_grad):
        _record_masked_fill(input, value, out, mask)
    return out


def _record_masked_fill(input, value, out, mask):
    record("MaskedFillBackward0" if value is None else "MaskedFillBackward1", _masked_fill_backward, (input, value),
           out, (mask,))


def _masked_fill_backward(node, grad, mask):
    need_self, need_value = node.needs_input_grad
    grad_self = where(mask, 0, grad) if need_self else None
    return grad_self, (where(mask, grad, 0).sum() if need_value else None)


def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where ``mask`` is True (both broadcast), as a 1-D tensor.

    >>> import rustorch
    >>> rustorch.arange(4).masked_select(rustorch.tensor([True, False, True, True]))
    tensor([0, 2, 3])
    """
    _check_mask("masked_select", input, mask)
    shape = broadcast_shapes("masked_select", input._shape, mask._shape)
    recording = _recording("masked_select", out, (input,))
    data, result_shape = input._storage.backend.index_get(views.expand(_untracked(input), shape),
                                                          (views.expand(mask, shape),))
    result = write_out("masked_select", _from_buffer(input, data, result_shape, input.dtype), out)
    if recording:
        record("MaskedSelectBackward0", _masked_select_backward, (input,), result, (shape, mask))
    return result


def _masked_select_backward(node, grad, shape, mask):
    # the gradient has the broadcast shape; the engine sums it down to input's
    result = _zeros(shape, grad)
    return _masked_scatter_into("masked_scatter_", result, mask, grad, result)


def _masked_scatter_into(op, input, mask, source, out):
    """Checks, then ``out`` (input in place, or a copy of input broadcast with mask) with source written at mask."""
    _check_mask(op, input, mask)
    check_tensor(op, source, "source")
    check_same_device(op, input, source)
    if source.dtype is not input.dtype:
        raise DTypeError(
            f"{op}(): expected self and source to have the same dtype, got {input.dtype} and {source.dtype}")
    if out is input:
        if broadcast_shapes(op, input._shape, mask._shape) != input._shape:
            raise ShapeError(
                f"{op}(): mask of shape {list(mask._shape)} can't be broadcast to input {list(input._shape)}")
        recording = check_inplace(op, input, (input, source))
    else:
        shape = broadcast_shapes(op, input._shape, mask._shape)
        out = creation.clone(views.expand(_untracked(input), shape))
        recording = needs_grad(input, source)
    mask = views.expand(mask, out._shape)
    n = _count_true(mask)
    if source.numel() < n:
        raise ShapeError(f"{op}(): source has {source.numel()} elements, fewer than the {n} True values of the mask")
    values = views.narrow(views.reshape(_untracked(source), (-1,)), 0, 0, n)
    out._storage.backend.index_put_(out, (mask,), values, False)
    out._bump_version()
    if recording:
        record("MaskedScatterBackward0", _masked_scatter_backward, (input, source), out, (mask, source._shape))
    return out


def _masked_scatter_backward(node, grad, mask, source_shape):
    need_self, need_source = node.needs_input_grad
    grad_self = where(mask, 0, grad) if need_self else None
    grad_source = None
    if need_source:
        # source's first n elements went to the n True positions, in order; the rest were unused
        selected = masked_select(grad, mask)
        grad_source = _zeros(source_shape, grad)
        creation.copy_(views.narrow(views.reshape(grad_source, (-1,)), 0, 0, selected.numel()), selected)
    return grad_self, grad_source


def masked_scatter_(input, mask, source):
    """Copy consecutive elements of ``source`` into ``input`` where ``mask`` is True, in place.

    >>> import rustorch
    >>> rustorch.zeros(3).masked_scatter_(rustorch.tensor([True, False, True]), rustorch.tensor([1.0, 2.0]))
    tensor([1., 0., 2.])
    """
    return _masked_scatter_into("masked_scatter_", input, mask, source, input)


def masked_scatter(input, mask, source):
    """Out-of-place :func:`masked_scatter_` (input and mask broadcast).

    >>> import rustorch
    >>> rustorch.masked_scatter(rustorch.zeros(2), rustorch.tensor([False, True]), rustorch.tensor([5.0]))
    tensor([0., 5.])
    """
    return _masked_scatter_into("masked_scatter", input, mask, source, None)


def where(condition, input=None, other=None, *, out=None):
    """``input`` where ``condition`` is True else ``other`` (broadcast; either may be a number).

    where(condition) alone is nonzero(condition, as_tuple=True).

    >>> import rustorch
    >>> rustorch.where(rustorch.tensor([True, False]), rustorch.tensor([1, 2]), 2.5)
    tensor([1.0000, 2.5000])
    """
    check_tensor("where", condition, "condition")
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise InvalidArgumentError("where(): expected both input and other, or neither")
    if condition.dtype is _dtype.uint8:
        condition = condition.bool()
    if condition.dtype is not _dtype.bool_:
        raise DTypeError(f"where(): expected condition to be a boolean tensor, but got a tensor with dtype {condition.dtype}")
    operands = [x if isinstance(x, Tensor) else as_number("where", x) for x in (input, other)]
    tensors = [condition] + [x for x in operands if isinstance(x, Tensor)]
    device = check_same_device("where", *tensors)
    shape = broadcast_shapes("where", *(t._shape for t in tensors))
    if out is None:
        recording = STATE.enabled and (isinstance(input, Tensor) and input.requires_grad
                                       or isinstance(other, Tensor) and other.requires_grad)
    else:
        recording = check_inplace("where", out, (input, other))
    out = prepare_out("where", out, shape, _dtype.result_type(*operands), device)
    out._storage.backend.where(condition, operands[0], operands[1], out)
    out._bump_version()
    if recording:
        record("WhereBackward0", _where_backward, (input, other), out, (condition,))
    return out


def _where_backward(node, grad, condition):
    need_input, need_other = node.needs_input_grad
    return (where(condition, grad, 0) if need_input else None), (where(condition, 0, grad) if need_other else None)


def _tensor_where(self, condition, y):
    """x.where(condition, y) is where(condition, x, y)."""
    return where(condition, self, y)


Tensor.where = _tensor_where


def nonzero(input, *, out=None, as_tuple=False):
    """The positions of the non-zero elements: an (n, ndim) int64 tensor, or one 1-D tensor per dim.

    >>> import rustorch
    >>> rustorch.nonzero(rustorch.tensor([[0, 1], [2, 0]]))
    tensor([[0, 1],
            [1, 0]])
    """
    check_tensor("nonzero", input)
    data, shape = input._storage.backend.nonzero(_as_1d(input))
    if input.ndim == 0:
        if as_tuple:
            return (creation.zeros(shape[0], dtype=_dtype.int64, device=input.device),)
        return write_out("nonzero", empty_tensor((shape[0], 0), _dtype.int64, input.device), out)
    result = _from_buffer(input, data, shape, _dtype.int64)
    if as_tuple:
        return tuple(creation.contiguous(c) for c in views.unbind(result, 1))
    return write_out("nonzero", result, out)


def argwhere(input):
    """nonzero(input): the (n, ndim) positions of the non-zero elements.

    >>> import rustorch
    >>> rustorch.argwhere(rustorch.tensor([0, 3, 4]))
    tensor([[1],
            [2]])
    """
    return nonzero(input)


def take(input, index):
    """The elements of ``input`` seen as 1-D at ``index`` (negative positions count from the end).

    >>> import rustorch
    >>> rustorch.take(rustorch.tensor([[1, 2], [3, 4]]), rustorch.tensor([0, -1]))
    tensor([1, 4])
    """
    check_tensor("take", input)
    _check_index_dtype("take", index, (_dtype.int64,))
    check_same_device("take", input, index)
    flat = views.reshape(_untracked(input), (-1,))
    _check_bounds("take", index, flat.numel(), 0, negative=True)
    data, _ = input._storage.backend.index_get(flat, (index,))
    result = _from_buffer(input, data, index._shape, input.dtype)
    if STATE.enabled and input.requires_grad:
        record("TakeBackward0", _take_backward, (input,), result, (input._shape, index))
    return result


def _take_backward(node, grad, shape, index):
    result = _zeros(shape, grad)
    # written through a flat view of result, so that (under create_graph) result records the write
    flat = views.reshape(result, (-1,))
    _put("index_put_", flat, (_as_1d(index),), grad, True, flat)
    return result


def take_along_dim(input, indices, dim=None, *, out=None):
    """gather() along ``dim`` with ``input`` and ``indices`` broadcast (except at ``dim``); dim=None: flattened.

    Negative positions count from the end.

    >>> import rustorch
    >>> x = rustorch.tensor([[10, 30, 20], [60, 40, 50]])
    >>> rustorch.take_along_dim(x, rustorch.argsort(x, dim=1), dim=1)
    tensor([[10, 20, 30],
            [40, 50, 60]])
    """
    check_tensor("take_along_dim", input)
    if dim is None:
        input, indices = views.reshape(input, (-1,)), views.reshape(indices, (-1,))
        _check_index_dtype("take_along_dim", indices)
        d = 0
    else:
        _check_index_dtype("take_along_dim", indices, (_dtype.int64,))
        if input.ndim != indices.ndim:
            raise ShapeError(
                f"take_along_dim(): input and indices should have the same number of dimensions, but got "
                f"{input.ndim} dimensions for input, and {indices.ndim} dimensions for indices"
            )
        d = wrap_dim("take_along_dim", dim, input.ndim)
        if input.ndim:
            rest = broadcast_shapes("take_along_dim", input._shape[:d] + input._shape[d + 1:],
                                    indices._shape[:d] + indices._shape[d + 1:])
            input = views.expand(input, rest[:d] + (input._shape[d],) + rest[d:])
            indices = views.expand(indices, rest[:d] + (indices._shape[d],) + rest[d:])
    size = _size(input, d)
    _check_bounds("take_along_dim", indices, size, d, negative=True)
    if indices.numel() and _reduce_item("min", indices, indices.dtype) < 0:
        indices = elementwise.remainder(indices, size)
    return gather(input, d, indices, out=out)


# sorting ----------------------------------------------------------------------------
def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """Sorted values along ``dim`` and their positions; NaN sorts as the largest value.

    The sort is always stable (equal values keep their order), which stable=False allows.

    >>> import rustorch
    >>> rustorch.sort(rustorch.tensor([3, 1, 2]), descending=True)
    rustorch.return_types.sort(values=tensor([3, 2, 1]), indices=tensor([0, 2, 1]))
    """
    check_tensor("sort", input)
    if input.dtype.is_complex:
        raise DTypeError(f"sort(): sort does not support complex dtypes, got {input.dtype}")
    d = wrap_dim("sort", dim, input.ndim)
    values, indices = (None, None) if out is None else out
    recording = _recording("sort", values, (input,))
    values = prepare_out("sort", values, input._shape, input.dtype, input.device)
    indices = prepare_out("sort", indices, input._shape, _dtype.int64, input.device)
    if input.numel():
        input._storage.backend.sort(_as_1d(input), d, descending, stable, _as_1d(values), _as_1d(indices))
    values._bump_version()
    indices._bump_version()
    if recording:
        record("SortBackward0", _selection_backward, (input,), values, (input._shape, d, indices, True))
    return sort_result(values, indices)


def _selection_backward(node, grad, shape, d, indices, keepdim):
    """The gradient of values picked along ``d`` at ``indices`` (sort, topk, kthvalue): grad put back there."""
    if not keepdim:
        grad, indices = views.unsqueeze(grad, d), views.unsqueeze(indices, d)
    return scatter(_zeros(shape, grad), d, indices, grad)


def argsort(input, dim=-1, descending=False, stable=False):
    """The positions that sort ``input`` along ``dim``.

    >>> import rustorch
    >>> rustorch.argsort(rustorch.tensor([3.0, 1.0, 2.0]))
    tensor([1, 2, 0])
    """
    return sort(_untracked(input), dim, descending, stable).indices


def msort(input, *, out=None):
    """``input`` sorted along dim 0.

    >>> import rustorch
    >>> rustorch.msort(rustorch.tensor([[2, 1], [1, 3]]))
    tensor([[1, 1],
            [2, 3]])
    """
    if out is not None:
        check_inplace("msort", out, (input,))
    return write_out("msort", sort(input, 0).values, out)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) values along ``dim`` and their positions, largest first.

    NaN counts as the largest value. The values come sorted whatever ``sorted`` says.

    >>> import rustorch
    >>> rustorch.topk(rustorch.tensor([1.0, 5.0, 3.0]), 2)
    rustorch.return_types.topk(values=tensor([5., 3.]), indices=tensor([1, 2]))
    """
    check_tensor("topk", input)
    d = wrap_dim("topk", dim, input.ndim)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= _size(input, d):
        raise ValueOutOfRangeError(f"topk(): selected index k ({k}) out of range for dimension {d} of size {_size(input, d)}")
    recording = _recording("topk", None if out is None else out[0], (input,))
    s = sort(_untracked(input), d, descending=largest, stable=True)
    values, indices = (s.values, s.indices) if input.ndim == 0 else (
        creation.clone(views.narrow(s.values, d, 0, k)), creation.clone(views.narrow(s.indices, d, 0, k)))
    if out is not None:
        values, indices = write_out("topk", values, out[0]), write_out("topk", indices, out[1])
    if recording:
        record("TopkBackward0", _selection_backward, (input,), values, (input._shape, d, indices, True))
    return topk_result(values, indices)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The k-th smallest value along ``dim`` (k counts from 1) and its position.

    >>> import rustorch
    >>> rustorch.kthvalue(rustorch.tensor([3.0, 1.0, 2.0]), 2)
    rustorch.return_types.kthvalue(values=tensor(2.), indices=tensor(2))
    """
    check_tensor("kthvalue", input)
    d = wrap_dim("kthvalue", dim, input.ndim)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= _size(input, d):
        raise ValueOutOfRangeError(f"kthvalue(): selected number k ({k}) out of range for dimension {d} of size {_size(input, d)}")
    recording = _recording("kthvalue", None if out is None else out[0], (input,))
    s = sort(_untracked(input), d, stable=True)
    if input.ndim == 0:
        values, indices = s
    else:
        values, indices = views.select(s.values, d, k - 1), views.select(s.indices, d, k - 1)
        if keepdim:
            values, indices = views.unsqueeze(values, d), views.unsqueeze(indices, d)
        values, indices = creation.clone(values), creation.clone(indices)
    if out is not None:
        values, indices = write_out("kthvalue", values, out[0]), write_out("kthvalue", indices, out[1])
    if recording:
        record("KthvalueBackward0", _selection_backward, (input,), values,
               (input._shape, d, indices, keepdim or input.ndim == 0))
    return kthvalue_result(values, indices)


# triangles and diagonals ----------------------------------------------------------
def _triangle(op, input, diagonal, out, lower, inplace=False):
    check_tensor(op, input)
    diagonal = as_int(op, "diagonal", diagonal)
    if input.ndim < 2:
        raise ShapeError(f"{op}(): input tensor must have at least 2 dimensions, got shape {list(input._shape)}")
    rows, cols = input._shape[-2:]
    offsets = elementwise.sub(creation.arange(cols, device=input.device),
                              views.unsqueeze(creation.arange(rows, device=input.device), 1))
    keep = elementwise.le(offsets, diagonal) if lower else elementwise.ge(offsets, diagonal)
    recording = _recording(op, out, (input,))
    out = prepare_out(op, out, input._shape, input.dtype, input.device, inplace)
    out._storage.backend.where(keep, input, _number_for(input.dtype, 0), out)
    out._bump_version()
    if recording:
        record("TrilBackward0" if lower else "TriuBackward0", _triangle_backward, (input,), out, (diagonal, lower))
    return out


def _triangle_backward(node, grad, diagonal, lower):
    return _triangle("tril" if lower else "triu", grad, diagonal, None, lower)


def tril(input, diagonal=0, *, out=None):
    """The lower triangle of the last two dims (j - i <= diagonal kept), the rest zero.

    >>> import rustorch
    >>> rustorch.tril(rustorch.ones(2, 3, dtype=rustorch.int64))
    tensor([[1, 0, 0],
            [1, 1, 0]])
    """
    return _triangle("tril", input, diagonal, out, True)


def triu(input, diagonal=0, *, out=None):
    """The upper triangle of the last two dims (j - i >= diagonal kept), the rest zero.

    >>> import rustorch
    >>> rustorch.triu(rustorch.ones(2, 3, dtype=rustorch.int64), 1)
    tensor([[0, 1, 1],
            [0, 0, 1]])
    """
    return _triangle("triu", input, diagonal, out, False)


def tril_(input, diagonal=0):
    """In-place :func:`tril`."""
    return _triangle("tril_", input, diagonal, input, True, inplace=True)


def triu_(input, diagonal=0):
    """In-place :func:`triu`."""
    return _triangle("triu_", input, diagonal, input, False, inplace=True)


def diag(input, diagonal=0, *, out=None):
    """1-D input: a square matrix with it on the ``diagonal``-th diagonal; 2-D input: that diagonal.

    >>> import rustorch
    >>> rustorch.diag(rustorch.tensor([1, 2]), 1)
    tensor([[0, 1, 0],
            [0, 0, 2],
            [0, 0, 0]])
    """
    check_tensor("diag", input)
    if input.ndim not in (1, 2):
        raise ShapeError(f"diag(): supports 1D or 2D tensors, got {input.ndim}D")
    recording = _recording("diag", out, (input,))
    if input.ndim == 2:
        out = write_out("diag", creation.clone(views.diagonal(_untracked(input), diagonal)), out)
        if recording:
            record("DiagonalBackward0_copy", _diagonal_backward, (input,), out, (input._shape, diagonal))
        return out
    n = input._shape[0] + abs(diagonal)
    out = prepare_out("diag", out, (n, n), input.dtype, input.device)
    creation.fill_(out, 0)
    creation.copy_(views.diagonal(out, diagonal), _untracked(input))
    if recording:
        record("DiagEmbedBackward0", _diag_embed_backward, (input,), out, (diagonal, 0, 1))
    return out


def _diagonal_backward(node, grad, shape, diagonal):
    result = _zeros(shape, grad)
    creation.copy_(views.diagonal(result, diagonal), grad)
    return result


def _diag_embed_backward(node, grad, offset, dim1, dim2):
    return views.diagonal(grad, offset, dim1, dim2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices (in dims dim1, dim2 of the result) with the last dim of ``input`` on their ``offset`` diagonal.

    >>> import rustorch
    >>> rustorch.diag_embed(rustorch.tensor([[1, 2]])).shape
    rustorch.Size([1, 2, 2])
    """
    check_tensor("diag_embed", input)
    ndim = input.ndim + 1
    a = wrap_dim("diag_embed", dim1, ndim)
    b = wrap_dim("diag_embed", dim2, ndim)
    if a == b:
        raise ShapeError(f"diag_embed(): diagonal dimensions cannot be identical {dim1}, {dim2}")
    if input.ndim == 0:
        raise ShapeError("diag_embed(): expected a tensor with at least 1 dimension, got a 0-d tensor")
    n = input._shape[-1] + abs(offset)
    shape = list(input._shape[:-1])
    for pos in sorted((a, b)):
        shape.insert(pos, n)
    result = creation.zeros(shape, dtype=input.dtype, device=input.device)
    creation.copy_(views.diagonal(result, offset, a, b), _untracked(input))
    if STATE.enabled and input.requires_grad:
        record("DiagEmbedBackward0", _diag_embed_backward, (input,), result, (offset, a, b))
    return result


def trace(input):
    """The sum of the main diagonal of a matrix (integers sum to int64).

    >>> import rustorch
    >>> rustorch.trace(rustorch.arange(9).view(3, 3))
    tensor(12)
    """
    check_tensor("trace", input)
    if input.ndim != 2:
        raise ShapeError(f"trace(): expected a matrix, but got tensor with dim {input.ndim}")
    if input.dtype is _dtype.bool_:
        raise DTypeError("trace(): not implemented for bool tensors")
    dtype = input.dtype if input.dtype.is_floating_point or input.dtype.is_complex else _dtype.int64
    out = empty_tensor((1,), dtype, input.device)
    input._storage.backend.reduce("sum", views.diagonal(_untracked(input)), (0,), out)
    result = _make(out._storage, (), (), 0, dtype)  # not a view: out is ours alone
    if STATE.enabled and input.requires_grad:
        record("TraceBackward0", _trace_backward, (input,), result, (input._shape,))
    return result


def _trace_backward(node, grad, shape):
    return elementwise.mul(creation.eye(*shape, dtype=grad.dtype, device=grad.device), grad)


__all__ = [
    "index_put", "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_copy",
    "index_fill", "masked_fill", "masked_select", "masked_scatter", "where", "nonzero", "argwhere", "take",
    "take_along_dim", "sort", "argsort", "msort", "topk", "kthvalue", "tril", "triu", "diag", "diag_embed", "trace",
]
TENSOR_METHODS = [n for n in __all__ if n != "where"] + [
    "index_put_", "scatter_", "scatter_add_", "scatter_reduce_", "index_add_", "index_copy_", "index_fill_",
    "masked_fill_", "masked_scatter_", "tril_", "triu_"]
