"""Samplers: the order in which a DataLoader visits a map-style dataset's indices, and how they are grouped into
batches (BatchSampler). The random ones draw from a rustorch Generator (the default one unless given), so
``rustorch.manual_seed`` or a seeded generator makes them reproducible; their orders differ from torch's, whose
generator is a Mersenne Twister.

>>> from rustorch.utils.data import BatchSampler, SequentialSampler
>>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
[[0, 1], [2, 3], [4]]
"""
import itertools
from typing import Generic, TypeVar

from ... import _dtype
from ...errors import InvalidArgumentError, InvalidTypeError
from ...ops.creation import as_tensor, empty
from ...ops.random import Generator, multinomial, randint, randperm
from ...tensor import Tensor

__all__ = ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler", "SubsetRandomSampler",
           "WeightedRandomSampler"]

T_co = TypeVar("T_co", covariant=True)


def _check_positive_int(op, name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidArgumentError(f"{op}: {name} should be a positive integer value, but got {name}={value!r}")


def _check_bool(op, name, value, error=InvalidArgumentError):
    if not isinstance(value, bool):
        raise error(f"{op}: {name} should be a boolean value, but got {name}={value!r}")


class Sampler(Generic[T_co]):
    """Base class of samplers: ``__iter__`` yields indices (or lists of indices, for a batch sampler);
    ``__len__``, optional, is how many.

    >>> from rustorch.utils.data import Sampler
    >>> class EvensFirst(Sampler[int]):
    ...     def __init__(self, n):
    ...         self.n = n
    ...     def __iter__(self):
    ...         return iter([*range(0, self.n, 2), *range(1, self.n, 2)])
    ...     def __len__(self):
    ...         return self.n
    >>> list(EvensFirst(5))
    [0, 2, 4, 1, 3]
    """

    def __init__(self, data_source=None):
        # torch 2.x takes no argument here; older torch took data_source, which much code still passes on
        pass

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Sampler should implement __iter__")

    # no default __len__: len() on a sampler without one must raise TypeError, which list() and friends expect


class SequentialSampler(Sampler[int]):
    """Indices ``0 .. len(data_source) - 1`` in order.

    >>> from rustorch.utils.data import SequentialSampler
    >>> list(SequentialSampler("abc"))
    [0, 1, 2]
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


def _new_generator():
    """A generator seeded from the default one: what a sampler given no generator draws from, once per epoch."""
    seed = int(empty((), dtype=_dtype.int64).random_().item())
    return Generator().manual_seed(seed)


class RandomSampler(Sampler[int]):
    """Indices in random order: a fresh permutation each epoch (``num_samples`` beyond the dataset's length
    take further permutations), or with ``replacement=True`` ``num_samples`` independent uniform draws.

    >>> import rustorch
    >>> from rustorch.utils.data import RandomSampler
    >>> sorted(RandomSampler(range(5), generator=rustorch.Generator().manual_seed(0)))
    [0, 1, 2, 3, 4]
    >>> len(list(RandomSampler(range(5), replacement=True, num_samples=12)))
    12
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        _check_bool("RandomSampler", "replacement", replacement, InvalidTypeError)
        _check_positive_int("RandomSampler", "num_samples", self.num_samples)

    @property
    def num_samples(self):
        """How many indices an epoch yields: ``num_samples`` if given, else the dataset's length."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = _new_generator() if self.generator is None else self.generator
        if self.replacement:
            # in chunks of 32 draws, as torch, so that a partly consumed epoch draws little
            for _ in range(self.num_samples // 32):
                yield from randint(high=n, size=(32,), dtype=_dtype.int64, generator=generator).tolist()
            yield from randint(high=n, size=(self.num_samples % 32,), dtype=_dtype.int64, generator=generator).tolist()
        else:
            for _ in range(self.num_samples // n):
                yield from randperm(n, generator=generator).tolist()
            yield from randperm(n, generator=generator).tolist()[:self.num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices, in a random order each epoch.

    >>> from rustorch.utils.data import SubsetRandomSampler
    >>> sorted(SubsetRandomSampler([7, 3, 5]))
    [3, 5, 7]
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in randperm(len(self.indices), generator=self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices in ``[0, len(weights))`` drawn with probabilities proportional to ``weights``;
    with ``replacement=False`` each index at most once.

    >>> from rustorch.utils.data import WeightedRandomSampler
    >>> list(WeightedRandomSampler([0.0, 1.0, 0.0], 3))
    [1, 1, 1]
    >>> sorted(WeightedRandomSampler([0.1, 0.9, 0.4, 0.7], 4, replacement=False))
    [0, 1, 2, 3]
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        _check_positive_int("WeightedRandomSampler", "num_samples", num_samples)
        _check_bool("WeightedRandomSampler", "replacement", replacement)
        w = weights.to(_dtype.float64) if isinstance(weights, Tensor) else as_tensor(weights, dtype=_dtype.float64)
        if w.ndim != 1:
            raise InvalidArgumentError(f"WeightedRandomSampler: weights should be a 1d sequence but given weights "
                                       f"have shape {tuple(w.shape)}")
        self.weights = w
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        yield from multinomial(self.weights, self.num_samples, self.replacement, generator=self.generator).tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler[list]):
    """Groups another sampler's indices into lists of ``batch_size``; the last, shorter one is dropped when
    ``drop_last`` is set.

    >>> from rustorch.utils.data import BatchSampler, SequentialSampler
    >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=True))
    [[0, 1, 2], [3, 4, 5]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        _check_positive_int("BatchSampler", "batch_size", batch_size)
        _check_bool("BatchSampler", "drop_last", drop_last)
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        sampler_iter = iter(self.sampler)
        if self.drop_last:
            yield from (list(batch) for batch in zip(*[sampler_iter] * self.batch_size))
        else:
            while batch := list(itertools.islice(sampler_iter, self.batch_size)):
                yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
