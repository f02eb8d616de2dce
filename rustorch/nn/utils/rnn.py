"""Batches of variable-length sequences for the recurrent layers, as torch.nn.utils.rnn.

A PackedSequence holds the elements of several sequences time-major, longest
sequence first: step t's ``batch_sizes[t]`` elements (one per sequence still
running) follow step t - 1's. The recurrent layers take it in place of a
padded batch and then skip the padding. Packing and padding are each one
gather (or scatter) of rows, so they are differentiable.

>>> import rustorch
>>> from rustorch.nn.utils.rnn import pack_sequence, pad_packed_sequence
>>> packed = pack_sequence([rustorch.tensor([1.0, 2.0, 3.0]), rustorch.tensor([4.0])])
>>> packed.data, packed.batch_sizes
(tensor([1., 4., 2., 3.]), tensor([2, 1, 1]))
>>> pad_packed_sequence(packed, batch_first=True)
(tensor([[1., 2., 3.],
        [4., 0., 0.]]), tensor([3, 1]))
"""
from collections import namedtuple

import numpy as np

from ... import _dtype
from ...errors import DeviceError, InvalidArgumentError, InvalidTypeError, ShapeError
from ...ops.creation import arange, empty_like, full, tensor
from ...ops.indexing import index_copy, sort
from ...ops.shape import cat
from ...tensor import Tensor


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Sequences of different lengths packed time-major: ``data`` (sum of lengths, *), ``batch_sizes`` (an int64
    CPU tensor: how many sequences run at each step), and the permutation that sorted the batch by length
    (``sorted_indices``) with its inverse (``unsorted_indices``), or None when the batch came sorted.

    Make one with :func:`pack_padded_sequence` or :func:`pack_sequence`, not by hand.

    >>> import rustorch
    >>> from rustorch.nn.utils.rnn import pack_sequence
    >>> p = pack_sequence([rustorch.ones(1, 2), rustorch.zeros(3, 2)], enforce_sorted=False)
    >>> p.batch_sizes, p.sorted_indices, p.unsorted_indices
    (tensor([2, 1, 1]), tensor([1, 0]), tensor([1, 0]))
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # torch's legacy form: PackedSequence((data, batch_sizes))
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise InvalidArgumentError("PackedSequence(): expected data to be a list or tuple of length 2 "
                                           "(data, batch_sizes) when batch_sizes is not given")
            data, batch_sizes = data
        if batch_sizes.device.type != "cpu":
            raise InvalidArgumentError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never be created manually. "
                "They should be instantiated by functions like pack_sequence and pack_padded_sequences in "
                "nn.utils.rnn.")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """The sequence with ``data`` moved or cast as ``Tensor.to`` does (the indices follow its device)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        sorted_indices = None if self.sorted_indices is None else self.sorted_indices.to(data.device)
        unsorted_indices = None if self.unsorted_indices is None else self.unsorted_indices.to(data.device)
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else device)

    def pin_memory(self):
        return self

    def is_pinned(self):
        return False

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def double(self):
        return self.to(dtype=_dtype.float64)

    def float(self):
        return self.to(dtype=_dtype.float32)

    def half(self):
        return self.to(dtype=_dtype.float16)

    def long(self):
        return self.to(dtype=_dtype.int64)

    def int(self):
        return self.to(dtype=_dtype.int32)

    def short(self):
        return self.to(dtype=_dtype.int16)

    def char(self):
        return self.to(dtype=_dtype.int8)

    def byte(self):
        return self.to(dtype=_dtype.uint8)


def invert_permutation(permutation):
    """The inverse of a permutation of 0..n-1 (None stays None).

    >>> import rustorch
    >>> from rustorch.nn.utils.rnn import invert_permutation
    >>> invert_permutation(rustorch.tensor([2, 0, 1]))
    tensor([1, 2, 0])
    """
    if permutation is None:
        return None
    output = empty_like(permutation)
    output.scatter_(0, permutation, arange(permutation.numel(), device=permutation.device))
    return output


def _lengths_list(lengths):
    """``lengths`` (a list or a 1-D CPU integer tensor) as a list of ints."""
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1 or lengths.device.type != "cpu" or lengths.dtype.is_floating_point:
            raise InvalidArgumentError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                                       f"{lengths.ndim}D {lengths.device} {lengths.dtype} tensor")
        return [int(n) for n in lengths.tolist()]
    return [int(n) for n in lengths]


def _batch_sizes(lengths):
    """How many of the sequences (``lengths`` in decreasing order) run at each step."""
    ends = np.bincount(lengths, minlength=lengths[0] + 1) if lengths else np.zeros(1, np.int64)
    return (len(lengths) - np.cumsum(ends)[:-1]).tolist()


def _rows(batch_sizes, order, steps, batch, batch_first):
    """The row of a flattened padded batch ((T * B, *) or (B * T, *)) that each packed element comes from:
    step t's j-th element is sequence ``order[j]``'s."""
    sizes = np.asarray(batch_sizes, dtype=np.int64)
    t = np.repeat(np.arange(len(sizes)), sizes)
    j = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    b = np.asarray(order, dtype=np.int64)[j]
    return tensor(t + b * steps if batch_first else t * batch + b)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) ((B, T, *) if ``batch_first``) of sequences of the given lengths.

    With ``enforce_sorted`` the lengths must be in decreasing order; otherwise the batch is sorted here and the
    permutation kept in the result, so that the layers give their outputs back in the input's order.

    >>> import rustorch
    >>> from rustorch.nn.utils.rnn import pack_padded_sequence
    >>> x = rustorch.tensor([[1.0, 4.0], [2.0, 0.0], [3.0, 0.0]])
    >>> pack_padded_sequence(x, [3, 1]).data
    tensor([1., 4., 2., 3.])
    """
    lengths = _lengths_list(lengths)
    batch_dim = 0 if batch_first else 1
    if input.ndim < 2:
        raise ShapeError(f"pack_padded_sequence(): expected an input of at least 2 dims (T, B, *), got shape "
                         f"{list(input.shape)}")
    batch, steps = input.shape[batch_dim], input.shape[1 - batch_dim]
    if len(lengths) != batch:
        raise ShapeError(f"pack_padded_sequence(): Expected `len(lengths)` to be equal to batch_size, but got "
                         f"{len(lengths)} (batch_size={batch})")
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise InvalidArgumentError(
                "pack_padded_sequence(): `lengths` array must be sorted in decreasing order when `enforce_sorted` "
                "is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                "sidestep this requirement if you do not need ONNX exportability.")
        order, sorted_indices = list(range(batch)), None
    else:
        sorted_indices = sort(tensor(lengths, dtype=_dtype.int64), descending=True, stable=True).indices
        order = sorted_indices.tolist()
        lengths = [lengths[j] for j in order]
    if lengths and lengths[-1] <= 0:
        raise InvalidArgumentError("pack_padded_sequence(): Length of all samples has to be greater than 0, but "
                                   "found an element in 'lengths' that is <= 0")
    if lengths and lengths[0] > steps:
        raise ShapeError(f"pack_padded_sequence(): a sequence of length {lengths[0]} does not fit the input's "
                         f"{steps} steps (input shape {list(input.shape)})")
    batch_sizes = _batch_sizes(lengths)
    # one gather of rows: step t takes the first batch_sizes[t] sequences (in sorted order)
    rows = _rows(batch_sizes, order, steps, batch, batch_first).to(input.device)
    data = input.reshape((batch * steps,) + tuple(input.shape[2:])).index_select(0, rows)
    if sorted_indices is not None:
        sorted_indices = sorted_indices.to(input.device)
    return PackedSequence(data, tensor(batch_sizes, dtype=_dtype.int64), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo :func:`pack_padded_sequence`: the padded batch (T, B, *) ((B, T, *) if ``batch_first``) in the
    original batch order, and the lengths (an int64 tensor). ``total_length`` pads T to that many steps.

    >>> import rustorch
    >>> from rustorch.nn.utils.rnn import pack_sequence, pad_packed_sequence
    >>> p = pack_sequence([rustorch.tensor([1.0]), rustorch.tensor([2.0, 3.0])], enforce_sorted=False)
    >>> pad_packed_sequence(p, padding_value=-1.0, total_length=3)
    (tensor([[ 1.,  2.],
            [-1.,  3.],
            [-1., -1.]]), tensor([1, 2]))
    """
    batch_sizes = [int(n) for n in sequence.batch_sizes.tolist()]
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise InvalidArgumentError(
                "pad_packed_sequence(): Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being {steps}")
        steps = total_length
    data = sequence.data
    batch = batch_sizes[0] if batch_sizes else 0
    # where each packed row lands in the padded batch, in the original order when the batch was sorted
    order = sequence.sorted_indices.tolist() if sequence.sorted_indices is not None else list(range(batch))
    rows = _rows(batch_sizes, order, steps, batch, batch_first).to(data.device)
    feature_shape = tuple(data.shape[1:])
    padded = full((batch * steps,) + feature_shape, padding_value, dtype=data.dtype, device=data.device)
    padded = index_copy(padded, 0, rows, data)
    padded = padded.reshape(((batch, steps) if batch_first else (steps, batch)) + feature_shape)
    # sequence order[j] runs while batch_sizes[t] > j
    lengths = [0] * batch
    for j, n in zip(order, np.searchsorted(-np.asarray(batch_sizes), -np.arange(batch), side="left")):
        lengths[j] = int(n)
    return padded, tensor(lengths, dtype=_dtype.int64)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences (L_i, *) of different lengths into one padded batch (max L, B, *) ((B, max L, *) if
    ``batch_first``), padding on the right (or the left, ``padding_side="left"``) with ``padding_value``.

    >>> import rustorch
    >>> from rustorch.nn.utils.rnn import pad_sequence
    >>> pad_sequence([rustorch.tensor([1.0, 2.0]), rustorch.tensor([3.0])], batch_first=True, padding_side="left")
    tensor([[1., 2.],
            [0., 3.]])
    """
    if padding_side not in ("left", "right"):
        raise InvalidArgumentError(f"pad_sequence(): Expected padding_side to be one of left or right, but got "
                                   f"{padding_side}.")
    try:
        sequences = tuple(sequences)
    except TypeError:
        raise InvalidTypeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                               f"{type(sequences)}") from None
    if not sequences:
        raise InvalidArgumentError("pad_sequence(): received an empty list of sequences")
    first = sequences[0]
    feature_shape = tuple(first.shape[1:])
    for s in sequences:
        if tuple(s.shape[1:]) != feature_shape or s.ndim == 0:
            raise ShapeError(f"pad_sequence(): every sequence must have the trailing shape {list(feature_shape)} of "
                             f"the first; got a sequence of shape {list(s.shape)}")
        if s.device != first.device:
            raise DeviceError(f"pad_sequence(): sequences on {first.device} and {s.device}")
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    steps, batch = int(lengths.max()), len(sequences)
    # the rows of the flattened padded batch that the concatenated sequences land in
    b = np.repeat(np.arange(batch), lengths)
    t = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    if padding_side == "left":
        t += steps - lengths[b]
    rows = tensor(t + b * steps if batch_first else t * batch + b, device=first.device)
    padded = full((batch * steps,) + feature_shape, padding_value, dtype=first.dtype, device=first.device)
    padded = index_copy(padded, 0, rows, cat(sequences, 0))
    return padded.reshape(((batch, steps) if batch_first else (steps, batch)) + feature_shape)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into its sequences (a list of (L_i, *) tensors).

    >>> import rustorch
    >>> from rustorch.nn.utils.rnn import unpad_sequence
    >>> unpad_sequence(rustorch.tensor([[1.0, 2.0], [3.0, 0.0]]), rustorch.tensor([2, 1]))
    [tensor([1., 3.]), tensor([2.])]
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, _lengths_list(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences (L_i, *): :func:`pad_sequence` then :func:`pack_padded_sequence`.

    >>> import rustorch
    >>> from rustorch.nn.utils.rnn import pack_sequence
    >>> pack_sequence([rustorch.tensor([1, 2]), rustorch.tensor([3])]).data
    tensor([1, 3, 2])
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in their original order.

    >>> import rustorch
    >>> from rustorch.nn.utils.rnn import pack_sequence, unpack_sequence
    >>> unpack_sequence(pack_sequence([rustorch.tensor([1, 2]), rustorch.tensor([3])]))
    [tensor([1, 2]), tensor([3])]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]
