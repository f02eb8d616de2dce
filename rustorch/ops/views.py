"""Views: ops that return a tensor sharing ``input``'s storage with new shape/strides/offset.

An in-place write through any view is seen by every other view of the storage.

>>> import rustorch
>>> x = rustorch.zeros(2, 3); x.t()[0, 1] = 5; x[1, 0].item()
5.0
"""
from .. import _dtype
from ..autograd.grad_mode import STATE, no_grad
from ..autograd.graph import record
from ..errors import InvalidTypeError, ShapeError, ValueOutOfRangeError
from ..tensor import Tensor, _make, contiguous_strides, numel_of, view_of
from ._common import as_int, as_ints, check_tensor, wrap_dim, wrap_dims


def _view(input, shape, stride, offset, name, backward, *saved):
    """view_of(input, ...), recorded as ``name`` (backward(node, grad, *saved)) when input requires grad."""
    out = view_of(input, shape, stride, offset)
    if STATE.enabled and input.requires_grad:
        record(name, backward, (input,), out, saved)
    return out


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
    return _view(input, shape, strides, input._offset, "ViewBackward0", _reshape_backward, input._shape)


def _reshape_backward(node, grad, shape):
    return reshape(grad, shape)


def view_as_dtype(input, dtype):
    """Reinterpret the bytes as another dtype of the same size (not differentiable: the result never requires grad).

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
        return _view(input, shape, strides, input._offset, "ViewBackward0", _reshape_backward, input._shape)
    from .creation import clone

    c = clone(input)
    # torch's _unsafe_view: the copy is the result's own memory, not a view
    out = _make(c._storage, shape, contiguous_strides(shape), 0, c.dtype)
    if STATE.enabled and c.requires_grad:
        record("UnsafeViewBackward0", _reshape_backward, (c,), out, (c._shape,))
    return out


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
    if s == e:
        return input
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
    from .creation import contiguous

    return view(contiguous(input), (-1,))  # torch's composition (and so its nodes)


def squeeze(input, dim=None):
    """Drop dims of size 1 (all of them, or those in ``dim``).

    >>> import rustorch
    >>> rustorch.zeros(1, 2, 1).squeeze().shape
    rustorch.Size([2])
    """
    dims = wrap_dims("squeeze", dim, input.ndim) if input.ndim else ()
    keep = [i for i in range(input.ndim) if not (i in dims and input._shape[i] == 1)]
    # torch's node per overload: squeeze(), squeeze(int), squeeze(dims)
    name = ("SqueezeBackward0" if dim is None else
            "SqueezeBackward2" if isinstance(dim, (tuple, list)) else "SqueezeBackward1")
    return _view(input, [input._shape[i] for i in keep], [input._stride[i] for i in keep], input._offset, name,
                 _reshape_backward, input._shape)


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
    return _view(input, shape, stride, input._offset, "UnsqueezeBackward0", _unsqueeze_backward, d)


def _unsqueeze_backward(node, grad, d):
    return squeeze(grad, d)


def transpose(input, dim0, dim1):
    """Swap two dims.

    >>> import rustorch
    >>> rustorch.zeros(2, 3).transpose(0, 1).shape
    rustorch.Size([3, 2])
    """
    n = input.ndim
    a = wrap_dim("transpose", dim0, n)
    b = wrap_dim("transpose", dim1, n)
    shape = list(input._shape)
    stride = list(input._stride)
    if n:
        shape[a], shape[b] = shape[b], shape[a]
        stride[a], stride[b] = stride[b], stride[a]
    return _view(input, shape, stride, input._offset, "TransposeBackward0", _transpose_backward, a, b)


def _transpose_backward(node, grad, a, b):
    return transpose(grad, a, b)


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
    shape, stride = input._shape, input._stride
    if input.ndim == 2:
        shape, stride = shape[::-1], stride[::-1]
    return _view(input, shape, stride, input._offset, "TBackward0", _t_backward)


def _t_backward(node, grad):
    return t(grad)


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
    return _view(input, [input._shape[i] for i in order], [input._stride[i] for i in order], input._offset,
                 "PermuteBackward0", _permute_backward, order)


def _permute_backward(node, grad, order):
    inverse = [0] * len(order)
    for i, o in enumerate(order):
        inverse[o] = i
    return permute(grad, inverse)


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
    return _view(input, shape, stride, input._offset, "ExpandBackward0", _expand_backward)


def _expand_backward(node, grad):
    return grad  # the engine sums it over the expanded dims, back to the input's shape


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
    return tuple(t if t._shape == shape else expand(t, shape) for t in tensors)


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
    return _view(input, shape, input._stride, input._offset + start * input._stride[d], "SliceBackward0",
                 _narrow_backward, input._shape, d, start, length)


def _narrow_backward(node, grad, shape, d, start, length):
    return _embed(grad, shape, lambda g: narrow(g, d, start, length), "SliceBackwardBackward0")


def _embed(grad, shape, view_fn, name):
    """Zeros of ``shape`` holding ``grad`` in their ``view_fn`` view: the backward of that view (select, narrow, ...).

    It is linear in grad, so its own backward (recorded under create_graph) is ``view_fn`` again.
    """
    from .creation import zeros

    with no_grad():
        result = zeros(shape, dtype=grad.dtype, device=grad.device)
        region = view_fn(result)
        result._storage.backend.copy_(region, grad)
    if STATE.enabled and grad.requires_grad:
        record(name, _embed_backward, (grad,), result, (view_fn,))
    return result


def _embed_backward(node, grad, view_fn):
    return view_fn(grad)


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
    return _view(input, input._shape[:d] + input._shape[d + 1:], input._stride[:d] + input._stride[d + 1:],
                 input._offset + index * input._stride[d], "SelectBackward0", _select_backward, input._shape, d, index)


def _select_backward(node, grad, shape, d, index):
    return _embed(grad, shape, lambda g: select(g, d, index), "SelectBackwardBackward0")


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
    return _view(input, shape, stride, start, "DiagonalBackward0", _diagonal_backward, input._shape, offset, a, b)


def _diagonal_backward(node, grad, shape, offset, a, b):
    return _embed(grad, shape, lambda g: diagonal(g, offset, a, b), "DiagonalBackwardBackward0")


def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple of views.

    >>> import rustorch
    >>> len(rustorch.zeros(3, 2).unbind())
    3
    """
    d = wrap_dim("unbind", dim, input.ndim)
    shape, stride = input._shape[:d] + input._shape[d + 1:], input._stride[:d] + input._stride[d + 1:]
    pieces = tuple(view_of(input, shape, stride, input._offset + i * input._stride[d]) for i in range(input._shape[d]))
    if pieces and STATE.enabled and input.requires_grad:
        record("UnbindBackward0", _unbind_backward, (input,), pieces, (d, shape))
    return pieces


