"""Autograd of shape.py (cat, stack, repeat, flip, roll, rot90, ...): torch's nodes; gradients (and double backward)
by finite differences in float64 and against torch in float32; results stay differentiable through in-place writes."""
from functools import partial

import numpy as np
import pytest
import torch

import rustorch
from rustorch.errors import AutogradError
from conftest import arrays, check_grads, gradchecks, outputs, skip_complex_off_cpu

# (id, f(m, *inputs) with m the module (rustorch or torch), input shapes)
CASES = [
    ("cat", lambda m, x, y: m.cat([x, y], 1), [(2, 3), (2, 2)]),
    ("cat_noncontiguous_negative_dim", lambda m, x, y: m.cat([x.t(), y], -2), [(3, 2), (1, 3)]),
    ("cat_skips_1d_empty", lambda m, x, y: m.cat([x, y, x]), [(2, 3), (0,)]),
    ("cat_empty_dim", lambda m, x, y: m.cat([x, y], 1), [(2, 0), (2, 3)]),
    ("cat_one", lambda m, x: m.cat([x]), [(3,)]),
    ("cat_same_input_twice", lambda m, x: m.cat([x, x * 2, x], 0), [(2, 2)]),
    ("concat", lambda m, x, y: m.concat((x, y)), [(2,), (3,)]),
    ("concatenate", lambda m, x, y: m.concatenate([x, y], axis=1), [(2, 1), (2, 3)]),
    ("stack", lambda m, x, y: m.stack([x, y], -1), [(2, 3), (2, 3)]),
    ("stack_noncontiguous", lambda m, x, y: m.stack((x.t(), y), 1), [(3, 2), (2, 3)]),
    ("stack_0d", lambda m, x, y: m.stack([x, y]), [(), ()]),
    ("hstack", lambda m, x, y: m.hstack([x, y]), [(2,), (3,)]),
    ("hstack_2d", lambda m, x, y: m.hstack([x, y.t()]), [(2, 1), (3, 2)]),
    ("vstack", lambda m, x, y: m.vstack([x, y]), [(3,), (2, 3)]),
    ("row_stack", lambda m, x, y: m.row_stack([x, y]), [(3,), (3,)]),
    ("dstack", lambda m, x, y: m.dstack([x, y]), [(3,), (1, 3)]),
    ("column_stack", lambda m, x, y: m.column_stack([x, y]), [(2,), (2, 3)]),
    ("column_stack_0d", lambda m, x, y: m.column_stack([x, y]), [(), ()]),
    ("atleast_1d", lambda m, x: m.atleast_1d(x), [()]),
    ("atleast_2d", lambda m, x, y: m.atleast_2d(x, y), [(), (3,)]),
    ("atleast_3d", lambda m, x, y, z: m.atleast_3d([x, y, z]), [(), (3,), (2, 3)]),
    ("repeat", lambda m, x: x.repeat(2, 1, 3), [(2, 3)]),
    ("repeat_noncontiguous", lambda m, x: x.t().repeat(2, 2), [(2, 3)]),
    ("repeat_of_expanded", lambda m, x: x.expand(2, 3).repeat(1, 2), [(3,)]),
    ("repeat_0d", lambda m, x: x.repeat(2, 3), [()]),
    ("repeat_zero", lambda m, x: x.repeat(0, 2), [(2, 3)]),
    ("tile", lambda m, x: x.tile((2,)), [(2, 3)]),
    ("tile_more_dims", lambda m, x: m.tile(x, (2, 1, 2)), [(3,)]),
    ("flip", lambda m, x: x.flip((0, -1)), [(2, 3, 4)]),
    ("flip_noncontiguous", lambda m, x: m.flip(x.t(), [1]), [(3, 4)]),
    ("flip_no_dims", lambda m, x: m.flip(x, []), [(3,)]),
    ("flip_0d", lambda m, x: m.flip(x, [0]), [()]),
    ("fliplr", lambda m, x: x.fliplr(), [(3, 4)]),
    ("flipud", lambda m, x: m.flipud(x), [(3,)]),
    ("roll", lambda m, x: x.roll(1, 0), [(3, 4)]),
    ("roll_flat_noncontiguous", lambda m, x: x.t().roll(5), [(3, 4)]),
    ("roll_dims", lambda m, x: m.roll(x, (1, -2), (0, -1)), [(3, 4)]),
    ("roll_0d", lambda m, x: x.roll(3), [()]),
    ("roll_empty", lambda m, x: x.roll(1, 1), [(2, 0)]),
    ("repeat_interleave", lambda m, x: x.repeat_interleave(2, dim=1), [(2, 3)]),
    ("repeat_interleave_flat", lambda m, x: m.repeat_interleave(x.t(), 3), [(2, 3)]),
    ("repeat_interleave_0d", lambda m, x: x.repeat_interleave(2), [()]),
    ("repeat_interleave_zero", lambda m, x: x.repeat_interleave(0, 0), [(2, 3)]),
    ("repeat_interleave_tensor", lambda m, x: x.repeat_interleave(m.tensor([1, 0, 2], device=x.device), dim=0), [(3, 2)]),
    ("repeat_interleave_tensor_one", lambda m, x: x.repeat_interleave(m.tensor([2], device=x.device), 1), [(3, 2)]),
    ("rot90", lambda m, x: x.rot90(), [(3, 4)]),
    ("rot90_k2", lambda m, x: m.rot90(x, 2, (0, 2)), [(2, 3, 4)]),
    ("rot90_k3", lambda m, x: x.rot90(-1, [1, 0]), [(3, 4)]),
    ("rot90_k0", lambda m, x: x.rot90(4), [(3, 4)]),
]
IDS = [c[0] for c in CASES]



