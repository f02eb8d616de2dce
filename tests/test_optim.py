"""rustorch.optim against torch.optim: parameter trajectories, the fused and per-parameter paths, state dicts
that load across the two libraries, parameter groups, hooks and bad input."""
import copy
import warnings

import numpy as np
import pytest
import torch

import rustorch
from rustorch.errors import InvalidArgumentError, InvalidTypeError, ValueOutOfRangeError

DTYPES = {"float32": (torch.float32, rustorch.float32, np.float32), "float64": (torch.float64, rustorch.float64,
                                                                                np.float64)}
# relative tolerance of a trajectory (per tensor, against its largest value), as the issue asks
TRAJECTORY_RTOL = {"float32": 1e-5, "float64": 1e-6}
# on a GPU backend the GEMMs and reductions sum in another order than torch's CPU kernels, and 100 steps grow that
# rounding (RMSprop centered with momentum reaches 1.1e-5 in float32 on OpenCL, its fused step bit-identical to
# the CPU's)
GPU_TRAJECTORY_RTOL = {"float32": 3e-5, "float64": 1e-6}

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.3)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.95), maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.002, alpha=0.9, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.01)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.01, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.01, decoupled_weight_decay=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, t0=20, lambd=1e-3, weight_decay=0.01)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-4, 1.0), maximize=True)),
]


def _case_id(case):
    name, kw = case
    return name + "".join(f"-{k}={v}" for k, v in kw.items())


def _models(dtype, seed=0, device="cpu"):
    """Linear(4, 8) - Tanh - Linear(8, 2) in both libraries, rustorch holding torch's weights (on ``device``)."""
    th_dt, rt_dt, _ = DTYPES[dtype]
    torch.manual_seed(seed)
    th = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).to(th_dt)
    rt = rustorch.nn.Sequential(rustorch.nn.Linear(4, 8), rustorch.nn.Tanh(), rustorch.nn.Linear(8, 2)).to(rt_dt)
    rt.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    return th, rt.to(device)


def _data(dtype, seed=0, device="cpu"):
    rng = np.random.default_rng(seed)
    np_dt = DTYPES[dtype][2]
    x, y = rng.standard_normal((16, 4)).astype(np_dt), rng.standard_normal((16, 2)).astype(np_dt)
    return (torch.tensor(x), torch.tensor(y)), (rustorch.tensor(x, device=device), rustorch.tensor(y, device=device))


def _train(lib, model, opt, data, steps, sign=1):
    """``steps`` steps on the MSE loss (times ``sign``: -1 for a maximizing optimizer, so that it still descends)."""
    x, y = data
    for _ in range(steps):
        if isinstance(opt, (torch.optim.LBFGS, rustorch.optim.LBFGS)):
            def closure():
                opt.zero_grad()
                loss = lib.nn.functional.mse_loss(model(x), y) * sign
                loss.backward()
                return loss

            opt.step(closure)
        else:
            opt.zero_grad()
            (lib.nn.functional.mse_loss(model(x), y) * sign).backward()
            opt.step()


def _assert_close_params(rt_params, th_params, rtol):
    for r, t in zip(rt_params, th_params):
        a, b = r.detach().cpu().numpy(), t.detach().cpu().numpy()
        scale = max(np.abs(b).max(), 1e-30)
        err = np.abs(a.astype(np.float64) - b).max() / scale
        assert err <= rtol, f"relative error {err:.2e} > {rtol:.0e}"


