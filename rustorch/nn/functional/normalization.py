"""rustorch.nn.functional: normalization (batch, instance, layer, group, RMS, local response) and normalize.

batch_norm and layer_norm are the hot ones. Each records one node with the
closed-form gradients for input, weight and bias (torch's
``NativeBatchNormBackward0`` / ``NativeLayerNormBackward0``). batch_norm runs
as a few per-channel reductions and broadcast elementwise ops; layer_norm runs
on the backend's fused row kernel (``Backend.layer_norm``), composed from ops
where a backend has none. The composed formulas are written with tensor ops,
so double backward works: under ``create_graph`` they recompute the
statistics from the saved input, differentiably. The other norms are composed
from ops and from these two (group_norm is a layer norm of each group's rows).

>>> import rustorch
>>> import rustorch.nn.functional as F
>>> F.layer_norm(rustorch.tensor([[1.0, 3.0]]), (2,))
tensor([[-1.0000,  1.0000]])
"""
import math

from ... import _dtype
from ...autograd.grad_mode import STATE, no_grad
from ...autograd.graph import record
from ...errors import InvalidArgumentError, ShapeError
from ...ops.creation import zeros
from ...ops.elementwise import add, clamp_min, div, mul, pow, rsqrt, sub
from ...ops.reduction import mean as _mean
from ...ops.reduction import norm as _norm
from ...ops.reduction import sum as _sum
from ...ops.shape import cat
from ...ops.views import expand_as, narrow, reshape
from ...tensor import _make, contiguous_strides, empty_tensor


def _size(t):
    return list(t.shape)


def _alias(t, shape):
    """``t`` (contiguous) seen in ``shape`` as a tensor of its own, not a view and not recorded: for an op's
    output (which must not be a view: an in-place change of it would go to the untracked base) and for the
    operands of a kernel (cheaper than reshape)."""
    t = t.contiguous()
    shape = tuple(shape)
    return _make(t._storage, shape, contiguous_strides(shape), t._offset, t.dtype)


# batch norm ----------------------------------------------------------------------------------
def _sum_nl(t):
    """The per-channel totals (C,) of a (N, C, L) tensor: two reductions over contiguous dims, which take the
    backend's fast path (one reduction over the split dims (0, 2) does not)."""
    return _sum(_sum(t, 2), 0)


def _batch_stats(x3):
    """Mean (C,), centred input (N, C, L) and biased variance (C,) of ``x3`` per channel."""
    n = max(x3.shape[0] * x3.shape[2], 1)  # an empty batch: zero statistics rather than NaN, as torch
    mean = div(_sum_nl(x3), n)
    xc = sub(x3, mean.view(-1, 1))
    return mean, xc, div(_sum_nl(mul(xc, xc)), n)


