"""Normalization layers and functions against torch: outputs, gradients, running statistics, errors."""
import numpy as np
import pytest
import torch

import rustorch
import rustorch.nn.functional as F
from conftest import assert_same, check_grads, check_module, copy_weights, gradchecks, to_torch

rng = np.random.default_rng(0)


def randn(*shape, scale=1.0, shift=0.0):
    return (rng.standard_normal(shape) * scale + shift).astype(np.float32)


def randomise(rt_module, torch_module):
    """Non-trivial affine parameters and running statistics in torch's module, copied into rustorch's."""
    with torch.no_grad():
        for name, t in torch_module.state_dict().items():
            if t.is_floating_point():
                t.copy_(torch.rand(t.shape) + 0.5 if name.endswith(("weight", "running_var")) else torch.randn(t.shape))
    copy_weights(rt_module, torch_module)


def check_stats(rt_module, torch_module):
    rt_state, th_state = rt_module.state_dict(), torch_module.state_dict()
    assert list(rt_state) == list(th_state)
    for name, t in th_state.items():
        assert_same(rt_state[name], t, rtol=1e-5, atol=1e-6)


# batch norm ----------------------------------------------------------------------------------
BATCH_NORMS = [("BatchNorm1d", (8, 5)), ("BatchNorm1d", (4, 5, 7)), ("BatchNorm2d", (4, 5, 6, 3)),
               ("BatchNorm3d", (2, 5, 3, 4, 2))]
OPTIONS = [{}, {"affine": False}, {"bias": False}, {"track_running_stats": False}, {"momentum": None},
           {"momentum": 0.3, "eps": 1e-3}]


@pytest.mark.parametrize("cls,shape", BATCH_NORMS)
@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_batch_norm_train_then_eval(cls, shape, options, device):
    rt_m, th_m = getattr(rustorch.nn, cls)(5, **options), getattr(torch.nn, cls)(5, **options)
    randomise(rt_m, th_m)
    for step in range(3):  # three steps: the running averages (and momentum=None's 1/n weights) move
        check_module(rt_m, th_m, randn(*shape, scale=2.0, shift=step), device=device, rtol=1e-4, atol=1e-5)
        check_stats(rt_m, th_m)
    check_module(rt_m, th_m, randn(*shape), device=device, train=False, rtol=1e-4, atol=1e-5)
    check_stats(rt_m, th_m)


