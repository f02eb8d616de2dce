"""views.py: every view shares storage with its base (writes show through both ways); torch is the oracle."""
import pytest
import torch

import rustorch
from rustorch.errors import DimensionError, IndexOutOfRangeError, ShapeError, ValueOutOfRangeError
from conftest import assert_same, from_torch


def arange(*shape, device, dtype=torch.float32):
    t = torch.arange(int(torch.tensor(shape).prod()) if shape else 1, dtype=dtype).reshape(shape)
    return from_torch(t, device), t


def shares(view, base):
    """Whether a write through ``view`` shows in ``base`` (and restore it)."""
    if view.numel() == 0:
        return view._storage is base._storage
    flat_first = view.reshape(-1)[0].item()
    view[(0,) * view.ndim] = -12345
    seen = -12345 in base.reshape(-1).tolist()
    view[(0,) * view.ndim] = flat_first
    return seen


def test_view(device):
    x, t = arange(2, 3, 4, device=device)
    for shape in [(6, 4), (-1,), (4, -1, 2), (2, 12), (24, 1, 1), (1, 24)]:
        v = x.view(*shape)
        assert_same(v, t.view(*shape))
        assert shares(v, x)
    assert_same(x.view((3, 8)), t.view((3, 8)))
    assert_same(x.transpose(0, 1).view(3, 2, 2, 2), t.transpose(0, 1).view(3, 2, 2, 2))  # splitting a dim is allowed
    s, ts = arange(device=device)
    assert_same(s.view(()), ts.view(()))
    assert_same(s.view(1, 1), ts.view(1, 1))
    e = rustorch.zeros(0, 3, device=device)
    assert e.view(3, 0, 2).shape == torch.zeros(0, 3).view(3, 0, 2).shape
    with pytest.raises(ShapeError, match="invalid for input of size 0"):
        e.view(3, 0, -1)  # -1 is ambiguous with 0 elements, as in torch
    assert_same(x.view_as(rustorch.zeros(4, 6, device=device)), t.view(4, 6))


def test_view_errors(device):
    x, _ = arange(2, 3, 4, device=device)
    with pytest.raises(ShapeError, match=r"view size \[24\] is not compatible with input tensor's size \[4, 3, 2\]"):
        x.permute(2, 1, 0).view(24)
    with pytest.raises(ShapeError, match=r"shape '\[5, -1\]' is invalid for input of size 24"):
        x.view(5, -1)
    with pytest.raises(ShapeError, match="only one dimension can be inferred"):
        x.view(-1, -1)
    with pytest.raises(ShapeError, match=r"shape '\[2, 3\]' is invalid for input of size 24"):
        x.view(2, 3)


def test_reshape_view_or_copy(device):
    x, t = arange(2, 3, 4, device=device)
    v = x.reshape(6, 4)
    assert_same(v, t.reshape(6, 4))
    assert shares(v, x)  # contiguous: a view
    p = x.permute(2, 0, 1)
    c = p.reshape(-1)
    assert_same(c, t.permute(2, 0, 1).reshape(-1))
    c[0] = 999  # incompatible strides: a copy
    assert x.reshape(-1)[0].item() == 0
    assert_same(x[:, ::2].reshape(2, 2, 4), t[:, ::2].reshape(2, 2, 4))
    assert_same(x.reshape_as(rustorch.zeros(12, 2, device=device)), t.reshape(12, 2))
    assert_same(x.ravel(), t.ravel())
    with pytest.raises(ShapeError, match="invalid for input of size 24"):
        x.reshape(7, -1)


def test_flatten_unflatten(device):
    x, t = arange(2, 3, 4, 5, device=device)
    for s, e in [(0, -1), (1, 2), (-2, -1), (2, 2), (0, 0)]:
        assert_same(x.flatten(s, e), t.flatten(s, e))
    assert_same(x.transpose(1, 2).flatten(1), t.transpose(1, 2).flatten(1))
    assert_same(rustorch.flatten(from_torch(torch.tensor(2.0), device)), torch.flatten(torch.tensor(2.0)))
    assert_same(x.unflatten(1, (3, 1)), t.unflatten(1, (3, 1)))
    assert_same(x.unflatten(-1, (-1, 5)), t.unflatten(-1, (-1, 5)))
    assert shares(x.flatten(), x)
    with pytest.raises(ValueOutOfRangeError, match="start_dim .* cannot come after end_dim"):
        x.flatten(2, 1)
    with pytest.raises(ShapeError, match="invalid for input of size 4"):
        x.unflatten(2, (3, 2))


