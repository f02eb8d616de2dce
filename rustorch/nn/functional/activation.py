"""rustorch.nn.functional: the activation family.

Pointwise activations whose gradient torch defines piecewise (leaky_relu,
elu, gelu, hardswish, ...) compute their forward without a graph and record
one node whose formula is torch's, written with tensor ops so that double
backward works; the others are composed from differentiable ops. softmax and
log_softmax subtract the row maximum and have their own backward nodes; both
directions run in the backend's fused kernel where it has one (the CPU's,
float32/float64), else composed from reductions and elementwise ops.

>>> import rustorch
>>> import rustorch.nn.functional as F
>>> F.relu(rustorch.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""
import math
import warnings

from ...autograd.grad_mode import STATE, no_grad
from ...autograd.graph import check_inplace, record
from ...errors import DTypeError, ShapeError, ValueOutOfRangeError
from ...ops._common import check_tensor, empty_tensor, wrap_dim
from ...ops.creation import empty_like, zeros_like
from ...ops.elementwise import (
    abs, add, clamp, clamp_max, div, erf, exp, expm1, gt, le, log, log1p, logical_and, logical_or, lt, mul, neg, sub,
)
from ...ops.elementwise import relu as _relu, sigmoid as _sigmoid, tanh as _tanh
from ...ops.indexing import where
from ...ops.reduction import amax, sum

sigmoid = _sigmoid
tanh = _tanh


# one node per pointwise activation -------------------------------------------------------------
def _check_floating(op, x):
    check_tensor(op, x)
    if not x.dtype.is_floating_point:
        raise DTypeError(f"{op}(): expected a floating point tensor, got {x.dtype}")


def _pointwise(op, node_name, input, inplace, forward, backward):
    """``forward(input)`` computed without a graph (written into ``input`` when ``inplace``), recorded as one node
    whose input gradient is ``backward(x, grad)``: torch's formula, including its choice at the kinks."""
    if inplace:
        recording = check_inplace(op, input, (input,))
        before = input.clone() if recording else None  # the formula needs the value the write destroys
        with no_grad():
            input.copy_(forward(input))
        if recording:
            record(node_name, _pointwise_backward, (input,), input, (backward, before))
        return input
    if STATE.enabled and input.requires_grad:
        with no_grad():
            result = forward(input)
        record(node_name, _pointwise_backward, (input,), result, (backward, input))
        return result
    return forward(input)


def _pointwise_backward(node, grad, backward, x):
    return backward(x, grad)


# ReLU family -----------------------------------------------------------------------------------
def relu(input, inplace=False):
    """max(0, x) elementwise.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.relu(rustorch.tensor([-1.0, 0.5]))
    tensor([0.0000, 0.5000])
    """
    return input.relu_() if inplace else _relu(input)


def relu_(input):
    """In-place :func:`relu`.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.relu_(rustorch.tensor([-1.0, 0.5]))
    tensor([0.0000, 0.5000])
    """
    return relu(input, inplace=True)


def threshold(input, threshold, value, inplace=False):
    """``value`` where x <= threshold, else x.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.threshold(rustorch.tensor([0.5, 2.0]), 1.0, -1.0)
    tensor([-1.,  2.])
    """
    return _threshold(input, threshold, value, inplace)


def threshold_(input, threshold, value):
    """In-place :func:`threshold`.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.threshold_(rustorch.tensor([0.5, 2.0]), 1.0, 0.0)
    tensor([0., 2.])
    """
    return _threshold(input, threshold, value, True)


