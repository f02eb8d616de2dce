"""The backward engine: runs the graph from the outputs to the leaves, iteratively.

A node runs once every node that feeds it a gradient has run (dependency
counting), so a graph of any depth needs no recursion.

>>> import rustorch
>>> x = rustorch.tensor([1.0, 2.0], requires_grad=True)
>>> rustorch.autograd.grad((x * x).sum(), x)
(tensor([2., 4.]),)
"""
from ..errors import AutogradError, ShapeError
from ..tensor import Tensor, _make
from .grad_mode import STATE
from .graph import ANOMALY, AccumulateGrad, accumulate_into, gradient_edge


def _as_tuple(v):
    if v is None:
        return ()
    if isinstance(v, Tensor):
        return (v,)
    return tuple(v)


def _root_grads(op, outputs, grads, create_graph):
    from ..ops.creation import ones_like

    if len(grads) != len(outputs):
        raise ShapeError(f"{op}(): got {len(grads)} grad_outputs for {len(outputs)} outputs")
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if not isinstance(out, Tensor):
            raise AutogradError(f"{op}(): element {i} of the outputs is a {type(out).__name__}, not a Tensor")
        if not out.requires_grad:
            raise AutogradError(f"{op}(): element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out.numel() != 1:
                raise AutogradError(f"{op}(): grad can be implicitly created only for scalar outputs (output {i} has shape {list(out._shape)})")
            g = ones_like(out)
        else:
            if not isinstance(g, Tensor):
                raise AutogradError(f"{op}(): grad_outputs[{i}] must be a Tensor or None, got {type(g).__name__}")
            if g._shape != out._shape:
                raise ShapeError(
                    f"{op}(): Mismatch in shape: grad_output[{i}] has a shape of {list(g._shape)} and output[{i}] has a "
                    f"shape of {list(out._shape)}."
                )
            if g.dtype.is_complex != out.dtype.is_complex:
                raise AutogradError(f"{op}(): For complex Tensors, both grad_output and output are required to have the "
                                 f"same dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and output[{i}] "
                                 f"has a dtype of {out.dtype}.")
            if g.dtype is not out.dtype:
                g = g.to(out.dtype)  # torch casts a gradient to its output's dtype
            elif not create_graph:
                g = _make(g._storage, g._shape, g._stride, g._offset, g.dtype, g)  # an alias, so it is never kept as .grad
        result.append(g)
    return result


def _reduce_to(node, i, g, meta):
    """``g`` summed over broadcast dims and cast to the input's dtype; an error if it cannot be."""
    shape, dtype = meta
    if g._shape != shape:
        lead = len(g._shape) - len(shape)
        if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, g._shape[lead:])):
            raise AutogradError(f"Function {node.name()} returned an invalid gradient at index {i} - got {list(g._shape)} "
                             f"but expected shape compatible with {list(shape)}")
        dims = list(range(lead)) + [lead + k for k, s in enumerate(shape) if s == 1 and g._shape[lead + k] != 1]
        if dims:
            g = g.sum(dims, keepdim=True)
        if g._shape != shape:
            g = g.reshape(shape)
    if g.dtype is not dtype:
        if g.dtype.is_complex and not dtype.is_complex:
            g = g.real
        g = g.to(dtype)
    return g


def _check_nan(node, grads):
    from ..ops.elementwise import isnan

    for i, g in enumerate(grads):
        if isinstance(g, Tensor) and (g.dtype.is_floating_point or g.dtype.is_complex) and bool(isnan(g).any()):
            trace = "".join(node.metadata.get("traceback_", ()))
            raise AutogradError(f"Function '{node.name()}' returned nan values in its {i}th output."
                             + (f"\nThe forward call that created it:\n{trace}" if trace else ""))


def _run_hooks(node, grads):
    if node._tensor_hooks:
        for nr, hooks in node._tensor_hooks.items():
            for hook in list(hooks):
                if grads[nr] is not None:
                    r = hook(grads[nr])
                    if r is not None:
                        grads[nr] = r
    if node._retained:
        for nr, ref in node._retained.items():
            t = ref()
            if t is not None and grads[nr] is not None:
                t.grad = grads[nr].clone() if t.grad is None else t.grad + grads[nr]
    if node._pre_hooks:
        for hook in list(node._pre_hooks):
            r = hook(tuple(grads))
            if r is not None:
                grads[:] = list(r)


def _leaf_hooks(t, grad):
    for hook in list(t._hooks):
        r = hook(grad)
        if r is not None:
            grad = r
    return grad


