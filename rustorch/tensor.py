"""The Tensor: a strided view of a storage on a device, with autograd fields.

Everything a Tensor does beyond its own metadata is an op in rustorch/ops;
the methods are attached there (``Tensor.exp = ops.exp``), so that method and
function are one code path.
"""
import numpy as np

from . import _dtype
from ._device import device as _device_cls
from .backends.registry import get_backend
from .errors import AutogradError, DeviceError, DimensionError, DTypeError, InvalidTypeError, ValueOutOfRangeError


class Size(tuple):
    """A tensor shape: a tuple of ints, as torch.Size.

    >>> import rustorch
    >>> rustorch.zeros(2, 3).shape
    rustorch.Size([2, 3])
    """

    __slots__ = ()

    def __repr__(self):
        return f"rustorch.Size([{', '.join(map(str, self))}])"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


class Storage:
    """A buffer on a device shared by every view of it; ``version`` counts in-place writes."""

    __slots__ = ("data", "device", "backend", "version", "__weakref__")

    def __init__(self, data, device, backend):
        self.data = data
        self.device = device
        self.backend = backend
        self.version = 0


def contiguous_strides(shape):
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def numel_of(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def wrap_dim(op, dim, ndim):
    """``dim`` in [0, ndim) (negative counts from the end); DimensionError naming ``op`` otherwise."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise InvalidTypeError(f"{op}(): dim must be an int, got {type(dim).__name__}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise DimensionError(f"{op}(): Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n


def _make(storage, shape, stride, offset, dtype, base=None):
    t = object.__new__(Tensor)
    t._storage = storage
    t._shape = shape
    t._stride = stride
    t._offset = offset
    t.dtype = dtype
    t.requires_grad = False
    t.grad = None
    t.grad_fn = None
    t._base = base
    t._host = None
    return t


_LAYOUTS = {}  # shape -> (numel, contiguous strides): most programs use few shapes, over and over


def _layout(shape):
    layout = _LAYOUTS.get(shape)
    if layout is None:
        if len(_LAYOUTS) > 4096:
            _LAYOUTS.clear()
        layout = _LAYOUTS[shape] = (numel_of(shape), contiguous_strides(shape))
    return layout


def empty_tensor(shape, dtype, device):
    """A new contiguous tensor (uninitialised) of ``shape`` on ``device``."""
    backend = get_backend(device.type)
    shape = tuple(shape)
    numel, strides = _layout(shape)
    return _make(Storage(backend.empty(numel, dtype, device), device, backend), shape, strides, 0, dtype)


def from_host_array(array, device, dtype=None):
    """A tensor holding a NumPy array's values on ``device`` (sharing its memory on the CPU when possible)."""
    if dtype is None:
        dtype = _dtype.from_numpy_dtype(array.dtype)
    elif array.dtype != dtype.np:
        array = array.astype(dtype.np)
    backend = get_backend(device.type)
    if not array.flags.c_contiguous:
        array = np.ascontiguousarray(array)
    shape = array.shape
    data = backend.from_host(array, device)
    return _make(Storage(data, device, backend), shape, contiguous_strides(shape), 0, dtype)


def view_of(t, shape, stride, offset):
    """A view of ``t``'s storage with new metadata (shares memory and version counter)."""
    return _make(t._storage, tuple(shape), tuple(stride), offset, t.dtype, t if t._base is None else t._base)


class Tensor:
    """A multi-dimensional array on a device, as torch.Tensor.

    >>> import rustorch
    >>> x = rustorch.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> (x.T @ x).sum().item()
    58.0
    """

    __slots__ = ("_storage", "_shape", "_stride", "_offset", "dtype", "requires_grad", "grad", "grad_fn",
                 "_base", "_host", "__weakref__", "__dict__")
    __array_priority__ = 1000  # NumPy defers `ndarray op Tensor` to the Tensor's reflected operator
    # autograd fields most tensors never set (kept out of __slots__ so that _make stays cheap)
    _output_nr = 0  # which output of grad_fn this tensor is
    _grad_acc = None  # weak reference to a leaf's AccumulateGrad node
    _hooks = None  # a leaf's gradient hooks
    _view_version = 0  # a view's storage version when its grad_fn was recorded (see autograd.graph.gradient_edge)

    def __new__(cls, *args, device=None):
        # torch.Tensor(data) makes a default-dtype tensor; torch.Tensor(2, 3) an uninitialised one.
        from .ops import creation

        if len(args) == 1 and not isinstance(args[0], int):
            return creation.tensor(args[0], dtype=_dtype.get_default_dtype(), device=device)
        return creation.empty(*args, device=device)

    # metadata -----------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._shape)
        return self._shape[wrap_dim("size", dim, len(self._shape))]

    @property
    def ndim(self):
        return len(self._shape)

    def dim(self):
        return len(self._shape)

    ndimension = dim

    def numel(self):
        return numel_of(self._shape)

    nelement = numel

    def stride(self, dim=None):
        if dim is None:
            return self._stride
        return self._stride[wrap_dim("stride", dim, len(self._shape))]

    def storage_offset(self):
        return self._offset

    @property
    def device(self):
        return self._storage.device

    @property
    def is_cpu(self):
        return self._storage.device.type == "cpu"

    @property
    def is_cuda(self):
        return self._storage.device.type == "cuda"

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def _version(self):
        return self._storage.version

    @property
    def data(self):
        return self.detach()

    @data.setter
    def data(self, value):
        """``t.data = other`` makes t hold other's values (sharing its storage), keeping t's autograd fields."""
        if not isinstance(value, Tensor):
            raise InvalidTypeError(f"data: expected a Tensor, got {type(value).__name__}")
        self._storage, self._shape, self._stride, self._offset = value._storage, value._shape, value._stride, value._offset
        self.dtype = value.dtype
        self._host = None

    def detach(self):
        """The same data, cut from the graph (it shares storage and version counter)."""
        return _make(self._storage, self._shape, self._stride, self._offset, self.dtype)

    def detach_(self):
        if self._base is not None and self.grad_fn is not None:
            raise AutogradError("detach_(): can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self.requires_grad = False
        return self

    def element_size(self):
        return self.dtype.itemsize

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.numel() * self.dtype.itemsize

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return self.dtype.is_complex

    def is_contiguous(self, memory_format=None):
        expected = 1
        for size, stride in zip(reversed(self._shape), reversed(self._stride)):
            if size != 1 and stride != expected:
                return False
            expected *= size
        return True

    def _bump_version(self):
        self._storage.version += 1
        self._host = None

    # conversion ---------------------------------------------------------------
    def _array(self):
        """The values as a NumPy array: a cached view of the storage on the CPU, a copy elsewhere."""
        a = self._host
        if a is None:
            a = self._storage.backend.to_host(self)
            if self._storage.device.type == "cpu":  # only a CPU view stays valid; elsewhere it is a copy
                self._host = a
        return a

    def numpy(self, *, force=False):
        if self.requires_grad and not force:
            raise ValueOutOfRangeError("numpy(): can't call numpy() on a tensor that requires grad; use tensor.detach().numpy()")
        if not self.is_cpu and not force:
            raise InvalidTypeError(f"numpy(): can't convert a tensor on {self.device} to NumPy; use tensor.cpu() first")
        return self._array()

    def __array__(self, dtype=None, copy=None):
        a = self._array()
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def item(self):
        if self.numel() != 1:
            raise ValueOutOfRangeError(f"item(): a Tensor with {self.numel()} elements cannot be converted to Scalar")
        return self._array().reshape(()).item() if self.dtype is not _dtype.bfloat16 else float(self._array().reshape(()))

    def tolist(self):
        a = self._array()
        if self.dtype is _dtype.bfloat16:
            a = a.astype(np.float32)
        return a.tolist()

    def __len__(self):
        if not self._shape:
            raise InvalidTypeError("len() of a 0-d tensor")
        return self._shape[0]

    def __iter__(self):
        if not self._shape:
            raise InvalidTypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self.numel() != 1:
            raise ValueOutOfRangeError(f"Boolean value of Tensor with {self.numel()} values is ambiguous")
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __index__(self):
        if self.dtype.is_floating_point or self.dtype.is_complex or self.numel() != 1:
            raise InvalidTypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __hash__(self):
        return id(self)

    def __format__(self, spec):
        if self.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self):
        from ._tensor_str import tensor_repr

        return tensor_repr(self)

    def __reduce_ex__(self, protocol):
        from .ops.creation import _rebuild

        return (_rebuild, (np.array(self._array()), str(self.device), self.requires_grad))

    def __deepcopy__(self, memo):
        result = self.clone()
        result.requires_grad = self.requires_grad
        memo[id(self)] = result
        return result

    # dtype and device moves ----------------------------------------------------
    def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False):
        """Move to a device and/or cast: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``."""
        for a in args:
            if isinstance(a, _dtype.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype, device = a.dtype, a.device
            elif isinstance(a, (str, _device_cls)):
                device = a
            else:
                raise InvalidTypeError(f"to(): expected a dtype, a device or a tensor, got {a!r}")
        from .ops.creation import to_device_dtype

        return to_device_dtype(self, device, dtype, copy)

    def type(self, dtype=None):
        if dtype is None:
            return f"rustorch.{_TYPE_NAMES.get(self.dtype.name, self.dtype.name)}"
        if isinstance(dtype, str):
            name = dtype.rsplit(".", 1)[-1]
            by_type_name = {v: k for k, v in _TYPE_NAMES.items()}
            if name not in by_type_name:
                raise DTypeError(f"type(): invalid type {dtype!r}")
            dtype = _dtype._BY_NAME[by_type_name[name]]
        return self.to(dtype)

    def cpu(self):
        return self.to("cpu")

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def half(self):
        return self.to(_dtype.float16)

    def bfloat16(self):
        return self.to(_dtype.bfloat16)

    def long(self):
        return self.to(_dtype.int64)

    def int(self):
        return self.to(_dtype.int32)

    def short(self):
        return self.to(_dtype.int16)

    def char(self):
        return self.to(_dtype.int8)

    def byte(self):
        return self.to(_dtype.uint8)

    def bool(self):
        return self.to(_dtype.bool_)

    def cfloat(self):
        return self.to(_dtype.complex64)

    def cdouble(self):
        return self.to(_dtype.complex128)

    # autograd ---------------------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        if requires_grad and not (self.dtype.is_floating_point or self.dtype.is_complex):
            raise DTypeError(f"requires_grad_(): only tensors of floating point and complex dtype can require gradients, got {self.dtype}")
        if self.grad_fn is not None and not requires_grad:
            raise AutogradError("requires_grad_(): you can only change requires_grad flags of leaf variables. If you "
                                   "want to use a computed variable in a subgraph that doesn't require differentiation "
                                   "use var_no_grad = var.detach().")
        self.requires_grad = requires_grad
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into each leaf's ``.grad`` (see rustorch.autograd.backward)."""
        from .autograd.engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs)

    def register_hook(self, hook):
        """``hook(grad)`` runs when the gradient of this tensor is computed; a returned tensor replaces it."""
        if not self.requires_grad:
            raise AutogradError("register_hook(): cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.add_tensor_hook(self._output_nr, hook)
        from .autograd.graph import RemovableHandle

        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self.requires_grad:
            raise AutogradError("retain_grad(): can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None:
            return
        import weakref

        node = self.grad_fn
        if node._retained is None:
            node._retained = {}
        node._retained[self._output_nr] = weakref.ref(self)
        node._has_hooks = True

    @property
    def retains_grad(self):
        node = self.grad_fn
        return node is not None and bool(node._retained) and self._output_nr in node._retained and \
            node._retained[self._output_nr]() is self


_TYPE_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor", "bfloat16": "BFloat16Tensor",
    "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
    "uint8": "ByteTensor", "bool": "BoolTensor", "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor",
}


def check_same_device(op, *tensors):
    """The common device of the tensors among ``tensors``; DeviceError naming ``op`` if they differ."""
    first = None
    for t in tensors:
        if isinstance(t, Tensor):
            d = t._storage.device
            if first is None:
                first = d
            elif d != first:
                raise DeviceError(
                    f"{op}(): expected all tensors to be on the same device, but found at least two devices, {first} and {d}"
                )
    return first