def test_batch_norm_node_and_buffers():
    m = rustorch.nn.BatchNorm2d(3)
    assert [n for n, _ in m.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    assert m.num_batches_tracked.dtype is rustorch.int64 and m.num_batches_tracked.shape == ()
    y = m(rustorch.randn(2, 3, 4, 4, requires_grad=True))
    assert y.grad_fn.name() == "NativeBatchNormBackward0"
    assert int(m.num_batches_tracked) == 1
    m.reset_running_stats()
    assert int(m.num_batches_tracked) == 0 and float(m.running_var.sum()) == 3.0


def test_batch_norm_large_mean_is_stable(device):
    # a mean far from zero: the two-pass variance keeps float32 accuracy
    x = randn(16, 4, 10, shift=1000.0)
    check_grads(lambda x: F.batch_norm(x, None, None, training=True),
                lambda x: torch.nn.functional.batch_norm(x, None, None, training=True), x, device=device, rtol=2e-3,
                atol=2e-4)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_functional(training, device):
    x, w, b = randn(6, 3, 4), randn(3), randn(3)
    rm, rv = randn(3), np.abs(randn(3)) + 0.5
    for weight, bias in ((w, b), (None, b), (w, None), (None, None)):
        check_grads(lambda x, w, b: F.batch_norm(x, rustorch.tensor(rm, device=device),
                                                 rustorch.tensor(rv, device=device), w, b, training),
                    lambda x, w, b: torch.nn.functional.batch_norm(x, torch.tensor(rm), torch.tensor(rv), w, b,
                                                                   training), x, weight, bias, device=device)
    rm64 = rustorch.tensor(rm.astype(np.float64), device=device)
    rv64 = rustorch.tensor(rv.astype(np.float64), device=device)
    gradchecks(lambda x, w, b: F.batch_norm(x, None if training else rm64, None if training else rv64, w, b,
                                            training), x, w, b, device=device)
    gradchecks(lambda x: F.batch_norm(x, None if training else rm64, None if training else rv64, training=training),
               randn(5, 3), device=device)


def test_batch_norm_noncontiguous_and_running_update():
    x = randn(6, 8, 3)
    rm, rv = rustorch.zeros(3), rustorch.ones(3)
    trm, trv = torch.zeros(3), torch.ones(3)
    check_grads(lambda x: F.batch_norm(x.transpose(1, 2), rm, rv, training=True, momentum=0.2),
                lambda x: torch.nn.functional.batch_norm(x.transpose(1, 2), trm, trv, training=True, momentum=0.2), x)
    assert_same(rm, trm, rtol=1e-5, atol=1e-6)
    assert_same(rv, trv, rtol=1e-5, atol=1e-6)


def test_batch_norm_errors():
    with pytest.raises(rustorch.ShapeError, match=r"BatchNorm2d.*8 channels.*\[2, 3, 4, 4\].*3 channels"):
        rustorch.nn.BatchNorm2d(8)(rustorch.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match="expected 4D input"):
        rustorch.nn.BatchNorm2d(3)(rustorch.randn(3, 4, 4))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        rustorch.nn.BatchNorm1d(3)(rustorch.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        rustorch.nn.BatchNorm1d(3)(rustorch.randn(1, 3))
    rustorch.nn.BatchNorm1d(3).eval()(rustorch.randn(1, 3))  # fine in eval
    with pytest.raises(rustorch.ShapeError, match=r"batch_norm\(\): weight should contain 3 elements.*not 4"):
        F.batch_norm(rustorch.randn(2, 3), None, None, rustorch.ones(4), training=True)


# instance norm -------------------------------------------------------------------------------
INSTANCE_NORMS = [("InstanceNorm1d", (3, 4, 7)), ("InstanceNorm1d", (4, 7)), ("InstanceNorm2d", (2, 4, 3, 5)),
                  ("InstanceNorm2d", (4, 3, 5)), ("InstanceNorm3d", (2, 4, 2, 3, 2))]


@pytest.mark.parametrize("cls,shape", INSTANCE_NORMS)
@pytest.mark.parametrize("options", [{}, {"affine": True}, {"track_running_stats": True, "momentum": 0.3},
                                     {"affine": True, "track_running_stats": True}], ids=str)
def test_instance_norm(cls, shape, options, device):
    rt_m, th_m = getattr(rustorch.nn, cls)(4, **options), getattr(torch.nn, cls)(4, **options)
    randomise(rt_m, th_m)
    for step in range(2):
        check_module(rt_m, th_m, randn(*shape, shift=step), device=device, rtol=1e-4, atol=1e-5)
        check_stats(rt_m, th_m)
    check_module(rt_m, th_m, randn(*shape), device=device, train=False, rtol=1e-4, atol=1e-5)


def test_instance_norm_errors_and_repr():
    assert repr(rustorch.nn.InstanceNorm2d(3)) == repr(torch.nn.InstanceNorm2d(3))
    with pytest.raises(ValueError, match=r"InstanceNorm1d.*5 channels.*\[2, 3, 4\]"):
        rustorch.nn.InstanceNorm1d(5, affine=True)(rustorch.randn(2, 3, 4))
    with pytest.warns(UserWarning, match="does not match num_features"):
        rustorch.nn.InstanceNorm1d(5)(rustorch.randn(2, 3, 4))
    with pytest.raises(ValueError, match="expected 3D or 4D input"):
        rustorch.nn.InstanceNorm2d(3)(rustorch.randn(3, 4))
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        F.instance_norm(rustorch.randn(2, 3, 1))
    gradchecks(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), randn(2, 3, 4), randn(3), randn(3))


# layer norm ----------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,normalized", [((4, 6), 6), ((2, 3, 5), (5,)), ((2, 3, 5), (3, 5)),
                                              ((16, 128, 32), [32]), ((7,), (7,))])
