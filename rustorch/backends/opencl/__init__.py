"""The OpenCL backend (``device='opencl'``, ``'opencl:N'``): PyOpenCL and the project's own kernels.

``RUSTORCH_OPENCL_DEVICE=N`` picks the device that ``'opencl'`` means; ``devices()`` lists them.
"""
from .backend import BACKEND, OpenCLBackend
from .runtime import devices

__all__ = ["BACKEND", "OpenCLBackend", "devices"]
