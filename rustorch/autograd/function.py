"""User-defined differentiable ops, as torch.autograd.Function.

>>> import rustorch
>>> class Cube(rustorch.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, grad):
...         (x,) = ctx.saved_tensors
...         return grad * 3 * x ** 2
>>> x = rustorch.tensor([2.0], requires_grad=True)
>>> Cube.apply(x).backward(); x.grad
tensor([12.])
"""
import functools

from ..errors import AutogradError
from ..tensor import Tensor, _make
from .grad_mode import STATE, no_grad
from .graph import Node, record, rebase_history


class FunctionCtx:
    """What ``forward`` gets as ``ctx``: save tensors for backward and mark outputs."""

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise AutogradError(f"save_for_backward(): can only save tensors or None, got {type(t).__name__}; "
                                    "store other values as attributes of ctx")
        self.to_save = tensors

    def mark_dirty(self, *tensors):
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The node (and ctx) of one ``Function.apply`` call."""

    def __init__(self, function):
        Node.__init__(self, function.__name__ + "Backward", None)
        self._function = function
        self.to_save = ()
        self.dirty_tensors = ()
        self.non_differentiable = ()
        self.materialize_grads = True
        self._output_meta = ()

    @property
    def saved_tensors(self):
        return tuple(self.unpack_saved())

    def apply(self, grads):
        if self.materialize_grads:
            from ..ops.creation import zeros

            grads = [zeros(m[0], dtype=m[1], device=m[2]) if g is None and m is not None else g
                     for g, m in zip(grads, self._output_meta)]
        result = self._function.backward(self, *grads)
        if type(result) is not tuple:
            result = (result,)
        expected = len(self.next_functions)
        if len(result) > expected and all(g is None for g in result[expected:]):
            result = result[:expected]
        if len(result) != expected:
            raise AutogradError(f"function {self.name()} returned an incorrect number of gradients "
                                f"(expected {expected}, got {len(result)})")
        return result


class Function:
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call ``apply``.

    ``forward`` may instead take no ctx when the class defines ``setup_context(ctx, inputs, output)``.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = BackwardCFunction(cls)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        separate_setup = cls.setup_context is not Function.setup_context
        with no_grad():
            outputs = cls.forward(*args, **kwargs) if separate_setup else cls.forward(ctx, *args, **kwargs)
        if separate_setup:
            cls.setup_context(ctx, args, outputs)
        if not (STATE.enabled and any(ctx.needs_input_grad)):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        ctx.connect(args)
        ctx._n_outputs = len(outs)
        wrapped = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                wrapped.append(o)
                continue
            dirty = any(o is d for d in ctx.dirty_tensors)
            if not dirty and any(o is a for a in args):
                # an input returned as is becomes a new alias, so that the input keeps its own history
                o = _make(o._storage, o._shape, o._stride, o._offset, o.dtype, o if o._base is None else o._base)
            differentiable = (o.dtype.is_floating_point or o.dtype.is_complex) and \
                not any(o is n for n in ctx.non_differentiable)
            if dirty:
                if not (args and o is args[0]) and o._base is not None:
                    raise AutogradError(f"{ctx.name()}: a tensor marked dirty must be the first input when it is a view")
                if args and o is args[0]:
                    rebase_history(o, ctx)
                else:
                    _set_history(o, ctx, i)
            elif differentiable:
                _set_history(o, ctx, i)
            wrapped.append(o)
        ctx._output_meta = [(o._shape, o.dtype, o.device) if isinstance(o, Tensor) else None for o in wrapped]
        ctx.save(ctx.to_save, wrapped)
        return wrapped[0] if single else tuple(wrapped)


def _set_history(t, node, output_nr):
    t.grad_fn = node
    t.requires_grad = True
    t._output_nr = output_nr
    if t._base is not None:
        t._view_version = t._storage.version


def once_differentiable(backward):
    """Decorate a backward that is not itself differentiable: a double backward through it raises.

    >>> import rustorch
    >>> class Square(rustorch.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     @rustorch.autograd.function.once_differentiable
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * grad
    >>> x = rustorch.tensor([3.0], requires_grad=True)
    >>> rustorch.autograd.grad(Square.apply(x), x)
    (tensor([6.]),)
    """
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            result = backward(ctx, *grads)
        if not STATE.enabled:
            return result
        inputs = [g for g in grads if isinstance(g, Tensor) and g.requires_grad]
        if not inputs:
            return result
        outs = result if isinstance(result, tuple) else (result,)
        tensors = tuple(o for o in outs if isinstance(o, Tensor) and (o.dtype.is_floating_point or o.dtype.is_complex))
        if tensors:
            record("DelayedError", _delayed_error, tuple(inputs), tensors)
        return result

    return wrapper


def _delayed_error(node, grad):
    raise AutogradError("trying to differentiate twice a function that was marked with @once_differentiable")


__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable"]
