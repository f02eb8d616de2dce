"""Elementwise ops: arithmetic, comparisons, logical and bitwise ops, unary maths.

Each public function follows torch's signature (``out=`` where torch has it);
``x.add_(y)`` is ``add(x, y, out=x)`` with torch's in-place checks.

>>> import rustorch
>>> rustorch.add(rustorch.tensor([1, 2]), 0.5)
tensor([1.5000, 2.5000])
"""
import cmath
import math

from .. import _dtype
from ..autograd.grad_mode import STATE, no_grad
from ..autograd.graph import check_inplace, needs_grad, record
from ..errors import DTypeError, InvalidTypeError, ValueOutOfRangeError
from ._common import Tensor, as_number, broadcast_shapes, check_same_device, empty_tensor, prepare_out

# how an op's result dtype follows from its promoted input dtype
ARITH, TRUEDIV, PREDICATE, BITWISE = range(4)


def _result_dtypes(name, kind, a, b):
    compute = _dtype.result_type(a, b)
    if kind == TRUEDIV:
        if not (compute.is_floating_point or compute.is_complex):
            compute = _dtype.get_default_dtype()
        return compute, compute
    if kind == PREDICATE:
        return compute, _dtype.bool_
    if kind == BITWISE and (compute.is_floating_point or compute.is_complex):
        raise DTypeError(f"{name}(): only integer and bool tensors are supported, got {compute}")
    return compute, compute


def _cpu_scalars_joined(a, b):
    """As torch, a 0-d CPU tensor joins a tensor on another device: it is copied there (and its gradient back)."""
    if not a._shape and a._storage.device.type == "cpu":
        return a.to(b.device), b
    if not b._shape and b._storage.device.type == "cpu":
        return a, b.to(a.device)
    return a, b


def binary(name, op, a, b, out=None, kind=ARITH):
    """Run backend binary ``op`` on tensors/numbers ``a`` and ``b`` with torch's promotion and broadcasting."""
    a_is_t = isinstance(a, Tensor)
    b_is_t = isinstance(b, Tensor)
    if a_is_t and b_is_t:
        device = a._storage.device
        if b._storage.device is not device:
            a, b = _cpu_scalars_joined(a, b)
            device = check_same_device(name, a, b)
        shape = a._shape if a._shape == b._shape else broadcast_shapes(name, a._shape, b._shape)
        if a.dtype is b.dtype and kind == ARITH:
            compute = result = a.dtype  # same dtypes promote to themselves, whatever their dims
        else:
            compute, result = _result_dtypes(name, kind, a, b)
    else:
        if a_is_t:
            if type(b) is not float and type(b) is not int:
                b = as_number(name, b)
            t = a
        elif b_is_t:
            if type(a) is not float and type(a) is not int:
                a = as_number(name, a)
            t = b
        else:
            raise InvalidTypeError(f"{name}(): expected at least one Tensor argument, got {type(a).__name__} and {type(b).__name__}")
        device = t._storage.device
        shape = t._shape
        if kind == ARITH and t.dtype.is_floating_point and (type(a) is float or type(b) is float
                                                            or type(a) is int or type(b) is int):
            compute = result = t.dtype  # a Python int or float never changes a float tensor's dtype
        else:
            compute, result = _result_dtypes(name, kind, a, b)
    if op == "sub" and compute is _dtype.bool_:
        raise DTypeError("sub(): subtraction, the `-` operator, with two bool tensors is not supported; use `^` or logical_xor() instead")
    if out is None:
        out = empty_tensor(shape, result, device)
        out._storage.backend.binary(op, a, b, out, compute)
        if STATE.enabled and (a_is_t and a.requires_grad or b_is_t and b.requires_grad) and op in _BINARY_GRADS:
            _record_binary(op, a, b, out)
        return out
    recording = check_inplace(name, out, (a, b)) and op in _BINARY_GRADS
    # the formula may need the input's value from before it is overwritten
    a_before = a.clone() if recording and out is a and _BINARY_GRADS[op][0] else a
    out = prepare_out(name, out, shape, result, device)
    out._storage.backend.binary(op, a, b, out, compute)
    out._bump_version()
    if recording:
        _record_binary(op, a, b, out, a_before)
    return out


def unary(name, op, x, out=None, to_float=False, result_dtype=None):
    """Run backend unary ``op``; ``to_float`` ops give the default float dtype for integer inputs."""
    if not isinstance(x, Tensor):
        raise InvalidTypeError(f"{name}(): argument 'input' must be Tensor, not {type(x).__name__}")
    d = x.dtype
    if result_dtype is None:
        result_dtype = _dtype.get_default_dtype() if to_float and not (d.is_floating_point or d.is_complex) else d
    if out is None:
        out = empty_tensor(x._shape, result_dtype, x._storage.device)
        x._storage.backend.unary(op, x, out)
        if STATE.enabled and x.requires_grad and op in _UNARY_GRADS:
            _record_unary(op, x, out)
        return out
    recording = check_inplace(name, out, (x,)) and op in _UNARY_GRADS
    x_before = x.clone() if recording and out is x and "x" in _UNARY_GRADS[op][0] else x
    out = prepare_out(name, out, x._shape, result_dtype, x._storage.device)
    x._storage.backend.unary(op, x, out)
    out._bump_version()
    if recording:
        _record_unary(op, x, out, x_before)
    return out


