"""Views: ops that return a tensor sharing ``input``'s storage with new shape/strides/offset.

An in-place write through any view is seen by every other view of the storage.

>>> import rustorch
>>> x = rustorch.zeros(2, 3); x.t()[0, 1] = 5; x[1, 0].item()
5.0
"""
from ..errors import InvalidTypeError, ShapeError, ValueOutOfRangeError
from ..tensor import Tensor, contiguous_strides, numel_of, view_of
from ._common import as_int, as_ints, check_tensor, wrap_dim, wrap_dims


def infer_size(op, shape, numel):
    """Replace one -1 in ``shape`` so the sizes multiply to ``numel``."""
    shape = list(shape)
    infer = [i for i, s in enumerate(shape) if s == -1]
    if len(infer) > 1:
        raise ShapeError(f"{op}(): only one dimension can be inferred, got shape {shape}")
    if any(s < -1 for s in shape):
        raise ValueOutOfRangeError(f"{op}(): invalid shape dimension {min(shape)} in {shape}")
    known = numel_of(s for s in shape if s != -1)
    if infer:
        if known == 0 or numel % known:
            raise ShapeError(f"{op}(): shape '{shape}' is invalid for input of size {numel}")
        shape[infer[0]] = numel // known
    elif known != numel:
        raise ShapeError(f"{op}(): shape '{shape}' is invalid for input of size {numel}")
    return tuple(shape)


