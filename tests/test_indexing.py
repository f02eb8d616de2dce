"""x[...] and x[...] = v, gather/scatter, index_*, masks, where/nonzero/take, sorting, triangles; torch is the oracle."""
import numpy as np
import pytest
import torch

import rustorch
from rustorch.errors import DTypeError, IndexOutOfRangeError, InvalidArgumentError, ShapeError, ValueOutOfRangeError
from conftest import assert_same, from_torch, skip_complex_off_cpu

GEN = torch.Generator().manual_seed(0)


def rand(*shape, dtype=torch.float32):
    if dtype.is_floating_point:
        return torch.randn(*shape, generator=GEN).to(dtype)
    if dtype == torch.bool:
        return torch.rand(*shape, generator=GEN) > 0.5
    return torch.randint(-5, 6, shape, generator=GEN).to(dtype)


def layouts(t):
    """(name, torch tensor) of the same values: contiguous, transposed back, sliced."""
    yield "contiguous", t
    if t.ndim >= 2:
        yield "transposed", t.transpose(0, 1).contiguous().transpose(0, 1)
    big = torch.zeros(*(2 * s for s in t.shape), dtype=t.dtype)
    sl = tuple(slice(None, None, 2) for _ in t.shape)
    big[sl] = t
    yield "strided", big[sl]


def rt_layout(name, t, device):
    """The rustorch tensor with torch tensor t's values and t's layout kind."""
    if name == "contiguous":
        return from_torch(t, device)
    if name == "transposed":
        return from_torch(t.transpose(0, 1).contiguous(), device).transpose(0, 1)
    big = rustorch.zeros(*(2 * s for s in t.shape), dtype=from_torch(t).dtype, device=device)
    sl = tuple(slice(None, None, 2) for _ in t.shape)
    big[sl] = from_torch(t, device)
    return big[sl]


# getitem / setitem -----------------------------------------------------------------
INDICES = [
    (1,), (-1,), (slice(1, None, 2),), (slice(None, None, 3), slice(1, 3)), (None,), (Ellipsis, 1), (1, Ellipsis, None),
    (None, 0, None, slice(None), -2), (slice(5, 10),), (slice(-2, None),), ([0, 2],), ([[0], [2]], [1, 3]),
    ([-1, 0],), (0, slice(None), [0, 1]), (slice(None), [0, 1], [1, 2]), ([0, 1], slice(None), [1, 2]),
    (None, [0, 1], None, [[1], [2]]), (Ellipsis, [0, 1]), ([0, 1], 0), (slice(None), 0, [0, 1]), ([0, 2], 0, [1, 4]),
    (True,), (0, True), ([1, 2], True), (False, [1]), ([0, 1], None, [1, 2]), (slice(1, None, 2), [[0], [2]], slice(None, None, 2)),
    ("mask3",), ("mask2",), (slice(None), "mask1"), ("tensor0d",), (Ellipsis, None, [1, 1]), ([0, 2], Ellipsis, [1, -1]),
]


def _resolve(idx, base, lib):
    masks = {"mask3": base > 0, "mask2": base[:, :, 0] > 0, "mask1": base[0, :, 0] > 0}
    out = []
    for i in idx:
        if isinstance(i, str) and i in masks:
            out.append(lib(masks[i]))
        elif i == "tensor0d":
            out.append(lib(torch.tensor(1)))
        else:
            out.append(i)
    return tuple(out)


@pytest.mark.parametrize("idx", INDICES, ids=str)
def test_getitem_matches_torch(device, idx):
    t = rand(3, 4, 5)
    for name, tt in layouts(t):
        x = rt_layout(name, tt, device)
        assert_same(x[_resolve(idx, t, lambda m: from_torch(m, device))], tt[_resolve(idx, t, lambda m: m)])


@pytest.mark.parametrize("idx", INDICES, ids=str)
def test_setitem_matches_torch(device, idx):
    t = rand(3, 4, 5)
    for name, tt in layouts(t):
        expected = tt.clone()
        ti = _resolve(idx, t, lambda m: m)
        expected[ti] = 7.5
        x = rt_layout(name, tt, device)
        x[_resolve(idx, t, lambda m: from_torch(m, device))] = 7.5
        assert_same(x, expected)
        # a tensor value broadcast over the indexed region
        shape = expected[ti].shape
        value = rand(*shape[-1:]) if shape else rand()
        if device != "cpu" and any(isinstance(i, list) and len(set(map(str, i))) < len(i) for i in idx):
            # a position indexed twice gets one of its values; which one is unspecified on a GPU, as in torch
            value = value[:1].expand(value.shape).clone()
        expected[ti] = value
        x[_resolve(idx, t, lambda m: from_torch(m, device))] = from_torch(value, device)
        assert_same(x, expected)


