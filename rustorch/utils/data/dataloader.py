"""DataLoader: batches of a dataset, in the main process or in worker processes, as torch's.

How the multi-process loader works (torch's design, kept):

* Each worker is a process with its own index queue; all share one result queue. The main process hands out
  task indices round-robin, keeps at most ``prefetch_factor * num_workers`` tasks in flight or waiting to be
  returned, and returns batches in task order (``in_order=True``) or as they arrive.
* Workers are seeded from ``base_seed``, drawn from the loader's generator (else the default one) each time an
  iterator is made: worker i seeds ``random`` and rustorch with ``base_seed + i`` (see _utils/worker.py).
* Batches come back pickled through the result queue, their large tensors through shared memory
  (_utils/shared_memory.py).
* An exception in a worker is carried back and re-raised with the worker's traceback; a worker that dies
  raises DataLoaderError within ``MP_STATUS_CHECK_INTERVAL`` instead of a hang, and so does ``timeout``.
* Workers stop when the epoch ends (unless ``persistent_workers``), on a worker's death, and when the iterator
  is garbage-collected (a ``weakref.finalize`` that holds the workers but not the iterator); at interpreter
  exit multiprocessing terminates them (they are daemonic).

Start method: multiprocessing's default context (``fork`` on Linux up to Python 3.13, ``forkserver`` from
3.14, ``spawn`` on macOS and Windows) unless ``multiprocessing_context`` names another, as torch. ``fork``
starts a worker in milliseconds and needs nothing pickled (lambdas and classes defined in ``__main__`` work);
``spawn`` and ``forkserver`` start a fresh interpreter that imports rustorch (~0.5 s a worker) and need the
dataset, collate_fn and worker_init_fn to pickle. A forked child of a process that has run OpenMP kernels
hangs under GNU libgomp as soon as it starts a team of more than one thread; workers therefore run rustorch's
kernels on one thread (as torch sets for its workers), which is also what N busy workers want; a
``worker_init_fn`` that raises the count in a forked worker is an error. For multi-threaded workers use
``multiprocessing_context="forkserver"``.

>>> import rustorch
>>> from rustorch.utils.data import DataLoader, TensorDataset
>>> ds = TensorDataset(rustorch.arange(10).float(), rustorch.arange(10))
>>> x, y = next(iter(DataLoader(ds, batch_size=4)))
>>> x, y
(tensor([0., 1., 2., 3.]), tensor([0, 1, 2, 3]))
"""
import itertools
import math
import multiprocessing
import os
import queue
import time
import warnings
import weakref

from ... import _dtype
from ...errors import DataLoaderError, InvalidArgumentError, InvalidTypeError
from ...ops.creation import empty
from . import _utils
from ._utils.collate import default_collate, default_convert
from ._utils.worker import ExceptionWrapper, get_worker_info
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert"]

# seconds a shutting-down loader waits for its workers to exit by themselves before terminating them
_SHUTDOWN_GRACE = 2.0


class _DatasetKind:
    Map = 0
    Iterable = 1

    @staticmethod
    def create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
        fetcher = _utils.fetch._MapDatasetFetcher if kind == _DatasetKind.Map else _utils.fetch._IterableDatasetFetcher
        return fetcher(dataset, auto_collation, collate_fn, drop_last)


class _InfiniteConstantSampler(Sampler):
    """The sampler of an iterable dataset: None forever (the dataset decides when the epoch ends)."""

    def __iter__(self):
        return itertools.repeat(None)


