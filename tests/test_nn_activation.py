"""Activations: functional forms and layers against torch (values, gradients at and away from the kinks, in-place
variants, double backward), softmax's stability and implicit dim, RReLU's training noise, repr and bad input."""
import warnings

import numpy as np
import pytest
import torch

import rustorch
import rustorch.nn.functional as F
from rustorch import nn
from conftest import assert_same, check_grads, check_module, gradchecks, to_torch

RNG = np.random.default_rng(0)


@pytest.fixture(autouse=True)
def fresh_rng():
    """The same data for a test whatever ran before it."""
    global RNG
    RNG = np.random.default_rng(0)


def data(*shape, scale=3.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


# the points where torch picks a side of a kink: its choice must be ours
KINKS = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 0.25, -0.25], dtype=np.float32)

# (name, positional args) of every pointwise functional activation
POINTWISE = [
    ("relu", ()), ("relu6", ()), ("leaky_relu", ()), ("leaky_relu", (0.2,)), ("leaky_relu", (-0.5,)),
    ("elu", ()), ("elu", (0.5,)), ("selu", ()), ("celu", ()), ("celu", (2.0,)), ("gelu", ()), ("silu", ()),
    ("mish", ()), ("softplus", ()), ("softplus", (2.0, 1.0)), ("logsigmoid", ()), ("hardsigmoid", ()),
    ("hardswish", ()), ("softshrink", ()), ("softshrink", (1.0,)), ("hardshrink", ()), ("hardshrink", (0.25,)),
    ("tanhshrink", ()), ("softsign", ()), ("hardtanh", ()), ("hardtanh", (-0.5, 3.0)), ("threshold", (0.5, -2.0)),
    ("threshold", (-1.0, 0.0)), ("sigmoid", ()), ("tanh", ()),
]
IDS = [f"{name}{args}" for name, args in POINTWISE]


@pytest.mark.parametrize("name,args", POINTWISE, ids=IDS)
@pytest.mark.parametrize("shape", [(4, 5), (), (2, 3, 4)])
def test_pointwise_matches_torch(name, args, shape, device):
    check_grads(lambda x: getattr(F, name)(x, *args), lambda x: getattr(torch.nn.functional, name)(x, *args),
                data(*shape), device=device)


@pytest.mark.parametrize("name,args", POINTWISE, ids=IDS)
def test_pointwise_gradient_at_kinks_is_torchs(name, args, device):
    check_grads(lambda x: getattr(F, name)(x, *args), lambda x: getattr(torch.nn.functional, name)(x, *args), KINKS,
                device=device)


@pytest.mark.parametrize("name,args", POINTWISE, ids=IDS)
def test_pointwise_on_non_contiguous_input(name, args, device):
    x = data(5, 4)
    check_grads(lambda x: getattr(F, name)(x.t(), *args), lambda x: getattr(torch.nn.functional, name)(x.t(), *args), x,
                device=device)


def test_gelu_tanh_approximation():
    for x in (data(6, 7), KINKS):
        check_grads(lambda x: F.gelu(x, approximate="tanh"), lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
                    x)


def test_extreme_values_stay_finite_as_torchs(device):
    x = np.array([-200.0, -90.0, -20.0, 0.0, 20.0, 90.0, 200.0], dtype=np.float32)
    for name in ("softplus", "logsigmoid", "mish", "silu", "elu", "selu", "celu", "gelu"):
        check_grads(getattr(F, name), getattr(torch.nn.functional, name), x, device=device)


# the activations that record their own node: float64 gradcheck and gradgradcheck, away from the kinks
OWN_NODE = [
    ("leaky_relu", (0.2,)), ("elu", (0.7,)), ("selu", ()), ("celu", (1.5,)), ("gelu", ()), ("silu", ()),
    ("mish", ()), ("softplus", (1.5, 2.0)), ("logsigmoid", ()), ("hardsigmoid", ()), ("hardswish", ()),
    ("softshrink", ()), ("hardshrink", ()), ("hardtanh", ()), ("threshold", (0.3, 1.0)),
]


@pytest.mark.parametrize("name,args", OWN_NODE, ids=[f"{n}{a}" for n, a in OWN_NODE])
def test_own_nodes_gradcheck_and_gradgradcheck(name, args, device):
    x = np.array([-4.1, -2.2, -0.9, -0.35, 0.2, 0.7, 1.3, 2.6, 4.4])
    gradchecks(lambda x: getattr(F, name)(x, *args), x, device=device)