@pytest.fixture
def one_thread():
    """Both libraries on one thread: the models here are tiny, and on a small shared machine the thread pools
    that spin between parallel regions only slow the comparison down."""
    saved = rustorch.get_num_threads(), torch.get_num_threads()
    rustorch.set_num_threads(1)
    torch.set_num_threads(1)
    yield
    rustorch.set_num_threads(saved[0])
    torch.set_num_threads(saved[1])


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("foreach", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_trajectory_matches_torch(case, dtype, foreach, device):
    name, kw = case
    th_model, rt_model = _models(dtype, device=device)
    start = [p.detach().clone() for p in th_model.parameters()]
    th_data, rt_data = _data(dtype, device=device)
    th_opt = getattr(torch.optim, name)(th_model.parameters(), foreach=foreach, **kw)
    rt_opt = getattr(rustorch.optim, name)(rt_model.parameters(), foreach=foreach, **kw)
    sign = -1 if kw.get("maximize") else 1
    _train(torch, th_model, th_opt, th_data, 100, sign)
    _train(rustorch, rt_model, rt_opt, rt_data, 100, sign)
    moved = max(float((p.detach() - s).abs().max()) for p, s in zip(th_model.parameters(), start))
    assert moved > 1e-3, "the parameters hardly moved: the comparison would prove nothing"
    rtol = (TRAJECTORY_RTOL if device == "cpu" else GPU_TRAJECTORY_RTOL)[dtype]
    _assert_close_params(rt_model.parameters(), th_model.parameters(), rtol)


# L-BFGS compounds rounding (a quasi-Newton step divides by curvature estimates): float64 over 10 steps of 5
# iterations, float32 over 2 steps
@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("dtype,steps", [("float32", 2), ("float64", 10)])
@pytest.mark.parametrize("kw", [dict(max_iter=5), dict(max_iter=5, line_search_fn="strong_wolfe"),
                                dict(lr=0.5, max_iter=4, history_size=3)], ids=["fixed", "strong_wolfe", "history3"])
def test_lbfgs_trajectory_matches_torch(kw, dtype, steps):
    th_model, rt_model = _models(dtype)
    th_data, rt_data = _data(dtype)
    th_opt = torch.optim.LBFGS(th_model.parameters(), **kw)
    rt_opt = rustorch.optim.LBFGS(rt_model.parameters(), **kw)
    _train(torch, th_model, th_opt, th_data, steps)
    _train(rustorch, rt_model, rt_opt, rt_data, steps)
    _assert_close_params(rt_model.parameters(), th_model.parameters(), TRAJECTORY_RTOL[dtype])
    assert rt_opt.state[rt_model[0].weight]["func_evals"] == th_opt.state[th_model[0].weight]["func_evals"]


# the fused kernels against the per-parameter reference ------------------------------------------------------
FUSED_CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True, betas=(0.3, 0.9), maximize=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, alpha=0.3)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, maximize=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.1, initial_accumulator_value=0.5, maximize=True)),
]
FUSED_RTOL = {"float32": 1e-6, "float64": 1e-12}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", FUSED_CASES, ids=_case_id)
def test_fused_step_matches_per_parameter_steps(case, dtype, device):
    name, kw = case
    _, rt_dt, np_dt = DTYPES[dtype]
    rng = np.random.default_rng(1)
    sizes = [(200, 180), (33,), (1,), (4, 5, 6)]  # > 32768 values: the kernel runs on every thread
    values = [rng.standard_normal(s).astype(np_dt) for s in sizes]
    runs = []
    for options in (dict(foreach=False), dict(foreach=None), dict(foreach=True)):
        params = [rustorch.nn.Parameter(rustorch.tensor(v, device=device)) for v in values]
        opt = getattr(rustorch.optim, name)(params, **kw, **options)
        grads = np.random.default_rng(2)
        for _ in range(3):
            for p in params:
                p.grad = rustorch.tensor(grads.standard_normal(p.shape).astype(np_dt), device=device)
            opt.step()
        runs.append((params, opt))
    (ref_params, ref_opt), *others = runs
    for params, opt in others:
        _assert_close_params(params, ref_params, FUSED_RTOL[dtype])
        for p, q in zip(params, ref_params):
            for key, value in ref_opt.state[q].items():
                _assert_close_params([opt.state[p][key]], [value], FUSED_RTOL[dtype])


def test_fused_path_is_taken_and_bumps_versions(monkeypatch):
    from rustorch.backends.cpu import CPUBackend

    calls = []
    original = CPUBackend.adam_step
    monkeypatch.setattr(CPUBackend, "adam_step", lambda self, *a: calls.append(1) or original(self, *a))
    w = rustorch.nn.Parameter(rustorch.ones(3))
    before = w._version
    w.grad = rustorch.ones(3)
    rustorch.optim.Adam([w]).step()
    assert calls and w._version > before
    rustorch.optim.Adam([w], foreach=False).step()
    assert len(calls) == 1


def test_fused_fallbacks_and_requirements():
    # float16, a non-contiguous parameter: the per-parameter steps (and fused=True refuses)
    half = rustorch.nn.Parameter(rustorch.ones(4, dtype=rustorch.float16))
    half.grad = rustorch.ones(4, dtype=rustorch.float16)
    rustorch.optim.Adam([half], lr=0.5).step()
    assert half.tolist() == [0.5] * 4
    with pytest.raises(ValueOutOfRangeError, match="fused=True"):
        rustorch.optim.Adam([half], fused=True).step()
    base = rustorch.ones(4, 3)
    strided = rustorch.nn.Parameter(base.t())
    strided.grad = rustorch.ones(3, 4)
    for fused in (None, True):
        opt = rustorch.optim.SGD([strided], lr=0.5, fused=fused)
        if fused:
            with pytest.raises(ValueOutOfRangeError, match="contiguous"):
                opt.step()
        else:
            opt.step()
    assert base.tolist() == [[0.5] * 3] * 4
    # a non-contiguous gradient is read through a contiguous copy
    w = rustorch.nn.Parameter(rustorch.zeros(3, 2))
    w.grad = rustorch.arange(6.0).view(2, 3).t()
    rustorch.optim.SGD([w], lr=1.0, fused=True).step()
    assert w.tolist() == [[-0.0, -3.0], [-1.0, -4.0], [-2.0, -5.0]]