@pytest.mark.parametrize("name, f, shapes", CASES, ids=IDS)
def test_gradcheck(device, name, f, shapes):
    gradchecks(partial(f, rustorch), *arrays(shapes), device=device)


@pytest.mark.parametrize("name, f, shapes", CASES, ids=IDS)
def test_matches_torch(device, name, f, shapes):
    inputs = [a.astype(np.float32) for a in arrays(shapes)]
    check_grads(partial(f, rustorch), partial(f, torch), *inputs, device=device)
    rt_out = f(rustorch, *[rustorch.tensor(a, device=device, requires_grad=True) for a in inputs])
    th_out = f(torch, *[torch.tensor(a, requires_grad=True) for a in inputs])
    assert [o.grad_fn.name() for o in outputs(rt_out)] == [o.grad_fn.name() for o in outputs(th_out)]


# an in-place write on the result must reach the inputs: no result may be a view of the op's temporaries
WRITTEN = [
    ("cat", lambda m, x: m.cat([x, x])),
    ("stack", lambda m, x: m.stack([x, x], 1)),
    ("repeat", lambda m, x: x.repeat(1, 2)),
    ("flip", lambda m, x: x.flip([0])),
    ("roll_flat", lambda m, x: x.roll(2)),
    ("roll_dims", lambda m, x: x.roll((1, 1), (0, 1))),
    ("rot90", lambda m, x: x.rot90()),
    ("rot90_k3", lambda m, x: x.rot90(3)),
    ("repeat_interleave", lambda m, x: x.repeat_interleave(2, 0)),
]


@pytest.mark.parametrize("f", [w[1] for w in WRITTEN], ids=[w[0] for w in WRITTEN])
def test_inplace_write_on_result(device, f):
    def written(m, x):
        y = f(m, x)
        y.mul_(y.detach() + 1)
        return y

    check_grads(partial(written, rustorch), partial(written, torch), arrays([(3, 4)])[0].astype(np.float32),
                device=device)


def test_cat_promotes_and_returns_each_input_its_dtype(device):
    x = rustorch.ones(2, dtype=rustorch.float32, device=device, requires_grad=True)
    y = rustorch.ones(3, dtype=rustorch.float64, device=device, requires_grad=True)
    out = rustorch.cat([x, y])
    assert out.dtype is rustorch.float64
    gx, gy = rustorch.autograd.grad(out, (x, y), rustorch.arange(5.0, dtype=rustorch.float64, device=device))
    assert (gx.dtype, gy.dtype) == (rustorch.float32, rustorch.float64)
    assert gx.tolist() == [0.0, 1.0] and gy.tolist() == [2.0, 3.0, 4.0]


def test_cat_with_inputs_not_requiring_grad(device):
    x = rustorch.ones(2, device=device, requires_grad=True)
    c = rustorch.zeros(2, device=device)
    out = rustorch.stack([c, x, c])
    assert out.grad_fn.name() == "StackBackward0"
    (g,) = rustorch.autograd.grad(out, x, rustorch.arange(6.0, device=device).view(3, 2))
    assert g.tolist() == [2.0, 3.0]


@pytest.mark.parametrize("op", ["cat", "stack", "hstack", "vstack"])
def test_out_with_inputs_requiring_grad_raises(device, op):
    x = rustorch.ones(2, device=device, requires_grad=True)
    out = rustorch.empty(0, device=device)
    name = "stack" if op == "stack" else "cat"
    with pytest.raises(AutogradError, match=rf"{name}\(\): functions with out=\.\.\. arguments don't support"):
        getattr(rustorch, op)([x, x], out=out)
    with rustorch.no_grad():
        assert getattr(rustorch, op)([x, x], out=out) is out
    assert not out.requires_grad


def test_no_grad_mode_records_nothing(device):
    x = rustorch.ones(2, 3, device=device, requires_grad=True)
    with rustorch.no_grad():
        for y in (rustorch.cat([x, x]), rustorch.stack([x]), x.repeat(2, 1), x.flip([0]), x.roll(1), x.rot90(),
                  x.repeat_interleave(2)):
            assert y.grad_fn is None and not y.requires_grad


def test_integer_results_need_no_grad(device):
    counts = rustorch.tensor([1, 2], device=device)
    assert not rustorch.repeat_interleave(counts).requires_grad
    x = rustorch.arange(4, device=device)
    for y in (rustorch.cat([x, x]), x.flip([0]), x.roll(1), x.repeat(2)):
        assert not y.requires_grad and y.grad_fn is None


@pytest.mark.parametrize("f", [
    lambda m, x: m.cat([x, x.flip([0])], 1),
    lambda m, x: m.stack(x.unbind(1)),
    lambda m, x: x.repeat(2, 1).roll(1).rot90(),
    lambda m, x: x.repeat_interleave(2, 0),
], ids=["cat_flip", "stack", "repeat_roll_rot90", "repeat_interleave"])
def test_complex_gradients_match_torch(device, f):
    skip_complex_off_cpu(device)
    a = (np.arange(12).reshape(3, 4) * (0.5 - 1j)).astype(np.complex64)
    grads = []
    for m, kwargs in ((rustorch, {"device": device}), (torch, {})):
        x = m.tensor(a, requires_grad=True, **kwargs)
        y = f(m, x)
        y.backward(m.tensor((np.arange(y.numel()).reshape(tuple(y.shape)) * (1 + 2j)).astype(np.complex64), **kwargs))
        grads.append(np.array(x.grad.tolist()))
    np.testing.assert_allclose(*grads)
