"""Dropout layers and functions: statistics of the masks, scaling, train/eval, gradients, in-place, errors.

The masks come from rustorch's generator, so values are not compared with torch's; the tests check what the
masks must satisfy instead.
"""
import math
import warnings

import numpy as np
import pytest
import torch

import rustorch
import rustorch.nn.functional as F

ALPHA = 1.7580993408473766  # SELU's scale * alpha


def fraction(mask):
    return float(mask.float().mean())


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics_scale_and_gradient(p, device):
    x = rustorch.randn(200, 500, requires_grad=True, device=device)
    y = F.dropout(x, p)
    kept = y != 0
    assert abs(fraction(kept) - (1 - p)) < 0.01  # 100000 draws: 4 standard deviations is about 0.006
    scale = 1 / (1 - p)
    assert bool(rustorch.isclose(y[kept], x.detach()[kept] * scale).all())
    assert y.grad_fn.name() == "MulBackward0"  # as torch's CPU dropout
    g = rustorch.randn(200, 500, device=device)
    y.backward(g)
    # the gradient is the same mask times the same scale
    assert bool(rustorch.isclose(x.grad, rustorch.where(kept, g * scale, 0.0)).all())


def test_dropout_eval_p0_p1_and_seed(device):
    x = rustorch.randn(10, 10, requires_grad=True, device=device)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    m = rustorch.nn.Dropout(0.5).eval()
    assert m(x) is x
    y = F.dropout(x, 1.0)
    assert bool((y == 0).all()) and y.requires_grad
    rustorch.manual_seed(3)
    a = F.dropout(x, 0.5)
    rustorch.manual_seed(3)
    assert bool((F.dropout(x, 0.5) == a).all())  # the masks come from rustorch's generator
    assert not bool((F.dropout(x, 0.5) == a).all())


def test_dropout_inplace(device):
    x = rustorch.randn(100, 100, requires_grad=True, device=device)
    h = x * 1
    y = F.dropout(h, 0.5, inplace=True)
    assert y is h
    y.sum().backward()
    assert bool(((x.grad == 0) | (x.grad == 2)).all()) and bool(((x.grad == 0) == (h == 0)).all())
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.dropout(x, 0.5, inplace=True)
    m = rustorch.nn.Dropout(0.3, inplace=True)
    z = rustorch.ones(50, 50, device=device)
    assert m(z) is z and abs(fraction(z == 0) - 0.3) < 0.05
    assert repr(m) == repr(torch.nn.Dropout(0.3, inplace=True))


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_p_validation(p):
    for cls in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"):
        with pytest.raises(ValueError, match="between 0 and 1"):
            getattr(rustorch.nn, cls)(p)
    for fn in (F.dropout, F.dropout1d, F.dropout2d, F.dropout3d, F.alpha_dropout, F.feature_alpha_dropout):
        with pytest.raises(ValueError, match="between 0 and 1"):
            fn(rustorch.ones(2, 2, 2, 2), p)


def test_integer_input(device):
    x = rustorch.arange(4, device=device)
    assert F.dropout(x, 0.5, training=False) is x
    with pytest.raises(TypeError, match="floating point"):
        F.dropout(x, 0.5)


def channels_whole(y, value):
    """Every (sample, channel) slice of y is all zeros or all ``value``."""
    flat = y.reshape(y.shape[0], y.shape[1], -1)
    return bool(((flat == 0).all(-1) | rustorch.isclose(flat, rustorch.full_like(flat, value)).all(-1)).all())


@pytest.mark.parametrize("fn,shape,cls", [(F.dropout1d, (40, 50, 3), "Dropout1d"),
                                          (F.dropout2d, (40, 50, 2, 3), "Dropout2d"),
                                          (F.dropout3d, (40, 50, 2, 2, 2), "Dropout3d")])
def test_channel_dropout(fn, shape, cls, device):
    p = 0.4
    x = rustorch.ones(*shape, requires_grad=True, device=device)
    y = fn(x, p)
    assert channels_whole(y, 1 / (1 - p))
    assert abs(fraction(y == 0) - p) < 0.05
    y.sum().backward()
    assert bool((x.grad == y).all())  # input of ones: the gradient is the scaled mask, as the output
    m = getattr(rustorch.nn, cls)(p)
    assert channels_whole(m(rustorch.ones(*shape, device=device)), 1 / (1 - p))
    m.eval()
    z = rustorch.ones(*shape, device=device)
    assert m(z) is z
    assert repr(m) == repr(getattr(torch.nn, cls)(p))


