"""Collation: merging a list of samples into a batch (``default_collate``) and converting one sample's NumPy
arrays to tensors (``default_convert``), with torch's type rules:

* a Tensor -> the samples stacked along a new first dimension
* a NumPy array -> converted to a tensor of its dtype, then stacked
* a NumPy scalar -> a 1-D tensor of its dtype; a Python ``float`` -> float64; ``int`` -> int64; ``bool`` -> bool
* ``str`` / ``bytes`` -> the batch of them unchanged (a tuple when they were fields of the samples, as torch)
* a Mapping, namedtuple or Sequence -> the same structure, each field collated over the batch
  (a plain tuple becomes a list, as in torch)

``collate(batch, collate_fn_map=...)`` is the general walker; ``default_collate_fn_map`` maps element types to
the functions that collate them and may be extended, as in torch.

>>> from rustorch.utils.data import default_collate
>>> default_collate([{"x": 1.5, "y": (1, "a")}, {"x": 2.0, "y": (2, "b")}])
{'x': tensor([1.5000, 2.0000], dtype=rustorch.float64), 'y': [tensor([1, 2]), ('a', 'b')]}
"""
import collections.abc
import copy
import functools
import re

import numpy as np

from .... import _dtype
from ....errors import InvalidArgumentError, InvalidTypeError, ShapeError
from ....ops.creation import as_tensor, tensor
from ....ops.shape import stack
from ....tensor import Tensor

# NumPy dtype strings of byte strings, unicode strings and objects: arrays that cannot become tensors
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _numpy_to_tensor(value):
    """A tensor of a NumPy array's or scalar's own dtype (through NumPy, which keeps scalar dtypes exactly)."""
    return as_tensor(np.asarray(value))


