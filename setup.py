"""Build the Cython CPU core: every rustorch/_ext/*.pyx becomes rustorch._ext.<name>.

The C kernels live in headers beside the .pyx files. They are compiled with
OpenMP and with glibc's vector maths library (libmvec); run-time ISA dispatch
comes from GCC's target_clones inside the headers, so the build itself targets
the baseline ISA and the wheel runs on any x86-64 (or ARM) machine.

RUSTORCH_EXT=name1,name2 builds only those modules (handy while developing one).
"""
import glob
import os
import platform
import sys

import numpy
from Cython.Build import cythonize
from setuptools import Extension, find_packages, setup

compile_args = ["-O3", "-fopenmp", "-fno-math-errno", "-std=gnu11"]
link_args = ["-fopenmp"]
if sys.platform.startswith("linux") and platform.machine() in ("x86_64", "AMD64"):
    link_args.append("-lmvec")

wanted = {n for n in os.environ.get("RUSTORCH_EXT", "").split(",") if n}
extensions = []
for pyx in sorted(glob.glob("rustorch/_ext/*.pyx")):
    name = os.path.splitext(os.path.basename(pyx))[0]
    if wanted and name not in wanted:
        continue
    extensions.append(
        Extension(
            f"rustorch._ext.{name}",
            [pyx],
            include_dirs=[numpy.get_include(), "rustorch/_ext"],
            extra_compile_args=compile_args,
            extra_link_args=link_args,
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        )
    )

setup(
    # gpu/ holds the kernel sources of every GPU dialect; it installs as rustorch.kernels.
    packages=find_packages(include=["rustorch", "rustorch.*"])
    + ["rustorch.kernels"] + [f"rustorch.kernels.{d}" for d in ("cuda", "opencl", "wgsl")],
    package_dir={"rustorch.kernels": "gpu"},
    ext_modules=cythonize(
        extensions,
        language_level=3,
        compiler_directives={"boundscheck": False, "wraparound": False, "cdivision": True},
    ),
)