def test_channel_dropout_unbatched_and_warnings(device):
    y = F.dropout1d(rustorch.ones(50, 4, device=device), 0.5)  # (C, L): whole rows
    assert y.shape == (50, 4) and channels_whole(y.unsqueeze(0), 2.0)
    y = F.dropout3d(rustorch.ones(50, 2, 2, 2, device=device), 0.5)
    assert y.shape == (50, 2, 2, 2) and channels_whole(y.unsqueeze(0), 2.0)
    with pytest.raises(rustorch.ShapeError, match="dropout1d: Expected 2D or 3D input"):
        F.dropout1d(rustorch.ones(2, 3, 4, 5, device=device))
    with pytest.warns(UserWarning, match="3D input to dropout2d"):
        y = F.dropout2d(rustorch.ones(3, 50, 4, device=device), 0.5)  # taken as (N, C, L)
    assert channels_whole(y, 2.0)
    with pytest.warns(UserWarning, match="5-D input to dropout2d"):
        F.dropout2d(rustorch.ones(2, 3, 2, 2, 2, device=device), 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(rustorch.ShapeError, match="at least 2 dimensions"):
            F.dropout2d(rustorch.ones(3, device=device), 0.5)
    x = rustorch.ones(4, 3, 2, device=device)
    h = x.clone()
    assert F.dropout1d(h, 0.5, inplace=True) is h


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout(p, device):
    x = rustorch.randn(400, 500, requires_grad=True, device=device)
    y = F.alpha_dropout(x, p, training=True)
    a = 1 / math.sqrt((ALPHA ** 2 * p + 1) * (1 - p))
    dropped_value = -ALPHA * a + ALPHA * a * p
    dropped = rustorch.isclose(y, rustorch.full_like(y, dropped_value))
    assert abs(fraction(dropped) - p) < 0.01
    kept = ~dropped
    assert bool(rustorch.isclose(y[kept], x.detach()[kept] * a + ALPHA * a * p, atol=1e-6).all())
    # a standard normal input keeps mean 0 and variance 1
    assert abs(float(y.mean())) < 0.02 and abs(float(y.var()) - 1) < 0.02
    assert y.grad_fn.name() == "AddBackward0"
    y.sum().backward()
    assert bool(rustorch.isclose(x.grad, rustorch.where(kept, a, 0.0)).all())
    assert F.alpha_dropout(x, p) is x  # training=False by default, as torch
    m = rustorch.nn.AlphaDropout(p)
    assert abs(float(m(rustorch.randn(200, 500, device=device)).var()) - 1) < 0.03
    assert repr(m) == repr(torch.nn.AlphaDropout(p))


def test_feature_alpha_dropout(device):
    p = 0.3
    x = rustorch.randn(60, 80, 4, requires_grad=True, device=device)
    y = F.feature_alpha_dropout(x, p, training=True)
    a = 1 / math.sqrt((ALPHA ** 2 * p + 1) * (1 - p))
    dropped = rustorch.isclose(y, rustorch.full_like(y, -ALPHA * a + ALPHA * a * p)).all(-1)
    assert abs(fraction(dropped) - p) < 0.03
    y.sum().backward()
    grad = x.grad.reshape(60, 80, 4)
    assert bool((rustorch.isclose(grad, rustorch.full_like(grad, a)).all(-1) | (grad == 0).all(-1)).all())
    m = rustorch.nn.FeatureAlphaDropout(p).eval()
    z = rustorch.ones(2, 3, 4, device=device)
    assert m(z) is z
    with pytest.raises(rustorch.ShapeError, match="at least 2 dimensions"):
        F.feature_alpha_dropout(rustorch.ones(5, device=device), 0.5, training=True)


def test_dropout_in_a_model_trains_and_evaluates(device):
    model = rustorch.nn.Sequential(rustorch.nn.Linear(8, 16), rustorch.nn.Dropout(0.5), rustorch.nn.Linear(16, 1))
    model.to(device)
    x = rustorch.randn(32, 8, device=device)
    model(x).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.eval()
    assert bool((model(x) == model(x)).all())  # eval is deterministic
    ref = np.asarray(model[2](model[0](x)).detach().cpu().numpy())
    np.testing.assert_allclose(model(x).detach().cpu().numpy(), ref)
