"""rustorch.nn.functional: embedding lookups (embedding, embedding_bag) and one_hot.

embedding records torch's ``EmbeddingBackward0``: the rows' gradients are
added into a dense (num_embeddings, embedding_dim) gradient, none for
``padding_idx``, each divided by its index's count in the batch under
``scale_grad_by_freq``. ``sparse=True`` is accepted, and the gradient is the
same values as a dense tensor (rustorch has no sparse layout).

>>> import rustorch
>>> import rustorch.nn.functional as F
>>> F.embedding(rustorch.tensor([2, 0]), rustorch.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]))
tensor([[3., 3.],
        [1., 1.]])
"""
import math

from ... import _dtype
from ...autograd.grad_mode import STATE, no_grad
from ...autograd.graph import record
from ...errors import DTypeError, IndexOutOfRangeError, InvalidArgumentError, ShapeError, ValueOutOfRangeError
from ...ops.creation import arange, ones, zeros
from ...ops.elementwise import add, clamp_min, div, eq, ge, gt, logical_not, lt, mul, ne
from ...ops.indexing import index_select, masked_fill, scatter_reduce, where
from ...ops.reduction import amax, amin, cumsum
from ...ops.reduction import norm as _norm
from ...ops.reduction import sum as _sum
from ...ops.views import reshape


def _indices(op, input, num_weights):
    """``input`` as int64 indices, checked against [0, num_weights)."""
    if input.dtype not in (_dtype.int64, _dtype.int32):
        raise DTypeError(f"{op}(): Expected tensor for argument #1 'indices' to have one of the following scalar "
                         f"types: Long, Int; but got {input.dtype} instead")
    idx = input.long() if input.dtype is _dtype.int32 else input
    if idx.numel() and (amin(idx).item() < 0 or amax(idx).item() >= num_weights):
        raise IndexOutOfRangeError(f"{op}(): index out of range in self: indices must be in [0, {num_weights}), "
                                   f"got values from {amin(idx).item()} to {amax(idx).item()}")
    return idx


def _padding(padding_idx, num_weights, what="Padding_idx"):
    """``padding_idx`` wrapped to [0, num_weights), or None."""
    if padding_idx is None:
        return None
    if not -num_weights <= padding_idx < num_weights:
        raise InvalidArgumentError(f"{what} must be within num_embeddings: got {padding_idx} for {num_weights} "
                                   "embeddings")
    return padding_idx + num_weights if padding_idx < 0 else padding_idx


def _renorm_(weight, idx, max_norm, norm_type):
    """torch's embedding_renorm_: rescale the rows of ``weight`` used by ``idx`` whose norm exceeds ``max_norm``
    to max_norm (in place, unrecorded)."""
    with no_grad():
        w = weight.detach()
        flat = reshape(idx, (-1,))
        rows = index_select(w, 0, flat)
        norms = _norm(rows, norm_type, 1, keepdim=True)
        scale = where(gt(norms, max_norm), div(max_norm, add(norms, 1e-7)), 1.0)
        # a row repeated in idx gets the same scale each time, so writing it repeatedly is harmless
        w[flat] = mul(rows, scale)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """The rows of ``weight`` at the indices in ``input``: shape input.shape + (embedding_dim,).

    ``padding_idx``'s row gets no gradient; with ``max_norm`` the rows used are first renormalised in place to a
    ``norm_type`` norm of at most max_norm.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> w = rustorch.tensor([[3.0, 4.0], [0.5, 0.0]])
    >>> F.embedding(rustorch.tensor([[0, 1]]), w, max_norm=1.0)
    tensor([[[0.6000, 0.8000],
             [0.5000, 0.0000]]])
    """
    if weight.ndim != 2:
        raise ShapeError(f"embedding(): 'weight' must be 2-D (num_embeddings, embedding_dim), got shape "
                         f"{list(weight.shape)}")
    num_weights = weight.shape[0]
    padding_idx = _padding(padding_idx, num_weights)
    idx = _indices("embedding", input, num_weights)
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    flat = reshape(idx, (-1,))
    with no_grad():
        out = reshape(index_select(weight, 0, flat), tuple(idx.shape) + (weight.shape[1],))
    if STATE.enabled and weight.requires_grad:
        record("EmbeddingBackward0", _embedding_backward, (weight,), out,
               (flat, num_weights, padding_idx, scale_grad_by_freq))
    return out


