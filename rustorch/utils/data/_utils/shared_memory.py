"""Large tensors travel from the workers to the main process through shared memory instead of the pipe.

Pickled through the result queue, a batch is copied four times (into the pickle, into and out of the pipe,
out of the pickle). In a worker, :func:`register` makes multiprocessing's pickler (only there, not the
user's ``pickle``) write each CPU tensor of at least ``MIN_BYTES`` into a new file in ``/dev/shm`` and send
its name; the main process maps the file, unlinks it at once and wraps the mapping as the tensor's storage,
which the kernel frees when the tensor is freed. One copy instead of four, as torch's shared-memory batches.

Files that were never received (a worker killed, or a loader shut down with batches in flight) are removed
by :func:`remove_files_of` when the loader stops that worker. Where /dev/shm is missing or full, tensors are
pickled as usual (space is reserved with posix_fallocate, so a full /dev/shm is an error there, not the
SIGBUS of a write to a page tmpfs cannot supply).

>>> from rustorch.utils.data._utils import shared_memory
>>> shared_memory.MIN_BYTES
131072
"""
import glob
import mmap
import os
import secrets

import numpy as np

from ....ops.creation import from_numpy
from ....tensor import Tensor

MIN_BYTES = 1 << 17  # below this, pickling through the pipe is cheaper than a file's system calls (measured)
_DIR = "/dev/shm"
_PREFIX = "rustorch_dataloader_"
_token = None  # this worker's: pid, random token, counter name its files
_counter = 0


def available():
    """Whether this system has a /dev/shm to put tensors in."""
    return os.path.isdir(_DIR) and hasattr(os, "posix_fallocate")


def register():
    """In a worker: send the tensors of every batch through shared memory from now on."""
    from multiprocessing.reduction import ForkingPickler

    global _token
    _token = f"{os.getpid()}_{secrets.token_hex(4)}"
    ForkingPickler.register(Tensor, _reduce_tensor)


def remove_files_of(worker_pid):
    """Delete the files a worker made that the main process never received (run once the worker has exited)."""
    for path in glob.glob(os.path.join(_DIR, f"{_PREFIX}{worker_pid}_*")):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass  # received (and unlinked) meanwhile


def _reduce_tensor(t):
    nbytes = t.numel() * t.dtype.itemsize
    if t.device.type == "cpu" and nbytes >= MIN_BYTES:
        path = _write(t, nbytes)
        if path is not None:
            return _rebuild_tensor, (path, tuple(t.shape), t.dtype, t.requires_grad)
    return t.__reduce_ex__(4)


def _write(t, nbytes):
    """The path of a new /dev/shm file holding t's values, or None when /dev/shm has no room for them."""
    global _counter
    _counter += 1
    path = os.path.join(_DIR, f"{_PREFIX}{_token}_{_counter}")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None
    try:
        os.posix_fallocate(fd, 0, nbytes)
        with mmap.mmap(fd, nbytes) as mm:
            dst = np.ndarray(tuple(t.shape), t.dtype.np, buffer=mm)
            np.copyto(dst, t.detach().numpy())
            del dst  # the mapping cannot close while an array views it
    except OSError:
        os.unlink(path)
        return None
    finally:
        os.close(fd)
    return path


def _rebuild_tensor(path, shape, dtype, requires_grad):
    """In the main process: the tensor over the mapped file, whose name is removed at once."""
    fd = os.open(path, os.O_RDWR)
    try:
        os.unlink(path)
        mm = mmap.mmap(fd, 0)
    finally:
        os.close(fd)
    t = from_numpy(np.frombuffer(mm, dtype=dtype.np).reshape(shape))
    return t.requires_grad_() if requires_grad else t