# gradients --------------------------------------------------------------------------
def _conj(v):
    return conj(v) if isinstance(v, Tensor) and v.dtype.is_complex else v


def _zeros(grad):
    from .creation import zeros_like

    return zeros_like(grad)


# op -> (what the formula needs: "x" input, "r" result; derivative d(x, r)); grad_input = grad * conj(d)
_LN2, _LN10 = math.log(2.0), math.log(10.0)
_UNARY_GRADS = {
    "exp": ("r", lambda x, r: r), "exp2": ("r", lambda x, r: mul(r, _LN2)), "expm1": ("r", lambda x, r: add(r, 1)),
    "log": ("x", lambda x, r: reciprocal(x)), "log2": ("x", lambda x, r: reciprocal(mul(x, _LN2))),
    "log10": ("x", lambda x, r: reciprocal(mul(x, _LN10))), "log1p": ("x", lambda x, r: reciprocal(add(x, 1))),
    "sqrt": ("r", lambda x, r: div(0.5, r)), "rsqrt": ("r", lambda x, r: mul(pow(r, 3), -0.5)),
    "reciprocal": ("r", lambda x, r: neg(mul(r, r))), "sin": ("x", lambda x, r: cos(x)),
    "cos": ("x", lambda x, r: neg(sin(x))), "tan": ("r", lambda x, r: add(mul(r, r), 1)),
    "asin": ("x", lambda x, r: rsqrt(sub(1, mul(x, x)))), "acos": ("x", lambda x, r: neg(rsqrt(sub(1, mul(x, x))))),
    "atan": ("x", lambda x, r: reciprocal(add(mul(x, x), 1))), "sinh": ("x", lambda x, r: cosh(x)),
    "cosh": ("x", lambda x, r: sinh(x)), "tanh": ("r", lambda x, r: sub(1, mul(r, r))),
    "asinh": ("x", lambda x, r: rsqrt(add(mul(x, x), 1))), "acosh": ("x", lambda x, r: rsqrt(sub(mul(x, x), 1))),
    "atanh": ("x", lambda x, r: reciprocal(sub(1, mul(x, x)))), "sigmoid": ("r", lambda x, r: mul(r, sub(1, r))),
    "erf": ("x", lambda x, r: mul(exp(neg(mul(x, x))), 2 / math.sqrt(math.pi))),
    "erfc": ("x", lambda x, r: mul(exp(neg(mul(x, x))), -2 / math.sqrt(math.pi))),
    "erfinv": ("r", lambda x, r: mul(exp(mul(r, r)), math.sqrt(math.pi) / 2)),
    "lgamma": ("x", lambda x, r: digamma(x)), "digamma": ("x", lambda x, r: unary("digamma", "trigamma", x)),
    "trigamma": ("", lambda x, r: _not_implemented("the derivative of polygamma(1, x) (digamma's second derivative)")),
    "square": ("x", lambda x, r: mul(x, 2)), "neg": ("", lambda x, r: -1), "frac": ("", lambda x, r: 1),
    "conj": ("", None), "abs": ("x", None), "relu": ("r", None), "angle": ("x", None),
    "floor": ("", None), "ceil": ("", None), "trunc": ("", None), "round": ("", None), "sign": ("", None),
}


def _not_implemented(what):
    from ..errors import AutogradError

    raise AutogradError(f"{what} is not implemented in rustorch")


# gradients computed from the result by one fused kernel when no graph is recorded through backward
_FUSED_BACKWARD = {"tanh": "tanh_backward", "sigmoid": "sigmoid_backward", "relu": "threshold_backward"}


def _unary_backward(node, grad, op, x, r):
    fused = _FUSED_BACKWARD.get(op)
    if fused is not None and not STATE.enabled and not r.dtype.is_complex:
        return binary(fused, fused, grad, r)
    if op in ("floor", "ceil", "trunc", "round", "sign"):
        return _zeros(grad)
    if op == "conj":
        return conj(grad)
    if op == "abs":
        return mul(grad, _sgn(x))
    if op == "relu":
        from .indexing import where

        return where(le(r, 0), 0, grad)
    if op == "angle":
        return _angle_backward(grad, x) if x.dtype.is_complex else _zeros(grad)
    d = _UNARY_GRADS[op][1](x, r)
    return mul(grad, _conj(d))


def _angle_backward(grad, x):
    # torch: (grad / |x|^2) * (i * x) for complex x
    denominator = add(mul(real(x), real(x)), mul(imag(x), imag(x)))
    return mul(div(grad, denominator), mul(x, 1j))


def _sgn(x):
    if not x.dtype.is_complex:
        return sign(x)
    magnitude = abs(x)
    from .indexing import where

    return where(eq(magnitude, 0), 0, div(x, magnitude))


