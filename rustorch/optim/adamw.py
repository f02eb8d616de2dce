"""AdamW: Adam with decoupled weight decay (the parameter shrinks by lr * weight_decay each step).

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.tensor([1.0, -1.0]))
>>> opt = rustorch.optim.AdamW([w], lr=0.1, weight_decay=0.5)
>>> (w * w).sum().backward(); opt.step(); w   # 1 * (1 - 0.1 * 0.5) - 0.1
Parameter containing:
tensor([ 0.8500, -0.8500], requires_grad=True)
"""
from .adam import Adam, adam

__all__ = ["AdamW", "adamw"]


class AdamW(Adam):
    """AdamW, as torch.optim.AdamW: :class:`Adam` with ``decoupled_weight_decay=True`` (p *= 1 - lr * weight_decay
    before the Adam update, instead of adding ``weight_decay * p`` to the gradient); weight_decay defaults to 1e-2.

    >>> import rustorch
    >>> opt = rustorch.optim.AdamW([rustorch.nn.Parameter(rustorch.ones(1))])
    >>> opt.param_groups[0]["weight_decay"], opt.param_groups[0]["decoupled_weight_decay"]
    (0.01, True)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


def adamw(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad, beta1, beta2, lr,
          weight_decay, eps, maximize, foreach=None, fused=None):
    """The AdamW update in place: :func:`rustorch.optim.adam.adam` with decoupled weight decay.

    >>> import rustorch
    >>> p, g = rustorch.ones(1), rustorch.ones(1)
    >>> m, v, t = rustorch.zeros(1), rustorch.zeros(1), rustorch.tensor(0.0)
    >>> adamw([p], [g], [m], [v], None, [t], amsgrad=False, beta1=0.9, beta2=0.999, lr=0.1, weight_decay=1.0,
    ...       eps=1e-8, maximize=False)
    >>> p
    tensor([0.8000])
    """
    adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, amsgrad=amsgrad, beta1=beta1,
         beta2=beta2, lr=lr, weight_decay=weight_decay, eps=eps, maximize=maximize, foreach=foreach, fused=fused,
         decoupled_weight_decay=True)
