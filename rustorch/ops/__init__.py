"""The ops, one module per family, written once against the backend contract.

Each family module lists its public functions in ``__all__`` (exported as
``rustorch.<name>``), the ones that are also Tensor methods in
``TENSOR_METHODS``, and those with a generated in-place twin ``name_`` in
``INPLACE_METHODS``.
"""
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


def _reflected(f):
    return lambda self, other: f(other, self)


_E = elementwise
Tensor.__add__ = lambda self, other: _E.add(self, other)
Tensor.__radd__ = _reflected(_E.add)
Tensor.__iadd__ = Tensor.add_
Tensor.__sub__ = lambda self, other: _E.sub(self, other)
Tensor.__rsub__ = _reflected(_E.sub)
Tensor.__isub__ = Tensor.sub_
Tensor.__mul__ = lambda self, other: _E.mul(self, other)
Tensor.__rmul__ = _reflected(_E.mul)
Tensor.__imul__ = Tensor.mul_
Tensor.__truediv__ = lambda self, other: _E.div(self, other)
Tensor.__rtruediv__ = _reflected(_E.div)
Tensor.__itruediv__ = Tensor.div_
Tensor.__floordiv__ = lambda self, other: _E.floor_divide(self, other)
Tensor.__rfloordiv__ = _reflected(_E.floor_divide)
Tensor.__ifloordiv__ = Tensor.floor_divide_
Tensor.__mod__ = lambda self, other: _E.remainder(self, other)
Tensor.__rmod__ = _reflected(_E.remainder)
Tensor.__imod__ = Tensor.remainder_
Tensor.__pow__ = lambda self, other: _E.pow(self, other)
Tensor.__rpow__ = _reflected(_E.pow)
Tensor.__ipow__ = Tensor.pow_
Tensor.__matmul__ = lambda self, other: contraction.matmul(self, other)
Tensor.__rmatmul__ = _reflected(contraction.matmul)
Tensor.__and__ = lambda self, other: _E.bitwise_and(self, other)
Tensor.__rand__ = _reflected(_E.bitwise_and)
Tensor.__iand__ = Tensor.bitwise_and_
Tensor.__or__ = lambda self, other: _E.bitwise_or(self, other)
Tensor.__ror__ = _reflected(_E.bitwise_or)
Tensor.__ior__ = Tensor.bitwise_or_
Tensor.__xor__ = lambda self, other: _E.bitwise_xor(self, other)
Tensor.__rxor__ = _reflected(_E.bitwise_xor)
Tensor.__ixor__ = Tensor.bitwise_xor_
Tensor.__lshift__ = lambda self, other: _E.bitwise_left_shift(self, other)
Tensor.__rlshift__ = _reflected(_E.bitwise_left_shift)
Tensor.__rshift__ = lambda self, other: _E.bitwise_right_shift(self, other)
Tensor.__rrshift__ = _reflected(_E.bitwise_right_shift)
Tensor.__eq__ = lambda self, other: _E.eq(self, other)
Tensor.__ne__ = lambda self, other: _E.ne(self, other)
Tensor.__lt__ = lambda self, other: _E.lt(self, other)
Tensor.__le__ = lambda self, other: _E.le(self, other)
Tensor.__gt__ = lambda self, other: _E.gt(self, other)
Tensor.__ge__ = lambda self, other: _E.ge(self, other)
Tensor.__neg__ = _E.neg
Tensor.__pos__ = _E.positive
Tensor.__abs__ = _E.abs
Tensor.__invert__ = lambda self: _E.logical_not(self) if self.dtype.name == "bool" else _E.bitwise_not(self)
Tensor.__getitem__ = indexing.getitem
Tensor.__setitem__ = indexing.setitem
Tensor.T = property(lambda self: views.permute(self, tuple(range(self.ndim - 1, -1, -1))))
Tensor.mT = property(lambda self: views.transpose(self, -2, -1))
Tensor.H = property(lambda self: elementwise.conj(views.t(self)))
Tensor.mH = property(lambda self: elementwise.conj(views.transpose(self, -2, -1)))
Tensor.real = property(elementwise.real)
Tensor.imag = property(elementwise.imag)