def _record_unary(op, x, out, x_before=None):
    uses = _UNARY_GRADS[op][0]
    if x_before is None:
        x_before = x
    record(_node_name(op), _unary_backward, (x,), out,
           (op, x_before if "x" in uses else None, out if "r" in uses else None))


_NODE_NAMES = {"abs": "AbsBackward0", "relu": "ReluBackward0", "rsqrt": "RsqrtBackward0", "erfinv": "ErfinvBackward0",
               "div": "DivBackward0", "pow": "PowBackward0", "sub": "SubBackward0", "mul": "MulBackward0",
               "add": "AddBackward0", "xlogy": "XlogyBackward0", "atan2": "Atan2Backward0", "lgamma": "LgammaBackward0",
               "digamma": "DigammaBackward0", "expm1": "Expm1Backward0", "log1p": "Log1PBackward0"}


def _node_name(op):
    name = _NODE_NAMES.get(op)
    if name is None:
        name = _NODE_NAMES[op] = "".join(part.capitalize() for part in op.split("_")) + "Backward0"
    return name


def _maximum_grads(a, b, grad, larger):
    # torch's rule: ties split the gradient, NaN on either side sends it to both
    from .indexing import where

    shared = where(eq(a, b), mul(grad, 0.5), grad)
    a_loses, b_loses = (lt(a, b), gt(a, b)) if larger else (gt(a, b), lt(a, b))
    return where(a_loses, 0, shared), where(b_loses, 0, shared)


def _fmax_grads(a, b, grad, larger):
    from .indexing import where

    a_taken = logical_or(ge(a, b) if larger else le(a, b), isnan(b))
    return where(a_taken, grad, 0), where(a_taken, 0, grad)


def _pow_grads(node, grad, a, b, r):
    from .indexing import where

    grad_a = grad_b = None
    if node.needs_input_grad[0]:
        if isinstance(b, Tensor):
            grad_a = where(eq(b, 0), 0, mul(grad, _conj(mul(b, pow(a, sub(b, 1))))))
        elif b == 0:
            grad_a = _zeros(grad)
        else:
            grad_a = mul(grad, _conj(mul(pow(a, b - 1), b)))
    if node.needs_input_grad[1]:
        if isinstance(a, Tensor):
            grad_b = where(logical_and(eq(a, 0), ge(real(b) if b.dtype.is_complex else b, 0)), 0, mul(grad, _conj(mul(r, log(a)))))
        elif a == 0:
            grad_b = _zeros(grad)
        else:
            grad_b = mul(grad, _conj(mul(r, _log_number(a))))
    return grad_a, grad_b


def _square(v):
    return mul(v, v) if isinstance(v, Tensor) else v * v


def _log_number(a):
    if isinstance(a, complex):
        return cmath.log(a)
    return math.log(a) if a > 0 else math.nan


def _binary_backward(node, grad, op, a, b, r):
    need_a, need_b = node.needs_input_grad
    if op == "mul":
        return (mul(grad, _conj(b)) if need_a else None), (mul(grad, _conj(a)) if need_b else None)
    if op == "div":
        grad_a = div(grad, _conj(b)) if need_a else None
        grad_b = neg(mul(grad, _conj(div(r, b)))) if need_b else None
        return grad_a, grad_b
    if op in ("div_trunc", "floor_divide"):
        return (_zeros(grad) if need_a else None), (_zeros(grad) if need_b else None)
    if op == "remainder":
        return grad, (neg(mul(grad, floor_divide(a, b))) if need_b else None)
    if op == "fmod":
        return grad, (neg(mul(grad, div(a, b, rounding_mode="trunc"))) if need_b else None)
    if op == "pow":
        return _pow_grads(node, grad, a, b, r)
    if op in ("maximum", "minimum"):
        return _maximum_grads(a, b, grad, op == "maximum")
    if op in ("fmax", "fmin"):
        return _fmax_grads(a, b, grad, op == "fmax")
    if op == "atan2":
        denominator = add(_square(a), _square(b))
        return (mul(grad, div(b, denominator)) if need_a else None), (mul(grad, div(neg(a), denominator)) if need_b else None)
    if op == "hypot":
        return (mul(grad, div(a, r)) if need_a else None), (mul(grad, div(b, r)) if need_b else None)
    if op == "copysign":
        from .indexing import where

        grad_a = where(eq(a, 0), 0, mul(grad, div(r, a))) if need_a else None
        return grad_a, (_zeros(grad) if need_b else None)
    if op == "logaddexp":
        grad_a = div(grad, add(exp(sub(b, a)), 1)) if need_a else None
        grad_b = div(grad, add(exp(sub(a, b)), 1)) if need_b else None
        return grad_a, grad_b
    if op == "xlogy":
        grad_a = mul(grad, xlogy(ne(a, 0), b)) if need_a else None
        grad_b = mul(grad, div(a, b)) if need_b else None
        return grad_a, grad_b
    raise AssertionError(op)