def _embedding_backward(node, grad, flat, num_weights, padding_idx, scale_grad_by_freq):
    rows = reshape(grad, (flat.numel(), grad.shape[-1]))
    if scale_grad_by_freq:
        counts = zeros(num_weights, dtype=grad.dtype, device=grad.device)
        counts.index_add_(0, flat, ones(flat.numel(), dtype=grad.dtype, device=grad.device))
        rows = div(rows, index_select(counts, 0, flat).unsqueeze(1))
    if padding_idx is not None:
        rows = mul(rows, ne(flat, padding_idx).unsqueeze(1))
    # a fresh zero gradient, added into in place (index_add would copy it first)
    return zeros((num_weights, grad.shape[-1]), dtype=grad.dtype, device=grad.device).index_add_(0, flat, rows)


_MODES = ("sum", "mean", "max")


def _offsets(offsets, n):
    """The bag starts as int64, checked as torch checks them: the first 0, none past the input's length ``n``."""
    if offsets.dtype not in (_dtype.int64, _dtype.int32):
        raise DTypeError(f"embedding_bag(): offsets must be an int64 or int32 tensor, got {offsets.dtype}")
    starts = offsets.long()
    if starts.numel():
        if starts[0].item() != 0:
            raise ValueOutOfRangeError(f"embedding_bag(): offsets[0] has to be 0, i.e., the first sequence in the "
                                       f"mini-batch has to start from position 0. However, got {starts[0].item()}")
        if amax(starts).item() > n or amin(starts).item() < 0:
            raise ValueOutOfRangeError(f"embedding_bag(): offsets[-1] can not be greater than input's length {n} but "
                                       f"got offsets[-1] of {starts[-1].item()}")
    return starts


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embeddings, without materialising each bag's rows separately.

    A 2-D ``input`` holds one fixed-length bag per row; a 1-D one is cut into bags starting at ``offsets``
    (with ``include_last_offset`` the last offset is the end of the last bag). ``per_sample_weights`` (mode
    'sum') scales each looked-up row; entries equal to ``padding_idx`` are left out of their bag. Empty bags
    give zeros.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> w = rustorch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    >>> F.embedding_bag(rustorch.tensor([0, 1, 2]), w, rustorch.tensor([0, 2]), mode="sum")
    tensor([[4., 6.],
            [5., 6.]])
    """
    # ValueErrors (InvalidArgumentError) where torch raises them
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise InvalidArgumentError(f"embedding_bag(): If per_sample_weights ({list(per_sample_weights.shape)}) is not None, "
                         f"then it must have the same shape as the input ({list(input.shape)})")
    if weight.ndim != 2:
        raise InvalidArgumentError(f"embedding_bag(): weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    if mode not in _MODES:
        raise InvalidArgumentError(f"embedding_bag(): mode has to be one of sum, mean or max, got {mode!r}")
    if mode == "max" and scale_grad_by_freq:
        raise InvalidArgumentError("embedding_bag(): max mode does not support scaling the gradient by the frequency")
    if per_sample_weights is not None and mode != "sum":
        raise InvalidArgumentError(f"embedding_bag(): per_sample_weights was not None. per_sample_weights is only "
                                   f"supported for mode='sum' (got mode='{mode}')")
    num_weights = weight.shape[0]
    padding_idx = _padding(padding_idx, num_weights, "padding_idx")
    idx = _indices("embedding_bag", input, num_weights)
    fixed = None  # (bags, length) of a 2-D input
    if idx.ndim == 2:
        if offsets is not None:
            raise InvalidArgumentError("embedding_bag(): if input is 2D, then offsets has to be None, as input is "
                                       "treated is a mini-batch of fixed length sequences. However, found offsets of "
                                       f"type {type(offsets).__name__}")
        fixed = tuple(idx.shape)
        starts = arange(0, idx.numel(), max(idx.shape[1], 1), device=idx.device)[:idx.shape[0]]
        include_last_offset = False
        idx = reshape(idx, (-1,))
        if per_sample_weights is not None:
            per_sample_weights = reshape(per_sample_weights, (-1,))
    elif idx.ndim == 1:
        if offsets is None or offsets.ndim != 1:
            raise InvalidArgumentError(f"embedding_bag(): offsets has to be a 1D Tensor, got "
                                       f"{None if offsets is None else list(offsets.shape)}")
        starts = _offsets(offsets, idx.numel())
    else:
        raise InvalidArgumentError(f"embedding_bag(): input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    rows = embedding(idx, weight, None, None, norm_type, scale_grad_by_freq, sparse)
    if per_sample_weights is not None:
        rows = mul(rows, per_sample_weights.unsqueeze(1))
    if fixed is not None and fixed[1]:
        # bags of one length: plain reductions over the bag dim
        keep = None if padding_idx is None else ne(idx, padding_idx).view(fixed)
        return _reduce_equal_bags(rows.view(fixed + (weight.shape[1],)), keep, mode)
    # with include_last_offset the last offset ends the last bag: the entries from it on fall in the extra row
    bags = starts.numel() - 1 if include_last_offset else starts.numel()
    n = idx.numel()
    # the bag of each entry: how many offsets are at or before it, minus one; entries equal to padding_idx go to
    # an extra bag (row `bags`), dropped at the end
    marks = zeros(n + 1, dtype=_dtype.int64, device=idx.device)
    marks.index_add_(0, starts, ones(starts.numel(), dtype=_dtype.int64, device=idx.device))
    bag_of = cumsum(marks[:n], 0).sub_(1)
    if padding_idx is not None:
        bag_of.masked_fill_(eq(idx, padding_idx), bags)
    dim = weight.shape[1]
    if mode == "max":
        # scatter_reduce without self keeps the zeros of the bags that receive nothing, as torch's empty bags
        out = scatter_reduce(zeros((bags + 1, dim), dtype=weight.dtype, device=weight.device), 0,
                             bag_of.unsqueeze(1).expand(n, dim), rows, "amax", include_self=False)
    else:
        out = zeros((bags + 1, dim), dtype=rows.dtype, device=weight.device).index_add_(0, bag_of, rows)
        if mode == "mean":
            counts = zeros(bags + 1, dtype=rows.dtype, device=weight.device)
            counts.index_add_(0, bag_of, ones(n, dtype=rows.dtype, device=weight.device))
            out = div(out, clamp_min(counts, 1).unsqueeze(1))
    return out[:bags]


def _reduce_equal_bags(rows, keep, mode):
    """The bags of ``rows`` (B, L, D), all of length L > 0; ``keep`` (B, L) marks the entries that are not
    padding_idx (None: every entry counts). A bag of padding only gives zeros."""
    if mode == "max":
        if keep is None:
            return amax(rows, 1)
        out = amax(masked_fill(rows, logical_not(keep).unsqueeze(2), -math.inf), 1)
        return masked_fill(out, logical_not(keep.any(1)).unsqueeze(1), 0.0)
    if keep is not None:
        rows = mul(rows, keep.unsqueeze(2))
    out = _sum(rows, 1)
    if mode == "mean":
        out = div(out, rows.shape[1]) if keep is None else div(out, clamp_min(_sum(keep, 1), 1).unsqueeze(1))
    return out


def one_hot(tensor, num_classes=-1):
    """An int64 tensor of shape tensor.shape + (num_classes,) with a 1 at each value's position.

    ``num_classes=-1`` takes the largest value plus one.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.one_hot(rustorch.tensor([0, 2]))
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    if tensor.dtype is not _dtype.int64:
        raise DTypeError(f"one_hot(): one_hot is only applicable to index tensor of type LongTensor, got "
                         f"{tensor.dtype}")
    if num_classes == -1:
        if tensor.numel() == 0:
            raise ValueOutOfRangeError("one_hot(): Can not infer total number of classes from empty tensor.")
        num_classes = amax(tensor).item() + 1
    if tensor.numel():
        if lt(tensor, 0).any().item():
            raise ValueOutOfRangeError("one_hot(): Class values must be non-negative.")
        if ge(tensor, num_classes).any().item():
            raise ValueOutOfRangeError(f"one_hot(): Class values must be smaller than num_classes ({num_classes}).")
    classes = arange(num_classes, device=tensor.device)
    return eq(tensor.unsqueeze(-1), classes).long()


__all__ = ["embedding", "embedding_bag", "one_hot"]
