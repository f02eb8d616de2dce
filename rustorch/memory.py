"""Allocator statistics of every backend, one API: ``rustorch.memory.stats(device)``.

>>> import rustorch
>>> x = rustorch.empty(1 << 20)
>>> rustorch.memory.stats()["allocated_bytes"] >= 4 << 20
True
"""
from ._device import as_device
from .backends.registry import get_backend


def _device(device):
    return as_device("cpu" if device is None else device)


def stats(device=None):
    """The allocator's counters for ``device`` (CPU by default): allocated_bytes (in use),
    reserved_bytes (in use + cached), peak_allocated_bytes, cached_bytes, num_allocs, num_frees,
    cache_hits, cache_misses."""
    d = _device(device)
    return get_backend(d.type).memory_stats(d)


def empty_cache(device=None):
    """Give the blocks cached for reuse on ``device`` back to the system."""
    d = _device(device)
    get_backend(d.type).empty_cache(d)


def memory_allocated(device=None):
    """Bytes held by live tensors on ``device``."""
    return stats(device)["allocated_bytes"]


def memory_reserved(device=None):
    """Bytes held by the allocator on ``device``: live tensors plus the cache."""
    return stats(device)["reserved_bytes"]


def max_memory_allocated(device=None):
    """The peak of memory_allocated since start (or the last reset_peak_memory_stats)."""
    return stats(device)["peak_allocated_bytes"]
