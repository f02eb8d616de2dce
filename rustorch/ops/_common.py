"""Helpers shared by the op families: argument checks, broadcasting, output allocation."""
import numbers

import numpy as np

from .. import _dtype
from .._device import device as _device
from ..backends.registry import get_default_device
from ..errors import DeviceError, DTypeError, InvalidTypeError, ShapeError, ValueOutOfRangeError
from ..tensor import Storage, Tensor, _make, check_same_device, contiguous_strides, empty_tensor, numel_of, wrap_dim

def as_number(op, value):
    """``value`` as a Python number (NumPy scalars and 0-d arrays included), else InvalidTypeError."""
    kind = type(value)
    if kind is int or kind is float or kind is bool or kind is complex:
        return value
    if isinstance(value, (numbers.Number, np.generic)) or isinstance(value, np.ndarray) and value.ndim == 0:
        return np.asarray(value).item()
    raise InvalidTypeError(f"{op}(): expected a Tensor or a number, got {type(value).__name__}")


def resolve_device(device):
    return get_default_device() if device is None else (device if isinstance(device, _device) else _device(device))


def broadcast_shapes(op, *shapes):
    """The broadcast of ``shapes``; ShapeError naming ``op`` and the sizes when they do not broadcast."""
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for s in shapes:
        for i, size in enumerate(s, ndim - len(s)):
            if size != result[i]:
                if result[i] == 1:
                    result[i] = size
                elif size != 1:
                    raise ShapeError(
                        f"{op}(): shapes {' and '.join(str(list(x)) for x in shapes)} cannot be broadcast: "
                        f"the size of tensor a ({result[i]}) must match the size of tensor b ({size}) "
                        f"at non-singleton dimension {i}"
                    )
    return tuple(result)


_INT64_MAX = 2**63 - 1


def as_int(op, name, value):
    """``value`` as a Python int within int64 (NumPy integers included); InvalidTypeError naming ``op`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidTypeError(f"{op}(): argument '{name}' must be an int, not {type(value).__name__}")
    if not -_INT64_MAX - 1 <= value <= _INT64_MAX:
        raise ValueOutOfRangeError(f"{op}(): argument '{name}' = {value} does not fit in int64")
    return int(value)


def as_ints(op, name, value):
    """A tuple of ints from an int or a sequence of ints."""
    if isinstance(value, (list, tuple)):
        return tuple(as_int(op, name, v) for v in value)
    return (as_int(op, name, value),)


def wrap_dims(op, dim, ndim):
    """A sorted tuple of distinct dims from None (all), an int, or a sequence of ints."""
    if dim is None:
        return tuple(range(ndim))
    dims = tuple(wrap_dim(op, d, ndim) for d in as_ints(op, "dim", dim))
    if len(set(dims)) != len(dims):
        raise ShapeError(f"{op}(): dim {tuple(dim)} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def resize_out(op, out, shape):
    """Give ``out`` the ``shape`` (as torch resizes an out= tensor whose shape differs)."""
    shape = tuple(shape)
    if out._shape == shape:
        return
    if numel_of(shape) != out.numel() or not out.is_contiguous():
        backend = out._storage.backend
        out._storage = Storage(backend.empty(numel_of(shape), out.dtype, out.device), out.device, backend)
        out._offset = 0
    out._shape = shape
    out._stride = contiguous_strides(shape)
    out._host = None


def prepare_out(op, out, shape, result_dtype, device, inplace=False):
    """A fresh result tensor, or ``out`` checked (device, castable dtype) and resized."""
    if out is None:
        return empty_tensor(shape, result_dtype, device)
    if not isinstance(out, Tensor):
        raise InvalidTypeError(f"{op}(): out must be a Tensor, got {type(out).__name__}")
    if out.device != device:
        raise DeviceError(f"{op}(): out is on {out.device} but the inputs are on {device}")
    if not _dtype.can_cast(result_dtype, out.dtype):
        raise DTypeError(f"{op}(): result type {result_dtype} can't be cast to the desired output type {out.dtype}")
    if inplace:
        if tuple(shape) != out._shape:
            raise ShapeError(
                f"{op}(): output with shape {list(out._shape)} doesn't match the broadcast shape {list(shape)}"
            )
    else:
        resize_out(op, out, shape)
    return out


def write_out(op, result, out):
    """``result``, or ``out`` resized and holding it (torch's out= for ops that compute into a fresh tensor)."""
    if out is None:
        return result
    out = prepare_out(op, out, result._shape, result.dtype, result.device)
    out._storage.backend.copy_(out, result)
    out._bump_version()
    return out


def check_tensor(op, x, name="input"):
    if not isinstance(x, Tensor):
        raise InvalidTypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


__all__ = [
    "Tensor", "_make", "as_number", "broadcast_shapes", "check_same_device", "check_tensor", "empty_tensor",
    "as_int", "as_ints", "prepare_out", "resize_out", "resolve_device", "wrap_dim", "wrap_dims", "write_out",
]
