"""rustorch.optim.lr_scheduler against torch's: the learning-rate (and momentum) sequences step by step, the
closed forms, chaining, state dicts and bad input."""
import math
import warnings

import numpy as np
import pytest
import torch

import rustorch
from rustorch.errors import InvalidArgumentError, InvalidTypeError


def _optimizers(name="SGD"):
    """The same two-group optimizer in both libraries (lr 0.1 and 0.05)."""
    out = []
    for lib in (torch, rustorch):
        a, b = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))
        groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
        kw = {"momentum": 0.9} if name == "SGD" else {}
        out.append(getattr(lib.optim, name)(groups, lr=0.1, **kw))
    return out


def _snapshot(opt):
    """Each group's lr and momentum (or beta1)."""
    return [(g["lr"], g.get("momentum", g.get("betas", (None,))[0])) for g in opt.param_groups]


def _run(lib, opt, sched, steps, metrics=None):
    seen = [(_snapshot(opt), list(sched.get_last_lr()))]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        seen.append((_snapshot(opt), list(sched.get_last_lr())))
    return seen


def _numbers(seen):
    """A step's snapshot flattened to its numbers (momentum is None for optimizers without one)."""
    groups, last_lr = seen
    return [v for group in groups for v in group] + last_lr


def _assert_same(rt_seen, th_seen):
    assert len(rt_seen) == len(th_seen)
    for i, (r, t) in enumerate(zip(rt_seen, th_seen)):
        r, t = _numbers(r), _numbers(t)
        assert [v is None for v in r] == [v is None for v in t], f"step {i}: {r} != torch's {t}"
        np.testing.assert_allclose([v for v in r if v is not None], [v for v in t if v is not None], rtol=1e-13,
                                   atol=1e-15, err_msg=f"step {i}: {r} != torch's {t}")


CASES = [
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95 ** e), "SGD"),
    ("LambdaLR", dict(lr_lambda=[lambda e: 0.9 ** e, lambda e: 1 / (e + 1)]), "SGD"),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.97 if e % 2 else 0.99), "SGD"),
    ("StepLR", dict(step_size=7, gamma=0.5), "SGD"),
    ("MultiStepLR", dict(milestones=[5, 20, 20, 40], gamma=0.3), "SGD"),
    ("ConstantLR", dict(factor=0.25, total_iters=10), "SGD"),
    ("LinearLR", dict(start_factor=0.1, end_factor=0.9, total_iters=30), "SGD"),
    ("ExponentialLR", dict(gamma=0.93), "SGD"),
    ("PolynomialLR", dict(total_iters=40, power=2.0), "SGD"),
    ("CosineAnnealingLR", dict(T_max=15, eta_min=0.001), "SGD"),
    ("CosineAnnealingWarmRestarts", dict(T_0=7, T_mult=2, eta_min=0.01), "SGD"),
    ("CosineAnnealingWarmRestarts", dict(T_0=5), "Adam"),
    ("CyclicLR", dict(base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=5, step_size_down=8, mode="triangular2"),
     "SGD"),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=6, mode="exp_range", gamma=0.97,
                      base_momentum=0.7, max_momentum=0.95), "SGD"),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=4), "Adam"),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4, cycle_momentum=False,
                      scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"), "RMSprop"),
    ("OneCycleLR", dict(max_lr=[0.5, 0.3], total_steps=60), "SGD"),
    ("OneCycleLR", dict(max_lr=0.5, epochs=6, steps_per_epoch=10, three_phase=True, anneal_strategy="linear"),
     "Adam"),
    ("OneCycleLR", dict(max_lr=0.5, total_steps=70, pct_start=0.25, cycle_momentum=False, div_factor=10.0,
                        final_div_factor=100.0), "Adagrad"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0] + "-" + "-".join(f"{k}={v}" for k, v in c[1].items()
                                                                          if k != "lr_lambda"))
def test_sequence_matches_torch(case):
    name, kw, optimizer = case
    th_opt, rt_opt = _optimizers(optimizer)
    th = getattr(torch.optim.lr_scheduler, name)(th_opt, **kw)
    rt = getattr(rustorch.optim.lr_scheduler, name)(rt_opt, **kw)
    _assert_same(_run(rustorch, rt_opt, rt, 60), _run(torch, th_opt, th, 60))


METRICS = [1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.85, 0.7, 0.7, 0.7, 0.7, 0.7, 0.69, 0.5, 0.5, 0.5, 0.5, 0.5,
           0.5, 0.5, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]


