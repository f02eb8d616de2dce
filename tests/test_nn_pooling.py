"""Pooling layers (max, average, adaptive, Lp, unpooling) and their functional forms against torch."""
import numpy as np
import pytest
import torch

import rustorch
import rustorch.nn.functional as F
from rustorch import nn
from rustorch.errors import DTypeError, IndexOutOfRangeError, InvalidArgumentError, ShapeError, ValueOutOfRangeError
from conftest import arrays, assert_same, check_grads, check_module, gradchecks


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


POOLS = [
    ("MaxPool1d", (3,), {}, (2, 3, 10)),
    ("MaxPool1d", (4,), dict(stride=3, padding=2, dilation=2, ceil_mode=True, return_indices=True), (2, 3, 13)),
    ("MaxPool2d", (2,), {}, (2, 3, 8, 9)),
    ("MaxPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True, return_indices=True), (2, 3, 8, 9)),
    ("MaxPool2d", ((3, 2),), dict(stride=(1, 2), dilation=(2, 1), padding=(1, 1)), (1, 2, 9, 7)),
    ("MaxPool3d", (2,), dict(return_indices=True), (2, 2, 5, 6, 4)),
    ("MaxPool3d", ((3, 2, 3),), dict(stride=2, padding=1, dilation=(1, 2, 1), ceil_mode=True), (1, 2, 7, 8, 6)),
    ("AvgPool1d", (3,), dict(stride=2, padding=1), (2, 3, 10)),
    ("AvgPool1d", (4,), dict(stride=3, padding=2, ceil_mode=True, count_include_pad=False), (2, 3, 12)),
    ("AvgPool2d", (2,), {}, (2, 3, 8, 9)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True), (2, 3, 8, 9)),
    ("AvgPool2d", ((3, 2),), dict(stride=(2, 1), padding=(1, 1), count_include_pad=False), (1, 2, 9, 7)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, divisor_override=5, ceil_mode=True), (1, 2, 6, 7)),
    ("AvgPool3d", (2,), dict(stride=1, padding=1, ceil_mode=True, count_include_pad=False), (1, 2, 4, 5, 3)),
    ("AvgPool3d", ((3, 2, 2),), dict(stride=2, padding=(1, 0, 1), divisor_override=3), (2, 2, 5, 6, 5)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 10)),
    ("AdaptiveAvgPool2d", ((3, 5),), {}, (2, 3, 8, 9)),
    ("AdaptiveAvgPool2d", ((None, 2),), {}, (2, 3, 7, 5)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 7, 5)),
    ("AdaptiveAvgPool3d", ((2, 3, 4),), {}, (1, 2, 5, 7, 9)),
    ("AdaptiveMaxPool1d", (3,), dict(return_indices=True), (2, 3, 10)),
    ("AdaptiveMaxPool2d", ((3, 4),), {}, (2, 3, 8, 9)),
    ("AdaptiveMaxPool2d", ((5, None),), dict(return_indices=True), (2, 3, 7, 5)),
    ("AdaptiveMaxPool3d", ((2, 3, 2),), dict(return_indices=True), (1, 2, 5, 7, 3)),
    ("LPPool1d", (2, 3), dict(stride=2), (2, 3, 10)),
    ("LPPool2d", (1, 2), {}, (2, 3, 8, 9)),
    ("LPPool2d", (3, (3, 2)), dict(stride=(2, 1), ceil_mode=True), (2, 3, 8, 9)),
    ("LPPool2d", (float("inf"), 2), {}, (1, 2, 6, 6)),
    ("LPPool3d", (2, 2), {}, (1, 2, 4, 4, 6)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", POOLS)
def test_pooling_matches_torch(name, args, kwargs, shape, device):
    x = _x(*shape)
    if name.startswith("LPPool") and args[0] % 2 == 1:
        x = np.abs(x)  # an odd power of a negative window sum has no real root
    check_module(getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs), x, device=device,
                 rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, args, shape", [("MaxPool2d", (2,), (3, 6, 6)), ("AvgPool1d", (2,), (3, 6)),
                                                ("AdaptiveMaxPool2d", (2,), (3, 5, 5)),
                                                ("AdaptiveAvgPool3d", (2,), (2, 3, 4, 5))])
def test_unbatched_input(name, args, shape, device):
    check_module(getattr(nn, name)(*args), getattr(torch.nn, name)(*args), _x(*shape), device=device)


