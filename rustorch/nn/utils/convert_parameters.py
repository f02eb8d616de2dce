"""Parameters as one flat vector and back, as torch.nn.utils.

>>> import rustorch
>>> layer = rustorch.nn.Linear(3, 2)
>>> vec = rustorch.nn.utils.parameters_to_vector(layer.parameters())
>>> vec.shape
rustorch.Size([8])
>>> rustorch.nn.utils.vector_to_parameters(rustorch.zeros(8), layer.parameters())
>>> layer.bias
Parameter containing:
tensor([0., 0.], requires_grad=True)
"""
from ...errors import InvalidTypeError
from ...ops.shape import cat
from ...tensor import Tensor


def _check_param_device(param, device):
    """The device of the parameters so far; TypeError (as torch) when ``param`` is on another one."""
    if device is not None and param.device != device:
        raise InvalidTypeError(f"Found two parameters on different devices ({device} and {param.device}), "
                               "this is currently not supported.")
    return param.device


def parameters_to_vector(parameters):
    """One 1-D tensor holding every parameter's values, in order (differentiable: a concatenation of views).

    >>> import rustorch
    >>> rustorch.nn.utils.parameters_to_vector([rustorch.ones(2, 2), rustorch.zeros(1)])
    tensor([1., 1., 1., 1., 0.])
    """
    device = None
    vec = []
    for param in parameters:
        device = _check_param_device(param, device)
        vec.append(param.view(-1))
    return cat(vec)


def vector_to_parameters(vec, parameters):
    """Make each parameter's data the next slice of ``vec`` (a 1-D tensor), shaped like it.

    >>> import rustorch
    >>> a, b = rustorch.zeros(2), rustorch.zeros(1, 2)
    >>> rustorch.nn.utils.vector_to_parameters(rustorch.tensor([1.0, 2.0, 3.0, 4.0]), [a, b])
    >>> a, b
    (tensor([1., 2.]), tensor([[3., 4.]]))
    """
    if not isinstance(vec, Tensor):
        raise InvalidTypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    device = None
    pointer = 0
    for param in parameters:
        device = _check_param_device(param, device)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n


__all__ = ["parameters_to_vector", "vector_to_parameters"]
