# cython: language_level=3
"""Thread count and CPU capabilities of rustorch's C kernels.

API
---
``set_num_threads(n)``
    Threads used by the OpenMP kernels (n >= 1, else ValueError).  Like
    ``omp_set_num_threads`` it applies to kernels called from this Python
    thread.  The initial value follows ``OMP_NUM_THREADS`` (else the number
    of processors).  BLAS (SciPy's OpenBLAS) keeps its own thread pool.
``get_num_threads()``
    Threads the next kernel will use.
``capabilities()``
    ``{'isa': 'avx512f' | 'avx2' | 'neon' | 'default', 'openmp': bool,
    'num_threads': int, 'max_threads': int}``; 'isa' is the clone that
    GCC's target_clones dispatch picks on this CPU, 'max_threads' is the
    number of processors OpenMP sees.

Example::

    >>> from rustorch._ext import cpuinfo
    >>> cpuinfo.set_num_threads(1); cpuinfo.get_num_threads()
    1
    >>> sorted(cpuinfo.capabilities())
    ['isa', 'max_threads', 'num_threads', 'openmp']
"""
import operator

cdef extern from "cpuinfo.h":
    const char *ci_isa()
    int ci_openmp()
    void ci_set_num_threads(int n)
    int ci_get_num_threads()
    int ci_num_procs()

_ISA = ci_isa().decode()


def set_num_threads(n):
    """Set the number of OpenMP threads of the kernels.

    >>> set_num_threads(2)
    """
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"set_num_threads: expected an int, got {type(n).__name__}") from None
    if n < 1:
        raise ValueError(f"set_num_threads: n must be >= 1, got {n}")
    if n > 1 << 20:
        raise ValueError(f"set_num_threads: n = {n} is unreasonably large")
    ci_set_num_threads(n)


def get_num_threads():
    """Number of threads the next kernel will use.

    >>> get_num_threads() >= 1
    True
    """
    return ci_get_num_threads()


def capabilities():
    """ISA the kernels dispatch to, OpenMP availability and thread counts.

    >>> capabilities()['openmp']
    True
    """
    return {
        "isa": _ISA,
        "openmp": bool(ci_openmp()),
        "num_threads": ci_get_num_threads(),
        "max_threads": ci_num_procs(),
    }