@pytest.mark.parametrize("options", [{}, {"elementwise_affine": False}, {"bias": False}, {"eps": 1e-2}], ids=str)
def test_layer_norm(shape, normalized, options, device):
    rt_m, th_m = rustorch.nn.LayerNorm(normalized, **options), torch.nn.LayerNorm(normalized, **options)
    randomise(rt_m, th_m)
    check_module(rt_m, th_m, randn(*shape, scale=3.0, shift=1.0), device=device, rtol=1e-4, atol=1e-5)
    assert repr(rt_m) == repr(th_m)


def test_layer_norm_functional(device):
    x = randn(3, 4, 5)
    gradchecks(lambda x, w, b: F.layer_norm(x, (4, 5), w, b), x, randn(4, 5), randn(4, 5), device=device)
    gradchecks(lambda x, w: F.layer_norm(x, [5], w), x, randn(5), device=device)
    gradchecks(lambda x: F.layer_norm(x, 5), x, device=device)
    check_grads(lambda x, w, b: F.layer_norm(x.transpose(0, 2), (3,), w, b),
                lambda x, w, b: torch.nn.functional.layer_norm(x.transpose(0, 2), (3,), w, b), x, randn(3), randn(3),
                device=device)
    y = F.layer_norm(rustorch.randn(2, 3, requires_grad=True, device=device), (3,))
    assert y.grad_fn.name() == "NativeLayerNormBackward0"


@pytest.mark.parametrize("dtype,tol", [("float16", 4e-3), ("bfloat16", 3e-2), ("float64", 1e-10)])
def test_layer_norm_in_other_float_dtypes(dtype, tol, device):
    """16-bit floats compute in float32 and round once, float64 throughout (the fused kernels where a backend has
    them): output and the input, weight and bias gradients against torch's float32 (float64) on the same values."""
    rt_dt = getattr(rustorch, dtype)
    th_dt = torch.float64 if dtype == "float64" else torch.float32
    rt = [rustorch.tensor(a, device=device).to(rt_dt) for a in (randn(50, 24, scale=2.0, shift=1.0), randn(24),
                                                                  randn(24), randn(50, 24))]
    th = [to_torch(t).to(th_dt) for t in rt]
    for t in rt[:3] + th[:3]:
        t.requires_grad_()
    y = F.layer_norm(rt[0], (24,), rt[1], rt[2])
    ty = torch.nn.functional.layer_norm(th[0], (24,), th[1], th[2])
    y.backward(rt[3])
    ty.backward(th[3])
    stored = to_torch(rt[3]).dtype
    assert_same(y, ty.detach().to(stored), rtol=tol, atol=tol)
    for r, t in zip(rt[:3], th[:3]):
        assert_same(r.grad, t.grad.to(stored), rtol=tol, atol=tol * 10)  # the column sums add 50 rounded terms


def test_layer_norm_composed_fallback(monkeypatch):
    # a backend without the fused kernel gets layer norm composed from ops
    def missing(*args):
        raise NotImplementedError

    backend = type(rustorch.backends.cpu.BACKEND)
    monkeypatch.setattr(backend, "layer_norm", missing)
    monkeypatch.setattr(backend, "layer_norm_backward", missing)
    x, w, b = randn(4, 3, 5, scale=2.0, shift=3.0), randn(3, 5), randn(3, 5)
    check_grads(lambda x, w, b: F.layer_norm(x, (3, 5), w, b),
                lambda x, w, b: torch.nn.functional.layer_norm(x, (3, 5), w, b), x, w, b)
    check_grads(lambda x: F.layer_norm(x, (5,)), lambda x: torch.nn.functional.layer_norm(x, (5,)), x)