# what each formula keeps: (input a, input b, the result)
_BINARY_GRADS = {
    "add": (False, False, False), "sub": (False, False, False), "mul": (True, True, False),
    "div": (False, True, True), "div_trunc": (False, False, False), "floor_divide": (False, False, False),
    "remainder": (True, True, False), "fmod": (True, True, False), "pow": (True, True, True),
    "maximum": (True, True, False), "minimum": (True, True, False), "fmax": (True, True, False),
    "fmin": (True, True, False), "atan2": (True, True, False), "hypot": (True, True, True),
    "copysign": (True, False, True), "logaddexp": (True, True, False), "xlogy": (True, True, False),
}


def _add_backward(node, grad):
    return grad, grad


def _sub_backward(node, grad):
    return grad, (neg(grad) if node.needs_input_grad[1] else None)


# the formulas that keep nothing, recorded without the generic dispatch (they are the most frequent ops)
_SAVELESS = {"add": ("AddBackward0", _add_backward), "sub": ("SubBackward0", _sub_backward)}


def _record_binary(op, a, b, out, a_before=None):
    saveless = _SAVELESS.get(op)
    if saveless is not None:
        record(saveless[0], saveless[1], (a, b), out)
        return
    keep_a, keep_b, keep_result = _BINARY_GRADS[op]
    if a_before is None:
        a_before = a
    record(_node_name(op), _binary_backward, (a, b), out,
           (op, a_before if keep_a else None, b if keep_b else None, out if keep_result else None))


def _scalar_check_alpha(name, x, other, alpha):
    d = _dtype.result_type(x, other)
    if isinstance(alpha, float) and not (d.is_floating_point or d.is_complex):
        raise DTypeError(f"{name}(): for integral input tensors, argument alpha must not be a floating point number")


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, broadcast, with torch's type promotion.

    >>> import rustorch
    >>> rustorch.add(rustorch.ones(2), rustorch.ones(2), alpha=3)
    tensor([4., 4.])
    """
    if alpha != 1:
        _scalar_check_alpha("add", input, other, alpha)
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return binary("add", "add", input, other, out)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other.

    >>> import rustorch
    >>> rustorch.sub(rustorch.tensor([5, 6]), 1)
    tensor([4, 5])
    """
    if alpha != 1:
        _scalar_check_alpha("sub", input, other, alpha)
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return binary("sub", "sub", input, other, out)


subtract = sub


def rsub(input, other, *, alpha=1):
    """other - alpha * input.

    >>> import rustorch
    >>> rustorch.rsub(rustorch.tensor([1, 2]), 10)
    tensor([9, 8])
    """
    return sub(other, input, alpha=alpha) if isinstance(other, Tensor) else binary("rsub", "sub", other, mul(input, alpha) if alpha != 1 else input)


