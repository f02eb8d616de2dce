"""rustorch.nn: modules, parameters, functional forms and initialisers, as torch.nn.

>>> import rustorch
>>> layer = rustorch.nn.Linear(3, 2)
>>> layer(rustorch.ones(4, 3)).shape
rustorch.Size([4, 2])
"""
from . import functional, init, modules, utils
from .modules import *  # noqa: F401,F403  (every layer class)
from .modules import __all__ as _module_names
from .parameter import Buffer, Parameter

__all__ = list(_module_names) + ["Parameter", "Buffer", "functional", "init", "utils"]
