"""rustorch: a PyTorch-compatible deep-learning library.

``import rustorch as torch`` and ordinary torch code runs: tensors on the CPU
(a Cython core with OpenMP and SIMD) and, as their backends land, on GPUs.

>>> import rustorch as torch
>>> x = torch.arange(6, dtype=torch.float32).view(2, 3)
>>> x.sum(dim=1)
tensor([ 3., 12.])
"""
import os

# OpenBLAS worker threads spin for 2**28 cycles (~0.1 s) after each call and starve the
# OpenMP kernels on small machines. rustorch's own GEMMs keep OpenBLAS single-threaded
# (rustorch/_ext/blas.pyx), but NumPy's BLAS calls (einsum) and SciPy's still wake its
# pools; 2**16 cycles (~20 us) keeps them hot across a run of calls and frees the cores
# soon after. OpenBLAS reads this once, when NumPy and SciPy load it below.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "16")

from . import _dtype  # noqa: E402
from ._device import device
from ._dtype import (
    bfloat16, can_cast, complex64, complex128, dtype, finfo, float16, float32, float64, get_default_dtype, iinfo,
    int8, int16, int32, int64, promote_types, result_type, set_default_dtype, uint8,
)
from ._dtype import bool_ as bool  # noqa: A001  (torch.bool)
from .backends.registry import get_default_device, set_default_device
from .errors import (
    AutogradError, BackendUnavailableError, DeviceError, DTypeError, OutOfMemoryError, RusTorchError, SerializationError, ShapeError,
)
from .tensor import Size, Tensor
from ._tensor_str import set_printoptions
from . import autograd, backends, memory, ops  # noqa: E402  (ops attaches the Tensor methods)
from . import nn  # noqa: E402
from . import optim  # noqa: E402
from . import utils  # noqa: E402  (rustorch.utils.data)
from .serialization import load, save  # noqa: E402
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                                 set_grad_enabled)
from .ops import contraction, creation, elementwise, indexing, random, reduction, shape, views

float = float32  # noqa: A001
double = float64
half = float16
cfloat = complex64
cdouble = complex128
long = int64
int = int32  # noqa: A001
short = int16

for _family in ops.FAMILIES:
    for _name in _family.__all__:
        globals()[_name] = getattr(_family, _name)
del _family, _name
for _name, _f in nn.functional.activation.TORCH_FUNCTIONS.items():  # torch.softmax, Tensor.log_softmax, ...
    globals()[_name] = _f
    setattr(Tensor, _name, _f)
del _name, _f


def is_tensor(obj):
    """Whether ``obj`` is a rustorch Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.dtype.is_floating_point


def is_complex(input):
    return input.dtype.is_complex


def numel(input):
    return input.numel()


def set_num_threads(n):
    """Threads used by the CPU kernels (OpenMP); OMP_NUM_THREADS sets the start value."""
    from ._ext import cpuinfo

    cpuinfo.set_num_threads(n)


def get_num_threads():
    """Threads the CPU kernels use."""
    from ._ext import cpuinfo

    return cpuinfo.get_num_threads()


__version__ = "0.1.0"
