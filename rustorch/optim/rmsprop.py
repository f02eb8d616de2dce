"""RMSprop: gradient steps scaled by a running root mean square of the gradients (centered and with momentum).

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.tensor([1.0, -1.0]))
>>> opt = rustorch.optim.RMSprop([w], lr=0.01)
>>> (w * w).sum().backward(); opt.step(); w   # the first step is lr / sqrt(1 - alpha)
Parameter containing:
tensor([ 0.9000, -0.9000], requires_grad=True)
"""
from ..autograd.grad_mode import no_grad
from ..ops.creation import zeros, zeros_like
from .optimizer import (
    Optimizer, _check_hyper, _check_implementation_flags, _closure_loss, _contiguous, _fused_backend,
    _get_scalar_dtype, _run_fused, _to_scalar,
)

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    """RMSprop, as torch.optim.RMSprop: with g the gradient (negated when ``maximize``) plus ``weight_decay * p``,
    v = alpha v + (1 - alpha) g^2 and avg = sqrt(v) + eps (``centered``: sqrt(v - gbar^2) + eps with gbar the
    running mean of g); p -= lr * g / avg, or with ``momentum`` b = momentum b + g / avg and p -= lr * b.

    State: ``step``, ``square_avg``, ``momentum_buffer`` (momentum > 0), ``grad_avg`` (centered). ``foreach``:
    None (default) updates a group in one backend call where the backend has the kernel (CPU, float32/float64),
    False runs the per-parameter steps. ``capturable`` changes nothing here; ``differentiable=True`` is not
    supported.

    >>> import rustorch
    >>> opt = rustorch.optim.RMSprop([rustorch.nn.Parameter(rustorch.ones(1))], centered=True, momentum=0.9)
    >>> opt.param_groups[0]["alpha"]
    0.99
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_hyper("RMSprop", "learning rate", lr, 0.0 <= lr)
        _check_hyper("RMSprop", "epsilon value", eps, 0.0 <= eps)
        _check_hyper("RMSprop", "momentum value", momentum, 0.0 <= momentum)
        _check_hyper("RMSprop", "weight_decay value", weight_decay, 0.0 <= weight_decay)
        _check_hyper("RMSprop", "alpha value", alpha, 0.0 <= alpha)
        _check_implementation_flags("RMSprop", foreach, None, differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, group, p):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = zeros((), dtype=_get_scalar_dtype())
            state["square_avg"] = zeros_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = zeros_like(p)
        return state

    @no_grad()
    def step(self, closure=None):
        """One RMSprop step over every parameter with a gradient; returns ``closure()``'s loss, if given.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(1))
        >>> rustorch.optim.RMSprop([w]).step(lambda: (w * 3).sum().backward())
        """
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self._init_state(group, p) for p in params]
            rmsprop(params, [p.grad for p in params], [s["square_avg"] for s in states],
                    [s["grad_avg"] for s in states] if group["centered"] else None,
                    [s["momentum_buffer"] for s in states] if group["momentum"] > 0 else None,
                    [s["step"] for s in states], lr=_to_scalar(group["lr"]), alpha=group["alpha"],
                    eps=group["eps"], weight_decay=group["weight_decay"], momentum=group["momentum"],
                    centered=group["centered"], maximize=group["maximize"], foreach=group["foreach"])
        return loss


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr, alpha, eps,
            weight_decay, momentum, centered, maximize, foreach=None):
    """The RMSprop update of ``params`` and their state in place (see :class:`RMSprop`); ``grad_avgs`` is None
    unless centered, ``momentum_buffer_list`` None without momentum.

    >>> import rustorch
    >>> p, g, v, t = rustorch.zeros(1), rustorch.ones(1), rustorch.zeros(1), rustorch.tensor(0.0)
    >>> rmsprop([p], [g], [v], None, None, [t], lr=0.01, alpha=0.99, eps=0.0, weight_decay=0, momentum=0,
    ...         centered=False, maximize=False)
    >>> p
    tensor([-0.1000])
    """
    for t in state_steps:
        t.add_(1)
    backend = _fused_backend("RMSprop", foreach, None, params, grads,
                             [square_avgs, grad_avgs, momentum_buffer_list])
    if backend is not None and _run_fused("RMSprop", None, lambda: backend.rmsprop_step(
            params, _contiguous(grads), square_avgs, grad_avgs if centered else None,
            momentum_buffer_list if momentum > 0 else None, lr, alpha, eps, weight_decay, momentum, maximize),
            params + square_avgs + (grad_avgs or []) + (momentum_buffer_list or [])):
        return
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        square_avg = square_avgs[i]
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        if centered:
            grad_avg = grad_avgs[i]
            grad_avg.lerp_(grad, 1 - alpha)
            avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        else:
            avg = square_avg.sqrt()
        avg = avg.add_(eps)
        if momentum > 0:
            buf = momentum_buffer_list[i]
            buf.mul_(momentum).addcdiv_(grad, avg)
            param.add_(buf, alpha=-lr)
        else:
            param.addcdiv_(grad, avg, value=-lr)
