"""Reductions and scans against torch: every dim/keepdim combination, dtypes, layouts, empty/0-d, NaN/inf, errors."""
import itertools
import math

import pytest
import torch

import rustorch
from rustorch.errors import DimensionError, DTypeError, InvalidTypeError, ValueOutOfRangeError
from conftest import assert_same, from_torch, skip_complex_off_cpu

nan, inf = math.nan, math.inf

# every dim spec of a 3-D tensor: None, each int (and a negative one), each pair, all three
pytestmark = pytest.mark.filterwarnings("ignore:.*degrees of freedom")

DIMS_3D = [None, 0, 1, 2, -1, (0, 1), (0, 2), (1, 2), (0, 1, 2), (-1, 0)]


def pair(t, device, layout="contiguous"):
    """The same values as (rustorch, torch) tensors, laid out as ``layout``."""
    r = from_torch(t, device)
    if layout == "transposed":
        return r.transpose(0, -1), t.transpose(0, -1)
    if layout == "sliced":
        return r[::2, 1:], t[::2, 1:]
    if layout == "expanded":
        return r[:, :1].expand(r.shape[0], 4), t[:, :1].expand(t.shape[0], 4)
    return r, t


def same(rt_result, torch_result, **kw):
    if isinstance(torch_result, tuple):
        assert len(rt_result) == len(torch_result)
        for a, b in zip(rt_result, torch_result):
            assert_same(a, b, **kw)
    else:
        assert_same(rt_result, torch_result, **kw)


def _randn(*shape, dtype=torch.float64):
    return torch.randn(*shape, dtype=torch.float64).to(dtype)


def _dim_kwargs(dim, keepdim):
    return {} if dim is None else {"dim": dim, "keepdim": keepdim}


# every dim/keepdim combination on a 3-D tensor ----------------------------------------------
@pytest.mark.parametrize("name", ["sum", "nansum", "mean", "nanmean", "amax", "amin", "all", "any", "norm", "var",
                                  "std", "logsumexp", "count_nonzero"])
def test_every_dim_and_keepdim(device, name):
    t = _randn(3, 4, 5)
    t[0, 1, 2] = 0.0
    x, _ = pair(t, device)
    for dim, keepdim in itertools.product(DIMS_3D, (False, True)):
        if name == "logsumexp" and dim is None:
            continue
        if name == "count_nonzero":
            if keepdim:
                continue
            kw = {} if dim is None else {"dim": dim}
        else:
            kw = _dim_kwargs(dim, keepdim)
        if name == "norm":
            kw["p"] = 2  # p='fro' allows at most 2 dims
        same(getattr(rustorch, name)(x, **kw), getattr(torch, name)(t, **kw))


@pytest.mark.parametrize("name", ["prod", "max", "min", "argmax", "argmin", "cumsum", "cumprod"])
def test_single_dim_ops_every_dim(device, name):
    t = _randn(3, 4, 5)
    x, _ = pair(t, device)
    for dim in (0, 1, 2, -1, -3):
        for keepdim in (False, True):
            kw = {"dim": dim} if name in ("cumsum", "cumprod") else {"dim": dim, "keepdim": keepdim}
            same(getattr(rustorch, name)(x, **kw), tuple(getattr(torch, name)(t, **kw))
                 if name in ("max", "min") else getattr(torch, name)(t, **kw))
    if name not in ("cumsum", "cumprod"):
        same(getattr(rustorch, name)(x), getattr(torch, name)(t))