def test_getitem_0d_and_empty(device):
    s = from_torch(torch.tensor(3.0), device)
    assert_same(s[None], torch.tensor(3.0)[None])
    assert_same(s[...], torch.tensor(3.0)[...])
    assert_same(s[True], torch.tensor(3.0)[True])
    e = torch.zeros(0, 3)
    assert_same(from_torch(e, device)[:, 1], e[:, 1])
    assert_same(from_torch(e, device)[torch.zeros(0, dtype=torch.long).tolist()], e[[]])


def test_basic_index_is_a_view(device):
    x = rustorch.zeros(3, 4, device=device)
    v = x[1:, ::2]
    v[0, 1] = 5
    assert x[1, 2].item() == 5
    x[:, 0] = rustorch.tensor([1.0, 2.0, 3.0], device=device)
    assert v[:, 0].tolist() == [2.0, 3.0]
    x.t()[3] = 9  # write through a transposed view
    assert x[:, 3].tolist() == [9.0, 9.0, 9.0]
    x[0][1] = 4  # chained basic indexing writes into the base
    assert x[0, 1].item() == 4
    c = x[[0]]  # advanced indexing copies
    c[0, 0] = -1
    assert x[0, 0].item() == 1


def test_setitem_dtypes_and_lists(device):
    x = rustorch.zeros(2, 3, dtype=rustorch.int64, device=device)
    x[0] = [1, 2, 3]
    x[1, [0, 2]] = rustorch.tensor([7.9, 8.2], device=device)  # cast to int64 as torch does
    assert x.tolist() == [[1, 2, 3], [7, 0, 8]]
    b = rustorch.zeros(3, dtype=rustorch.bool, device=device)
    b[rustorch.tensor([0, 2], device=device)] = True
    assert b.tolist() == [True, False, True]


def test_index_put(device):
    t = rand(4, 3)
    idx = torch.tensor([0, 0, 3])
    v = rand(3, 3)
    x = from_torch(t, device)
    assert_same(x.index_put((from_torch(idx, device),), from_torch(v, device), accumulate=True),
                t.index_put((idx,), v, accumulate=True))
    x.index_put_((from_torch(idx, device), from_torch(torch.tensor([1, 2, 0]), device)), from_torch(torch.tensor(2.0), device))
    assert_same(x, t.index_put((idx, torch.tensor([1, 2, 0])), torch.tensor(2.0)))


def test_index_errors(device):
    x = rustorch.zeros(3, 4, device=device)
    with pytest.raises(IndexOutOfRangeError, match="index 3 is out of bounds for dimension 0 with size 3"):
        x[3]
    with pytest.raises(IndexOutOfRangeError, match="index -5 is out of bounds for dimension 1 with size 4"):
        x[0, -5]
    with pytest.raises(IndexOutOfRangeError, match="index 4 is out of bounds for dimension 1 with size 4"):
        x[:, [0, 4]]
    with pytest.raises(IndexOutOfRangeError, match="index -4 is out of bounds for dimension 0"):
        x[[-4]] = 1
    with pytest.raises(IndexOutOfRangeError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexOutOfRangeError, match=r"shape of the mask \[4\] does not match"):
        x[rustorch.ones(4, dtype=rustorch.bool, device=device)]
    with pytest.raises(IndexOutOfRangeError, match="must be long, int, byte or bool"):
        x[rustorch.tensor([0.0], device=device)]
    with pytest.raises(IndexOutOfRangeError, match="single ellipsis"):
        x[..., ...]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1]
    with pytest.raises(InvalidArgumentError, match="step must be greater than zero"):
        x[:, ::-2] = 1
    with pytest.raises(TypeError, match="valid indices"):
        x[1.5]
    with pytest.raises(ShapeError, match=r"shape mismatch: value tensor of shape \[3\] cannot be broadcast to indexing result of shape \[3, 2\]"):
        x[:, [0, 1]] = rustorch.ones(3, device=device)
    with pytest.raises(ShapeError, match="copy_"):
        x[0] = rustorch.ones(3, device=device)
    with pytest.raises(ShapeError, match="index_put_"):
        x.index_put_((rustorch.tensor([0], device=device),), rustorch.ones(2, 2, device=device))
    assert x.tolist() == [[0.0] * 4] * 3  # a failed op wrote nothing


# gather / scatter ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.int16, torch.bool, torch.complex64])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather(device, dtype, dim):
    if dtype.is_complex:
        skip_complex_off_cpu(device)
    t = rand(4, 5, dtype=dtype)
    size = t.shape[dim]
    idx = torch.randint(0, size, (3, 2), generator=GEN)
    for name, tt in layouts(t):
        x = rt_layout(name, tt, device)
        assert_same(rustorch.gather(x, dim, from_torch(idx, device)), torch.gather(tt, dim, idx))
        assert_same(x.gather(dim, from_torch(idx.int(), device)), tt.gather(dim, idx.int()))


