"""Reductions and a softmax along rows of a (size, size) float32 matrix."""
from rustorch.benchmarks.workloads import softmax_composed

from . import common
from .common import Benchmark, array, tensor


class SumDim(Benchmark):
    """Row sums of a (size, size) matrix."""

    libraries = ("rustorch", "torch", "numpy")
    sizes = (512, 4096)

    def make(self, lib, device, n):
        x = tensor(lib, device, array(0, n, n))
        return lambda: lib.sum(x, -1)

    def time_sum_dim(self, *params):
        self.run()


class SumAll(Benchmark):
    """The sum of all the elements of a (size, size) matrix."""

    libraries = ("rustorch", "torch", "numpy")
    sizes = (512, 4096)

    def make(self, lib, device, n):
        x = tensor(lib, device, array(0, n, n))
        return lambda: lib.sum(x)

    def time_sum_all(self, *params):
        self.run()


class MaxDim(Benchmark):
    """Row maxima with their indices (torch's ``max(dim=1)``) of a (size, size) matrix."""

    sizes = (512, 4096)

    def make(self, lib, device, n):
        x = tensor(lib, device, array(0, n, n))
        return lambda: x.max(dim=1)

    def time_max_dim(self, *params):
        self.run()


class Softmax(Benchmark):
    """Softmax along the rows of a (size, 1024) matrix: the fused op, or composed from max, exp, sum and div."""

    extra_params = {"variant": ("fused", "composed")}
    sizes = (256, 4096)

    def make(self, lib, device, variant, n):
        x = tensor(lib, device, array(0, n, 1024))
        if variant == "fused":
            return lambda: lib.softmax(x, 1)
        return lambda: softmax_composed(lib, x)

    def time_softmax(self, *params):
        self.run()


class RatioVsTorch(common.RatioVsTorch):
    benchmarks = (SumDim, SumAll, MaxDim, Softmax)