def _unbind_backward(node, grads, d, shape):
    from .shape import stack

    return stack(_fill_missing(grads, [shape] * len(grads)), d)


def _fill_missing(grads, shapes):
    """The gradients of a node with several outputs (of ``shapes``), zeros where an output got none."""
    from .creation import zeros

    like = next(g for g in grads if g is not None)
    return [g if g is not None else zeros(shape, dtype=like.dtype, device=like.device)
            for g, shape in zip(grads, shapes)]


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
        shape = tensor._shape[:d] + (s,) + tensor._shape[d + 1:]
        pieces.append(view_of(tensor, shape, tensor._stride, tensor._offset + start * tensor._stride[d]))
        start += s
    pieces = tuple(pieces)
    if STATE.enabled and tensor.requires_grad:
        # one node for all the pieces, named after torch's split overload
        name = "SplitWithSizesBackward0" if isinstance(split_size_or_sections, (list, tuple)) else "SplitBackward0"
        record(name, _split_backward, (tensor,), pieces, (d, [p._shape for p in pieces]))
    return pieces


def _split_backward(node, grads, d, shapes):
    from .shape import cat

    return cat(_fill_missing(grads, shapes), d)


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
    if size == 0:
        return split(input, [0] * chunks, d)
    return split(input, -(-size // chunks), d)


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
    needed = _extent(size, stride, offset)
    if needed > len(input._storage.data):
        raise ValueOutOfRangeError(
            f"as_strided(): setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset} require "
            f"{needed} elements but the storage holds {len(input._storage.data)}"
        )
    return _view(input, size, stride, offset, "AsStridedBackward0", _as_strided_backward,
                 (input._shape, input._stride, input._offset), (size, stride, offset))


def _as_strided_backward(node, grad, input_geometry, output_geometry):
    # as_strided reads the storage: add each gradient to the storage element it read (overlapping output elements
    # add up), then give every input element its storage element's gradient, shared among the input elements
    # that overlap there (torch's convention)
    with no_grad():
        input_positions = _positions(*input_geometry, grad.device)
        output_positions = _positions(*output_geometry, grad.device)
        extent = max(_extent(*input_geometry), _extent(*output_geometry))
        share = None
        if _may_overlap(*input_geometry[:2]):
            from .creation import ones

            ones_in = ones(input_geometry[0], dtype=grad.dtype, device=grad.device)
            share = _restride(ones_in, input_positions, input_positions, extent, None, None).reciprocal()
    return _restride(grad, output_positions, input_positions, extent, None, share)


def _restride(grad, src, dst, extent, pre, post):
    """Read at storage positions ``dst`` a zero storage of ``extent`` elements to which ``grad * pre`` was added at
    positions ``src``, times ``post`` (None: 1).

    Linear in grad: its backward is itself with src/dst and pre/post swapped.
    """
    from .creation import zeros

    with no_grad():
        storage = zeros(extent, dtype=grad.dtype, device=grad.device)
        storage._storage.backend.index_put_(storage, (src,), grad if pre is None else grad * pre, True)
        result = storage[dst]
        if post is not None:
            result = result * post
    if STATE.enabled and grad.requires_grad:
        record("AsStridedBackwardBackward0", _restride_backward, (grad,), result, (src, dst, extent, pre, post))
    return result


def _restride_backward(node, grad, src, dst, extent, pre, post):
    return _restride(grad, dst, src, extent, post, pre)


def _positions(shape, stride, offset, device):
    """The storage position of every element of a (shape, stride, offset) view, an int64 tensor of that shape."""
    from .creation import arange, full

    positions = full(shape, offset, dtype=_dtype.int64, device=device)
    for k, (n, s) in enumerate(zip(shape, stride)):
        if s:
            positions = positions + arange(0, n * s, s, device=device).view((n,) + (1,) * (len(shape) - 1 - k))
    return positions


def _extent(shape, stride, offset):
    """How many storage elements a (shape, stride, offset) view spans from position 0."""
    return offset + 1 + sum((n - 1) * s for n, s in zip(shape, stride)) if numel_of(shape) else 0


def _may_overlap(shape, stride):
    """Whether two elements of a (shape, stride) view may share a storage element (False is certain)."""
    span = 0
    for n, s in sorted(((n, s) for n, s in zip(shape, stride) if n > 1), key=lambda p: p[1]):
        if s <= span:
            return True
        span += (n - 1) * s
    return False


__all__ = ["view_as_dtype", "reshape", "flatten", "unflatten", "ravel", "squeeze", "unsqueeze", "transpose", "swapaxes",
           "swapdims", "t", "permute", "movedim", "moveaxis", "broadcast_to", "broadcast_tensors", "narrow", "select",
           "diagonal", "unbind", "split", "chunk", "tensor_split", "as_strided"]
TENSOR_METHODS = [n for n in __all__ if n not in ("view_as_dtype", "broadcast_tensors")] + [
    "view", "view_as", "reshape_as", "expand", "expand_as"]
