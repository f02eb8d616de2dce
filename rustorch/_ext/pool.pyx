# cython: language_level=3
"""The CPU caching allocator: 64-byte aligned blocks in size classes, reused
without new page faults.

API
---
``alloc(nbytes) -> Block``
``empty(numel, dtype) -> ndarray`` (1-D, on a Block it keeps alive)
    Uninitialised memory of ``nbytes`` bytes (0 allowed), 64-byte aligned.
    The request is rounded up to a size class: 512 B; powers of two up to
    1 MiB; multiples of 2 MiB above (see ``size_class``).  A cached block of
    the same class is reused when there is one.
``Block``
    Exposes a writable 1-D buffer (format 'B', length ``nbytes``), so
    ``np.frombuffer(block, np.uint8)`` wraps it without a copy and keeps it
    alive.  ``block.address`` and ``block.nbytes``.  When its last reference
    goes, the memory returns to the cache (or to the OS when the cache is
    over its limit).
``stats() -> dict``
    allocated_bytes (class bytes of blocks in use), reserved_bytes (in use +
    cached), peak_allocated_bytes, cached_bytes, num_allocs, num_frees,
    cache_hits, cache_misses (requests served from the cache / from the OS;
    0-byte requests count as neither).
``empty_cache()``, ``reset_peak_stats()``
``cache_limit()``, ``set_cache_limit(nbytes)``
    The cap on cached bytes; the default comes from the environment variable
    RUSTORCH_CPU_CACHE_LIMIT (bytes) at import, else 4 GiB.
``size_class(nbytes)``
    The class an allocation of nbytes is rounded to.

Thread-safe: one lock guards the free lists and the statistics.

Example::

    >>> import numpy as np
    >>> from rustorch._ext import pool
    >>> b = pool.alloc(1 << 20)
    >>> a = np.frombuffer(b, dtype=np.float32)     # 262144 floats, no copy
    >>> b.address % 64
    0
"""
import os

cimport numpy as cnp
from cpython.ref cimport Py_INCREF

cnp.import_array()

cdef extern from "numpy/arrayobject.h":
    # declared here: numpy's pxd does not expose it; it steals the reference to descr
    object PyArray_NewFromDescr(type subtype, cnp.dtype descr, int nd, cnp.npy_intp *dims,
                                cnp.npy_intp *strides, void *data, int flags, object obj)

from cpython.buffer cimport PyBUF_FORMAT, PyBUF_ND, PyBUF_STRIDES, PyBUF_WRITABLE
from cpython.pythread cimport (PyThread_type_lock, PyThread_allocate_lock,
                               PyThread_acquire_lock, PyThread_release_lock,
                               WAIT_LOCK)
from libc.stdint cimport uintptr_t

cdef extern from "pool.h" nogil:
    size_t RT_SMALL_MAX
    int RT_NSMALL
    ctypedef struct rt_fnode:
        rt_fnode *next
        size_t size
    size_t rt_pool_class(size_t n)
    int rt_pool_bin(size_t c)
    void *rt_os_alloc(size_t c)
    void rt_os_free(void *p, size_t c)

DEFAULT_CACHE_LIMIT = 4 << 30


def _limit_from_env():
    v = os.environ.get("RUSTORCH_CPU_CACHE_LIMIT")
    if v is None or v.strip() == "":
        return DEFAULT_CACHE_LIMIT
    try:
        n = int(v.strip())
    except ValueError:
        # Importing must not fail over a typo in the environment.
        import warnings
        warnings.warn(f"RUSTORCH_CPU_CACHE_LIMIT={v!r} is not a byte count; "
                      f"using {DEFAULT_CACHE_LIMIT}", RuntimeWarning)
        return DEFAULT_CACHE_LIMIT
    return min(max(n, 0), 1 << 62)


# ---- allocator state (all guarded by _lock) -------------------------------
cdef PyThread_type_lock _lock = PyThread_allocate_lock()
cdef rt_fnode *_small[32]          # free lists of the small classes
cdef rt_fnode *_large = NULL       # one list for all 2 MiB-multiple classes
cdef size_t _cached = 0
cdef size_t _allocated = 0
cdef size_t _peak = 0
cdef size_t _limit = _limit_from_env()
cdef unsigned long long _n_allocs = 0, _n_frees = 0, _hits = 0, _misses = 0
# Address handed out for 0-byte blocks: aligned, never dereferenced.
cdef char _zero_buf[128]

cdef int _i
for _i in range(32):
    _small[_i] = NULL


cdef inline void _lock_acquire() noexcept nogil:
    PyThread_acquire_lock(_lock, WAIT_LOCK)


cdef inline void _lock_release() noexcept nogil:
    PyThread_release_lock(_lock)


