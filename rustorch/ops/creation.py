"""Tensor creation, copies, casts and moves between devices.

>>> import rustorch
>>> rustorch.arange(0, 1, 0.25)
tensor([0.0000, 0.2500, 0.5000, 0.7500])
"""
import math

from functools import reduce

import numpy as np

from .. import _dtype
from ..autograd.grad_mode import STATE
from ..autograd.graph import check_inplace, record
from ..errors import DTypeError, InvalidArgumentError, InvalidTypeError, ShapeError, ValueOutOfRangeError
from ..tensor import Storage, Tensor, _make, empty_tensor, from_host_array
from ._common import as_int, as_number, check_tensor, prepare_out, resolve_device


def parse_size(op, size):
    """A shape tuple from f(2, 3), f((2, 3)), f([2, 3]) or f(Size)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.__index__()
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise InvalidTypeError(f"{op}(): size must be a sequence of ints, got {type(s).__name__} in {tuple(size)}")
        shape.append(int(s))
    if any(s < 0 for s in shape):
        raise ValueOutOfRangeError(f"{op}(): trying to create tensor with negative dimension {min(shape)}: {shape}")
    numel = 1
    for s in shape:
        numel *= s
    _check_length(op, numel)
    return tuple(shape)


def _finish(t, requires_grad):
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor_from_array(array, device, dtype=None):
    """A tensor with a NumPy array's values on ``device`` (sharing memory on the CPU when possible)."""
    return from_host_array(array, device, dtype)


def _infer_array(op, data):
    if isinstance(data, Tensor):
        return np.array(data._array()), data.dtype
    if isinstance(data, np.ndarray):
        return data, _dtype.from_numpy_dtype(data.dtype)
    try:
        arr = np.array(data)
    except (ValueError, TypeError) as e:
        raise InvalidArgumentError(f"{op}(): could not make a tensor from {type(data).__name__}: {e}") from None
    except OverflowError:
        raise ValueOutOfRangeError(f"{op}(): value cannot be converted to type int64 without overflow") from None
    kind = arr.dtype.kind
    if kind == "O" and arr.size and all(isinstance(x, Tensor) for x in arr.flat):
        values, _ = _infer_array(op, [x.item() for x in arr.flat])
        return values.reshape(arr.shape), _scalar_type(data)
    if kind not in "biufc":
        raise InvalidArgumentError(f"{op}(): could not infer dtype of {type(data).__name__} (NumPy saw {arr.dtype})")
    return arr, _scalar_type(data)


def _scalar_type(data):
    """torch's dtype for ``data`` (its infer_scalar_type): NumPy scalars and arrays and tensors keep their dtypes,
    Python bools, ints, floats and complex numbers take bool, int64 and the default dtypes, and a sequence
    promotes the types of its items; an empty one is of the default dtype."""
    if isinstance(data, (np.ndarray, np.generic)):
        return _dtype.from_numpy_dtype(data.dtype)
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, (bool, int, float, complex)):
        return _python_scalar_type(type(data))
    items = data if isinstance(data, (list, tuple)) else list(data)
    if not items:
        return _dtype.get_default_dtype()
    kinds = set(map(type, items))
    if kinds <= _PYTHON_SCALARS:  # the common case, without a call per item
        return reduce(_dtype.promote_types, map(_python_scalar_type, kinds))
    return reduce(_dtype.promote_types, map(_scalar_type, items))


_PYTHON_SCALARS = {bool, int, float, complex}


