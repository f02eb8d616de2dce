"""Random sampling: generators, rand/randn/randint/randperm, normal, bernoulli, multinomial, in-place samplers.

Every draw comes from the backend's ``random_`` primitive, a counter-based
Philox4x32-10 stream addressed by a generator's (seed, offset): a call fills
a fresh contiguous buffer starting at counter block ``offset`` and advances
the offset by the number of 128-bit blocks it used. A block gives four
float32 (uniform or normal) or two float64 / int64 values, and each call
starts on a fresh block, so ``rand(n)`` then ``rand(m)`` equals
``rand(n + m)`` when n is a multiple of 4 (of 2 for float64); otherwise the
unused rest of the last block is skipped. The same seed gives the same
numbers on every backend (normals to a few ulp: log/sin/cos differ between
math libraries). The numbers differ from torch's, whose CPU generator is a
Mersenne Twister.

How values are made: float16/bfloat16/complex64 from float32 draws, float64
and complex128 from float64 draws; integers (randint, random_) as
``low + (63 random bits) mod (high - low)`` in int64, then cast; randperm
as the stable argsort of random 64-bit keys; bernoulli as ``u < p`` with
float64 uniforms; multinomial with the exponential race (category j gets
key E_j / p_j with E_j ~ Exp(1)): the smallest key over the categories for
each draw with replacement, the num_samples smallest keys of one race
without replacement (an exact sequential draw without replacement).

>>> import rustorch
>>> _ = rustorch.manual_seed(0)
>>> a = rustorch.rand(3)
>>> _ = rustorch.manual_seed(0)
>>> rustorch.equal(a, rustorch.rand(3))
True
"""
import math
import secrets

import numpy as np

from .. import _dtype
from .._device import device as _device
from ..autograd.grad_mode import no_grad
from ..autograd.graph import needs_grad, record
from ..errors import DeviceError, DTypeError, InvalidArgumentError, InvalidTypeError, ShapeError, ValueOutOfRangeError
from .creation import copy_, parse_size, tensor, to_device_dtype, zeros_like
from ._common import Tensor, as_int, as_number, broadcast_shapes, check_same_device, check_tensor, empty_tensor, prepare_out, resolve_device
from .elementwise import (
    add, bitwise_and, div, floor, ge, isfinite, le, log, log1p, logical_and, logical_not, lt, mul, neg, remainder,
)
from .reduction import any as _any, argmin, sum as _sum
from .indexing import argsort
from .views import narrow, select, squeeze, unsqueeze

_MASK64 = (1 << 64) - 1
_DEFAULT_SEED = 67280421310721  # torch's seed for a new Generator
_FLOAT_DIGITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}