def mul(input, other, *, out=None):
    """input * other.

    >>> import rustorch
    >>> rustorch.mul(rustorch.tensor([1, 2]), rustorch.tensor([3, 4]))
    tensor([3, 8])
    """
    return binary("mul", "mul", input, other, out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """input / other: true division, or rounded with rounding_mode='trunc' or 'floor'.

    >>> import rustorch
    >>> rustorch.div(rustorch.tensor([7, -7]), 2, rounding_mode="trunc")
    tensor([ 3, -3])
    """
    if rounding_mode is None:
        return binary("div", "div", input, other, out, TRUEDIV)
    if rounding_mode == "trunc":
        return binary("div", "div_trunc", input, other, out)
    if rounding_mode == "floor":
        return binary("div", "floor_divide", input, other, out)
    raise ValueOutOfRangeError(f"div(): expected rounding_mode to be one of None, 'trunc', or 'floor' but found {rounding_mode!r}")


divide = true_divide = div


def floor_divide(input, other, *, out=None):
    """input // other, rounding towards minus infinity (as Python's //).

    >>> import rustorch
    >>> rustorch.floor_divide(rustorch.tensor([7, -7]), 2)
    tensor([ 3, -4])
    """
    return binary("floor_divide", "floor_divide", input, other, out)


def remainder(input, other, *, out=None):
    """Python's modulus: the result has the sign of ``other``.

    >>> import rustorch
    >>> rustorch.remainder(rustorch.tensor([-3, 3]), 2)
    tensor([1, 1])
    """
    return binary("remainder", "remainder", input, other, out)


def fmod(input, other, *, out=None):
    """C's fmod: the result has the sign of ``input``.

    >>> import rustorch
    >>> rustorch.fmod(rustorch.tensor([-3, 3]), 2)
    tensor([-1,  1])
    """
    return binary("fmod", "fmod", input, other, out)


def pow(input, exponent, *, out=None):
    """input ** exponent (either may be a number).

    >>> import rustorch
    >>> rustorch.pow(rustorch.tensor([2, 3]), 2)
    tensor([4, 9])
    """
    return binary("pow", "pow", input, exponent, out)


def maximum(input, other, *, out=None):
    """Elementwise maximum; NaN propagates.

    >>> import rustorch
    >>> rustorch.maximum(rustorch.tensor([1, 5]), rustorch.tensor([3, 2]))
    tensor([3, 5])
    """
    return binary("maximum", "maximum", input, other, out)


def minimum(input, other, *, out=None):
    """Elementwise minimum; NaN propagates.

    >>> import rustorch
    >>> rustorch.minimum(rustorch.tensor([1, 5]), rustorch.tensor([3, 2]))
    tensor([1, 2])
    """
    return binary("minimum", "minimum", input, other, out)


def fmax(input, other, *, out=None):
    """Elementwise maximum ignoring NaN.

    >>> import rustorch
    >>> rustorch.fmax(rustorch.tensor([float('nan'), 1.0]), rustorch.tensor([2.0, float('nan')]))
    tensor([2., 1.])
    """
    return binary("fmax", "fmax", input, other, out)


def fmin(input, other, *, out=None):
    """Elementwise minimum ignoring NaN.

    >>> import rustorch
    >>> rustorch.fmin(rustorch.tensor([float('nan'), 1.0]), rustorch.tensor([2.0, float('nan')]))
    tensor([2., 1.])
    """
    return binary("fmin", "fmin", input, other, out)


def atan2(input, other, *, out=None):
    """Angle of (other, input) in radians.

    >>> import rustorch
    >>> rustorch.atan2(rustorch.tensor([1.0]), rustorch.tensor([1.0]))
    tensor([0.7854])
    """
    return binary("atan2", "atan2", input, other, out, TRUEDIV)


arctan2 = atan2


def hypot(input, other, *, out=None):
    """sqrt(input**2 + other**2) without overflow.

    >>> import rustorch
    >>> rustorch.hypot(rustorch.tensor([3.0]), rustorch.tensor([4.0]))
    tensor([5.])
    """
    return binary("hypot", "hypot", input, other, out, TRUEDIV)


def copysign(input, other, *, out=None):
    """The magnitude of input with the sign of other.

    >>> import rustorch
    >>> rustorch.copysign(rustorch.tensor([2.0]), -1)
    tensor([-2.])
    """
    return binary("copysign", "copysign", input, other, out, TRUEDIV)


def logaddexp(input, other, *, out=None):
    """log(exp(input) + exp(other)), computed stably.

    >>> import rustorch
    >>> rustorch.logaddexp(rustorch.tensor([0.0]), rustorch.tensor([0.0]))
    tensor([0.6931])
    """
    return binary("logaddexp", "logaddexp", input, other, out, TRUEDIV)


def xlogy(input, other, *, out=None):
    """input * log(other), 0 where input is 0.

    >>> import rustorch
    >>> rustorch.xlogy(rustorch.tensor([0.0, 2.0]), rustorch.tensor([0.0, 1.0]))
    tensor([0., 0.])
    """
    return binary("xlogy", "xlogy", input, other, out, TRUEDIV)


def _predicate(name, op):
    def f(input, other, *, out=None):
        return binary(name, op, input, other, out, PREDICATE)

    f.__name__ = name
    f.__doc__ = f"Elementwise ``{name}`` giving a bool tensor.\n\n    >>> import rustorch\n    >>> rustorch.{name}(rustorch.tensor([1, 2]), 1).dtype\n    rustorch.bool\n    "
    return f


eq = _predicate("eq", "eq")
ne = not_equal = _predicate("ne", "ne")
lt = less = _predicate("lt", "lt")
le = less_equal = _predicate("le", "le")
gt = greater = _predicate("gt", "gt")
ge = greater_equal = _predicate("ge", "ge")
logical_and = _predicate("logical_and", "logical_and")
logical_or = _predicate("logical_or", "logical_or")
logical_xor = _predicate("logical_xor", "logical_xor")


def _bitwise(name, op):
    def f(input, other, *, out=None):
        return binary(name, op, input, other, out, BITWISE)

    f.__name__ = name
    f.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors.\n\n    >>> import rustorch\n    >>> rustorch.{name}(rustorch.tensor([12]), 4).dtype\n    rustorch.int64\n    "
    return f


bitwise_and = _bitwise("bitwise_and", "bitwise_and")
bitwise_or = _bitwise("bitwise_or", "bitwise_or")
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor")
bitwise_left_shift = _bitwise("bitwise_left_shift", "left_shift")
bitwise_right_shift = _bitwise("bitwise_right_shift", "right_shift")


# unary ----------------------------------------------------------------------------
def _unary_op(name, to_float):
    def f(input, *, out=None):
        return unary(name, name, input, out, to_float)

    f.__name__ = name
    f.__doc__ = (f"Elementwise ``{name}``.\n\n    >>> import rustorch\n"
                 f"    >>> rustorch.{name}(rustorch.tensor([0.5])).shape\n    rustorch.Size([1])\n    ")
    return f


_FLOAT_UNARY = ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos",
                "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "erf",
                "erfc", "erfinv", "lgamma", "digamma")
_SAME_UNARY = ("square", "floor", "ceil", "trunc", "frac", "sign", "relu")

for _name in _FLOAT_UNARY:
    globals()[_name] = _unary_op(_name, True)
for _name in _SAME_UNARY:
    globals()[_name] = _unary_op(_name, False)