cdef void *_cache_take(size_t c) noexcept nogil:
    """Pop a cached block of class c, or NULL.  Call with the lock held."""
    global _large, _cached
    cdef rt_fnode *n
    cdef rt_fnode **link
    cdef int b
    if c <= RT_SMALL_MAX:
        b = rt_pool_bin(c)
        n = _small[b]
        if n != NULL:
            _small[b] = n.next
            _cached -= c
        return n
    link = &_large
    while link[0] != NULL:
        n = link[0]
        if n.size == c:
            link[0] = n.next
            _cached -= c
            return n
        link = &n.next
    return NULL


cdef void _cache_put(void *p, size_t c) noexcept nogil:
    """Push a block on its free list.  Call with the lock held."""
    global _large, _cached
    cdef rt_fnode *n = <rt_fnode *>p
    cdef int b
    n.size = c
    if c <= RT_SMALL_MAX:
        b = rt_pool_bin(c)
        n.next = _small[b]
        _small[b] = n
    else:
        n.next = _large
        _large = n
    _cached += c


cdef rt_fnode *_cache_detach_all() noexcept nogil:
    """Unlink every cached block into one list.  Call with the lock held."""
    global _large, _cached
    cdef rt_fnode *head = _large
    cdef rt_fnode *n
    cdef rt_fnode *nxt
    cdef int b
    _large = NULL
    for b in range(RT_NSMALL):
        n = _small[b]
        _small[b] = NULL
        while n != NULL:
            nxt = n.next
            n.next = head
            head = n
            n = nxt
    _cached = 0
    return head


cdef void _os_free_list(rt_fnode *n) noexcept nogil:
    cdef rt_fnode *nxt
    while n != NULL:
        nxt = n.next
        rt_os_free(n, n.size)
        n = nxt


cdef void _release(void *p, size_t c) noexcept nogil:
    """Return a block: to the cache, or to the OS when over the cap."""
    global _allocated, _n_frees
    cdef bint keep
    _lock_acquire()
    _n_frees += 1
    _allocated -= c
    keep = c != 0 and _cached + c <= _limit
    if keep:
        _cache_put(p, c)
    _lock_release()
    if c != 0 and not keep:
        rt_os_free(p, c)


cdef class Block:
    """A block of pool memory; see the module docstring.

    Example::

        >>> b = alloc(100); b.nbytes, b.address % 64
        (100, 0)
    """
    cdef char *_ptr
    cdef Py_ssize_t _nbytes
    cdef size_t _cls
    cdef Py_ssize_t _shape[1]
    cdef Py_ssize_t _strides[1]

    def __cinit__(self):
        self._ptr = NULL
        self._nbytes = 0
        self._cls = 0

    def __init__(self, *args, **kwargs):
        raise TypeError("Block cannot be created directly; use pool.alloc(nbytes)")

    @property
    def address(self):
        """The integer address of the first byte (64-byte aligned)."""
        return <uintptr_t>self._ptr

    @property
    def nbytes(self):
        """The requested size in bytes (the buffer's length)."""
        return self._nbytes

    @property
    def size_class(self):
        """The bytes actually reserved for this block."""
        return self._cls

    def __len__(self):
        return self._nbytes

    def __repr__(self):
        return (f"<rustorch pool Block nbytes={self._nbytes} class={self._cls} "
                f"at 0x{<uintptr_t>self._ptr:x}>")

    def __getbuffer__(self, Py_buffer *buf, int flags):
        if self._ptr == NULL:
            raise ValueError("Block has no memory (created without pool.alloc)")
        self._shape[0] = self._nbytes
        self._strides[0] = 1
        buf.buf = self._ptr
        buf.obj = self
        buf.len = self._nbytes
        buf.readonly = 0
        buf.itemsize = 1
        if flags & PyBUF_FORMAT:
            buf.format = "B"
        else:
            buf.format = NULL
        buf.ndim = 1
        buf.shape = self._shape if (flags & PyBUF_ND) else NULL
        buf.strides = self._strides if ((flags & PyBUF_STRIDES) == PyBUF_STRIDES) else NULL
        buf.suboffsets = NULL
        buf.internal = NULL

    def __releasebuffer__(self, Py_buffer *buf):
        pass

    def __dealloc__(self):
        if self._ptr != NULL:
            _release(self._ptr, self._cls)
            self._ptr = NULL


def size_class(Py_ssize_t nbytes):
    """Bytes reserved for a request of nbytes: 512 B, powers of two up to
    1 MiB, then multiples of 2 MiB.

    Example::

        >>> size_class(1000), size_class(3 << 20)
        (1024, 4194304)
    """
    if nbytes < 0:
        raise ValueError(f"size_class: nbytes must be >= 0, got {nbytes}")
    return rt_pool_class(<size_t>nbytes)