class DataLoader:
    """Iterate over a dataset in batches: the samples chosen by a sampler (in order, or shuffled with
    ``shuffle=True``), grouped by ``batch_size`` (or a ``batch_sampler``) and merged by ``collate_fn``
    (:func:`default_collate`), loaded in the main process or in ``num_workers`` worker processes.

    Arguments and defaults are torch's: ``batch_size=1`` (None turns batching off), ``shuffle``,
    ``sampler``, ``batch_sampler``, ``num_workers=0``, ``collate_fn``, ``pin_memory`` (accepted; rustorch has no
    pinned memory, so it warns and changes nothing), ``drop_last``, ``timeout`` (seconds to wait for a batch
    from the workers, 0 = forever), ``worker_init_fn(worker_id)``, ``multiprocessing_context``, ``generator``
    (draws the shuffle order and the workers' base seed), and keyword-only ``prefetch_factor`` (batches in
    flight per worker, default 2), ``persistent_workers``, ``pin_memory_device`` and ``in_order``.

    >>> import rustorch
    >>> from rustorch.utils.data import DataLoader
    >>> loader = DataLoader(range(10), batch_size=4, shuffle=True, generator=rustorch.Generator().manual_seed(0))
    >>> len(loader), sorted(i for batch in loader for i in batch.tolist()) == list(range(10))
    (3, True)
    >>> def square(batch):
    ...     return [i * i for i in batch]
    >>> list(DataLoader(range(6), batch_size=3, num_workers=2, collate_fn=square))
    [[0, 1, 4], [9, 16, 25]]
    """

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise InvalidArgumentError(f"DataLoader: num_workers option should be a non-negative integer, got "
                                       f"{num_workers!r}; use num_workers=0 to disable multiprocessing")
        if not timeout >= 0:
            raise InvalidArgumentError(f"DataLoader: timeout option should be non-negative, got {timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise InvalidArgumentError("DataLoader: prefetch_factor option could only be specified in "
                                       "multiprocessing; let num_workers > 0 to enable multiprocessing, otherwise "
                                       "set prefetch_factor to None")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and (isinstance(prefetch_factor, bool)
                                              or not isinstance(prefetch_factor, int) or prefetch_factor < 1):
            raise InvalidArgumentError(f"DataLoader: prefetch_factor option should be a positive integer, got "
                                       f"{prefetch_factor!r}")
        if persistent_workers and num_workers == 0:
            raise InvalidArgumentError("DataLoader: persistent_workers option needs num_workers > 0")
        if worker_init_fn is not None and not callable(worker_init_fn):
            raise InvalidTypeError(f"DataLoader: worker_init_fn should be callable, got {worker_init_fn!r}")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in (False, None):
                raise InvalidArgumentError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                                           f"but got shuffle={shuffle}")
            if sampler is not None:
                raise InvalidArgumentError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                                           f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise InvalidArgumentError(f"DataLoader with IterableDataset: expected unspecified batch_sampler "
                                           f"option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise InvalidArgumentError("DataLoader: sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise InvalidArgumentError("DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                                           "shuffle, sampler, and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise InvalidArgumentError("DataLoader: batch_size=None option disables auto-batching and is mutually "
                                       "exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._IterableDataset_len_called = None  # len(loader) of an iterable dataset, to warn when exceeded
        self._iterator = None  # the persistent workers' iterator
        self._initialized = True
        self.check_worker_number_rationality()

    @property
    def multiprocessing_context(self):
        """The multiprocessing context the workers start from (None: multiprocessing's default)."""
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context):
        if context is not None:
            if self.num_workers == 0:
                raise InvalidArgumentError(f"DataLoader: multiprocessing_context can only be used with multi-process "
                                           f"loading (num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(context, str):
                methods = multiprocessing.get_all_start_methods()
                if context not in methods:
                    raise InvalidArgumentError(f"DataLoader: multiprocessing_context option should specify a valid "
                                               f"start method in {methods!r}, but got {context!r}")
                context = multiprocessing.get_context(context)
            if not isinstance(context, multiprocessing.context.BaseContext):
                raise InvalidTypeError(f"DataLoader: multiprocessing_context option should be a valid context object "
                                       f"or a string specifying the start method, but got {context!r}")
        self._multiprocessing_context = context

    def __setattr__(self, attr, val):
        if self._initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                          "persistent_workers"):
            raise InvalidArgumentError(f"DataLoader: {attr} attribute should not be set after DataLoader is "
                                       "initialized")
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None or not self._iterator._shutdown_finalizer.alive:  # none yet, or its workers died
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Iterable:
            # the dataset's own length, in batches: a guess, since it is the dataset's job to shard across workers
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        """Warn when ``num_workers`` exceeds the CPUs this process may use."""
        if self.num_workers == 0:
            return
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        if cpus is None or self.num_workers > cpus:
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in total. Our suggested "
                          f"max number of worker in current system is {cpus}, which is smaller than what this "
                          "DataLoader is going to create. Please be aware that excessive worker creation might get "
                          "DataLoader running slow or even freeze, lower the worker number to avoid potential "
                          "slowness/freeze if necessary.", stacklevel=2)


class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but rustorch has no pinned host memory; batches are "
                          "returned as they are", stacklevel=3)
        self._sampler_iter = iter(self._index_sampler)
        # drawn for every iterator, even without workers, as torch: the default generator advances the same way
        self._base_seed = int(empty((), dtype=_dtype.int64).random_(generator=loader.generator).item())
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)  # may raise StopIteration

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._dataset_kind == _DatasetKind.Iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            msg = (f"Length of IterableDataset {self._dataset} was reported to be {self._IterableDataset_len_called} "
                   f"(when accessing len(dataloader)), but {self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly configuring the "
                        "IterableDataset replica at each worker (see rustorch.utils.data.get_worker_info).")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise InvalidTypeError(f"{type(self).__name__} cannot be pickled")


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        self._dataset_fetcher = _DatasetKind.create_fetcher(self._dataset_kind, self._dataset, self._auto_collation,
                                                            self._collate_fn, self._drop_last)

    def _next_data(self):
        index = self._next_index()  # may raise StopIteration
        return self._dataset_fetcher.fetch(index)  # may raise StopIteration


