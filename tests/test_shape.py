"""cat/stack and friends, repeat/tile, flip/roll/rot90, repeat_interleave, atleast_nd; torch is the oracle."""
import pytest
import torch

import rustorch
from rustorch.errors import DimensionError, DTypeError, InvalidArgumentError, ShapeError, ValueOutOfRangeError
from conftest import assert_same, from_torch, skip_complex_off_cpu

GEN = torch.Generator().manual_seed(1)


def rand(*shape, dtype=torch.float32):
    if dtype.is_floating_point:
        return torch.randn(shape, generator=GEN).to(dtype)
    if dtype == torch.bool:
        return torch.rand(shape, generator=GEN) > 0.5
    return torch.randint(-5, 6, shape, generator=GEN).to(dtype)


def variants(t, device):
    """(rustorch, torch) pairs with t's values: contiguous, transposed-strided and sliced layouts."""
    yield from_torch(t, device), t
    if t.ndim >= 2:
        yield from_torch(t.transpose(0, 1).contiguous(), device).transpose(0, 1), t
    if t.ndim >= 1:
        big = torch.cat([t, t], 0)
        yield from_torch(big, device)[t.shape[0]:], t


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("dtypes", [(torch.float32, torch.float32), (torch.int32, torch.float64), (torch.uint8, torch.int8),
                                    (torch.bool, torch.int16), (torch.float32, torch.complex64)])
def test_cat(device, dim, dtypes):
    if dtypes[1].is_complex:
        skip_complex_off_cpu(device)
    a = rand(2, 3, dtype=dtypes[0])
    b = rand(2, 3, dtype=dtypes[1])
    if dim == 0:
        b = rand(4, 3, dtype=dtypes[1])
    elif dim in (1, -1):
        b = rand(2, 1, dtype=dtypes[1])
    for (ra, ta), (rb, tb) in zip(variants(a, device), variants(b, device)):
        assert_same(rustorch.cat([ra, rb, ra], dim), torch.cat([ta, tb, ta], dim))
        assert_same(rustorch.concat((ra, rb), dim=dim), torch.concat((ta, tb), dim=dim))
        assert_same(rustorch.concatenate([ra, rb], axis=dim), torch.concatenate([ta, tb], axis=dim))


def test_cat_empty_and_out(device):
    e = torch.empty(0, dtype=torch.float64)
    x = rand(2, 3)
    assert_same(rustorch.cat([from_torch(e, device), from_torch(x, device)]), torch.cat([e, x]))  # (0,) skipped, dtype kept
    assert_same(rustorch.cat([from_torch(e, device), from_torch(e.int(), device)]), torch.cat([e, e.int()]))
    z = torch.zeros(0, 3)
    assert_same(rustorch.cat([from_torch(z, device), from_torch(x, device)]), torch.cat([z, x]))
    assert_same(rustorch.cat([from_torch(x, device)], 1), torch.cat([x], 1))
    out = rustorch.empty(1, dtype=rustorch.float64, device=device)
    r = rustorch.cat([from_torch(x, device), from_torch(x, device)], out=out)
    assert r is out
    assert_same(out, torch.cat([x, x]).double())
    with pytest.raises(DTypeError, match="can't be cast"):
        rustorch.cat([from_torch(x, device)], out=rustorch.empty(6, dtype=rustorch.int32, device=device))


def test_cat_errors(device):
    a, b = rustorch.ones(2, 2, device=device), rustorch.ones(2, 3, device=device)
    with pytest.raises(ShapeError, match=r"cat\(\): sizes of tensors must match except in dimension 0. Expected size 2 but got size 3 for tensor number 1"):
        rustorch.cat([a, b])
    with pytest.raises(ShapeError, match=r"same number of dimensions: got 2 and 3"):
        rustorch.cat([a, rustorch.ones(2, 2, 1, device=device)])
    with pytest.raises(ShapeError, match=r"zero-dimensional tensor \(at position 0\)"):
        rustorch.cat([rustorch.tensor(1.0, device=device), a])
    with pytest.raises(InvalidArgumentError, match="non-empty list"):
        rustorch.cat([])
    with pytest.raises(IndexError, match="Dimension out of range"):
        rustorch.cat([a, b], dim=2)
    with pytest.raises(TypeError, match="must be Tensor"):
        rustorch.cat([a, [1, 2]])


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_stack(device, dim):
    a, b = rand(2, 3), rand(2, 3)
    for (ra, ta), (rb, tb) in zip(variants(a, device), variants(b, device)):
        assert_same(rustorch.stack([ra, rb], dim), torch.stack([ta, tb], dim))
    s = torch.tensor(1.5)
    assert_same(rustorch.stack([from_torch(s, device)] * 3), torch.stack([s] * 3))
    with pytest.raises(ShapeError, match=r"stack\(\): expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[3\] at entry 1"):
        rustorch.stack([from_torch(a, device), rustorch.ones(3, device=device)])
    with pytest.raises(ValueOutOfRangeError, match="non-empty"):
        rustorch.stack([])


