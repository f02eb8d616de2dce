"""The ops, one module per family, written once against the backend contract.

Each family module lists its public functions in ``__all__`` (exported as
``rustorch.<name>``), the ones that are also Tensor methods in
``TENSOR_METHODS``, and those with a generated in-place twin ``name_`` in
``INPLACE_METHODS``.
"""
import numbers

import numpy as np

from ..errors import ShapeError
from ..tensor import Tensor
from . import contraction, creation, elementwise, indexing, random, reduction, shape, views
from ._common import broadcast_shapes

FAMILIES = (elementwise, creation, views, indexing, shape, reduction, contraction, random)


def _make_inplace(f, name):
    def method(self, *args, **kwargs):
        for a in args:
            if isinstance(a, Tensor) and a._shape != self._shape:
                if broadcast_shapes(name, self._shape, a._shape) != self._shape:
                    raise ShapeError(
                        f"{name}(): output with shape {list(self._shape)} doesn't match the broadcast shape "
                        f"{list(broadcast_shapes(name, self._shape, a._shape))}"
                    )
        return f(self, *args, out=self, **kwargs)

    method.__name__ = name
    method.__doc__ = f"In-place version of :meth:`{f.__name__}`."
    return method


for _family in FAMILIES:
    for _name in getattr(_family, "TENSOR_METHODS", ()):
        setattr(Tensor, _name, getattr(_family, _name))
    for _name in getattr(_family, "INPLACE_METHODS", ()):
        setattr(Tensor, _name + "_", _make_inplace(getattr(_family, _name), _name + "_"))
del _family, _name


_PLAIN_OPERANDS = frozenset((float, int, bool, complex))


def _operand_ok(other):
    return (type(other) in _PLAIN_OPERANDS or isinstance(other, (Tensor, numbers.Number, np.generic))
            or isinstance(other, np.ndarray) and other.ndim == 0)


def _operator(f):
    # NotImplemented (not an error) for other operand types, so that `t == None` is False
    # and `t + "a"` raises Python's own TypeError, as with torch
    return lambda self, other: (f(self, other) if type(other) in _PLAIN_OPERANDS or isinstance(other, Tensor)
                                or _operand_ok(other) else NotImplemented)


def _reflected(f):
    return lambda self, other: (f(other, self) if type(other) in _PLAIN_OPERANDS or isinstance(other, Tensor)
                                or _operand_ok(other) else NotImplemented)


_E = elementwise
# operator -> (function, in-place method for the augmented assignment)
_OPERATORS = {
    "add": (_E.add, "add_"), "sub": (_E.sub, "sub_"), "mul": (_E.mul, "mul_"), "truediv": (_E.div, "div_"),
    "floordiv": (_E.floor_divide, "floor_divide_"), "mod": (_E.remainder, "remainder_"), "pow": (_E.pow, "pow_"),
    "matmul": (contraction.matmul, None), "and": (_E.bitwise_and, "bitwise_and_"),
    "or": (_E.bitwise_or, "bitwise_or_"), "xor": (_E.bitwise_xor, "bitwise_xor_"),
    "lshift": (_E.bitwise_left_shift, "bitwise_left_shift_"), "rshift": (_E.bitwise_right_shift, "bitwise_right_shift_"),
}
for _name, (_f, _inplace) in _OPERATORS.items():
    setattr(Tensor, f"__{_name}__", _operator(_f))
    setattr(Tensor, f"__r{_name}__", _reflected(_f))
    if _inplace:
        setattr(Tensor, f"__i{_name}__", getattr(Tensor, _inplace))
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(Tensor, f"__{_name}__", _operator(getattr(_E, _name)))
del _name, _f, _inplace
Tensor.__neg__ = _E.neg
Tensor.__pos__ = _E.positive
Tensor.__abs__ = _E.abs
Tensor.__invert__ = lambda self: _E.logical_not(self) if self.dtype.name == "bool" else _E.bitwise_not(self)
Tensor.__getitem__ = indexing.getitem
Tensor.__setitem__ = indexing.setitem
Tensor.T = property(lambda self: views.permute(self, tuple(range(self.ndim - 1, -1, -1))))
Tensor.mT = property(lambda self: views.transpose(self, -2, -1))


def _adjoint(self):
    if self.ndim != 2:
        raise ShapeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor.")
    return elementwise.conj(views.transpose(self, 0, 1))


Tensor.H = property(_adjoint)
Tensor.mH = property(lambda self: elementwise.conj(views.transpose(self, -2, -1)))
Tensor.real = property(elementwise.real)
Tensor.imag = property(elementwise.imag)
