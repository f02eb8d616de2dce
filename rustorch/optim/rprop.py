"""Rprop: resilient backpropagation, per-weight step sizes adapted from the signs of successive gradients.

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.tensor([1.0, -1.0]))
>>> opt = rustorch.optim.Rprop([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
Parameter containing:
tensor([ 0.9000, -0.9000], requires_grad=True)
"""
from ..autograd.grad_mode import no_grad
from ..ops.creation import full_like, zeros, zeros_like
from .optimizer import (
    Optimizer, _check_hyper, _check_implementation_flags, _closure_loss, _get_scalar_dtype, _to_scalar,
)

__all__ = ["Rprop", "rprop"]


class Rprop(Optimizer):
    """Rprop, as torch.optim.Rprop: each weight's step size grows by etaplus while its gradient (negated when
    ``maximize``) keeps its sign and shrinks by etaminus when the sign flips (then that gradient counts as 0),
    clamped to ``step_sizes``; p -= sign(g) * step size. Step sizes start at lr.

    State: ``step``, ``prev`` (the previous gradient) and ``step_size``. ``foreach`` is accepted (the
    per-parameter steps run either way); ``capturable`` changes nothing here; ``differentiable=True`` is not
    supported.

    >>> import rustorch
    >>> rustorch.optim.Rprop([rustorch.nn.Parameter(rustorch.ones(1))]).param_groups[0]["etas"]
    (0.5, 1.2)
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        _check_hyper("Rprop", "learning rate", lr, 0.0 <= lr)
        _check_hyper("Rprop", "eta values", f"{etas[0]}, {etas[1]}", 0.0 < etas[0] < 1.0 < etas[1])
        _check_implementation_flags("Rprop", foreach, None, differentiable)
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, group, p):
        state = self.state[p]
        if len(state) == 0:
            state["step"] = zeros((), dtype=_get_scalar_dtype())
            state["prev"] = zeros_like(p)
            state["step_size"] = full_like(p.grad, _to_scalar(group["lr"]))
        return state

    @no_grad()
    def step(self, closure=None):
        """One Rprop step over every parameter with a gradient; returns ``closure()``'s loss, if given.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(1))
        >>> rustorch.optim.Rprop([w]).step(lambda: (w * 3).sum().backward())
        """
        loss = _closure_loss(closure)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            states = [self._init_state(group, p) for p in params]
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            rprop(params, [p.grad for p in params], [s["prev"] for s in states], [s["step_size"] for s in states],
                  [s["step"] for s in states], step_size_min=step_size_min, step_size_max=step_size_max,
                  etaminus=etaminus, etaplus=etaplus, maximize=group["maximize"])
        return loss


def rprop(params, grads, prevs, step_sizes, state_steps, *, step_size_min, step_size_max, etaminus, etaplus,
          maximize=False, foreach=None):
    """The Rprop update of ``params`` and their state in place (see :class:`Rprop`).

    >>> import rustorch
    >>> p, g, size, t = rustorch.zeros(2), rustorch.tensor([1.0, -2.0]), rustorch.full((2,), 0.1), rustorch.tensor(0.0)
    >>> rprop([p], [g], [rustorch.zeros(2)], [size], [t], step_size_min=1e-6, step_size_max=50, etaminus=0.5,
    ...       etaplus=1.2)
    >>> p
    tensor([-0.1000,  0.1000])
    """
    for i, param in enumerate(params):
        grad = grads[i] if not maximize else -grads[i]
        prev, step_size = prevs[i], step_sizes[i]
        state_steps[i].add_(1)
        sign = grad.mul(prev).sign()
        sign[sign.gt(0)] = etaplus
        sign[sign.lt(0)] = etaminus
        sign[sign.eq(0)] = 1
        step_size.mul_(sign).clamp_(step_size_min, step_size_max)
        # where the gradient's sign flipped, this step neither moves the weight nor counts as the previous sign
        grad = grad.clone()
        grad[sign.eq(etaminus)] = 0
        param.addcmul_(grad.sign(), step_size, value=-1)
        prev.copy_(grad)
