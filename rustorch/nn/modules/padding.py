"""rustorch.nn: the padding layers: Zero-, Constant-, Reflection-, Replication- and CircularPad in 1, 2 and 3 dims.

>>> import rustorch
>>> rustorch.nn.ReflectionPad2d((1, 1, 2, 0))
ReflectionPad2d((1, 1, 2, 0))
"""
from ...errors import InvalidArgumentError
from .. import functional as F
from .module import Module


def _expand(padding, n):
    """torch's _ntuple: an iterable is taken as it is, a number repeated ``n`` times."""
    if isinstance(padding, (list, tuple)):
        return tuple(padding)
    return (padding,) * n


class _CircularPadNd(Module):
    _dims = 0  # the number of padded dims: the input has one (unbatched) or two more

    def forward(self, input):
        if input.dim() not in (self._dims + 1, self._dims + 2):
            # torch raises ValueError here
            raise InvalidArgumentError(f"{type(self).__name__}: expected {self._dims + 1}D or {self._dims + 2}D input "
                                       f"(got {input.dim()}D input of shape {list(input.shape)})")
        return F.pad(input, self.padding, "circular")

    def extra_repr(self):
        return f"{self.padding}"


class CircularPad1d(_CircularPadNd):
    """Pads the last dim circularly (wrapping around) by (left, right).

    >>> import rustorch
    >>> rustorch.nn.CircularPad1d(1)(rustorch.tensor([[1.0, 2.0, 3.0]]))
    tensor([[3., 1., 2., 3., 1.]])
    """

    _dims = 1

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, 2)


class CircularPad2d(_CircularPadNd):
    """Pads the last 2 dims circularly by (left, right, top, bottom).

    >>> import rustorch
    >>> rustorch.nn.CircularPad2d(1)(rustorch.zeros(1, 2, 3)).shape
    rustorch.Size([1, 4, 5])
    """

    _dims = 2

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, 4)


class CircularPad3d(_CircularPadNd):
    """Pads the last 3 dims circularly by (left, right, top, bottom, front, back).

    >>> import rustorch
    >>> rustorch.nn.CircularPad3d(1)(rustorch.zeros(1, 2, 2, 2)).shape
    rustorch.Size([1, 4, 4, 4])
    """

    _dims = 3

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, 6)


class _ConstantPadNd(Module):
    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with ``value`` by (left, right).

    >>> import rustorch
    >>> rustorch.nn.ConstantPad1d((1, 0), 9.0)(rustorch.tensor([1.0, 2.0]))
    tensor([9., 1., 2.])
    """

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _expand(padding, 2)


class ConstantPad2d(_ConstantPadNd):
    """Pads the last 2 dims with ``value`` by (left, right, top, bottom).

    >>> import rustorch
    >>> rustorch.nn.ConstantPad2d(1, 3.5)
    ConstantPad2d(padding=(1, 1, 1, 1), value=3.5)
    """

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _expand(padding, 4)


class ConstantPad3d(_ConstantPadNd):
    """Pads the last 3 dims with ``value`` by (left, right, top, bottom, front, back).

    >>> import rustorch
    >>> rustorch.nn.ConstantPad3d(1, 0.0)(rustorch.zeros(1, 1, 1, 1)).shape
    rustorch.Size([1, 3, 3, 3])
    """

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _expand(padding, 6)


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros by (left, right).

    >>> import rustorch
    >>> rustorch.nn.ZeroPad1d(1)(rustorch.ones(1, 2))
    tensor([[0., 1., 1., 0.]])
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pads the last 2 dims with zeros by (left, right, top, bottom).

    >>> import rustorch
    >>> rustorch.nn.ZeroPad2d((1, 0, 0, 1))
    ZeroPad2d((1, 0, 0, 1))
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pads the last 3 dims with zeros by (left, right, top, bottom, front, back).

    >>> import rustorch
    >>> rustorch.nn.ZeroPad3d(1)(rustorch.ones(1, 1, 1, 1)).sum()
    tensor(1.)
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _ReflectionPadNd(Module):
    def forward(self, input):
        return F.pad(input, self.padding, "reflect")

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_ReflectionPadNd):
    """Pads the last dim with its reflection (edge not repeated) by (left, right).

    >>> import rustorch
    >>> rustorch.nn.ReflectionPad1d(2)(rustorch.tensor([[1.0, 2.0, 3.0]]))
    tensor([[3., 2., 1., 2., 3., 2., 1.]])
    """

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, 2)


class ReflectionPad2d(_ReflectionPadNd):
    """Pads the last 2 dims with their reflection by (left, right, top, bottom).

    >>> import rustorch
    >>> rustorch.nn.ReflectionPad2d(1)(rustorch.zeros(1, 2, 3)).shape
    rustorch.Size([1, 4, 5])
    """

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, 4)


class ReflectionPad3d(_ReflectionPadNd):
    """Pads the last 3 dims with their reflection by (left, right, top, bottom, front, back).

    >>> import rustorch
    >>> rustorch.nn.ReflectionPad3d(1)(rustorch.zeros(1, 2, 2, 2)).shape
    rustorch.Size([1, 4, 4, 4])
    """

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, 6)


class _ReplicationPadNd(Module):
    def forward(self, input):
        return F.pad(input, self.padding, "replicate")

    def extra_repr(self):
        return f"{self.padding}"


class ReplicationPad1d(_ReplicationPadNd):
    """Pads the last dim by repeating its edge values, (left, right).

    >>> import rustorch
    >>> rustorch.nn.ReplicationPad1d((2, 1))(rustorch.tensor([[1.0, 2.0]]))
    tensor([[1., 1., 1., 2., 2.]])
    """

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, 2)


class ReplicationPad2d(_ReplicationPadNd):
    """Pads the last 2 dims by repeating their edges, (left, right, top, bottom).

    >>> import rustorch
    >>> rustorch.nn.ReplicationPad2d(1)(rustorch.zeros(1, 2, 3)).shape
    rustorch.Size([1, 4, 5])
    """

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, 4)


class ReplicationPad3d(_ReplicationPadNd):
    """Pads the last 3 dims by repeating their edges, (left, right, top, bottom, front, back).

    >>> import rustorch
    >>> rustorch.nn.ReplicationPad3d(1)(rustorch.zeros(1, 2, 2, 2)).shape
    rustorch.Size([1, 4, 4, 4])
    """

    def __init__(self, padding):
        super().__init__()
        self.padding = _expand(padding, 6)


__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d"]