def alloc(Py_ssize_t nbytes):
    """A Block of nbytes uninitialised, 64-byte aligned bytes.

    Example::

        >>> import numpy as np
        >>> a = np.frombuffer(alloc(4096), dtype=np.float64)   # 512 doubles
        >>> a.shape
        (512,)
    """
    global _allocated, _peak, _n_allocs, _hits, _misses
    if nbytes < 0:
        raise ValueError(f"pool.alloc: nbytes must be >= 0, got {nbytes}")
    cdef size_t c = rt_pool_class(<size_t>nbytes)
    if c == <size_t>-1:
        raise MemoryError(f"pool.alloc: cannot allocate {nbytes} bytes (too large)")
    cdef Block blk = Block.__new__(Block)
    cdef void *p = NULL
    cdef uintptr_t zero_addr
    if c == 0:
        zero_addr = (<uintptr_t>_zero_buf + 63) & ~(<uintptr_t>63)
        p = <void *>zero_addr
        _lock_acquire()
        _n_allocs += 1
        _lock_release()
    else:
        _lock_acquire()
        p = _cache_take(c)
        if p != NULL:
            _hits += 1
        _lock_release()
        if p == NULL:
            p = rt_os_alloc(c)
            if p == NULL:
                empty_cache()          # give cached memory back, then retry once
                p = rt_os_alloc(c)
            if p == NULL:
                raise MemoryError(f"pool.alloc: out of memory allocating {nbytes} "
                                  f"bytes (size class {c} bytes)")
            _lock_acquire()
            _misses += 1
            _lock_release()
        _lock_acquire()
        _n_allocs += 1
        _allocated += c
        if _allocated > _peak:
            _peak = _allocated
        _lock_release()
    blk._ptr = <char *>p
    blk._nbytes = nbytes
    blk._cls = c
    return blk


def empty(cnp.npy_intp numel, cnp.dtype dtype not None):
    """A 1-D array of ``numel`` uninitialised items of ``dtype`` on a new Block.

    The same as ``np.frombuffer(alloc(numel * itemsize), dtype)``, made in C.

    Example::

        >>> import numpy as np
        >>> a = empty(3, np.dtype(np.float32)); a.shape, a.flags.writeable, a.ctypes.data % 64
        ((3,), True, 0)
    """
    if numel < 0:
        raise ValueError(f"pool.empty: numel must be >= 0, got {numel}")
    cdef Block blk = alloc(numel * dtype.itemsize)
    cdef cnp.npy_intp dims[1]
    dims[0] = numel
    Py_INCREF(dtype)  # PyArray_NewFromDescr steals a reference to the descriptor
    cdef cnp.ndarray arr = PyArray_NewFromDescr(
        cnp.ndarray, dtype, 1, dims, NULL, <void *>blk._ptr, cnp.NPY_ARRAY_CARRAY, None)
    Py_INCREF(blk)  # PyArray_SetBaseObject steals a reference to the base
    cnp.PyArray_SetBaseObject(arr, blk)
    return arr


def empty_cache():
    """Return every cached block to the OS.

    Example::

        >>> empty_cache(); stats()['cached_bytes']
        0
    """
    cdef rt_fnode *head
    _lock_acquire()
    head = _cache_detach_all()
    _lock_release()
    _os_free_list(head)


def reset_peak_stats():
    """Set peak_allocated_bytes to the bytes allocated now."""
    global _peak
    _lock_acquire()
    _peak = _allocated
    _lock_release()


def stats():
    """A snapshot of the allocator's counters.

    Example::

        >>> sorted(stats())[:3]
        ['allocated_bytes', 'cache_hits', 'cache_misses']
    """
    _lock_acquire()
    d = dict(allocated_bytes=_allocated, reserved_bytes=_allocated + _cached,
             peak_allocated_bytes=_peak, cached_bytes=_cached,
             num_allocs=_n_allocs, num_frees=_n_frees,
             cache_hits=_hits, cache_misses=_misses)
    _lock_release()
    return d


def cache_limit():
    """The cap on cached bytes (RUSTORCH_CPU_CACHE_LIMIT, default 4 GiB)."""
    return _limit


def set_cache_limit(Py_ssize_t nbytes):
    """Set the cap on cached bytes; if the cache holds more, it is emptied.

    Example::

        >>> old = cache_limit(); set_cache_limit(0); set_cache_limit(old)
    """
    global _limit
    if nbytes < 0:
        raise ValueError(f"set_cache_limit: nbytes must be >= 0, got {nbytes}")
    cdef bint trim
    _lock_acquire()
    _limit = <size_t>nbytes
    trim = _cached > _limit
    _lock_release()
    if trim:
        empty_cache()