STACKS = [
    ("hstack", [(), ()]), ("hstack", [(3,), (2,)]), ("hstack", [(2, 3), (2, 1)]), ("hstack", [(0,), (2,)]),
    ("vstack", [(), ()]), ("vstack", [(3,), (3,)]), ("vstack", [(2, 3), (1, 3)]), ("vstack", [(3,), (2, 3)]),
    ("row_stack", [(2,), (1, 2)]), ("dstack", [(), ()]), ("dstack", [(3,), (3,)]), ("dstack", [(2, 2, 1), (2, 2, 3)]),
    ("dstack", [(2, 3), (2, 3, 2)]), ("column_stack", [(3,), (3,)]), ("column_stack", [(2, 2), (2,)]),
    ("column_stack", [(), ()]),
]


@pytest.mark.parametrize("name,shapes", STACKS)
def test_hstack_vstack_dstack_column_stack(device, name, shapes):
    ts = [rand(*s) for s in shapes]
    assert_same(getattr(rustorch, name)([from_torch(t, device) for t in ts]), getattr(torch, name)(ts))


def test_column_stack_mixed(device):
    a, b = rand(2, 2), rand(2)
    assert_same(rustorch.column_stack([from_torch(a, device), from_torch(b, device)]), torch.column_stack([a, b]))
    s = torch.tensor(1)
    assert_same(rustorch.column_stack([from_torch(s, device), rustorch.tensor([2], device=device)]),
                torch.column_stack([s, torch.tensor([2])]))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4), (0, 2)])
def test_atleast(device, shape):
    t = rand(*shape)
    x = from_torch(t, device)
    for rf, tf in ((rustorch.atleast_1d, torch.atleast_1d), (rustorch.atleast_2d, torch.atleast_2d),
                   (rustorch.atleast_3d, torch.atleast_3d)):
        assert_same(rf(x), tf(t))
        got, expected = rf(x, x), tf(t, t)
        assert isinstance(got, tuple) and len(got) == 2
        assert_same(got[1], expected[1])
        assert_same(rf([x])[0], tf([t])[0])
    v = rustorch.atleast_2d(x)
    if x.numel():
        v.view(-1)[0] = 100  # a view: the write shows in x
        assert x.reshape(-1)[0].item() == 100


@pytest.mark.parametrize("shape,sizes", [((3,), (2,)), ((3,), (2, 2)), ((2, 3), (1, 1)), ((2, 3), (2, 1, 3)),
                                         ((), (4,)), ((2, 3), (0, 2)), ((0, 2), (3, 1))])
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.bool])
def test_repeat_tile(device, shape, sizes, dtype):
    t = rand(*shape, dtype=dtype)
    for x, tt in variants(t, device):
        assert_same(x.repeat(*sizes), tt.repeat(*sizes))
        assert_same(x.repeat(sizes), tt.repeat(sizes))
        assert_same(rustorch.tile(x, sizes), torch.tile(tt, sizes))
        assert_same(x.tile(sizes[-1:]), tt.tile(sizes[-1:]))


def test_repeat_errors(device):
    x = rustorch.ones(2, 3, device=device)
    with pytest.raises(ShapeError, match="can not be smaller than number of dimensions of tensor"):
        x.repeat(2)
    with pytest.raises(ValueOutOfRangeError, match=r"repeat\(\): sizes must be non-negative"):
        x.repeat(2, -1)


@pytest.mark.parametrize("dims", [(0,), (1,), (-1,), (0, 1), (0, 2), (2, 1, 0), ()])
def test_flip(device, dims):
    t = rand(2, 3, 4)
    for x, tt in variants(t, device):
        got = rustorch.flip(x, dims)
        assert_same(got, torch.flip(tt, dims))
        assert got.is_contiguous()
    s = torch.tensor(3.0)
    assert_same(rustorch.flip(from_torch(s, device), [0]), torch.flip(s, [0]))
    e = torch.zeros(0, 3)
    assert_same(from_torch(e, device).flip(1), e.flip(1))
    m = rand(3, 4, dtype=torch.int32)
    assert_same(rustorch.fliplr(from_torch(m, device)), torch.fliplr(m))
    assert_same(from_torch(m, device).flipud(), m.flipud())
    with pytest.raises(ShapeError, match="appears multiple times"):
        rustorch.flip(from_torch(t, device), [0, 0])
    with pytest.raises(ShapeError, match="fliplr.*>= 2-d"):
        rustorch.fliplr(rustorch.ones(2, device=device))
    with pytest.raises(ShapeError, match="flipud.*>= 1-d"):
        rustorch.flipud(rustorch.tensor(1.0, device=device))


@pytest.mark.parametrize("shifts,dims", [(1, None), (-7, None), (2, 0), ((1, -2), (0, 1)), ((5, 3), (-1, 0)), (0, 1),
                                         ((1, 1), (1, 1))])
def test_roll(device, shifts, dims):
    t = rand(3, 4)
    for x, tt in variants(t, device):
        assert_same(rustorch.roll(x, shifts, dims), torch.roll(tt, shifts, dims))
        assert_same(x.roll(shifts, dims), tt.roll(shifts, dims))


