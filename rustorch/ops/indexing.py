"""Indexing: ``x[...]`` and ``x[...] = v``, gather/scatter, masks, sorting, triangles.

Basic indices (ints, slices with positive steps, None, Ellipsis) give views;
advanced indices (integer or bool tensors, lists, arrays) follow NumPy's rules,
as torch does, and give copies.

>>> import rustorch
>>> x = rustorch.arange(6).view(2, 3)
>>> x[:, 1], x[x > 3]
(tensor([1, 4]), tensor([4, 5]))
"""
import numpy as np

from .. import _dtype
from ..errors import DTypeError, IndexOutOfRangeError, InvalidTypeError, ValueOutOfRangeError
from ..tensor import Tensor, _make, Storage, view_of
from ._common import check_same_device


def _is_basic(i):
    return i is None or i is Ellipsis or isinstance(i, slice) or (isinstance(i, (int, np.integer)) and not isinstance(i, bool))


def _normalize_index(x, index):
    """A tuple of index items with lists/arrays turned into tensors (and advanced-index dtypes checked)."""
    if not isinstance(index, tuple):
        index = (index,)
    items = []
    for i in index:
        if isinstance(i, (list, np.ndarray)) or isinstance(i, bool):
            from .creation import tensor

            i = tensor(i, device=x.device)
        if isinstance(i, Tensor):
            if i.dtype.is_floating_point or i.dtype.is_complex:
                raise IndexOutOfRangeError(f"index: tensors used as indices must be long, int, byte or bool tensors, got {i.dtype}")
            check_same_device("index", x, i)
        elif not _is_basic(i):
            raise InvalidTypeError(
                f"index: only integers, slices (`:`), ellipsis (`...`), None and long or bool tensors are valid indices "
                f"(got {type(i).__name__})"
            )
        items.append(i)
    return tuple(items)


def _consumed(i):
    if i is None or i is Ellipsis:
        return 0
    if isinstance(i, Tensor) and i.dtype in (_dtype.bool_, _dtype.uint8):
        return max(i.ndim, 1) if i.ndim else 0
    return 1


def _basic_view(x, index):
    """The view selected by a tuple of basic index items."""
    n_used = sum(_consumed(i) for i in index)
    if n_used > x.ndim:
        raise IndexOutOfRangeError(f"index: too many indices for tensor of dimension {x.ndim}")
    if sum(1 for i in index if i is Ellipsis) > 1:
        raise IndexOutOfRangeError("index: an index can only have a single ellipsis ('...')")
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
            size = x._shape[d]
            start, stop, step = i.indices(size) if i.step is None or i.step > 0 else (0, 0, 0)
            if i.step is not None and i.step <= 0:
                raise ValueOutOfRangeError("index: step must be greater than zero")
            length = len(range(start, stop, step))
            offset += start * x._stride[d] if length else 0
            shape.append(length)
            stride.append(x._stride[d] * step)
            d += 1
        else:
            size = x._shape[d]
            if not -size <= i < size:
                raise IndexOutOfRangeError(f"index {i} is out of bounds for dimension {d} with size {size}")
            offset += (i % size) * x._stride[d]
            d += 1
    shape.extend(x._shape[d:])
    stride.extend(x._stride[d:])
    return view_of(x, shape, stride, offset)


def getitem(x, index):
    index = _normalize_index(x, index)
    if all(_is_basic(i) for i in index):
        return _basic_view(x, index)
    data, shape = x._storage.backend.index_get(x, index)
    strides = tuple(np.cumprod((1,) + shape[:0:-1])[::-1].tolist()) if shape else ()
    return _make(Storage(data, x.device, x._storage.backend), tuple(shape), strides, 0, x.dtype)


def setitem(x, index, value):
    index = _normalize_index(x, index)
    if isinstance(value, (list, tuple, np.ndarray)):
        from .creation import tensor

        value = tensor(value, dtype=x.dtype, device=x.device)
    if isinstance(value, Tensor):
        check_same_device("index_put_", x, value)
    if all(_is_basic(i) for i in index):
        target = _basic_view(x, index)
        if isinstance(value, Tensor):
            target.copy_(value)
        else:
            target.fill_(value)
        x._bump_version()
        return
    x._storage.backend.index_put_(x, index, value, False)
    x._bump_version()


def index_put_(input, indices, values, accumulate=False):
    """input[indices] = values (or += when accumulate, summing repeated indices).

    >>> import rustorch
    >>> x = rustorch.zeros(3); x.index_put_((rustorch.tensor([0, 0]),), rustorch.tensor(1.0), accumulate=True)
    tensor([2., 0., 0.])
    """
    index = _normalize_index(input, tuple(indices))
    if isinstance(values, Tensor):
        check_same_device("index_put_", input, values)
    input._storage.backend.index_put_(input, index, values, accumulate)
    input._bump_version()
    return input


def index_put(input, indices, values, accumulate=False):
    """An out-of-place index_put_: a copy of input with input[indices] = values.

    >>> import rustorch
    >>> rustorch.zeros(3).index_put((rustorch.tensor([1]),), rustorch.tensor(5.0))
    tensor([0., 5., 0.])
    """
    return index_put_(input.clone(), indices, values, accumulate)


__all__ = ["index_put"]
TENSOR_METHODS = ["index_put_", "index_put"]