def view_strides(oldshape, oldstride, newshape):
    """Strides viewing (oldshape, oldstride) memory as newshape, or None if no view exists (torch's computeStride)."""
    if not oldshape:
        return tuple(1 for _ in newshape)
    if numel_of(oldshape) == 0:
        return contiguous_strides(newshape)
    newstride = [0] * len(newshape)
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        if tensor_d == 0 or (oldshape[tensor_d - 1] != 1 and oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                newstride[view_d] = view_numel * chunk_base_stride
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = oldstride[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(newstride)


def _shape_args(op, shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, int):
            raise InvalidTypeError(f"{op}(): shape must be a sequence of ints, got {tuple(shape)}")
    return tuple(shape)


def view(input, *shape):
    """The same data with another shape; the memory layout must allow it (else use reshape).

    >>> import rustorch
    >>> rustorch.arange(6).view(2, -1).shape
    rustorch.Size([2, 3])
    """
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        from .._dtype import dtype

        if isinstance(shape[0], dtype):
            return view_as_dtype(input, shape[0])
    shape = infer_size("view", _shape_args("view", shape), input.numel())
    strides = view_strides(input._shape, input._stride, shape)
    if strides is None:
        raise ShapeError(
            f"view(): view size {list(shape)} is not compatible with input tensor's size {list(input._shape)} and "
            f"stride {list(input._stride)} (at least one dimension spans across two contiguous subspaces). "
            "Use .reshape(...) instead."
        )
    return view_of(input, shape, strides, input._offset)


def view_as_dtype(input, dtype):
    """Reinterpret the bytes as another dtype of the same size.

    >>> import rustorch
    >>> rustorch.tensor([1.0]).view(rustorch.int32)
    tensor([1065353216], dtype=rustorch.int32)
    """
    if dtype.itemsize != input.dtype.itemsize:
        raise ShapeError(f"view(): changing the element size from {input.dtype.itemsize} to {dtype.itemsize} bytes is not supported")
    from .creation import tensor_from_array

    return tensor_from_array(input._array().view(dtype.np), input.device, dtype) if not input.is_contiguous() else \
        _retyped(input, dtype)


def _retyped(input, dtype):
    from ..tensor import Storage, _make

    storage = input._storage
    data = storage.data.view(dtype.np)
    return _make(Storage(data, storage.device, storage.backend), input._shape, input._stride, input._offset, dtype)


def view_as(input, other):
    return view(input, other._shape)


def reshape(input, *shape):
    """A view when the layout allows, else a contiguous copy with the new shape.

    >>> import rustorch
    >>> rustorch.arange(6).reshape(3, 2).t().reshape(-1)
    tensor([0, 2, 4, 1, 3, 5])
    """
    shape = infer_size("reshape", _shape_args("reshape", shape), input.numel())
    strides = view_strides(input._shape, input._stride, shape)
    if strides is not None:
        return view_of(input, shape, strides, input._offset)
    from .creation import clone

    c = clone(input)
    return view_of(c, shape, contiguous_strides(shape), 0)


def reshape_as(input, other):
    return reshape(input, other._shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim into one.

    >>> import rustorch
    >>> rustorch.zeros(2, 3, 4).flatten(1).shape
    rustorch.Size([2, 12])
    """
    if input.ndim == 0:
        return reshape(input, (1,))
    s = wrap_dim("flatten", start_dim, input.ndim)
    e = wrap_dim("flatten", end_dim, input.ndim)
    if s > e:
        raise ValueOutOfRangeError(f"flatten(): start_dim ({start_dim}) cannot come after end_dim ({end_dim})")
    shape = input._shape[:s] + (numel_of(input._shape[s:e + 1]),) + input._shape[e + 1:]
    return reshape(input, shape)


def unflatten(input, dim, sizes):
    """Split dim into ``sizes`` (one may be -1).

    >>> import rustorch
    >>> rustorch.zeros(2, 12).unflatten(1, (3, 4)).shape
    rustorch.Size([2, 3, 4])
    """
    d = wrap_dim("unflatten", dim, input.ndim)
    sizes = infer_size("unflatten", as_ints("unflatten", "sizes", sizes), input._shape[d])
    return view(input, input._shape[:d] + tuple(sizes) + input._shape[d + 1:])


def ravel(input):
    """A flat (1-D) view when possible, else a copy.

    >>> import rustorch
    >>> rustorch.tensor([[1, 2], [3, 4]]).ravel()
    tensor([1, 2, 3, 4])
    """
    return reshape(input, (-1,))


def squeeze(input, dim=None):
    """Drop dims of size 1 (all of them, or those in ``dim``).

    >>> import rustorch
    >>> rustorch.zeros(1, 2, 1).squeeze().shape
    rustorch.Size([2])
    """
    dims = wrap_dims("squeeze", dim, input.ndim) if input.ndim else ()
    keep = [i for i in range(input.ndim) if not (i in dims and input._shape[i] == 1)]
    return view_of(input, [input._shape[i] for i in keep], [input._stride[i] for i in keep], input._offset)


def unsqueeze(input, dim):
    """Insert a dim of size 1 at ``dim``.

    >>> import rustorch
    >>> rustorch.zeros(3).unsqueeze(0).shape
    rustorch.Size([1, 3])
    """
    d = wrap_dim("unsqueeze", dim, input.ndim + 1)
    shape = list(input._shape)
    stride = list(input._stride)
    new_stride = shape[d] * stride[d] if d < input.ndim else 1
    shape.insert(d, 1)
    stride.insert(d, new_stride)
    return view_of(input, shape, stride, input._offset)


def transpose(input, dim0, dim1):
    """Swap two dims.

    >>> import rustorch
    >>> rustorch.zeros(2, 3).transpose(0, 1).shape
    rustorch.Size([3, 2])
    """
    n = input.ndim
    a = wrap_dim("transpose", dim0, n)
    b = wrap_dim("transpose", dim1, n)
    if n == 0:
        return view_of(input, (), (), input._offset)
    shape = list(input._shape)
    stride = list(input._stride)
    shape[a], shape[b] = shape[b], shape[a]
    stride[a], stride[b] = stride[b], stride[a]
    return view_of(input, shape, stride, input._offset)


swapaxes = swapdims = transpose


def t(input):
    """Transpose of a tensor with at most 2 dims.

    >>> import rustorch
    >>> rustorch.tensor([[1, 2]]).t()
    tensor([[1],
            [2]])
    """
    if input.ndim > 2:
        raise ShapeError(f"t(): expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return transpose(input, 0, 1) if input.ndim == 2 else view_of(input, input._shape, input._stride, input._offset)


def permute(input, *dims):
    """Reorder the dims.

    >>> import rustorch
    >>> rustorch.zeros(2, 3, 4).permute(2, 0, 1).shape
    rustorch.Size([4, 2, 3])
    """
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    if len(dims) != input.ndim:
        raise ShapeError(f"permute(): number of dims don't match in permute: got {len(dims)} dims for a {input.ndim}-d tensor")
    order = [wrap_dim("permute", d, input.ndim) for d in dims]
    if len(set(order)) != len(order):
        raise ShapeError(f"permute(): repeated dim in {tuple(dims)}")
    return view_of(input, [input._shape[i] for i in order], [input._stride[i] for i in order], input._offset)


def movedim(input, source, destination):
    """Move dims from ``source`` to ``destination`` positions.

    >>> import rustorch
    >>> rustorch.zeros(2, 3, 4).movedim(0, -1).shape
    rustorch.Size([3, 4, 2])
    """
    src = list(as_ints("movedim", "source", source))
    dst = list(as_ints("movedim", "destination", destination))
    if len(src) != len(dst):
        raise ShapeError(f"movedim(): invalid source or destination dims: source ({src}) and destination ({dst}) must have the same number of elements")
    n = input.ndim
    src = [wrap_dim("movedim", d, n) for d in src]
    dst = [wrap_dim("movedim", d, n) for d in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ShapeError(f"movedim(): repeated dim in source {src} or destination {dst}")
    order = [None] * n
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(n) if i not in src)
    order = [o if o is not None else next(rest) for o in order]
    return permute(input, order)


moveaxis = movedim


def expand(input, *sizes):
    """Broadcast to ``sizes`` without copying (-1 keeps a size); expanded dims get stride 0.

    >>> import rustorch
    >>> rustorch.tensor([1, 2]).expand(3, 2).stride()
    (0, 1)
    """
    sizes = _shape_args("expand", sizes)
    n = input.ndim
    if len(sizes) < n:
        raise ShapeError(f"expand(): the number of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({n})")
    lead = len(sizes) - n
    shape, stride = [], []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise ShapeError(f"expand(): the expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}")
            shape.append(s)
            stride.append(0)
            continue
        old = input._shape[i - lead]
        if s == -1:
            s = old
        if s != old:
            if old != 1:
                raise ShapeError(
                    f"expand(): the expanded size of the tensor ({s}) must match the existing size ({old}) at "
                    f"non-singleton dimension {i}. Target sizes: {list(sizes)}. Tensor sizes: {list(input._shape)}"
                )
            shape.append(s)
            stride.append(0)
        else:
            shape.append(s)
            stride.append(input._stride[i - lead])
    return view_of(input, shape, stride, input._offset)


def expand_as(input, other):
    return expand(input, other._shape)


def broadcast_to(input, size):
    """input expanded (without copying) to ``size``.

    >>> import rustorch
    >>> rustorch.broadcast_to(rustorch.tensor([1, 2]), (2, 2))
    tensor([[1, 2],
            [1, 2]])
    """
    return expand(input, size)


def broadcast_tensors(*tensors):
    """Expand every tensor to their common broadcast shape.

    >>> import rustorch
    >>> [t.shape for t in rustorch.broadcast_tensors(rustorch.zeros(2, 1), rustorch.zeros(3))]
    [rustorch.Size([2, 3]), rustorch.Size([2, 3])]
    """
    from ._common import broadcast_shapes

    shape = broadcast_shapes("broadcast_tensors", *(t._shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def narrow(input, dim, start, length):
    """The slice [start, start + length) of ``dim``, as a view.

    >>> import rustorch
    >>> rustorch.arange(5).narrow(0, 1, 3)
    tensor([1, 2, 3])
    """
    d = wrap_dim("narrow", dim, input.ndim)
    size = input._shape[d]
    if isinstance(start, Tensor):
        start = start.item()
    start = as_int("narrow", "start", start)
    length = as_int("narrow", "length", length)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise ValueOutOfRangeError(f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({size}).")
    shape = list(input._shape)
    shape[d] = length
    return view_of(input, shape, input._stride, input._offset + start * input._stride[d])


def select(input, dim, index):
    """The ``index``-th slice of ``dim`` (that dim removed), as a view.

    >>> import rustorch
    >>> rustorch.arange(6).view(2, 3).select(1, 2)
    tensor([2, 5])
    """
    d = wrap_dim("select", dim, input.ndim)
    index = as_int("select", "index", index)
    size = input._shape[d]
    if not -size <= index < size:
        from ..errors import IndexOutOfRangeError

        raise IndexOutOfRangeError(f"select(): index {index} out of range for tensor of size {list(input._shape)} at dimension {d}")
    index %= size
    return view_of(input, input._shape[:d] + input._shape[d + 1:], input._stride[:d] + input._stride[d + 1:],
                   input._offset + index * input._stride[d])


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the (dim1, dim2) planes as a view, moved to the last dim.

    >>> import rustorch
    >>> rustorch.arange(9).view(3, 3).diagonal()
    tensor([0, 4, 8])
    """
    offset = as_int("diagonal", "offset", offset)
    n = input.ndim
    a = wrap_dim("diagonal", dim1, n)
    b = wrap_dim("diagonal", dim2, n)
    if a == b:
        raise ShapeError(f"diagonal(): dimensions cannot be identical {dim1}, {dim2}")
    sa, sb = input._shape[a], input._shape[b]
    start = input._offset
    if offset >= 0:
        length = max(min(sa, sb - offset), 0)
        start += offset * input._stride[b] if length else 0
    else:
        length = max(min(sa + offset, sb), 0)
        start += -offset * input._stride[a] if length else 0
    keep = [i for i in range(n) if i not in (a, b)]
    shape = [input._shape[i] for i in keep] + [length]
    stride = [input._stride[i] for i in keep] + [input._stride[a] + input._stride[b]]
    return view_of(input, shape, stride, start)


def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple of views.

    >>> import rustorch
    >>> len(rustorch.zeros(3, 2).unbind())
    3
    """
    d = wrap_dim("unbind", dim, input.ndim)
    return tuple(select(input, d, i) for i in range(input._shape[d]))


def split(tensor, split_size_or_sections, dim=0):
    """Views of consecutive pieces of ``dim``: equal pieces of a size (the last may be smaller), or the sizes listed.

    >>> import rustorch
    >>> [p.tolist() for p in rustorch.arange(5).split(2)]
    [[0, 1], [2, 3], [4]]
    """
    check_tensor("split", tensor, "tensor")
    d = wrap_dim("split", dim, tensor.ndim)
    size = tensor._shape[d]
    if not isinstance(split_size_or_sections, (list, tuple)):
        step = as_int("split", "split_size", split_size_or_sections)
        if step < 0 or (step == 0 and size != 0):
            raise ValueOutOfRangeError(f"split(): split_size can only be 0 if dimension size is 0, but got {step}")
        sizes = [min(step, size - i) for i in range(0, size, step)] if step else [0]
    else:
        sizes = list(as_ints("split", "split_sizes", split_size_or_sections))
        if sum(sizes) != size or any(s < 0 for s in sizes):
            raise ShapeError(f"split_with_sizes(): expects split_sizes to sum exactly to {size} (input tensor's size at dimension {d}), but got split_sizes={sizes}")
    pieces, start = [], 0
    for s in sizes:
        pieces.append(narrow(tensor, d, start, s))
        start += s
    return tuple(pieces)


def chunk(input, chunks, dim=0):
    """Up to ``chunks`` views of (nearly) equal size along ``dim``.

    >>> import rustorch
    >>> [c.numel() for c in rustorch.arange(5).chunk(2)]
    [3, 2]
    """
    if not isinstance(chunks, int) or chunks <= 0:
        raise ValueOutOfRangeError(f"chunk(): chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim("chunk", dim, input.ndim)
    size = input._shape[d]
    step = -(-size // chunks) if size else 0
    if step == 0:
        return tuple(narrow(input, d, 0, 0) for _ in range(chunks if size == 0 else 1))
    return split(input, step, d)


def tensor_split(input, indices_or_sections, dim=0):
    """Split into n nearly equal parts (the first ones larger), or at the given indices.

    >>> import rustorch
    >>> [p.tolist() for p in rustorch.arange(5).tensor_split(2)]
    [[0, 1, 2], [3, 4]]
    """
    d = wrap_dim("tensor_split", dim, input.ndim)
    size = input._shape[d]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()  # a 0-d tensor is a count, a 1-d one indices
    if not isinstance(indices_or_sections, (list, tuple)):
        n = as_int("tensor_split", "sections", indices_or_sections)
        if n <= 0:
            raise ValueOutOfRangeError(f"tensor_split(): number of sections must be larger than 0, got {n}")
        q, r = divmod(size, n)
        bounds = [0]
        for i in range(n):
            bounds.append(bounds[-1] + q + (1 if i < r else 0))
    else:
        idx = as_ints("tensor_split", "indices", indices_or_sections)
        bounds = [0] + [min(max(i if i >= 0 else i + size, 0), size) for i in idx] + [size]
    return tuple(narrow(input, d, a, max(b - a, 0)) for a, b in zip(bounds, bounds[1:]))


def as_strided(input, size, stride, storage_offset=None):
    """A view with explicit size, stride and offset into the storage (bounds checked).

    >>> import rustorch
    >>> rustorch.arange(6).as_strided((2, 2), (1, 2))
    tensor([[0, 2],
            [1, 3]])
    """
    size, stride = as_ints("as_strided", "size", size), as_ints("as_strided", "stride", stride)
    offset = input._offset if storage_offset is None else as_int("as_strided", "storage_offset", storage_offset)
    if len(size) != len(stride) or any(s < 0 for s in size) or any(s < 0 for s in stride) or offset < 0:
        raise ValueOutOfRangeError(f"as_strided(): invalid size {list(size)}, stride {list(stride)} or offset {offset}")
    needed = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride)) if numel_of(size) else 0
    if needed > len(input._storage.data):
        raise ValueOutOfRangeError(
            f"as_strided(): setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset} require "
            f"{needed} elements but the storage holds {len(input._storage.data)}"
        )
    return view_of(input, size, stride, offset)


__all__ = ["view_as_dtype", "reshape", "flatten", "unflatten", "ravel", "squeeze", "unsqueeze", "transpose", "swapaxes",
           "swapdims", "t", "permute", "movedim", "moveaxis", "broadcast_to", "broadcast_tensors", "narrow", "select",
           "diagonal", "unbind", "split", "chunk", "tensor_split", "as_strided"]
TENSOR_METHODS = [n for n in __all__ if n not in ("view_as_dtype", "broadcast_tensors")] + [
    "view", "view_as", "reshape_as", "expand", "expand_as"]
