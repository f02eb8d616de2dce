"""The Cython CPU core: kernels (elementwise, reduce, copy, blas, philox), the memory pool and cpuinfo.

Each module checks shapes, dtypes and strides before it enters C, so no call from
Python can crash the interpreter; rustorch.backends.cpu is their only user.
"""