def _shutdown_workers(workers, index_queues, done_event):
    """Stop the workers: ask each to exit, give them ``_SHUTDOWN_GRACE`` seconds, then terminate (and at last
    kill) the rest and reap them all. Holds no reference to the iterator, so that it can be its finalizer."""
    done_event.set()
    for q in index_queues:
        q.put(None)  # a worker still working finishes its current task first
    deadline = time.monotonic() + _SHUTDOWN_GRACE
    for w in workers:
        w.join(timeout=max(0.0, deadline - time.monotonic()))
    for q in index_queues:
        q.cancel_join_thread()  # never block on a pipe that a dead worker no longer reads
        q.close()
    for stop in ("terminate", "kill"):
        alive = [w for w in workers if w.is_alive()]
        for w in alive:
            getattr(w, stop)()
        for w in alive:
            w.join(timeout=_SHUTDOWN_GRACE)
    for w in workers:
        _utils.shared_memory.remove_files_of(w.pid)  # batches sent and never received


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Iterates over the DataLoader's batches as worker processes load them (see the module docstring)."""

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        context = loader.multiprocessing_context or multiprocessing.get_context()
        self._worker_result_queue = _utils.worker._ResultQueue(context)
        self._workers_done_event = context.Event()
        self._index_queues = []
        self._workers = []
        self._shutdown_finalizer = weakref.finalize(self, _shutdown_workers, self._workers, self._index_queues,
                                                    self._workers_done_event)
        # at interpreter exit, multiprocessing's own exit handler terminates daemonic workers at once (as torch
        # relies on); a graceful shutdown there would wait out the grace period for a busy worker
        self._shutdown_finalizer.atexit = False
        forked = context.get_start_method() == "fork"
        for i in range(self._num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()
            w = context.Process(
                target=_utils.worker._worker_loop, daemon=True, name=f"rustorch DataLoader worker {i}",
                args=(self._dataset_kind, self._dataset, index_queue, self._worker_result_queue,
                      self._workers_done_event, self._auto_collation, self._collate_fn, self._drop_last,
                      self._base_seed, loader.worker_init_fn, i, self._num_workers, forked))
            try:
                w.start()
            except Exception:
                self._shutdown_workers()  # the workers started so far
                raise
            self._index_queues.append(index_queue)
            self._workers.append(w)
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader)
        self._send_idx = 0  # index of the next task sent to a worker
        self._rcvd_idx = 0  # index of the next task whose batch __next__ returns (in order)
        self._task_info = {}  # task index -> worker id, for tasks sent and not yet returned
        self._results = {}  # task index -> batch, arrived ahead of its turn (in order only)
        self._tasks_outstanding = 0  # tasks sent whose answers have not arrived
        self._workers_status = [True] * self._num_workers  # False once a worker's iterable dataset is exhausted
        self._workers_num_tasks = [0] * self._num_workers  # tasks sent to each worker and not yet returned
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # persistent workers: start a new epoch; answers to the last epoch's unfinished tasks arrive before
            # each worker's echo (its queues are FIFO) and are dropped
            for q in self._index_queues:
                q.put(_utils.worker._ResumeIteration())
            pending = self._num_workers
            while pending:
                idx, _ = self._get_data()
                if isinstance(idx, _utils.worker._ResumeIteration):
                    pending -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self):
        """Send the sampler's next index to the next active worker (round-robin), if there is one."""
        active = [i for i, up in enumerate(self._workers_status) if up]
        if not active:
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        if self._in_order:
            worker_id = next(w for w in self._worker_queue_idx_cycle if self._workers_status[w])
        else:  # batches return as they come: feed the least busy worker
            worker_id = min(active, key=self._workers_num_tasks.__getitem__)
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = worker_id
        self._workers_num_tasks[worker_id] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _get_data(self):
        """The next answer from any worker, checking every MP_STATUS_CHECK_INTERVAL that the workers are alive;
        raises DataLoaderError when one died or when ``timeout`` passes without an answer."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = _utils.MP_STATUS_CHECK_INTERVAL
            if deadline is not None:
                wait = max(0.0, min(wait, deadline - time.monotonic()))
            try:
                return self._worker_result_queue.get(timeout=wait)
            except queue.Empty:
                pass
            failed = [w for i, w in enumerate(self._workers) if self._workers_status[i] and not w.is_alive()]
            if failed:
                details = ", ".join(f"{w.name} (pid {w.pid}, exit code {w.exitcode})" for w in failed)
                self._shutdown_workers()
                raise DataLoaderError(f"DataLoader worker exited unexpectedly: {details}. A negative exit code is "
                                      "the signal that killed it (e.g. -9: SIGKILL, often the out-of-memory killer)")
            if deadline is not None and time.monotonic() >= deadline:
                raise DataLoaderError(f"DataLoader timed out after {self._timeout} seconds")

    def _next_data(self):
        while True:
            if self._in_order:
                while self._rcvd_idx in self._results:  # answers whose turn has come
                    data = self._results.pop(self._rcvd_idx)
                    self._rcvd_idx += 1
                    if not isinstance(data, _utils.worker._IterableDatasetStopIteration):
                        return self._process_data(data)
            if self._tasks_outstanding == 0:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            worker_id = self._task_info.pop(idx)
            self._workers_num_tasks[worker_id] -= 1
            if isinstance(data, _utils.worker._IterableDatasetStopIteration):
                if self._workers_status[worker_id]:
                    self._workers_status[worker_id] = False
                    if not self._persistent_workers:
                        self._index_queues[worker_id].put(None)  # the worker can exit
                self._try_put_index()
            elif not self._in_order:
                return self._process_data(data)
            if self._in_order:
                self._results[idx] = data  # returned (or, a stop marker, skipped) in its turn

    def _process_data(self, data):
        self._try_put_index()  # the batch leaves the prefetch window: refill it
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _shutdown_workers(self):
        self._shutdown_finalizer()  # runs once; later calls do nothing