def execute(roots, root_grads, keep_graph, create_graph, targets=None, accumulate=True):
    """Run backward from ``roots`` (edges) with ``root_grads``.

    ``targets`` maps edges to lists of slots: the gradient arriving at each is captured (and, when ``accumulate``
    is False, not passed on to leaves); only nodes leading to a target then run. Returns the captured list.
    """
    nodes_needed = None
    deps = dict.fromkeys([n for n, _ in roots], 0)  # node -> how many gradients it still waits for
    stack = list(deps)
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is not None:
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                    stack.append(nxt)
    captured = None
    if targets is not None:
        captured = [None] * sum(len(slots) for slots in targets.values())
        target_nodes = {n for n, _ in targets}
        nodes_needed = _needed(list(deps), deps, target_nodes)
        deps = {}
        for node in nodes_needed:
            for nxt, _ in node.next_functions:
                if nxt in nodes_needed:
                    deps[nxt] = deps.get(nxt, 0) + 1

    buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_outputs
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    ready = [n for n in buffers if not deps.get(n)]

    previous = STATE.enabled
    STATE.enabled = create_graph
    check_nan = ANOMALY.enabled and ANOMALY.check_nan
    pop, push, take_buffer, get_buffer = ready.pop, ready.append, buffers.pop, buffers.get
    try:
        while ready:
            node = pop()
            grads = take_buffer(node, None)
            if grads is None:
                grads = [None] * node._n_outputs
            is_leaf = type(node) is AccumulateGrad
            if is_leaf:
                if grads[0] is not None and node.variable._hooks:
                    grads[0] = _leaf_hooks(node.variable, grads[0])
            elif node._has_hooks:
                _run_hooks(node, grads)
            if targets is not None:
                for nr, g in enumerate(grads):
                    for slot in targets.get((node, nr), ()):
                        captured[slot] = g
                if node not in nodes_needed or (is_leaf and not accumulate):
                    continue
            edges = node.next_functions
            if grads[0] is None and (len(grads) == 1 or all(g is None for g in grads)):
                outs = (None,) * len(edges)
            else:
                outs = node.apply(grads)
                if len(outs) != len(edges):
                    outs = _check_count(node, outs)
                if node._hooks:
                    for hook in list(node._hooks):
                        r = hook(outs, tuple(grads))
                        if r is not None:
                            outs = tuple(r)
                if check_nan:
                    _check_nan(node, outs)
            if not keep_graph and node._saved:
                node.release()
            delivered = set() if len(outs) > 1 and not create_graph else None
            meta = node._input_meta
            for i, g in enumerate(outs):
                nxt, nr = edges[i]
                if nxt is None or (nodes_needed is not None and nxt not in nodes_needed):
                    continue
                if g is not None:
                    shape, dtype = meta[i]
                    if g._shape != shape or g.dtype is not dtype:
                        g = _reduce_to(node, i, g, meta[i])
                    if delivered is not None:
                        # one tensor sent down two edges must not become two leaves' .grad (an alias gets copied)
                        if id(g) in delivered:
                            g = _make(g._storage, g._shape, g._stride, g._offset, g.dtype, g)
                        delivered.add(id(g))
                    buf = get_buffer(nxt)
                    if buf is None:
                        if nxt._n_outputs == 1:
                            buffers[nxt] = [g]
                        else:
                            buf = buffers[nxt] = [None] * nxt._n_outputs
                            buf[nr] = g
                    else:
                        buf[nr] = g if buf[nr] is None else buf[nr] + g
                d = deps[nxt] - 1
                deps[nxt] = d
                if not d:
                    push(nxt)
    finally:
        STATE.enabled = previous
    return captured


def _check_count(node, outs):
    """A formula may return extra trailing Nones; any other count is an error."""
    expected = len(node.next_functions)
    if len(outs) < expected or any(g is not None for g in outs[expected:]):
        raise AutogradError(f"function {node.name()} returned an incorrect number of gradients "
                            f"(expected {expected}, got {len(outs)})")
    return outs[:expected]


def _needed(nodes, deps, target_nodes):
    """The nodes from which a target can be reached (a target included)."""
    remaining = dict(deps)
    order = [n for n in nodes if not remaining.get(n)]
    i = 0
    while i < len(order):
        for nxt, _ in order[i].next_functions:
            if nxt is not None:
                remaining[nxt] -= 1
                if not remaining[nxt]:
                    order.append(nxt)
        i += 1
    needed = set()
    for node in reversed(order):
        if node in target_nodes or any(nxt in needed for nxt, _ in node.next_functions if nxt is not None):
            needed.add(node)
    return needed


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves (or only of ``inputs``).

    >>> import rustorch
    >>> x = rustorch.ones(3, requires_grad=True)
    >>> rustorch.autograd.backward((x * 2).sum()); x.grad
    tensor([2., 2., 2.])
    """
    outputs = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    root_grads = _root_grads("backward", outputs, grads, create_graph)
    roots = [gradient_edge(t) for t in outputs]
    if inputs is None:
        execute(roots, root_grads, retain_graph, create_graph)
        return
    inputs = _as_tuple(inputs)
    if not inputs:
        raise AutogradError("backward(): 'inputs' argument to backward() cannot be empty.")
    targets = {}
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise AutogradError(f"backward(): input {i} does not require grad")
        targets.setdefault(gradient_edge(t), []).append(i)
    captured = execute(roots, root_grads, retain_graph, create_graph, targets, accumulate=True)
    for t, g in zip(inputs, captured):
        if g is not None and t.grad_fn is not None:
            accumulate_into(t, g)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned instead of accumulated.

    >>> import rustorch
    >>> x = rustorch.tensor(3.0, requires_grad=True)
    >>> (g,) = rustorch.autograd.grad(x ** 3, x, create_graph=True)
    >>> rustorch.autograd.grad(g, x)
    (tensor(18.),)
    """
    if is_grads_batched:
        raise NotImplementedError("grad(): is_grads_batched=True is not supported by rustorch")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    targets = {}
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise AutogradError(f"grad(): inputs[{i}] is a {type(t).__name__}, not a Tensor")
        if not t.requires_grad:
            raise AutogradError(f"grad(): One of the differentiated Tensors (input {i}) does not require grad")
        targets.setdefault(gradient_edge(t), []).append(i)
    root_grads = _root_grads("grad", outputs, grads, create_graph)
    roots = [gradient_edge(t) for t in outputs]
    captured = execute(roots, root_grads, retain_graph, create_graph, targets, accumulate=False)
    result = []
    for i, (t, g) in enumerate(zip(inputs, captured)):
        if g is None:
            if materialize_grads:
                from ..ops.creation import zeros_like

                g = zeros_like(t)
            elif not allow_unused:
                raise AutogradError(f"grad(): One of the differentiated Tensors (input {i}) appears to not have been used "
                                 "in the graph. Set allow_unused=True if this is the desired behavior.")
        result.append(g)
    return tuple(result)


__all__ = ["backward", "grad"]
