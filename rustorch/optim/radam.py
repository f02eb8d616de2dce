"""RAdam: Adam with a rectified (variance-corrected) adaptive learning rate.

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.tensor([1.0, -1.0]))
>>> opt = rustorch.optim.RAdam([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w   # early steps are plain momentum steps
Parameter containing:
tensor([ 0.8000, -0.8000], requires_grad=True)
"""
from ..autograd.grad_mode import no_grad
from ..ops.creation import tensor, zeros_like
from .optimizer import (
    Optimizer, _check_hyper, _check_implementation_flags, _closure_loss, _get_scalar_dtype, _to_scalar,
)

__all__ = ["RAdam", "radam"]


class RAdam(Optimizer):
    """RAdam, as torch.optim.RAdam: Adam's moments m and v of g (the gradient, negated when ``maximize``, plus
    ``weight_decay * p`` unless ``decoupled_weight_decay``, which shrinks p by lr * weight_decay instead); while
    the variance estimate is unreliable (rho_t <= 5) p -= lr m / (1 - beta1^t), after that the step is scaled by
    the rectification term and sqrt(1 - beta2^t) / (sqrt(v) + eps).

    State: ``step``, ``exp_avg`` and ``exp_avg_sq``. ``foreach`` is accepted (the per-parameter steps run either
    way); ``capturable`` changes nothing here; ``differentiable=True`` is not supported.

    >>> import rustorch
    >>> rustorch.optim.RAdam([rustorch.nn.Parameter(rustorch.ones(1))]).param_groups[0]["betas"]
    (0.9, 0.999)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        _check_hyper("RAdam", "learning rate", lr, 0.0 <= lr)
        _check_hyper("RAdam", "epsilon value", eps, 0.0 <= eps)
        _check_hyper("RAdam", "beta parameter at index 0", betas[0], 0.0 <= betas[0] < 1.0)
        _check_hyper("RAdam", "beta parameter at index 1", betas[1], 0.0 <= betas[1] < 1.0)
        _check_hyper("RAdam", "weight_decay value", weight_decay, 0.0 <= weight_decay)
        _check_implementation_flags("RAdam", foreach, None, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable, "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, p):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
        return state

    @no_grad()
    def step(self, closure=None):
        """One RAdam step over every parameter with a gradient; returns ``closure()``'s loss, if given.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(1))
        >>> rustorch.optim.RAdam([w]).step(lambda: (w * 3).sum().backward())
        """
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self._init_state(p) for p in params]
            beta1, beta2 = group["betas"]
            radam(params, [p.grad for p in params], [s["exp_avg"] for s in states],
                  [s["exp_avg_sq"] for s in states], [s["step"] for s in states], beta1=beta1, beta2=beta2,
                  lr=_to_scalar(group["lr"]), weight_decay=group["weight_decay"], eps=group["eps"],
                  decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
        return loss


def radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2, lr, weight_decay, eps,
          decoupled_weight_decay=False, maximize=False, foreach=None):
    """The RAdam update of ``params`` and their state in place (see :class:`RAdam`).

    >>> import rustorch
    >>> p, g, t = rustorch.zeros(1), rustorch.ones(1), rustorch.tensor(0.0)
    >>> radam([p], [g], [rustorch.zeros(1)], [rustorch.zeros(1)], [t], beta1=0.9, beta2=0.999, lr=0.1,
    ...       weight_decay=0, eps=1e-8)
    >>> p
    tensor([-0.1000])
    """
    rho_inf = 2 / (1 - beta2) - 1
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg, exp_avg_sq = exp_avgs[i], exp_avg_sqs[i]
        state_steps[i].add_(1)
        step = state_steps[i].item()
        if weight_decay != 0:
            if decoupled_weight_decay:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        bias_corrected_exp_avg = exp_avg / bias_correction1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive_lr = (bias_correction2 ** 0.5) / exp_avg_sq.sqrt().add_(eps)
            param.add_(bias_corrected_exp_avg * lr * adaptive_lr * rect, alpha=-1.0)
        else:
            param.add_(bias_corrected_exp_avg * lr, alpha=-1.0)
