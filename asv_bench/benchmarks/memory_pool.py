"""Allocation churn: what the caching allocator saves when tensors are made and dropped, as a training step does."""
import numpy as np

from rustorch.benchmarks.workloads import allocate_and_write

from . import common
from .common import Benchmark

MIB = 1 << 20
PAGE = 4096 // 4  # float32 values per 4 KiB page


class Churn(Benchmark):
    """Allocate ``size`` MiB of float32, write one value per 4 KiB page, free it."""

    libraries = ("rustorch", "torch", "numpy")
    sizes = (1, 64)

    def make(self, lib, device, mib):
        n = mib * MIB // 4
        if lib is np:
            return lambda: np.empty(n, np.float32)[::PAGE].fill(1.0)
        return lambda: allocate_and_write(lib, n, PAGE, device)

    def time_churn(self, *params):
        self.run()

    def peakmem_churn(self, *params):
        self.run()


class ManySmall(Benchmark):
    """100 tensors of ``size`` float32 values allocated and written while alive together, then all freed."""

    libraries = ("rustorch", "torch", "numpy")
    sizes = (256, 65_536)

    def make(self, lib, device, n):
        if lib is np:
            return lambda: [np.full(n, 1.0, np.float32) for _ in range(100)]
        return lambda: [lib.full((n,), 1.0, device=device) for _ in range(100)]

    def time_many_small(self, *params):
        self.run()


class CacheLimit(Benchmark):
    """Churn with rustorch's CPU cache on (the default limit) or off (every freed block goes back to the OS)."""

    libraries = ("rustorch",)
    extra_params = {"cache": ("on", "off")}
    sizes = (1, 64)

    def make(self, lib, device, cache, mib):
        if device.type != "cpu":
            raise NotImplementedError("the cache limit is a setting of the CPU memory pool")
        from rustorch._ext import pool

        if cache == "off":
            pool.set_cache_limit(0)  # this benchmark's own process: nothing to restore
        return lambda: allocate_and_write(lib, mib * MIB // 4, PAGE, device)

    def time_churn(self, *params):
        self.run()


class RatioVsTorch(common.RatioVsTorch):
    benchmarks = (Churn, ManySmall)