# generators ---------------------------------------------------------------------------------
class Generator:
    """A random-number generator: a Philox stream position (seed, offset) for one device type.

    >>> import rustorch
    >>> g = rustorch.Generator().manual_seed(42)
    >>> state = g.get_state()
    >>> a = rustorch.randn(4, generator=g)
    >>> _ = g.set_state(state)
    >>> rustorch.equal(a, rustorch.randn(4, generator=g))
    True
    """

    def __init__(self, device="cpu"):
        self.device = _device(device)
        self._seed = _DEFAULT_SEED
        self._offset = 0

    def manual_seed(self, seed):
        """Restart the stream at ``seed`` (an int in [-2**63, 2**64), taken modulo 2**64); returns self."""
        try:
            seed = int(seed)
        except (TypeError, ValueError):
            raise InvalidTypeError(f"manual_seed(): seed must be an int, got {type(seed).__name__}") from None
        if not -(1 << 63) <= seed <= _MASK64:
            raise InvalidArgumentError(f"manual_seed(): seed must be in [-2**63, 2**64), got {seed}")
        self._seed = seed & _MASK64
        self._offset = 0
        return self

    def seed(self):
        """Seed from the operating system's entropy; returns the new seed."""
        s = secrets.randbits(63)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed the stream started from."""
        return self._seed

    def get_state(self):
        """The state as a uint8 tensor of 16 bytes: seed then offset, each a little-endian uint64."""
        return tensor(np.array([self._seed, self._offset], dtype="<u8").view(np.uint8), dtype=_dtype.uint8)

    def set_state(self, new_state):
        """Restore a state from :meth:`get_state`; returns self."""
        if not isinstance(new_state, Tensor) or new_state.dtype is not _dtype.uint8:
            got = new_state.dtype if isinstance(new_state, Tensor) else type(new_state).__name__
            raise InvalidTypeError(f"set_state(): RNG state must be a rustorch.uint8 tensor, got {got}")
        if new_state.numel() != 16:
            raise ValueOutOfRangeError(f"set_state(): expected an RNG state of 16 bytes, got {new_state.numel()}")
        seed, offset = np.ascontiguousarray(new_state.numpy(force=True).reshape(-1)).view("<u8").tolist()
        self._seed, self._offset = seed, offset
        return self


default_generator = Generator("cpu")
default_generator.seed()
_default_generators = {"cpu": default_generator}


def _default_generator(device_type):
    gen = _default_generators.get(device_type)
    if gen is None:
        # a device's default generator starts from the CPU one's seed, as torch.manual_seed seeds them all
        gen = _default_generators[device_type] = Generator(device_type).manual_seed(default_generator.initial_seed())
    return gen


def manual_seed(seed):
    """Seed the default generator of every device type; returns the CPU one.

    >>> import rustorch
    >>> rustorch.manual_seed(7).initial_seed()
    7
    """
    for gen in _default_generators.values():
        gen.manual_seed(seed)
    return default_generator


def seed():
    """Seed every default generator from the operating system's entropy; returns the seed.

    >>> import rustorch
    >>> s = rustorch.seed(); rustorch.initial_seed() == s
    True
    """
    s = default_generator.seed()
    manual_seed(s)
    return s


def initial_seed():
    """The seed of the default CPU generator.

    >>> import rustorch
    >>> _ = rustorch.manual_seed(3); rustorch.initial_seed()
    3
    """
    return default_generator.initial_seed()


def get_rng_state():
    """The default CPU generator's state (a uint8 tensor).

    >>> import rustorch
    >>> s = rustorch.get_rng_state(); a = rustorch.rand(2)
    >>> rustorch.set_rng_state(s); rustorch.equal(a, rustorch.rand(2))
    True
    """
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default CPU generator's state from :func:`get_rng_state`.

    >>> import rustorch
    >>> s = rustorch.get_rng_state(); a = rustorch.randn(3)
    >>> rustorch.set_rng_state(s); rustorch.equal(a, rustorch.randn(3))
    True
    """
    default_generator.set_state(new_state)


# drawing ------------------------------------------------------------------------------------
def _generator_for(op, generator, device):
    if generator is None:
        return _default_generator(device.type)
    if not isinstance(generator, Generator):
        raise InvalidTypeError(f"{op}(): generator must be a rustorch.Generator, got {type(generator).__name__}")
    if generator.device.type != device.type:
        raise DeviceError(f"{op}(): expected a generator for a {device.type} device, but got one for {generator.device}")
    return generator


def _draw(op, kind, shape, d, device, generator):
    """A fresh contiguous ``d`` tensor filled by the backend from the generator's stream, which it advances."""
    gen = _generator_for(op, generator, device)
    t = empty_tensor(shape, d, device)
    if t.numel():
        used = t._storage.backend.random_(kind, t, gen._seed, gen._offset)
        gen._offset = (gen._offset + used) & _MASK64
    return t


def _cast(t, d):
    return t if t.dtype is d else to_device_dtype(t, None, d)


def _check_float(op, d, allow_complex=True):
    if not (d.is_floating_point or allow_complex and d.is_complex):
        raise DTypeError(f"{op}(): expected a floating point{' or complex' if allow_complex else ''} dtype, got {d}")


def _standard(op, kind, shape, d, device, generator):
    """Uniform [0, 1) or standard normal values for dtype ``d``, in the precision they are drawn in: float64
    for float64/complex128, else float32 (complex: independent real and imaginary parts, each N(0, 1/2) for
    normals, as torch). The caller transforms them there and casts to ``d`` once."""
    g = _dtype.float64 if d in (_dtype.float64, _dtype.complex128) else _dtype.float32
    if not d.is_complex:
        return _draw(op, kind, shape, g, device, generator)
    parts = _draw(op, kind, shape + (2,), g, device, generator)
    z = add(select(parts, -1, 0), mul(select(parts, -1, 1), 1j))
    return mul(z, math.sqrt(0.5), out=z) if kind == "normal" else z