def _python_scalar_type(kind):
    if issubclass(kind, bool):
        return _dtype.bool_
    if issubclass(kind, int):
        return _dtype.int64
    if issubclass(kind, float):
        return _dtype.get_default_dtype()
    return _dtype.default_complex()


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor copying ``data`` (a number, nested sequence, NumPy array or tensor).

    >>> import rustorch
    >>> rustorch.tensor([[1, 2], [3, 4]]).dtype
    rustorch.int64
    >>> rustorch.tensor([1.5, 2.0])
    tensor([1.5000, 2.0000])
    """
    arr, inferred = _infer_array("tensor", data)
    d = inferred if dtype is None else dtype
    if device is None and isinstance(data, Tensor):
        device = data.device  # torch.tensor(t) copies t on its own device
    dev = resolve_device(device)
    arr = np.array(arr, dtype=d.np, copy=True, order="C")
    return _finish(from_host_array(arr, dev, d), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """A tensor sharing ``data``'s memory when it already is a tensor or NumPy array of that dtype and device.

    >>> import numpy as np, rustorch
    >>> a = np.zeros(2); t = rustorch.as_tensor(a); a[0] = 5; t[0].item()
    5.0
    """
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype.np) and resolve_device(device).type == "cpu":
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A CPU tensor sharing the memory of a NumPy array (writes show in both).

    >>> import numpy as np, rustorch
    >>> a = np.arange(3.0); t = rustorch.from_numpy(a); _ = t.add_(1); a
    array([1., 2., 3.])
    """
    if not isinstance(ndarray, np.ndarray):
        raise InvalidTypeError(f"from_numpy(): expected np.ndarray, got {type(ndarray).__name__}")
    d = _dtype.from_numpy_dtype(ndarray.dtype)
    itemsize = ndarray.itemsize
    if any(s < 0 for s in ndarray.strides):
        raise ValueOutOfRangeError(
            "from_numpy(): at least one stride in the given numpy array is negative; make a copy with array.copy() first"
        )
    if any(s % itemsize for s in ndarray.strides):
        raise ValueOutOfRangeError(f"from_numpy(): strides {ndarray.strides} are not a multiple of the element size {itemsize}")
    if ndarray.flags.c_contiguous:
        return from_host_array(ndarray, resolve_device("cpu"), d)
    strides = tuple(s // itemsize for s in ndarray.strides)
    span = 1 + sum((n - 1) * s for n, s in zip(ndarray.shape, strides)) if ndarray.size else 0
    flat = np.lib.stride_tricks.as_strided(ndarray, shape=(span,), strides=(itemsize,))
    from ..backends.registry import get_backend

    backend = get_backend("cpu")
    return _make(Storage(flat, resolve_device("cpu"), backend), ndarray.shape, strides, 0, d)


def empty(*size, out=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, memory_format=None):
    """An uninitialised tensor.

    >>> import rustorch
    >>> rustorch.empty(2, 3).shape
    rustorch.Size([2, 3])
    """
    shape = parse_size("empty", size)
    d = _dtype.get_default_dtype() if dtype is None else dtype
    dev = resolve_device(device)
    if out is not None:
        return prepare_out("empty", out, shape, out.dtype, out.device)
    return _finish(empty_tensor(shape, d, dev), requires_grad)


def full(size, fill_value, *, out=None, dtype=None, device=None, requires_grad=False, layout=None):
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it, as torch).

    >>> import rustorch
    >>> rustorch.full((2,), 7)
    tensor([7, 7])
    """
    shape = parse_size("full", size if isinstance(size, (tuple, list)) else (size,))
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    d = _dtype.scalar_dtype(fill_value) if dtype is None else dtype
    t = prepare_out("full", out, shape, d, resolve_device(device) if out is None else out.device)
    t._storage.backend.fill_(t, fill_value)
    t._bump_version()
    return _finish(t, requires_grad)


def zeros(*size, out=None, dtype=None, device=None, requires_grad=False, layout=None):
    """A tensor of zeros.

    >>> import rustorch
    >>> rustorch.zeros(2)
    tensor([0., 0.])
    """
    shape = parse_size("zeros", size)
    return full(shape, 0, out=out, dtype=_dtype.get_default_dtype() if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def ones(*size, out=None, dtype=None, device=None, requires_grad=False, layout=None):
    """A tensor of ones.

    >>> import rustorch
    >>> rustorch.ones(2, dtype=rustorch.int32)
    tensor([1, 1], dtype=rustorch.int32)
    """
    shape = parse_size("ones", size)
    return full(shape, 1, out=out, dtype=_dtype.get_default_dtype() if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def _like(input, dtype, device):
    check_tensor("like", input)
    return input._shape, input.dtype if dtype is None else dtype, input.device if device is None else device


def empty_like(input, *, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    """An uninitialised tensor with input's shape, dtype and device.

    >>> import rustorch
    >>> rustorch.empty_like(rustorch.ones(2, 3)).shape
    rustorch.Size([2, 3])
    """
    shape, d, dev = _like(input, dtype, device)
    return empty(shape, dtype=d, device=dev, requires_grad=requires_grad)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    """Zeros with input's shape, dtype and device.

    >>> import rustorch
    >>> rustorch.zeros_like(rustorch.ones(2, dtype=rustorch.int8))
    tensor([0, 0], dtype=rustorch.int8)
    """
    shape, d, dev = _like(input, dtype, device)
    return full(shape, 0, dtype=d, device=dev, requires_grad=requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    """Ones with input's shape, dtype and device.

    >>> import rustorch
    >>> rustorch.ones_like(rustorch.zeros(2, dtype=rustorch.int64))
    tensor([1, 1])
    """
    shape, d, dev = _like(input, dtype, device)
    return full(shape, 1, dtype=d, device=dev, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None):
    """``fill_value`` with input's shape, dtype and device.

    >>> import rustorch
    >>> rustorch.full_like(rustorch.zeros(2), 3)
    tensor([3., 3.])
    """
    shape, d, dev = _like(input, dtype, device)
    return full(shape, fill_value, dtype=d, device=dev, requires_grad=requires_grad)


def _range_dtype(dtype, *values):
    if dtype is not None:
        return dtype
    if any(isinstance(v, float) or isinstance(v, Tensor) and v.dtype.is_floating_point for v in values):
        return _dtype.get_default_dtype()
    return _dtype.int64


def arange(start=0, end=None, step=1, *, out=None, dtype=None, device=None, requires_grad=False, layout=None):
    """Values from start (inclusive) to end (exclusive) spaced by step.

    >>> import rustorch
    >>> rustorch.arange(5)
    tensor([0, 1, 2, 3, 4])
    """
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else as_number("arange", v) for v in (start, end, step))
    d = _range_dtype(dtype, start, end, step)
    if step == 0:
        raise ValueOutOfRangeError("arange(): step must be nonzero")
    if (end - start) / step < 0:
        raise ValueOutOfRangeError(f"arange(): upper bound and larger bound inconsistent with step sign (start={start}, end={end}, step={step})")
    if not all(math.isfinite(v) for v in (start, end)):
        raise ValueOutOfRangeError(f"arange(): unsupported range: {start} -> {end}")
    n = math.ceil((end - start) / step)
    _check_length("arange", n)
    if d.is_floating_point or d.is_complex:
        values = start + np.arange(n, dtype=np.float64) * step
    else:
        values = start + np.arange(n, dtype=np.int64) * int(step) if all(isinstance(v, int) for v in (start, step)) \
            else np.floor(start + np.arange(n) * step)
    return _from_values("arange", values, d, device, out, requires_grad)


# more elements than this cannot be addressed (NumPy's limit on a 64-bit machine)
_MAX_NUMEL = 2**62


def _check_length(op, n):
    if n > _MAX_NUMEL:
        raise ValueOutOfRangeError(f"{op}(): {n} elements is more than a tensor can hold ({_MAX_NUMEL})")


def _from_values(op, values, d, device, out, requires_grad):
    values = np.ascontiguousarray(values, dtype=d.np)
    dev = resolve_device(device) if out is None else out.device
    t = from_host_array(values, dev, d)
    if out is not None:
        prepare_out(op, out, t._shape, d, dev)
        return out.copy_(t)
    return _finish(t, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated in torch: like arange but includes ``end``; float by default.

    >>> import rustorch
    >>> rustorch.range(1, 3)
    tensor([1., 2., 3.])
    """
    if end is None:
        start, end = 0, start
    d = _dtype.get_default_dtype() if dtype is None else dtype
    n = int(math.floor((end - start) / step)) + 1
    return _from_values("range", start + np.arange(n, dtype=np.float64) * step, d, device, None, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, device=None, requires_grad=False, layout=None):
    """``steps`` evenly spaced values from start to end, both included.

    >>> import rustorch
    >>> rustorch.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueOutOfRangeError(f"linspace(): number of steps must be a non-negative int, got {steps!r}")
    _check_length("linspace", steps)
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    d = _dtype.get_default_dtype() if dtype is None else dtype
    values = _linspace_values(start, end, steps)
    if not (d.is_floating_point or d.is_complex):
        values = np.trunc(values) if not isinstance(values[0] if steps else 0, complex) else values
    return _from_values("linspace", values, d, device, out, requires_grad)


def _linspace_values(start, end, steps):
    # torch fills the first half from start and the second half back from end, so both ends are exact
    if steps == 1:
        return np.array([start], dtype=np.result_type(start, end, 0.0))
    i = np.arange(steps)
    step = (end - start) / (steps - 1) if steps > 1 else 0
    half = steps // 2
    return np.where(i < half, start + i * step, end - (steps - 1 - i) * step)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, device=None, requires_grad=False, layout=None):
    """base ** linspace(start, end, steps).

    >>> import rustorch
    >>> rustorch.logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    d = _dtype.get_default_dtype() if dtype is None else dtype
    values = np.power(float(base), _linspace_values(start, end, steps))
    return _from_values("logspace", values, d, device, out, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, device=None, requires_grad=False, layout=None):
    """The identity matrix (n x m).

    >>> import rustorch
    >>> rustorch.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    n = as_int("eye", "n", n)
    m = n if m is None else as_int("eye", "m", m)
    if n < 0 or m < 0:
        raise ValueOutOfRangeError(f"eye(): n and m must be non-negative, got n={n}, m={m}")
    d = _dtype.get_default_dtype() if dtype is None else dtype
    return _from_values("eye", np.eye(n, m), d, device, out, requires_grad)


# copies, casts, device moves ---------------------------------------------------------
def to_device_dtype(t, device, dtype, copy=False):
    """``t`` on ``device`` with ``dtype``: itself when nothing changes and copy is False."""
    target_device = t.device if device is None else resolve_device(device)
    target_dtype = t.dtype if dtype is None else dtype
    if not isinstance(target_dtype, _dtype.dtype):
        raise DTypeError(f"to(): expected a rustorch dtype, got {target_dtype!r}")
    if target_device == t.device and target_dtype is t.dtype and not copy:
        return t
    if target_device == t.device:
        result = empty_tensor(t._shape, target_dtype, target_device)
        result._storage.backend.copy_(result, t)
    else:
        host = np.asarray(t.numpy(force=True), dtype=target_dtype.np, order="C")  # keeps 0-d arrays 0-d
        if host is t._array():
            host = host.copy()
        result = from_host_array(host, target_device, target_dtype)
    if STATE.enabled and t.requires_grad and (target_dtype.is_floating_point or target_dtype.is_complex):
        record("ToCopyBackward0", _to_backward, (t,), result, (t.device, t.dtype))
    return result


def _to_backward(node, grad, device, dtype):
    if grad.dtype.is_complex and not dtype.is_complex:
        grad = grad.real
    return to_device_dtype(grad, device, dtype)


def clone(input, *, memory_format=None):
    """A copy with its own memory.

    >>> import rustorch
    >>> a = rustorch.ones(2); b = a.clone(); _ = b.zero_(); a
    tensor([1., 1.])
    """
    result = empty_tensor(input._shape, input.dtype, input.device)
    result._storage.backend.copy_(result, input)
    if STATE.enabled and input.requires_grad:
        record("CloneBackward0", _identity_backward, (input,), result)
    return result


def _identity_backward(node, grad):
    return grad


def contiguous(input, memory_format=None):
    """``input`` if already contiguous, else a contiguous copy."""
    return input if input.is_contiguous() else clone(input)


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast, from any device) into ``self``; writes show through every view."""
    if not isinstance(src, Tensor):
        return fill_(self, src)
    from ._common import broadcast_shapes

    if broadcast_shapes("copy_", self._shape, src._shape) != self._shape:
        raise ShapeError(f"copy_(): source of shape {list(src._shape)} can't be broadcast to the destination shape {list(self._shape)}")
    recording = check_inplace("copy_", self, (self, src))
    moved = to_device_dtype(src, self.device, src.dtype) if src.device != self.device else src
    self._storage.backend.copy_(self, moved)
    self._bump_version()
    if recording:
        record("CopyBackwards", _copy_backward, (self, src), self, (src.device,))
    return self


