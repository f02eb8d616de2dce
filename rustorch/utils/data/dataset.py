"""Datasets: map-style (``Dataset``: ``__getitem__`` and ``__len__``) and iterable (``IterableDataset``:
``__iter__``), and the ways to combine them (TensorDataset, StackDataset, ConcatDataset, ChainDataset,
Subset, random_split), as in torch.

>>> import rustorch
>>> from rustorch.utils.data import TensorDataset
>>> ds = TensorDataset(rustorch.arange(4), rustorch.arange(4) * 10)
>>> len(ds), ds[1]
(4, (tensor(1), tensor(10)))
"""
import bisect
import itertools
import math
import numbers
import operator
import warnings
from typing import Generic, TypeVar

from ...errors import IndexOutOfRangeError, InvalidArgumentError, InvalidTypeError, ShapeError
from ...ops.random import default_generator, randperm
from ...tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset", "Subset",
           "random_split"]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map from keys (usually ints) to samples: subclasses define ``__getitem__`` and usually ``__len__``
    (which the default samplers need); ``__getitems__(indices)`` may fetch a whole batch at once.
    ``a + b`` concatenates two datasets.

    >>> from rustorch.utils.data import Dataset
    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return i * i
    >>> ds = Squares() + Squares()
    >>> len(ds), ds[5]
    (8, 1)
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__}: subclasses of Dataset should implement __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])

    # no default __len__: len() on a dataset without one must raise TypeError, which list() and friends expect


class IterableDataset(Dataset[T_co]):
    """A stream of samples: subclasses define ``__iter__``. With ``num_workers > 0`` every worker iterates its
    own copy, so shard the stream with :func:`~rustorch.utils.data.get_worker_info` (or in a
    ``worker_init_fn``) to avoid duplicates. ``a + b`` chains two streams.

    >>> from rustorch.utils.data import IterableDataset
    >>> class Count(IterableDataset):
    ...     def __init__(self, n):
    ...         self.n = n
    ...     def __iter__(self):
    ...         return iter(range(self.n))
    >>> list(Count(2) + Count(3))
    [0, 1, 0, 1, 2]
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__}: subclasses of IterableDataset should implement __iter__")

    def __add__(self, other):
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are tuples of the tensors' rows: ``ds[i] == (t[i] for t in tensors)``; every tensor must have the
    same size in dimension 0.

    >>> import rustorch
    >>> from rustorch.utils.data import TensorDataset
    >>> x, y = rustorch.zeros(3, 2), rustorch.tensor([0, 1, 2])
    >>> TensorDataset(x, y)[2]
    (tensor([0., 0.]), tensor(2))
    """

    def __init__(self, *tensors):
        if not tensors:
            raise InvalidArgumentError("TensorDataset(): expected at least one tensor")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise InvalidTypeError(f"TensorDataset(): argument {i} is a {type(t).__name__}, expected a Tensor")
            if t.ndim == 0:
                raise ShapeError(f"TensorDataset(): tensor {i} is 0-dimensional; samples are taken along dimension 0")
        sizes = [t.shape[0] for t in tensors]
        if any(s != sizes[0] for s in sizes):
            raise ShapeError(f"TensorDataset(): size mismatch between tensors: sizes in dimension 0 are {sizes}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class StackDataset(Dataset):
    """Datasets of equal length side by side: ``StackDataset(a, b)[i] == (a[i], b[i])`` and
    ``StackDataset(x=a, y=b)[i] == {"x": a[i], "y": b[i]}``.

    >>> from rustorch.utils.data import StackDataset
    >>> StackDataset(image=[10, 11], label=[0, 1])[1]
    {'image': 11, 'label': 1}
    """

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise InvalidArgumentError("StackDataset(): pass the datasets either positionally (samples are tuples) or "
                                       "by keyword (samples are dicts), not both")
        if not args and not kwargs:
            raise InvalidArgumentError("StackDataset(): at least one dataset should be passed")
        self.datasets = args or kwargs
        datasets = args or tuple(kwargs.values())
        self._length = len(datasets[0])
        lengths = [len(d) for d in datasets]
        if any(n != self._length for n in lengths):
            raise InvalidArgumentError(f"StackDataset(): size mismatch between datasets: lengths {lengths}")

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices):
        """A batch: each part fetched through its dataset's ``__getitems__`` where it has one."""
        named = isinstance(self.datasets, dict)
        parts = {}
        for key, d in (self.datasets.items() if named else enumerate(self.datasets)):
            if callable(getattr(d, "__getitems__", None)):
                items = d.__getitems__(indices)
                if len(items) != len(indices):
                    raise InvalidArgumentError(f"StackDataset(): dataset {key!r} returned {len(items)} samples for "
                                               f"{len(indices)} indices")
            else:
                items = [d[i] for i in indices]
            parts[key] = items
        if named:
            return [{k: parts[k][j] for k in parts} for j in range(len(indices))]
        return [tuple(parts[k][j] for k in parts) for j in range(len(indices))]

    def __len__(self):
        return self._length