def test_layer_norm_kernel_checks_its_arrays():
    from rustorch._ext import norm

    x = np.ones((3, 4), np.float32)
    stats = np.empty(3, np.float32), np.empty(3, np.float32)
    with pytest.raises(TypeError, match="float32 or float64"):
        norm.layer_norm(x.astype(np.int32), None, None, 1e-5, np.empty((3, 4), np.int32), *stats)
    with pytest.raises(ValueError, match=r"weight must have shape \(4,\)"):
        norm.layer_norm(x, np.ones(3, np.float32), None, 1e-5, np.empty_like(x), *stats)
    with pytest.raises(ValueError, match="C-contiguous"):
        norm.layer_norm(np.ones((4, 3), np.float32).T, None, None, 1e-5, np.empty_like(x), *stats)
    with pytest.raises(ValueError, match="must not overlap"):
        norm.layer_norm(x, None, None, 1e-5, x, *stats)
    with pytest.raises(TypeError, match="must be float32"):
        norm.layer_norm_backward(x, x, *stats, None, np.empty((3, 4)), None, None)
    # empty rows: the weight and bias gradients are zeros
    dw, db = np.full(4, 7.0, np.float32), np.full(4, 7.0, np.float32)
    empty = np.empty((0, 4), np.float32)
    norm.layer_norm_backward(empty, empty, np.empty(0, np.float32), np.empty(0, np.float32), None, None, dw, db)
    assert not dw.any() and not db.any()


def test_layer_norm_output_changed_in_place(device):
    # without an affine map the output may be changed in place before backward (as torch allows)
    a = randn(4, 6)
    x, tx = rustorch.tensor(a, requires_grad=True, device=device), torch.tensor(a, requires_grad=True)
    F.layer_norm(x, (6,)).relu_().sum().backward()
    torch.nn.functional.layer_norm(tx, (6,)).relu_().sum().backward()
    assert_same(x.grad, tx.grad, rtol=1e-4, atol=1e-5)


def test_layer_norm_errors():
    with pytest.raises(rustorch.ShapeError, match=r"normalized_shape=\[4\].*\[\*, 4\].*\[2, 3\]"):
        rustorch.nn.LayerNorm(4)(rustorch.randn(2, 3))
    with pytest.raises(rustorch.ShapeError, match="weight to be of same shape"):
        F.layer_norm(rustorch.randn(2, 3), (3,), rustorch.ones(4))


# group norm ----------------------------------------------------------------------------------
@pytest.mark.parametrize("groups,channels,shape", [(2, 4, (3, 4, 3)), (3, 6, (2, 6, 5)), (1, 4, (2, 4, 3, 3)),
                                                   (4, 4, (2, 4, 2, 2, 3))])
@pytest.mark.parametrize("options", [{}, {"affine": False}, {"bias": False}], ids=str)
def test_group_norm(groups, channels, shape, options, device):
    rt_m, th_m = rustorch.nn.GroupNorm(groups, channels, **options), torch.nn.GroupNorm(groups, channels, **options)
    randomise(rt_m, th_m)
    check_module(rt_m, th_m, randn(*shape, shift=2.0), device=device, rtol=1e-4, atol=1e-5)
    assert repr(rt_m) == repr(th_m)


def test_group_norm_errors():
    gradchecks(lambda x, w, b: F.group_norm(x, 2, w, b), randn(2, 4, 3), randn(4), randn(4))
    with pytest.raises(ValueError, match="divisible"):
        rustorch.nn.GroupNorm(3, 4)
    with pytest.raises(rustorch.ShapeError, match=r"GroupNorm.*6 channels.*\[2, 4, 3\]"):
        rustorch.nn.GroupNorm(2, 6)(rustorch.randn(2, 4, 3))
    with pytest.raises(rustorch.ShapeError, match="divisible by num_groups"):
        F.group_norm(rustorch.randn(2, 5, 3), 2)


# RMS norm ------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,normalized", [((4, 6), 6), ((2, 3, 5), (3, 5))])
@pytest.mark.parametrize("options", [{}, {"eps": 1e-3}, {"elementwise_affine": False}], ids=str)
def test_rms_norm(shape, normalized, options, device):
    rt_m, th_m = rustorch.nn.RMSNorm(normalized, **options), torch.nn.RMSNorm(normalized, **options)
    randomise(rt_m, th_m)
    check_module(rt_m, th_m, randn(*shape), device=device, rtol=1e-4, atol=1e-5)
    assert repr(rt_m) == repr(th_m)


