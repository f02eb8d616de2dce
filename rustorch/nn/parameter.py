"""Parameter: a Tensor that a Module registers as one of its parameters.

>>> import rustorch
>>> p = rustorch.nn.Parameter(rustorch.zeros(2))
>>> p.requires_grad, isinstance(p, rustorch.Tensor)
(True, True)
"""
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor (sharing ``data``'s storage) that Modules collect in ``parameters()``."""

    def __new__(cls, data=None, requires_grad=True):
        from ..ops.creation import empty

        if data is None:
            data = empty(0)
        p = object.__new__(cls)
        p._storage, p._shape, p._stride, p._offset, p.dtype = data._storage, data._shape, data._stride, data._offset, data.dtype
        p.grad = p.grad_fn = p._base = p._host = None
        p.requires_grad = False
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach(), self.requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute (torch.nn.Buffer).

    >>> import rustorch
    >>> m = rustorch.nn.Module(); m.running = rustorch.nn.Buffer(rustorch.zeros(1))
    >>> list(dict(m.named_buffers()))
    ['running']
    """

    def __new__(cls, data=None, *, persistent=True):
        from ..ops.creation import empty

        if data is None:
            data = empty(0)
        b = object.__new__(cls)
        b._storage, b._shape, b._stride, b._offset, b.dtype = data._storage, data._shape, data._stride, data._offset, data.dtype
        b.grad = b.grad_fn = b._base = b._host = None
        b.requires_grad = data.requires_grad
        b.persistent = persistent
        return b

    def __init__(self, data=None, *, persistent=True):
        pass


__all__ = ["Parameter", "Buffer"]
