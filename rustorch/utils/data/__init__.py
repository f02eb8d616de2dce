"""Data loading shaped like ``torch.utils.data``: datasets, samplers, ``DataLoader`` (single- and
multi-process), ``default_collate`` and ``get_worker_info``.

>>> import rustorch
>>> from rustorch.utils.data import DataLoader, TensorDataset, random_split
>>> ds = TensorDataset(rustorch.randn(10, 3), rustorch.arange(10))
>>> train, val = random_split(ds, [0.8, 0.2])
>>> [tuple(x.shape) for x, y in DataLoader(train, batch_size=4, shuffle=True)]
[(4, 3), (4, 3)]
"""
from .dataloader import DataLoader, _DatasetKind, default_collate, default_convert, get_worker_info
from .dataset import (
    ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset, TensorDataset, random_split,
)
from .distributed import DistributedSampler
from .sampler import (
    BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler, WeightedRandomSampler,
)

__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler",
    "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset",
    "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "default_collate", "default_convert",
    "get_worker_info", "random_split",
]