def test_gelu_tanh_gradgradcheck():
    gradchecks(lambda x: F.gelu(x, approximate="tanh"), np.linspace(-3, 3, 7))


def test_node_names_are_torchs():
    x, t = rustorch.randn(3, requires_grad=True), torch.randn(3, requires_grad=True)
    for name, args in POINTWISE:
        ours = getattr(F, name)(x, *args).grad_fn.name()
        assert ours == getattr(torch.nn.functional, name)(t, *args).grad_fn.name(), name
    assert F.softmax(x, 0).grad_fn.name() == "SoftmaxBackward0"
    assert F.log_softmax(x, 0).grad_fn.name() == "LogSoftmaxBackward0"


INPLACE = [("relu", ()), ("relu6", ()), ("leaky_relu", (0.1,)), ("elu", ()), ("selu", ()), ("celu", (0.5,)),
           ("silu", ()), ("mish", ()), ("hardsigmoid", ()), ("hardswish", ()), ("hardtanh", (-0.5, 0.5)),
           ("threshold", (0.1, 5.0))]


@pytest.mark.parametrize("name,args", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_writes_input_and_backprops_like_torch(name, args, device):
    def run(lib, f, x):
        y = x * 1.0  # a non-leaf: in-place writes on leaves requiring grad are refused
        out = f(y, *args, inplace=True)
        assert out is y
        return out

    check_grads(lambda x: run(rustorch, getattr(F, name), x),
                lambda x: run(torch, getattr(torch.nn.functional, name), x), data(4, 5), device=device)


@pytest.mark.parametrize("name", ["relu_", "elu_", "selu_", "celu_", "leaky_relu_", "hardtanh_", "rrelu_"])
def test_underscore_functions_are_in_place(name):
    x = data(3, 4)
    ours, theirs = rustorch.tensor(x), torch.tensor(x)
    assert getattr(F, name)(ours) is ours
    getattr(torch.nn.functional, name)(theirs)
    assert_same(ours, theirs)
    ours, theirs = rustorch.tensor(x), torch.tensor(x)
    F.threshold_(ours, 0.5, 9.0)
    torch.nn.functional.threshold_(theirs, 0.5, 9.0)
    assert_same(ours, theirs)


def test_inplace_on_a_leaf_requiring_grad_raises():
    x = rustorch.randn(3, requires_grad=True)
    for f in (lambda: F.relu(x, inplace=True), lambda: F.elu_(x), lambda: F.hardtanh(x, inplace=True)):
        with pytest.raises(RuntimeError, match="leaf"):
            f()


def test_inplace_double_backward():
    def f(x):
        y = x * 1.0
        return F.elu(y, 0.8, inplace=True)

    gradchecks(f, np.array([-1.5, -0.4, 0.3, 1.2]))


def test_prelu_functional():
    x, w = data(2, 3, 4), np.array([0.1, -0.2, 0.3], dtype=np.float32)
    check_grads(F.prelu, torch.nn.functional.prelu, x, w)
    check_grads(F.prelu, torch.nn.functional.prelu, x, np.array([0.25], dtype=np.float32))
    check_grads(F.prelu, torch.nn.functional.prelu, data(5), np.array([0.25], dtype=np.float32))
    gradchecks(F.prelu, np.array([[-1.0, 2.0], [0.5, -3.0]]), np.array([0.3, 0.6]))
    with pytest.raises(rustorch.ShapeError, match=r"\[2, 3, 4\]"):
        F.prelu(rustorch.tensor(x), rustorch.ones(4))


def test_glu(device):
    for shape, dim in (((4, 6), -1), ((6, 3), 0), ((2, 4, 3), 1)):
        check_grads(lambda x: F.glu(x, dim), lambda x: torch.nn.functional.glu(x, dim), data(*shape), device=device)
    with pytest.raises(rustorch.ShapeError, match="even"):
        F.glu(rustorch.ones(3, 5))
    with pytest.raises(rustorch.ShapeError, match="scalars"):
        F.glu(rustorch.tensor(1.0))


def test_rrelu_eval_is_fixed_slope():
    x = data(4, 5)
    check_grads(lambda x: F.rrelu(x, 0.1, 0.3), lambda x: torch.nn.functional.rrelu(x, 0.1, 0.3), x)


def test_rrelu_training_draws_slopes_in_range_and_backprops_them():
    x = rustorch.tensor(data(2000), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    y.sum().backward()
    xs, ys, gs = x.detach().numpy(), y.detach().numpy(), x.grad.numpy()
    negative = xs < 0
    slopes = ys[negative] / xs[negative]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    np.testing.assert_allclose(gs[negative], slopes, rtol=1e-5)
    assert np.array_equal(ys[~negative], xs[~negative]) and np.all(gs[~negative] == 1)
    again = F.rrelu(x.detach(), 0.1, 0.3, training=True).numpy()
    assert not np.array_equal(again, ys)


# softmax family -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("shape,dim", [((4, 7), 1), ((4, 7), 0), ((2, 3, 5), -1), ((2, 3, 5), 1), ((6,), 0), ((), 0)])
def test_softmax_family_matches_torch(name, shape, dim, device):
    check_grads(lambda x: getattr(F, name)(x, dim), lambda x: getattr(torch.nn.functional, name)(x, dim),
                data(*shape), device=device)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,dim", [((64, 600), 1), ((8, 64, 100), 1), ((300, 130), 0)])
def test_softmax_family_on_inputs_large_enough_for_threads(name, shape, dim, device):
    check_grads(lambda x: getattr(F, name)(x, dim), lambda x: getattr(torch.nn.functional, name)(x, dim),
                data(*shape), device=device)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_double_backward(name, device):
    gradchecks(lambda x: getattr(F, name)(x, 1), RNG.standard_normal((3, 5)), device=device)
    gradchecks(lambda x: getattr(F, name)(x.t(), 0), RNG.standard_normal((4, 3)), device=device)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_is_stable_for_large_and_infinite_values(name, device):
    x = np.array([[1000.0, 1000.0, -1000.0], [-1e30, 0.0, 1.0], [-np.inf, 0.0, 2.0], [50.0, -np.inf, -np.inf]],
                 dtype=np.float32)
    check_grads(lambda x: getattr(F, name)(x, 1), lambda x: getattr(torch.nn.functional, name)(x, 1), x,
                device=device)


@pytest.mark.parametrize("dtype,tol", [("float16", 5e-3), ("bfloat16", 3e-2), ("float64", 1e-12)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_in_other_float_dtypes(name, dtype, tol, device):
    """16-bit floats compute in float32 and round once, float64 throughout (the fused kernels where a backend has
    them): forward and backward against torch's float32 (float64) on the same values, along the last dim and a
    strided one."""
    rt_dt = getattr(rustorch, dtype)
    th_dt = torch.float64 if dtype == "float64" else torch.float32
    for dim in (1, 0):
        x = rustorch.tensor(data(6, 40), device=device).to(rt_dt).requires_grad_()
        g = rustorch.tensor(data(6, 40), device=device).to(rt_dt)
        tx = to_torch(x.detach()).to(th_dt).requires_grad_()
        y, ty = getattr(F, name)(x, dim), getattr(torch.nn.functional, name)(tx, dim)
        y.backward(g)
        ty.backward(to_torch(g).to(th_dt))
        assert y.dtype is rt_dt and x.grad.dtype is rt_dt
        assert_same(y, ty.detach().to(to_torch(g).dtype), rtol=tol, atol=tol)
        assert_same(x.grad, tx.grad.to(to_torch(g).dtype), rtol=tol, atol=tol)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_softmax_dtype_argument(name):
    x = data(3, 4)
    ours = getattr(F, name)(rustorch.tensor(x), 1, dtype=rustorch.float64)
    assert_same(ours, getattr(torch.nn.functional, name)(torch.tensor(x), 1, dtype=torch.float64))
    ours = getattr(F, name)(rustorch.tensor(x, dtype=rustorch.float64), 1, dtype=rustorch.float32)
    assert ours.dtype is rustorch.float32
    with pytest.raises(rustorch.DTypeError):
        getattr(F, name)(rustorch.tensor([1, 2]), 0)
    ours = getattr(F, name)(rustorch.tensor([1, 2]), 0, dtype=rustorch.float32)
    assert_same(ours, getattr(torch.nn.functional, name)(torch.tensor([1, 2]), 0, dtype=torch.float32))


@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
def test_implicit_softmax_dim_warns_and_matches_torch(ndim):
    x = data(*(2, 3, 4, 5)[:ndim])
    for name, cls in (("softmax", "Softmax"), ("log_softmax", "LogSoftmax"), ("softmin", "Softmin")):
        with pytest.warns(UserWarning, match="Implicit dimension"):
            ours = getattr(F, name)(rustorch.tensor(x))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = getattr(torch.nn.functional, name)(torch.tensor(x))
            assert_same(getattr(nn, cls)()(rustorch.tensor(x)), getattr(torch.nn, cls)()(torch.tensor(x)))
        assert_same(ours, theirs)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_composed_fallback_matches_the_kernel(name, monkeypatch):
    """A backend without the fused kernel gets the composed forward and backward, with the same results."""
    x = data(3, 4, 5)
    for dim in (0, 1, 2):
        fused = getattr(F, name)(rustorch.tensor(x), dim)
        with monkeypatch.context() as m:
            def missing(*args):
                raise NotImplementedError

            m.setattr(type(rustorch.tensor(x)._storage.backend), "softmax", missing)
            m.setattr(type(rustorch.tensor(x)._storage.backend), "softmax_backward", missing)
            check_grads(lambda x: getattr(F, name)(x, dim), lambda x: getattr(torch.nn.functional, name)(x, dim), x)
            assert_same(getattr(F, name)(rustorch.tensor(x), dim), torch.tensor(fused.numpy()), rtol=1e-6, atol=1e-6)


def test_softmax_kernel_arguments():
    from rustorch._ext import softmax as kernel

    x = RNG.standard_normal((3, 4))
    with pytest.raises(ValueError, match="C-contiguous"):
        kernel.softmax(x.T, np.empty((4, 3)), 1, False)
    with pytest.raises(ValueError, match="overlap"):
        kernel.softmax(x, x, 1, False)
    with pytest.raises(TypeError, match="float64"):
        kernel.softmax(x, np.empty((3, 4), np.float32), 1, False)
    with pytest.raises(ValueError, match="dim"):
        kernel.softmax(x, np.empty((3, 4)), 2, False)
    with pytest.raises(ValueError, match="shape"):
        kernel.softmax_backward(x, x[:2], np.empty((3, 4)), 1, False)
    np.testing.assert_allclose(kernel.softmax(x, np.empty((3, 4)), 0, False),
                               torch.softmax(torch.tensor(x), 0).numpy(), rtol=1e-12)


def test_gumbel_softmax():
    logits = rustorch.tensor(data(500, 4), requires_grad=True)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).detach().numpy(), 1, rtol=1e-5)
    hard = F.gumbel_softmax(logits, hard=True, dim=1)
    values = hard.detach().numpy()
    assert set(np.unique(values)) <= {0.0, 1.0} and np.all(values.sum(1) == 1)
    (hard * rustorch.tensor(data(500, 4))).sum().backward()
    assert logits.grad is not None and float(logits.grad.abs().sum()) > 0
    # samples follow softmax(logits): the most likely class wins most often
    skewed = rustorch.tensor(np.log(np.array([[0.7, 0.2, 0.1]] * 4000, np.float32)))
    counts = F.gumbel_softmax(skewed, hard=True).sum(0).numpy() / 4000
    np.testing.assert_allclose(counts, [0.7, 0.2, 0.1], atol=0.03)


def test_torch_level_and_tensor_methods():
    x = data(3, 4)
    for name in ("softmax", "log_softmax"):
        check_grads(lambda x: getattr(rustorch, name)(x, 1), lambda x: getattr(torch, name)(x, 1), x)
        check_grads(lambda x: getattr(x, name)(dim=0), lambda x: getattr(x, name)(dim=0), x)
        ours = getattr(rustorch.tensor(x), name)(-1, rustorch.float64)
        assert_same(ours, getattr(torch.tensor(x), name)(-1, torch.float64))


def test_softmax2d(device):
    for shape in ((2, 3, 4, 5), (3, 4, 5)):
        check_module(nn.Softmax2d(), torch.nn.Softmax2d(), data(*shape), device=device)
    with pytest.raises(ValueError, match="3D or 4D"):
        nn.Softmax2d()(rustorch.ones(3, 4))


def test_softmax_bad_dim():
    with pytest.raises(IndexError):
        F.softmax(rustorch.ones(3, 4), 2)


# layers ---------------------------------------------------------------------------------------
MODULES = [
    ("Threshold", (0.1, 20.0), {}), ("Threshold", (0.1, 20.0), {"inplace": True}), ("ReLU", (), {}),
    ("ReLU", (), {"inplace": True}), ("RReLU", (0.1, 0.3), {}), ("Hardtanh", (-2.0, 2.0), {}),
    ("Hardtanh", (), {"inplace": True}), ("ReLU6", (), {}), ("ReLU6", (), {"inplace": True}), ("Sigmoid", (), {}),
    ("Hardsigmoid", (), {}), ("Tanh", (), {}), ("SiLU", (), {}), ("SiLU", (), {"inplace": True}), ("Mish", (), {}),
    ("Hardswish", (), {}), ("ELU", (), {}), ("ELU", (0.5,), {"inplace": True}), ("CELU", (2.0,), {}),
    ("SELU", (), {}), ("SELU", (), {"inplace": True}), ("GLU", (), {}), ("GLU", (1,), {}), ("GELU", (), {}),
    ("GELU", ("tanh",), {}), ("Hardshrink", (), {}), ("Hardshrink", (0.3,), {}), ("LeakyReLU", (), {}),
    ("LeakyReLU", (0.2, True), {}), ("LogSigmoid", (), {}), ("Softplus", (), {}), ("Softplus", (2.0, 5.0), {}),
    ("Softshrink", (), {}), ("Softshrink", (1.0,), {}), ("PReLU", (), {}), ("PReLU", (4,), {}),
    ("PReLU", (4, 0.1), {}), ("Softsign", (), {}), ("Tanhshrink", (), {}), ("Softmin", (1,), {}),
    ("Softmax", (-1,), {}), ("Softmax", (), {"dim": 0}), ("LogSoftmax", (1,), {}), ("Softmax2d", (), {}),
]
MODULE_IDS = [f"{n}{a}{k}" for n, a, k in MODULES]


@pytest.mark.parametrize("name,args,kwargs", MODULES, ids=MODULE_IDS)
def test_module_matches_torch(name, args, kwargs, device):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    if kwargs.get("inplace") or (name == "LeakyReLU" and len(args) > 1):
        # in-place layers need a non-leaf input
        x = data(2, 4, 3, 2)
        ours.to(device)
        rt_in, th_in = rustorch.tensor(x, requires_grad=True, device=device), torch.tensor(x, requires_grad=True)
        rt_out, th_out = ours(rt_in * 2), theirs(th_in * 2)
        assert_same(rt_out, th_out.detach(), rtol=1e-5, atol=1e-6)
        g = data(*th_out.shape)
        rt_out.backward(rustorch.tensor(g, device=device))
        th_out.backward(torch.tensor(g))
        assert_same(rt_in.grad, th_in.grad, rtol=1e-5, atol=1e-6)
        return
    # atol: gradients that cancel to ~0 (GELU's near x = -0.75) keep float32 rounding of terms of size ~1
    check_module(ours, theirs, data(2, 4, 3, 2), device=device, train=name != "RReLU", atol=1e-5)


def test_prelu_parameter_and_default_init():
    layer = nn.PReLU(3, init=0.1, dtype=rustorch.float64)
    assert layer.weight.shape == (3,) and layer.weight.dtype is rustorch.float64
    assert layer.weight.tolist() == [0.1, 0.1, 0.1]
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    check_module(nn.PReLU(3), torch.nn.PReLU(3), data(4, 3))


def test_hardtanh_deprecated_names_and_bad_bounds():
    with pytest.warns(FutureWarning):
        layer = nn.Hardtanh(min_value=-3.0, max_value=3.0)
    assert (layer.min_val, layer.max_val) == (-3.0, 3.0)
    with pytest.raises(RuntimeError, match="greater than min_val"):
        nn.Hardtanh(1.0, 1.0)


def test_rrelu_module_train_vs_eval():
    layer = nn.RReLU(0.1, 0.3)
    x = rustorch.tensor(-np.ones(500, dtype=np.float32))
    train_out = layer(x).numpy()
    assert train_out.std() > 0.03
    layer.eval()
    np.testing.assert_allclose(layer(x).numpy(), -0.2, rtol=1e-6)


# bad input ------------------------------------------------------------------------------------
def test_bad_arguments_raise_rustorch_errors():
    x = rustorch.ones(3)
    with pytest.raises(rustorch.errors.RusTorchError, match="approximate"):
        F.gelu(x, approximate="fast")
    with pytest.raises(rustorch.DTypeError, match="elu"):
        F.elu(rustorch.tensor([1, 2]))
    with pytest.raises(rustorch.errors.RusTorchError, match="lambda"):
        F.softshrink(x, -1.0)
    with pytest.raises(TypeError):
        F.relu([1.0, 2.0])
