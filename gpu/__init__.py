"""Kernel sources of the GPU backends, one folder per dialect, one file per op family.

Installed with the package as ``rustorch.kernels`` so that a wheel carries them.

>>> from rustorch.kernels import kernel_path
>>> kernel_path("cuda").name
'cuda'
"""
from pathlib import Path

DIALECTS = ("cuda", "opencl", "wgsl")


def kernel_path(dialect):
    """The folder holding the kernel sources of ``dialect`` (one of DIALECTS)."""
    if dialect not in DIALECTS:
        raise ValueError(f"kernel_path(): unknown kernel dialect {dialect!r}; expected one of {DIALECTS}")
    return Path(__file__).parent / dialect
