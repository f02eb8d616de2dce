"""DataLoader epochs (workers started and stopped within each epoch, as every epoch does), each batch moved to the
backend's device."""
from rustorch.benchmarks.workloads import ImageArrays, epoch

from . import common
from .common import Benchmark, array


def _target(device):
    return None if device.type == "cpu" else device


class TensorDatasetEpoch(Benchmark):
    """A TensorDataset of ``size`` rows of 32 float32 and their indices, batch 64, shuffled."""

    sizes = (2_000, 10_000)

    def make(self, lib, device, n):
        dataset = lib.utils.data.TensorDataset(lib.tensor(array(0, n, 32)), lib.arange(n))
        loader = lib.utils.data.DataLoader(dataset, batch_size=64, shuffle=True)
        return lambda: epoch(loader, _target(device))

    def time_epoch(self, *params):
        self.run()


class ImageEpoch(Benchmark):
    """``size`` NumPy (3, 32, 32) images collated into batches of 64, in the main process or 2 worker processes."""

    extra_params = {"workers": (0, 2)}
    sizes = (2_000, 10_000)

    def make(self, lib, device, workers, n):
        loader = lib.utils.data.DataLoader(ImageArrays(n, 32), batch_size=64, num_workers=workers)
        return lambda: epoch(loader, _target(device))

    def time_epoch(self, *params):
        self.run()


class RatioVsTorch(common.RatioVsTorch):
    benchmarks = (TensorDatasetEpoch, ImageEpoch)
