"""Adadelta: steps scaled by the ratio of running root mean squares of past updates and gradients.

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.tensor([1.0, -1.0]))
>>> opt = rustorch.optim.Adadelta([w], eps=0.01)
>>> (w * w).sum().backward(); opt.step(); w
Parameter containing:
tensor([ 0.6877, -0.6877], requires_grad=True)
"""
from ..autograd.grad_mode import no_grad
from ..ops.creation import zeros, zeros_like
from .optimizer import (
    Optimizer, _check_hyper, _check_implementation_flags, _closure_loss, _get_scalar_dtype, _to_scalar,
)

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as torch.optim.Adadelta: with g the gradient (negated when ``maximize``) plus ``weight_decay * p``,
    v = rho v + (1 - rho) g^2, delta = sqrt(u + eps) / sqrt(v + eps) * g, u = rho u + (1 - rho) delta^2 and
    p -= lr * delta.

    State: ``step``, ``square_avg`` (v) and ``acc_delta`` (u). ``foreach`` is accepted (the per-parameter steps
    run either way); ``capturable`` changes nothing here; ``differentiable=True`` is not supported.

    >>> import rustorch
    >>> rustorch.optim.Adadelta([rustorch.nn.Parameter(rustorch.ones(1))]).param_groups[0]["rho"]
    0.9
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check_hyper("Adadelta", "learning rate", lr, 0.0 <= lr)
        _check_hyper("Adadelta", "rho value", rho, 0.0 <= rho <= 1.0)
        _check_hyper("Adadelta", "epsilon value", eps, 0.0 <= eps)
        _check_hyper("Adadelta", "weight_decay value", weight_decay, 0.0 <= weight_decay)
        _check_implementation_flags("Adadelta", foreach, None, differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, p):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = zeros((), dtype=_get_scalar_dtype())
            state["square_avg"] = zeros_like(p)
            state["acc_delta"] = zeros_like(p)
        return state

    @no_grad()
    def step(self, closure=None):
        """One Adadelta step over every parameter with a gradient; returns ``closure()``'s loss, if given.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(1))
        >>> rustorch.optim.Adadelta([w]).step(lambda: (w * 3).sum().backward())
        """
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self._init_state(p) for p in params]
            adadelta(params, [p.grad for p in params], [s["square_avg"] for s in states],
                     [s["acc_delta"] for s in states], [s["step"] for s in states], lr=_to_scalar(group["lr"]),
                     rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                     maximize=group["maximize"])
        return loss


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr, rho, eps, weight_decay, maximize,
             foreach=None):
    """The Adadelta update of ``params`` and their state in place (see :class:`Adadelta`).

    >>> import rustorch
    >>> p, g, t = rustorch.zeros(1), rustorch.ones(1), rustorch.tensor(0.0)
    >>> adadelta([p], [g], [rustorch.zeros(1)], [rustorch.zeros(1)], [t], lr=1.0, rho=0.0, eps=1.0,
    ...          weight_decay=0, maximize=False)
    >>> p   # -sqrt(0 + 1) / sqrt(1 + 1) * 1
    tensor([-0.7071])
    """
    for param, grad, square_avg, acc_delta, step in zip(params, grads, square_avgs, acc_deltas, state_steps):
        step.add_(1)
        grad = grad if not maximize else -grad
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        std = square_avg.add(eps).sqrt_()
        delta = acc_delta.add(eps).sqrt_()
        delta.div_(std).mul_(grad)
        acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
        param.add_(delta, alpha=-lr)