del _name

arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh  # noqa: F821


def abs(input, *, out=None):
    """|input| (the modulus, of real dtype, for complex input).

    >>> import rustorch
    >>> rustorch.abs(rustorch.tensor([-1, 2]))
    tensor([1, 2])
    """
    return unary("abs", "abs", input, out, result_dtype=input.dtype.to_real() if isinstance(input, Tensor) else None)


absolute = abs
fix = trunc  # noqa: F821


def neg(input, *, out=None):
    """-input.

    >>> import rustorch
    >>> rustorch.neg(rustorch.tensor([1, -2]))
    tensor([-1,  2])
    """
    if isinstance(input, Tensor) and input.dtype is _dtype.bool_:
        raise DTypeError("neg(): negation, the `-` operator, on a bool tensor is not supported; use `~` or logical_not() instead")
    return unary("neg", "neg", input, out)


negative = neg


def square(input, *, out=None):
    """input * input (bool squares to int64, as in torch).

    >>> import rustorch
    >>> rustorch.square(rustorch.tensor([-3, 2]))
    tensor([9, 4])
    """
    if isinstance(input, Tensor) and input.dtype is _dtype.bool_:
        return pow(input, 2, out=out)
    return unary("square", "square", input, out)


def round(input, *, decimals=0, out=None):
    """Round half to even; with ``decimals``, to that many decimal places.

    >>> import rustorch
    >>> rustorch.round(rustorch.tensor([0.5, 1.5, 2.567]), decimals=0)
    tensor([0., 2., 3.])
    """
    if decimals == 0:
        return unary("round", "round", input, out)
    scale = 10.0 ** decimals
    return div(unary("round", "round", mul(input, scale)), scale, out=out)


def bitwise_not(input, *, out=None):
    """Bitwise NOT of an integer or bool tensor.

    >>> import rustorch
    >>> rustorch.bitwise_not(rustorch.tensor([0, -1]))
    tensor([-1,  0])
    """
    if input.dtype.is_floating_point or input.dtype.is_complex:
        raise DTypeError(f"bitwise_not(): only integer and bool tensors are supported, got {input.dtype}")
    return unary("bitwise_not", "bitwise_not", input, out)


def logical_not(input, *, out=None):
    """True where input is zero.

    >>> import rustorch
    >>> rustorch.logical_not(rustorch.tensor([0, 2]))
    tensor([ True, False])
    """
    return unary("logical_not", "logical_not", input, out, result_dtype=_dtype.bool_ if out is None else out.dtype)


def isnan(input):
    """True where input is NaN.

    >>> import rustorch
    >>> rustorch.isnan(rustorch.tensor([1.0, float('nan')]))
    tensor([False,  True])
    """
    return unary("isnan", "isnan", input, result_dtype=_dtype.bool_)


def isinf(input):
    """True where input is +inf or -inf.

    >>> import rustorch
    >>> rustorch.isinf(rustorch.tensor([1.0, -float('inf')]))
    tensor([False,  True])
    """
    return unary("isinf", "isinf", input, result_dtype=_dtype.bool_)


def isfinite(input):
    """True where input is neither NaN nor infinite.

    >>> import rustorch
    >>> rustorch.isfinite(rustorch.tensor([1.0, float('inf')]))
    tensor([ True, False])
    """
    return unary("isfinite", "isfinite", input, result_dtype=_dtype.bool_)


def isposinf(input):
    """True where input is +inf.

    >>> import rustorch
    >>> rustorch.isposinf(rustorch.tensor([float('inf'), -float('inf')]))
    tensor([ True, False])
    """
    return logical_and(isinf(input), gt(input, 0))


def isneginf(input):
    """True where input is -inf.

    >>> import rustorch
    >>> rustorch.isneginf(rustorch.tensor([float('inf'), -float('inf')]))
    tensor([False,  True])
    """
    return logical_and(isinf(input), lt(input, 0))


def signbit(input):
    """True where the sign bit is set (also for -0.0).

    >>> import rustorch
    >>> rustorch.signbit(rustorch.tensor([-0.0, 1.0]))
    tensor([ True, False])
    """
    return unary("signbit", "signbit", input, result_dtype=_dtype.bool_)


def isreal(input):
    """True where the imaginary part is zero (everywhere for real tensors).

    >>> import rustorch
    >>> rustorch.isreal(rustorch.tensor([1 + 0j, 1j]))
    tensor([ True, False])
    """
    if not input.dtype.is_complex:
        return ones_like_bool(input)
    return eq(imag_part(input), 0)


def ones_like_bool(input):
    from .creation import ones_like

    return ones_like(input, dtype=_dtype.bool_)


def imag_part(input):
    return _complex_part(input, "imag")


def _complex_part(input, part):
    """The real or imaginary part of a complex tensor, as a copy (torch's are views) with its gradient."""
    from .creation import tensor_from_array

    values = input._array().real if part == "real" else input._array().imag
    result = tensor_from_array(values.copy(), input.device)
    if STATE.enabled and input.requires_grad:
        record("RealBackward0" if part == "real" else "ImagBackward0", _complex_part_backward, (input,), result,
               (input.dtype, part))
    return result


