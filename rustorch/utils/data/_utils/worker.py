"""The DataLoader worker process: its loop, its seeding, ``get_worker_info()``, and how its errors travel.

A worker gets ``(task index, sampler output)`` pairs on its own index queue and puts
``(task index, batch)`` on the result queue it shares with the other workers. What cannot be a batch travels
as a marker: an :class:`ExceptionWrapper` (the main process re-raises it with the worker's traceback),
``_IterableDatasetStopIteration`` (this worker's copy of an iterable dataset is exhausted) and the echo of
``_ResumeIteration`` (persistent workers starting a new epoch). ``None`` on the index queue stops the worker.

>>> from rustorch.utils.data import get_worker_info
>>> get_worker_info() is None  # in the main process
True
"""
import dataclasses
import multiprocessing.queues
import os
import pickle
import queue
import random
import sys
import traceback

import numpy as np

from ....errors import DataLoaderError
from ....ops.random import manual_seed
from . import MP_STATUS_CHECK_INTERVAL, shared_memory

_worker_info = None


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    """What a DataLoader worker process knows about itself (see :func:`get_worker_info`): ``id`` in
    [0, num_workers), ``num_workers``, ``seed`` (``base_seed + id``, already given to ``random``, to rustorch's
    default generator and, mixed, to NumPy's global RNG) and ``dataset``, this process's own copy.

    >>> from rustorch.utils.data._utils.worker import WorkerInfo
    >>> WorkerInfo(id=0, num_workers=2, seed=7, dataset=[1, 2]).num_workers
    2
    """

    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """In a DataLoader worker process, its :class:`WorkerInfo` (id, num_workers, seed, dataset); in the main
    process, None. Use it in an IterableDataset's ``__iter__`` or a ``worker_init_fn`` to give each worker its
    own shard of the data.

    >>> from rustorch.utils.data import DataLoader, IterableDataset, get_worker_info
    >>> class Shards(IterableDataset):
    ...     def __iter__(self):
    ...         info = get_worker_info()
    ...         worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
    ...         return iter(range(worker, 6, workers))
    >>> sorted(int(x) for x in DataLoader(Shards(), num_workers=2))
    [0, 1, 2, 3, 4, 5]
    """
    return _worker_info


@dataclasses.dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """The worker's copy of an iterable dataset is exhausted."""

    worker_id: int


@dataclasses.dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers at the start of each epoch after the first; each echoes it back."""


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as its type and formatted traceback (a
    traceback object does not pickle), and re-raised there with torch's message:
    ``Caught ValueError in DataLoader worker process 0.`` then ``Original Traceback ...``.

    >>> from rustorch.utils.data._utils.worker import ExceptionWrapper
    >>> try:
    ...     raise ValueError("bad sample")
    ... except ValueError:
    ...     wrapper = ExceptionWrapper(where="in DataLoader worker process 0")
    >>> try:
    ...     wrapper.reraise()
    ... except ValueError as e:
    ...     print(str(e).splitlines()[0])
    Caught ValueError in DataLoader worker process 0.
    """

    def __init__(self, exc_info=None, where="in background"):
        exc_info = sys.exc_info() if exc_info is None else exc_info
        self.exc_type = exc_info[0]
        self.exc_name = self.exc_type.__name__
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where
        try:
            pickle.dumps(self.exc_type)
        except Exception:
            # a class the main process cannot look up by name (defined in a function, say): raised there as a
            # RuntimeError with the same message
            self.exc_type = RuntimeError

    def reraise(self):
        """Raise the exception again, here, as its own type when that can be built from one message."""
        msg = f"Caught {self.exc_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)  # KeyError shows repr() of its argument: keep the traceback readable
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None  # an exception type that needs other arguments
        raise exception


class _KeyErrorMessage(str):
    """A str whose repr is itself."""

    def __repr__(self):
        return self


class _ResultQueue(multiprocessing.queues.Queue):
    """The workers' result queue. A queue pickles what is put on it later, in a feeder thread, where an
    unpicklable batch would only print an error and be lost, and the main process would wait for it forever;
    here the batch is answered with that error instead."""

    def __init__(self, ctx):
        super().__init__(ctx=ctx)

    def _on_queue_feeder_error(self, e, obj):
        if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[0], int):
            info = get_worker_info()
            where = f"in DataLoader worker process {info.id if info else '?'} (sending the batch)"
            self.put((obj[0], ExceptionWrapper((type(e), e, e.__traceback__), where=where)))
        else:
            super()._on_queue_feeder_error(e, obj)


def _seed_worker(base_seed, worker_id):
    """Seed this worker's RNGs as torch does: ``random`` and rustorch with base_seed + worker_id, NumPy's global
    RNG with a SeedSequence hash of both (not the same integer seed as ``random``, as torch). Returns the seed."""
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))
    return seed


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation, collate_fn, drop_last,
                 base_seed, init_fn, worker_id, num_workers, forked):
    """The body of a worker process (see the module docstring for its protocol)."""
    from ..dataloader import _DatasetKind
    from .... import get_num_threads, set_num_threads

    global _worker_info
    where = f"in DataLoader worker process {worker_id}"

    def make_fetcher():
        """A fetcher, or the error that prevented one (sent as the answer to the next task)."""
        try:
            return _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last), None
        except Exception:
            return None, ExceptionWrapper(where=where)

    try:
        # One OpenMP thread per worker, as torch: N workers already load N cores, and under GNU libgomp a
        # forked child that starts a team of more than one thread hangs when the parent had used OpenMP.
        set_num_threads(1)
        if shared_memory.available():
            shared_memory.register()
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error = None
        if init_fn is not None:
            try:
                init_fn(worker_id)
                if forked and get_num_threads() > 1:  # the likeliest place to raise it: fail, do not hang later
                    raise DataLoaderError(
                        f"worker_init_fn set {get_num_threads()} OpenMP threads in a forked DataLoader worker; a "
                        "forked child cannot run multi-threaded OpenMP kernels (GNU libgomp hangs). Pass "
                        "multiprocessing_context='forkserver' (or 'spawn') to the DataLoader for that")
            except Exception:
                init_error = ExceptionWrapper(where=where)
        fetcher, fetcher_error = make_fetcher()
        init_error = init_error or fetcher_error
        iteration_end = False
        parent = os.getppid()
        while True:
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent:  # the main process is gone: nobody will read what this worker made
                    shared_memory.remove_files_of(os.getpid())
                    break
                continue
            if r is None:
                break
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                fetcher, init_error = make_fetcher()  # a fresh iterator over an iterable dataset
                continue
            idx, index = r
            if init_error is not None:
                data, init_error = init_error, None
            elif iteration_end:
                data = _IterableDatasetStopIteration(worker_id)
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if dataset_kind != _DatasetKind.Iterable:
                        data = ExceptionWrapper(where=where)
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=where)
            data_queue.put((idx, data))
            del data, idx, index, r  # free the batch before blocking for the next task
    except KeyboardInterrupt:
        pass  # Ctrl-C reaches the whole process group; the main process handles it and stops the workers
    if done_event.is_set():
        # shutting down: exit even if the main process no longer reads what is still in the pipe
        data_queue.cancel_join_thread()
        data_queue.close()
