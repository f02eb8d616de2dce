"""Random numbers: the Philox4x32-10 stream of rustorch/_ext/philox.pyx, computed on the device by gpu/opencl/philox.cl
(one work-item per counter block), so that a (seed, offset) gives the CPU's numbers."""
import numpy as np

from ... import _dtype
from ...errors import DTypeError
from . import runtime

# kind -> (the two dtypes it fills: 4 per block, 2 per block; kernel name stem)
_KINDS = {"uniform": (("float32", "float64"), "uniform_f"), "normal": (("float32", "float64"), "normal_f"),
          "bits": (("int32", "int64"), "bits_u")}
_MASK64 = (1 << 64) - 1


def random_(dev, kind, out, seed, offset):
    (narrow, wide), stem = _KINDS[kind]
    if out.dtype.name not in (narrow, wide):
        raise DTypeError(f"random_(): a {kind} fill needs {narrow} or {wide}, got {out.dtype}")
    dev.check_dtype(out.dtype, "random_")
    per_block = 2 if out.dtype.name == wide else 4
    n = out.numel()
    blocks = -(-n // per_block)
    if n:
        # one source holds every fill (its float64 ones behind #ifdef cl_khr_fp64): one build per device
        source = runtime.source(dev, "philox.cl", [_dtype.float64 if dev.fp64 else None])
        kernel = dev.kernel(source, f"rt_philox_{stem}{32 if per_block == 4 else 64}")
        kernel(dev.queue, (runtime.round_up(blocks),), (runtime.GROUP,), out._storage.data.block, np.int64(out._offset),
               np.uint64(seed & _MASK64), np.uint64(offset & _MASK64), np.int64(n))
    return blocks