def default_convert(data):
    """Convert the NumPy arrays and scalars in one sample to tensors, keeping its structure; other values
    (tensors, Python numbers, strings, ...) are returned unchanged. The DataLoader uses it when batching
    is off (``batch_size=None``).

    >>> import numpy as np
    >>> from rustorch.utils.data import default_convert
    >>> default_convert({"a": np.array([1, 2]), "b": 3, "c": (np.float32(0.5), "s")})
    {'a': tensor([1, 2]), 'b': 3, 'c': [tensor(0.5000), 's']}
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "bytes_"):
        if isinstance(data, np.ndarray) and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data  # arrays of strings or objects stay arrays
        return _numpy_to_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # a list, as torch (backwards compatibility there)
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(elem, values):
    """A mapping of ``elem``'s type holding ``values``: a copy updated in place when mutable (the type may
    carry extra attributes), else the type built from a dict, else a plain dict when the type allows neither."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def _rebuild_sequence(elem, values):
    """A sequence of ``elem``'s type holding ``values`` (see _rebuild_mapping); a list when the type allows
    neither (e.g. ``range``)."""
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def collate(batch, *, collate_fn_map=None):
    """Collate a batch by walking its structure: an element type found in ``collate_fn_map`` (exactly, else by
    isinstance in the map's order) is collated by that function, called as ``fn(batch, collate_fn_map=...)``;
    Mappings, namedtuples and Sequences are walked field by field.

    >>> import rustorch
    >>> from rustorch.utils.data._utils.collate import collate
    >>> def stack_floats(batch, *, collate_fn_map=None):
    ...     return rustorch.tensor(batch, dtype=rustorch.float32)
    >>> collate([(1.0, 2.0), (3.0, 4.0)], collate_fn_map={float: stack_floats})
    [tensor([1., 3.]), tensor([2., 4.])]
    """
    if len(batch) == 0:
        raise InvalidArgumentError("default_collate: got an empty batch; expected a list of samples")
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    walk = functools.partial(collate, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: walk([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(walk(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        for i, e in enumerate(batch):
            if len(e) != size:
                raise ShapeError(f"default_collate: each element in list of batch should be of equal size, but "
                                 f"element 0 has length {size} and element {i} has length {len(e)}")
        fields = [walk(samples) for samples in zip(*batch)]
        return fields if isinstance(elem, tuple) else _rebuild_sequence(elem, fields)  # tuples become lists, as torch
    raise InvalidTypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack a batch of equal-shape tensors along a new first dimension.

    >>> import rustorch
    >>> from rustorch.utils.data._utils.collate import collate_tensor_fn
    >>> collate_tensor_fn([rustorch.zeros(2), rustorch.ones(2)])
    tensor([[0., 0.],
            [1., 1.]])
    """
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """Convert each NumPy array to a tensor of its dtype, then collate those (stacking them).

    >>> import numpy as np
    >>> from rustorch.utils.data._utils.collate import collate_numpy_array_fn, default_collate_fn_map
    >>> collate_numpy_array_fn([np.zeros(2, np.int32), np.ones(2, np.int32)], collate_fn_map=default_collate_fn_map)
    tensor([[0, 0],
            [1, 1]], dtype=rustorch.int32)
    """
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise InvalidTypeError(default_collate_err_msg_format.format(elem.dtype))
    if (collate_fn_map is not None and collate_fn_map.get(Tensor) is collate_tensor_fn
            and all(isinstance(b, np.ndarray) and b.dtype == elem.dtype and b.shape == elem.shape for b in batch)):
        # the tensor that converting each array and stacking would make, stacked by NumPy in one call
        return as_tensor(np.stack(batch))
    return collate([_numpy_to_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """A 1-D tensor of NumPy scalars, of their dtype (mixed dtypes promote with torch's rules).

    >>> import numpy as np
    >>> from rustorch.utils.data._utils.collate import collate_numpy_scalar_fn
    >>> collate_numpy_scalar_fn([np.int16(1), np.int16(2)])
    tensor([1, 2], dtype=rustorch.int16)
    """
    dtypes = {np.asarray(b).dtype for b in batch}
    if len(dtypes) == 1:
        return _numpy_to_tensor(batch)
    d = functools.reduce(_dtype.promote_types, (_dtype.from_numpy_dtype(dt) for dt in dtypes))
    return as_tensor(np.asarray(batch, dtype=d.np))


def collate_float_fn(batch, *, collate_fn_map=None):
    """A float64 tensor of Python floats (torch collates floats as float64, not the default dtype).

    >>> from rustorch.utils.data._utils.collate import collate_float_fn
    >>> collate_float_fn([0.5, 1.5])
    tensor([0.5000, 1.5000], dtype=rustorch.float64)
    """
    return tensor(batch, dtype=_dtype.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """An int64 tensor of Python ints (a bool tensor of bools).

    >>> from rustorch.utils.data._utils.collate import collate_int_fn
    >>> collate_int_fn([1, 2]), collate_int_fn([True, False])
    (tensor([1, 2]), tensor([ True, False]))
    """
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """Strings and bytes stay as they are: the batch is the sequence of them.

    >>> from rustorch.utils.data._utils.collate import collate_str_fn
    >>> collate_str_fn(["a", "b"])
    ['a', 'b']
    """
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,  # and np.memmap, a subclass
    # NumPy scalars, before float and int: np.float64 derives from float; string scalars derive from str
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Merge a list of samples into a batch: tensors, NumPy arrays and numbers become tensors with a new first
    (batch) dimension, strings stay lists, and dicts, namedtuples, tuples and lists are collated field by
    field (tuples become lists). The DataLoader's default ``collate_fn`` when batching.

    >>> from collections import namedtuple
    >>> import rustorch
    >>> from rustorch.utils.data import default_collate
    >>> default_collate([0, 1, 2])
    tensor([0, 1, 2])
    >>> Point = namedtuple("Point", ["x", "y"])
    >>> default_collate([Point(0, 0.5), Point(1, 1.5)])
    Point(x=tensor([0, 1]), y=tensor([0.5000, 1.5000], dtype=rustorch.float64))
    >>> default_collate([(rustorch.zeros(2), "a"), (rustorch.ones(2), "b")])
    [tensor([[0., 0.],
            [1., 1.]]), ('a', 'b')]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