def _threshold(input, limit, value, inplace):
    check_tensor("threshold", input)
    return _pointwise("threshold", "ThresholdBackward0", input, inplace,
                      lambda x: where(le(x, limit), value, x),
                      lambda x, g: where(le(x, limit), 0, g))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clamped to [min_val, max_val]; no gradient at or beyond the bounds (torch's rule).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.hardtanh(rustorch.tensor([-2.0, 0.5, 3.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    check_tensor("hardtanh", input)
    if min_val > max_val:
        raise ValueOutOfRangeError(f"hardtanh(): min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return _pointwise("hardtanh", "HardtanhBackward0", input, inplace,
                      lambda x: clamp(x, min_val, max_val),
                      lambda x, g: where(logical_or(le(x, min_val), le(max_val, x)), 0, g))


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place :func:`hardtanh`.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.hardtanh_(rustorch.tensor([-2.0, 0.5]))
    tensor([-1.0000,  0.5000])
    """
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(0, x), 6), as torch's hardtanh(x, 0, 6).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.relu6(rustorch.tensor([-1.0, 3.0, 9.0]))
    tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope * x.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.leaky_relu(rustorch.tensor([-2.0, 3.0]), 0.5)
    tensor([-1.,  3.])
    """
    _check_floating("leaky_relu", input)
    return _pointwise("leaky_relu", "LeakyReluBackward0", input, inplace,
                      lambda x: where(gt(x, 0), x, mul(x, negative_slope)),
                      lambda x, g: where(gt(x, 0), g, mul(g, negative_slope)))


def leaky_relu_(input, negative_slope=0.01):
    """In-place :func:`leaky_relu`.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.leaky_relu_(rustorch.tensor([-2.0, 3.0]), 0.5)
    tensor([-1.,  3.])
    """
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input, weight):
    """leaky_relu with a learnt slope: one for every channel (dim 1), or one shared.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.prelu(rustorch.tensor([[-2.0, -2.0]]), rustorch.tensor([0.5, 0.25]))
    tensor([[-1.0000, -0.5000]])
    """
    _check_floating("prelu", input)
    if weight.ndim > 1:
        raise ShapeError(f"prelu(): weight must be 0-D or 1-D, got shape {list(weight.shape)}")
    n = weight.numel()
    if n != 1:
        channels = input.shape[1] if input.ndim > 1 else 1
        if channels != n:
            raise ShapeError(f"prelu(): mismatch of parameter numbers and input channel size: weight of shape "
                             f"{list(weight.shape)} has {n} parameters, input of shape {list(input.shape)} has "
                             f"{channels} channels (dim 1)")
        weight = weight.reshape((n,) + (1,) * (input.ndim - 2))
    elif input.ndim > 0:
        weight = weight.reshape(())
    return where(gt(input, 0), input, mul(weight, input))


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomised leaky ReLU: in training each negative x gets a slope drawn from U(lower, upper); in eval the
    slope is (lower + upper) / 2.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.rrelu(rustorch.tensor([-3.0, 1.0]), 0.1, 0.3)
    tensor([-0.6000,  1.0000])
    """
    _check_floating("rrelu", input)
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    with no_grad():
        noise = where(le(input, 0), empty_like(input).uniform_(lower, upper), 1.0)
    return input.mul_(noise) if inplace else mul(input, noise)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place :func:`rrelu`.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.rrelu_(rustorch.tensor([-3.0, 1.0]), 0.1, 0.3)
    tensor([-0.6000,  1.0000])
    """
    return rrelu(input, lower, upper, training, inplace=True)