def _uniform01(op, shape, d, device, generator):
    """Uniform [0, 1) values for dtype ``d``, in the precision they are drawn in (see _standard).

    For float16/bfloat16 they are multiples of 2**-digits (as torch), so casting to ``d`` never rounds up to 1.
    """
    u = _standard(op, "uniform", shape, d, device, generator)
    if d in (_dtype.float16, _dtype.bfloat16):
        scale = float(1 << _FLOAT_DIGITS[d.name])
        mul(floor(mul(u, scale, out=u), out=u), 1.0 / scale, out=u)
    return u


def _affine(z, scale, shift):
    """z * scale + shift, in place on the fresh ``z`` (scale and shift numbers)."""
    if scale != 1:
        mul(z, scale, out=z)
    if shift != 0:
        add(z, shift, out=z)
    return z


def _zero_grads_backward(node, grad):
    return tuple(zeros_like(grad) if needed else None for needed in node.needs_input_grad)


def _deliver(op, values, out, requires_grad=False):
    """The fresh ``values``, or ``out`` resized and holding them."""
    if out is None:
        return values.requires_grad_() if requires_grad else values
    prepare_out(op, out, values._shape, values.dtype, values.device)
    return copy_(out, values)


def _target(op, dtype, device, out, default):
    d = dtype if dtype is not None else out.dtype if out is not None else default
    if not isinstance(d, _dtype.dtype):
        raise InvalidTypeError(f"{op}(): dtype must be a rustorch.dtype, got {d!r}")
    return d, out.device if out is not None else resolve_device(device)


def _as_int(op, name, value):
    value = value.item() if isinstance(value, Tensor) else as_number(op, value)
    if isinstance(value, complex) or isinstance(value, float) and not math.isfinite(value):
        raise ValueOutOfRangeError(f"{op}(): {name} must be a finite real number, got {value}")
    return int(value)