def test_gather_edge_cases(device):
    s = torch.tensor(5.0)
    assert_same(rustorch.gather(from_torch(s, device), 0, from_torch(torch.tensor(0), device)), torch.gather(s, 0, torch.tensor(0)))
    assert_same(rustorch.gather(from_torch(s, device), 0, from_torch(torch.tensor([0, 0]), device)), torch.gather(s, 0, torch.tensor([0, 0])))
    e = torch.zeros(0, 2, dtype=torch.long)
    assert_same(rustorch.gather(rustorch.ones(3, 2, device=device), 0, from_torch(e, device)), torch.gather(torch.ones(3, 2), 0, e))
    out = rustorch.empty(1, device=device)
    rustorch.gather(rustorch.ones(3, 2, device=device), 1, rustorch.tensor([[1]], device=device), out=out)
    assert out.shape == (1, 1)


def test_gather_errors(device):
    x = rustorch.zeros(2, 3, device=device)
    with pytest.raises(IndexOutOfRangeError, match=r"gather\(\): index 3 is out of bounds for dimension 1 with size 3"):
        rustorch.gather(x, 1, rustorch.tensor([[3], [0]], device=device))
    with pytest.raises(IndexOutOfRangeError, match=r"gather\(\): index -1 is out of bounds"):
        rustorch.gather(x, 1, rustorch.tensor([[-1], [0]], device=device))
    with pytest.raises(DTypeError, match="gather.*int16"):
        rustorch.gather(x, 1, rustorch.tensor([[0]], dtype=rustorch.int16, device=device))
    with pytest.raises(ShapeError, match="same number of dimensions"):
        rustorch.gather(x, 1, rustorch.tensor([0], device=device))
    with pytest.raises(ShapeError, match=r"size does not match at dimension 0"):
        rustorch.gather(x, 1, rustorch.zeros(3, 1, dtype=rustorch.int64, device=device))
    with pytest.raises(IndexError, match="Dimension out of range"):
        rustorch.gather(x, 2, rustorch.zeros(1, 1, dtype=rustorch.int64, device=device))


@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.complex128])
@pytest.mark.parametrize("reduce", [None, "add", "multiply"])
def test_scatter(device, dtype, reduce):
    if dtype.is_complex:
        skip_complex_off_cpu(device)
    t = rand(4, 5, dtype=dtype)
    src = rand(3, 5, dtype=dtype)
    # distinct positions per column so plain assignment is deterministic
    idx = torch.stack([torch.randperm(4, generator=GEN)[:2] for _ in range(4)], 1)
    kw = {} if reduce is None else {"reduce": reduce}
    for name, tt in layouts(t):
        x = rt_layout(name, tt, device)
        assert_same(rustorch.scatter(x, 0, from_torch(idx, device), from_torch(src, device), **kw),
                    torch.scatter(tt, 0, idx, src, **kw))
        assert_same(x.scatter(0, from_torch(idx, device), 2, **kw), tt.scatter(0, idx, 2, **kw))
        y = x.clone()
        y.scatter_(0, from_torch(idx, device), value=3, **kw)
        assert_same(y, tt.clone().scatter_(0, idx, 3, **kw))
        assert_same(x, tt)  # out-of-place left x alone


