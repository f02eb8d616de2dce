"""Matrix products: square GEMMs and batched products of small matrices, float32."""
from . import common
from .common import Benchmark, array, tensor


class Matmul(Benchmark):
    """(size, size) @ (size, size)."""

    libraries = ("rustorch", "torch", "numpy")
    sizes = (128, 1024)

    def make(self, lib, device, n):
        a, b = tensor(lib, device, array(0, n, n)), tensor(lib, device, array(1, n, n))
        return lambda: a @ b

    def time_matmul(self, *params):
        self.run()


class BatchedMatmul(Benchmark):
    """A batch of 64 products (size, size) @ (size, size), as attention heads make."""

    libraries = ("rustorch", "torch", "numpy")
    sizes = (32, 128)

    def make(self, lib, device, n):
        a, b = tensor(lib, device, array(0, 64, n, n)), tensor(lib, device, array(1, 64, n, n))
        return lambda: a @ b

    def time_batched_matmul(self, *params):
        self.run()


class RatioVsTorch(common.RatioVsTorch):
    benchmarks = (Matmul, BatchedMatmul)
