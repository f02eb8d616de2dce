"""The Optimizer base class: parameter groups, per-parameter state, hooks and torch-compatible state dicts.

A state dict has torch's structure, so one written by torch (its tensors converted through NumPy) loads
here and the reverse: ``{'state': {index: {name: value}}, 'param_groups': [{..., 'params': [index, ...]}]}``
with parameters numbered in group order and the state tensors named as torch names them.

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.ones(2))
>>> opt = rustorch.optim.SGD([w], lr=0.5)
>>> w.sum().backward()
>>> opt.step()
>>> w
Parameter containing:
tensor([0.5000, 0.5000], requires_grad=True)
"""
import functools
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

from .. import _dtype
from ..autograd.grad_mode import enable_grad
from ..errors import InvalidArgumentError, InvalidTypeError, ValueOutOfRangeError
from ..nn.modules.module import _hook_ids, _ModuleHookHandle
from ..ops.creation import tensor
from ..tensor import Tensor


class _RequiredParameter:
    """The default of an option that every parameter group must set."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


def _add_hook(hooks, hook, prepend=False):
    key = next(_hook_ids)
    hooks[key] = hook
    if prepend:
        hooks.move_to_end(key, last=False)
    return _ModuleHookHandle(hooks, key)


def register_optimizer_step_pre_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's ``step``; it may return new
    ``(args, kwargs)``. Returns a handle whose ``remove()`` unregisters it.

    >>> import rustorch
    >>> handle = rustorch.optim.optimizer.register_optimizer_step_pre_hook(lambda opt, args, kwargs: None)
    >>> handle.remove()
    """
    return _add_hook(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's ``step``.

    >>> import rustorch
    >>> handle = rustorch.optim.optimizer.register_optimizer_step_post_hook(lambda opt, args, kwargs: None)
    >>> handle.remove()
    """
    return _add_hook(_global_optimizer_post_hooks, hook)


def _to_scalar(x):
    """A hyperparameter as a Python number (a one-element tensor's value; numbers stay as they are)."""
    return x.item() if isinstance(x, Tensor) else x


def _get_scalar_dtype():
    """The dtype of the 0-d state tensors (``step``, ...): float64 under a float64 default dtype, else float32,
    as torch."""
    return _dtype.float64 if _dtype.get_default_dtype() is _dtype.float64 else _dtype.float32


def _check_implementation_flags(name, foreach=None, fused=None, differentiable=False):
    """torch's keywords that choose an implementation: reject the combinations rustorch does not run."""
    if differentiable:
        raise InvalidArgumentError(f"{name}(): differentiable=True is not supported: rustorch optimizers step under "
                                   "no_grad (differentiate through an update written with tensor ops instead)")
    if fused and foreach:
        raise ValueOutOfRangeError(f"{name}(): `fused` and `foreach` cannot be `True` together.")


def _check_hyper(name, what, value, ok):
    if not ok:
        raise InvalidArgumentError(f"{name}(): Invalid {what}: {value}")


def _fused_backend(name, foreach, fused, params, grads, state_lists):
    """The backend whose fused step updates these parameters in one call, or None for the per-parameter steps.

    torch's choice: foreach=None and fused=None take the fast path where it exists, foreach=False never does,
    and fused=True requires it. It exists when the parameters, their gradients and their state tensors (the
    lists in ``state_lists``; None lists and entries are skipped) are on one device and of one floating dtype,
    and the parameters and state are contiguous (the caller makes the gradients contiguous); the backend may
    still decline a dtype.
    """
    if not params or (foreach is False and not fused):
        return None
    first = params[0]
    device, dtype = first._storage.device, first.dtype
    tensors = chain(params, *(lst for lst in state_lists if lst is not None))
    ok = (dtype.is_floating_point
          and all(t is None or (t._storage.device == device and t.dtype is dtype and t.is_contiguous())
                  for t in tensors)
          and all(g._storage.device == device and g.dtype is dtype for g in grads))
    if not ok:
        if fused:
            raise ValueOutOfRangeError(
                f"{name}(): `fused=True` requires the parameters, gradients and state to be floating point tensors "
                f"of one dtype and device, the parameters and state contiguous; got parameters of "
                f"{sorted({str(p.dtype) for p in params})} on {sorted({str(p.device) for p in params})}")
        return None
    return first._storage.backend


def _run_fused(name, fused, run, written):
    """Call ``run()`` (a backend's fused step) and bump the version of every tensor in ``written``; False when
    the backend declines (NotImplementedError), which fused=True turns into an error."""
    try:
        run()
    except NotImplementedError:
        if fused:
            raise ValueOutOfRangeError(f"{name}(): `fused=True` is not supported by this backend for this dtype; "
                                       "use fused=None") from None
        return False
    for t in written:
        if t is not None:
            t._bump_version()
    return True


def _contiguous(tensors):
    return [t if t.is_contiguous() else t.contiguous() for t in tensors]


class Optimizer:
    """Base class of the optimizers: ``param_groups`` (each a dict of options with its ``params``) and ``state``
    (a dict from parameter to its state), as torch.optim.Optimizer.

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts that define parameter groups
    (each with ``params`` and any options that override ``defaults``).

    >>> import rustorch
    >>> a, b = rustorch.nn.Parameter(rustorch.ones(1)), rustorch.nn.Parameter(rustorch.ones(1))
    >>> opt = rustorch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.1}], lr=1.0)
    >>> [g["lr"] for g in opt.param_groups]
    [1.0, 0.1]
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise InvalidTypeError("params argument given to the optimizer should be an iterable of Tensors or "
                                   f"dicts, but got {type(params).__name__}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise InvalidArgumentError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for hooks in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks", "_optimizer_state_dict_pre_hooks",
                      "_optimizer_state_dict_post_hooks", "_optimizer_load_state_dict_pre_hooks",
                      "_optimizer_load_state_dict_post_hooks"):
            self.__dict__.setdefault(hooks, OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)
        # a state dict from an older torch may miss newer options, or hold its 0-d state as Python numbers
        for group in self.param_groups:
            for key, value in self.defaults.items():
                if value is not required:
                    group.setdefault(key, value)
            for p in group["params"]:
                p_state = self.state.get(p)
                for key in self._scalar_state_keys:
                    if p_state and key in p_state and not isinstance(p_state[key], Tensor):
                        p_state[key] = tensor(float(p_state[key]), dtype=_get_scalar_dtype())

    # 0-d float state tensors (torch keeps them as tensors; an old state dict may hold numbers)
    _scalar_state_keys = ("step",)

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    # hooks --------------------------------------------------------------------------------------------
    def _patch_step_function(self):
        # as torch: the class's step runs the step hooks (patched once per class)
        cls = self.__class__
        if not getattr(cls.step, "hooked", False):
            cls.step = _hooked_step(cls.step)
            cls.step.hooked = True

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs before ``step``; it may return new ``(args, kwargs)``.

        >>> import rustorch
        >>> opt = rustorch.optim.SGD([rustorch.nn.Parameter(rustorch.ones(1))])
        >>> opt.register_step_pre_hook(lambda o, args, kwargs: print("stepping")).remove()
        """
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs after ``step``.

        >>> import rustorch
        >>> opt = rustorch.optim.SGD([rustorch.nn.Parameter(rustorch.ones(1))])
        >>> handle = opt.register_step_post_hook(lambda o, args, kwargs: print("stepped"))
        >>> opt.step()
        stepped
        """
        return _add_hook(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer)`` runs before ``state_dict()`` builds the dict.

        >>> import rustorch
        >>> opt = rustorch.optim.SGD([rustorch.nn.Parameter(rustorch.ones(1))])
        >>> opt.register_state_dict_pre_hook(lambda o: None).remove()
        """
        return _add_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict)`` runs on the dict ``state_dict()`` built; it may return a new one.

        >>> import rustorch
        >>> opt = rustorch.optim.SGD([rustorch.nn.Parameter(rustorch.ones(1))])
        >>> _ = opt.register_state_dict_post_hook(lambda o, sd: {**sd, "note": 1})
        >>> opt.state_dict()["note"]
        1
        """
        return _add_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict)`` runs before ``load_state_dict``; it may return the dict to load.

        >>> import rustorch
        >>> opt = rustorch.optim.SGD([rustorch.nn.Parameter(rustorch.ones(1))])
        >>> opt.register_load_state_dict_pre_hook(lambda o, sd: None).remove()
        """
        return _add_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer)`` runs after ``load_state_dict``.

        >>> import rustorch
        >>> opt = rustorch.optim.SGD([rustorch.nn.Parameter(rustorch.ones(1))])
        >>> opt.register_load_state_dict_post_hook(lambda o: None).remove()
        """
        return _add_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # state dicts --------------------------------------------------------------------------------------
    def state_dict(self):
        """The optimizer's state as torch lays it out: ``state`` maps each parameter's index (numbered across the
        groups in order) to its state dict; ``param_groups`` holds each group's options with ``params`` as index
        lists. The state tensors are the optimizer's own (not copies), as torch.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(2))
        >>> opt = rustorch.optim.Adam([w], lr=0.1)
        >>> w.sum().backward(); opt.step()
        >>> sd = opt.state_dict()
        >>> sorted(sd["state"][0]), sd["state"][0]["step"], sd["param_groups"][0]["params"]
        (['exp_avg', 'exp_avg_sq', 'step'], tensor(1.), [0])
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param, value, param_id, param_groups, key=None):
        # floating state follows the parameter's dtype and device, except 'step' (torch keeps it as saved)
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                return value.to(dtype=_dtype.float32, device=param.device)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)

    def load_state_dict(self, state_dict):
        """Load a state dict from ``state_dict()`` (or torch's, its tensors converted): the groups' options are
        replaced and each state tensor is matched to a parameter by index and cast to its dtype and device.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(2))
        >>> opt = rustorch.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> w.sum().backward(); opt.step()
        >>> other = rustorch.optim.SGD([w], lr=0.5, momentum=0.9)
        >>> other.load_state_dict(opt.state_dict())
        >>> other.param_groups[0]["lr"], other.state[w]["momentum_buffer"]
        (0.1, tensor([1., 1.]))
        """
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise InvalidArgumentError(f"load_state_dict(): loaded state dict has {len(saved_groups)} parameter "
                                       f"groups, the optimizer has {len(groups)}")
        for i, (g, s) in enumerate(zip(groups, saved_groups)):
            if len(g["params"]) != len(s["params"]):
                raise InvalidArgumentError(
                    f"load_state_dict(): loaded state dict contains a parameter group that doesn't match the size of "
                    f"optimizer's group: group {i} has {len(s['params'])} parameters, the optimizer's "
                    f"{len(g['params'])}")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def _cast(param, value, param_id=None, key=None):
            # a copy of value's structure with every tensor cast to the parameter's dtype and device
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(param, value, param_id,
                                                                           state_dict["param_groups"], key)
            if isinstance(value, dict):
                return {k: _cast(param, v, param_id, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(_cast(param, v, param_id) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v, k)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # gradients and steps ------------------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of the optimized tensors: to None (default), or to zeros in place.

        >>> import rustorch
        >>> w = rustorch.nn.Parameter(rustorch.ones(2))
        >>> opt = rustorch.optim.SGD([w])
        >>> w.sum().backward(); opt.zero_grad(); w.grad is None
        True
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        if p.grad.grad_fn is not None:
                            p.grad.detach_()
                        else:
                            p.grad.requires_grad_(False)
                        p.grad.zero_()

    def step(self, closure=None):
        """Perform one optimization step (the optimizers define it); ``closure`` re-evaluates the model and
        returns the loss.

        >>> import rustorch
        >>> rustorch.optim.Optimizer.step.__doc__ is not None
        True
        """
        raise NotImplementedError

    def add_param_group(self, param_group):
        """Add a group (a dict with ``params`` and options that override the defaults) to ``param_groups``.

        >>> import rustorch
        >>> opt = rustorch.optim.SGD([rustorch.nn.Parameter(rustorch.ones(1))], lr=0.1)
        >>> opt.add_param_group({"params": [rustorch.nn.Parameter(rustorch.ones(1))], "lr": 0.01})
        >>> [g["lr"] for g in opt.param_groups]
        [0.1, 0.01]
        """
        if not isinstance(param_group, dict):
            raise InvalidTypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise InvalidTypeError("optimizer parameters need to be organized in ordered collections, but the "
                                   "ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise InvalidArgumentError("all optimizer params should be with/without names. Some param names "
                                           "are missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise InvalidTypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                       f"{type(param).__name__}")
            if not (param.is_leaf or param.retains_grad):
                raise InvalidArgumentError("can't optimize a non-leaf Tensor")
            if param.dtype.is_complex:
                raise InvalidArgumentError(f"{type(self).__name__}(): complex parameters are not supported "
                                           f"(got {param.dtype}); optimize the real and imaginary parts as real "
                                           "tensors")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise InvalidArgumentError(f"parameter group didn't specify a value of required optimization "
                                           f"parameter {name}")
            param_group.setdefault(name, default)
        if len({id(p) for p in tensors}) != len(tensors):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        param_set = set()
        for group in self.param_groups:
            param_set.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise InvalidArgumentError(f"all optimizer param groups should be with/without names. cannot add "
                                           f"param group {which} to the optimizer")
        if not param_set.isdisjoint(id(p) for p in tensors):
            raise InvalidArgumentError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)


def _hooked_step(step):
    """``step`` wrapped to run the global and the optimizer's step hooks around it, as torch."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        for pre_hook in chain(_global_optimizer_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise ValueOutOfRangeError(f"{step} must return None or a tuple of (new_args, new_kwargs), but "
                                               f"got {result}.")
                args, kwargs = result
        out = step(self, *args, **kwargs)
        self._opt_called = True  # read by the lr schedulers' check that optimizer.step() came first
        for post_hook in chain(self._optimizer_step_post_hooks.values(), _global_optimizer_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    return wrapper


def _closure_loss(closure):
    """The loss from ``closure`` (evaluated with gradients enabled), or None."""
    if closure is None:
        return None
    with enable_grad():
        return closure()
