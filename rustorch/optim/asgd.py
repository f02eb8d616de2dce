"""ASGD: averaged stochastic gradient descent (the running average of the iterates is kept in ``ax``).

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.tensor([1.0, -1.0]))
>>> opt = rustorch.optim.ASGD([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
Parameter containing:
tensor([ 0.8000, -0.8000], requires_grad=True)
"""
from ..autograd.grad_mode import no_grad
from ..ops.creation import ones, tensor, zeros, zeros_like
from .optimizer import (
    Optimizer, _check_hyper, _check_implementation_flags, _closure_loss, _get_scalar_dtype, _to_scalar,
)

__all__ = ["ASGD", "asgd"]


class ASGD(Optimizer):
    """Averaged SGD, as torch.optim.ASGD: with g the gradient (negated when ``maximize``) plus
    ``weight_decay * p``, p = p (1 - lambd eta) - eta g, then ax moves to p (ax += mu (p - ax), or ax = p while
    mu is 1); eta = lr / (1 + lambd lr t)^alpha and mu = 1 / max(1, t - t0) for the next step.

    State: ``step``, ``eta``, ``mu`` (0-d tensors of the scalar dtype, whose rounding torch's steps inherit) and
    ``ax``. ``foreach`` is accepted (the per-parameter steps run either way); ``capturable`` changes nothing
    here; ``differentiable=True`` is not supported.

    >>> import rustorch
    >>> rustorch.optim.ASGD([rustorch.nn.Parameter(rustorch.ones(1))]).param_groups[0]["t0"]
    1000000.0
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check_hyper("ASGD", "learning rate", lr, 0.0 <= lr)
        _check_hyper("ASGD", "weight_decay value", weight_decay, 0.0 <= weight_decay)
        _check_implementation_flags("ASGD", foreach, None, differentiable)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    _scalar_state_keys = ("step", "eta", "mu")

    def _init_state(self, group, p):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = zeros((), dtype=_get_scalar_dtype())
            state["eta"] = tensor(_to_scalar(group["lr"]), dtype=_get_scalar_dtype())
            state["mu"] = ones((), dtype=_get_scalar_dtype())
            state["ax"] = zeros_like(p)
        return state

    @no_grad()
    def step(self, closure=None):
        """One ASGD step over every parameter with a gradient; returns ``closure()``'s loss, if given.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(1))
        >>> rustorch.optim.ASGD([w]).step(lambda: (w * 3).sum().backward())
        """
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self._init_state(group, p) for p in params]
            asgd(params, [p.grad for p in params], [s["ax"] for s in states], [s["mu"] for s in states],
                 [s["eta"] for s in states], [s["step"] for s in states], lambd=group["lambd"],
                 lr=_to_scalar(group["lr"]), t0=group["t0"], alpha=group["alpha"],
                 weight_decay=group["weight_decay"], maximize=group["maximize"])
        return loss


def asgd(params, grads, axs, mus, etas, state_steps, *, lambd, lr, t0, alpha, weight_decay, maximize,
         foreach=None):
    """The ASGD update of ``params`` and their state in place (see :class:`ASGD`).

    >>> import rustorch
    >>> p, g, ax = rustorch.ones(1), rustorch.ones(1), rustorch.zeros(1)
    >>> mu, eta, t = rustorch.tensor(1.0), rustorch.tensor(0.5), rustorch.tensor(0.0)
    >>> asgd([p], [g], [ax], [mu], [eta], [t], lambd=0.0, lr=0.5, t0=1e6, alpha=0.75, weight_decay=0,
    ...      maximize=False)
    >>> p, ax
    (tensor([0.5000]), tensor([0.5000]))
    """
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        mu, ax, eta, step_t = mus[i], axs[i], etas[i], state_steps[i]
        step_t.add_(1)
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        eta_value = eta.item()
        param.mul_(1 - lambd * eta_value)
        param.add_(grad, alpha=-eta_value)
        if mu.item() != 1:
            ax.add_(param.sub(ax).mul_(mu))
        else:
            ax.copy_(param)
        step = step_t.item()
        eta.fill_(lr / ((1 + lambd * lr * step) ** alpha))
        mu.fill_(1 / max(1, step - t0))
