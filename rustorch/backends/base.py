"""The backend contract: the small set of primitives every backend implements.

A backend owns buffers and runs primitives on them. It knows nothing of
autograd, modules or type promotion: the op layer (rustorch/ops) has already
chosen the result dtype, broadcast the shapes and allocated ``out`` before it
calls a primitive. Tensors handed to a primitive expose ``shape``, ``stride()``,
``storage_offset()``, ``dtype`` and their storage's ``data`` (the backend's
own buffer); strides are in elements and never negative.

A new backend implements these methods and the whole library runs on it.
"""


class Backend:
    """Base class of the backends; every method here is a primitive of the contract."""

    name = None

    def availability(self):
        """None when this backend runs here, else a sentence saying why not."""
        raise NotImplementedError

    def capabilities(self):
        """A dict describing the device(s): ISA, threads, memory, supported dtypes."""
        raise NotImplementedError

    # memory -------------------------------------------------------------------
    def empty(self, numel, dtype, device):
        """A new buffer of ``numel`` elements of ``dtype`` (uninitialised)."""
        raise NotImplementedError

    def from_host(self, array, device):
        """A buffer holding a copy of the contiguous NumPy ``array`` (may share it on the CPU)."""
        raise NotImplementedError

    def to_host(self, t):
        """The values of tensor ``t`` as a NumPy array of ``t.shape`` (a view on the CPU, else a copy)."""
        raise NotImplementedError

    def copy_(self, dst, src):
        """dst[...] = src: strided copy with broadcasting of ``src`` and a cast to ``dst.dtype``."""
        raise NotImplementedError

    def fill_(self, dst, value):
        """Write the Python number ``value`` into every element of ``dst``."""
        raise NotImplementedError

    def memory_stats(self, device):
        """Allocator statistics: allocated_bytes, reserved_bytes, peak_allocated_bytes, ..."""
        raise NotImplementedError

    def empty_cache(self, device):
        """Return cached, unused blocks to the system."""
        raise NotImplementedError

    # elementwise --------------------------------------------------------------
    def unary(self, op, x, out):
        """out = op(x), computed in ``out.dtype``."""
        raise NotImplementedError

    def binary(self, op, a, b, out, compute_dtype):
        """out = op(a, b) with broadcasting; ``a`` or ``b`` may be a Python number.

        Computed in ``compute_dtype`` and written (cast) into ``out``.
        """
        raise NotImplementedError

    def where(self, cond, a, b, out):
        """out = a where cond else b, with broadcasting."""
        raise NotImplementedError

    # reductions ---------------------------------------------------------------
    def reduce(self, op, x, dims, out, out_index=None):
        """Reduce ``x`` over ``dims`` into ``out`` (which keeps the reduced dims as size 1).

        op: sum, prod, max, min, argmax, argmin, all, any. ``out_index`` (int64)
        receives the positions for max/min when given.
        """
        raise NotImplementedError

    def scan(self, op, x, dim, out):
        """Inclusive scan (cumsum, cumprod, cummax, cummin) along ``dim``."""
        raise NotImplementedError

    # indexing -----------------------------------------------------------------
    def index_get(self, x, index):
        """x[index] for an index tuple of ints, slices, None, Ellipsis and int64/bool tensors."""
        raise NotImplementedError

    def index_put_(self, x, index, value, accumulate):
        """x[index] = value (or += when ``accumulate``)."""
        raise NotImplementedError

    def gather(self, x, dim, index, out):
        raise NotImplementedError

    def scatter_(self, x, dim, index, src, reduce):
        """reduce: None (assign), 'add', 'multiply', 'amax', 'amin'; ``src`` a tensor or a number."""
        raise NotImplementedError

    def nonzero(self, x):
        """A (n, x.ndim) int64 buffer of the positions of the non-zero elements."""
        raise NotImplementedError

    def sort(self, x, dim, descending, stable, values, indices):
        raise NotImplementedError

    # contraction --------------------------------------------------------------
    def matmul(self, a, b, out):
        """Batched matrix product: a (..., M, K) @ b (..., K, N) -> out (..., M, N), batch dims broadcast."""
        raise NotImplementedError

    # random -------------------------------------------------------------------
    def random_(self, kind, out, seed, offset):
        """Fill the contiguous ``out`` from the Philox stream (seed, offset).

        kind: ``uniform`` in [0, 1) or ``normal`` (out float32/float64), ``bits``
        (out int32/int64: the raw 32/64-bit words, read as signed integers).

        Returns the number of counter blocks used, so that every backend advances
        a generator by the same amount and a seed means the same numbers everywhere.
        """
        raise NotImplementedError

    def einsum(self, equation, operands, out):
        """out = Einstein sum of ``operands`` (all of ``out.dtype``) by ``equation``.

        The equation is explicit and plain: letters only, no '...' and no spaces,
        with '->' and the output subscripts ('ij,jk->ik'); each letter already has
        one size across the operands (the op layer checks and expands).
        """
        raise NotImplementedError