def _random_ints(op, shape, low, high, d, device, generator):
    """Uniform integers in [low, high) as dtype ``d``."""
    if d.is_complex:
        raise DTypeError(f"{op}(): random integers need an integral, floating point or bool dtype, got {d}")
    if low >= high:
        raise ValueOutOfRangeError(f"{op}(): expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if d is _dtype.bool_:
        lo, hi = 0, 1
    elif d.is_floating_point:
        lo, hi = -(1 << 63), (1 << 63) - 1
    else:
        info = _dtype.iinfo(d)
        lo, hi = info.min, info.max
    if low < lo:
        raise ValueOutOfRangeError(f"{op}(): from={low} is out of bounds for {d}")
    if high - 1 > hi:
        raise ValueOutOfRangeError(f"{op}(): to - 1 = {high - 1} is out of bounds for {d}")
    span = high - low
    if span > 1 << 63:
        raise ValueOutOfRangeError(f"{op}(): ranges of more than 2**63 values are not supported, got [{low}, {high})")
    values = _draw(op, "bits", shape, _dtype.int64, device, generator)
    bitwise_and(values, (1 << 63) - 1, out=values)
    if span < 1 << 63:
        remainder(values, span, out=values)
    if low:
        add(values, low, out=values)
    return _cast(values, d)


def _bernoulli_values(op, shape, p, d, device, generator):
    """1 with probability ``p`` (a number or a tensor broadcasting to ``shape``), else 0, as dtype ``d``."""
    if isinstance(p, Tensor):
        if not p.dtype.is_floating_point:
            raise DTypeError(f"{op}(): expected a floating point probability tensor p, got {p.dtype}")
        if p.device != device:
            raise DeviceError(f"{op}(): p is on {p.device} but the result is on {device}")
        if broadcast_shapes(op, shape, p._shape) != tuple(shape):
            raise ShapeError(f"{op}(): p of shape {list(p._shape)} can't be broadcast to the shape {list(shape)}")
        if _any(logical_not(logical_and(ge(p, 0), le(p, 1)))).item():
            raise ValueOutOfRangeError(f"{op}(): expects all elements of p to be in [0, 1] (and not NaN)")
    else:
        p = as_number(op, p)
        if not 0 <= p <= 1:
            raise ValueOutOfRangeError(f"{op}(): expects p to be in [0, 1], but got p={p}")
    # float64 uniforms resolve small probabilities (float32's 2**-24 steps would not)
    return _cast(lt(_draw(op, "uniform", shape, _dtype.float64, device, generator), p), d)


def _check_std(op, std):
    """``std`` (a number or a tensor) checked to be >= 0 and not NaN."""
    if isinstance(std, Tensor):
        if _any(logical_not(ge(std, 0))).item():
            raise ValueOutOfRangeError(f"{op}(): expects all elements of std >= 0.0 (and not NaN)")
        return std
    std = as_number(op, std)
    if not std >= 0:
        raise ValueOutOfRangeError(f"{op}(): expects std >= 0.0, but found std {std}")
    return std


# factories ----------------------------------------------------------------------------------
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """Uniform samples in [0, 1).

    >>> import rustorch
    >>> x = rustorch.rand(2, 3)
    >>> x.shape, bool(((x >= 0) & (x < 1)).all())
    (rustorch.Size([2, 3]), True)
    """
    shape = parse_size("rand", size)
    d, dev = _target("rand", dtype, device, out, _dtype.get_default_dtype())
    _check_float("rand", d)
    return _deliver("rand", _cast(_uniform01("rand", shape, d, dev, generator), d), out, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """Standard normal samples (complex dtypes: real and imaginary parts each N(0, 1/2)).

    >>> import rustorch
    >>> rustorch.randn(2, 3, dtype=rustorch.float64).dtype
    rustorch.float64
    """
    shape = parse_size("randn", size)
    d, dev = _target("randn", dtype, device, out, _dtype.get_default_dtype())
    _check_float("randn", d)
    return _deliver("randn", _cast(_standard("randn", "normal", shape, d, dev, generator), d), out, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False):
    """Uniform integers in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``; int64 by default.

    >>> import rustorch
    >>> x = rustorch.randint(3, 10, (100,))
    >>> x.dtype, int(x.min()) >= 3, int(x.max()) < 10
    (rustorch.int64, True, True)
    """
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if size is None or high is None:
        raise InvalidTypeError("randint(): expected randint(high, size) or randint(low, high, size)")
    shape = parse_size("randint", (size,))
    d, dev = _target("randint", dtype, device, out, _dtype.int64)
    values = _random_ints("randint", shape, _as_int("randint", "low", low), _as_int("randint", "high", high), d, dev,
                          generator)
    return _deliver("randint", values, out, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of 0..n-1 (int64 by default).

    >>> import rustorch
    >>> sorted(rustorch.randperm(5).tolist())
    [0, 1, 2, 3, 4]
    """
    n = as_int("randperm", "n", n)
    (n,) = parse_size("randperm", (n,))
    d, dev = _target("randperm", dtype, device, out, _dtype.int64)
    if d is _dtype.bool_ or d.is_complex:
        raise DTypeError(f"randperm(): not implemented for {d}")
    limit = 1 << _FLOAT_DIGITS[d.name] if d.is_floating_point else _dtype.iinfo(d).max
    if n - 1 > limit:
        raise ValueOutOfRangeError(f"randperm(): n={n} is too large for {d} (largest value {limit})")
    perm = argsort(_draw("randperm", "bits", (n,), _dtype.int64, dev, generator), stable=True)
    return _deliver("randperm", _cast(perm, d), out, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """Normal samples: ``normal(mean_tensor, std_tensor)`` (broadcast), ``normal(mean_tensor, std=1.0)``,
    ``normal(mean, std_tensor)`` or ``normal(mean, std, size)``.

    With a tensor argument the result has that tensor's dtype (mean's, when both are tensors).

    >>> import rustorch
    >>> rustorch.normal(rustorch.zeros(2, 1), rustorch.ones(3)).shape
    rustorch.Size([2, 3])
    >>> rustorch.normal(2.0, 3.0, size=(4,)).shape
    rustorch.Size([4])
    """
    op = "normal"
    std = _check_std(op, std)
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if tensors:
        if size is not None:
            raise InvalidTypeError("normal(): size can only be given when mean and std are both numbers")
        for t in tensors:
            _check_float(op, t.dtype, allow_complex=False)
        d = out.dtype if out is not None else tensors[0].dtype
        _check_float(op, d, allow_complex=False)
        dev = check_same_device(op, *tensors)
        shape = broadcast_shapes(op, *(t._shape for t in tensors))
        if not isinstance(mean, Tensor):
            mean = as_number(op, mean)
        z = _standard(op, "normal", shape, d, dev, generator)
        with no_grad():
            values = _cast(add(mul(z, std), mean), d)
        if needs_grad(mean, std):
            # as torch's normal: the samples do not depend on mean and std differentiably (zero gradients)
            record("NormalBackward", _zero_grads_backward, (mean, std), values)
    else:
        if size is None:
            raise InvalidTypeError("normal(): with a number mean and std, size is required: normal(mean, std, size)")
        shape = parse_size(op, (size,))
        d, dev = _target(op, dtype, device, out, _dtype.get_default_dtype())
        _check_float(op, d, allow_complex=False)
        values = _cast(_affine(_standard(op, "normal", shape, d, dev, generator), std, as_number(op, mean)), d)
    return _deliver(op, values, out, requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples of input's dtype: 1 with probability ``input`` (elementwise), or with probability ``p``.

    >>> import rustorch
    >>> rustorch.bernoulli(rustorch.tensor([0.0, 1.0, 1.0]))
    tensor([0., 1., 1.])
    """
    check_tensor("bernoulli", input)
    if p is None:
        if not input.dtype.is_floating_point:
            raise DTypeError(f"bernoulli(): expected a floating point probability tensor, got {input.dtype}")
        p = input
    values = _bernoulli_values("bernoulli", input._shape, p, input.dtype, input.device, generator)
    if out is None and needs_grad(input, p) and values.dtype.is_floating_point:
        record("BernoulliBackward0", _zero_grads_backward, (input, p), values)  # torch's: zero gradients
    return _deliver("bernoulli", values, out)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Category indices drawn from the (unnormalised) probability rows of a 1-D or 2-D ``input``; int64.

    Without replacement a row yields distinct categories (zero-probability ones
    only once the positive ones are used up, as torch).

    >>> import rustorch
    >>> rustorch.multinomial(rustorch.tensor([0.0, 1.0, 0.0]), 2, replacement=True)
    tensor([1, 1])
    >>> sorted(rustorch.multinomial(rustorch.tensor([1.0, 2.0, 3.0]), 3).tolist())
    [0, 1, 2]
    """
    op = "multinomial"
    check_tensor(op, input)
    if input.ndim not in (1, 2):
        raise ShapeError(f"multinomial(): prob_dist must be 1 or 2 dim, got shape {list(input._shape)}")
    if not input.dtype.is_floating_point:
        raise DTypeError(f"multinomial(): only supports floating-point dtypes for input, got {input.dtype}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise InvalidTypeError(f"multinomial(): num_samples must be an int, got {type(num_samples).__name__}")
    n = input._shape[-1]
    if num_samples <= 0:
        raise ValueOutOfRangeError(f"multinomial(): cannot sample num_samples={num_samples} <= 0 samples")
    if not replacement and num_samples > n:
        raise ValueOutOfRangeError(
            f"multinomial(): cannot sample num_samples={num_samples} > prob_dist.size(-1)={n} samples without replacement")
    if out is not None and out.dtype is not _dtype.int64:
        raise DTypeError(f"multinomial(): expects an int64 out tensor, got {out.dtype}")
    probs = input if input.ndim == 2 else unsqueeze(input, 0)
    if _any(logical_not(logical_and(isfinite(probs), ge(probs, 0)))).item():
        raise ValueOutOfRangeError("multinomial(): probability tensor contains either `inf`, `nan` or element < 0")
    if _any(le(_sum(probs, dim=-1), 0)).item():
        raise ValueOutOfRangeError("multinomial(): invalid multinomial distribution (sum of probabilities <= 0)")
    # the exponential race: category j gets key E_j / p_j, E_j ~ Exp(1) = -log(u), u in [0, 1) (keys in (0, inf])
    p = _cast(probs, _dtype.float64)
    rows = probs._shape[0]
    if replacement:
        u = _draw(op, "uniform", (rows, num_samples, n), _dtype.float64, input.device, generator)
        samples = argmin(div(neg(log(u)), unsqueeze(p, 1)), dim=-1)
    else:
        u = _draw(op, "uniform", (rows, n), _dtype.float64, input.device, generator)
        samples = narrow(argsort(div(neg(log(u)), p), stable=True), -1, 0, num_samples).contiguous()
    return _deliver(op, samples if input.ndim == 2 else squeeze(samples, 0), out)


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """rand with input's shape, dtype and device.

    >>> import rustorch
    >>> rustorch.rand_like(rustorch.zeros(2, dtype=rustorch.float64)).dtype
    rustorch.float64
    """
    check_tensor("rand_like", input)
    return rand(input._shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    """randn with input's shape, dtype and device.

    >>> import rustorch
    >>> rustorch.randn_like(rustorch.zeros(2, 3)).shape
    rustorch.Size([2, 3])
    """
    check_tensor("randn_like", input)
    return randn(input._shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    """randint with input's shape, dtype and device: ``randint_like(x, high)`` or ``randint_like(x, low, high)``.

    >>> import rustorch
    >>> rustorch.randint_like(rustorch.zeros(3), 1)
    tensor([0., 0., 0.])
    """
    check_tensor("randint_like", input)
    if high is None:
        low, high = 0, low
    return randint(low, high, input._shape, generator=generator, dtype=dtype or input.dtype,
                   device=device or input.device, requires_grad=requires_grad)


# in-place samplers (Tensor methods) ------------------------------------------------------------
def uniform_(self, from_=0.0, to=1.0, *, generator=None):
    """Fill with uniform samples in [from_, to).

    >>> import rustorch
    >>> x = rustorch.empty(100).uniform_(-2, 2)
    >>> bool(((x >= -2) & (x < 2)).all())
    True
    """
    op = "uniform_"
    _check_float(op, self.dtype)
    from_, to = as_number(op, from_), as_number(op, to)
    limit = _dtype.finfo(self.dtype).max
    for name, v in (("from", from_), ("to", to)):
        if not -limit <= v <= limit:
            raise ValueOutOfRangeError(f"{op}(): {name}={v} is out of bounds for {self.dtype}")
    if from_ > to:
        raise ValueOutOfRangeError(f"{op}(): expects to return a [from, to) range, but found from={from_} > to={to}")
    if to - from_ > limit:
        raise ValueOutOfRangeError(f"{op}(): expects to - from <= {limit}, but found to={to} and from={from_}")
    u = _uniform01(op, self._shape, self.dtype, self.device, generator)
    return copy_(self, _affine(u, to - from_, from_))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples of the given mean and std.

    >>> import rustorch
    >>> rustorch.zeros(3).normal_(5.0, 0.0)
    tensor([5., 5., 5.])
    """
    op = "normal_"
    _check_float(op, self.dtype)
    mean, std = as_number(op, mean), _check_std(op, as_number(op, std))
    return copy_(self, _affine(_standard(op, "normal", self._shape, self.dtype, self.device, generator), std, mean))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 with probability ``p`` (a number or a tensor broadcasting to self), else 0.

    >>> import rustorch
    >>> rustorch.empty(3, dtype=rustorch.int32).bernoulli_(1.0)
    tensor([1, 1, 1], dtype=rustorch.int32)
    """
    return copy_(self, _bernoulli_values("bernoulli_", self._shape, p, self.dtype, self.device, generator))


def random_(self, from_=0, to=None, *, generator=None):
    """Fill with integers uniform in [from_, to); ``random_(to)`` means [0, to).

    With no bounds: [0, dtype max] for integers, [0, 2**mantissa_digits] for floats (as torch).

    >>> import rustorch
    >>> x = rustorch.empty(50).random_(3, 5)
    >>> sorted(set(x.tolist())) in ([3.0], [4.0], [3.0, 4.0])
    True
    """
    op = "random_"
    d = self.dtype
    if to is None and from_ != 0:  # random_(to)
        from_, to = 0, from_
    if to is None:
        if d is _dtype.bool_:
            to = 2
        elif d.is_floating_point:
            to = (1 << _FLOAT_DIGITS[d.name]) + 1
        elif d.is_complex:
            raise DTypeError(f"{op}(): not implemented for {d}")
        else:
            to = _dtype.iinfo(d).max + 1
    values = _random_ints(op, self._shape, _as_int(op, "from", from_), _as_int(op, "to", to), d, self.device, generator)
    return copy_(self, values)


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with exponential samples of rate ``lambd``: -log(1 - u) / lambd.

    >>> import rustorch
    >>> bool((rustorch.empty(100).exponential_(2.0) >= 0).all())
    True
    """
    op = "exponential_"
    if not self.dtype.is_floating_point:
        raise DTypeError(f"{op}(): the exponential distribution is continuous; expected a floating point dtype, got {self.dtype}")
    lambd = as_number(op, lambd)
    if not lambd > 0:
        raise ValueOutOfRangeError(f"{op}(): expects lambda > 0.0, but found lambda={lambd}")
    u = _uniform01(op, self._shape, self.dtype, self.device, generator)
    # u in [0, 1), so -log1p(-u) is finite
    return copy_(self, mul(log1p(neg(u, out=u), out=u), -1.0 / lambd, out=u))


__all__ = ["rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial", "rand_like", "randn_like",
           "randint_like", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "Generator",
           "default_generator"]
TENSOR_METHODS = ["bernoulli", "multinomial", "uniform_", "normal_", "bernoulli_", "random_", "exponential_"]
