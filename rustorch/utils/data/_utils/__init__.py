"""The DataLoader's machinery: collation (collate.py), fetching from a dataset (fetch.py), the worker
process loop (worker.py) and the shared-memory path of the batches it sends (shared_memory.py). The worker
loop lives at module level so that every multiprocessing start method (fork, spawn, forkserver) can find it
by name.

>>> from rustorch.utils.data._utils import MP_STATUS_CHECK_INTERVAL
>>> MP_STATUS_CHECK_INTERVAL > 0
True
"""

MP_STATUS_CHECK_INTERVAL = 0.2
"""Seconds between liveness checks while one process waits on another: the main process checks that the
workers it waits on are alive, a worker checks that its parent is. A dead process is noticed within this
interval (torch checks every 5 s and relies on a SIGCHLD handler for speed; a short poll needs no signal
handler and costs a few wake-ups a second only while a process is blocked)."""

from . import collate, fetch, shared_memory, worker  # noqa: E402
