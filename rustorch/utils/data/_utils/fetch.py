"""Fetchers: turn what the sampler yields (an index, or a list of indices when batching) into a collated batch,
for map-style and iterable datasets alike. The main process (num_workers=0) and the workers share them.

>>> from rustorch.utils.data._utils.fetch import _MapDatasetFetcher
>>> from rustorch.utils.data import default_collate
>>> _MapDatasetFetcher([10, 20, 30], True, default_collate, False).fetch([2, 0])
tensor([30, 10])
"""


class _BaseDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last


class _IterableDatasetFetcher(_BaseDatasetFetcher):
    """Draws the next sample (or ``len(index)`` samples when batching) from one iterator over the dataset;
    raises StopIteration once the dataset is exhausted (or only a short batch is left and drop_last is set)."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        super().__init__(dataset, auto_collation, collate_fn, drop_last)
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if not data or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


class _MapDatasetFetcher(_BaseDatasetFetcher):
    """Indexes the dataset; a batch through ``dataset.__getitems__(indices)`` when the dataset has it."""

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            if getattr(self.dataset, "__getitems__", None):
                data = self.dataset.__getitems__(possibly_batched_index)
            else:
                data = [self.dataset[idx] for idx in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)
