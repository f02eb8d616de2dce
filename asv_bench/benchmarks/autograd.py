"""Autograd: the per-op overhead of recording and running a graph, and an MLP's backward."""
from rustorch.benchmarks.workloads import mlp_step, op_chain

from . import common
from .common import Benchmark, array, tensor


class OpChain(Benchmark):
    """Forward and backward of a chain of 999 ops (333 x mul, add, tanh) on vectors of ``size`` elements: at 10
    elements, the per-op cost of the Python dispatch, the graph and the engine."""

    sizes = (10, 100_000)

    def make(self, lib, device, n):
        x = tensor(lib, device, array(0, n) * 0.03, requires_grad=True)
        b = tensor(lib, device, array(1, n) * 0.03)
        return lambda: op_chain(lib, x, b)

    def time_op_chain(self, *params):
        self.run()


class MLPBackward(Benchmark):
    """Forward and backward of a 3-layer MLP (width 1024, matmul + add + relu) on a batch of ``size``."""

    sizes = (32, 256)

    def make(self, lib, device, n):
        weights = [(tensor(lib, device, array(2 * i, 1024, 1024) * 0.03, requires_grad=True),
                    tensor(lib, device, array(2 * i + 1, 1024) * 0.03, requires_grad=True)) for i in range(3)]
        x = tensor(lib, device, array(7, n, 1024))
        return lambda: mlp_step(lib, x, weights)

    def time_mlp_fwd_bwd(self, *params):
        self.run()

    def peakmem_mlp_fwd_bwd(self, *params):
        self.run()


class RatioVsTorch(common.RatioVsTorch):
    benchmarks = (OpChain, MLPBackward)
