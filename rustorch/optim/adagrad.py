"""Adagrad: steps scaled by the root of the sum of all past squared gradients.

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.tensor([1.0, -1.0]))
>>> opt = rustorch.optim.Adagrad([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w   # the first step moves each weight by lr
Parameter containing:
tensor([ 0.9000, -0.9000], requires_grad=True)
"""
from ..autograd.grad_mode import no_grad
from ..ops.creation import full_like, tensor
from .optimizer import (
    Optimizer, _check_hyper, _check_implementation_flags, _closure_loss, _contiguous, _fused_backend,
    _get_scalar_dtype, _run_fused, _to_scalar,
)

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    """Adagrad, as torch.optim.Adagrad: with g the gradient (negated when ``maximize``) plus ``weight_decay * p``,
    s += g^2 and p -= clr * g / (sqrt(s) + eps), clr = lr / (1 + (t - 1) * lr_decay) at step t; s starts at
    ``initial_accumulator_value``.

    State (made for every parameter at construction, as torch): ``step`` and ``sum``. ``foreach`` / ``fused``:
    None (default) updates a group in one backend call where the backend has the kernel (CPU, float32/float64),
    False runs the per-parameter steps, True requires the kernel (fused). ``differentiable=True`` is not
    supported.

    >>> import rustorch
    >>> w = rustorch.nn.Parameter(rustorch.ones(1))
    >>> opt = rustorch.optim.Adagrad([w], initial_accumulator_value=0.5)
    >>> opt.state[w]["sum"]
    tensor([0.5000])
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_hyper("Adagrad", "learning rate", lr, 0.0 <= lr)
        _check_hyper("Adagrad", "lr_decay value", lr_decay, 0.0 <= lr_decay)
        _check_hyper("Adagrad", "weight_decay value", weight_decay, 0.0 <= weight_decay)
        _check_hyper("Adagrad", "initial_accumulator_value value", initial_accumulator_value,
                     0.0 <= initial_accumulator_value)
        _check_hyper("Adagrad", "epsilon value", eps, 0.0 <= eps)
        _check_implementation_flags("Adagrad", foreach, fused, differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = tensor(0.0, dtype=_get_scalar_dtype())
            state["sum"] = full_like(p, self.defaults["initial_accumulator_value"])
        return state

    @no_grad()
    def step(self, closure=None):
        """One Adagrad step over every parameter with a gradient; returns ``closure()``'s loss, if given.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(1))
        >>> rustorch.optim.Adagrad([w]).step(lambda: (w * 3).sum().backward())
        """
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self._init_state(p) for p in params]
            adagrad(params, [p.grad for p in params], [s["sum"] for s in states], [s["step"] for s in states],
                    lr=_to_scalar(group["lr"]), weight_decay=group["weight_decay"], lr_decay=group["lr_decay"],
                    eps=group["eps"], maximize=group["maximize"], foreach=group["foreach"], fused=group["fused"])
        return loss


def adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps, maximize, foreach=None,
            fused=None):
    """The Adagrad update of ``params`` and their sums in place (see :class:`Adagrad`).

    >>> import rustorch
    >>> p, g, s, t = rustorch.zeros(1), rustorch.full((1,), 2.0), rustorch.zeros(1), rustorch.tensor(0.0)
    >>> adagrad([p], [g], [s], [t], lr=0.5, weight_decay=0, lr_decay=0, eps=0.0, maximize=False)
    >>> p, s
    (tensor([-0.5000]), tensor([4.]))
    """
    for t in state_steps:
        t.add_(1)
    clrs = [lr / (1 + (t.item() - 1) * lr_decay) for t in state_steps]
    backend = _fused_backend("Adagrad", foreach, fused, params, grads, [state_sums])
    if backend is not None and _run_fused("Adagrad", fused, lambda: backend.adagrad_step(
            params, _contiguous(grads), state_sums, clrs, eps, weight_decay, maximize), params + state_sums):
        return
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        if weight_decay != 0:
            grad = grad.add(param, alpha=weight_decay)
        state_sums[i].addcmul_(grad, grad, value=1)
        std = state_sums[i].sqrt().add_(eps)
        param.addcdiv_(grad, std, value=-clrs[i])
