"""Joining, repeating, flipping and rolling tensors: cat, stack, repeat, tile, flip, roll, repeat_interleave, ...

Each op allocates its result and fills it through the backend's ``copy_``
(into narrow()/view() windows of the result), so it runs on every backend.

>>> import rustorch
>>> rustorch.cat([rustorch.zeros(1, 2), rustorch.ones(1, 2)]).tolist()
[[0.0, 0.0], [1.0, 1.0]]
"""
from functools import reduce

import numpy as np

from .. import _dtype
from ..autograd.grad_mode import STATE, no_grad
from ..autograd.graph import check_inplace, record
from ..errors import DimensionError, DTypeError, InvalidArgumentError, ShapeError, ValueOutOfRangeError
from ..tensor import Tensor, _make, contiguous_strides, empty_tensor, view_of
from . import creation, views
from ._common import as_ints, check_same_device, check_tensor, prepare_out, wrap_dim, wrap_dims
from .indexing import _from_buffer, index_select


def _tensor_list(op, tensors):
    tensors = list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]
    for i, t in enumerate(tensors):
        check_tensor(op, t, f"tensors[{i}]")
    return tensors


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing ``dim`` (dtypes promote; 1-D empty tensors are skipped, as torch does).

    >>> import rustorch
    >>> rustorch.cat([rustorch.tensor([1, 2]), rustorch.tensor([3.5])])
    tensor([1.0000, 2.0000, 3.5000])
    """
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise InvalidArgumentError("cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise ShapeError(f"cat(): zero-dimensional tensor (at position {i}) cannot be concatenated")
    device = check_same_device("cat", *tensors)
    dtype = reduce(_dtype.promote_types, (t.dtype for t in tensors))
    parts = [(i, t) for i, t in enumerate(tensors) if t._shape != (0,)]
    ref = parts[0][1]._shape if parts else (0,)
    d = wrap_dim("cat", dim, len(ref))
    for i, t in parts:
        if t.ndim != len(ref):
            raise ShapeError(f"cat(): tensors must have the same number of dimensions: got {len(ref)} and {t.ndim} "
                             f"(shapes {list(ref)} and {list(t._shape)})")
        for k, (a, b) in enumerate(zip(ref, t._shape)):
            if k != d and a != b:
                raise ShapeError(f"cat(): sizes of tensors must match except in dimension {d}. Expected size {a} but "
                                 f"got size {b} for tensor number {i} in the list (shapes {list(ref)} and {list(t._shape)})")
    shape = ref[:d] + (sum(t._shape[d] for _, t in parts),) + ref[d + 1:]
    recording = False
    if out is not None:
        check_inplace("cat", out, tuple(tensors))  # raises when an input requires grad
    elif STATE.enabled:
        recording = any(t.requires_grad for t in tensors)
    out = prepare_out("cat", out, shape, dtype, device)
    spans = [None] * len(tensors)  # where each input landed along d (None: a skipped 1-D empty tensor)
    start = 0
    for i, t in parts:
        spans[i] = (start, t._shape[d])
        start += t._shape[d]
    _write_joined(out, [t for _, t in parts], d, False)
    out._bump_version()
    if recording:
        record("CatBackward0", _cat_backward, tuple(tensors), out, (d, spans))
    return out


def _cat_backward(node, grad, d, spans):
    grads = []
    for need, span in zip(node.needs_input_grad, spans):
        if not need:
            grads.append(None)
        elif span is None:  # a skipped 1-D empty input
            grads.append(creation.zeros(0, dtype=grad.dtype, device=grad.device))
        else:
            grads.append(views.narrow(grad, d, *span))
    return tuple(grads)


concat = cat


def concatenate(tensors, axis=0, out=None):
    """cat() with NumPy's ``axis`` name.

    >>> import rustorch
    >>> rustorch.concatenate([rustorch.zeros(2, 1), rustorch.ones(2, 1)], axis=1).shape
    rustorch.Size([2, 2])
    """
    return cat(tensors, axis, out=out)


def stack(tensors, dim=0, *, out=None):
    """Join tensors of equal shape along a new ``dim``.

    >>> import rustorch
    >>> rustorch.stack([rustorch.tensor([1, 2]), rustorch.tensor([3, 4])], dim=1)
    tensor([[1, 3],
            [2, 4]])
    """
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise ValueOutOfRangeError("stack(): expects a non-empty TensorList")
    first = tensors[0]._shape
    for i, t in enumerate(tensors):
        if t._shape != first:
            raise ShapeError(f"stack(): expects each tensor to be equal size, but got {list(first)} at entry 0 and "
                             f"{list(t._shape)} at entry {i}")
    d = wrap_dim("stack", dim, len(first) + 1)
    device = check_same_device("stack", *tensors)
    dtype = reduce(_dtype.promote_types, (t.dtype for t in tensors))
    recording = False
    if out is not None:
        check_inplace("stack", out, tuple(tensors))  # raises when an input requires grad
    elif STATE.enabled:
        recording = any(t.requires_grad for t in tensors)
    out = prepare_out("stack", out, first[:d] + (len(tensors),) + first[d:], dtype, device)
    _write_joined(out, tensors, d, True)
    out._bump_version()
    if recording:
        record("StackBackward0", _stack_backward, tuple(tensors), out, (d,))
    return out


def _write_joined(out, inputs, d, stacked):
    """Copy ``inputs`` one after another along ``d`` of ``out`` (each filling one index of it when ``stacked``),
    in one call where the backend has the ``cat`` fast path (a copy per input costs ~5 us of Python)."""
    if not out.numel():
        return
    backend = out._storage.backend
    try:
        backend.cat(inputs, d, out)
    except NotImplementedError:
        start = 0
        for t in inputs:
            n = 1 if stacked else t._shape[d]
            if n and t.numel():
                backend.copy_(views.select(out, d, start) if stacked else views.narrow(out, d, start, n), t)
            start += n


def _stack_backward(node, grad, d):
    return views.unbind(grad, d)


def _atleast(t, n):
    """``t`` viewed with at least ``n`` dims, as NumPy's atleast_{1,2,3}d pad them (with torch's view ops)."""
    dims = t.ndim
    if dims >= n:
        return t
    if dims == 0:
        return views.reshape(t, (1,) * n)
    if n == 3 and dims == 1:
        return views.unsqueeze(views.unsqueeze(t, 0), -1)
    return views.unsqueeze(t, -1 if n == 3 else 0)


def _atleast_all(n, tensors):
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return _atleast(tensors[0], n)
    if len(tensors) == 1:
        tensors = tensors[0]
    return tuple(_atleast(t, n) for t in _tensor_list(f"atleast_{n}d", tensors))


def atleast_1d(*tensors):
    """Each tensor viewed with at least 1 dim (one tensor in, one out; else a tuple).

    >>> import rustorch
    >>> rustorch.atleast_1d(rustorch.tensor(1.0)).shape
    rustorch.Size([1])
    """
    return _atleast_all(1, tensors)


def atleast_2d(*tensors):
    """Each tensor viewed with at least 2 dims (1-D (n,) becomes (1, n)).

    >>> import rustorch
    >>> rustorch.atleast_2d(rustorch.zeros(3)).shape
    rustorch.Size([1, 3])
    """
    return _atleast_all(2, tensors)


def atleast_3d(*tensors):
    """Each tensor viewed with at least 3 dims ((n,) becomes (1, n, 1), (m, n) becomes (m, n, 1)).

    >>> import rustorch
    >>> rustorch.atleast_3d(rustorch.zeros(2, 3)).shape
    rustorch.Size([2, 3, 1])
    """
    return _atleast_all(3, tensors)


def hstack(tensors, *, out=None):
    """Join along dim 1 (dim 0 for 1-D tensors).

    >>> import rustorch
    >>> rustorch.hstack([rustorch.tensor([1]), rustorch.tensor([2, 3])])
    tensor([1, 2, 3])
    """
    tensors = [_atleast(t, 1) for t in _tensor_list("hstack", tensors)]
    return cat(tensors, 0 if tensors and tensors[0].ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Join along dim 0, 1-D tensors as rows.

    >>> import rustorch
    >>> rustorch.vstack([rustorch.tensor([1, 2]), rustorch.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    """
    return cat([_atleast(t, 2) for t in _tensor_list("vstack", tensors)], 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Join along dim 2 (depth), after atleast_3d.

    >>> import rustorch
    >>> rustorch.dstack([rustorch.zeros(2, 2), rustorch.ones(2, 2)]).shape
    rustorch.Size([2, 2, 2])
    """
    return cat([_atleast(t, 3) for t in _tensor_list("dstack", tensors)], 2, out=out)


def column_stack(tensors, *, out=None):
    """Join along dim 1, 0-D and 1-D tensors as columns.

    >>> import rustorch
    >>> rustorch.column_stack([rustorch.tensor([1, 2]), rustorch.tensor([3, 4])])
    tensor([[1, 3],
            [2, 4]])
    """
    tensors = [views.reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t for t in _tensor_list("column_stack", tensors)]
    return cat(tensors, 1, out=out)


def _sizes(op, sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = sizes[0]
    sizes = as_ints(op, "sizes", tuple(sizes))
    if any(s < 0 for s in sizes):
        raise ValueOutOfRangeError(f"{op}(): sizes must be non-negative, got {list(sizes)}")
    return sizes


def repeat(input, *sizes):
    """Tile ``input`` ``sizes[i]`` times along dim i (extra leading sizes add dims).

    >>> import rustorch
    >>> rustorch.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    sizes = _sizes("repeat", sizes)
    if len(sizes) < input.ndim:
        raise ShapeError(f"repeat(): number of dimensions of repeat dims ({len(sizes)}) can not be smaller than number "
                         f"of dimensions of tensor ({input.ndim})")
    src = (1,) * (len(sizes) - input.ndim) + input._shape
    if STATE.enabled and input.requires_grad:
        with no_grad():
            out = _repeat(input, sizes, src)
        record("RepeatBackward0", _repeat_backward, (input,), out, (sizes, src, input._shape))
        return out
    return _repeat(input, sizes, src)


def _repeat(input, sizes, src):
    out = empty_tensor(tuple(r * s for r, s in zip(sizes, src)), input.dtype, input.device)
    if out.numel():
        # the result, viewed as (r0, s0, r1, s1, ...), is input viewed as (1, s0, 1, s1, ...) broadcast
        pairs = tuple(x for rs in zip(sizes, src) for x in rs)
        window = view_of(out, pairs, contiguous_strides(pairs), 0)
        out._storage.backend.copy_(window, views.reshape(input, tuple(x for s in src for x in (1, s))))
    return out


def _repeat_backward(node, grad, sizes, src, shape):
    # the gradient viewed as (r0, s0, r1, s1, ...), summed over the repeats
    grad = views.reshape(grad, tuple(x for rs in zip(sizes, src) for x in rs))
    repeated = [2 * i for i, r in enumerate(sizes) if r != 1]
    if repeated:
        grad = grad.sum(repeated, keepdim=True)
    return views.reshape(grad, shape)


def tile(input, dims):
    """repeat() with ``dims`` padded with leading 1s to input's number of dims.

    >>> import rustorch
    >>> rustorch.tile(rustorch.tensor([[1, 2]]), (2,))
    tensor([[1, 2, 1, 2]])
    """
    dims = _sizes("tile", (dims,))
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def flip(input, dims):
    """A copy with the order of elements reversed along ``dims``.

    >>> import rustorch
    >>> rustorch.flip(rustorch.arange(4).view(2, 2), [0, 1])
    tensor([[3, 2],
            [1, 0]])
    """
    check_tensor("flip", input)
    dims = wrap_dims("flip", dims, input.ndim)
    backend = input._storage.backend
    if not dims or input.ndim == 0 or input.numel() == 0:
        out = empty_tensor(input._shape, input.dtype, input.device)
        backend.copy_(out, input)
    else:
        # one gather with an open mesh of positions: reversed along ``dims``, in order elsewhere
        index = []
        for k, n in enumerate(input._shape):
            positions = (creation.arange(n - 1, -1, -1, device=input.device) if k in dims else
                         creation.arange(n, device=input.device))
            index.append(views.reshape(positions, tuple(n if j == k else 1 for j in range(input.ndim))))
        data, shape = backend.index_get(input, tuple(index))
        out = _from_buffer(input, data, shape, input.dtype)
    if STATE.enabled and input.requires_grad:
        record("FlipBackward0", _flip_backward, (input,), out, (dims,))
    return out


def _flip_backward(node, grad, dims):
    return flip(grad, dims)


def fliplr(input):
    """flip() along dim 1 (left/right); input must have at least 2 dims.

    >>> import rustorch
    >>> rustorch.fliplr(rustorch.tensor([[1, 2]]))
    tensor([[2, 1]])
    """
    if input.ndim < 2:
        raise ShapeError(f"fliplr(): input must be >= 2-d, got shape {list(input._shape)}")
    return flip(input, (1,))


def flipud(input):
    """flip() along dim 0 (up/down); input must have at least 1 dim.

    >>> import rustorch
    >>> rustorch.flipud(rustorch.tensor([1, 2]))
    tensor([2, 1])
    """
    if input.ndim < 1:
        raise ShapeError("flipud(): input must be >= 1-d, got a 0-d tensor")
    return flip(input, (0,))


def _roll1(input, shift, d):
    n = input._shape[d]
    out = empty_tensor(input._shape, input.dtype, input.device)
    s = shift % n if n else 0
    backend = out._storage.backend
    if out.numel():
        backend.copy_(views.narrow(out, d, s, n - s), views.narrow(input, d, 0, n - s))
        if s:
            backend.copy_(views.narrow(out, d, 0, s), views.narrow(input, d, n - s, s))
    return out


def roll(input, shifts, dims=None):
    """Shift elements along ``dims`` by ``shifts``, wrapping around; dims=None rolls the flattened tensor.

    >>> import rustorch
    >>> rustorch.roll(rustorch.arange(5), 2)
    tensor([3, 4, 0, 1, 2])
    """
    check_tensor("roll", input)
    shifts = as_ints("roll", "shifts", shifts)
    dims = () if dims is None else as_ints("roll", "dims", dims)
    if len(shifts) != max(len(dims), 1):
        raise ShapeError(f"roll(): shifts and dimensions must align. shifts: {len(shifts)}, dims: {len(dims)}")
    if dims and input.ndim == 0:
        raise DimensionError(f"roll(): dimension specified as {dims[0]} but tensor has no dimensions")
    dims = tuple(wrap_dim("roll", dim, input.ndim) for dim in dims)
    if STATE.enabled and input.requires_grad:
        with no_grad():
            out = _roll(input, shifts, dims)
        record("RollBackward0", _roll_backward, (input,), out, (shifts, dims))
        return out
    return _roll(input, shifts, dims)


def _roll(input, shifts, dims):
    if not dims:
        flat = _roll1(views.reshape(input, (-1,)), shifts[0], 0)
        return _make(flat._storage, input._shape, contiguous_strides(input._shape), 0, input.dtype)
    result = input
    for shift, d in zip(shifts, dims):
        result = _roll1(result, shift, d)
    return result


def _roll_backward(node, grad, shifts, dims):
    return roll(grad, tuple(-s for s in shifts), dims or None)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (each slice along ``dim``) ``repeats`` times; dim=None works on the flattened input.

    ``repeats`` is an int or a tensor of one count per slice. repeat_interleave(counts) alone repeats
    0, 1, 2, ... by ``counts``.

    >>> import rustorch
    >>> rustorch.repeat_interleave(rustorch.tensor([[1, 2], [3, 4]]), rustorch.tensor([1, 2]), dim=0)
    tensor([[1, 2],
            [3, 4],
            [3, 4]])
    """
    check_tensor("repeat_interleave", input)
    if repeats is None:
        if input.ndim != 1:
            raise ShapeError(f"repeat_interleave(): repeats must be 1-D, got shape {list(input._shape)}")
        return repeat_interleave(creation.arange(input.numel(), device=input.device), input, 0, output_size=output_size)
    if dim is None:
        input, d = views.reshape(input, (-1,)), 0
    else:
        d = wrap_dim("repeat_interleave", dim, input.ndim)
        input = views.reshape(input, (1,)) if input.ndim == 0 else input
    n = input._shape[d]
    if isinstance(repeats, Tensor):
        check_same_device("repeat_interleave", input, repeats)
        if repeats.dtype not in (_dtype.int32, _dtype.int64):
            raise DTypeError(f"repeat_interleave(): repeats must be an int32 or int64 tensor, got {repeats.dtype}")
        if repeats.ndim > 1:
            raise ShapeError(f"repeat_interleave(): repeats must be 0-d or 1-d, got shape {list(repeats._shape)}")
        counts = views.reshape(repeats, (-1,)).tolist()  # the result's size depends on them, as in torch
        counts = counts * n if len(counts) == 1 else counts
        if len(counts) != n:
            raise ShapeError(f"repeat_interleave(): repeats must have the same size as input along dim, but got "
                             f"repeats.size(0) = {len(counts)} and input.size({d}) = {n}")
    else:
        counts = [int(repeats)] * n
    if any(c < 0 for c in counts):
        raise ValueOutOfRangeError(f"repeat_interleave(): repeats can not be negative, got {min(counts)}")
    if output_size is not None and output_size != sum(counts):
        raise ValueOutOfRangeError(f"repeat_interleave(): output_size {output_size} does not match the sum of repeats {sum(counts)}")
    if not isinstance(repeats, Tensor):
        # each slice along d repeated in a new dim after it, then the two dims merged (torch's composition)
        r, shape = int(repeats), input._shape
        tiles = views.expand(views.unsqueeze(input, d + 1), shape[:d + 1] + (r,) + shape[d + 1:])
        return views.view(creation.clone(tiles), shape[:d] + (n * r,) + shape[d + 1:])
    positions = creation.tensor(np.repeat(np.arange(n, dtype=np.int64), counts), device=input.device)
    return index_select(input, d, positions)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first dim towards the second).

    >>> import rustorch
    >>> rustorch.rot90(rustorch.tensor([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [1, 3]])
    """
    check_tensor("rot90", input)
    dims = tuple(dims)
    if len(dims) != 2:
        raise ShapeError(f"rot90(): expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise ShapeError(f"rot90(): expected total dims >= 2, but got total dims = {input.ndim}")
    a, b = (wrap_dim("rot90", x, input.ndim) for x in dims)
    if a == b:
        raise ShapeError(f"rot90(): expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    k %= 4
    if STATE.enabled and input.requires_grad:
        with no_grad():
            out = _rot90(input, k, a, b)
        record("Rot90Backward0", _rot90_backward, (input,), out, (k, a, b))
        return out
    return _rot90(input, k, a, b)


def _rot90(input, k, a, b):
    if k == 2:
        return flip(input, (a, b))
    if k == 0:
        return creation.clone(input)
    t = views.transpose(flip(input, (b if k == 1 else a,)), a, b)
    # the flipped copy's memory, transposed (torch's transpose_): the result is no view of a temporary
    return _make(t._storage, t._shape, t._stride, t._offset, t.dtype)


def _rot90_backward(node, grad, k, a, b):
    return rot90(grad, -k, (a, b))


__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack", "column_stack",
           "atleast_1d", "atleast_2d", "atleast_3d", "tile", "flip", "fliplr", "flipud", "roll", "repeat_interleave",
           "rot90"]
TENSOR_METHODS = ["repeat", "tile", "flip", "fliplr", "flipud", "roll", "repeat_interleave", "rot90"]
