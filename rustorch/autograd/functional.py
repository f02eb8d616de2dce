"""Higher-level derivatives of functions: vjp, jvp, jacobian, hessian, hvp, vhp (torch.autograd.functional).

>>> import rustorch
>>> rustorch.autograd.functional.jacobian(lambda x: x ** 2, rustorch.tensor([1.0, 2.0]))
tensor([[2., 0.],
        [0., 4.]])
"""
from ..errors import AutogradError
from ..tensor import Tensor
from .engine import grad as autograd_grad
from .grad_mode import enable_grad


def _tuple(v, op, what):
    is_tuple = isinstance(v, (tuple, list))
    values = tuple(v) if is_tuple else (v,)
    for i, t in enumerate(values):
        if not isinstance(t, Tensor):
            raise AutogradError(f"{op}(): the {what} must be Tensors or a tuple of Tensors, but {what}[{i}] is a {type(t).__name__}")
    return is_tuple, values


def _prepare_inputs(inputs, create_graph):
    # fresh leaves (or differentiable aliases under create_graph) so that the caller's tensors keep their history
    return tuple(t if create_graph and t.requires_grad else t.detach().requires_grad_(True) for t in inputs)


def _grads(outputs, inputs, grad_outputs, create_graph, strict, op):
    from ..ops.creation import zeros_like

    differentiable = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not differentiable:
        if strict:
            raise AutogradError(f"{op}(): the output of the user-provided function is independent of the inputs; "
                                "this is not allowed in strict mode")
        return tuple(zeros_like(t) for t in inputs)
    grads = autograd_grad([o for o, _ in differentiable], inputs, [g for _, g in differentiable],
                          create_graph=create_graph, retain_graph=True, allow_unused=True)
    result = []
    for i, (t, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if strict:
                raise AutogradError(f"{op}(): the output of the user-provided function is independent of input {i}; "
                                    "this is not allowed in strict mode")
            g = zeros_like(t)
        result.append(g if create_graph else g.detach())
    return tuple(result)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product at ``inputs``.

    >>> import rustorch
    >>> out, g = rustorch.autograd.functional.vjp(lambda x: 3 * x, rustorch.ones(2), rustorch.tensor([1.0, 2.0]))
    >>> g
    tensor([3., 6.])
    """
    with enable_grad():
        inputs_tuple, inputs = _tuple(inputs, "vjp", "inputs")
        inputs = _prepare_inputs(inputs, create_graph)
        outputs_tuple, outputs = _tuple(func(*inputs), "vjp", "outputs")
        if v is None:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise AutogradError("vjp(): the vector v can only be None if the user-provided function returns a "
                                    "single Tensor with a single element")
            v = (None,)
        else:
            v = _tuple(v, "vjp", "v")[1]
        grads = _grads(outputs, inputs, v, create_graph, strict, "vjp")
    outputs = tuple(o if create_graph else o.detach() for o in outputs)
    return (outputs if outputs_tuple else outputs[0]), (grads if inputs_tuple else grads[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-vjp trick.

    >>> import rustorch
    >>> out, g = rustorch.autograd.functional.jvp(lambda x: x ** 2, rustorch.tensor([1.0, 2.0]), rustorch.ones(2))
    >>> g
    tensor([2., 4.])
    """
    from ..ops.creation import ones_like, zeros_like

    with enable_grad():
        inputs_tuple, inputs = _tuple(inputs, "jvp", "inputs")
        inputs = _prepare_inputs(inputs, create_graph)
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise AutogradError("jvp(): the vector v can only be None if the input to the user-provided function "
                                    "is a single Tensor with a single element")
            v = (ones_like(inputs[0]),)
        else:
            v = _tuple(v, "jvp", "v")[1]
        outputs_tuple, outputs = _tuple(func(*inputs), "jvp", "outputs")
        # u is a dummy cotangent: J^T u is linear in u, and its vjp against v is J v
        dummies = tuple(zeros_like(o).requires_grad_(True) for o in outputs)
        transposed = _grads(outputs, inputs, dummies, True, strict, "jvp")
        pairs = [(t, w) for t, w in zip(transposed, v) if t.requires_grad]
        if pairs:
            products = autograd_grad([t for t, _ in pairs], dummies, [w for _, w in pairs], create_graph=create_graph,
                                     retain_graph=True, allow_unused=True)
        else:
            products = (None,) * len(dummies)
        result = tuple((p if create_graph else p.detach()) if p is not None else zeros_like(o)
                       for p, o in zip(products, outputs))
    outputs = tuple(o if create_graph else o.detach() for o in outputs)
    return (outputs if outputs_tuple else outputs[0]), (result if outputs_tuple else result[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs`` (one backward per output element).

    For one input and one output a tensor of shape output.shape + input.shape; tuples of those otherwise.

    >>> import rustorch
    >>> rustorch.autograd.functional.jacobian(lambda x: x.sum() * x, rustorch.tensor([1.0, 2.0])).shape
    rustorch.Size([2, 2])
    """
    from ..ops.creation import zeros_like
    from ..ops.shape import stack

    if strategy != "reverse-mode":
        raise AutogradError(f"jacobian(): strategy {strategy!r} is not supported; rustorch computes Jacobians in reverse mode")
    with enable_grad():
        inputs_tuple, inputs = _tuple(inputs, "jacobian", "inputs")
        inputs = _prepare_inputs(inputs, create_graph)
        outputs_tuple, outputs = _tuple(func(*inputs), "jacobian", "outputs")
        blocks = []
        for out in outputs:
            rows = [[] for _ in inputs]
            for i in range(out.numel()):
                seed = zeros_like(out)
                seed.view(-1)[i] = 1  # one backward per output element: row i of the Jacobian
                for k, g in enumerate(_grads((out,), inputs, (seed,), create_graph, strict, "jacobian")):
                    rows[k].append(g)
            blocks.append(tuple(
                (stack(r) if r else zeros_like(t).reshape(0, *t.shape)).reshape(*out.shape, *t.shape)
                for r, t in zip(rows, inputs)))
    if not inputs_tuple:
        blocks = [b[0] for b in blocks]
    return tuple(blocks) if outputs_tuple else blocks[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function ``func`` at ``inputs``.

    >>> import rustorch
    >>> rustorch.autograd.functional.hessian(lambda x: (x ** 3).sum(), rustorch.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    inputs_tuple, _ = _tuple(inputs, "hessian", "inputs")

    def gradient(*values):
        out = func(*values)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise AutogradError("hessian(): the function given to hessian should return a single Tensor with a single element")
        grads = _grads((out,), values, (None,), True, strict, "hessian")
        return grads if inputs_tuple else grads[0]

    return jacobian(gradient, inputs, create_graph=create_graph, strict=strict)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar ``func``.

    >>> import rustorch
    >>> rustorch.autograd.functional.vhp(lambda x: (x ** 3).sum(), rustorch.tensor([1.0, 2.0]), rustorch.ones(2))[1]
    tensor([ 6., 12.])
    """
    with enable_grad():
        inputs_tuple, inputs = _tuple(inputs, "vhp", "inputs")
        inputs = _prepare_inputs(inputs, create_graph)
        out = func(*inputs)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise AutogradError("vhp(): the function given to vhp should return a single Tensor with a single element")
        v = _tuple(v, "vhp", "v")[1] if v is not None else None
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise AutogradError("vhp(): the vector v can only be None if the input is a single one-element Tensor")
            from ..ops.creation import ones_like

            v = (ones_like(inputs[0]),)
        first = _grads((out,), inputs, (None,), True, strict, "vhp")
        second = _grads(first, inputs, v, create_graph, strict, "vhp")
    out = out if create_graph else out.detach()
    return out, (second if inputs_tuple else second[0])


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar ``func`` (equal to vhp: a Hessian is symmetric).

    >>> import rustorch
    >>> rustorch.autograd.functional.hvp(lambda x: (x ** 3).sum(), rustorch.tensor([1.0, 2.0]), rustorch.ones(2))[1]
    tensor([ 6., 12.])
    """
    return vhp(func, inputs, v, create_graph, strict)


__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]
