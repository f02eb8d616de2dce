"""nn.Conv1d/2d/3d, nn.ConvTranspose1d/2d/3d and their functional forms against torch."""
import math

import numpy as np
import pytest
import torch

import rustorch
import rustorch.nn.functional as F
from rustorch import nn
from rustorch.errors import DTypeError, InvalidArgumentError, ShapeError, ValueOutOfRangeError
from conftest import arrays, assert_same, check_grads, check_module, gradchecks


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# (layer, args, kwargs, input shape)
CONVS = [
    ("Conv1d", (4, 6, 3), {}, (2, 4, 11)),
    ("Conv1d", (4, 6, 4), dict(stride=2, padding=2, dilation=2, groups=2, bias=False), (3, 4, 13)),
    ("Conv1d", (3, 5, 4), dict(padding="same", dilation=3, padding_mode="circular"), (2, 3, 12)),
    ("Conv2d", (3, 8, 3), dict(padding=1), (2, 3, 9, 10)),
    ("Conv2d", (4, 6, (3, 2)), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2), (2, 4, 9, 8)),
    ("Conv2d", (4, 4, 3), dict(groups=4, padding="valid"), (1, 4, 7, 6)),
    ("Conv2d", (3, 5, (2, 4)), dict(padding="same", bias=False), (2, 3, 7, 8)),
    ("Conv2d", (3, 5, 3), dict(padding=2, padding_mode="reflect"), (2, 3, 7, 6)),
    ("Conv2d", (3, 5, 3), dict(padding=(1, 2), stride=2, padding_mode="replicate"), (2, 3, 7, 6)),
    ("Conv2d", (3, 5, 3), dict(padding=1, padding_mode="circular"), (2, 3, 5, 6)),
    ("Conv2d", (6, 4, 1), {}, (2, 6, 5, 5)),
    ("Conv2d", (6, 4, 1), dict(stride=2, groups=2), (2, 6, 5, 5)),
    ("Conv3d", (2, 4, 3), dict(padding=1), (2, 2, 5, 6, 4)),
    ("Conv3d", (4, 4, (2, 3, 1)), dict(stride=(1, 2, 2), dilation=(2, 1, 1), groups=2), (1, 4, 6, 7, 5)),
    ("Conv3d", (2, 3, 3), dict(padding="same", padding_mode="reflect"), (1, 2, 4, 5, 4)),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("name, args, kwargs, shape", CONVS)
def test_conv_matches_torch(name, args, kwargs, shape, device):
    check_module(getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs), _x(*shape),
                 device=device, rtol=1e-5, atol=1e-5)


TRANSPOSED = [
    ("ConvTranspose1d", (4, 6, 3), {}, (2, 4, 7)),
    ("ConvTranspose1d", (4, 6, 3), dict(stride=3, padding=1, output_padding=2, groups=2, dilation=2), (2, 4, 5)),
    ("ConvTranspose2d", (3, 5, 3), dict(stride=2, padding=1, output_padding=1), (2, 3, 5, 6)),
    ("ConvTranspose2d", (4, 6, (2, 3)), dict(stride=(1, 2), groups=2, dilation=(2, 1), bias=False), (2, 4, 4, 5)),
    ("ConvTranspose2d", (4, 4, 1), {}, (1, 4, 3, 3)),
    ("ConvTranspose3d", (2, 3, 2), dict(stride=2), (1, 2, 3, 3, 2)),
    ("ConvTranspose3d", (4, 2, 3), dict(padding=(1, 0, 1), groups=2, output_padding=(0, 1, 0), stride=(1, 2, 1)),
     (2, 4, 3, 4, 3)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", TRANSPOSED)
def test_conv_transpose_matches_torch(name, args, kwargs, shape, device):
    check_module(getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs), _x(*shape),
                 device=device, rtol=1e-5, atol=1e-5)


def test_conv_transpose_output_size(device):
    ours, theirs = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), torch.nn.ConvTranspose2d(3, 2, 3, stride=2,
                                                                                                padding=1)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    ours.to(device)
    x = _x(1, 3, 4, 5)
    for size in [(7, 9), (8, 10), [1, 2, 8, 9]]:
        assert_same(ours(rustorch.tensor(x, device=device), output_size=size),
                    theirs(torch.tensor(x), output_size=size).detach(), rtol=1e-5, atol=1e-6)
    with pytest.raises(InvalidArgumentError, match="valid sizes range"):
        ours(rustorch.tensor(x, device=device), output_size=(11, 9))


@pytest.mark.parametrize("name, args, shape", [("Conv1d", (2, 3, 3), (2, 7)), ("Conv2d", (2, 3, 3), (2, 6, 5)),
                                                ("ConvTranspose2d", (2, 3, 3), (2, 4, 4))])
def test_unbatched_input(name, args, shape, device):
    check_module(getattr(nn, name)(*args), getattr(torch.nn, name)(*args), _x(*shape), device=device, rtol=1e-5,
                 atol=1e-5)


