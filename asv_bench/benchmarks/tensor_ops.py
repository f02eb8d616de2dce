"""Elementwise ops, broadcasting and strided copies on float32 data."""
import numpy as np

from . import common
from .common import Benchmark, array, tensor


class Add(Benchmark):
    """a + b on two contiguous vectors of ``size`` elements."""

    libraries = ("rustorch", "torch", "numpy")
    sizes = (1 << 16, 1 << 22)

    def make(self, lib, device, n):
        a, b = tensor(lib, device, array(0, n)), tensor(lib, device, array(1, n))
        return lambda: a + b

    def time_add(self, *params):
        self.run()

    def peakmem_add(self, *params):
        self.run()


class Exp(Benchmark):
    """exp of a contiguous vector of ``size`` elements (a vectorised libm call per element)."""

    libraries = ("rustorch", "torch", "numpy")
    sizes = (1 << 16, 1 << 22)

    def make(self, lib, device, n):
        x = tensor(lib, device, array(0, n))
        return lambda: lib.exp(x)

    def time_exp(self, *params):
        self.run()


class BroadcastAdd(Benchmark):
    """A (size, 1) column plus a (1, size) row: a (size, size) result from broadcast strides."""

    libraries = ("rustorch", "torch", "numpy")
    sizes = (256, 2048)

    def make(self, lib, device, n):
        col, row = tensor(lib, device, array(0, n, 1)), tensor(lib, device, array(1, 1, n))
        return lambda: col + row

    def time_broadcast_add(self, *params):
        self.run()


class StridedCopy(Benchmark):
    """A contiguous copy of the transpose of a (size, size) matrix: a strided read."""

    libraries = ("rustorch", "torch", "numpy")
    sizes = (256, 4096)

    def make(self, lib, device, n):
        x = tensor(lib, device, array(0, n, n))
        if lib is np:
            return lambda: np.ascontiguousarray(x.T)
        return lambda: x.t().contiguous()

    def time_transpose_copy(self, *params):
        self.run()


class RatioVsTorch(common.RatioVsTorch):
    benchmarks = (Add, Exp, BroadcastAdd, StridedCopy)
