"""Adam, with the AMSGrad variant and (``decoupled_weight_decay=True``) AdamW's weight decay.

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.tensor([1.0, -1.0]))
>>> opt = rustorch.optim.Adam([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w   # the first step moves each weight by lr
Parameter containing:
tensor([ 0.9000, -0.9000], requires_grad=True)
"""
from ..autograd.grad_mode import no_grad
from ..ops.creation import tensor, zeros_like
from ..ops.elementwise import maximum
from .optimizer import (
    Optimizer, _check_hyper, _check_implementation_flags, _closure_loss, _contiguous, _fused_backend,
    _get_scalar_dtype, _run_fused, _to_scalar,
)

__all__ = ["Adam", "adam"]


class Adam(Optimizer):
    """Adam, as torch.optim.Adam: with g the gradient (negated when ``maximize``), plus ``weight_decay * p``
    unless ``decoupled_weight_decay`` (AdamW: p *= 1 - lr * weight_decay instead), m = lerp(m, g, 1 - beta1),
    v = beta2 v + (1 - beta2) g^2 (v replaced by its running maximum with ``amsgrad``), and
    p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).

    The state of a parameter is torch's: ``step`` (a 0-d float32 tensor), ``exp_avg``, ``exp_avg_sq`` and
    ``max_exp_avg_sq`` (amsgrad). ``foreach`` / ``fused``: None (default) updates a group in one backend call
    where the backend has the kernel (CPU, float32/float64), False always runs the per-parameter steps, True
    requires the kernel (fused). ``capturable`` changes nothing here (there is no graph capture);
    ``differentiable=True`` is not supported.

    >>> import rustorch
    >>> w = rustorch.nn.Parameter(rustorch.ones(2))
    >>> opt = rustorch.optim.Adam([w], lr=0.5, amsgrad=True)
    >>> w.sum().backward(); opt.step(); w
    Parameter containing:
    tensor([0.5000, 0.5000], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False, fused=None, decoupled_weight_decay=False):
        name = type(self).__name__
        _check_hyper(name, "learning rate", lr, 0.0 <= lr)
        _check_hyper(name, "epsilon value", eps, 0.0 <= eps)
        _check_hyper(name, "beta parameter at index 0", betas[0], 0.0 <= betas[0] < 1.0)
        _check_hyper(name, "beta parameter at index 1", betas[1], 0.0 <= betas[1] < 1.0)
        _check_hyper(name, "weight_decay value", weight_decay, 0.0 <= weight_decay)
        _check_implementation_flags(name, foreach, fused, differentiable)
        defaults = {"lr": lr, "betas": tuple(map(_to_scalar, betas)), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _init_state(self, group, p):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_like(p)
        return state

    @no_grad()
    def step(self, closure=None):
        """One Adam step over every parameter with a gradient; returns ``closure()``'s loss, if given.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(1))
        >>> rustorch.optim.Adam([w]).step(lambda: (w * 3).sum().backward())
        """
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self._init_state(group, p) for p in params]
            beta1, beta2 = group["betas"]
            adam(params, [p.grad for p in params], [s["exp_avg"] for s in states],
                 [s["exp_avg_sq"] for s in states],
                 [s["max_exp_avg_sq"] for s in states] if group["amsgrad"] else None,
                 [s["step"] for s in states], amsgrad=group["amsgrad"], beta1=beta1, beta2=beta2,
                 lr=_to_scalar(group["lr"]), weight_decay=group["weight_decay"], eps=group["eps"],
                 maximize=group["maximize"], foreach=group["foreach"], fused=group["fused"],
                 decoupled_weight_decay=group["decoupled_weight_decay"])
        return loss


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad, beta1, beta2, lr,
         weight_decay, eps, maximize, foreach=None, fused=None, decoupled_weight_decay=False):
    """The Adam update of ``params`` and their state in place (see :class:`Adam`); ``state_steps`` are the 0-d
    step tensors, advanced by one.

    >>> import rustorch
    >>> p, g = rustorch.zeros(1), rustorch.ones(1)
    >>> m, v, t = rustorch.zeros(1), rustorch.zeros(1), rustorch.tensor(0.0)
    >>> adam([p], [g], [m], [v], None, [t], amsgrad=False, beta1=0.9, beta2=0.999, lr=0.1, weight_decay=0,
    ...      eps=1e-8, maximize=False)
    >>> p, t
    (tensor([-0.1000]), tensor(1.))
    """
    name = "AdamW" if decoupled_weight_decay else "Adam"
    beta1, beta2 = _to_scalar(beta1), _to_scalar(beta2)
    for t in state_steps:
        t.add_(1)
    steps = [t.item() for t in state_steps]
    # torch's non-capturable formulas, in Python floats
    step_sizes = [lr / (1 - beta1 ** s) for s in steps]
    bc2_sqrts = [(1 - beta2 ** s) ** 0.5 for s in steps]
    backend = _fused_backend(name, foreach, fused, params, grads, [exp_avgs, exp_avg_sqs, max_exp_avg_sqs])
    if backend is not None:
        l2, decay = (0.0, 1 - lr * weight_decay) if decoupled_weight_decay else (weight_decay, 1.0)
        if _run_fused(name, fused, lambda: backend.adam_step(
                params, _contiguous(grads), exp_avgs, exp_avg_sqs, max_exp_avg_sqs if amsgrad else None, step_sizes,
                bc2_sqrts, beta1, beta2, eps, l2, decay, maximize),
                params + exp_avgs + exp_avg_sqs + (max_exp_avg_sqs or [])):
            return
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg, exp_avg_sq = exp_avgs[i], exp_avg_sqs[i]
        if weight_decay != 0:
            if decoupled_weight_decay:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        if amsgrad:
            maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i])
            denom = (max_exp_avg_sqs[i].sqrt() / bc2_sqrts[i]).add_(eps)
        else:
            denom = (exp_avg_sq.sqrt() / bc2_sqrts[i]).add_(eps)
        param.addcdiv_(exp_avg, denom, value=-step_sizes[i])