def test_roll_edge_cases(device):
    s = torch.tensor(3)
    assert_same(rustorch.roll(from_torch(s, device), 1), torch.roll(s, 1))
    e = torch.zeros(0, 2)
    assert_same(rustorch.roll(from_torch(e, device), 1, 0), torch.roll(e, 1, 0))
    x = rustorch.arange(4, device=device)
    with pytest.raises(ShapeError, match="shifts and dimensions must align. shifts: 2, dims: 1"):
        rustorch.roll(x, [1, 2], [0])
    with pytest.raises(ShapeError, match="shifts and dimensions must align"):
        rustorch.roll(x, [1, 2])
    with pytest.raises(DimensionError, match="no dimensions"):
        rustorch.roll(rustorch.tensor(1, device=device), 1, 0)


@pytest.mark.parametrize("k", [0, 1, 2, 3, -1, 5])
@pytest.mark.parametrize("dims", [(0, 1), (1, 0), (0, 2), (-1, -2)])
def test_rot90(device, k, dims):
    t = rand(2, 3, 4)
    for x, tt in variants(t, device):
        assert_same(rustorch.rot90(x, k, dims), torch.rot90(tt, k, dims))
    x = from_torch(t, device)
    with pytest.raises(ShapeError, match="rotation dims to be different"):
        x.rot90(1, [0, 0])
    with pytest.raises(ShapeError, match="total dims >= 2"):
        rustorch.rot90(rustorch.ones(2, device=device))


def test_repeat_interleave(device):
    t = rand(2, 3)
    for x, tt in variants(t, device):
        assert_same(rustorch.repeat_interleave(x, 2), torch.repeat_interleave(tt, 2))
        assert_same(x.repeat_interleave(3, dim=1), tt.repeat_interleave(3, dim=1))
        assert_same(x.repeat_interleave(0, dim=0), tt.repeat_interleave(0, dim=0))
        r = torch.tensor([1, 0])
        assert_same(x.repeat_interleave(from_torch(r, device), dim=0), tt.repeat_interleave(r, dim=0))
        r = torch.tensor([2, 1, 3], dtype=torch.int32)
        assert_same(rustorch.repeat_interleave(x, from_torch(r, device), dim=-1), torch.repeat_interleave(tt, r, dim=-1))
        assert_same(x.repeat_interleave(from_torch(torch.tensor([2]), device), dim=1), tt.repeat_interleave(torch.tensor([2]), dim=1))
    assert_same(rustorch.repeat_interleave(rustorch.tensor([2, 0, 1], device=device)), torch.repeat_interleave(torch.tensor([2, 0, 1])))
    assert_same(rustorch.repeat_interleave(rustorch.tensor(1, device=device), 2), torch.repeat_interleave(torch.tensor(1), 2))
    x = rustorch.ones(2, 2, device=device)
    with pytest.raises(ShapeError, match=r"repeats.size\(0\) = 2 and input.size\(0\) = 4"):
        rustorch.repeat_interleave(x, rustorch.tensor([1, 2], device=device))
    with pytest.raises(ValueOutOfRangeError, match="can not be negative"):
        rustorch.repeat_interleave(x, rustorch.tensor([-1, 1], device=device), dim=0)
    with pytest.raises(ValueOutOfRangeError, match="can not be negative"):
        rustorch.repeat_interleave(x, -1)
    with pytest.raises(DTypeError, match="int32 or int64"):
        rustorch.repeat_interleave(x, rustorch.tensor([1.0, 2.0], device=device), dim=0)
    with pytest.raises(ValueOutOfRangeError, match="output_size"):
        rustorch.repeat_interleave(x, 2, dim=0, output_size=3)


@pytest.mark.parametrize("fast_path", [True, False])
def test_cat_and_stack_with_and_without_the_backend_fast_path(device, fast_path, monkeypatch):
    # a backend without the optional cat() gets one copy per input: both paths give torch's results
    if not fast_path:
        backend = rustorch.empty(0, device=device)._storage.backend

        def no_cat(*args):
            raise NotImplementedError

        monkeypatch.setattr(type(backend), "cat", no_cat)
    a, b, c = rand(2, 3, dtype=torch.int32), rand(2, 3), rand(2, 0)
    for dim in (0, 1, -1):
        assert_same(rustorch.stack([from_torch(a, device), from_torch(b, device)], dim), torch.stack([a, b], dim))
    assert_same(rustorch.cat([from_torch(a, device), from_torch(c, device), from_torch(b, device)], 1),
                 torch.cat([a, c, b], 1))
    out = rustorch.empty(2, 2, 3, dtype=rustorch.float64, device=device)
    result = rustorch.stack([from_torch(b, device), from_torch(a, device)], out=out)
    assert result is out
    assert_same(out, torch.stack([b, a]).double())
    x = from_torch(b, device).requires_grad_()
    rustorch.stack([x, x * 2], 1).sum().backward()
    assert_same(x.grad, torch.full((2, 3), 3.0))