def _check_channels(op, name, t, channels, input):
    if t is not None and t.numel() != channels:
        raise ShapeError(f"{op}(): {name} should contain {channels} elements (the channels, dim 1 of the input of shape "
                         f"{_size(input)}), not {t.numel()}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) by the batch's statistics (training) or by the running ones.

    In training, ``running_mean`` and ``running_var`` (when given) are updated in place with ``momentum``, the
    variance stored unbiased, as torch does.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> x = rustorch.tensor([[1.0, 10.0], [3.0, 30.0]])
    >>> F.batch_norm(x, None, None, training=True)
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]])
    """
    if input.ndim < 2:
        raise ShapeError(f"batch_norm(): expected an input of shape (N, C, *) with at least 2 dims, "
                         f"got shape {_size(input)}")
    shape = input.shape
    channels = shape[1]
    per_channel = input.numel() // channels if channels else 0
    if training and per_channel == 1:
        raise InvalidArgumentError(f"Expected more than 1 value per channel when training, got input size {shape}")
    if training and eps <= 0.0:
        raise InvalidArgumentError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise InvalidArgumentError(f"batch_norm eps must be non-negative, but got {eps}")
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean), ("running_var", running_var)):
        _check_channels("batch_norm", name, t, channels, input)
    if not training and (running_mean is None or running_var is None):
        raise InvalidArgumentError("batch_norm(): running_mean and running_var must be given when training=False")
    dims3 = (shape[0], channels, math.prod(shape[2:]))
    with no_grad():
        x3 = _alias(input, dims3)
        if training:
            mean, xc, var = _batch_stats(x3)
            invstd = rsqrt(add(var, eps))
            if running_mean is not None and per_channel:
                n = per_channel
                running_mean.mul_(1 - momentum).add_(mean, alpha=momentum)
                running_var.mul_(1 - momentum).add_(var, alpha=momentum * n / max(n - 1, 1))
            scale = invstd if weight is None else mul(weight, invstd)
            out = mul(xc, scale.view(-1, 1))
            if bias is not None:
                out.add_(reshape(bias, (-1, 1)))
        else:
            # eval: one affine map per channel, x * scale + shift
            mean = running_mean.clone()
            invstd = rsqrt(add(running_var, eps))
            scale = invstd if weight is None else mul(weight, invstd)
            shift = mul(mean, scale).neg_()
            if bias is not None:
                shift.add_(bias)
            out = add(mul(x3, scale.view(-1, 1)), shift.view(-1, 1))
    out = _alias(out, shape)
    if STATE.enabled and (input.requires_grad or weight is not None and weight.requires_grad
                          or bias is not None and bias.requires_grad):
        record("NativeBatchNormBackward0", _batch_norm_backward, (input, weight, bias), out,
               (input, weight, mean, invstd, training, eps, dims3))
    return out


def _batch_norm_backward(node, grad, input, weight, mean, invstd, training, eps, dims3):
    """Closed-form gradients of batch norm over (N, C, L); per-channel vectors broadcast as (C, 1)."""
    x3 = reshape(input, dims3)  # recorded under create_graph only
    if training and STATE.enabled:
        # create_graph: the statistics as functions of the input, so that double backward differentiates them
        mean, xc, var = _batch_stats(x3)
        invstd = rsqrt(add(var, eps))
    else:
        xc = sub(x3, mean.view(-1, 1))
    n = x3.shape[0] * x3.shape[2]
    g3 = reshape(grad, dims3)
    need_input, need_weight, need_bias = node.needs_input_grad
    sum_g = _sum_nl(g3) if need_bias or training and need_input else None
    dot = _sum_nl(mul(g3, xc)) if need_weight or training and need_input else None  # sum of g * (x - mean)
    grad_input = grad_weight = None
    if need_input:
        scale = invstd if weight is None else mul(weight, invstd)
        if training:
            # scale * (g - mean(g) - xhat * mean(g * xhat)), with xhat = xc * invstd
            proj = mul(mul(invstd, invstd), div(dot, n))
            grad_input = mul(sub(sub(g3, div(sum_g, n).view(-1, 1)), mul(xc, proj.view(-1, 1))), scale.view(-1, 1))
        else:
            grad_input = mul(g3, scale.view(-1, 1))
        grad_input = grad_input.view(input.shape)
    if need_weight:
        grad_weight = mul(dot, invstd)
    return grad_input, grad_weight, sum_g if need_bias else None


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample over its spatial dims (batch_norm over a (1, N * C, *) view).

    Running statistics, when given, are updated with the mean over the batch, as torch does.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.instance_norm(rustorch.tensor([[[1.0, 3.0], [0.0, 4.0]]]))
    tensor([[[-1.0000,  1.0000],
             [-1.0000,  1.0000]]])
    """
    if input.ndim < 3:
        raise ShapeError(f"instance_norm(): expected an input of shape (N, C, *) with at least 3 dims, "
                         f"got shape {_size(input)}")
    shape = input.shape
    n, channels = shape[0], shape[1]
    if use_input_stats and input.numel() // max(n * channels, 1) == 1:
        raise InvalidArgumentError(f"Expected more than 1 spatial element when training, got input size {shape}")
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean), ("running_var", running_var)):
        _check_channels("instance_norm", name, t, channels, input)
    repeated = [None if t is None else t.repeat(n) for t in (running_mean, running_var, weight, bias)]
    out = batch_norm(reshape(input, (1, n * channels) + tuple(shape[2:])), repeated[0], repeated[1], repeated[2],
                     repeated[3], use_input_stats, momentum, eps)
    if use_input_stats and running_mean is not None:
        with no_grad():
            running_mean.copy_(_mean(repeated[0].view(n, channels), 0))
            running_var.copy_(_mean(repeated[1].view(n, channels), 0))
    return out.view(shape)


