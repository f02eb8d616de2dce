"""DistributedSampler: each of ``num_replicas`` processes loads its own share of a dataset.

>>> from rustorch.utils.data import DistributedSampler
>>> [list(DistributedSampler(range(5), num_replicas=2, rank=r, shuffle=False)) for r in (0, 1)]
[[0, 2, 4], [1, 3, 0]]
"""
import math

from ...errors import BackendUnavailableError, InvalidArgumentError
from ...ops.random import Generator, randperm
from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """The indices of replica ``rank`` out of ``num_replicas``: every ``num_replicas``-th index of one
    permutation (shuffled with ``seed + epoch``, the same in every process) or of ``0 .. len - 1``. The indices
    are padded by wrapping around to a multiple of ``num_replicas``, or the tail is cut with ``drop_last``.
    Call ``set_epoch(epoch)`` before each epoch to reshuffle.

    rustorch has no distributed process group yet, so ``num_replicas`` and ``rank`` must be given.

    >>> from rustorch.utils.data import DistributedSampler
    >>> s = DistributedSampler(range(8), num_replicas=4, rank=1, seed=3)
    >>> s.set_epoch(1)
    >>> len(s), len(list(s))
    (2, 2)
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            raise BackendUnavailableError("DistributedSampler(): rustorch has no distributed process group to read "
                                          "the world size and rank from; pass num_replicas= and rank=")
        if isinstance(num_replicas, bool) or not isinstance(num_replicas, int) or num_replicas < 1:
            raise InvalidArgumentError(f"DistributedSampler(): num_replicas should be a positive integer, got "
                                       f"{num_replicas!r}")
        if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < num_replicas:
            raise InvalidArgumentError(f"DistributedSampler(): invalid rank {rank!r}, rank should be in the interval "
                                       f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            indices = randperm(n, generator=Generator().manual_seed(self.seed + self.epoch)).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding = self.total_size - n
            indices += (indices * math.ceil(padding / n))[:padding] if padding else []
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch, which seeds the next shuffle together with ``seed``."""
        self.epoch = epoch