def _complex_part_backward(node, grad, dtype, part):
    grad = grad.to(dtype)
    return grad if part == "real" else mul(grad, 1j)


def real(input):
    """The real part (a copy; a real tensor is returned as is).

    >>> import rustorch
    >>> rustorch.real(rustorch.tensor([1 + 2j]))
    tensor([1.])
    """
    if not input.dtype.is_complex:
        return input
    return _complex_part(input, "real")


def imag(input):
    """The imaginary part of a complex tensor.

    >>> import rustorch
    >>> rustorch.imag(rustorch.tensor([1 + 2j]))
    tensor([2.])
    """
    if not input.dtype.is_complex:
        raise DTypeError("imag(): imag is not implemented for tensors with non-complex dtypes")
    return imag_part(input)


def conj(input):
    """The complex conjugate (a real tensor is returned as is).

    >>> import rustorch
    >>> rustorch.conj(rustorch.tensor([1 + 2j]))
    tensor([1.-2.j])
    """
    return input if not input.dtype.is_complex else unary("conj", "conj", input)


def angle(input, *, out=None):
    """The argument of complex numbers; pi for negative reals, 0 otherwise.

    >>> import rustorch
    >>> rustorch.angle(rustorch.tensor([-1.0, 2.0]))
    tensor([3.1416, 0.0000])
    """
    return unary("angle", "angle", input, out, to_float=True,
                 result_dtype=input.dtype.to_real() if input.dtype.is_complex else None)


def float_power(input, exponent, *, out=None):
    """input ** exponent computed in float64 (complex128 for complex inputs).

    >>> import rustorch
    >>> rustorch.float_power(rustorch.tensor([2]), 3)
    tensor([8.], dtype=rustorch.float64)
    """
    d = _dtype.complex128 if any(getattr(v, "dtype", _dtype.float64).is_complex or isinstance(v, complex)
                                  for v in (input, exponent)) else _dtype.float64
    a = input.to(d) if isinstance(input, Tensor) else input
    b = exponent.to(d) if isinstance(exponent, Tensor) else exponent
    return binary("float_power", "pow", a, b, out)


def positive(input):
    """input itself (the unary + operator).

    >>> import rustorch
    >>> rustorch.positive(rustorch.tensor([-1]))
    tensor([-1])
    """
    if input.dtype is _dtype.bool_:
        raise DTypeError("positive(): the `+` operator on a bool tensor is not supported")
    return input