def test_scatter_add(device):
    t = rand(3, 4)
    idx = torch.randint(0, 4, (3, 6), generator=GEN)  # repeated positions accumulate
    src = rand(3, 6)
    assert_same(rustorch.scatter_add(from_torch(t, device), 1, from_torch(idx, device), from_torch(src, device)),
                torch.scatter_add(t, 1, idx, src), atol=1e-6, rtol=1e-6)
    x = from_torch(t, device)
    x.scatter_add_(1, from_torch(idx, device), from_torch(src, device))
    assert_same(x, t.scatter_add(1, idx, src), atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dtype", [torch.float64, torch.int64])
def test_scatter_reduce(device, reduce, include_self, dtype):
    t = rand(5, 3, dtype=dtype)
    idx = torch.randint(0, 3, (4, 3), generator=GEN)
    src = rand(4, 3, dtype=dtype)
    expected = torch.scatter_reduce(t, 0, idx, src, reduce, include_self=include_self)
    got = rustorch.scatter_reduce(from_torch(t, device), 0, from_torch(idx, device), from_torch(src, device), reduce,
                                  include_self=include_self)
    assert_same(got, expected)
    x = from_torch(t, device)
    x.scatter_reduce_(0, from_torch(idx, device), from_torch(src, device), reduce, include_self=include_self)
    assert_same(x, expected)


def test_scatter_reduce_nan(device):
    t = torch.tensor([1.0, 2.0, 3.0])
    src = torch.tensor([-4.0, float("nan"), 5.0])
    idx = torch.tensor([0, 0, 1])
    for reduce in ("amax", "amin", "sum"):
        assert_same(rustorch.scatter_reduce(from_torch(t, device), 0, from_torch(idx, device), from_torch(src, device), reduce),
                    torch.scatter_reduce(t, 0, idx, src, reduce))


@pytest.mark.parametrize("dtype", [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
                                   torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_repeated_positions_combine(device, dtype):
    # many writes to a few neighbouring elements: on a GPU they race, and 8/16-bit elements share a 32-bit word;
    # the values keep every result exact whatever the order
    idx = torch.randint(0, 5, (3, 200), generator=GEN)
    ones = torch.ones(600, dtype=dtype)
    got = from_torch(torch.zeros(5, dtype=dtype), device).index_put_((from_torch(idx.view(-1), device),),
                                                                    from_torch(ones, device), accumulate=True)
    assert_same(got, torch.zeros(5, dtype=dtype).index_put_((idx.view(-1),), ones, accumulate=True))

    def small(*shape):  # small integers: every sum exact, bfloat16's too
        return rand(*shape, dtype=dtype) if dtype == torch.bool else rand(*shape).mul(2).round().clamp(-4, 4).to(dtype)

    base, values = small(3, 5), small(3, 200)
    # factors 1 and -1 (1 and 3 unsigned): every product exact
    signs = torch.where(torch.rand(3, 200, generator=GEN) > 0.5, -1 if dtype.is_signed else 3, 1).to(dtype)
    for reduce, src in (("sum", values), ("prod", signs), ("amax", values), ("amin", values)):
        if dtype == torch.bool and reduce in ("sum", "prod"):
            continue  # torch has no bool sum/prod scatter
        x = from_torch(base, device)
        assert_same(x.scatter_reduce(1, from_torch(idx, device), from_torch(src, device), reduce),
                    base.scatter_reduce(1, idx, src, reduce), rtol=0, atol=0)


def test_index_primitives_check_range(device):
    # the backend itself refuses positions out of range (the ops check first; a device kernel flags them)
    x = rustorch.zeros(3, 4, device=device)
    backend = x._storage.backend
    with pytest.raises(IndexOutOfRangeError, match="index 4 is out of bounds for dimension 1 with size 4"):
        backend.index_get(x, (slice(None), rustorch.tensor([0, 4], device=device)))
    with pytest.raises(IndexOutOfRangeError, match="index -4 is out of bounds for dimension 0 with size 3"):
        backend.index_put_(x, (rustorch.tensor([-4], device=device),), 1.0, False)
    assert x.tolist() == [[0.0] * 4] * 3


def test_scatter_errors(device):
    x = rustorch.zeros(2, 3, device=device)
    idx = rustorch.tensor([[0], [1]], device=device)
    with pytest.raises(DTypeError, match="scatter_.*float32 and .*float64"):
        rustorch.scatter(x, 1, idx, rustorch.ones(2, 1, dtype=rustorch.float64, device=device))
    with pytest.raises(IndexOutOfRangeError, match=r"scatter_\(\): index 3 is out of bounds for dimension 1 with size 3"):
        x.scatter_(1, rustorch.tensor([[3], [0]], device=device), 1.0)
    with pytest.raises(ShapeError, match="no larger than src"):
        rustorch.scatter(x, 1, rustorch.tensor([[0, 1, 2]], device=device), rustorch.ones(1, 2, device=device))
    with pytest.raises(InvalidArgumentError, match="reduce argument must be either add or multiply"):
        rustorch.scatter(x, 1, idx, 1.0, reduce="mean")
    with pytest.raises(InvalidArgumentError, match="reduce argument must be one of"):
        rustorch.scatter_reduce(x, 1, idx, rustorch.ones(2, 1, device=device), "max")
    with pytest.raises(DTypeError, match="int32/int64"):
        rustorch.scatter_add(x, 1, rustorch.tensor([[0.0]], device=device), rustorch.ones(1, 1, device=device))
    assert x.tolist() == [[0.0] * 3] * 2


# index_select / index_add / index_copy / index_fill ----------------------------------
@pytest.mark.parametrize("dtype", [torch.float32, torch.int32, torch.bool])
def test_index_select(device, dtype):
    t = rand(4, 5, dtype=dtype)
    for name, tt in layouts(t):
        x = rt_layout(name, tt, device)
        for dim, idx in ((0, torch.tensor([3, 0, 3])), (1, torch.tensor([4, 1], dtype=torch.int32)), (-1, torch.tensor(2)),
                         (0, torch.zeros(0, dtype=torch.long))):
            assert_same(rustorch.index_select(x, dim, from_torch(idx, device)), torch.index_select(tt, dim, idx))
    s = torch.tensor(2.0)
    assert_same(from_torch(s, device).index_select(0, rustorch.tensor([0], device=device)), s.index_select(0, torch.tensor([0])))
    out = rustorch.empty(0, dtype=from_torch(t).dtype, device=device)
    rustorch.index_select(from_torch(t, device), 1, rustorch.tensor([1], device=device), out=out)
    assert_same(out, t.index_select(1, torch.tensor([1])))


def test_index_select_errors(device):
    x = rustorch.zeros(2, 3, device=device)
    with pytest.raises(IndexOutOfRangeError, match=r"index_select\(\): index -1 is out of bounds for dimension 1 with size 3"):
        x.index_select(1, rustorch.tensor([-1], device=device))
    with pytest.raises(IndexOutOfRangeError, match="vector"):
        x.index_select(1, rustorch.tensor([[0]], device=device))
    with pytest.raises(DTypeError, match="index_select.*int16"):
        x.index_select(1, rustorch.tensor([0], dtype=rustorch.int16, device=device))


@pytest.mark.parametrize("dim", [0, 1])
def test_index_add_copy_fill(device, dim):
    t = rand(4, 5, dtype=torch.float64)
    idx = torch.tensor([3, 0, 3])
    src_shape = list(t.shape)
    src_shape[dim] = 3
    src = rand(*src_shape, dtype=torch.float64)
    for name, tt in layouts(t):
        x = rt_layout(name, tt, device)
        ri, rs = from_torch(idx, device), from_torch(src, device)
        assert_same(rustorch.index_add(x, dim, ri, rs, alpha=2), torch.index_add(tt, dim, idx, src, alpha=2))
        uniq = torch.tensor([3, 0, 1])
        assert_same(x.index_copy(dim, from_torch(uniq, device), rs), tt.index_copy(dim, uniq, src))
        assert_same(x.index_fill(dim, from_torch(torch.tensor([0, -1]), device), -2.5), tt.index_fill(dim, torch.tensor([0, -1]), -2.5))
        y = x.clone()
        y.index_add_(dim, ri, rs)
        y.index_fill_(dim, from_torch(torch.tensor([1]), device), from_torch(torch.tensor(7.0), device))
        assert_same(y, tt.clone().index_add_(dim, idx, src).index_fill_(dim, torch.tensor([1]), torch.tensor(7.0)))
        y.index_copy_(dim, from_torch(uniq, device), rs)
        assert_same(y, tt.clone().index_add_(dim, idx, src).index_fill_(dim, torch.tensor([1]), 7.0).index_copy_(dim, uniq, src))
        assert_same(x, tt)


def test_index_add_int_alpha(device):
    t = torch.tensor([1, 2])
    r = rustorch.index_add(from_torch(t, device), 0, rustorch.tensor([0, 0], device=device), rustorch.tensor([1, 2], device=device), alpha=2)
    assert_same(r, torch.index_add(t, 0, torch.tensor([0, 0]), torch.tensor([1, 2]), alpha=2))


def test_index_add_errors(device):
    x = rustorch.zeros(2, 3, device=device)
    with pytest.raises(DTypeError, match=r"index_add_\(\): self \(rustorch.float32\) and source \(rustorch.float64\)"):
        x.index_add_(1, rustorch.tensor([0], device=device), rustorch.ones(2, 1, dtype=rustorch.float64, device=device))
    with pytest.raises(IndexOutOfRangeError, match=r"index_add_\(\): index 3 is out of bounds"):
        x.index_add_(1, rustorch.tensor([3], device=device), rustorch.ones(2, 1, device=device))
    with pytest.raises(ShapeError, match=r"source of shape \[2, 2\] does not match the expected shape \[2, 1\]"):
        x.index_copy_(1, rustorch.tensor([0], device=device), rustorch.ones(2, 2, device=device))
    with pytest.raises(IndexOutOfRangeError, match=r"index_copy_\(\): index -1"):
        x.index_copy_(1, rustorch.tensor([-1], device=device), rustorch.ones(2, 1, device=device))
    with pytest.raises(ShapeError, match="0-dimensional value tensor"):
        x.index_fill_(1, rustorch.tensor([0], device=device), rustorch.ones(1, device=device))


# masks ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.bool, torch.complex64])
def test_masked_fill_select_scatter(device, dtype):
    if dtype.is_complex:
        skip_complex_off_cpu(device)
    t = rand(3, 4, dtype=dtype)
    for mask in (rand(3, 4, dtype=torch.bool), rand(4, dtype=torch.bool), torch.tensor(True)):
        for name, tt in layouts(t):
            x, m = rt_layout(name, tt, device), from_torch(mask, device)
            assert_same(x.masked_fill(m, 1), tt.masked_fill(mask, 1))
            assert_same(rustorch.masked_fill(x, m, from_torch(torch.tensor(0.0, dtype=torch.float64), device)),
                        torch.masked_fill(tt, mask, torch.tensor(0.0, dtype=torch.float64)))
            assert_same(rustorch.masked_select(x, m), torch.masked_select(tt, mask))
            src = rand(12, dtype=dtype)
            assert_same(x.masked_scatter(m, from_torch(src, device)), tt.masked_scatter(mask, src))
            y = x.clone()
            y.masked_fill_(m, 0)
            y.masked_scatter_(m, from_torch(src, device))
            assert_same(y, tt.clone().masked_fill_(mask, 0).masked_scatter_(mask, src))
    # out-of-place masked_fill broadcasts input to the mask
    z = torch.zeros(3)
    big = torch.ones(2, 3, dtype=torch.bool)
    assert_same(from_torch(z, device).masked_fill(from_torch(big, device), 1.7), z.masked_fill(big, 1.7))
    assert_same(rustorch.tensor([0, 0], device=device).masked_fill(rustorch.tensor([True, False], device=device), 1.7),
                torch.tensor([0, 0]).masked_fill(torch.tensor([True, False]), 1.7))


def test_masked_fill_nan_inf(device):
    t = torch.tensor([1.0, float("nan"), float("inf")])
    assert_same(from_torch(t, device).masked_fill(from_torch(t.isnan(), device), float("-inf")), t.masked_fill(t.isnan(), float("-inf")))


def test_mask_errors(device):
    x = rustorch.zeros(2, 3, device=device)
    with pytest.raises(DTypeError, match="boolean masks.*uint8"):
        x.masked_fill(rustorch.ones(3, dtype=rustorch.uint8, device=device), 1)
    with pytest.raises(ShapeError, match="0-dimensional value tensor"):
        x.masked_fill(rustorch.ones(3, dtype=rustorch.bool, device=device), rustorch.ones(1, device=device))
    with pytest.raises(ShapeError, match=r"masked_fill_\(\): mask of shape \[2, 2, 3\]"):
        x.masked_fill_(rustorch.ones(2, 2, 3, dtype=rustorch.bool, device=device), 1)
    with pytest.raises(ShapeError, match="masked_select"):
        rustorch.masked_select(x, rustorch.ones(2, dtype=rustorch.bool, device=device))
    with pytest.raises(ShapeError, match="fewer than the 6 True"):
        x.masked_scatter_(rustorch.ones(3, dtype=rustorch.bool, device=device), rustorch.ones(5, device=device))
    with pytest.raises(DTypeError, match="same dtype"):
        x.masked_scatter_(rustorch.ones(3, dtype=rustorch.bool, device=device), rustorch.ones(6, dtype=rustorch.int64, device=device))


# where / nonzero / take ------------------------------------------------------------
def test_where(device):
    c = rand(3, 1, dtype=torch.bool)
    a = rand(3, 4)
    b = rand(4, dtype=torch.int32)
    rc, ra, rb = from_torch(c, device), from_torch(a, device), from_torch(b, device)
    assert_same(rustorch.where(rc, ra, rb), torch.where(c, a, b))
    assert_same(rustorch.where(rc, rb, 2.5), torch.where(c, b, 2.5))
    assert_same(rustorch.where(rc, 1, 0), torch.where(c, 1, 0))
    assert_same(rustorch.where(rc, 1.0, rb), torch.where(c, 1.0, b))
    assert_same(rustorch.where(rc, from_torch(torch.tensor(2.0, dtype=torch.float64), device), rb),
                torch.where(c, torch.tensor(2.0, dtype=torch.float64), b))
    assert_same(ra.where(rc, 0.0), a.where(c, 0.0))
    assert_same(rustorch.where(rc.to(rustorch.uint8), ra, rb), torch.where(c, a, b))
    out = rustorch.empty(0, device=device)
    rustorch.where(rc, ra, rb, out=out)
    assert_same(out, torch.where(c, a, b))
    assert_same(rustorch.where(rustorch.tensor(True, device=device), rustorch.tensor(1.0, device=device), 0.0),
                torch.where(torch.tensor(True), torch.tensor(1.0), 0.0))
    for got, expected in zip(rustorch.where(from_torch(a > 0, device)), torch.where(a > 0)):
        assert_same(got, expected)
    with pytest.raises(DTypeError, match="condition to be a boolean tensor.*int64"):
        rustorch.where(rustorch.tensor([1, 0], device=device), ra, rb)
    with pytest.raises(ShapeError, match="where"):
        rustorch.where(rc, ra, rustorch.ones(5, device=device))


@pytest.mark.parametrize("shape", [(), (0,), (5,), (3, 4), (2, 3, 2)])
def test_nonzero_argwhere(device, shape):
    t = rand(*shape, dtype=torch.int64) if shape else torch.tensor(3)
    t = t * (torch.rand(shape, generator=GEN) > 0.4) if shape else t
    for name, tt in layouts(t) if t.ndim else [("contiguous", t)]:
        x = rt_layout(name, tt, device)
        assert_same(rustorch.nonzero(x), torch.nonzero(tt))
        assert_same(x.argwhere(), tt.argwhere())
        for got, expected in zip(x.nonzero(as_tuple=True), tt.nonzero(as_tuple=True), strict=True):
            assert_same(got, expected)
    zero = torch.tensor(0.0)
    assert_same(rustorch.nonzero(from_torch(zero, device), as_tuple=True)[0], torch.nonzero(zero, as_tuple=True)[0])


def test_nonzero_large(device):
    # over a thousand tiles of the compaction, several chunks of their prefix sum; NaN counts, -0.0 does not
    t = torch.randn(700, 1000, generator=GEN)
    t[t.abs() < 1] = 0.0
    t[3, 4], t[5, 6] = float("nan"), -0.0
    for name, tt in layouts(t):
        x = rt_layout(name, tt, device)
        assert_same(rustorch.nonzero(x), torch.nonzero(tt))
        assert_same(x[x != 0], tt[tt != 0])


def test_take_and_take_along_dim(device):
    t = rand(3, 4)
    idx = torch.tensor([[0, -1], [11, 5]])
    for name, tt in layouts(t):
        x = rt_layout(name, tt, device)
        assert_same(rustorch.take(x, from_torch(idx, device)), torch.take(tt, idx))
        assert_same(x.take(from_torch(torch.tensor(7), device)), tt.take(torch.tensor(7)))
        order = torch.argsort(tt, dim=1)
        assert_same(rustorch.take_along_dim(x, from_torch(order, device), dim=1), torch.take_along_dim(tt, order, dim=1))
        assert_same(x.take_along_dim(from_torch(torch.tensor([[-1]]), device), 1), tt.take_along_dim(torch.tensor([[-1]]), 1))
        bcast = torch.tensor([[2], [0], [1]])
        assert_same(rustorch.take_along_dim(x, from_torch(bcast, device), 1), torch.take_along_dim(tt, bcast, 1))
        assert_same(rustorch.take_along_dim(x, from_torch(torch.tensor([[0], [5]]), device)),
                    torch.take_along_dim(tt.contiguous(), torch.tensor([[0], [5]])))  # torch can't view strided input here
    x = from_torch(t, device)
    with pytest.raises(IndexOutOfRangeError, match=r"take\(\): index 12 is out of bounds"):
        rustorch.take(x, rustorch.tensor([12], device=device))
    with pytest.raises(DTypeError, match="take.*int32"):
        rustorch.take(x, rustorch.tensor([1], dtype=rustorch.int32, device=device))
    with pytest.raises(ShapeError, match="same number of dimensions"):
        rustorch.take_along_dim(x, rustorch.tensor([0], device=device), 1)
    with pytest.raises(IndexOutOfRangeError, match=r"take_along_dim\(\): index 4 is out of bounds for dimension 1"):
        rustorch.take_along_dim(x, rustorch.tensor([[4]], device=device), 1)


# sorting ----------------------------------------------------------------------------
def _with_nan(t):
    t = t.clone()
    t.view(-1)[::3] = float("nan")
    t.view(-1)[1::5] = float("inf")
    return t


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.int8, torch.bool, torch.float16])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dim", [0, -1])
def test_sort(device, dtype, descending, dim):
    t = rand(6, 5, dtype=dtype)
    if dtype.is_floating_point:
        t = _with_nan(t)
    for name, tt in layouts(t):
        x = rt_layout(name, tt, device)
        got = rustorch.sort(x, dim, descending=descending, stable=True)
        expected = torch.sort(tt, dim=dim, descending=descending, stable=True)
        assert_same(got.values, expected.values)
        assert_same(got[1], expected.indices)
        assert_same(x.argsort(dim, descending=descending, stable=True), tt.argsort(dim=dim, descending=descending, stable=True))
    assert_same(rustorch.msort(from_torch(t, device)), torch.msort(t))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16, torch.int64, torch.int16])
