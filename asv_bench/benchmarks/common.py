"""What the benchmarks of the suite share: their parameters (library, backend, size) and their set-up.

A benchmark class derives from ``Benchmark``, names the sizes it runs at (and which libraries), and builds the
callable to time in ``make(lib, device, *params)``; its ``time_*`` (and ``peakmem_*``) methods call ``self.run``.
asv runs every combination of

- library: ``rustorch``, and ``torch`` (and ``numpy`` where the same work exists there) as reference columns;
- backend: every backend of rustorch's registry. A backend that cannot run here, or that the reference library
  has no device for, raises NotImplementedError in setup, which asv records as skipped;
- the class's own parameters (an op or optimizer name), then the size.

``RatioVsTorch`` turns a module's benchmark classes into ``track_ratio`` benchmarks: rustorch's time over
torch's, measured in one process by ``rustorch.benchmarks.compare.measure``.

asv.conf.json runs the suite with asv's forkserver: one process imports these modules, and each benchmark runs in
a child forked from it, so a skipped backend costs a fork rather than a fresh interpreter. Two rules follow:
importing a module of the suite runs no kernel and touches no device (libgomp's thread pool and GPU contexts do not
survive fork; the backends are probed in setup, in the child), and setup gives both libraries the thread count
of the parent back (rustorch runs forked children on one thread, see rustorch/backends/cpu.py).
"""
import abc

import numpy as np

import rustorch
from rustorch.benchmarks.compare import measure
from rustorch.errors import BackendUnavailableError

try:
    import torch  # imported once in the forkserver rather than in every child
except ImportError:
    torch = None

# Every backend of rustorch's registry, available here or not.
BACKENDS = rustorch.backends.registry.names()
THREADS = rustorch.get_num_threads()

# torch's device for a rustorch backend, where torch has one. torch has no OpenCL: on an NVIDIA GPU, which NVIDIA's
# OpenCL drives too, torch's CUDA is the reference for the same hardware.
_TORCH_DEVICES = {"cpu": "cpu", "cuda": "cuda", "opencl": "cuda", "metal": "mps"}


def library(name, backend):
    """(module, device) that runs a benchmark in library ``name`` on ``backend``; NotImplementedError (asv: skipped)
    where that pair cannot run here. torch gets rustorch's thread count, as in rustorch.benchmarks.compare."""
    rustorch.set_num_threads(THREADS)
    if name == "rustorch":
        try:
            rustorch.backends.get_backend(backend)
        except BackendUnavailableError as e:
            raise NotImplementedError(str(e)) from None
        return rustorch, rustorch.device(backend)
    if name == "numpy":
        if backend != "cpu":
            raise NotImplementedError("NumPy runs on the CPU only")
        return np, None
    if torch is None:
        raise NotImplementedError("torch is not installed: pip install -e '.[bench]'")
    device = _TORCH_DEVICES.get(backend)
    if (device is None or (device == "cuda" and not torch.cuda.is_available())
            or (device == "mps" and not torch.backends.mps.is_available())):
        raise NotImplementedError(f"torch has no device for the {backend} backend here")
    torch.set_num_threads(THREADS)
    return torch, torch.device(device)


def _synchronizer(lib, device):
    """What waits for a device's queued work, so that a timing covers it; None on the CPU."""
    if device is None or device.type == "cpu":
        return None
    if lib is rustorch:
        backend = rustorch.backends.get_backend(device.type)
        return lambda: backend.synchronize(device)
    return lib.cuda.synchronize if device.type == "cuda" else lib.mps.synchronize


def array(seed, *shape):
    """Standard normal float32 data: the same numbers for every library of a benchmark."""
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)


def tensor(lib, device, a, requires_grad=False):
    """``a`` (a NumPy array) as ``lib``'s array on ``device``."""
    if lib is np:
        return a
    return lib.tensor(a, device=device, requires_grad=requires_grad)


class Benchmark:
    """Base of the suite's benchmark classes: the parameters and a setup that builds ``self.run``."""

    libraries = ("rustorch", "torch")
    extra_params = {}  # name -> values: parameters between the backend and the size
    sizes = ()
    timeout = 180

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.param_names = ["library", "backend", *cls.extra_params, "size"]
        cls.params = [list(cls.libraries), BACKENDS, *map(list, cls.extra_params.values()), list(cls.sizes)]

    def setup(self, library_name, backend, *params):
        lib, device = library(library_name, backend)
        if lib is not np:
            lib.manual_seed(0)  # the same initial weights in every run
        work = self.make(lib, device, *params)
        sync = _synchronizer(lib, device)
        self.run = work if sync is None else lambda: (work(), sync())


class RatioVsTorch(abc.ABC):
    """``track_ratio``: median time of rustorch over torch's for each benchmark class in ``benchmarks``, at the
    class's largest size and first value of its own parameters, torch on the same device (so the history shows
    the ratio, not only seconds). Below 1, rustorch is faster."""

    param_names = ["benchmark", "backend"]
    repeat_samples = 3  # interleaved samples of each library (rustorch.benchmarks.compare.measure)
    timeout = 300

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.params = [[b.__name__ for b in cls.benchmarks], BACKENDS]

    @property
    @abc.abstractmethod
    def benchmarks(self):
        """The Benchmark classes of the module: a class attribute in each subclass. Abstract here, so that asv does
        not take this base class for a benchmark of its own."""

    def setup(self, name, backend):
        bench = next(b for b in self.benchmarks if b.__name__ == name)
        params = [values[0] for values in bench.extra_params.values()] + [bench.sizes[-1]]
        self.runs = []
        for library_name in ("rustorch", "torch"):
            b = bench()
            b.setup(library_name, backend, *params)
            self.runs.append(b.run)

    def track_ratio(self, name, backend):
        rustorch_seconds, torch_seconds = measure(*self.runs, self.repeat_samples)
        return rustorch_seconds / torch_seconds

    track_ratio.unit = "rustorch/torch"