@pytest.mark.parametrize("nsp", [1, 2, 3])
def test_max_unpool_matches_torch(nsp, device):
    shape = (2, 3) + (6, 4, 4)[:nsp]
    odd = (2, 3) + (7, 5, 5)[:nsp]  # sizes that pool to the same output; output_size tells them apart
    pool, tpool = getattr(nn, f"MaxPool{nsp}d")(2, return_indices=True), getattr(torch.nn, f"MaxPool{nsp}d")(
        2, return_indices=True)
    unpool, tunpool = getattr(nn, f"MaxUnpool{nsp}d")(2), getattr(torch.nn, f"MaxUnpool{nsp}d")(2)
    x = _x(*shape)
    values, indices = pool(rustorch.tensor(x, device=device))
    tvalues, tindices = tpool(torch.tensor(x))
    assert_same(values, tvalues)
    assert_same(indices, tindices)
    check_grads(lambda v: unpool(v, indices), lambda v: tunpool(v, tindices), tvalues.numpy(), device=device)
    values, indices = pool(rustorch.tensor(_x(*odd), device=device))
    tvalues, tindices = tpool(torch.tensor(_x(*odd)))
    check_grads(lambda v: unpool(v, indices, output_size=odd), lambda v: tunpool(v, tindices, output_size=odd),
                tvalues.numpy(), device=device)
    assert repr(unpool) == repr(tunpool)


def test_nan_ties_and_infinities_follow_torch(device):
    x = np.array([[[1.0, np.nan, 3.0, np.nan, 2.0, 2.0, -np.inf, -np.inf, 5.0, 5.0]]], np.float32)
    for kwargs in (dict(kernel_size=2), dict(kernel_size=4, stride=2, padding=2), dict(kernel_size=3, dilation=2)):
        v, i = F.max_pool1d(rustorch.tensor(x, device=device), return_indices=True, **kwargs)
        tv, ti = torch.nn.functional.max_pool1d(torch.tensor(x), return_indices=True, **kwargs)
        assert_same(v, tv)
        assert_same(i, ti)
    v, i = F.adaptive_max_pool1d(rustorch.tensor(x, device=device), 3, return_indices=True)
    tv, ti = torch.nn.functional.adaptive_max_pool1d(torch.tensor(x), 3, return_indices=True)
    assert_same(v, tv)
    assert_same(i, ti)


@pytest.mark.parametrize("fn, kwargs", [
    ("max_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("max_pool1d", dict(kernel_size=2, dilation=2)),
    ("max_pool3d", dict(kernel_size=2, stride=1)),
    ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ("avg_pool3d", dict(kernel_size=2, padding=1, divisor_override=3)),
    ("adaptive_avg_pool2d", dict(output_size=(3, 2))),
    ("adaptive_max_pool2d", dict(output_size=(2, 3))),
    ("lp_pool2d", dict(norm_type=2, kernel_size=2)),
])
def test_functional_gradients(fn, kwargs, device):
    nsp = 3 if fn.endswith("3d") else 1 if fn.endswith("1d") else 2
    (x,) = arrays([(2, 3) + (5, 4, 4)[:nsp]], seed=nsp)
    ours = lambda x: getattr(F, fn)(x, **kwargs)
    theirs = lambda x: getattr(torch.nn.functional, fn)(x, **kwargs)
    check_grads(ours, theirs, x.astype(np.float32), device=device, rtol=1e-5, atol=1e-6)
    gradchecks(ours, x[:1, :2], device=device)


def test_with_indices_forms_and_nodes():
    x = rustorch.tensor(_x(1, 2, 6, 6), requires_grad=True)
    values, indices = F.max_pool2d_with_indices(x, 2)
    assert values.grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert indices.dtype is rustorch.int64 and not indices.requires_grad
    assert F.avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"
    assert F.adaptive_avg_pool2d(x, 3).grad_fn.name() == "AdaptiveAvgPool2DBackward0"
    for name in ("max_pool1d_with_indices", "adaptive_max_pool1d_with_indices"):
        out = getattr(F, name)(rustorch.tensor(_x(1, 2, 6)), 2)
        assert isinstance(out, tuple) and len(out) == 2
    assert len(F.adaptive_max_pool3d_with_indices(rustorch.tensor(_x(1, 2, 4, 4, 4)), 2)) == 2
    assert len(F.max_pool3d_with_indices(rustorch.tensor(_x(1, 2, 4, 4, 4)), 2)) == 2
    assert len(F.adaptive_max_pool2d_with_indices(rustorch.tensor(_x(1, 2, 4, 4)), 2)) == 2


def test_non_contiguous_and_float64(device):
    x = _x(2, 6, 7, 3)
    check_grads(lambda x: F.max_pool2d(x.permute(0, 3, 1, 2), 2, 1),
                lambda x: torch.nn.functional.max_pool2d(x.permute(0, 3, 1, 2), 2, 1), x, device=device)
    x64 = np.random.default_rng(1).standard_normal((2, 3, 6, 6))
    assert_same(F.avg_pool2d(rustorch.tensor(x64, device=device), 3, 2, 1),
                torch.nn.functional.avg_pool2d(torch.tensor(x64), 3, 2, 1))
    v, i = F.max_pool2d(rustorch.tensor(x64, device=device), 3, 2, 1, return_indices=True)
    tv, ti = torch.nn.functional.max_pool2d(torch.tensor(x64), 3, 2, 1, return_indices=True)
    assert_same(v, tv)
    assert_same(i, ti)


@pytest.mark.parametrize("name, args, kwargs", [
    ("MaxPool2d", (3,), dict(stride=2, padding=1, return_indices=True)),
    ("MaxPool1d", (2,), {}),
    ("MaxPool3d", ((2, 1, 2),), dict(dilation=2, ceil_mode=True)),
    ("AvgPool1d", (3,), dict(stride=2)),
    ("AvgPool2d", ((3, 2),), dict(divisor_override=2)),
    ("AvgPool3d", (2,), {}),
    ("MaxUnpool2d", (2,), dict(stride=1, padding=1)),
    ("LPPool1d", (2, 3), {}),
    ("LPPool2d", (1.5, (2, 3)), dict(stride=1, ceil_mode=True)),
    ("AdaptiveMaxPool2d", ((5, None),), dict(return_indices=True)),
    ("AdaptiveAvgPool1d", (7,), {}),
])
def test_repr_and_attributes(name, args, kwargs):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    for attr in ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices", "count_include_pad",
                 "divisor_override", "output_size", "norm_type"):
        if hasattr(theirs, attr):
            assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert list(ours.state_dict()) == []


