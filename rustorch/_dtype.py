"""dtypes, their NumPy counterparts and torch's type-promotion rules."""
import ml_dtypes
import numpy as np

from .errors import DTypeError


class dtype:
    """A tensor element type, e.g. ``rustorch.float32``.

    >>> import rustorch
    >>> rustorch.float32.itemsize, rustorch.float32.is_floating_point
    (4, True)
    """

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed", "_category", "__weakref__")

    def __init__(self, name, np_dtype, category):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self._category = category  # 0 bool, 1 integer, 2 floating, 3 complex
        self.is_floating_point = category == 2
        self.is_complex = category == 3
        self.is_signed = name not in ("bool", "uint8")

    def __repr__(self):
        return f"rustorch.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float64: complex128, complex128: complex128}.get(self, complex64)


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
complex64 = dtype("complex64", np.complex64, 3)
complex128 = dtype("complex128", np.complex128, 3)

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64, complex64, complex128)
_BY_NAME = {d.name: d for d in ALL_DTYPES}
_BY_NUMPY = {d.np: d for d in ALL_DTYPES}


def _dtype_by_name(name):
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype):
    """The rustorch dtype of a NumPy dtype; DTypeError for one rustorch has no counterpart of."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise DTypeError(
            f"can't convert NumPy dtype {np_dtype!r}: the supported types are "
            f"{', '.join(str(d.np) for d in ALL_DTYPES)}"
        ) from None


_default_float = float32


def get_default_dtype():
    """The dtype of floating tensors made from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(d):
    """Set the default floating dtype (float32 or float64, as torch allows for these two).

    >>> import rustorch
    >>> rustorch.set_default_dtype(rustorch.float64); rustorch.tensor([1.0]).dtype
    rustorch.float64
    >>> rustorch.set_default_dtype(rustorch.float32)
    """
    global _default_float
    if d not in (float16, bfloat16, float32, float64):
        raise DTypeError(f"set_default_dtype(): only floating-point types are supported as the default type, got {d}")
    _default_float = d


def default_complex():
    return complex128 if _default_float is float64 else complex64


_SIGNED_INTS = (int8, int16, int32, int64)


def promote_types(a, b):
    """torch.promote_types: the smallest dtype both ``a`` and ``b`` convert to without losing kind.

    >>> import rustorch
    >>> rustorch.promote_types(rustorch.uint8, rustorch.int8)
    rustorch.int16
    """
    if a is b:
        return a
    ca, cb = a._category, b._category
    if ca < cb or (ca == cb and a.itemsize < b.itemsize):
        a, b, ca, cb = b, a, cb, ca
    # now a is of the higher kind (or the wider of the same kind)
    if cb == 0:
        return a
    if ca == 1:  # both integers
        if b is uint8 or a is uint8:
            other = b if a is uint8 else a
            return int16 if other in (int8, uint8) else other
        return a
    if ca == 2:
        if cb == 1:
            return a
        if {a, b} == {float16, bfloat16}:
            return float32
        return a
    # a complex
    if cb == 3:
        return a
    if cb == 2 and b is float64:
        return complex128
    return a


def _combine_categories(higher, lower):
    # torch's c10 combine_categories: the kind of a higher-priority operand group wins,
    # a lower group can only lift the kind (int -> float -> complex), never the width.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value):
    """The dtype torch gives a Python number when it meets a tensor (a 'wrapped number')."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default_float
    if isinstance(value, complex):
        return default_complex()
    raise DTypeError(f"expected a Python number, got {type(value).__name__}")


def result_type(*operands):
    """torch.result_type over tensors and Python numbers.

    Tensors with dimensions outrank 0-d tensors, which outrank Python numbers; a
    lower-ranked operand only decides the result when it is of a higher kind
    (bool < integer < floating < complex).

    >>> import rustorch
    >>> rustorch.result_type(rustorch.tensor([1], dtype=rustorch.int32), 2.5)
    rustorch.float32
    >>> rustorch.result_type(rustorch.tensor([1.0], dtype=rustorch.float16), rustorch.tensor(2.5, dtype=rustorch.float64))
    rustorch.float16
    """
    dim_result = zero_result = wrapped_result = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is None:
            d = scalar_dtype(x)
            wrapped_result = d if wrapped_result is None else promote_types(wrapped_result, d)
        elif x.ndim == 0:
            zero_result = d if zero_result is None else promote_types(zero_result, d)
        else:
            dim_result = d if dim_result is None else promote_types(dim_result, d)
    return _combine_categories(dim_result, _combine_categories(zero_result, wrapped_result))


def can_cast(from_, to):
    """torch.can_cast: whether writing ``from_`` values into ``to`` keeps their kind."""
    return from_._category <= to._category


class finfo:
    """Machine limits of a floating dtype, as torch.finfo.

    >>> import rustorch
    >>> rustorch.finfo(rustorch.float32).eps
    1.1920928955078125e-07
    """

    def __init__(self, type=None):
        d = _default_float if type is None else type
        if not (d.is_floating_point or d.is_complex):
            raise DTypeError(f"finfo(): expected a floating-point dtype, got {d}")
        f = ml_dtypes.finfo(d.to_real().np)
        self.dtype = d.to_real().name
        self.bits = f.bits
        self.eps = float(f.eps)
        self.max = float(f.max)
        self.min = float(f.min)
        self.tiny = self.smallest_normal = float(f.smallest_normal)
        self.resolution = float(f.resolution)

    def __repr__(self):
        return f"finfo(resolution={self.resolution}, min={self.min}, max={self.max}, eps={self.eps}, smallest_normal={self.tiny}, bits={self.bits}, dtype={self.dtype})"


class iinfo:
    """Limits of an integer dtype, as torch.iinfo.

    >>> import rustorch
    >>> rustorch.iinfo(rustorch.int8).max
    127
    """

    def __init__(self, type):
        if type._category != 1 and type is not bool_:
            raise DTypeError(f"iinfo(): expected an integer dtype, got {type}")
        i = np.iinfo(type.np) if type is not bool_ else None
        self.dtype = type.name
        self.bits = type.itemsize * 8
        self.max = int(i.max) if i is not None else 1
        self.min = int(i.min) if i is not None else 0

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
