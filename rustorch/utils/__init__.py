"""Utilities shaped like ``torch.utils``: :mod:`rustorch.utils.data` (datasets, samplers, DataLoader).

>>> import rustorch
>>> from rustorch.utils.data import DataLoader
>>> [b.tolist() for b in DataLoader(range(5), batch_size=2)]
[[0, 1], [2, 3], [4]]
"""
from . import data

__all__ = ["data"]