def test_squeeze_unsqueeze(device):
    x, t = arange(1, 3, 1, 2, device=device)
    assert_same(x.squeeze(), t.squeeze())
    for d in [0, 1, 2, -2, -4, (0, 2), (1, 3)]:
        assert_same(x.squeeze(d), t.squeeze(d))
    for d in [0, 2, 4, -1, -5]:
        assert_same(x.unsqueeze(d), t.unsqueeze(d))
    assert shares(x.squeeze(), x) and shares(x.unsqueeze(-1), x)
    s, ts = arange(device=device)
    assert_same(s.squeeze(), ts.squeeze())
    assert_same(s.squeeze(0), ts.squeeze(0))
    assert_same(s.unsqueeze(0), ts.unsqueeze(0))
    assert_same(s.unsqueeze(-1), ts.unsqueeze(-1))
    sl = x[:, ::2]
    assert_same(sl.unsqueeze(2), t[:, ::2].unsqueeze(2))
    with pytest.raises(DimensionError, match=r"Dimension out of range \(expected to be in range of \[-5, 4\], but got 5\)"):
        x.unsqueeze(5)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.squeeze(4)


def test_transpose_permute_t_T_mT(device):
    x, t = arange(2, 3, 4, device=device)
    assert_same(x.transpose(0, 2), t.transpose(0, 2))
    assert_same(rustorch.swapaxes(x, -1, 0), torch.swapaxes(t, -1, 0))
    assert_same(x.swapdims(1, 1), t.swapdims(1, 1))
    assert_same(x.permute(2, 0, 1), t.permute(2, 0, 1))
    assert_same(x.permute((1, -1, 0)), t.permute((1, -1, 0)))
    assert_same(x.T, t.permute(2, 1, 0))
    assert_same(x.mT, t.mT)
    m, tm = arange(3, 4, device=device)
    assert_same(m.t(), tm.t())
    assert_same(m.T, tm.T)
    v, tv = arange(3, device=device)
    assert_same(v.t(), tv.t())
    assert shares(x.permute(2, 0, 1), x) and shares(m.t(), m)
    m.t()[1, 2] = 100
    assert m[2, 1].item() == 100
    with pytest.raises(ShapeError, match=r"t\(\): expects a tensor with <= 2 dimensions, but self is 3D"):
        x.t()
    with pytest.raises(ShapeError, match="number of dims don't match"):
        x.permute(0, 1)
    with pytest.raises(ShapeError, match="repeated dim"):
        x.permute(0, 1, 1)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.transpose(0, 3)


def test_movedim(device):
    x, t = arange(2, 3, 4, 5, device=device)
    for s, d in [(0, -1), (-1, 0), ((0, 1), (2, 3)), ([3, 0], [0, 1]), (1, 1)]:
        assert_same(x.movedim(s, d), t.movedim(s, d))
        assert_same(rustorch.moveaxis(x, s, d), torch.moveaxis(t, s, d))
    with pytest.raises(ShapeError, match="same number of elements"):
        x.movedim((0, 1), 2)
    with pytest.raises(ShapeError, match="repeated dim"):
        x.movedim((0, 0), (1, 2))


def test_expand(device):
    x, t = arange(3, 1, device=device)
    e = x.expand(2, 3, 4)
    assert_same(e, t.expand(2, 3, 4))
    assert e.stride() == (0, 1, 0)
    assert_same(x.expand(-1, 5), t.expand(-1, 5))
    assert_same(x.expand_as(rustorch.zeros(3, 2, device=device)), t.expand(3, 2))
    assert_same(rustorch.broadcast_to(x, (2, 3, 2)), torch.broadcast_to(t, (2, 3, 2)))
    s, ts = arange(device=device)
    assert_same(s.expand(2, 2), ts.expand(2, 2))
    assert_same(x.expand(3, 0), t.expand(3, 0))
    x[1, 0] = 42  # the expanded view sees writes to the base
    assert e[1, 1, 3].item() == 42
    a, b = rustorch.broadcast_tensors(rustorch.zeros(2, 1, device=device), rustorch.zeros(3, device=device))
    assert a.shape == b.shape == (2, 3)
    with pytest.raises(ShapeError, match=r"expanded size of the tensor \(4\) must match the existing size \(3\) at non-singleton dimension 0"):
        x.expand(4, 2)
    with pytest.raises(ShapeError, match="must be greater or equal to the number of dimensions"):
        x.expand(3)
    with pytest.raises(ShapeError, match="leading, non-existing dimension"):
        x.expand(-1, 3, 1)