# exponential units -----------------------------------------------------------------------------
def _elu(op, node_name, input, alpha, scale, input_scale, inplace):
    # torch's elu with its scale (SELU) and input_scale (CELU); the gradient is that of the input formula
    _check_floating(op, input)

    def forward(x):
        negative = mul(expm1(mul(clamp_max(x, 0), input_scale)), alpha * scale)
        return where(gt(x, 0), mul(x, scale), negative)

    def backward(x, g):
        return where(le(x, 0), mul(g, mul(exp(mul(x, input_scale)), input_scale * alpha * scale)), mul(g, scale))

    return _pointwise(op, node_name, input, inplace, forward, backward)


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x) - 1).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.elu(rustorch.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return _elu("elu", "EluBackward0", input, alpha, 1.0, 1.0, inplace)


def elu_(input, alpha=1.0):
    """In-place :func:`elu`.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.elu_(rustorch.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return elu(input, alpha, inplace=True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.selu(rustorch.tensor([-1.0, 1.0]))
    tensor([-1.1113,  1.0507])
    """
    return _elu("selu", "EluBackward0", input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace)


def selu_(input):
    """In-place :func:`selu`.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.selu_(rustorch.tensor([1.0]))
    tensor([1.0507])
    """
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """x where x > 0, else alpha * (exp(x / alpha) - 1).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.celu(rustorch.tensor([-1.0, 1.0]), alpha=2.0)
    tensor([-0.7869,  1.0000])
    """
    if alpha == 0:
        raise ValueOutOfRangeError("celu(): ZeroDivisionError: alpha must not be 0")
    return _elu("celu", "CeluBackward0", input, alpha, 1.0, 1.0 / alpha, inplace)


def celu_(input, alpha=1.0):
    """In-place :func:`celu`.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.celu_(rustorch.tensor([1.0]))
    tensor([1.])
    """
    return celu(input, alpha, inplace=True)


# smooth gates -----------------------------------------------------------------------------------
_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TANH_BETA = math.sqrt(2 / math.pi)
_TANH_KAPPA = 0.044715


def _gelu_forward(x):
    return mul(mul(x, 0.5), add(erf(mul(x, _SQRT1_2)), 1))


def _gelu_backward(x, g):
    cdf = mul(add(erf(mul(x, _SQRT1_2)), 1), 0.5)
    pdf = mul(exp(mul(mul(x, x), -0.5)), _INV_SQRT_2PI)
    return mul(g, add(cdf, mul(x, pdf)))


def _gelu_tanh_forward(x):
    inner = mul(add(x, mul(mul(mul(x, x), x), _TANH_KAPPA)), _TANH_BETA)
    return mul(mul(x, 0.5), add(_tanh(inner), 1))


def _gelu_tanh_backward(x, g):
    x_sq = mul(x, x)
    t = _tanh(mul(add(x, mul(mul(x_sq, x), _TANH_KAPPA)), _TANH_BETA))
    left = mul(add(t, 1), 0.5)
    right = mul(mul(mul(x, 0.5), sub(1, mul(t, t))), mul(add(mul(x_sq, 3 * _TANH_KAPPA), 1), _TANH_BETA))
    return mul(g, add(left, right))


def gelu(input, approximate="none"):
    """x * Phi(x), Phi the standard normal CDF; approximate='tanh' uses torch's tanh approximation.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.gelu(rustorch.tensor([-1.0, 1.0]))
    tensor([-0.1587,  0.8413])
    """
    _check_floating("gelu", input)
    if approximate == "none":
        return _pointwise("gelu", "GeluBackward0", input, False, _gelu_forward, _gelu_backward)
    if approximate == "tanh":
        return _pointwise("gelu", "GeluBackward0", input, False, _gelu_tanh_forward, _gelu_tanh_backward)
    raise ValueOutOfRangeError(f"gelu(): approximate argument must be either none or tanh, got {approximate!r}")


def _silu_backward(x, g):
    s = _sigmoid(x)
    return mul(g, mul(s, add(mul(x, sub(1, s)), 1)))


def silu(input, inplace=False):
    """x * sigmoid(x).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.silu(rustorch.tensor([1.0]))
    tensor([0.7311])
    """
    _check_floating("silu", input)
    return _pointwise("silu", "SiluBackward0", input, inplace, lambda x: mul(x, _sigmoid(x)), _silu_backward)


def _softplus_stable(x):
    # log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|))
    return add(clamp(x, min=0), log1p(exp(neg(abs(x)))))


def _mish_backward(x, g):
    t = _tanh(_softplus_stable(x))
    return mul(g, add(t, mul(mul(x, _sigmoid(x)), sub(1, mul(t, t)))))


def mish(input, inplace=False):
    """x * tanh(softplus(x)).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.mish(rustorch.tensor([1.0]))
    tensor([0.8651])
    """
    _check_floating("mish", input)
    return _pointwise("mish", "MishBackward0", input, inplace, lambda x: mul(x, _tanh(_softplus_stable(x))),
                      _mish_backward)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, and x itself where beta * x > threshold.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.softplus(rustorch.tensor([0.0, 30.0]))
    tensor([ 0.6931, 30.0000])
    """
    _check_floating("softplus", input)

    def forward(x):
        bx = mul(x, beta)
        # exp of the clamped value: the branch where() drops must not overflow
        return where(gt(bx, threshold), x, div(log1p(exp(clamp_max(bx, threshold))), beta))

    def backward(x, g):
        bx = mul(x, beta)
        return where(gt(bx, threshold), g, mul(g, _sigmoid(bx)))

    return _pointwise("softplus", "SoftplusBackward0", input, False, forward, backward)


def logsigmoid(input):
    """log(sigmoid(x)), computed as min(x, 0) - log1p(exp(-|x|)).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.logsigmoid(rustorch.tensor([0.0, -200.0]))
    tensor([  -0.6931, -200.0000])
    """
    _check_floating("logsigmoid", input)
    return _pointwise("logsigmoid", "LogSigmoidBackward0", input, False,
                      lambda x: sub(clamp_max(x, 0), log1p(exp(neg(abs(x))))),
                      lambda x, g: mul(g, _sigmoid(neg(x))))


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.hardsigmoid(rustorch.tensor([-4.0, 0.0, 4.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    _check_floating("hardsigmoid", input)
    return _pointwise("hardsigmoid", "HardsigmoidBackward0", input, inplace,
                      lambda x: div(clamp(add(x, 3), 0, 6), 6),
                      lambda x, g: where(logical_and(gt(x, -3), lt(x, 3)), div(g, 6), 0))


def _hardswish_backward(x, g):
    # torch's: 0 up to -3, g * (x / 3 + 0.5) strictly between -3 and 3, g from 3 on
    return where(le(x, -3), 0, where(lt(x, 3), mul(g, add(div(x, 3), 0.5)), g))


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.hardswish(rustorch.tensor([-4.0, 1.0, 4.0]))
    tensor([-0.0000,  0.6667,  4.0000])
    """
    _check_floating("hardswish", input)
    return _pointwise("hardswish", "HardswishBackward0", input, inplace,
                      lambda x: div(mul(x, clamp(add(x, 3), 0, 6)), 6), _hardswish_backward)


# shrinkage -------------------------------------------------------------------------------------
def _check_lambd(op, lambd):
    if lambd < 0:
        raise ValueOutOfRangeError(f"{op}(): lambda must be greater or equal to 0, but found to be {lambd}")


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.softshrink(rustorch.tensor([-2.0, 0.2, 2.0]))
    tensor([-1.5000,  0.0000,  1.5000])
    """
    _check_floating("softshrink", input)
    _check_lambd("softshrink", lambd)
    return _pointwise("softshrink", "SoftshrinkBackward0", input, False,
                      lambda x: where(gt(x, lambd), sub(x, lambd), where(lt(x, -lambd), add(x, lambd), 0)),
                      lambda x, g: where(logical_and(le(-lambd, x), le(x, lambd)), 0, g))


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.hardshrink(rustorch.tensor([-2.0, 0.2, 2.0]))
    tensor([-2.,  0.,  2.])
    """
    _check_floating("hardshrink", input)
    _check_lambd("hardshrink", lambd)
    inside = lambda x: logical_and(le(-lambd, x), le(x, lambd))  # noqa: E731
    return _pointwise("hardshrink", "HardshrinkBackward0", input, False,
                      lambda x: where(inside(x), 0, x), lambda x, g: where(inside(x), 0, g))


def tanhshrink(input):
    """x - tanh(x).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.tanhshrink(rustorch.tensor([1.0]))
    tensor([0.2384])
    """
    return sub(input, _tanh(input))


def softsign(input):
    """x / (1 + |x|).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.softsign(rustorch.tensor([-3.0, 1.0]))
    tensor([-0.7500,  0.5000])
    """
    return div(input, add(abs(input), 1))


def glu(input, dim=-1):
    """a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.glu(rustorch.tensor([2.0, 0.0]))
    tensor([1.])
    """
    check_tensor("glu", input)
    if input.ndim == 0:
        raise ShapeError("glu(): glu does not support scalars because halving size must be even")
    d = wrap_dim("glu", dim, input.ndim)
    if input.shape[d] % 2:
        raise ShapeError(f"glu(): halving dimension must be even, but dimension {d} of the input of shape "
                         f"{list(input.shape)} is size {input.shape[d]}")
    a, b = input.chunk(2, d)
    return mul(a, _sigmoid(b))


# softmax family ---------------------------------------------------------------------------------
def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax(op, input, dim, dtype, log_space):
    check_tensor(op, input)
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point:
        raise DTypeError(f"{op}(): expected a floating point tensor, got {input.dtype}; pass dtype= to cast it")
    d = wrap_dim(op, dim, input.ndim)
    with no_grad():
        x = input.reshape(1) if input.ndim == 0 else input
        result = _fused_softmax(x, d, log_space)
        if result is None:
            # subtracting the maximum keeps exp() from overflowing
            shifted = sub(x, amax(x, d, keepdim=True)) if x.numel() else x
            if log_space:
                result = sub(shifted, log(sum(exp(shifted), d, keepdim=True)))
            else:
                e = exp(shifted)
                result = div(e, sum(e, d, keepdim=True))
        if input.ndim == 0:
            result = result.reshape(())
    if STATE.enabled and input.requires_grad:
        if log_space:
            record("LogSoftmaxBackward0", _log_softmax_backward, (input,), result, (result, d))
        else:
            record("SoftmaxBackward0", _softmax_backward, (input,), result, (result, d))
    return result


def _fused_softmax(y, d, log_space, grad=None):
    """The backend's fused softmax (its input gradient for ``grad``, when given, from the result ``y``), or None
    where the backend has no kernel for it."""
    if y.ndim == 0 or grad is not None and (grad.dtype is not y.dtype or grad.device != y.device):
        return None
    y = y.contiguous()
    out = empty_tensor(y._shape, y.dtype, y.device)
    try:
        if grad is None:
            y._storage.backend.softmax(y, d, log_space, out)
        else:
            y._storage.backend.softmax_backward(grad.contiguous(), y, d, log_space, out)
    except NotImplementedError:
        return None
    return out


def _softmax_backward(node, grad, y, d):
    # the fused kernel unless the formula itself must be recorded (create_graph)
    fused = None if STATE.enabled else _fused_softmax(y, d, False, grad)
    return fused if fused is not None else mul(y, sub(grad, sum(mul(grad, y), d, keepdim=True)))


def _log_softmax_backward(node, grad, y, d):
    fused = None if STATE.enabled else _fused_softmax(y, d, True, grad)
    return fused if fused is not None else sub(grad, mul(exp(y), sum(grad, d, keepdim=True)))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``, computed stably; ``dtype`` casts the input first.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.softmax(rustorch.tensor([1.0, 1.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return _softmax("softmax", input, dim, dtype, False)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along ``dim``, computed stably; ``dtype`` casts the input first.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.log_softmax(rustorch.tensor([1.0, 1.0]), dim=0)
    tensor([-0.6931, -0.6931])
    """
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _softmax("log_softmax", input, dim, dtype, True)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.softmin(rustorch.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    check_tensor("softmin", input)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax("softmin", neg(input), dim, None, False)


def _softmax_function(name, log_space):
    def f(input, dim, dtype=None):
        return _softmax(name, input, dim, dtype, log_space)

    f.__name__ = name
    f.__doc__ = (f"``rustorch.{name}(input, dim, dtype=None)`` and ``Tensor.{name}``: :func:`{name}` with a required "
                 f"``dim``.\n\n    >>> import rustorch\n    >>> rustorch.tensor([0.0, 0.0]).{name}(0).shape\n"
                 f"    rustorch.Size([2])\n    ")
    return f


# torch.softmax / Tensor.softmax and the log form: (input, dim, dtype), without F's implicit dim and _stacklevel;
# rustorch/__init__.py exports them and attaches them to Tensor
TORCH_FUNCTIONS = {"softmax": _softmax_function("softmax", False),
                   "log_softmax": _softmax_function("log_softmax", True)}


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + Gumbel noise) / tau) along ``dim``; ``hard`` gives one-hot samples whose gradient is the
    soft sample's (straight-through). ``eps`` is unused, as in torch.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.gumbel_softmax(rustorch.zeros(2, 3), hard=True).sum(-1)
    tensor([1., 1.])
    """
    check_tensor("gumbel_softmax", logits)
    with no_grad():
        gumbels = neg(log(empty_like(logits).exponential_()))
    y_soft = softmax(div(add(logits, gumbels), tau), dim)
    if not hard:
        return y_soft
    with no_grad():
        index = y_soft.argmax(dim, keepdim=True)
        y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return add(sub(y_hard, y_soft.detach()), y_soft)


__all__ = [
    "relu", "relu_", "threshold", "threshold_", "hardtanh", "hardtanh_", "relu6", "leaky_relu", "leaky_relu_", "prelu",
    "rrelu", "rrelu_", "elu", "elu_", "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "softplus",
    "logsigmoid", "hardsigmoid", "hardswish", "softshrink", "hardshrink", "tanhshrink", "softsign", "sigmoid", "tanh",
    "glu", "softmax", "log_softmax", "softmin", "gumbel_softmax",
]
