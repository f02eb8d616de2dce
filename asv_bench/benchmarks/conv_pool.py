"""Convolution and pooling layers, forward and backward with a fixed grad_output, on (size, 64, 32, 32) images."""
from rustorch.benchmarks.workloads import fwd_bwd

from . import common
from .common import Benchmark, array, tensor


class _LayerStep(Benchmark):
    """A layer's forward and backward on a (size, 64, 32, 32) float32 batch that requires grad."""

    def make(self, lib, device, n):
        layer = self.layer(lib).to(device)
        x = tensor(lib, device, array(0, n, 64, 32, 32), requires_grad=True)
        grad = tensor(lib, device, array(1, *layer(x).shape))
        return lambda: fwd_bwd(layer, x, grad)


class Conv2d(_LayerStep):
    """Conv2d(64, 64, 3, padding=1)."""

    sizes = (4, 16)

    @staticmethod
    def layer(lib):
        return lib.nn.Conv2d(64, 64, 3, padding=1)

    def time_conv2d_fwd_bwd(self, *params):
        self.run()

    def peakmem_conv2d_fwd_bwd(self, *params):
        self.run()


class MaxPool2d(_LayerStep):
    """MaxPool2d(2, 2)."""

    sizes = (4, 32)

    @staticmethod
    def layer(lib):
        return lib.nn.MaxPool2d(2, 2)

    def time_maxpool2d_fwd_bwd(self, *params):
        self.run()


class RatioVsTorch(common.RatioVsTorch):
    benchmarks = (Conv2d, MaxPool2d)