@pytest.mark.parametrize("kw", [
    dict(patience=2),
    dict(mode="max", factor=0.5, patience=1, threshold=0.05, threshold_mode="abs"),
    dict(patience=1, cooldown=3, min_lr=[0.02, 0.001], factor=0.3),
    dict(patience=0, threshold_mode="abs", threshold=0.0, eps=0.02, min_lr=0.004),
], ids=["default", "max-abs", "cooldown-min_lr", "eps"])
def test_reduce_lr_on_plateau_matches_torch(kw):
    th_opt, rt_opt = _optimizers()
    th = torch.optim.lr_scheduler.ReduceLROnPlateau(th_opt, **kw)
    rt = rustorch.optim.lr_scheduler.ReduceLROnPlateau(rt_opt, **kw)
    metrics = METRICS if kw.get("mode") != "max" else [-m for m in METRICS]
    _assert_same(_run(rustorch, rt_opt, rt, len(metrics), metrics), _run(torch, th_opt, th, len(metrics), metrics))
    assert rt.num_bad_epochs == th.num_bad_epochs and rt.best == th.best


def _composite(lib, opt, kind):
    S = lib.optim.lr_scheduler
    if kind == "warmup-cosine":
        return S.SequentialLR(opt, [S.LinearLR(opt, start_factor=0.1, total_iters=10),
                                    S.CosineAnnealingLR(opt, T_max=30)], milestones=[10])
    if kind == "three-phases":
        return S.SequentialLR(opt, [S.ConstantLR(opt, factor=0.5, total_iters=3), S.ExponentialLR(opt, gamma=0.9),
                                    S.StepLR(opt, step_size=4, gamma=0.5)], milestones=[5, 20])
    if kind == "chained":
        return S.ChainedScheduler([S.ConstantLR(opt, factor=0.1, total_iters=4), S.ExponentialLR(opt, gamma=0.95),
                                   S.MultiStepLR(opt, milestones=[10, 25])])
    return S.SequentialLR(opt, [S.ChainedScheduler([S.LinearLR(opt, start_factor=0.5, total_iters=5),
                                                    S.ExponentialLR(opt, gamma=0.98)]),
                                S.PolynomialLR(opt, total_iters=20)], milestones=[12])


@pytest.mark.filterwarnings("ignore:Detected call of")  # the nested case warns in torch too
@pytest.mark.parametrize("kind", ["warmup-cosine", "three-phases", "chained", "nested"])
def test_composite_schedulers_match_torch(kind):
    th_opt, rt_opt = _optimizers()
    th, rt = _composite(torch, th_opt, kind), _composite(rustorch, rt_opt, kind)
    _assert_same(_run(rustorch, rt_opt, rt, 45), _run(torch, th_opt, th, 45))


@pytest.mark.parametrize("name,kw", [
    ("StepLR", dict(step_size=3, gamma=0.5)), ("MultiStepLR", dict(milestones=[2, 6, 6])),
    ("ConstantLR", dict(factor=0.5, total_iters=4)), ("LinearLR", dict(start_factor=0.2, total_iters=8)),
    ("ExponentialLR", dict(gamma=0.8)), ("PolynomialLR", dict(total_iters=10, power=0.5)),
    ("CosineAnnealingLR", dict(T_max=8, eta_min=0.01)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2)), ("CosineAnnealingWarmRestarts", dict(T_0=4)),
])
def test_step_with_epoch_matches_torch(name, kw):
    """``step(epoch)`` (deprecated, with a warning): the closed form where torch has one."""
    th_opt, rt_opt = _optimizers()
    th = getattr(torch.optim.lr_scheduler, name)(th_opt, **kw)
    rt = getattr(rustorch.optim.lr_scheduler, name)(rt_opt, **kw)
    epochs = [1, 3, 7, 2, 0, 15, 9] if "Warm" not in name else [1, 3.5, 7, 2.25, 0, 15, 9.75, 30]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in epochs:
            th_opt.step(), rt_opt.step()
            th.step(epoch)
            rt.step(epoch)
            _assert_same([(_snapshot(rt_opt), rt.get_last_lr())], [(_snapshot(th_opt), th.get_last_lr())])