def test_sort_long_rows_with_ties(device, dtype):
    # rows longer than a GPU work-group sorts at once (2048 on OpenCL: merged in global memory), few distinct
    # values so that stability decides the indices, NaN and both zeros among them; along the last dim and dim 0
    g = torch.Generator().manual_seed(5)
    t = torch.randint(-4, 5, (3, 5000), generator=g).to(dtype)
    if dtype.is_floating_point:
        t[0, ::7] = float("nan")
        t[1, ::5] = -0.0
    for x, dim in ((t, -1), (t.t().contiguous(), 0)):
        for descending in (False, True):
            got = rustorch.sort(from_torch(x, device), dim, descending=descending, stable=True)
            expected = torch.sort(x, dim=dim, descending=descending, stable=True)
            assert_same(got.values, expected.values)
            assert_same(got.indices, expected.indices)


def test_sort_edge_cases(device):
    s = torch.tensor(3.0)
    v, i = rustorch.sort(from_torch(s, device))
    assert_same(v, torch.sort(s).values)
    assert_same(i, torch.sort(s).indices)
    e = torch.zeros(0, 3)
    assert_same(rustorch.sort(from_torch(e, device), 0).values, torch.sort(e, 0).values)
    out = (rustorch.empty(0, device=device), rustorch.empty(0, dtype=rustorch.int64, device=device))
    rustorch.sort(rustorch.tensor([2.0, 1.0], device=device), out=out)
    assert out[0].tolist() == [1.0, 2.0] and out[1].tolist() == [1, 0]
    assert type(rustorch.sort(rustorch.ones(2, device=device))).__name__ == "sort"
    with pytest.raises(DTypeError, match="complex"):
        rustorch.sort(rustorch.tensor([1 + 1j], device=device))


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64])
def test_topk_kthvalue(device, largest, dtype):
    t = torch.randperm(30, generator=GEN).view(5, 6).to(dtype)  # distinct values: the order is unique
    if dtype.is_floating_point:
        t[0, 2] = float("nan")
    for name, tt in layouts(t):
        x = rt_layout(name, tt, device)
        for k, dim in ((3, 1), (0, 0), (5, 0), (1, -1)):
            got = rustorch.topk(x, k, dim, largest=largest)
            expected = torch.topk(tt, k, dim, largest=largest)
            assert_same(got.values, expected.values)
            assert_same(got.indices, expected.indices)
        for k, dim, keepdim in ((1, 1, False), (6, 1, True), (3, 0, False)):
            got = x.kthvalue(k, dim, keepdim)
            expected = tt.kthvalue(k, dim, keepdim)
            assert_same(got.values, expected.values)
            assert_same(got.indices, expected.indices)
    assert_same(rustorch.topk(from_torch(torch.tensor(3.0), device), 1).values, torch.topk(torch.tensor(3.0), 1).values)
    with pytest.raises(ValueOutOfRangeError, match="selected index k"):
        rustorch.topk(rustorch.ones(2, device=device), 3)
    with pytest.raises(ValueOutOfRangeError, match="selected number k"):
        rustorch.kthvalue(rustorch.ones(2, device=device), 0)


