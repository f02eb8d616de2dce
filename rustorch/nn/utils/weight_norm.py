"""Weight normalisation, as torch.nn.utils.weight_norm: a parameter re-expressed as g * v / ||v||.

The module's ``name`` parameter is replaced by ``name_g`` (the norms) and ``name_v`` (the direction), and a
forward pre-hook recomputes ``name`` from them before every call, so gradients reach g and v.

>>> import rustorch, warnings
>>> with warnings.catch_warnings():  # torch deprecates this form, and warns
...     warnings.simplefilter("ignore")
...     layer = rustorch.nn.utils.weight_norm(rustorch.nn.Linear(3, 2))
>>> sorted(name for name, _ in layer.named_parameters())
['bias', 'weight_g', 'weight_v']
>>> layer.weight_g.shape
rustorch.Size([2, 1])
"""
import warnings

from ...errors import AutogradError, InvalidArgumentError
from ...ops.reduction import norm
from ..parameter import Parameter


def norm_except_dim(v, pow=2, dim=0):
    """The ``pow``-norm of ``v`` over every dim but ``dim``, shaped to broadcast against ``v`` (over all of ``v``,
    a 0-d tensor, when ``dim`` is -1, as torch).

    >>> import rustorch
    >>> from rustorch.nn.utils.weight_norm import norm_except_dim
    >>> norm_except_dim(rustorch.tensor([[3.0, 4.0], [6.0, 8.0]]), 2, 0)
    tensor([[ 5.],
            [10.]])
    """
    if dim == -1:
        return norm(v, pow)
    dims = [d for d in range(v.ndim) if d != dim]
    return norm(v, pow, dim=dims, keepdim=True)


def _weight_norm(v, g, dim):
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that recomputes ``name`` = g * v / ||v|| (see :func:`weight_norm`).

    >>> import rustorch, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     layer = rustorch.nn.utils.weight_norm(rustorch.nn.Linear(3, 2), dim=None)
    >>> layer.weight_g.shape
    rustorch.Size([])
    """

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        return _weight_norm(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module, name, dim):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise AutogradError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Re-express ``module``'s parameter ``name`` as ``name_g * name_v / ||name_v||``, the norm taken over every dim
    but ``dim`` (over the whole tensor when ``dim`` is None). Returns the module.

    torch deprecates this form in favour of parametrizations.weight_norm; it warns likewise.

    >>> import rustorch, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     layer = rustorch.nn.utils.weight_norm(rustorch.nn.Linear(4, 3), name="weight", dim=1)
    >>> layer.weight_g.shape, layer(rustorch.ones(2, 4)).shape
    (rustorch.Size([1, 4]), rustorch.Size([2, 3]))
    """
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo :func:`weight_norm`: ``name`` becomes a plain parameter holding the current g * v / ||v||.

    >>> import rustorch, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     layer = rustorch.nn.utils.weight_norm(rustorch.nn.Linear(3, 2))
    >>> sorted(name for name, _ in rustorch.nn.utils.remove_weight_norm(layer).named_parameters())
    ['bias', 'weight']
    """
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise InvalidArgumentError(f"weight_norm of '{name}' not found in {module}")


__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]
