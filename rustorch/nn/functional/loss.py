"""rustorch.nn.functional: the loss family.

The losses are composed from differentiable tensor ops (a handful per loss,
no Python loops over elements or batch items; ctc_loss loops over time
only), so gradients and double backward come from autograd. Two record
their own node: cross_entropy with class indices (log_softmax, the pick and
the reduction in one node, for speed) and binary_cross_entropy (torch's
gradient where log() is clamped); their formulas are tensor ops too.
``reduction`` is 'none', 'mean' or 'sum'; torch's deprecated ``size_average``
and ``reduce`` arguments are accepted and override it, as in torch.

>>> import rustorch
>>> import rustorch.nn.functional as F
>>> F.mse_loss(rustorch.tensor([1.0, 2.0]), rustorch.tensor([1.0, 4.0]))
tensor(2.)
"""
import builtins
import math
import warnings

from ... import _dtype
from ...autograd.grad_mode import STATE, no_grad
from ...autograd.graph import record
from ...errors import DTypeError, IndexOutOfRangeError, InvalidArgumentError, ShapeError, ValueOutOfRangeError
from ...ops._common import Tensor, check_tensor
from ...ops.creation import arange, full, full_like, tensor, zeros_like
from ...ops.elementwise import (
    abs, add, clamp_min, div, eq, exp, ge, gt, le, log, log1p, logical_and, logical_not, logical_or, lt, minimum,
    mul, ne, neg, relu, sub, xlogy,
)
from ...ops.indexing import gather, where
from ...ops.reduction import amax, amin, cumprod, cumsum, mean, sum
from ...ops.shape import cat, stack
from ...ops.views import broadcast_tensors
from .activation import log_softmax, logsigmoid, softmax
from .vision import pairwise_distance