def test_rms_norm_eps_none_is_finfo_eps():
    x = np.zeros((2, 3), np.float32)
    x[0, 0] = 1e-4  # a tiny row: the result depends on eps
    check_grads(lambda x: F.rms_norm(x, (3,)), lambda x: torch.nn.functional.rms_norm(x, (3,)), x)
    gradchecks(lambda x, w: F.rms_norm(x, (3,), w), randn(2, 3), randn(3))


# local response norm and normalize -----------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 6, 5), (2, 7, 3, 4), (1, 5, 2, 3, 2)])
@pytest.mark.parametrize("size,alpha,beta,k", [(2, 1e-4, 0.75, 1.0), (3, 0.5, 0.6, 2.0), (5, 1.0, 1.0, 0.5)])
def test_local_response_norm(shape, size, alpha, beta, k, device):
    rt_m, th_m = rustorch.nn.LocalResponseNorm(size, alpha, beta, k), torch.nn.LocalResponseNorm(size, alpha, beta, k)
    check_module(rt_m, th_m, randn(*shape, scale=2.0), device=device, rtol=1e-4, atol=1e-5)
    assert repr(rt_m) == repr(th_m)


def test_local_response_norm_errors():
    with pytest.raises(rustorch.ShapeError, match="3D or higher"):
        F.local_response_norm(rustorch.randn(2, 3), 2)


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1)])
def test_normalize(p, dim, device):
    x = randn(3, 4, 5)
    x[0, 0] = 0  # a zero vector: clamped by eps
    check_grads(lambda x: F.normalize(x, p, dim), lambda x: torch.nn.functional.normalize(x, p, dim), x,
                device=device)
    out = rustorch.empty(3, 4, 5, device=device)
    F.normalize(rustorch.tensor(x, device=device), p, dim, out=out)
    assert_same(out, torch.nn.functional.normalize(torch.tensor(x), p, dim))


# shared ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda nn: nn.BatchNorm1d(4), lambda nn: nn.BatchNorm2d(4, affine=False), lambda nn: nn.BatchNorm3d(4, bias=False),
    lambda nn: nn.BatchNorm1d(4, track_running_stats=False), lambda nn: nn.InstanceNorm2d(4, affine=True),
    lambda nn: nn.LayerNorm((2, 3)), lambda nn: nn.LayerNorm(3, bias=False), lambda nn: nn.GroupNorm(2, 4),
    lambda nn: nn.RMSNorm(3), lambda nn: nn.RMSNorm(3, elementwise_affine=False), lambda nn: nn.LocalResponseNorm(3),
])
def test_state_dict_and_repr_match_torch(make):
    rt_m, th_m = make(rustorch.nn), make(torch.nn)
    assert repr(rt_m) == repr(th_m)
    rt_state, th_state = rt_m.state_dict(), th_m.state_dict()
    assert list(rt_state) == list(th_state)
    for name, t in th_state.items():
        assert_same(rt_state[name], t)  # torch's default initialisation is deterministic for these layers


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.BatchNorm1d(3), (0, 3)), (lambda nn: nn.BatchNorm2d(3), (2, 3, 0, 4)),
    (lambda nn: nn.LayerNorm(4), (0, 4)), (lambda nn: nn.GroupNorm(2, 4), (0, 4, 3)),
    (lambda nn: nn.InstanceNorm1d(3), (0, 3, 4)),
])
def test_empty_input(make, shape, device):
    # an empty batch: an empty output, zero parameter gradients, running statistics kept
    check_module(make(rustorch.nn), make(torch.nn), np.zeros(shape, np.float32), device=device)


def test_layer_norm_empty_normalized_shape():
    x = rustorch.randn(2, 3, 0)
    assert F.layer_norm(x, (0,)).shape == (2, 3, 0) and F.layer_norm(x, (3, 0)).shape == (2, 3, 0)


def test_double_precision_module(device):
    rt_m, th_m = rustorch.nn.BatchNorm2d(3).double(), torch.nn.BatchNorm2d(3).double()
    x = rng.standard_normal((2, 3, 4, 4))
    check_module(rt_m, th_m, x, device=device)
