"""rustorch.nn: the flatten layers, Flatten and Unflatten.

>>> import rustorch
>>> rustorch.nn.Flatten()(rustorch.zeros(2, 3, 4)).shape
rustorch.Size([2, 12])
"""
from ...errors import InvalidTypeError
from .module import Module


class Flatten(Module):
    """Flattens the dims start_dim..end_dim into one (by default all but the batch dim).

    >>> import rustorch
    >>> rustorch.nn.Flatten(0, 1)(rustorch.zeros(2, 3, 4)).shape
    rustorch.Size([6, 4])
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits dim ``dim`` into ``unflattened_size`` (a tuple or list of ints, one of them may be -1).

    >>> import rustorch
    >>> rustorch.nn.Unflatten(1, (2, 5))(rustorch.zeros(3, 10)).shape
    rustorch.Size([3, 2, 5])
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise InvalidTypeError(f"Unflatten: unflattened_size must be a tuple of ints, but found type "
                                   f"{type(unflattened_size).__name__}")
        for i, size in enumerate(unflattened_size):
            if not isinstance(size, int):
                raise InvalidTypeError(f"Unflatten: unflattened_size must be tuple of ints, but found element of type "
                                       f"{type(size).__name__} at pos {i}")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


__all__ = ["Flatten", "Unflatten"]
