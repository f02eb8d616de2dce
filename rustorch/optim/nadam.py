"""NAdam: Adam with Nesterov momentum (and a momentum schedule).

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.tensor([1.0, -1.0]))
>>> opt = rustorch.optim.NAdam([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
Parameter containing:
tensor([ 0.8944, -0.8944], requires_grad=True)
"""
from ..autograd.grad_mode import no_grad
from ..ops.creation import tensor, zeros_like
from .optimizer import (
    Optimizer, _check_hyper, _check_implementation_flags, _closure_loss, _get_scalar_dtype, _to_scalar,
)

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    """NAdam, as torch.optim.NAdam: Adam's moments m and v of g (the gradient, negated when ``maximize``, plus
    ``weight_decay * p`` unless ``decoupled_weight_decay``, which shrinks p by lr * weight_decay instead), with
    the momentum mu_t = beta1 (1 - 0.96^(t momentum_decay) / 2) and its running product prod_t:
    p -= lr ((1 - mu_t) / (1 - prod_t) g + mu_{t+1} / (1 - prod_t mu_{t+1}) m) / (sqrt(v / (1 - beta2^t)) + eps).

    State: ``step``, ``mu_product`` (0-d tensors), ``exp_avg`` and ``exp_avg_sq``. ``foreach`` is accepted (the
    per-parameter steps run either way); ``capturable`` changes nothing here; ``differentiable=True`` is not
    supported.

    >>> import rustorch
    >>> rustorch.optim.NAdam([rustorch.nn.Parameter(rustorch.ones(1))]).param_groups[0]["momentum_decay"]
    0.004
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_hyper("NAdam", "learning rate", lr, 0.0 <= lr)
        _check_hyper("NAdam", "epsilon value", eps, 0.0 <= eps)
        _check_hyper("NAdam", "beta parameter at index 0", betas[0], 0.0 <= betas[0] < 1.0)
        _check_hyper("NAdam", "beta parameter at index 1", betas[1], 0.0 <= betas[1] < 1.0)
        _check_hyper("NAdam", "weight_decay value", weight_decay, 0.0 <= weight_decay)
        _check_hyper("NAdam", "momentum_decay value", momentum_decay, 0.0 <= momentum_decay)
        _check_implementation_flags("NAdam", foreach, None, differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    _scalar_state_keys = ("step", "mu_product")

    def _init_state(self, p):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
            state["mu_product"] = tensor(1.0, dtype=_get_scalar_dtype())
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
        return state

    @no_grad()
    def step(self, closure=None):
        """One NAdam step over every parameter with a gradient; returns ``closure()``'s loss, if given.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(1))
        >>> rustorch.optim.NAdam([w]).step(lambda: (w * 3).sum().backward())
        """
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self._init_state(p) for p in params]
            beta1, beta2 = group["betas"]
            nadam(params, [p.grad for p in params], [s["exp_avg"] for s in states],
                  [s["exp_avg_sq"] for s in states], [s["mu_product"] for s in states], [s["step"] for s in states],
                  beta1=beta1, beta2=beta2, lr=_to_scalar(group["lr"]), weight_decay=group["weight_decay"],
                  momentum_decay=group["momentum_decay"], eps=group["eps"],
                  decoupled_weight_decay=group["decoupled_weight_decay"], maximize=group["maximize"])
        return loss


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2, lr, weight_decay,
          momentum_decay, eps, decoupled_weight_decay=False, maximize=False, foreach=None):
    """The NAdam update of ``params`` and their state in place (see :class:`NAdam`).

    >>> import rustorch
    >>> p, g, mu, t = rustorch.zeros(1), rustorch.ones(1), rustorch.tensor(1.0), rustorch.tensor(0.0)
    >>> nadam([p], [g], [rustorch.zeros(1)], [rustorch.zeros(1)], [mu], [t], beta1=0.9, beta2=0.999, lr=0.1,
    ...       weight_decay=0, momentum_decay=0.004, eps=1e-8)
    >>> p, mu
    (tensor([-0.1056]), tensor(0.4501))
    """
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        exp_avg, exp_avg_sq, mu_product = exp_avgs[i], exp_avg_sqs[i], mu_products[i]
        state_steps[i].add_(1)
        step = state_steps[i].item()
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            if decoupled_weight_decay:
                param.mul_(1 - lr * weight_decay)
            else:
                grad = grad.add(param, alpha=weight_decay)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product.mul_(mu)  # a 0-d tensor of the scalar dtype: torch rounds the running product to it
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt()
        product = mu_product.item()
        mu_product_next = product * mu_next
        denom.add_(eps)
        param.addcdiv_(grad, denom, value=(-lr * (1.0 - mu) / (1.0 - product)))
        param.addcdiv_(exp_avg, denom, value=(-lr * mu_next) / (1.0 - mu_product_next))