# layer norm ----------------------------------------------------------------------------------
def _normalized_dims(op, input, normalized_shape):
    """``normalized_shape`` as a tuple, checked to be the trailing dims of ``input``."""
    normalized = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != normalized:
        raise ShapeError(f"{op}(): Given normalized_shape={list(normalized)}, expected input with shape "
                         f"[*, {', '.join(map(str, normalized))}], but got input of size {_size(input)}")
    return normalized


def _check_affine(op, name, t, normalized):
    if t is not None and tuple(t.shape) != normalized:
        raise ShapeError(f"{op}(): Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                         f"{_size(t)} and normalized_shape = {list(normalized)}")


def _row_stats(x2, eps):
    """Per-row reciprocal std (M, 1) and normalised rows (M, D) of ``x2``."""
    d = x2.shape[1]
    xc = sub(x2, div(_sum(x2, 1, keepdim=True), d))
    rstd = rsqrt(add(div(_sum(mul(xc, xc), 1, keepdim=True), d), eps))
    return rstd, mul(xc, rstd)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dims, then scale by ``weight`` and shift by ``bias``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.layer_norm(rustorch.tensor([[0.0, 2.0], [5.0, 5.0]]), [2], bias=rustorch.tensor([1.0, 1.0])).round()
    tensor([[0., 2.],
            [1., 1.]])
    """
    normalized = _normalized_dims("layer_norm", input, normalized_shape)
    _check_affine("layer_norm", "weight", weight, normalized)
    _check_affine("layer_norm", "bias", bias, normalized)
    shape = input.shape
    rows = (math.prod(shape[:input.ndim - len(normalized)]), math.prod(normalized))
    with no_grad():
        out, mean, rstd = _layer_norm_rows(_alias(input, rows), weight, bias, eps)
    out = _alias(out, shape)
    if STATE.enabled and (input.requires_grad or weight is not None and weight.requires_grad
                          or bias is not None and bias.requires_grad):
        record("NativeLayerNormBackward0", _layer_norm_backward, (input, weight, bias), out,
               (input, weight, mean, rstd, eps, rows, normalized))
    return out


def _vector(t):
    """A weight or bias as a contiguous 1-D tensor for a kernel (None stays None)."""
    return None if t is None else _alias(t, (t.numel(),))


def _layer_norm_rows(x, weight, bias, eps):
    """Layer norm of the contiguous (M, D) rows ``x``: (out, mean, rstd), by the backend's fused kernel where it
    has one (then mean and rstd are (M,)), else composed (mean and rstd None: the backward recomputes them)."""
    m, d = x._shape
    device = x.device
    out = empty_tensor((m, d), x.dtype, device)
    mean, rstd = empty_tensor((m,), x.dtype, device), empty_tensor((m,), x.dtype, device)
    w, b = _vector(weight), _vector(bias)
    try:
        x._storage.backend.layer_norm(x, w, b, eps, out, mean, rstd)
        return out, mean, rstd
    except NotImplementedError:
        pass
    xhat = _row_stats(x, eps)[1]
    out = xhat if w is None else mul(xhat, w)
    return (out if b is None else add(out, b)), None, None


def _layer_norm_backward(node, grad, input, weight, mean, rstd, eps, rows, normalized):
    """Closed-form gradients of layer norm over (M, D) rows: the backend's fused kernel, or composed from ops
    (under create_graph, so that double backward works, and where the backend has no kernel)."""
    need_input, need_weight, need_bias = node.needs_input_grad
    if not STATE.enabled and mean is not None:
        x = _alias(input, rows)
        dtype, device = x.dtype, x.device
        grads = [empty_tensor(rows, dtype, device) if need_input else None,
                 empty_tensor(rows[1:], dtype, device) if need_weight else None,
                 empty_tensor(rows[1:], dtype, device) if need_bias else None]
        try:
            x._storage.backend.layer_norm_backward(_alias(grad, rows), x, mean, rstd, _vector(weight), *grads)
            return tuple(None if g is None else _alias(g, shape)
                         for g, shape in zip(grads, (input.shape, normalized, normalized)))
        except NotImplementedError:
            pass
    x2 = reshape(input, rows)
    g2 = reshape(grad, rows)
    # the statistics recomputed as functions of the input (see _batch_norm_backward)
    rstd, xhat = _row_stats(x2, eps)
    d = rows[1]
    grad_input = grad_weight = grad_bias = None
    if need_input:
        gw = g2 if weight is None else mul(g2, reshape(weight, (-1,)))
        # rstd * (gw - mean(gw) - xhat * mean(gw * xhat)) per row
        mean_gw = div(_sum(gw, 1, keepdim=True), d)
        mean_gwx = div(_sum(mul(gw, xhat), 1, keepdim=True), d)
        grad_input = mul(sub(sub(gw, mean_gw), mul(xhat, mean_gwx)), rstd).view(input.shape)
    if need_weight:
        grad_weight = _sum(mul(g2, xhat), 0).view(normalized)
    if need_bias:
        grad_bias = _sum(g2, 0).view(normalized)
    return grad_input, grad_weight, grad_bias


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each sample's channels in ``num_groups`` groups, then apply a per-channel affine map.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.group_norm(rustorch.tensor([[1.0, 3.0, 5.0, 9.0]]), 2)
    tensor([[-1.0000,  1.0000, -1.0000,  1.0000]])
    """
    if input.ndim < 2:
        raise ShapeError(f"group_norm(): Expected at least 2 dimensions for input tensor but received {input.ndim}")
    shape = input.shape
    n, channels = shape[0], shape[1]
    if num_groups <= 0 or channels % num_groups:
        raise ShapeError(f"group_norm(): Expected number of channels in input to be divisible by num_groups, but got "
                         f"input of shape {_size(input)} and num_groups={num_groups}")
    if n * channels // num_groups * math.prod(shape[2:]) == 1:
        raise InvalidArgumentError(f"Expected more than 1 value per channel when training, got input size "
                                   f"{[n * channels // num_groups, num_groups] + list(shape[2:])}")
    _check_channels("group_norm", "weight", weight, channels, input)
    _check_channels("group_norm", "bias", bias, channels, input)
    # a layer norm of each (sample, group) row, then the channels' affine map
    spatial = math.prod(shape[2:])
    group = channels // num_groups * spatial
    out = layer_norm(reshape(input, (n * num_groups, group)), (group,), eps=eps)
    out = reshape(out, (n, channels, spatial))
    if weight is not None:
        out = mul(out, reshape(weight, (-1, 1)))
    if bias is not None:
        out = add(out, reshape(bias, (-1, 1)))
    return out.view(shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing ``normalized_shape`` dims, times ``weight``.

    ``eps=None`` means the machine epsilon of the input's dtype.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.rms_norm(rustorch.tensor([[3.0, -3.0]]), [2])
    tensor([[ 1., -1.]])
    """
    normalized = _normalized_dims("rms_norm", input, normalized_shape)
    _check_affine("rms_norm", "weight", weight, normalized)
    if eps is None:
        eps = _dtype.finfo(input.dtype).eps
    dims = tuple(range(input.ndim - len(normalized), input.ndim))
    out = mul(input, rsqrt(add(_mean(mul(input, input), dims, keepdim=True), eps)))
    return out if weight is None else mul(out, weight)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Divide each element by (k + alpha * mean of the squares over ``size`` neighbouring channels) ** beta.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.local_response_norm(rustorch.ones(1, 3, 2), 2, alpha=1.0, beta=1.0, k=0.0)
    tensor([[[2., 2.],
             [1., 1.],
             [1., 1.]]])
    """
    if input.ndim < 3:
        raise ShapeError(f"local_response_norm(): Expected 3D or higher dimensionality input (got {input.ndim} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    channels = input.shape[1]
    square = mul(input, input)
    # zero-pad the channel dim as torch does (size // 2 before, (size - 1) // 2 after), then sum each window
    pad_shape = list(input.shape)
    pad_shape[1] = size // 2
    before = zeros(pad_shape, dtype=input.dtype, device=input.device)
    pad_shape[1] = (size - 1) // 2
    after = zeros(pad_shape, dtype=input.dtype, device=input.device)
    padded = cat([before, square, after], 1)
    window = narrow(padded, 1, 0, channels)
    for offset in range(1, size):  # a loop over the window's size, not over elements
        window = add(window, narrow(padded, 1, offset, channels))
    div_ = pow(add(mul(window, alpha / size), k), beta)
    return div(input, div_)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input`` divided by its ``p``-norm over ``dim`` (at least ``eps``).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.normalize(rustorch.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    denom = expand_as(clamp_min(_norm(input, p, dim, keepdim=True), eps), input)
    return div(input, denom, out=out)


__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm", "normalize"]
