"""Adamax: Adam with the infinity norm of past gradients in place of their root mean square.

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.tensor([1.0, -1.0]))
>>> opt = rustorch.optim.Adamax([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w   # the first step moves each weight by lr
Parameter containing:
tensor([ 0.9000, -0.9000], requires_grad=True)
"""
from ..autograd.grad_mode import no_grad
from ..ops.creation import tensor, zeros_like
from ..ops.elementwise import maximum
from .optimizer import (
    Optimizer, _check_hyper, _check_implementation_flags, _closure_loss, _get_scalar_dtype, _to_scalar,
)

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    """Adamax, as torch.optim.Adamax: with g the gradient (negated when ``maximize``) plus ``weight_decay * p``,
    m = lerp(m, g, 1 - beta1), u = max(beta2 u, |g| + eps) and p -= lr / (1 - beta1^t) * m / u.

    State: ``step``, ``exp_avg`` (m) and ``exp_inf`` (u). ``foreach`` is accepted (the per-parameter steps run
    either way); ``capturable`` changes nothing here; ``differentiable=True`` is not supported.

    >>> import rustorch
    >>> rustorch.optim.Adamax([rustorch.nn.Parameter(rustorch.ones(1))]).param_groups[0]["lr"]
    0.002
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_hyper("Adamax", "learning rate", lr, 0.0 <= lr)
        _check_hyper("Adamax", "epsilon value", eps, 0.0 <= eps)
        _check_hyper("Adamax", "beta parameter at index 0", betas[0], 0.0 <= betas[0] < 1.0)
        _check_hyper("Adamax", "beta parameter at index 1", betas[1], 0.0 <= betas[1] < 1.0)
        _check_hyper("Adamax", "weight_decay value", weight_decay, 0.0 <= weight_decay)
        _check_implementation_flags("Adamax", foreach, None, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, p):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
            state["exp_avg"] = zeros_like(p)
            state["exp_inf"] = zeros_like(p)
        return state

    @no_grad()
    def step(self, closure=None):
        """One Adamax step over every parameter with a gradient; returns ``closure()``'s loss, if given.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(1))
        >>> rustorch.optim.Adamax([w]).step(lambda: (w * 3).sum().backward())
        """
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self._init_state(p) for p in params]
            beta1, beta2 = group["betas"]
            adamax(params, [p.grad for p in params], [s["exp_avg"] for s in states], [s["exp_inf"] for s in states],
                   [s["step"] for s in states], eps=group["eps"], beta1=beta1, beta2=beta2,
                   lr=_to_scalar(group["lr"]), weight_decay=group["weight_decay"], maximize=group["maximize"])
        return loss


def adamax(params, grads, exp_avgs, exp_infs, state_steps, *, eps, beta1, beta2, lr, weight_decay, maximize,
           foreach=None):
    """The Adamax update of ``params`` and their state in place (see :class:`Adamax`).

    >>> import rustorch
    >>> p, g, t = rustorch.zeros(1), rustorch.ones(1), rustorch.tensor(0.0)
    >>> adamax([p], [g], [rustorch.zeros(1)], [rustorch.zeros(1)], [t], eps=0.0, beta1=0.9, beta2=0.999, lr=0.1,
    ...        weight_decay=0, maximize=False)
    >>> p
    tensor([-0.1000])
    """
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg, exp_inf = exp_avgs[i], exp_infs[i]
        state_steps[i].add_(1)
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        exp_avg.lerp_(grad, 1 - beta1)
        maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
        clr = lr / (1 - beta1 ** state_steps[i].item())
        param.addcdiv_(exp_avg, exp_inf, value=-clr)
