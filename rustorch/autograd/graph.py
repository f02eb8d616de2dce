"""The autograd graph: nodes, edges, saved tensors, and how an op records itself.

An op that ran on tensors requiring grad calls :func:`record` with its
backward formula: ``backward(node, grad, *saved)`` returns one gradient per
input (None where there is none). Formulas are written with tensor ops, so
that they are recorded in turn when ``create_graph=True``.

>>> import rustorch
>>> x = rustorch.ones(2, requires_grad=True)
>>> y = (x * 3).sum()
>>> y.grad_fn.name(), y.grad_fn.next_functions[0][0].name()
('SumBackward0', 'MulBackward0')
"""
import itertools
import weakref

from ..errors import AutogradError
from ..tensor import Tensor, _make
from .grad_mode import STATE


_sequence = itertools.count()


class _Anomaly:
    enabled = False
    check_nan = True


ANOMALY = _Anomaly()


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook."""

    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class SavedTensor:
    """A tensor kept for backward with the version it had; an output is kept as its layout, without its
    grad_fn, so that output -> node -> saved output is no reference cycle."""

    __slots__ = ("tensor", "layout", "version", "node", "output_nr")

    def __init__(self, t, output_of=None):
        self.version = t._storage.version
        if output_of is None:
            self.tensor = t
            self.layout = self.node = None
        else:
            self.tensor = None
            self.layout = (t._storage, t._shape, t._stride, t._offset, t.dtype)
            self.node = weakref.ref(output_of)
            self.output_nr = t._output_nr

    def release(self):
        self.tensor = self.layout = None

    def unpack(self, owner):
        t = self.tensor
        layout = self.layout
        if t is None and layout is None:
            raise AutogradError(
                "Trying to backward through the graph a second time (or directly access saved tensors after they "
                "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
                "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
                "or if you need to access saved tensors after calling backward."
            )
        storage = t._storage if t is not None else layout[0]
        if storage.version != self.version:
            shape = t._shape if t is not None else layout[1]
            dtype = t.dtype if t is not None else layout[4]
            producer = f"output {self.output_nr} of {owner.name()}" if self.node is not None else "an input of " + owner.name()
            raise AutogradError(
                "one of the variables needed for gradient computation has been modified by an inplace operation: "
                f"[{dtype} {list(shape)}], which is {producer}, is at version {storage.version}; expected "
                f"version {self.version} instead. Hint: the backtrace further above shows the operation that failed "
                "to compute its gradient. Use .clone() before the in-place op to keep the value."
            )
        if t is not None:
            return t
        alias = _make(*layout)
        node = self.node()
        if node is not None:
            alias.grad_fn = node
            alias.requires_grad = True
            if self.output_nr:
                alias._output_nr = self.output_nr
        return alias


def _saved(v, node, outs):
    is_output = v is outs[0] or (len(outs) > 1 and any(v is o for o in outs))
    return SavedTensor(v, node if is_output else None)


class Node:
    """One recorded op: its backward formula, the edges to its inputs' nodes and what it saved.

    ``next_functions`` holds one ``(node, output_nr)`` per input, ``(None, 0)`` where an input needs no grad.
    """

    __slots__ = ("_name", "_backward", "next_functions", "_input_meta", "needs_input_grad", "_saved",
                 "_sequence_nr", "__weakref__", "__dict__")
    # rarely set, so class defaults keep the constructor (run for every recorded op) short
    _n_outputs = 1
    _pre_hooks = _hooks = _tensor_hooks = _retained = None
    _has_hooks = False  # any of the hooks that run before the node (tensor hooks, retain_grad, pre-hooks)

    def __init__(self, name, backward):
        self._name = name
        self._backward = backward
        self._saved = ()
        self._sequence_nr = next(_sequence)

    def name(self):
        return self._name

    def __repr__(self):
        return f"<{self._name} object at {hex(id(self))}>"

    def _sequence(self):
        return self._sequence_nr

    @property
    def metadata(self):
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self.__dict__["_metadata"] = {}
        return d

    def connect(self, inputs):
        """Point the edges at each input's grad_fn (or its leaf accumulator)."""
        edges, meta, needs = [], [], []
        for v in inputs:
            if isinstance(v, Tensor) and v.requires_grad:
                edges.append(gradient_edge(v))
                meta.append((v._shape, v.dtype))
                needs.append(True)
            else:
                edges.append((None, 0))
                meta.append(None)
                needs.append(False)
        self.next_functions = tuple(edges)
        self._input_meta = meta
        self.needs_input_grad = tuple(needs)

    def save(self, values, outputs):
        """Keep ``values`` for backward; tensors with their version, outputs without a cycle through this node."""
        self._saved = tuple([_saved(v, self, outputs) if isinstance(v, Tensor) else v for v in values])

    def unpack_saved(self):
        values = []
        for s in self._saved:
            values.append(s.unpack(self) if type(s) is SavedTensor else s)
        return values

    def release(self):
        """Free the saved tensors (after a backward without retain_graph)."""
        for s in self._saved:
            if type(s) is SavedTensor or isinstance(s, Node):
                s.release()

    def apply(self, grads):
        """The input gradients for the output gradients ``grads`` (a list, one per output)."""
        result = self._backward(self, grads[0] if self._n_outputs == 1 else tuple(grads), *self.unpack_saved())
        if type(result) is not tuple:
            result = (result,)
        return result

    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` runs after this node; a returned tuple replaces grad_inputs."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node; a returned tuple replaces grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(hook)
        self._has_hooks = True
        return RemovableHandle(self._pre_hooks, hook)

    def add_tensor_hook(self, output_nr, hook):
        if self._tensor_hooks is None:
            self._tensor_hooks = {}
        hooks = self._tensor_hooks.setdefault(output_nr, [])
        hooks.append(hook)
        self._has_hooks = True
        return RemovableHandle(hooks, hook)


class AccumulateGrad(Node):
    """The node of a leaf: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        Node.__init__(self, "AccumulateGrad", None)
        self.variable = variable
        self.next_functions = ()
        self._input_meta = ()
        self.needs_input_grad = ()

    def apply(self, grads):
        accumulate_into(self.variable, grads[0])
        return ()


def accumulate_into(t, grad):
    """t.grad += grad (or t.grad = a copy of grad that owns its memory), recorded only under create_graph."""
    if t.grad is None:
        # a gradient nobody else holds is kept as it is; views (and the caller's own tensors) are copied
        t.grad = grad.detach() if not STATE.enabled and grad._base is None and grad.is_contiguous() else grad.clone()
    elif STATE.enabled:
        t.grad = t.grad + grad
    else:
        t.grad.add_(grad)


def gradient_edge(t):
    """Where a gradient for ``t`` goes: its grad_fn, or the accumulator of a leaf."""
    fn = t.grad_fn
    if fn is not None:
        if t._base is not None and t._view_version != t._storage.version:
            fn = refresh_view_history(t)
        return (fn, t._output_nr)
    ref = t._grad_acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._grad_acc = weakref.ref(acc)
    return (acc, 0)


def needs_grad(*values):
    """Whether an op on ``values`` must record: grad mode is on and a tensor among them requires grad."""
    if STATE.enabled:
        for v in values:
            if isinstance(v, Tensor) and v.requires_grad:
                return True
    return False


def record(name, backward, inputs, outputs, saved=()):
    """Make ``outputs`` (a tensor or a tuple of them) the results of a new node over ``inputs``.

    An output that is ``inputs[0]`` was written in place: it gets the new node as its history (its base does,
    through ``CopySlices``, when it is a view). Written flat, with plain loops: every recorded op runs it.
    """
    node = Node(name, backward)
    edges = []
    meta = []
    needs = []
    for v in inputs:
        if isinstance(v, Tensor) and v.requires_grad:
            fn = v.grad_fn
            edges.append((fn, v._output_nr) if fn is not None and v._base is None else gradient_edge(v))
            meta.append((v._shape, v.dtype))
            needs.append(True)
        else:
            edges.append(_NO_EDGE)
            meta.append(None)
            needs.append(False)
    node.next_functions = tuple(edges)
    node._input_meta = meta
    node.needs_input_grad = tuple(needs)
    if isinstance(outputs, Tensor):
        outs = (outputs,)
        _set_output(node, outputs, 0, inputs)
    else:
        outs = tuple(outputs)
        node._n_outputs = len(outs)
        for i, o in enumerate(outs):
            if o is not None:
                _set_output(node, o, i, inputs)
    if saved:
        kept = []
        for v in saved:
            kept.append(_saved(v, node, outs) if isinstance(v, Tensor) else v)
        node._saved = tuple(kept)
    if ANOMALY.enabled:
        import traceback

        node.metadata["traceback_"] = traceback.format_stack()[:-2]
    return node


def _set_output(node, t, i, inputs):
    if i == 0 and inputs and t is inputs[0]:
        rebase_history(t, node)
        return
    t.grad_fn = node
    t.requires_grad = True
    if i:
        t._output_nr = i
    if t._base is not None:
        t._view_version = t._storage.version


_NO_EDGE = (None, 0)


def check_inplace(op, t, inputs):
    """Before ``op`` writes into ``t`` (one of ``inputs`` or an out= tensor): True if the write must be recorded."""
    if not STATE.enabled:
        return False
    if inputs and t is inputs[0]:
        if t.requires_grad and t.grad_fn is None and t._base is None:
            raise AutogradError(f"{op}(): a leaf Variable that requires grad is being used in an in-place operation.")
        base = t._base
        if base is not None and base.requires_grad and base.grad_fn is None:
            raise AutogradError(f"{op}(): a view of a leaf Variable that requires grad is being used in an in-place operation.")
        return needs_grad(*inputs) or (base is not None and base.requires_grad)
    if needs_grad(*inputs) or t.requires_grad:
        raise AutogradError(
            f"{op}(): functions with out=... arguments don't support automatic differentiation, but one of the "
            "arguments requires grad."
        )
    return False


def rebase_history(t, node):
    """``t`` was overwritten in place by ``node``'s op: give it (or its base, if it is a view) the new history."""
    base = t._base
    if base is None:
        t.grad_fn = node
        t.requires_grad = True
        t._output_nr = 0
        return
    copy_slices = Node("CopySlices", _copy_slices_backward)
    copy_slices.connect((base,) + (None,) * (len(node.next_functions) - 1))
    copy_slices.next_functions = (copy_slices.next_functions[0],) + node.next_functions[1:]
    copy_slices._input_meta[1:] = node._input_meta[1:]
    copy_slices.needs_input_grad = (copy_slices.needs_input_grad[0],) + node.needs_input_grad[1:]
    copy_slices._saved = (_Geometry(base), _Geometry(t), node)
    base.grad_fn = copy_slices
    base.requires_grad = True
    base._output_nr = 0
    t.grad_fn = record_view_of_base(base, t)
    t.requires_grad = True
    t._output_nr = 0
    t._view_version = t._storage.version


def refresh_view_history(view):
    """A view whose storage was written in place since its history was recorded: its gradient now flows through
    its base's current history (torch regenerates a view's grad_fn the same way)."""
    base = view._base
    if base.requires_grad:
        view.grad_fn = record_view_of_base(base, view)
        view._output_nr = 0
    view._view_version = view._storage.version
    return view.grad_fn


class _Geometry:
    """Shape, strides and offset of a tensor, to lay a gradient out the same way on a fresh storage."""

    __slots__ = ("shape", "stride", "offset")

    def __init__(self, t):
        self.shape, self.stride, self.offset = t._shape, t._stride, t._offset

    def zeros_storage(self, like):
        """A flat zero tensor on ``like``'s device, large enough to hold this geometry."""
        from ..ops.creation import zeros

        extent = self.offset + 1 + sum((n - 1) * s for n, s in zip(self.shape, self.stride)) if all(self.shape) else 0
        return zeros(extent, dtype=like.dtype, device=like.device)

    def on(self, flat):
        # taken anew after each write into flat, so that under create_graph it carries flat's latest history
        return flat.as_strided(self.shape, self.stride, self.offset)


def _copy_slices_backward(node, grad, base_geometry, view_geometry, fn):
    from ..ops.creation import copy_

    flat = base_geometry.zeros_storage(grad)
    copy_(base_geometry.on(flat), grad)
    fn_grads = fn.apply([view_geometry.on(flat).clone()])
    if fn_grads[0] is None:
        view_geometry.on(flat).zero_()
    else:
        copy_(view_geometry.on(flat), fn_grads[0])
    return (base_geometry.on(flat),) + tuple(fn_grads[1:])


def record_view_of_base(base, view):
    """A node giving ``view``'s gradient to ``base`` (the view's history after an in-place write through it)."""
    node = Node("AsStridedBackward0", _view_of_base_backward)
    node.connect((base,))
    node._saved = (_Geometry(base), _Geometry(view))
    return node


def _view_of_base_backward(node, grad, base_geometry, view_geometry):
    from ..ops.creation import copy_

    flat = base_geometry.zeros_storage(grad)
    copy_(view_geometry.on(flat), grad)
    return base_geometry.on(flat)


__all__ = ["Node", "AccumulateGrad", "SavedTensor", "RemovableHandle", "record", "needs_grad",
           "check_inplace", "gradient_edge"]