@pytest.mark.parametrize("fn, w_shape, kwargs", [
    ("conv1d", (4, 2, 3), dict(stride=2, padding=1, groups=2)),
    ("conv2d", (4, 2, 3, 2), dict(stride=(1, 2), padding=(2, 1), dilation=(2, 1), groups=2)),
    ("conv3d", (2, 4, 2, 2, 2), dict(padding="same")),
    ("conv_transpose1d", (4, 3, 3), dict(stride=2, output_padding=1)),
    ("conv_transpose2d", (4, 1, 3, 3), dict(stride=2, padding=1, groups=2, dilation=(1, 2))),
    ("conv_transpose3d", (4, 2, 2, 1, 2), dict(stride=(2, 1, 1))),
])
def test_functional_against_torch_and_gradcheck(fn, w_shape, kwargs, device):
    nsp = len(w_shape) - 2
    c_in = w_shape[0] if fn.startswith("conv_transpose") else w_shape[1] * kwargs.get("groups", 1)
    c_out = w_shape[1] * kwargs.get("groups", 1) if fn.startswith("conv_transpose") else w_shape[0]
    x, w, b = arrays([(2, c_in) + (5,) * nsp, w_shape, (c_out,)], seed=nsp)
    ours = lambda x, w, b: getattr(F, fn)(x, w, b, **kwargs)
    theirs = lambda x, w, b: getattr(torch.nn.functional, fn)(x, w, b, **kwargs)
    check_grads(ours, theirs, *(a.astype(np.float32) for a in (x, w, b)), device=device, rtol=1e-5, atol=1e-5)
    small = [a[:1, :, :3, ...] if a.ndim > 1 and a is x else a for a in (x, w, b)]
    gradchecks(ours, *small, device=device)