# groups, grads of None, no_grad, maximize ---------------------------------------------------------------------
@pytest.mark.parametrize("name,kw", [("SGD", dict(momentum=0.9)), ("Adam", {}), ("Rprop", {}), ("LBFGS", {})])
def test_grad_of_none_is_skipped(name, kw):
    a, b = rustorch.nn.Parameter(rustorch.ones(2)), rustorch.nn.Parameter(rustorch.ones(2))
    opt = getattr(rustorch.optim, name)([a, b], lr=0.1, **kw)

    def closure():
        opt.zero_grad()
        loss = (a * a).sum()
        loss.backward()
        return loss

    opt.step(closure)
    assert b.grad is None and b.tolist() == [1.0, 1.0]
    assert a.tolist() != [1.0, 1.0]
    if name != "LBFGS":
        assert b not in opt.state or not opt.state[b]


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("name", ["SGD", "Adam", "Adagrad", "RMSprop", "NAdam"])
def test_per_group_options_match_torch(name, device):
    th_model, rt_model = _models("float64", device=device)
    th_data, rt_data = _data("float64", device=device)
    opts = []
    for lib, model in ((torch, th_model), (rustorch, rt_model)):
        groups = [{"params": model[0].parameters(), "lr": 0.05}, {"params": model[2].parameters(), "lr": 0.002,
                                                                   "weight_decay": 0.1}]
        opts.append(getattr(lib.optim, name)(groups, lr=0.01))
    _train(torch, th_model, opts[0], th_data, 30)
    _train(rustorch, rt_model, opts[1], rt_data, 30)
    _assert_close_params(rt_model.parameters(), th_model.parameters(), 1e-6)
    assert [g["lr"] for g in opts[1].param_groups] == [0.05, 0.002]


@pytest.mark.parametrize("name", ["SGD", "Adam", "Adadelta"])
def test_step_records_no_graph(name):
    w = rustorch.nn.Parameter(rustorch.ones(3))
    opt = getattr(rustorch.optim, name)([w], lr=0.1)
    (w * 2).sum().backward()
    opt.step()
    assert w.grad_fn is None and w.is_leaf and w.requires_grad
    with rustorch.no_grad():
        opt.step()
    assert rustorch.is_grad_enabled()
    for state in opt.state[w].values():
        assert not getattr(state, "requires_grad", False)


def test_closure_runs_with_grad_enabled_and_returns_loss():
    w = rustorch.nn.Parameter(rustorch.ones(2))
    opt = rustorch.optim.SGD([w], lr=0.1)

    def closure():
        assert rustorch.is_grad_enabled()
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with rustorch.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 2.0 and w.tolist() == pytest.approx([0.8, 0.8])


def test_zero_grad():
    w = rustorch.nn.Parameter(rustorch.ones(2))
    opt = rustorch.optim.SGD([w])
    w.sum().backward()
    opt.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


# state dicts --------------------------------------------------------------------------------------------------
def _convert(value, to):
    """A state dict's structure with every tensor converted to the other library through NumPy."""
    if isinstance(value, (torch.Tensor, rustorch.Tensor)):
        array = np.array(value.detach().numpy())
        return torch.from_numpy(array) if to is torch else rustorch.tensor(array)
    if isinstance(value, dict):
        return {k: _convert(v, to) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_convert(v, to) for v in value)
    return value


def _describe(value):
    """A state dict's structure: keys, and each tensor's shape and dtype."""
    if isinstance(value, (torch.Tensor, rustorch.Tensor)):
        return ("tensor", tuple(value.shape), str(value.dtype).split(".")[-1])
    if isinstance(value, dict):
        return {k: _describe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_describe(v) for v in value]
    return value


