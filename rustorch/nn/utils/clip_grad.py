"""Gradient clipping, as torch.nn.utils: by total norm or by value, in place on each parameter's ``.grad``.

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.ones(4))
>>> (w * 3).sum().backward()
>>> rustorch.nn.utils.clip_grad_norm_([w], max_norm=1.0)
tensor(6.)
>>> w.grad
tensor([0.5000, 0.5000, 0.5000, 0.5000])
"""
import math
import types
import warnings

from ...autograd.grad_mode import no_grad
from ...errors import ValueOutOfRangeError
from ...ops.creation import tensor
from ...ops.elementwise import clamp
from ...ops.reduction import norm
from ...ops.shape import stack
from ...tensor import Tensor


def _tensor_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all ``tensors`` together (as if concatenated into one vector).

    ``foreach`` is accepted for torch's signature; rustorch takes one norm per tensor either way.

    >>> import rustorch
    >>> rustorch.nn.utils.get_total_norm([rustorch.tensor([3.0]), rustorch.tensor([4.0])])
    tensor(5.)
    """
    tensors = _tensor_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    with no_grad():
        first = tensors[0]
        # the norm of the per-tensor norms is the norm of everything (max of maxes for inf)
        norms = [norm(t, norm_type).to(first.device) for t in tensors]
        total = norm(stack(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise ValueOutOfRangeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of ``parameters`` by min(1, max_norm / (total_norm + 1e-6)), in place.

    >>> import rustorch
    >>> w = rustorch.nn.Parameter(rustorch.ones(2))
    >>> w.grad = rustorch.tensor([3.0, 4.0])
    >>> rustorch.nn.utils.clip_grads_with_norm_([w], 1.0, rustorch.tensor(5.0))
    >>> w.grad
    tensor([0.6000, 0.8000])
    """
    grads = [p.grad for p in _tensor_list(parameters) if p.grad is not None]
    if not grads:
        return
    with no_grad():
        # multiplied even when the factor is 1, as torch does: a NaN or inf norm spreads to every gradient
        coef = clamp(float(max_norm) / (total_norm + 1e-6), max=1.0)
        for g in grads:
            g.mul_(coef.to(g.device))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients of ``parameters`` so that their total ``norm_type``-norm is at most ``max_norm``;
    returns the total norm before clipping. ``norm_type`` may be ``inf``.

    >>> import rustorch
    >>> w = rustorch.nn.Parameter(rustorch.zeros(2))
    >>> w.grad = rustorch.tensor([-3.0, 1.0])
    >>> rustorch.nn.utils.clip_grad_norm_(w, 1.5, norm_type=float("inf")), w.grad
    (tensor(3.), tensor([-1.5000,  0.5000]))
    """
    if isinstance(parameters, types.GeneratorType):
        parameters = list(parameters)
        if not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    parameters = _tensor_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated spelling of :func:`clip_grad_norm_` (warns, as torch).

    >>> import rustorch, warnings
    >>> w = rustorch.nn.Parameter(rustorch.zeros(1))
    >>> w.grad = rustorch.tensor([2.0])
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     rustorch.nn.utils.clip_grad_norm([w], 1.0)
    tensor(2.)
    """
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient of ``parameters`` into [-clip_value, clip_value], in place.

    >>> import rustorch
    >>> w = rustorch.nn.Parameter(rustorch.zeros(3))
    >>> w.grad = rustorch.tensor([-2.0, 0.5, 3.0])
    >>> rustorch.nn.utils.clip_grad_value_([w], 1.0)
    >>> w.grad
    tensor([-1.0000,  0.5000,  1.0000])
    """
    clip_value = float(clip_value)
    with no_grad():
        for p in _tensor_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)


__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grads_with_norm_", "clip_grad_value_", "get_total_norm"]