def test_double_backward_matches_torch(device):
    # a gradient penalty: d/dparams of |d loss / d x|^2 goes through the backward formulas themselves
    x, w, b = (_x(2, 4, 6, 5, seed=1), _x(6, 2, 3, 3, seed=2), _x(6, seed=3))

    def penalty(lib, fn, x, w, b):
        on = dict(device=device) if lib is rustorch else {}
        x = lib.tensor(x, requires_grad=True, **on)
        w = lib.tensor(w, requires_grad=True, **on)
        b = lib.tensor(b, requires_grad=True, **on)
        y = fn(x, w, b, stride=(2, 1), padding=1, groups=2)
        (gx,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (gx * gx).sum().backward()
        return x.grad, w.grad, b.grad

    ours = penalty(rustorch, F.conv2d, x, w, b)
    theirs = penalty(torch, torch.nn.functional.conv2d, x, w, b)
    for r, t in zip(ours, theirs):
        assert_same(r, t, rtol=1e-4, atol=1e-4)
    ours = penalty(rustorch, F.conv_transpose2d, x, _x(4, 3, 3, 3, seed=2), b)
    theirs = penalty(torch, torch.nn.functional.conv_transpose2d, x, _x(4, 3, 3, 3, seed=2), b)
    for r, t in zip(ours, theirs):
        assert_same(r, t, rtol=1e-4, atol=1e-4)


def test_node_noncontiguous_float64_and_empty_batch(device):
    w = rustorch.tensor(_x(3, 2, 2, 2), requires_grad=True, device=device)
    y = F.conv2d(rustorch.tensor(_x(1, 2, 4, 4), device=device), w)
    assert y.grad_fn.name() == "ConvolutionBackward0"
    x = _x(2, 5, 6, 3).transpose(0, 3, 1, 2)  # a non-contiguous (2, 3, 5, 6) view
    check_grads(lambda x, w: F.conv2d(x.permute(0, 3, 1, 2), w, padding=1),
                lambda x, w: torch.nn.functional.conv2d(x.permute(0, 3, 1, 2), w, padding=1),
                np.ascontiguousarray(x.transpose(0, 2, 3, 1)), _x(4, 3, 3, 3), device=device, rtol=1e-5, atol=1e-5)
    x64 = np.random.default_rng(0).standard_normal((1, 2, 5, 5))
    w64 = x64[0, :, None, :3, :3].copy().transpose(1, 0, 2, 3)
    ours = F.conv2d(rustorch.tensor(x64, device=device), rustorch.tensor(w64, device=device))
    assert ours.dtype is rustorch.float64
    assert_same(ours, torch.nn.functional.conv2d(torch.tensor(x64), torch.tensor(w64)))
    empty = F.conv2d(rustorch.zeros(0, 2, 5, 5, device=device), rustorch.ones(3, 2, 3, 3, device=device))
    assert tuple(empty.shape) == (0, 3, 3, 3)


@pytest.mark.parametrize("name, args, kwargs", [
    ("Conv1d", (16, 33, 3), dict(stride=2)),
    ("Conv2d", (16, 33, (3, 5)), dict(stride=(2, 1), padding=(4, 2), dilation=(3, 1))),
    ("Conv2d", (4, 8, 3), dict(padding="same", groups=2, bias=False, padding_mode="reflect")),
    ("Conv3d", (16, 33, (3, 5, 2)), dict(stride=(2, 1, 1), padding=(4, 2, 0))),
    ("ConvTranspose1d", (4, 6, 3), dict(output_padding=1, stride=2)),
    ("ConvTranspose2d", (16, 33, (3, 5)), dict(stride=(2, 1), padding=(4, 2), dilation=2, groups=1)),
    ("ConvTranspose3d", (16, 32, 3), dict(stride=2, groups=4, bias=False)),
])
def test_parameters_repr_and_default_init(name, args, kwargs):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert tuple(a.shape) == tuple(b.shape), k
    assert ours._reversed_padding_repeated_twice == list(theirs._reversed_padding_repeated_twice)
    # kaiming_uniform_(a=sqrt(5)) is uniform in +-1/sqrt(fan_in); so is the bias
    w = ours.weight.detach().numpy()
    fan_in = w.shape[1] * math.prod(w.shape[2:])
    bound = 1 / math.sqrt(fan_in)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.15 * bound
    if ours.bias is not None:
        assert np.abs(ours.bias.detach().numpy()).max() <= bound


def test_errors_name_the_op_and_shapes():
    conv = nn.Conv2d(3, 4, 3)
    with pytest.raises(ShapeError, match=r"expected input\[1, 5, 8, 8\] to have 3 channels, but got 5"):
        conv(rustorch.ones(1, 5, 8, 8))
    with pytest.raises(ShapeError, match=r"conv2d\(\): expected 3D \(unbatched\) or 4D \(batched\) input"):
        conv(rustorch.ones(8, 8))
    with pytest.raises(ShapeError, match=r"Kernel size: \(3 x 3\)"):
        conv(rustorch.ones(1, 3, 2, 8))
    with pytest.raises(ShapeError, match="bias"):
        F.conv1d(rustorch.ones(1, 2, 5), rustorch.ones(3, 2, 2), rustorch.ones(4))
    with pytest.raises(ShapeError, match="weight"):
        F.conv1d(rustorch.ones(1, 2, 5), rustorch.ones(3, 2))
    with pytest.raises(DTypeError):
        F.conv1d(rustorch.ones(1, 2, 5), rustorch.ones(3, 2, 2, dtype=rustorch.float64))
    with pytest.raises(DTypeError):
        F.conv1d(rustorch.ones(1, 2, 5, dtype=rustorch.int64), rustorch.ones(3, 2, 2, dtype=rustorch.int64))
    with pytest.raises(InvalidArgumentError, match="strided"):
        F.conv2d(rustorch.ones(1, 3, 5, 5), rustorch.ones(4, 3, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueOutOfRangeError, match="stride"):
        F.conv2d(rustorch.ones(1, 3, 5, 5), rustorch.ones(4, 3, 3, 3), stride=0)
    with pytest.raises(ValueOutOfRangeError, match="output padding"):
        F.conv_transpose1d(rustorch.ones(1, 2, 5), rustorch.ones(2, 3, 3), stride=2, output_padding=2)
    with pytest.raises(ValueError, match="zeros"):
        nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="divisible"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding string"):
        nn.Conv2d(3, 4, 3, padding="full")
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 4, 3, padding_mode="mirror")
    with pytest.raises(ValueOutOfRangeError, match="padding size"):
        nn.Conv1d(1, 1, 3, padding=4, padding_mode="reflect")(rustorch.ones(1, 1, 4))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name, args, kwargs, shape", [CONVS[1], CONVS[3], CONVS[12]] + [
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2), (2, 4, 5, 6))])
def test_conv_half_precision_against_torch(dtype, name, args, kwargs, shape, device):
    # torch computes half-precision convolutions in float and rounds the result: so do we, to within a few of
    # the dtype's ulps (the sums run in another order)
    theirs = getattr(torch.nn, name)(*args, **kwargs).to(getattr(torch, dtype))
    ours = getattr(nn, name)(*args, **kwargs).to(getattr(rustorch, dtype))
    ours.load_state_dict({k: v.float().numpy() for k, v in theirs.state_dict().items()})
    ours.to(device)
    x = _x(*shape)
    results = []
    for lib, layer in ((rustorch, ours), (torch, theirs)):
        xi = lib.tensor(x, **(dict(device=device) if lib is rustorch else {})).to(getattr(lib, dtype))
        xi.requires_grad_()
        y = layer(xi)
        y.float().square().sum().backward()
        assert y.dtype is getattr(lib, dtype) and xi.grad.dtype is getattr(lib, dtype)
        results.append([t.detach().float().cpu().numpy() for t in (y, xi.grad, layer.weight.grad)])
    tol = 1e-2 if dtype == "float16" else 4e-2
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol * np.abs(b).max())