def _copy_backward(node, grad, src_device):
    grad_src = None
    if node.needs_input_grad[1]:
        grad_src = grad if grad.device == src_device else to_device_dtype(grad, src_device, grad.dtype)
    return (zeros_like(grad) if node.needs_input_grad[0] else None), grad_src


def fill_(self, value):
    """Fill ``self`` with a number (or a 1-element tensor, which gets the sum of the gradient)."""
    value_tensor = None
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ShapeError(f"fill_(): only supports 0-dimension value tensor but got tensor with {value.dim()} dimensions")
        value_tensor, value = value, value.item()
    recording = check_inplace("fill_", self, (self, value_tensor))
    self._storage.backend.fill_(self, value)
    self._bump_version()
    if recording:
        record("FillBackward0", _fill_backward, (self, value_tensor), self,
               (value_tensor._shape if value_tensor is not None else None,))
    return self


def _fill_backward(node, grad, value_shape):
    grad_value = grad.sum().reshape(value_shape) if node.needs_input_grad[1] else None
    return (zeros_like(grad) if node.needs_input_grad[0] else None), grad_value


def zero_(self):
    return fill_(self, 0)


def _rebuild(array, device, requires_grad):
    t = from_host_array(np.asarray(array, order="C"), resolve_device(device))  # ascontiguousarray makes 0-d 1-d
    t.requires_grad = requires_grad
    return t


__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "empty", "full", "zeros", "ones", "empty_like",
           "zeros_like", "ones_like", "full_like", "arange", "range", "linspace", "logspace", "eye", "clone"]
TENSOR_METHODS = ["clone", "contiguous", "copy_", "fill_", "zero_"]