def clamp(input, min=None, max=None, *, out=None):
    """Limit values to [min, max] (either may be None or a tensor); NaN stays NaN.

    >>> import rustorch
    >>> rustorch.clamp(rustorch.tensor([-2.0, 0.5, 3.0]), min=-1, max=1)
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min is None and max is None:
        raise ValueOutOfRangeError("clamp(): at least one of 'min' or 'max' must not be None")
    recording = needs_grad(input, min, max) if out is None else check_inplace("clamp", out, (input, min, max))
    if not recording:
        return _clamp(input, min, max, out)
    before = input.clone() if out is input else input
    with no_grad():
        result = _clamp(input, min, max, out)
    record("ClampBackward1", _clamp_backward, (input, min, max), result, (before, min, max))
    return result


def _clamp(input, min, max, out):
    if min is None:
        return minimum(input, max, out=out)
    if max is None:
        return maximum(input, min, out=out)
    result_shape = broadcast_shapes("clamp", input._shape, getattr(min, "_shape", ()), getattr(max, "_shape", ()))
    if out is input and result_shape != input._shape:
        raise ValueOutOfRangeError(f"clamp_(): output with shape {list(input._shape)} doesn't match the broadcast shape {list(result_shape)}")
    # torch promotes over all three operands; clamping to max last makes min > max give max
    d = _dtype.result_type(input, min, max)
    low = maximum(input.to(d) if input.dtype is not d else input, min)
    return minimum(low, max, out=out)


def _clamp_backward(node, grad, x, low, high):
    # the gradient goes to whichever operand the result is: x on ties, high when low > high (torch's rule)
    from .indexing import where

    inside = None
    if low is not None:
        inside = ge(x, low)
    if high is not None:
        inside = le(x, high) if inside is None else logical_and(inside, le(x, high))
    grad_x = where(inside, grad, 0) if node.needs_input_grad[0] else None
    grad_low = grad_high = None
    if node.needs_input_grad[1]:
        below = lt(x, low) if high is None else logical_and(lt(x, low), le(low, high))
        grad_low = where(below, grad, 0)
    if node.needs_input_grad[2]:
        above = gt(x, high) if low is None else logical_or(gt(x, high), gt(low, high))
        grad_high = where(above, grad, 0)
    return grad_x, grad_low, grad_high


clip = clamp


def clamp_min(input, min, *, out=None):
    """max(input, min) elementwise.

    >>> import rustorch
    >>> rustorch.clamp_min(rustorch.tensor([-1, 3]), 0)
    tensor([0, 3])
    """
    return clamp(input, min=min, out=out)


def clamp_max(input, max, *, out=None):
    """min(input, max) elementwise.

    >>> import rustorch
    >>> rustorch.clamp_max(rustorch.tensor([-1, 3]), 0)
    tensor([-1,  0])
    """
    return clamp(input, max=max, out=out)


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input).

    >>> import rustorch
    >>> rustorch.lerp(rustorch.zeros(2), rustorch.ones(2) * 10, 0.25)
    tensor([2.5000, 2.5000])
    """
    return add(input, mul(weight, sub(end, input)) if isinstance(weight, Tensor) else mul(sub(end, input), weight), out=out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2.

    >>> import rustorch
    >>> rustorch.addcmul(rustorch.ones(2), rustorch.tensor([2.0, 3.0]), rustorch.tensor([4.0, 5.0]), value=0.5)
    tensor([5.0000, 8.5000])
    """
    prod = mul(tensor1, tensor2)
    return add(input, prod if value == 1 else mul(prod, value), out=out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2 (integer tensor1 and tensor2 are not allowed, as in torch).

    >>> import rustorch
    >>> rustorch.addcdiv(rustorch.ones(2), rustorch.tensor([2.0, 3.0]), rustorch.tensor([4.0, 6.0]))
    tensor([1.5000, 1.5000])
    """
    if not (tensor1.dtype.is_floating_point or tensor1.dtype.is_complex or tensor2.dtype.is_floating_point or tensor2.dtype.is_complex):
        raise DTypeError("addcdiv(): integer division with addcdiv is no longer supported; use addcmul(input, tensor1, 1 / tensor2) instead")
    q = div(tensor1, tensor2)
    return add(input, q if value == 1 else mul(q, value), out=out)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN, +inf and -inf by finite numbers (the dtype's max and min by default).

    >>> import rustorch
    >>> rustorch.nan_to_num(rustorch.tensor([float('nan'), 1.0]))
    tensor([0., 1.])
    """
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        return input.clone() if out is None else out.copy_(input)
    info = _dtype.finfo(input.dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    from .indexing import where

    r = where(isnan(input), nan, input)
    r = where(isposinf(r), posinf, r)
    r = where(isneginf(r), neginf, r)
    if r.dtype is not input.dtype:
        r = r.to(input.dtype)
    return r if out is None else out.copy_(r)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise (inf equal to inf of the same sign).

    >>> import rustorch
    >>> rustorch.isclose(rustorch.tensor([1.0, 2.0]), rustorch.tensor([1.0 + 1e-9, 2.1]))
    tensor([ True, False])
    """
    if input.dtype is not other.dtype:
        raise DTypeError(f"isclose(): {input.dtype} did not match {other.dtype}")
    close = le(abs(sub(input, other)), add(mul(abs(other), rtol), atol))  # noqa: F821
    close = logical_or(close, eq(input, other))
    if equal_nan:
        close = logical_or(close, logical_and(isnan(input), isnan(other)))
    return close


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every element of input is close to other (see isclose).

    >>> import rustorch
    >>> rustorch.allclose(rustorch.tensor([1.0]), rustorch.tensor([1.0 + 1e-7]))
    True
    """
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other):
    """True when the tensors have the same shape and elements.

    >>> import rustorch
    >>> rustorch.equal(rustorch.tensor([1, 2]), rustorch.tensor([1, 2]))
    True
    """
    return input._shape == other._shape and bool(eq(input, other).all())


_BINARY_NAMES = ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
                 "remainder", "fmod", "pow", "float_power", "maximum", "minimum", "fmax", "fmin", "atan2", "arctan2",
                 "hypot", "copysign", "logaddexp", "xlogy", "eq", "ne", "not_equal", "lt", "less", "le", "less_equal",
                 "gt", "greater", "ge", "greater_equal", "logical_and", "logical_or", "logical_xor", "bitwise_and",
                 "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift")
_UNARY_NAMES = _FLOAT_UNARY + _SAME_UNARY + ("abs", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "absolute",
                                             "fix", "neg", "negative", "round", "bitwise_not", "logical_not")
_OTHER_NAMES = ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "isreal", "real", "imag", "conj",
                "angle", "positive", "clamp", "clip", "clamp_min", "clamp_max", "lerp", "addcmul", "addcdiv",
                "nan_to_num", "isclose", "allclose", "equal", "rsub")

__all__ = list(_BINARY_NAMES + _UNARY_NAMES + _OTHER_NAMES)
TENSOR_METHODS = [n for n in __all__ if n not in ("real", "imag")]
INPLACE_METHODS = [n for n in _BINARY_NAMES + _UNARY_NAMES + ("clamp", "clip", "clamp_min", "clamp_max", "lerp",
                                                              "addcmul", "addcdiv", "nan_to_num")
                   if n not in ("eq", "ne", "not_equal", "lt", "less", "le", "less_equal", "gt", "greater", "ge",
                                "greater_equal")] + ["eq", "ne", "lt", "le", "gt", "ge"]