STATE_DICT_CASES = [
    ("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.01, amsgrad=True)), ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)), ("Adagrad", dict(lr=0.1)), ("Adadelta", dict()),
    ("Adamax", dict(lr=0.01)), ("NAdam", dict(lr=0.01)), ("RAdam", dict(lr=0.01)), ("ASGD", dict(lr=0.05, t0=3)),
    ("Rprop", dict(lr=0.01)), ("LBFGS", dict(max_iter=3, history_size=4)),
]


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize("direction", ["torch_to_rustorch", "rustorch_to_torch"])
@pytest.mark.parametrize("case", STATE_DICT_CASES, ids=_case_id)
def test_state_dict_interchange_continues_the_trajectory(case, direction):
    name, kw = case
    th_model, rt_model = _models("float64")
    th_data, rt_data = _data("float64")
    th_opt = getattr(torch.optim, name)(th_model.parameters(), **kw)
    rt_opt = getattr(rustorch.optim, name)(rt_model.parameters(), **kw)
    _train(torch, th_model, th_opt, th_data, 3)
    _train(rustorch, rt_model, rt_opt, rt_data, 3)
    assert _describe(rt_opt.state_dict()) == _describe(th_opt.state_dict())
    # the receiving side takes the sender's parameters and optimizer state, then both go on
    if direction == "torch_to_rustorch":
        rt_model.load_state_dict({k: v.detach().numpy().copy() for k, v in th_model.state_dict().items()})
        rt_opt.load_state_dict(_convert(th_opt.state_dict(), rustorch))
    else:
        th_model.load_state_dict({k: torch.from_numpy(np.array(v.detach().numpy()))
                                  for k, v in rt_model.state_dict().items()})
        th_opt.load_state_dict(_convert(rt_opt.state_dict(), torch))
    steps = 3 if name == "LBFGS" else 20
    _train(torch, th_model, th_opt, th_data, steps)
    _train(rustorch, rt_model, rt_opt, rt_data, steps)
    _assert_close_params(rt_model.parameters(), th_model.parameters(), 1e-6)


def test_state_dict_layout():
    w = rustorch.nn.Parameter(rustorch.ones(2, dtype=rustorch.float64))
    b = rustorch.nn.Parameter(rustorch.ones(1, dtype=rustorch.float64))
    opt = rustorch.optim.Adam([{"params": [w]}, {"params": [b], "lr": 0.1}], amsgrad=True)
    w.grad = rustorch.ones(2, dtype=rustorch.float64)
    opt.step()
    sd = opt.state_dict()
    assert list(sd["state"]) == [0]  # b has no grad: no state
    assert list(sd["state"][0]) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    step = sd["state"][0]["step"]
    assert step.shape == () and step.dtype is rustorch.float32 and step.item() == 1.0
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    th = torch.optim.Adam([torch.nn.Parameter(torch.ones(1))])
    assert set(sd["param_groups"][0]) == set(th.state_dict()["param_groups"][0])
    # a loaded float32 state is cast to the float64 parameter's dtype, except 'step'
    sd32 = copy.deepcopy(sd)
    sd32["state"][0]["exp_avg"] = sd32["state"][0]["exp_avg"].float()
    opt.load_state_dict(sd32)
    assert opt.state[w]["exp_avg"].dtype is rustorch.float64 and opt.state[w]["step"].dtype is rustorch.float32
    # named parameters keep their names
    named = rustorch.optim.SGD([("weight", w), ("bias", b)])
    assert named.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]


def test_state_dict_with_python_number_steps_loads():
    # an old torch state dict keeps 'step' as a number; torch turns it into a tensor on load, as here
    w = rustorch.nn.Parameter(rustorch.ones(2))
    opt = rustorch.optim.Adam([w])
    w.grad = rustorch.ones(2)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["step"] = 3
    opt.load_state_dict(sd)
    assert isinstance(opt.state[w]["step"], rustorch.Tensor) and opt.state[w]["step"].item() == 3.0


def test_load_state_dict_mismatch_raises():
    a, b = rustorch.nn.Parameter(rustorch.ones(1)), rustorch.nn.Parameter(rustorch.ones(1))
    one, two = rustorch.optim.SGD([a]), rustorch.optim.SGD([{"params": [a]}, {"params": [b]}])
    with pytest.raises(InvalidArgumentError, match="parameter groups"):
        one.load_state_dict(two.state_dict())
    with pytest.raises(InvalidArgumentError, match="doesn't match the size"):
        one.load_state_dict(rustorch.optim.SGD([a, b]).state_dict())