# reductions -------------------------------------------------------------------------------------
def _legacy_reduction(size_average, reduce, reduction):
    """torch's rule: the deprecated size_average/reduce, when either is given, decide the reduction."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='"
                  f"{_legacy_string(size_average, reduce)}' instead.", UserWarning, stacklevel=3)
    return _legacy_string(size_average, reduce)


def _legacy_string(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


def _check_reduction(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise InvalidArgumentError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return sum(loss)
    if reduction == "none":
        return loss
    raise InvalidArgumentError(f"{reduction} is not a valid value for reduction")


def _warn_size(input, target):
    if input.shape != target.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", UserWarning, stacklevel=3)


def _weighted(op, loss, weight, input, reduction, mean_over_weights):
    """torch's optional elementwise ``weight`` of the regression losses; 'mean' divides by the sum of the weights
    (l1, mse) or by the element count (huber), as torch does."""
    if weight.shape != input.shape:
        raise InvalidArgumentError(f"{op}(): weights and input must have the same size, got weight of shape "
                                   f"{list(weight.shape)} and input of shape {list(input.shape)}")
    loss = mul(loss, weight)
    if reduction == "mean" and mean_over_weights:
        return div(sum(loss), sum(weight))
    return _reduce(loss, reduction)


# regression -------------------------------------------------------------------------------------
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """|input - target|, reduced.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.l1_loss(rustorch.tensor([1.0, 2.0]), rustorch.tensor([2.0, 4.0]))
    tensor(1.5000)
    """
    _warn_size(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = abs(sub(*broadcast_tensors(input, target)))
    if weight is not None:
        return _weighted("l1_loss", loss, weight, input, reduction, True)
    return _reduce(loss, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """(input - target)^2, reduced.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.mse_loss(rustorch.tensor([1.0, 2.0]), rustorch.tensor([2.0, 4.0]))
    tensor(2.5000)
    """
    _warn_size(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    diff = sub(*broadcast_tensors(input, target))
    loss = mul(diff, diff)
    if weight is not None:
        return _weighted("mse_loss", loss, weight, input, reduction, True)
    return _reduce(loss, reduction)


def _huber(input, target, delta):
    # 0.5 z^2 below delta, delta (z - delta / 2) above; the gradient at z == delta is the linear side's, as torch's
    diff = sub(*broadcast_tensors(input, target))
    z = abs(diff)
    return where(lt(z, delta), mul(mul(diff, diff), 0.5), mul(sub(z, 0.5 * delta), delta))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 z^2 / beta for z = |input - target| < beta, else z - beta / 2; reduced.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.smooth_l1_loss(rustorch.tensor([0.0, 0.0]), rustorch.tensor([0.5, 3.0]))
    tensor(1.3125)
    """
    _warn_size(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise ValueOutOfRangeError(f"smooth_l1_loss(): does not support negative values for beta, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    return _reduce(div(_huber(input, target, beta), beta), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 z^2 for z = |input - target| < delta, else delta * (z - delta / 2); reduced.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.huber_loss(rustorch.tensor([0.0, 0.0]), rustorch.tensor([0.5, 3.0]), delta=2.0)
    tensor(2.0625)
    """
    _warn_size(input, target)
    if delta <= 0:
        raise ValueOutOfRangeError(f"huber_loss(): does not support non-positive values for delta, got {delta}")
    loss = _huber(input, target, delta)
    if weight is not None:
        return _weighted("huber_loss", loss, weight, input, reduction, False)
    return _reduce(loss, reduction)


# classification ---------------------------------------------------------------------------------
def _class_layout(op, input, target):
    """Check an (N, C, d1, ...) or (C) input against class-index targets (N, d1, ...) or (); give C."""
    if input.ndim == 0:
        raise ShapeError(f"{op}(): input tensor should be at least 1D (C) or (N, C, ...), got a 0-D tensor")
    if target.dtype.is_floating_point or target.dtype.is_complex or target.dtype is _dtype.bool_:
        raise DTypeError(f"{op}(): expected a target of class indices of dtype int64 (Long), got {target.dtype}")
    if input.ndim == 1:
        if target.ndim != 0:
            raise ShapeError(f"{op}(): an input of shape {list(input.shape)} (C) expects a 0-D target, "
                             f"got shape {list(target.shape)}")
        return input.shape[0]
    expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(target.shape) != expected:
        raise ShapeError(f"{op}(): expected a target of shape {list(expected)} for the input of shape "
                         f"{list(input.shape)} (N, C, d1, ...), got a target of shape {list(target.shape)}")
    return input.shape[1]


def _targets(op, input, target, weight, ignore_index, classes):
    """(the targets with ignore_index replaced by class 0, each target's weight: 0 where it is ignore_index; None
    when every weight is 1)."""
    ignored = None
    lo, hi = _extremes(target)
    if lo <= ignore_index <= hi:  # the mask is only made when ignore_index may be there
        ignored = eq(target, ignore_index)
        target = where(ignored, 0, target)
        lo, hi = _extremes(target)
    if lo < 0 or hi >= classes:
        raise IndexOutOfRangeError(f"{op}(): target {lo if lo < 0 else hi} is out of bounds: the input of shape "
                                   f"{list(input.shape)} has {classes} classes")
    if weight is None:
        return target, (None if ignored is None else logical_not(ignored).to(input.dtype))
    if weight.ndim != 1 or weight.shape[0] != classes:
        raise ShapeError(f"{op}(): weight tensor should be defined either for all {classes} classes or no classes but "
                         f"got weight tensor of shape: {list(weight.shape)}")
    w = weight[target]
    return target, (w if ignored is None else where(ignored, 0, w))


def _extremes(t):
    """The smallest and largest value of an integer tensor as ints ((0, 0) when it is empty)."""
    return (int(amin(t)), int(amax(t))) if t.numel() else (0, 0)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """-input[n, target[n]] * weight[target[n]] for log-probabilities ``input`` (N, C, d1, ...) or (C);
    'mean' divides by the total weight of the targets that are not ``ignore_index``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.nll_loss(rustorch.tensor([[-1.0, -2.0], [-3.0, -4.0]]), rustorch.tensor([0, 1]))
    tensor(2.5000)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    classes = _class_layout("nll_loss", input, target)
    safe, w = _targets("nll_loss", input, target, weight, ignore_index, classes)
    class_dim = 1 if input.ndim > 1 else 0
    loss = neg(gather(input, class_dim, safe.unsqueeze(class_dim)).squeeze(class_dim))
    return _reduce_by_weight(loss if w is None else mul(loss, w), w, reduction)


def _reduce_by_weight(loss, w, reduction):
    """'mean' is the sum over the total weight ``w`` (None: all 1): NaN when every target is ignored, with a zero
    gradient (torch's)."""
    if reduction != "mean" or w is None:
        return _reduce(loss, reduction)
    total = sum(w)
    if total.item() == 0:
        return add(mul(sum(loss), 0), math.nan)
    return div(sum(loss), total)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """nll_loss(log_softmax(input, class dim)) for class-index targets, or -sum(target * log_softmax(input)) for
    class-probability targets (same shape as input); with class weights, ignore_index and label smoothing.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.cross_entropy(rustorch.tensor([[0.0, 0.0]]), rustorch.tensor([1]))
    tensor(0.6931)
    """
    check_tensor("cross_entropy", input)
    check_tensor("cross_entropy", target, "target")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueOutOfRangeError(f"cross_entropy(): label_smoothing must be between 0.0 and 1.0, "
                                   f"got {label_smoothing}")
    if input.ndim == 0:
        raise ShapeError("cross_entropy(): input tensor should be at least 1D (C) or (N, C, ...), got a 0-D tensor")
    class_dim = 1 if input.ndim > 1 else 0
    if tuple(target.shape) == tuple(input.shape) and target.dtype.is_floating_point:
        classes = input.shape[class_dim]
        return _soft_cross_entropy(log_softmax(input, class_dim), target, weight, reduction, label_smoothing,
                                   class_dim, classes)
    classes = _class_layout("cross_entropy", input, target)
    safe, w = _targets("cross_entropy", input, target, weight, ignore_index, classes)
    loss = _cross_entropy_indices(input, safe, w, class_dim, reduction)
    if label_smoothing == 0.0:
        return loss
    # torch's smoothing term: the (weighted) sum of -log p over all classes, zero at ignored targets
    logp = log_softmax(input, class_dim)
    weighted = logp if weight is None else mul(logp, _class_shaped(weight, input.ndim, class_dim))
    smooth = _reduce_by_weight(where(eq(target, ignore_index), 0, neg(sum(weighted, class_dim))), w, reduction)
    return add(mul(loss, 1 - label_smoothing), mul(smooth, label_smoothing / classes))


def _cross_entropy_indices(input, target, w, class_dim, reduction):
    """The reduced -log_softmax(input)[target] * w (w None: all 1) along ``class_dim``, as one node: its gradient
    (softmax(input) - one_hot(target)) * w * grad takes two passes over the input, where log_softmax, nll_loss and
    the reduction recorded separately take many."""
    index = target.unsqueeze(class_dim)
    with no_grad():
        logp = log_softmax(input, class_dim)
        losses = neg(gather(logp, class_dim, index).squeeze(class_dim))
        scale = 1.0 if w is None else w  # d result / d(-logp[target]), per target
        if w is not None:
            losses = mul(losses, w)
        if reduction == "none":
            result = losses
        elif reduction == "sum":
            result = sum(losses)
        else:
            total = losses.numel() if w is None else sum(w).item()
            result = div(sum(losses), total) if total else mul(sum(losses), math.nan)
            # nothing counted: NaN, with a zero gradient (torch's)
            scale = (1.0 / total if w is None else div(w, total)) if total else 0.0
    if STATE.enabled and input.requires_grad:
        record("CrossEntropyLossBackward0", _cross_entropy_backward, (input,), result,
               (input, logp, index, scale, class_dim))
    return result


def _cross_entropy_backward(node, grad, x, logp, index, scale, class_dim):
    gw = mul(grad, scale).expand(index.squeeze(class_dim).shape).unsqueeze(class_dim)
    if STATE.enabled:
        # under create_graph the formula is recorded: softmax from x itself, so that it has a derivative
        one_hot = zeros_like(x).scatter_(class_dim, index, 1.0)
        return mul(sub(softmax(x, class_dim), one_hot), gw)
    return mul(exp(logp), gw).scatter_add_(class_dim, index, neg(gw))


def _class_shaped(weight, ndim, class_dim):
    # (C) weights broadcast against (N, C, d1, ...) along the class dim
    return weight.reshape((-1,) + (1,) * (ndim - class_dim - 1))


def _soft_cross_entropy(logp, target, weight, reduction, label_smoothing, class_dim, classes):
    if label_smoothing > 0:
        target = add(mul(target, 1 - label_smoothing), label_smoothing / classes)
    terms = mul(logp, target)
    if weight is not None:
        if weight.ndim != 1 or weight.shape[0] != classes:
            raise ShapeError(f"cross_entropy(): weight tensor should be defined either for all {classes} classes or "
                             f"no classes but got weight tensor of shape: {list(weight.shape)}")
        terms = mul(terms, _class_shaped(weight, logp.ndim, class_dim))
    if reduction == "none":
        return neg(sum(terms, class_dim))
    total = neg(sum(terms))
    if reduction == "sum":
        return total
    return div(total, logp.numel() // classes) if logp.numel() else mul(total, math.nan)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-weight * (target * log(input) + (1 - target) * log(1 - input)), each log clamped to >= -100 (torch's).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.binary_cross_entropy(rustorch.tensor([0.5, 0.5]), rustorch.tensor([0.0, 1.0]))
    tensor(0.6931)
    """
    check_tensor("binary_cross_entropy", input)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise InvalidArgumentError(f"binary_cross_entropy(): using a target size ({list(target.shape)}) that is "
                                   f"different to the input size ({list(input.shape)}) is deprecated. Please ensure "
                                   "they have the same size.")
    if logical_or(lt(input, 0), gt(input, 1)).any():
        raise ValueOutOfRangeError("binary_cross_entropy(): all elements of input should be between 0 and 1")
    with no_grad():
        log_p, log_q = clamp_min(log(input), -100), clamp_min(log1p(neg(input)), -100)
        loss = neg(add(mul(target, log_p), mul(sub(1, target), log_q)))
        if weight is not None:
            loss = mul(loss, weight)
    if STATE.enabled and (input.requires_grad or target.requires_grad or getattr(weight, "requires_grad", False)):
        record("BinaryCrossEntropyBackward0", _bce_backward, (input, target, weight), loss, (input, target, weight))
    return _reduce(loss, reduction)


def _bce_backward(node, grad, x, t, weight):
    # torch's formulas: (x - t) / max(x (1 - x), 1e-12) for the input, -logit(x) for the target
    grad_w = None
    if node.needs_input_grad[2]:
        grad_w = mul(grad, neg(add(mul(t, clamp_min(log(x), -100)), mul(sub(1, t), clamp_min(log1p(neg(x)), -100)))))
    if weight is not None:
        grad = mul(grad, weight)
    grad_x = div(mul(grad, sub(x, t)), clamp_min(mul(sub(1, x), x), 1e-12)) if node.needs_input_grad[0] else None
    grad_t = mul(grad, sub(log1p(neg(x)), log(x))) if node.needs_input_grad[1] else None
    return grad_x, grad_t, grad_w


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target) in the stable form (1 - t) x - (1 + (pw - 1) t) logsigmoid(x).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.binary_cross_entropy_with_logits(rustorch.tensor([0.0, 100.0]), rustorch.tensor([1.0, 1.0]))
    tensor(0.3466)
    """
    check_tensor("binary_cross_entropy_with_logits", input)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise InvalidArgumentError(f"binary_cross_entropy_with_logits(): target size ({list(target.shape)}) must be "
                                   f"the same as input size ({list(input.shape)})")
    log_sig = logsigmoid(input)
    if pos_weight is not None:
        log_sig = mul(add(mul(sub(pos_weight, 1), target), 1), log_sig)
    loss = sub(mul(sub(1, target), input), log_sig)
    if weight is not None:
        loss = mul(loss, weight)
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """target * (log(target) - input) for log-probabilities ``input`` (target in log space with log_target);
    'batchmean' divides the sum by the batch size, as the KL divergence is defined.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.kl_div(rustorch.tensor([[-0.5, -1.0]]), rustorch.tensor([[0.5, 0.5]]), reduction="batchmean")
    tensor(0.0569)
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    if log_target:
        loss = mul(exp(target), sub(target, input))
    else:
        loss = sub(xlogy(target, target), mul(target, input))
    if reduction == "batchmean":
        total = sum(loss)
        return div(total, input.shape[0]) if input.ndim else total
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """exp(input) - target * input (log_input) or input - target * log(input + eps); ``full`` adds Stirling's term.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.poisson_nll_loss(rustorch.tensor([0.0, 1.0]), rustorch.tensor([1.0, 2.0]))
    tensor(0.8591)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if log_input:
        loss = sub(exp(input), mul(target, input))
    else:
        loss = sub(input, mul(target, log(add(input, eps))))
    if full:
        stirling = add(sub(mul(target, log(target)), target), mul(log(mul(target, 2 * math.pi)), 0.5))
        loss = add(loss, where(le(target, 1), 0, stirling))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 * (log(var) + (input - target)^2 / var), var clamped to >= eps (without changing its gradient);
    ``var`` may be a float, input's shape, or broadcastable with one dim of size 1 (or one dim fewer).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.gaussian_nll_loss(rustorch.tensor([1.0]), rustorch.tensor([3.0]), rustorch.tensor([2.0]))
    tensor(1.3466)
    """
    if isinstance(var, (int, float)):
        if var < 0:
            raise InvalidArgumentError("gaussian_nll_loss(): var has negative entry/entries")
        var = full_like(input, var)
    elif lt(var, 0).any():
        raise InvalidArgumentError("gaussian_nll_loss(): var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)  # one value per row: homoscedastic
        elif not (input.ndim == var.ndim and builtins.sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ShapeError(f"gaussian_nll_loss(): var of shape {list(var.shape)} is of incorrect size for the input "
                             f"of shape {list(input.shape)}")
    _check_reduction(reduction)
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)  # for stability; the gradient still flows as if unclamped, as in torch
    diff = sub(input, target)
    loss = mul(add(log(var), div(mul(diff, diff), var)), 0.5)
    if full:
        loss = add(loss, 0.5 * math.log(2 * math.pi))
    return _reduce(loss, reduction)


# margins and embeddings -------------------------------------------------------------------------
def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.cosine_embedding_loss(rustorch.tensor([[1.0, 0.0]]), rustorch.tensor([[0.0, 1.0]]), rustorch.tensor([1]))
    tensor(1.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if input1.shape != input2.shape:
        raise ShapeError(f"cosine_embedding_loss(): input1 and input2 must have the same shape, got "
                         f"{list(input1.shape)} and {list(input2.shape)}")
    if input1.ndim not in (1, 2) or target.ndim != input1.ndim - 1:
        raise ShapeError(f"cosine_embedding_loss(): expected 1-D or 2-D inputs with a target of one dim fewer, got "
                         f"inputs of shape {list(input1.shape)} and a target of shape {list(target.shape)}")
    if target.ndim == 1 and target.shape[0] != input1.shape[0]:
        raise ShapeError(f"cosine_embedding_loss(): the target of shape {list(target.shape)} does not match the batch "
                         f"of the inputs of shape {list(input1.shape)}")
    d = input1.ndim - 1
    eps = 1e-12  # torch's EPSILON, keeps zero vectors finite
    dot = sum(mul(input1, input2), d)
    norms = mul(add(sum(mul(input1, input1), d), eps), add(sum(mul(input2, input2), d), eps)).sqrt()
    cos = div(dot, norms)
    loss = add(where(eq(target, 1), sub(1, cos), 0), where(eq(target, -1), clamp_min(sub(cos, margin), 0), 0))
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.margin_ranking_loss(rustorch.tensor([1.0]), rustorch.tensor([2.0]), rustorch.tensor([1.0]))
    tensor(1.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise ShapeError(f"margin_ranking_loss(): all input tensors should have same dimension but got sizes: "
                         f"input1: {list(input1.shape)}, input2: {list(input2.shape)}, target: {list(target.shape)}")
    return _reduce(clamp_min(add(mul(neg(target), sub(input1, input2)), margin), 0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """x where target is 1, max(0, margin - x) where target is -1.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.hinge_embedding_loss(rustorch.tensor([0.3, 2.0]), rustorch.tensor([1.0, -1.0]))
    tensor(0.1500)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    margin_part = where(ne(target, 1), clamp_min(sub(margin, input), 0), 0)
    self_part = where(ne(target, -1), input, 0)
    return _reduce(add(margin_part, self_part), reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, d(anchor, positive) - d(anchor, negative) + margin), d the p-norm distance; ``swap`` uses
    min(d(a, n), d(p, n)).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> a, p, n = rustorch.tensor([[0.0, 0.0]]), rustorch.tensor([[1.0, 0.0]]), rustorch.tensor([[0.0, 1.5]])
    >>> F.triplet_margin_loss(a, p, n)
    tensor(0.5000)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_triplet(anchor, positive, negative, margin)
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(clamp_min(sub(add(dist_pos, margin), dist_neg), 0), reduction)


def _check_triplet(anchor, positive, negative, margin):
    if margin <= 0:
        raise InvalidArgumentError(f"triplet_margin_loss(): margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise ShapeError(f"triplet_margin_loss(): the anchor, positive, and negative tensors are expected to have the "
                         f"same number of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and "
                         f"negative {negative.ndim}D inputs")


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    """triplet_margin_loss with any ``distance_function(x1, x2)`` (default: the Euclidean pairwise distance).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> a, p, n = rustorch.tensor([[0.0, 0.0]]), rustorch.tensor([[1.0, 0.0]]), rustorch.tensor([[0.0, 1.5]])
    >>> F.triplet_margin_with_distance_loss(a, p, n, distance_function=lambda x, y: (x - y).abs().sum(-1))
    tensor(0.5000)
    """
    _check_reduction(reduction)
    _check_triplet(anchor, positive, negative, margin)
    if distance_function is None:
        distance_function = pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = minimum(dist_neg, distance_function(positive, negative))
    return _reduce(clamp_min(sub(add(dist_pos, margin), dist_neg), 0), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.soft_margin_loss(rustorch.tensor([0.0]), rustorch.tensor([1.0]))
    tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce(log1p(exp(mul(neg(input), target))), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """The mean over classes of -(t * logsigmoid(x) + (1 - t) * logsigmoid(-x)), per sample.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.multilabel_soft_margin_loss(rustorch.tensor([[0.0, 0.0]]), rustorch.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = neg(add(mul(target, logsigmoid(input)), mul(sub(1, target), logsigmoid(neg(input)))))
    if weight is not None:
        loss = mul(loss, weight)
    class_dim = input.ndim - 1
    loss = div(sum(loss, class_dim), input.shape[class_dim])
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """sum over j != y of max(0, margin - x[y] + x[j])^p / C, times weight[y]; input (N, C) or (C).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.multi_margin_loss(rustorch.tensor([[0.1, 0.2, 0.4, 0.8]]), rustorch.tensor([3]))
    tensor(0.3250)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueOutOfRangeError(f"multi_margin_loss(): only p == 1 and p == 2 supported, got p={p}")
    if input.ndim not in (1, 2) or tuple(target.shape) != tuple(input.shape[:-1]):
        raise ShapeError(f"multi_margin_loss(): expected an input of shape (N, C) or (C) with a target of shape (N) or "
                         f"(), got input of shape {list(input.shape)} and target of shape {list(target.shape)}")
    classes = input.shape[-1]
    x = input.unsqueeze(0) if input.ndim == 1 else input
    t = target.reshape(-1, 1)
    if logical_or(lt(t, 0), ge(t, classes)).any():
        raise IndexOutOfRangeError(f"multi_margin_loss(): target values must be in [0, {classes - 1}] for the input of "
                                   f"shape {list(input.shape)}, got {t.flatten().tolist()}")
    # torch's kernel counts only z > 0 (relu's gradient at 0 is 0), and skips j == y
    z = relu(add(sub(x, gather(x, 1, t)), margin))
    if p == 2:
        z = mul(z, z)
    z = where(eq(arange(classes, device=input.device), t), 0, z)
    if weight is not None:
        z = mul(z, weight[t])
    loss = div(sum(z, 1), classes)
    return _reduce(loss.reshape(()) if input.ndim == 1 else loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """sum over the target classes j and the other classes i of max(0, 1 - (x[j] - x[i])) / C; ``target`` holds
    each sample's class indices, ended by the first -1.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.multilabel_margin_loss(rustorch.tensor([[0.1, 0.2, 0.4, 0.8]]), rustorch.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.ndim not in (1, 2) or tuple(target.shape) != tuple(input.shape):
        raise ShapeError(f"multilabel_margin_loss(): expected an input of shape (N, C) or (C) and a target of the same "
                         f"shape, got input of shape {list(input.shape)} and target of shape {list(target.shape)}")
    classes = input.shape[-1]
    x, t = (input.unsqueeze(0), target.unsqueeze(0)) if input.ndim == 1 else (input, target)
    valid = cumprod(ne(t, -1), 1).bool()  # the targets before the first -1
    count = int(amax(sum(valid, 1))) if valid.numel() else 0
    valid, t = valid[:, :count], where(valid, t, 0)[:, :count]
    if logical_and(valid, logical_or(lt(t, 0), ge(t, classes))).any():
        raise IndexOutOfRangeError(f"multilabel_margin_loss(): target values must be class indices in "
                                   f"[0, {classes - 1}] (or -1 to end the list)")
    is_target = gt(zeros_like(x).scatter_add(1, t, valid.to(x.dtype)), 0)
    # (N, targets, classes): the hinge of every target against every class that is not a target
    z = relu(add(sub(x.unsqueeze(1), gather(x, 1, t).unsqueeze(2)), 1))
    counted = logical_and(valid.unsqueeze(2), logical_not(is_target).unsqueeze(1))
    loss = div(sum(where(counted, z, 0), (1, 2)), classes)
    return _reduce(loss.reshape(()) if input.ndim == 1 else loss, reduction)


# connectionist temporal classification --------------------------------------------------------
def _lengths(op, name, lengths, batch, device):
    """``lengths`` (a tensor or a sequence of ints) as an int64 tensor of shape (batch,)."""
    if isinstance(lengths, Tensor):
        if lengths.dtype.is_floating_point or lengths.dtype.is_complex:
            raise DTypeError(f"{op}(): {name} must be integers, got {lengths.dtype}")
        lengths = lengths.to(_dtype.int64, device=device).reshape(-1)
    else:
        lengths = tensor([int(v) for v in (lengths if isinstance(lengths, (list, tuple)) else [lengths])],
                         dtype=_dtype.int64, device=device)
    if lengths.shape[0] != batch:
        raise ShapeError(f"{op}(): {name} must be of size batch_size {batch}, got shape {list(lengths.shape)}")
    if lt(lengths, 0).any():
        raise ValueOutOfRangeError(f"{op}(): {name} must be non-negative, got {lengths.tolist()}")
    return lengths


def _padded_targets(op, targets, target_lengths, longest, blank, classes):
    """(N, longest) targets from padded (N, S) or concatenated 1-D targets; blank beyond each length."""
    positions = arange(longest, device=targets.device)
    inside = lt(positions, target_lengths.unsqueeze(1))
    if targets.ndim == 2:
        if targets.shape[1] < longest:
            raise ShapeError(f"{op}(): expected targets of shape {list(targets.shape)} to have size at least "
                             f"{longest} (the longest target length) at dimension 1")
        padded = targets[:, :longest]
    else:
        total = builtins.sum(target_lengths.tolist())
        if targets.shape[0] < total:
            raise ShapeError(f"{op}(): concatenated targets of shape {list(targets.shape)} are shorter than the sum "
                             f"of target_lengths ({total})")
        starts = sub(cumsum(target_lengths, 0), target_lengths).unsqueeze(1)
        padded = targets[where(inside, add(starts, positions), 0)]
    padded = where(inside, padded.to(_dtype.int64), blank)
    if logical_or(lt(padded, 0), ge(padded, classes)).any():
        raise IndexOutOfRangeError(f"{op}(): target values must be class indices in [0, {classes - 1}]")
    return padded


# "impossible" in ctc_loss's log space: finite, so that no gradient is ever 0 * inf, and so far below any log
# probability that every finite addend is absorbed (it stays exactly this value in float32 and float64)
_CTC_IMPOSSIBLE = -1e30


def _logsumexp_last(x):
    """log(sum(exp(x))) over the last dim, shifted by its maximum."""
    with no_grad():
        shift = amax(x, -1, keepdim=True)
    return add(log(sum(exp(sub(x, shift)), -1)), shift.squeeze(-1))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """The CTC loss: -log of the total probability of every alignment of each target to its input.

    ``log_probs`` (T, N, C) or (T, C) are log-softmax outputs; ``targets`` are padded (N, S) or concatenated
    1-D class indices (never ``blank``). The alpha recursion runs over time in log space, each step a few ops
    over the whole batch and all label positions; the gradient comes from autograd, with torch's extra
    exp(log_probs) term (the gradient torch gives, which is the true one once it passes through log_softmax).
    'mean' divides each loss by its target length, then averages.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> log_probs = rustorch.full((2, 1, 2), 0.5).log()
    >>> F.ctc_loss(log_probs, rustorch.tensor([[1]]), [2], [1], reduction="sum")
    tensor(0.2877)
    """
    op = "ctc_loss"
    check_tensor(op, log_probs, "log_probs")
    _check_reduction(reduction)
    if log_probs.ndim not in (2, 3):
        raise ShapeError(f"{op}(): expected log_probs of shape (T, N, C) or (T, C), got {list(log_probs.shape)}")
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs, targets = log_probs.unsqueeze(1), targets.unsqueeze(0)
    if log_probs.dtype not in (_dtype.float32, _dtype.float64):
        raise DTypeError(f"{op}(): expected float32 or float64 log_probs, got {log_probs.dtype}")
    steps, batch, classes = log_probs.shape
    if steps == 0:
        raise ShapeError(f"{op}(): log_probs has no time steps (shape {list(log_probs.shape)})")
    if not 0 <= blank < classes:
        raise IndexOutOfRangeError(f"{op}(): blank must be in label range [0, {classes - 1}], got {blank}")
    device = log_probs.device
    input_lengths = _lengths(op, "input_lengths", input_lengths, batch, device)
    target_lengths = _lengths(op, "target_lengths", target_lengths, batch, device)
    if batch and gt(input_lengths, steps).any():
        raise ValueOutOfRangeError(f"{op}(): expected input_lengths to have values at most {steps} (the length of "
                                   f"log_probs), got {input_lengths.tolist()}")
    longest = int(amax(target_lengths)) if batch else 0
    labels = _padded_targets(op, targets, target_lengths, longest, blank, classes)
    # the extended labels: blank, l1, blank, l2, ..., blank; a step may skip a blank between different labels
    blanks = full((batch, 1), blank, dtype=_dtype.int64, device=device)
    extended = cat([stack([blanks.expand(batch, longest), labels], 2).reshape(batch, 2 * longest), blanks], 1)
    width = 2 * longest + 1
    never = _CTC_IMPOSSIBLE
    skip = logical_and(ne(extended[:, 2:], blank), ne(extended[:, 2:], extended[:, :-2]))
    # added to the state two back: 0 where a step may skip a blank, else "impossible" (which absorbs the value)
    skip_penalty = cat([full((batch, 2), never, dtype=log_probs.dtype, device=device), where(skip, 0.0, never)],
                       1)[:, :width]
    emitted = clamp_min(gather(log_probs, 2, extended.unsqueeze(0).expand(steps, batch, width)), never).unbind(0)
    alpha = where(lt(arange(width, device=device), 2), emitted[0], never)
    running = input_lengths.unsqueeze(1)
    all_running = int(amin(input_lengths))
    edge = full((batch, 2), never, dtype=log_probs.dtype, device=device)
    for t in range(1, steps):
        padded = cat([edge, alpha], 1)
        # each state is reached from itself, the state before it, and (across a blank) the one before that
        sources = stack([alpha, padded[:, 1:-1], add(padded[:, :-2], skip_penalty)], 2)
        step = add(_logsumexp_last(sources), emitted[t])
        alpha = step if t < all_running else where(lt(t, running), step, alpha)  # finished inputs keep their alpha
    ends = mul(target_lengths, 2).unsqueeze(1)
    last = gather(alpha, 1, ends).squeeze(1)
    before_last = where(gt(target_lengths, 0), gather(alpha, 1, clamp_min(sub(ends, 1), 0)).squeeze(1), never)
    likelihood = _logsumexp_last(stack([last, before_last], 1))
    impossible = le(likelihood, never / 2)
    loss = where(impossible, 0.0 if zero_infinity else math.inf, neg(likelihood))
    # torch's gradient also carries exp(log_probs) over each input's steps: add a term that is 0 in value
    within = lt(arange(steps, device=device).unsqueeze(1), input_lengths.unsqueeze(0)).unsqueeze(2)
    mass = sum(where(within, exp(log_probs), 0), (0, 2))
    loss = add(loss, where(impossible, 0, sub(mass, mass.detach())) if zero_infinity else sub(mass, mass.detach()))
    if reduction == "mean":
        return mean(div(loss, clamp_min(target_lengths, 1).to(loss.dtype)))
    if reduction == "sum":
        return sum(loss)
    return loss.squeeze(0) if unbatched else loss


__all__ = [
    "l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss",
    "margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
    "soft_margin_loss", "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss", "ctc_loss",
]