class ConcatDataset(Dataset):
    """Map-style datasets one after another (``cumulative_sizes`` holds the running lengths).

    >>> from rustorch.utils.data import ConcatDataset
    >>> ds = ConcatDataset([[1, 2], [3, 4, 5]])
    >>> len(ds), ds[2], ds[-1], ds.cumulative_sizes
    (5, 3, 5, [2, 5])
    """

    @staticmethod
    def cumsum(sequence):
        """The running totals of the lengths of ``sequence``'s datasets."""
        return list(itertools.accumulate(len(d) for d in sequence))

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise InvalidArgumentError("ConcatDataset(): datasets should not be an empty iterable")
        for i, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise InvalidTypeError(f"ConcatDataset(): dataset {i} is an IterableDataset, which has no indices; "
                                       "use ChainDataset to chain iterable datasets")
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        n = len(self)
        i = operator.index(idx)
        if not -n <= i < n:
            raise IndexOutOfRangeError(f"ConcatDataset: index {idx} is out of range for a dataset of length {n}")
        if i < 0:
            i += n
        which = bisect.bisect_right(self.cumulative_sizes, i)
        return self.datasets[which][i - (self.cumulative_sizes[which - 1] if which else 0)]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another, chained as they are iterated.

    >>> from rustorch.utils.data import ChainDataset, IterableDataset
    >>> class Letters(IterableDataset):
    ...     def __init__(self, s):
    ...         self.s = s
    ...     def __iter__(self):
    ...         return iter(self.s)
    ...     def __len__(self):
    ...         return len(self.s)
    >>> ds = ChainDataset([Letters("ab"), Letters("c")])
    >>> list(ds), len(ds)
    (['a', 'b', 'c'], 3)
    """

    def __init__(self, datasets):
        self.datasets = datasets

    def _check(self, i, d):
        if not isinstance(d, IterableDataset):
            raise InvalidTypeError(f"ChainDataset: dataset {i} is a {type(d).__name__}; ChainDataset only supports "
                                   "IterableDataset (use ConcatDataset for map-style datasets)")
        return d

    def __iter__(self):
        for i, d in enumerate(self.datasets):
            yield from self._check(i, d)

    def __len__(self):
        return sum(len(self._check(i, d)) for i, d in enumerate(self.datasets))


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    >>> from rustorch.utils.data import Subset
    >>> s = Subset(["a", "b", "c", "d"], [3, 0])
    >>> len(s), s[0], s.__getitems__([1, 0])
    (2, 'd', ['a', 'd'])
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        # the DataLoader fetches batches through __getitems__, which would bypass an overridden __getitem__
        if type(self).__getitem__ is not Subset.__getitem__ and type(self).__getitems__ is Subset.__getitems__:
            raise NotImplementedError(
                f"{type(self).__name__} overrides __getitem__ but not __getitems__; the DataLoader fetches batches "
                "through __getitems__, so override it too, e.g.\n"
                "def __getitems__(self, indices):\n    return [self.__getitem__(idx) for idx in indices]")

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        """The samples at several positions, through the dataset's own ``__getitems__`` where it has one."""
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=default_generator):
    """Split ``dataset`` into non-overlapping random Subsets of the given ``lengths``, or of fractions of its
    length summing to 1 (each ``floor(frac * len)``, the remainder given out one by one from the first split).
    Pass a seeded ``generator`` for a reproducible split.

    >>> import rustorch
    >>> from rustorch.utils.data import random_split
    >>> a, b = random_split(range(10), [0.75, 0.25], generator=rustorch.Generator().manual_seed(0))
    >>> len(a), len(b), sorted(list(a) + list(b)) == list(range(10))
    (8, 2, True)
    """
    n = len(dataset)
    lengths = list(lengths)
    for i, x in enumerate(lengths):
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0 <= x < math.inf:
            raise InvalidArgumentError(f"random_split(): lengths must be non-negative ints or fractions, got {x!r} "
                                       f"at index {i}")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        for i, frac in enumerate(lengths):
            if frac > 1:
                raise InvalidArgumentError(f"random_split(): fraction at index {i} is not between 0 and 1: {frac}")
        sizes = [math.floor(n * frac) for frac in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(f"random_split(): length of split at index {i} is 0; this might result in an empty "
                              "dataset", stacklevel=2)
        lengths = sizes
    if any(x != int(x) for x in lengths):
        raise InvalidArgumentError(f"random_split(): lengths {lengths} are neither all integers nor fractions summing "
                                   "to 1")
    lengths = [int(x) for x in lengths]
    if sum(lengths) != n:
        raise InvalidArgumentError(f"random_split(): sum of input lengths ({sum(lengths)}) does not equal the length "
                                   f"of the input dataset ({n})")
    indices = randperm(n, generator=generator).tolist()
    return [Subset(dataset, indices[end - size:end]) for end, size in zip(itertools.accumulate(lengths), lengths)]