# triangles and diagonals ------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (2, 3, 4), (0, 3)])
@pytest.mark.parametrize("diagonal", [0, 1, -2, 10, -10])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bool, torch.int32])
def test_tril_triu(device, shape, diagonal, dtype):
    t = rand(*shape, dtype=dtype)
    for name, tt in layouts(t):
        x = rt_layout(name, tt, device)
        assert_same(rustorch.tril(x, diagonal), torch.tril(tt, diagonal))
        assert_same(x.triu(diagonal), tt.triu(diagonal))
        y = x.clone()
        y.tril_(diagonal)
        assert_same(y, tt.tril(diagonal))
        x.triu_(diagonal)  # in place on a view
        assert_same(x, tt.triu(diagonal))


def test_tril_errors(device):
    with pytest.raises(ShapeError, match=r"tril\(\): input tensor must have at least 2 dimensions"):
        rustorch.tril(rustorch.ones(3, device=device))


@pytest.mark.parametrize("diagonal", [0, 2, -1, -5])
def test_diag_diag_embed_trace(device, diagonal):
    v = rand(4)
    m = rand(3, 5)
    b = rand(2, 3)
    assert_same(rustorch.diag(from_torch(v, device), diagonal), torch.diag(v, diagonal))
    for name, tt in layouts(m):
        x = rt_layout(name, tt, device)
        assert_same(x.diag(diagonal), tt.diag(diagonal))
        assert_same(rustorch.trace(x), torch.trace(tt), atol=1e-6, rtol=1e-6)
    assert_same(rustorch.diag_embed(from_torch(b, device), diagonal), torch.diag_embed(b, diagonal))
    assert_same(rustorch.diag_embed(from_torch(b, device), diagonal, 0, 2), torch.diag_embed(b, diagonal, 0, 2))
    assert_same(rustorch.trace(from_torch(torch.arange(9, dtype=torch.int32).view(3, 3), device)),
                torch.trace(torch.arange(9, dtype=torch.int32).view(3, 3)))


def test_diag_errors(device):
    with pytest.raises(ShapeError, match=r"diag\(\): supports 1D or 2D tensors, got 3D"):
        rustorch.diag(rustorch.ones(2, 2, 2, device=device))
    with pytest.raises(ShapeError, match="trace.*expected a matrix"):
        rustorch.trace(rustorch.ones(2, device=device))
    with pytest.raises(DTypeError, match="trace.*bool"):
        rustorch.trace(rustorch.ones(2, 2, dtype=rustorch.bool, device=device))
    with pytest.raises(ShapeError, match="diagonal dimensions cannot be identical"):
        rustorch.diag_embed(rustorch.ones(2, device=device), 0, 0, 0)