class _Factor:
    """A callable lr_lambda whose state is saved in the scheduler's state dict."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate ** epoch


@pytest.mark.parametrize("make", [
    lambda S, opt: S.StepLR(opt, step_size=4, gamma=0.5),
    lambda S, opt: S.LambdaLR(opt, [_Factor(0.9), lambda e: 1.0]),
    lambda S, opt: S.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2),
    lambda S, opt: S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3, mode="triangular2"),
    lambda S, opt: S.OneCycleLR(opt, max_lr=0.3, total_steps=40),
    lambda S, opt: S.ReduceLROnPlateau(opt, patience=1),
    lambda S, opt: S.SequentialLR(opt, [S.LinearLR(opt, total_iters=4), S.ExponentialLR(opt, gamma=0.9)], [6]),
    lambda S, opt: S.ChainedScheduler([S.StepLR(opt, 3), S.ExponentialLR(opt, gamma=0.9)]),
], ids=["StepLR", "LambdaLR", "WarmRestarts", "CyclicLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR",
        "ChainedScheduler"])
def test_state_dict_round_trip(make):
    S = rustorch.optim.lr_scheduler
    plateau = [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.4] * 5

    def advance(opt, sched, start, stop):
        for i in range(start, stop):
            opt.step()
            sched.step(plateau[i]) if isinstance(sched, S.ReduceLROnPlateau) else sched.step()

    # torch's state dict has the same keys
    th_opt = _optimizers()[0]
    th_sched = make(torch.optim.lr_scheduler, th_opt)
    opt = _optimizers()[1]
    sched = make(S, opt)
    assert set(sched.state_dict()) == set(th_sched.state_dict())
    # run 10 steps, save, restore into fresh objects, and go on: the same as an uninterrupted run
    advance(opt, sched, 0, 10)
    saved_sched, saved_opt = sched.state_dict(), opt.state_dict()
    advance(opt, sched, 10, 30)
    opt2 = _optimizers()[1]
    sched2 = make(S, opt2)
    sched2.load_state_dict(saved_sched)
    opt2.load_state_dict(saved_opt)
    advance(opt2, sched2, 10, 30)
    assert _snapshot(opt2) == _snapshot(opt) and sched2.get_last_lr() == sched.get_last_lr()


def test_lambda_state_dict_keeps_callable_objects_state():
    opt = _optimizers()[1]
    factor = _Factor(0.9)
    sched = rustorch.optim.lr_scheduler.LambdaLR(opt, [factor, lambda e: 1.0])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.9}, None]
    factor.rate = 0.5
    sched.load_state_dict(sd)
    assert factor.rate == 0.9 and "lr_lambdas" in sd


def test_tensor_lr_is_updated_in_place():
    w = rustorch.nn.Parameter(rustorch.ones(1))
    lr = rustorch.tensor(0.1)
    opt = rustorch.optim.SGD([w], lr=lr)
    sched = rustorch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and lr.item() == pytest.approx(0.05)


def test_warnings():
    opt = _optimizers()[1]
    sched = rustorch.optim.lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_bad_arguments_raise_clear_errors():
    opt = _optimizers()[1]
    S = rustorch.optim.lr_scheduler
    with pytest.raises(InvalidTypeError, match="is not an Optimizer"):
        S.StepLR(object(), 2)
    with pytest.raises(InvalidArgumentError, match="initial_lr"):
        S.StepLR(_optimizers()[1], 2, last_epoch=3)
    with pytest.raises(InvalidArgumentError, match="Expected 2 lr_lambdas, but got 1"):
        S.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(InvalidTypeError, match="lr_lambda should be a function"):
        S.MultiplicativeLR(opt, 0.5)
    with pytest.raises(InvalidArgumentError, match="between 0 and 1"):
        S.ConstantLR(opt, factor=2.0)
    with pytest.raises(InvalidArgumentError, match="greater than 0"):
        S.LinearLR(opt, start_factor=0.0)
    with pytest.raises(InvalidArgumentError, match="Factor should be < 1.0"):
        S.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(InvalidArgumentError, match="mode middle is unknown"):
        S.ReduceLROnPlateau(opt, mode="middle")
    with pytest.raises(InvalidArgumentError, match="expected 2 min_lrs, got 3"):
        S.ReduceLROnPlateau(opt, min_lr=[0, 0, 0])
    with pytest.raises(InvalidArgumentError, match="max_lr must have the same length"):
        S.CyclicLR(opt, 0.01, [0.1, 0.2, 0.3])
    with pytest.raises(InvalidArgumentError, match="momentum or beta1"):
        S.CyclicLR(rustorch.optim.Adagrad([rustorch.nn.Parameter(rustorch.ones(1))]), 0.01, 0.1)
    with pytest.raises(InvalidArgumentError, match="positive integer T_0"):
        S.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(InvalidArgumentError, match="total_steps OR"):
        S.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(InvalidArgumentError, match="anneal_strategy"):
        S.OneCycleLR(opt, max_lr=0.1, total_steps=5, anneal_strategy="step")
    one_cycle = S.OneCycleLR(_optimizers()[1], max_lr=0.1, total_steps=2)
    for _ in range(2):
        one_cycle.optimizer.step()
        one_cycle.step()
    with pytest.raises(InvalidArgumentError, match="Tried to step 3 times"):
        one_cycle.step()
    with pytest.raises(InvalidArgumentError, match="number of milestone"):
        S.SequentialLR(opt, [S.StepLR(opt, 2)], milestones=[3])
    with pytest.raises(InvalidArgumentError, match="does not support `ReduceLROnPlateau`"):
        S.ChainedScheduler([S.ReduceLROnPlateau(opt)])
    other = _optimizers()[1]
    with pytest.raises(InvalidArgumentError, match="same optimizer"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(other, 2)], milestones=[3])
    assert math.isinf(S.ReduceLROnPlateau(opt).best)
