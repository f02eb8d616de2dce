"""SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay.

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.tensor([1.0, -1.0]))
>>> opt = rustorch.optim.SGD([w], lr=0.1, momentum=0.9)
>>> for _ in range(2):
...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
>>> w
Parameter containing:
tensor([ 0.4600, -0.4600], requires_grad=True)
"""
from ..autograd.grad_mode import no_grad
from ..errors import InvalidArgumentError
from ..ops.creation import empty_like
from .optimizer import (
    Optimizer, _check_hyper, _check_implementation_flags, _closure_loss, _contiguous, _fused_backend, _run_fused,
    _to_scalar,
)

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    """Stochastic gradient descent, as torch.optim.SGD: with g the gradient (negated when ``maximize``) plus
    ``weight_decay * p``, the momentum buffer b = g at the first step, then ``momentum * b + (1 - dampening) *
    g``; the update is p -= lr * (g + momentum * b if ``nesterov`` else b) (just g without momentum).

    ``foreach`` / ``fused``: None (default) updates a group in one backend call where the backend has the
    kernel (CPU, float32/float64), False always runs the per-parameter steps, True requires the kernel
    (fused). ``differentiable=True`` is not supported.

    >>> import rustorch
    >>> w = rustorch.nn.Parameter(rustorch.ones(2))
    >>> opt = rustorch.optim.SGD([w], lr=0.5)
    >>> w.sum().backward(); opt.step(); w
    Parameter containing:
    tensor([0.5000, 0.5000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        _check_hyper("SGD", "learning rate", lr, lr >= 0.0)
        _check_hyper("SGD", "momentum value", momentum, momentum >= 0.0)
        _check_hyper("SGD", "weight_decay value", weight_decay, weight_decay >= 0.0)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise InvalidArgumentError("SGD(): Nesterov momentum requires a momentum and zero dampening")
        _check_implementation_flags("SGD", foreach, fused, differentiable)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach, "differentiable": differentiable,
                    "fused": fused}
        super().__init__(params, defaults)

    @no_grad()
    def step(self, closure=None):
        """One SGD step over every parameter with a gradient; returns ``closure()``'s loss, if given.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(1))
        >>> rustorch.optim.SGD([w], lr=0.1).step(lambda: (w * 3).sum().backward())
        """
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            grads = [p.grad for p in params]
            momentum = group["momentum"]
            buffers = [self.state[p].get("momentum_buffer") for p in params] if momentum != 0 else None
            sgd(params, grads, buffers, lr=_to_scalar(group["lr"]), momentum=momentum,
                dampening=group["dampening"], weight_decay=_to_scalar(group["weight_decay"]),
                nesterov=group["nesterov"], maximize=group["maximize"], foreach=group["foreach"],
                fused=group["fused"])
            if momentum != 0:
                for p, buf in zip(params, buffers):
                    self.state[p]["momentum_buffer"] = buf
        return loss


def sgd(params, grads, momentum_buffers, *, lr, momentum, dampening, weight_decay, nesterov, maximize, foreach=None,
        fused=None):
    """The SGD update of ``params`` in place (see :class:`SGD`); ``momentum_buffers`` (None without momentum)
    holds each parameter's buffer or None, and receives the new buffers.

    >>> import rustorch
    >>> p, g = rustorch.zeros(2), rustorch.ones(2)
    >>> bufs = [None]
    >>> sgd([p], [g], bufs, lr=0.1, momentum=0.9, dampening=0, weight_decay=0, nesterov=False, maximize=False)
    >>> p, bufs[0]
    (tensor([-0.1000, -0.1000]), tensor([1., 1.]))
    """
    backend = _fused_backend("SGD", foreach, fused, params, grads, [momentum_buffers])
    if backend is not None:
        fresh = None
        if momentum_buffers is not None:
            # a parameter's first step starts its buffer as a copy of the gradient (the kernel writes it)
            fresh = [b is None for b in momentum_buffers]
            for i, b in enumerate(momentum_buffers):
                if b is None:
                    momentum_buffers[i] = empty_like(params[i])
        if _run_fused("SGD", fused, lambda: backend.sgd_step(
                params, _contiguous(grads), momentum_buffers, fresh, lr, momentum, dampening, weight_decay,
                nesterov, maximize), params + (momentum_buffers or [])):
            return
        for i, is_fresh in enumerate(fresh or ()):
            if is_fresh:
                momentum_buffers[i] = None
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        if momentum != 0:
            buf = momentum_buffers[i]
            if buf is None:
                buf = momentum_buffers[i] = grad.detach().clone()
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - dampening)
            grad = grad.add(buf, alpha=momentum) if nesterov else buf
        param.add_(grad, alpha=-lr)