def test_errors_name_the_op_and_shapes():
    with pytest.raises(ShapeError, match=r"max_pool2d\(\): expected 3D \(unbatched\) or 4D \(batched\) input"):
        F.max_pool2d(rustorch.ones(4, 4), 2)
    with pytest.raises(ShapeError, match="Output size is too small"):
        F.max_pool2d(rustorch.ones(1, 1, 1, 4), 2)
    with pytest.raises(ValueOutOfRangeError, match="pad should be smaller than or equal to half"):
        F.max_pool2d(rustorch.ones(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(ValueOutOfRangeError, match="pad should be smaller than or equal to half"):
        F.avg_pool1d(rustorch.ones(1, 1, 4), 2, padding=2)
    with pytest.raises(ValueOutOfRangeError, match="divisor"):
        F.avg_pool2d(rustorch.ones(1, 1, 4, 4), 2, divisor_override=0)
    with pytest.raises(DTypeError):
        F.avg_pool1d(rustorch.ones(1, 1, 4, dtype=rustorch.int64), 2)
    with pytest.raises(ShapeError, match="non-zero size"):
        F.adaptive_avg_pool2d(rustorch.ones(1, 0, 4, 4), 2)
    values, indices = F.max_pool1d(rustorch.ones(1, 1, 4), 2, return_indices=True)
    with pytest.raises(IndexOutOfRangeError, match="invalid max index"):
        F.max_unpool1d(values, indices + 10, 2)
    with pytest.raises(InvalidArgumentError, match="invalid output_size"):
        F.max_unpool1d(values, indices, 2, output_size=(9,))
    with pytest.raises(DTypeError, match="int64"):
        F.max_unpool1d(values, indices.int(), 2)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name, args, kwargs, shape", [POOLS[3], POOLS[8], POOLS[10], POOLS[17], POOLS[19]])
def test_pooling_half_precision_against_torch(dtype, name, args, kwargs, shape, device):
    # the kernels run half precision in float and round once, as torch's do; max pooling is exact
    results = []
    for lib in (rustorch, torch):
        x = lib.tensor(_x(*shape), **(dict(device=device) if lib is rustorch else {})).to(getattr(lib, dtype))
        x.requires_grad_()
        y = getattr(lib.nn, name)(*args, **kwargs)(x)
        y = y[0] if isinstance(y, tuple) else y
        y.float().square().sum().backward()
        assert y.dtype is getattr(lib, dtype) and x.grad.dtype is getattr(lib, dtype)
        results.append([t.detach().float().cpu().numpy() for t in (y, x.grad)])
    tol = 0 if name.startswith("Max") else (2e-3 if dtype == "float16" else 1.6e-2)
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
