"""Backends: one module per device type behind the contract in base.py.

>>> import rustorch
>>> sorted(rustorch.backends.available())[:2]
['cpu', 'cuda']
"""
from . import cpu
from .registry import available, get_backend, get_default_device, set_default_device

__all__ = ["cpu", "available", "get_backend", "get_default_device", "set_default_device"]