# layouts, sizes for the kernel paths ------------------------------------------------------
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "sliced", "expanded"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_layouts(device, layout, dtype):
    x, t = pair(_randn(6, 7, dtype=dtype), device, layout)
    for dim in (None, 0, 1, (0, 1)):
        kw = {} if dim is None else {"dim": dim}
        for name in ("sum", "mean", "amax", "amin", "var", "norm"):
            same(getattr(rustorch, name)(x, **kw), getattr(torch, name)(t, **kw), rtol=1e-5, atol=1e-5)
    for dim in (0, 1):
        same(tuple(rustorch.max(x, dim)), tuple(torch.max(t, dim)))
        same(rustorch.argmin(x, dim), torch.argmin(t, dim))
        same(rustorch.prod(x, dim), torch.prod(t, dim), rtol=1e-5, atol=1e-6)
        same(rustorch.cumsum(x, dim), torch.cumsum(t, dim), rtol=1e-5, atol=1e-5)
        same(rustorch.cumprod(x, dim), torch.cumprod(t, dim), rtol=1e-5, atol=1e-6)
        same(rustorch.logsumexp(x, dim), torch.logsumexp(t, dim), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_large_rows(device, dtype):
    t = _randn(64, 1000, dtype=dtype)
    x, _ = pair(t, device)
    for dim in (0, 1, -1, None):
        kw = {} if dim is None else {"dim": dim}
        same(rustorch.sum(x, **kw), torch.sum(t, **kw), rtol=1e-5, atol=1e-4)
        same(rustorch.mean(x, **kw), torch.mean(t, **kw), rtol=1e-5, atol=1e-5)
        same(rustorch.amax(x, **kw), torch.amax(t, **kw))
        same(rustorch.argmin(x, **kw), torch.argmin(t, **kw))
        same(rustorch.std(x, **kw), torch.std(t, **kw), rtol=1e-5, atol=1e-5)
    for dim in (0, 1):
        same(tuple(rustorch.min(x, dim, keepdim=True)), tuple(torch.min(t, dim, keepdim=True)))
        same(rustorch.cumsum(x, dim), torch.cumsum(t, dim), rtol=1e-4, atol=1e-4)
        same(rustorch.logsumexp(x, dim), torch.logsumexp(t, dim), rtol=1e-5, atol=1e-5)



def test_long_lines_across_work_groups(device):
    # sizes that split a line over many work-groups (a GPU backend's two-pass reductions and chunked scans);
    # small integers in float32 keep every partial sum exact, so any order of adding gives torch's result
    t = torch.randint(-3, 4, (300_000,)).float()
    t[[1000, 250_000]] = 7.0  # ties across work-groups: the first position wins
    x, _ = pair(t, device)
    same(rustorch.sum(x), torch.sum(t))
    same(rustorch.argmax(x), torch.argmax(t))
    same(tuple(rustorch.max(x, 0)), tuple(torch.max(t, 0)))
    t[[270_000, 260_000]] = math.nan  # NaN wins over any value, the first NaN's position
    x, _ = pair(t, device)
    same(rustorch.amax(x), torch.amax(t))
    same(tuple(rustorch.min(x, 0)), tuple(torch.min(t, 0)))
    rows = torch.randint(-3, 4, (3, 100_000)).float()
    for u in (rows, rows.t()):  # long rows, long columns
        x, _ = pair(u, device)
        dim = 1 if u is rows else 0
        same(rustorch.sum(x, dim), torch.sum(u, dim))
        same(rustorch.argmin(x, dim), torch.argmin(u, dim))
        same(rustorch.cumsum(x, dim), torch.cumsum(u, dim))
    ints = torch.randint(-3, 4, (5, 6, 7), dtype=torch.int16)
    x, _ = pair(ints, device)
    for dims in ((0, 2), (2, 0, 1)):  # reduced dims that do not merge
        same(rustorch.sum(x, dims), torch.sum(ints, dims))
        same(rustorch.amax(x, dims), torch.amax(ints, dims))


# dtypes ----------------------------------------------------------------------------------
INT_DTYPES = [torch.bool, torch.uint8, torch.int8, torch.int32, torch.int64]


def _ints(dtype, *shape):
    if dtype is torch.bool:
        return torch.randint(0, 2, shape).bool()
    return torch.randint(0, 4, shape).to(dtype)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_integer_and_bool_dtypes(device, dtype):
    t = _ints(dtype, 3, 4)
    x, _ = pair(t, device)
    for dim in (None, 0, 1):
        kw = {} if dim is None else {"dim": dim}
        for name in ("sum", "nansum", "amax", "amin", "all", "any", "count_nonzero", "argmax"):
            if name == "argmax" and dtype is torch.bool:
                with pytest.raises(DTypeError, match=r"argmax\(\): does not support bool input"):
                    rustorch.argmax(x, **kw)
                continue
            same(getattr(rustorch, name)(x, **kw), getattr(torch, name)(t, **kw))
    for dim in (0, 1):
        same(rustorch.prod(x, dim), torch.prod(t, dim))
        same(rustorch.cumsum(x, dim), torch.cumsum(t, dim))
        same(rustorch.cumprod(x, dim), torch.cumprod(t, dim))
        same(tuple(rustorch.max(x, dim)), tuple(torch.max(t, dim)))
    same(rustorch.prod(x), torch.prod(t))
    same(rustorch.sum(x, dtype=rustorch.int32), torch.sum(t, dtype=torch.int32))
    same(rustorch.sum(x, 0, dtype=rustorch.float64), torch.sum(t, 0, dtype=torch.float64))
    same(rustorch.cumsum(x, 1, dtype=rustorch.float32), torch.cumsum(t, 1, dtype=torch.float32))
    same(rustorch.mean(x, dtype=rustorch.float64), torch.mean(t, dtype=torch.float64))
    same(rustorch.logsumexp(x, 1), torch.logsumexp(t, 1))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_dtypes(device, dtype):
    t = torch.rand(8, 50).to(dtype)
    x, _ = pair(t, device)
    for dim in (None, 0, 1):
        kw = {} if dim is None else {"dim": dim}
        for name in ("sum", "mean", "amax", "argmin", "norm", "var"):
            same(getattr(rustorch, name)(x, **kw), getattr(torch, name)(t, **kw), rtol=2e-2, atol=2e-2)
    same(rustorch.cumsum(x, 1), torch.cumsum(t, 1), rtol=2e-2, atol=1e-1)
    same(tuple(rustorch.max(x, 1)), tuple(torch.max(t, 1)))


def test_complex(device):
    skip_complex_off_cpu(device)
    t = torch.randn(3, 4, dtype=torch.complex128)
    x, _ = pair(t, device)
    for dim in (None, 0, 1):
        kw = {} if dim is None else {"dim": dim}
        for name in ("sum", "mean", "var", "std", "norm"):
            same(getattr(rustorch, name)(x, **kw), getattr(torch, name)(t, **kw))
    same(rustorch.var_mean(x, 1), torch.var_mean(t, 1))
    with pytest.raises(DTypeError, match="max"):
        rustorch.max(x)


# empty and 0-d -------------------------------------------------------------------------------
def test_empty(device):
    t = torch.empty(2, 0, 3)
    x = from_torch(t, device)
    for name in ("sum", "prod", "nansum", "mean", "all", "any", "count_nonzero"):
        same(getattr(rustorch, name)(x), getattr(torch, name)(t))
    for dim in (0, 1, 2):
        for name in ("sum", "prod", "mean", "all", "any"):
            same(getattr(rustorch, name)(x, dim), getattr(torch, name)(t, dim))
        same(rustorch.cumsum(x, dim), torch.cumsum(t, dim))
        same(rustorch.logsumexp(x, dim), torch.logsumexp(t, dim))
        same(rustorch.var(x, dim), torch.var(t, dim))
        same(rustorch.norm(x, dim=dim), torch.norm(t, dim=dim))
    for dim in (0, 2):  # the reduced dim has elements: an empty result, no error
        same(tuple(rustorch.max(x, dim)), tuple(torch.max(t, dim)))
        same(rustorch.amin(x, dim), torch.amin(t, dim))
        same(rustorch.argmax(x, dim), torch.argmax(t, dim))
        same(rustorch.norm(x, inf, dim), torch.norm(t, inf, dim))


def test_empty_errors(device):
    x = rustorch.empty(2, 0, device=device)
    with pytest.raises(ValueOutOfRangeError, match=r"max\(\).*numel\(\) == 0"):
        rustorch.max(x)
    with pytest.raises(DimensionError, match=r"max\(\): Expected reduction dim 1 to have non-zero size"):
        rustorch.max(x, 1)
    with pytest.raises(DimensionError, match=r"amax\(\): Expected reduction dim 1"):
        rustorch.amax(x)
    with pytest.raises(DimensionError, match=r"amin\(\): Expected reduction dim 1"):
        rustorch.amin(x, (0, 1))
    with pytest.raises(DimensionError, match=r"argmax\(\)"):
        rustorch.argmax(x)
    with pytest.raises(DimensionError, match=r"argmin\(\): Expected reduction dim 1"):
        rustorch.argmin(x, 1)
    with pytest.raises(ValueOutOfRangeError, match=r"norm\(\): cannot compute the inf norm on an empty tensor"):
        rustorch.norm(x, inf)


def test_zero_dim(device):
    t = torch.tensor(2.5, dtype=torch.float64)
    x = from_torch(t, device)
    for dim in (0, -1):
        for keepdim in (False, True):
            for name in ("sum", "mean", "prod", "amax", "argmin", "all", "logsumexp", "norm", "var"):
                same(getattr(rustorch, name)(x, dim, keepdim=keepdim), getattr(torch, name)(t, dim, keepdim=keepdim))
            same(tuple(rustorch.max(x, dim, keepdim)), tuple(torch.max(t, dim, keepdim)))
        same(rustorch.cumsum(x, dim), torch.cumsum(t, dim))
        same(rustorch.cumprod(x, dim), torch.cumprod(t, dim))
    for name in ("sum", "max", "argmax", "mean", "std", "count_nonzero"):
        same(getattr(rustorch, name)(x), getattr(torch, name)(t))
    with pytest.raises(DimensionError, match=r"sum\(\): Dimension out of range"):
        rustorch.sum(x, 1)


# NaN and inf -------------------------------------------------------------------------------
def test_nan_and_inf(device):
    t = torch.tensor([[1.0, nan, 3.0, nan], [-inf, 2.0, inf, 0.0], [-inf, -inf, -inf, -inf], [inf, 1.0, inf, 2.0]])
    for dtype in (torch.float32, torch.float64):
        tt = t.to(dtype)
        x, _ = pair(tt, device)
        for dim in (None, 0, 1):
            kw = {} if dim is None else {"dim": dim}
            for name in ("sum", "nansum", "mean", "nanmean", "amax", "amin", "argmax", "argmin", "prod", "norm",
                         "count_nonzero", "all", "any"):
                if name == "prod" and dim is None:
                    same(rustorch.prod(x), torch.prod(tt))
                    continue
                same(getattr(rustorch, name)(x, **kw), getattr(torch, name)(tt, **kw))
        for dim in (0, 1):
            same(tuple(rustorch.max(x, dim)), tuple(torch.max(tt, dim)))
            same(tuple(rustorch.min(x, dim)), tuple(torch.min(tt, dim)))
            same(rustorch.logsumexp(x, dim), torch.logsumexp(tt, dim))
            same(rustorch.cumsum(x, dim), torch.cumsum(tt, dim))
            for p in (1, inf, -inf, 0, 3):
                same(rustorch.norm(x, p, dim), torch.norm(tt, p, dim))


def test_nan_index_and_ties(device):
    x = rustorch.tensor([1.0, nan, 5.0, nan], device=device)
    assert rustorch.max(x, 0).indices.item() == 1 and math.isnan(rustorch.max(x).item())
    assert rustorch.argmin(x).item() == 1
    y = rustorch.tensor([[3, 1, 3], [0, 0, 2]], device=device)
    same(tuple(rustorch.max(y, 1)), tuple(torch.max(torch.tensor([[3, 1, 3], [0, 0, 2]]), 1)))
    same(rustorch.argmin(y, 1), torch.argmin(torch.tensor([[3, 1, 3], [0, 0, 2]]), 1))


def test_logsumexp_is_stable(device):
    t = torch.tensor([[1000.0, 1000.0], [-1000.0, -1000.0], [-inf, -inf], [inf, 1.0], [nan, 1.0]])
    x = from_torch(t, device)
    same(rustorch.logsumexp(x, 1), torch.logsumexp(t, 1))
    same(rustorch.logsumexp(x, 1, keepdim=True), torch.logsumexp(t, 1, keepdim=True))
    same(rustorch.logsumexp(rustorch.tensor(1000.0, device=device), 0), torch.logsumexp(torch.tensor(1000.0), 0))


# statistics -----------------------------------------------------------------------------------
def test_var_std_arguments(device):
    t = _randn(4, 5)
    x = from_torch(t, device)
    for correction in (0, 1, 2, 5):
        for dim in (None, 1, (0, 1)):
            same(rustorch.var(x, dim, correction=correction), torch.var(t, dim, correction=correction))
            same(rustorch.std(x, dim, correction=correction, keepdim=True), torch.std(t, dim, correction=correction, keepdim=True))
            same(rustorch.var_mean(x, dim, correction=correction), torch.var_mean(t, dim, correction=correction))
            same(rustorch.std_mean(x, dim, correction=correction, keepdim=True),
                 torch.std_mean(t, dim, correction=correction, keepdim=True))
    same(rustorch.var(x, False), torch.var(t, False))  # legacy var(input, unbiased)
    same(rustorch.std(x, 0, False, True), torch.std(t, 0, False, True))  # legacy (dim, unbiased, keepdim)
    same(rustorch.var(x, 1, unbiased=True), torch.var(t, 1, unbiased=True))
    one = rustorch.tensor([1.0], device=device)
    same(rustorch.var(one), torch.var(torch.tensor([1.0])))  # nan: no degrees of freedom


def test_norm_p_values(device):
    t = _randn(3, 4, 5)
    x, _ = pair(t, device)
    for p in ("fro", 2, 1, inf, -inf, 0, 3, 0.5, -1):
        for dim in (None, 1, (0, 2), -1):
            for keepdim in (False, True):
                if p == "fro" and isinstance(dim, int):
                    continue
                same(rustorch.norm(x, p, dim, keepdim), torch.norm(t, p, dim, keepdim))
    same(x.float().norm(dim=1, dtype=rustorch.float64), t.float().norm(dim=1, dtype=torch.float64))


# methods, out=, named tuples ---------------------------------------------------------------
def test_methods_out_and_return_types(device):
    t = _randn(3, 4)
    x = from_torch(t, device)
    same(x.sum(1), t.sum(1))
    same(x.mean(dim=0, keepdim=True), t.mean(dim=0, keepdim=True))
    r = x.max(dim=1)
    assert isinstance(r, tuple) and r.values is r[0] and r.indices is r[1]
    assert repr(r).startswith("rustorch.return_types.max(\nvalues=tensor(")
    values, indices = x.min(1)
    same(values, t.min(1).values)
    mm = rustorch.aminmax(x, dim=0)
    same((mm.min, mm.max), tuple(torch.aminmax(t, dim=0)))
    same(rustorch.max(x, x.flip(0) if hasattr(x, "flip") else x * 0.5), torch.max(t, t.flip(0) if hasattr(x, "flip") else t * 0.5))
    same(rustorch.min(x, rustorch.zeros(4, dtype=rustorch.float64, device=device)), torch.min(t, torch.zeros(4, dtype=torch.float64)))

    out = rustorch.empty(7, dtype=rustorch.float64, device=device)
    result = rustorch.sum(x, 0, out=out)
    assert result is out
    same(out, t.sum(0))
    v, i = rustorch.empty(0, dtype=rustorch.float64, device=device), rustorch.empty(0, dtype=rustorch.int64, device=device)
    r = rustorch.max(x, 1, out=(v, i))
    assert r.values is v and r.indices is i
    same(i, t.max(1).indices)
    out = rustorch.empty(3, 4, dtype=rustorch.float64, device=device)
    assert rustorch.cumsum(x, 1, out=out) is out
    same(out, t.cumsum(1))
    y = from_torch(t.clone(), device)
    y.cumsum_(0)
    same(y, t.cumsum(0))
    z = rustorch.tensor([1, 2, 3], dtype=rustorch.int32, device=device)
    z.cumprod_(0)
    same(z, torch.tensor([1, 2, 6], dtype=torch.int32))
    out = rustorch.empty(1, device=device, dtype=rustorch.float64)
    same(rustorch.std(x, 1, out=out), t.std(1))
    same(rustorch.argmax(x, keepdim=True), t.argmax(keepdim=True))


# errors -----------------------------------------------------------------------------------------
def test_errors(device):
    i = rustorch.tensor([1, 2, 3], device=device)
    f = rustorch.ones(2, 3, device=device)
    with pytest.raises(DTypeError, match=r"mean\(\): could not infer output dtype.*int64"):
        rustorch.mean(i)
    with pytest.raises(DTypeError, match=r"mean\(\).*Optional dtype.*int32"):
        rustorch.mean(f, dtype=rustorch.int32)
    with pytest.raises(DTypeError, match=r"nanmean\(\).*int64"):
        rustorch.nanmean(i)
    for name in ("var", "std", "var_mean", "std_mean"):
        with pytest.raises(DTypeError, match=rf"{name}\(\): std and var only support floating point"):
            getattr(rustorch, name)(i)
    with pytest.raises(DTypeError, match=r"norm\(\).*floating point.*int64"):
        rustorch.norm(i)
    with pytest.raises(DimensionError, match=r"sum\(\): Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"):
        rustorch.sum(f, 2)
    with pytest.raises(DimensionError, match=r"amax\(\): Dimension out of range"):
        rustorch.amax(f, (0, -3))
    with pytest.raises(Exception, match=r"sum\(\): dim \(0, -2\) appears multiple times"):
        rustorch.sum(f, (0, -2))
    with pytest.raises(InvalidTypeError, match=r"prod\(\): argument 'dim' must be an int"):
        rustorch.prod(f, (0, 1))
    with pytest.raises(DimensionError, match=r"cumsum\(\): Dimension out of range"):
        rustorch.cumsum(f, 2)
    with pytest.raises(InvalidTypeError, match=r"sum\(\): argument 'input' must be Tensor"):
        rustorch.sum([1, 2])
    with pytest.raises(Exception, match=r"var\(\): cannot specify both correction and unbiased"):
        rustorch.var(f, 0, True, correction=0)
    with pytest.raises(Exception, match=r"norm\(\): p='nuc' is not supported"):
        rustorch.norm(f, "nuc")
    with pytest.raises(Exception, match=r"norm\(\): p='fro' takes at most 2 dims"):
        rustorch.norm(f.reshape(1, 2, 3), dim=(0, 1, 2))


def test_median(device):
    t = _randn(4, 5, 6)
    t[1, 2, 3] = nan
    t[2, :, 0] = nan
    x, _ = pair(t, device)
    for dim in (0, 1, 2, -1):
        for keepdim in (False, True):
            same(tuple(rustorch.median(x, dim, keepdim)), tuple(torch.median(t, dim, keepdim)))
    same(rustorch.median(x), torch.median(t))
    same(rustorch.median(x[0]), torch.median(t[0]))
    xt, tt = pair(t[3], device, "transposed")
    same(tuple(rustorch.median(xt, 1)), tuple(torch.median(tt, 1)))
    i = torch.tensor([[4, 2, 2, 1], [1, 5, 3, 0]])
    same(tuple(rustorch.median(from_torch(i, device), 1)), tuple(torch.median(i, 1)))
    same(rustorch.median(from_torch(i, device)), torch.median(i))
    z = torch.tensor(2.0)
    same(tuple(rustorch.median(from_torch(z, device), 0)), tuple(torch.median(z, 0)))
    same(rustorch.median(rustorch.empty(0, device=device)), torch.median(torch.empty(0)))
    with pytest.raises(DimensionError, match=r"median\(\): Expected reduction dim 1 to have non-zero size"):
        rustorch.median(rustorch.empty(2, 0, device=device), 1)
