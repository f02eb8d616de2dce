"""Optimizer steps over ``size`` float32 parameters in 10 tensors: rustorch's default (one fused kernel per group)
against torch's ``foreach=True``. The state is made by the first, untimed, step."""
from rustorch.benchmarks.workloads import parameters_with_grads

from . import common
from .common import Benchmark, array

# optimizer parameter -> (class name, keyword arguments)
OPTIMIZERS = {
    "Adam": ("Adam", {"lr": 1e-4}),
    "AdamW amsgrad": ("AdamW", {"lr": 1e-4, "amsgrad": True}),
    "SGD momentum": ("SGD", {"lr": 1e-4, "momentum": 0.9}),
}


class Step(Benchmark):
    extra_params = {"optimizer": tuple(OPTIMIZERS)}
    sizes = (1_000_000, 10_000_000)

    def make(self, lib, device, optimizer, n):
        arrays = [array(i, n // 10) for i in range(10)]
        grads = [array(10 + i, n // 10) for i in range(10)]
        name, kwargs = OPTIMIZERS[optimizer]
        if lib.__name__ == "torch":
            kwargs = {**kwargs, "foreach": True}
        opt = getattr(lib.optim, name)(parameters_with_grads(lib, arrays, grads, device), **kwargs)
        opt.step()
        return opt.step

    def time_step(self, *params):
        self.run()


class RatioVsTorch(common.RatioVsTorch):
    benchmarks = (Step,)