def test_narrow_select(device):
    x, t = arange(4, 5, device=device)
    assert_same(x.narrow(0, 1, 2), t.narrow(0, 1, 2))
    assert_same(x.narrow(-1, -3, 3), t.narrow(-1, -3, 3))
    assert_same(x.narrow(1, 5, 0), t.narrow(1, 5, 0))
    assert_same(rustorch.narrow(x, 0, rustorch.tensor(2), 2), torch.narrow(t, 0, torch.tensor(2), 2))
    assert_same(x.select(1, -1), t.select(1, -1))
    assert_same(x.t().select(0, 2), t.t().select(0, 2))
    assert shares(x.narrow(1, 2, 2), x) and shares(x.select(0, 3), x)
    with pytest.raises(ValueOutOfRangeError, match=r"start \(3\) \+ length \(3\) exceeds dimension size \(4\)"):
        x.narrow(0, 3, 3)
    with pytest.raises(IndexOutOfRangeError, match="index 5 out of range"):
        x.select(1, 5)


@pytest.mark.parametrize("offset", [0, 1, 2, -1, -3, 7, -7])
def test_diagonal(device, offset):
    x, t = arange(3, 4, 5, device=device)
    for d1, d2 in [(0, 1), (1, 2), (2, 0), (-1, -2)]:
        assert_same(x.diagonal(offset, d1, d2), t.diagonal(offset, d1, d2))
        assert_same(rustorch.diagonal(x.transpose(0, 2), offset, d1, d2), torch.diagonal(t.transpose(0, 2), offset, d1, d2))
    d = x.diagonal(offset, 1, 2)
    if d.numel():
        assert shares(d, x)
    with pytest.raises(ShapeError, match="dimensions cannot be identical"):
        x.diagonal(0, 1, 1)


def test_unbind_split_chunk_tensor_split(device):
    x, t = arange(5, 4, device=device)
    for got, exp in zip(x.unbind(1), t.unbind(1), strict=True):
        assert_same(got, exp)
    cases = [(2, 0), (3, 1), ([1, 4], 0), ([0, 4, 0], 1), (5, 0), (10, 0)]
    for arg, dim in cases:
        for got, exp in zip(x.split(arg, dim), t.split(arg, dim), strict=True):
            assert_same(got, exp)
    for n, dim in [(2, 0), (3, 0), (5, 0), (7, 0), (3, 1)]:
        for got, exp in zip(x.chunk(n, dim), t.chunk(n, dim), strict=True):
            assert_same(got, exp)
    for arg, dim in [(3, 0), (2, 1), ([1, 3], 0), ([-2, 10], 0), ([3, 1], 0), (7, 0)]:
        for got, exp in zip(x.tensor_split(arg, dim), t.tensor_split(arg, dim), strict=True):
            assert_same(got, exp)
    e = rustorch.zeros(0, 2, device=device)
    assert [p.shape for p in e.chunk(3)] == [p.shape for p in torch.zeros(0, 2).chunk(3)]
    pieces = x.split(2)
    pieces[1][0, 0] = -1
    assert x[2, 0].item() == -1
    with pytest.raises(ShapeError, match="split_sizes to sum exactly to 5"):
        x.split([1, 2])
    with pytest.raises(ValueOutOfRangeError, match="chunk expects `chunks` to be greater than 0"):
        x.chunk(0)
    with pytest.raises(ValueOutOfRangeError, match="number of sections must be larger than 0"):
        x.tensor_split(0)


def test_as_strided(device):
    x, t = arange(3, 4, device=device)
    for size, stride, off in [((2, 2), (1, 2), 0), ((3,), (5,), None), ((2, 3), (4, 1), 1), ((0, 5), (1, 1), 0), ((4, 2), (0, 1), 10)]:
        assert_same(x.as_strided(size, stride, off), t.as_strided(size, stride, off))
    v = x.as_strided((2,), (5,), 0)
    v[1] = 77
    assert x[1, 1].item() == 77
    with pytest.raises(ValueOutOfRangeError, match="require 13 elements but the storage holds 12"):
        x.as_strided((2, 2), (1, 11), 0)
    with pytest.raises(ValueOutOfRangeError, match="as_strided"):
        x.as_strided((2,), (-1,))
    with pytest.raises(ValueOutOfRangeError, match="require 13 elements"):
        x.as_strided((1,), (1,), 12)