# hooks ----------------------------------------------------------------------------------------------------------
def test_hooks():
    w = rustorch.nn.Parameter(rustorch.ones(1))
    opt = rustorch.optim.SGD([w], lr=0.5)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append("pre"))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post"))
    g1 = rustorch.optim.optimizer.register_optimizer_step_pre_hook(lambda o, args, kwargs: calls.append("global pre"))
    g2 = rustorch.optim.optimizer.register_optimizer_step_post_hook(lambda o, args, kwargs: calls.append("global post"))
    try:
        w.grad = rustorch.ones(1)
        opt.step()
    finally:
        for h in (h1, h2, g1, g2):
            h.remove()
    opt.step()
    assert calls == ["global pre", "pre", "post", "global post"]
    opt.register_state_dict_pre_hook(lambda o: calls.append("sd pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_load_state_dict_pre_hook(lambda o, sd: {k: v for k, v in sd.items() if k != "extra"})
    opt.register_load_state_dict_post_hook(lambda o: calls.append("load post"))
    sd = opt.state_dict()
    assert sd["extra"] == 1
    opt.load_state_dict(sd)
    assert calls[-2:] == ["sd pre", "load post"]
    bad = opt.register_step_pre_hook(lambda o, args, kwargs: 3)
    with pytest.raises(ValueOutOfRangeError, match="must return None or a tuple"):
        opt.step()
    bad.remove()


# bad input -------------------------------------------------------------------------------------------------------
def test_bad_arguments_raise_clear_errors():
    w = rustorch.nn.Parameter(rustorch.ones(1))
    with pytest.raises(InvalidArgumentError, match=r"Adam\(\): Invalid learning rate: -1"):
        rustorch.optim.Adam([w], lr=-1)
    with pytest.raises(ValueError, match="beta parameter at index 1"):
        rustorch.optim.AdamW([w], betas=(0.9, 1.0))
    with pytest.raises(InvalidArgumentError, match="Nesterov momentum requires"):
        rustorch.optim.SGD([w], nesterov=True)
    with pytest.raises(InvalidArgumentError, match="differentiable=True is not supported"):
        rustorch.optim.SGD([w], differentiable=True)
    with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together"):
        rustorch.optim.Adam([w], fused=True, foreach=True)
    with pytest.raises(InvalidArgumentError, match="empty parameter list"):
        rustorch.optim.SGD([])
    with pytest.raises(InvalidTypeError, match="iterable of Tensors"):
        rustorch.optim.SGD(w)
    with pytest.raises(InvalidTypeError, match="can only optimize Tensors"):
        rustorch.optim.SGD([w, 3])
    with pytest.raises(InvalidTypeError, match="ordered collections"):
        rustorch.optim.SGD([{"params": {w}}])
    with pytest.raises(InvalidArgumentError, match="non-leaf"):
        rustorch.optim.SGD([w * 2])
    with pytest.raises(InvalidArgumentError, match="more than one parameter group"):
        rustorch.optim.SGD([{"params": [w]}, {"params": [w]}])
    with pytest.raises(InvalidArgumentError, match="complex parameters"):
        rustorch.optim.SGD([rustorch.zeros(2, dtype=rustorch.complex64).requires_grad_()])
    with pytest.raises(InvalidArgumentError, match="parameter groups"):
        rustorch.optim.LBFGS([{"params": [w]}, {"params": [rustorch.nn.Parameter(rustorch.ones(1))]}])
    with pytest.raises(InvalidArgumentError, match="strong_wolfe"):
        rustorch.optim.LBFGS([w], line_search_fn="armijo")
    with pytest.warns(UserWarning, match="duplicate parameters"):
        rustorch.optim.SGD([w, w])
    with pytest.raises(InvalidArgumentError, match="didn't specify a value of required"):
        rustorch.optim.optimizer.Optimizer([w], {"lr": rustorch.optim.optimizer.required})


def test_repr():
    opt = rustorch.optim.SGD([rustorch.nn.Parameter(rustorch.ones(1))], lr=0.1)
    assert "Parameter Group 0" in repr(opt) and "lr: 0.1" in repr(opt)


def test_deepcopy_and_pickle_of_state_dict():
    import pickle

    w = rustorch.nn.Parameter(rustorch.ones(2))
    opt = rustorch.optim.Adam([w])
    w.grad = rustorch.ones(2)
    opt.step()
    for sd in (copy.deepcopy(opt.state_dict()), pickle.loads(pickle.dumps(opt.state_dict()))):
        other = rustorch.optim.Adam([w])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            other.load_state_dict(sd)
        assert other.state[w]["exp_avg"].tolist() == opt.state[w]["exp_avg"].tolist()
        assert other.state[w]["step"].shape == () and other.state[w]["step"].item() == 1.0
