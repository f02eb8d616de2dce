"""Random sampling: determinism, the Philox stream layout, distributions (scipy.stats), shapes, dtypes, errors.

rustorch's numbers are not torch's (different generators); torch is the reference for shapes and dtypes only.
"""
import math

import numpy as np
import pytest
import scipy.stats as st
import torch

import rustorch
from conftest import skip_complex_off_cpu
from rustorch._ext.philox import philox_bits, philox_normal, philox_uniform
from rustorch.errors import DeviceError, DTypeError, InvalidArgumentError, InvalidTypeError, ShapeError, ValueOutOfRangeError

P_MIN = 1e-3  # fixed seeds make every p-value below deterministic


def gen(device, seed=1234):
    return rustorch.Generator(rustorch.device(device).type).manual_seed(seed)


def values(t):
    return np.asarray(t.cpu().numpy(), dtype=np.float64 if not t.dtype.is_complex else np.complex128)


# determinism ----------------------------------------------------------------------------------
DRAWS = {
    "rand": lambda g, dev: rustorch.rand(5, 3, generator=g, device=dev),
    "randn": lambda g, dev: rustorch.randn(7, generator=g, device=dev, dtype=rustorch.float64),
    "randint": lambda g, dev: rustorch.randint(-5, 100, (9,), generator=g, device=dev),
    "randperm": lambda g, dev: rustorch.randperm(20, generator=g, device=dev),
    "normal": lambda g, dev: rustorch.normal(1.0, 2.0, (6,), generator=g, device=dev),
    "bernoulli": lambda g, dev: rustorch.bernoulli(rustorch.full((30,), 0.5, device=dev), generator=g),
    "multinomial": lambda g, dev: rustorch.multinomial(rustorch.ones(2, 10, device=dev), 4, generator=g),
    "uniform_": lambda g, dev: rustorch.empty(8, device=dev).uniform_(-1, 1, generator=g),
    "random_": lambda g, dev: rustorch.empty(8, dtype=rustorch.int32, device=dev).random_(generator=g),
    "exponential_": lambda g, dev: rustorch.empty(8, device=dev).exponential_(generator=g),
}


@pytest.mark.parametrize("name", list(DRAWS))
def test_same_seed_same_numbers_different_seed_different(device, name):
    draw = DRAWS[name]
    a = values(draw(gen(device, 7), device))
    b = values(draw(gen(device, 7), device))
    c = values(draw(gen(device, 8), device))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name", list(DRAWS))
def test_state_save_restore_replays(device, name):
    draw = DRAWS[name]
    g = gen(device)
    draw(g, device)
    state = g.get_state()
    a = values(draw(g, device))
    b = values(draw(g, device))
    assert not np.array_equal(a, b)
    g.set_state(state)
    np.testing.assert_array_equal(values(draw(g, device)), a)
    np.testing.assert_array_equal(values(draw(g, device)), b)


def test_global_seed_functions(device):
    rustorch.manual_seed(123)
    assert rustorch.initial_seed() == 123
    a = rustorch.rand(4, device=device)
    state = rustorch.get_rng_state()
    b = rustorch.rand(4, device=device) if device == "cpu" else None
    rustorch.manual_seed(123)
    assert rustorch.equal(rustorch.rand(4, device=device), a)
    if device == "cpu":
        rustorch.set_rng_state(state)
        assert rustorch.equal(rustorch.rand(4), b)
    s = rustorch.seed()
    assert rustorch.initial_seed() == s and 0 <= s < 2 ** 64
    assert rustorch.manual_seed(5) is rustorch.default_generator


def test_generator_basics():
    g = rustorch.Generator()
    assert g.device == rustorch.device("cpu")
    assert g.initial_seed() == torch.Generator().initial_seed()  # torch's default seed for a new Generator
    assert g.manual_seed(-1).initial_seed() == 2 ** 64 - 1  # as torch: taken modulo 2**64
    assert g.manual_seed(2.0).initial_seed() == 2
    s = g.seed()
    assert g.initial_seed() == s
    state = g.get_state()
    assert state.dtype is rustorch.uint8 and state.shape == (16,)
    assert int.from_bytes(bytes(state.tolist()[:8]), "little") == s


def test_stream_layout_matches_philox_kernels():
    # the documented layout: call k starts at counter block = sum of blocks used before it
    g = gen("cpu", 99)
    a = rustorch.rand(10, generator=g)
    b = rustorch.randn(3, generator=g, dtype=rustorch.float64)
    c = rustorch.randint(0, 2 ** 62, (5,), generator=g)
    ea = np.empty(10, np.float32)
    blocks = philox_uniform(99, 0, ea)
    eb = np.empty(3, np.float64)
    blocks += philox_normal(99, blocks, eb)
    ec = np.empty(5, np.uint64)
    philox_bits(99, blocks, ec)
    np.testing.assert_array_equal(a.numpy(), ea)
    np.testing.assert_array_equal(b.numpy(), eb)
    np.testing.assert_array_equal(c.numpy(), ((ec & np.uint64(2 ** 63 - 1)) % np.uint64(2 ** 62)).astype(np.int64))


@pytest.mark.parametrize("dtype, k", [(rustorch.float32, 4), (rustorch.float64, 2)])
def test_offset_advances_and_continues(device, dtype, k):
    g = gen(device)
    a = values(rustorch.rand(2 * k, generator=g, device=device, dtype=dtype))
    b = values(rustorch.rand(k, generator=g, device=device, dtype=dtype))
    whole = values(rustorch.rand(3 * k, generator=gen(device), device=device, dtype=dtype))
    assert not np.array_equal(a[:k], b)
    np.testing.assert_array_equal(np.concatenate([a, b]), whole)  # n a multiple of k: one continuous stream
    # otherwise the rest of the last block is skipped: rand(k + 1) uses 2 blocks
    g = gen(device)
    rustorch.rand(k + 1, generator=g, device=device, dtype=dtype)
    np.testing.assert_array_equal(values(rustorch.rand(k, generator=g, device=device, dtype=dtype)), whole[2 * k:])
    assert int.from_bytes(bytes(g.get_state().tolist()[8:]), "little") == 3


# a seed means the same numbers on every backend: bit for bit, except where log/sin/cos come in (normals,
# exponentials), whose implementations differ between math libraries by a few ulp
SAME_EVERYWHERE = {  # name -> (draw on a device from the default generator, bit-exact)
    "rand": (lambda dev: rustorch.rand(1001, device=dev), True),
    "rand float64": (lambda dev: rustorch.rand(3, 335, device=dev, dtype=rustorch.float64), True),
    "rand bfloat16": (lambda dev: rustorch.rand(1001, device=dev, dtype=rustorch.bfloat16), True),
    "randn": (lambda dev: rustorch.randn(1001, device=dev), False),
    "randn float64": (lambda dev: rustorch.randn(1001, device=dev, dtype=rustorch.float64), False),
    "exponential_": (lambda dev: rustorch.empty(1001, device=dev).exponential_(), False),
    "randint": (lambda dev: rustorch.randint(-5, 2 ** 40, (1001,), device=dev), True),
    "random_ int32": (lambda dev: rustorch.empty(1001, dtype=rustorch.int32, device=dev).random_(), True),
    "randperm": (lambda dev: rustorch.randperm(5000, device=dev), True),  # a sort of random int64 keys
    "bernoulli": (lambda dev: rustorch.bernoulli(rustorch.full((1001,), 0.3, device=dev)), True),
    "dropout": (lambda dev: rustorch.nn.functional.dropout(rustorch.ones(1001, device=dev), 0.4), True),
    "multinomial": (lambda dev: rustorch.multinomial(rustorch.arange(1.0, 9.0, device=dev), 40, True), True),
}


@pytest.mark.parametrize("name", list(SAME_EVERYWHERE))
def test_same_seed_same_numbers_as_the_cpu(device, name):
    if device == "cpu":
        pytest.skip("compares another device's numbers with the CPU's")
    draw, exact = SAME_EVERYWHERE[name]
    draws = {}
    for dev in ("cpu", device):
        rustorch.manual_seed(2024)
        draws[dev] = [draw(dev).cpu().numpy() for _ in range(2)]  # the second: the generators advanced alike
    for expected, actual in zip(draws["cpu"], draws[device]):
        assert actual.dtype == expected.dtype
        if exact:
            np.testing.assert_array_equal(actual.astype(np.float64), expected.astype(np.float64))
        else:
            np.testing.assert_array_max_ulp(actual, expected, maxulp=8)


def test_generator_device_mismatch():
    g = rustorch.Generator("cpu")
    other = "cuda" if "cuda" in rustorch.backends.available() else "opencl"
    g_other = rustorch.Generator(other)
    with pytest.raises(DeviceError, match="rand\\(\\): expected a generator for a cpu device"):
        rustorch.rand(2, generator=g_other)
    with pytest.raises(InvalidTypeError, match="generator must be a rustorch.Generator"):
        rustorch.rand(2, generator=torch.Generator())
    assert rustorch.rand(2, generator=g).shape == (2,)


# distributions -----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [rustorch.float32, rustorch.float64, rustorch.float16, rustorch.bfloat16])
def test_rand_uniform_ks(device, dtype):
    x = values(rustorch.rand(20000, generator=gen(device), device=device, dtype=dtype))
    assert x.min() >= 0 and x.max() < 1
    if dtype.itemsize == 2:  # coarse grid of 2**-digits: compare the mean and variance only
        assert abs(x.mean() - 0.5) < 0.01 and abs(x.var() - 1 / 12) < 0.005
    else:
        assert st.kstest(x, "uniform").pvalue > P_MIN


@pytest.mark.parametrize("dtype", [rustorch.float32, rustorch.float64])
def test_randn_normal_ks(device, dtype):
    x = values(rustorch.randn(20000, generator=gen(device), device=device, dtype=dtype))
    assert st.kstest(x, "norm").pvalue > P_MIN


def test_randn_complex_parts(device):
    skip_complex_off_cpu(device)
    z = values(rustorch.randn(20000, generator=gen(device), device=device, dtype=rustorch.complex64))
    for part in (z.real, z.imag):
        assert st.kstest(part, "norm", args=(0, math.sqrt(0.5))).pvalue > P_MIN
    assert abs(np.corrcoef(z.real, z.imag)[0, 1]) < 0.03


def test_normal_overloads_ks(device):
    g = gen(device)
    x = values(rustorch.normal(3.0, 2.0, (20000,), generator=g, device=device))
    assert st.kstest(x, "norm", args=(3.0, 2.0)).pvalue > P_MIN
    means = rustorch.zeros(2, 10000, device=device) + rustorch.tensor([[-5.0], [5.0]], device=device)
    stds = rustorch.tensor([[0.5], [3.0]], device=device)
    y = values(rustorch.normal(means, stds, generator=g))
    assert st.kstest(y[0], "norm", args=(-5.0, 0.5)).pvalue > P_MIN
    assert st.kstest(y[1], "norm", args=(5.0, 3.0)).pvalue > P_MIN
    z = values(rustorch.normal(1.0, rustorch.full((20000,), 4.0, device=device), generator=g))
    assert st.kstest(z, "norm", args=(1.0, 4.0)).pvalue > P_MIN


def test_uniform_exponential_inplace_ks(device):
    g = gen(device)
    x = values(rustorch.empty(20000, device=device).uniform_(-3, 5, generator=g))
    assert x.min() >= -3 and x.max() < 5
    assert st.kstest(x, "uniform", args=(-3, 8)).pvalue > P_MIN
    e = values(rustorch.empty(20000, dtype=rustorch.float64, device=device).exponential_(2.5, generator=g))
    assert st.kstest(e, "expon", args=(0, 1 / 2.5)).pvalue > P_MIN
    n = values(rustorch.empty(20000, device=device).normal_(-1, 0.1, generator=g))
    assert st.kstest(n, "norm", args=(-1, 0.1)).pvalue > P_MIN


@pytest.mark.parametrize("low, high", [(0, 7), (-3, 4), (10 ** 12, 10 ** 12 + 5)])
def test_randint_chi_square(device, low, high):
    x = rustorch.randint(low, high, (14000,), generator=gen(device), device=device).cpu().numpy()
    assert x.min() >= low and x.max() < high
    counts = np.bincount(x - low, minlength=high - low)
    assert st.chisquare(counts).pvalue > P_MIN


def test_random_inplace_ranges(device):
    g = gen(device)
    x = rustorch.empty(5000, dtype=rustorch.int8, device=device).random_(generator=g).cpu().numpy()
    assert x.min() >= 0 and x.max() <= 127 and len(np.unique(x)) == 128
    y = rustorch.empty(5000, device=device).random_(generator=g).cpu().numpy()
    assert y.min() >= 0 and y.max() <= 2 ** 24 and np.all(y == np.round(y))
    z = rustorch.empty(3000, device=device).random_(6, generator=g).cpu().numpy()  # random_(to)
    assert set(np.unique(z)) == set(range(6))
    w = rustorch.empty(3000, dtype=rustorch.int64, device=device).random_(-4, 2, generator=g).cpu().numpy()
    assert set(np.unique(w)) == set(range(-4, 2))
    b = rustorch.empty(1000, dtype=rustorch.bool, device=device).random_(generator=g).cpu().numpy()
    assert 400 < b.sum() < 600


@pytest.mark.parametrize("replacement", [True, False])
def test_multinomial_frequencies(device, replacement):
    p = np.array([0.1, 0.0, 0.2, 0.3, 0.4])
    probs = rustorch.tensor(p * 7, device=device, dtype=rustorch.float32)  # unnormalised
    g = gen(device)
    if replacement:
        s = rustorch.multinomial(probs, 20000, replacement=True, generator=g).cpu().numpy()
    else:  # the first draw of each row follows p
        rows = rustorch.zeros(5000, 5, device=device) + probs
        s = rustorch.multinomial(rows, 4, generator=g).cpu().numpy()
        assert all(len(set(r)) == 4 for r in s.tolist())
        assert not np.any(s[:, :4] == 1)  # the zero-probability category only comes once the others are used
        s = s[:, 0]
    counts = np.bincount(s, minlength=5)
    assert counts[1] == 0
    nz = p > 0
    assert st.chisquare(counts[nz], p[nz] * counts.sum()).pvalue > P_MIN


def test_multinomial_exhausts_zero_categories_like_torch(device):
    probs = rustorch.tensor([1.0, 0.0, 0.0], device=device)
    assert rustorch.multinomial(probs, 2, generator=gen(device)).tolist() == [0, 1]
    assert rustorch.multinomial(probs, 3).tolist() == [0, 1, 2]
    assert sorted(rustorch.multinomial(rustorch.ones(6, device=device), 6).tolist()) == list(range(6))


def test_bernoulli_mean(device):
    g = gen(device)
    p = rustorch.tensor([0.0, 0.05, 0.5, 0.9, 1.0], device=device)
    x = rustorch.bernoulli(rustorch.zeros(4000, 5, device=device) + p, generator=g).cpu().numpy()
    assert x.dtype == np.float32 and set(np.unique(x)) <= {0.0, 1.0}
    assert x[:, 0].sum() == 0 and x[:, 4].sum() == 4000
    for j in (1, 2, 3):
        assert st.binomtest(int(x[:, j].sum()), 4000, float(p[j])).pvalue > P_MIN
    y = rustorch.empty(4000, dtype=rustorch.int64, device=device).bernoulli_(0.25, generator=g).cpu().numpy()
    assert st.binomtest(int(y.sum()), 4000, 0.25).pvalue > P_MIN
    # small probabilities are resolved (float64 uniforms)
    z = rustorch.bernoulli(rustorch.zeros(200000, device=device), 1e-5, generator=g).cpu().numpy()
    assert z.sum() < 15


def test_randperm_is_permutation_and_uniform(device):
    g = gen(device)
    for n in (0, 1, 2, 17, 1000):
        p = rustorch.randperm(n, generator=g, device=device)
        assert p.dtype is rustorch.int64 and sorted(p.tolist()) == list(range(n))
    firsts = [rustorch.randperm(4, generator=g, device=device)[0].item() for _ in range(800)]
    assert st.chisquare(np.bincount(firsts, minlength=4)).pvalue > P_MIN


# shapes and dtypes against torch -----------------------------------------------------------------
API_CALLS = [
    ("rand", (2, 3), {}), ("rand", ((2, 3),), {}), ("rand", ((),), {}), ("rand", (0, 3), {}),
    ("rand", (4,), {"dtype": "float64"}), ("rand", (4,), {"dtype": "float16"}), ("rand", (4,), {"dtype": "bfloat16"}),
    ("rand", (2,), {"dtype": "complex64"}), ("randn", (3, 1, 2), {}), ("randn", (2,), {"dtype": "complex128"}),
    ("randint", (10, (3,)), {}), ("randint", (3, 10, (2, 2)), {}), ("randint", (5,), {"size": (4,)}),
    ("randint", (0, 10, (4,)), {"dtype": "float32"}), ("randint", (0, 2, (4,)), {"dtype": "bool"}),
    ("randint", (-8, 8, (4,)), {"dtype": "int8"}), ("randperm", (6,), {}), ("randperm", (6,), {"dtype": "float32"}),
    ("randperm", (6,), {"dtype": "int32"}), ("normal", (0.0, 1.0, (2, 3)), {}), ("normal", (0, 1, (2,)), {"dtype": "float64"}),
]


def _dt(lib, name):
    return getattr(lib, name)


@pytest.mark.parametrize("name, args, kwargs", API_CALLS, ids=[f"{n}{a}{k}" for n, a, k in API_CALLS])
def test_factory_shape_dtype_like_torch(device, name, args, kwargs):
    if kwargs.get("dtype", "").startswith("complex"):
        skip_complex_off_cpu(device)
    expected = getattr(torch, name)(*args, **{k: _dt(torch, v) for k, v in kwargs.items() if k == "dtype"},
                                    **{k: v for k, v in kwargs.items() if k != "dtype"})
    actual = getattr(rustorch, name)(*args, device=device, **{k: _dt(rustorch, v) for k, v in kwargs.items() if k == "dtype"},
                                     **{k: v for k, v in kwargs.items() if k != "dtype"})
    assert tuple(actual.shape) == tuple(expected.shape)
    assert str(actual.dtype).split(".")[1] == str(expected.dtype).split(".")[1]
    assert actual.device == rustorch.device(device)


@pytest.mark.parametrize("mean_dtype, std_dtype", [("float32", None), (None, "float64"), ("float16", "float32"),
                                                   ("float32", "float64")])
def test_normal_tensor_overloads_like_torch(device, mean_dtype, std_dtype):
    tm = torch.zeros(2, 1, dtype=_dt(torch, mean_dtype)) if mean_dtype else 0.5
    ts = torch.ones(3, dtype=_dt(torch, std_dtype)) if std_dtype else 2.0
    rm = rustorch.zeros(2, 1, dtype=_dt(rustorch, mean_dtype), device=device) if mean_dtype else 0.5
    rs = rustorch.ones(3, dtype=_dt(rustorch, std_dtype), device=device) if std_dtype else 2.0
    expected, actual = torch.normal(tm, ts), rustorch.normal(rm, rs)
    assert tuple(actual.shape) == tuple(expected.shape)
    assert str(actual.dtype).split(".")[1] == str(expected.dtype).split(".")[1]


def test_like_functions(device):
    x = rustorch.zeros(2, 3, dtype=rustorch.float64, device=device)
    for f in (rustorch.rand_like, rustorch.randn_like):
        y = f(x)
        assert y.shape == (2, 3) and y.dtype is rustorch.float64 and y.device == x.device
        assert f(x, dtype=rustorch.float16).dtype is rustorch.float16
    r = rustorch.randint_like(x, 5)
    assert r.dtype is rustorch.float64 and set(r.cpu().numpy().ravel()) <= set(range(5))
    r = rustorch.randint_like(rustorch.zeros(50, dtype=rustorch.int32, device=device), 3, 5)
    assert r.dtype is rustorch.int32 and set(r.cpu().numpy().tolist()) == {3, 4}


def test_out_and_requires_grad(device):
    out = rustorch.empty(5, device=device)
    r = rustorch.rand(2, 3, out=out, generator=gen(device))
    assert r is out and out.shape == (2, 3)
    np.testing.assert_array_equal(out.cpu().numpy(), rustorch.rand(2, 3, generator=gen(device), device=device).cpu().numpy())
    o = rustorch.empty(0, dtype=rustorch.int32, device=device)
    assert rustorch.randperm(5, out=o) is o and o.dtype is rustorch.int32 and sorted(o.tolist()) == list(range(5))
    o = rustorch.empty(1, dtype=rustorch.int64, device=device)
    assert rustorch.multinomial(rustorch.ones(2, 3, device=device), 2, out=o).shape == (2, 2)
    o = rustorch.empty(2, device=device)
    assert rustorch.normal(rustorch.zeros(2, device=device), rustorch.ones(2, device=device), out=o) is o
    assert rustorch.randn(2, requires_grad=True, device=device).requires_grad
    assert rustorch.randperm(3, dtype=rustorch.float32, requires_grad=True, device=device).requires_grad
    with pytest.raises(DTypeError, match="floating point and complex"):
        rustorch.randint(5, (2,), requires_grad=True, device=device)


def test_inplace_fills_non_contiguous_views(device):
    base = rustorch.zeros(4, 6, device=device)
    view = base.t()[::2]  # (3, 4), strided
    v0 = base._version
    for fill in (lambda t: t.uniform_(2, 3), lambda t: t.normal_(10, 0.1), lambda t: t.exponential_(),
                 lambda t: t.random_(5, 6), lambda t: t.bernoulli_(1.0)):
        assert fill(view) is view
        got = base.cpu().numpy()
        assert np.all(got[:, 1::2] == 0) and not np.any(got[:, ::2] == 0)
    assert base._version > v0
    assert np.all(view.cpu().numpy() == 1)


def test_inplace_dtypes(device):
    h = rustorch.empty(1000, dtype=rustorch.float16, device=device).uniform_(generator=gen(device))
    assert h.dtype is rustorch.float16 and 0 <= values(h).min() and values(h).max() < 1
    b = rustorch.empty(100, dtype=rustorch.bool, device=device).bernoulli_(rustorch.full((100,), 0.5, device=device))
    assert b.dtype is rustorch.bool
    f = rustorch.zeros(3, device=device).bernoulli_(rustorch.tensor([0.0, 1.0, 0.0], dtype=rustorch.float64, device=device))
    assert f.tolist() == [0.0, 1.0, 0.0]
    assert rustorch.zeros(3, device=device).bernoulli_(rustorch.tensor(1.0, device=device)).tolist() == [1.0] * 3


def test_inplace_complex_dtype(device):
    skip_complex_off_cpu(device)
    c = rustorch.empty(3, dtype=rustorch.complex64, device=device).normal_()
    assert c.dtype is rustorch.complex64


def test_tensor_methods(device):
    p = rustorch.tensor([[0.0, 1.0], [1.0, 0.0]], device=device)
    assert p.multinomial(1).tolist() == [[1], [0]]
    assert p.bernoulli().tolist() == p.tolist()
    assert rustorch.zeros(2, device=device).bernoulli(1.0).tolist() == [1.0, 1.0]


# errors ----------------------------------------------------------------------------------------------
ERRORS = [
    (lambda: rustorch.rand(2, dtype=rustorch.int64), DTypeError, "rand\\(\\): expected a floating point"),
    (lambda: rustorch.randn(2, dtype=rustorch.bool), DTypeError, "randn\\(\\): expected a floating point"),
    (lambda: rustorch.rand(-1), ValueOutOfRangeError, "negative dimension -1"),
    (lambda: rustorch.randint(5, 5, (2,)), ValueOutOfRangeError, "from=5 >= to=5"),
    (lambda: rustorch.randint(0, 300, (2,), dtype=rustorch.uint8), ValueOutOfRangeError, "to - 1 = 299 is out of bounds for rustorch.uint8"),
    (lambda: rustorch.randint(-5, 0, (2,), dtype=rustorch.uint8), ValueOutOfRangeError, "from=-5 is out of bounds"),
    (lambda: rustorch.randint(0, 3, (2,), dtype=rustorch.bool), ValueOutOfRangeError, "out of bounds for rustorch.bool"),
    (lambda: rustorch.randint(0, 3, (2,), dtype=rustorch.complex64), DTypeError, "randint\\(\\).*complex64"),
    (lambda: rustorch.randint(3), InvalidTypeError, "randint\\(high, size\\)"),
    (lambda: rustorch.randperm(-2), ValueOutOfRangeError, "negative dimension"),
    (lambda: rustorch.randperm(300, dtype=rustorch.uint8), ValueOutOfRangeError, "n=300 is too large for rustorch.uint8"),
    (lambda: rustorch.randperm(3, dtype=rustorch.bool), DTypeError, "randperm\\(\\): not implemented for rustorch.bool"),
    (lambda: rustorch.normal(0.0, -1.0, (2,)), ValueOutOfRangeError, "std >= 0.0, but found std -1.0"),
    (lambda: rustorch.normal(0.0, math.nan, (2,)), ValueOutOfRangeError, "found std nan"),
    (lambda: rustorch.normal(rustorch.zeros(2), rustorch.tensor([1.0, -1.0])), ValueOutOfRangeError, "all elements of std >= 0.0"),
    (lambda: rustorch.normal(rustorch.zeros(2, dtype=rustorch.int64), 1.0), DTypeError, "normal\\(\\): expected a floating point"),
    (lambda: rustorch.normal(rustorch.zeros(2), rustorch.ones(3)), ShapeError, "normal\\(\\)"),
    (lambda: rustorch.normal(0.0, 1.0), InvalidTypeError, "size is required"),
    (lambda: rustorch.normal(rustorch.zeros(2), 1.0, (2,)), InvalidTypeError, "size can only be given"),
    (lambda: rustorch.bernoulli(rustorch.tensor([0.5, 1.5])), ValueOutOfRangeError, "bernoulli\\(\\): expects all elements of p to be in \\[0, 1\\]"),
    (lambda: rustorch.bernoulli(rustorch.tensor([0.5, math.nan])), ValueOutOfRangeError, "in \\[0, 1\\]"),
    (lambda: rustorch.bernoulli(rustorch.tensor([0, 1])), DTypeError, "bernoulli\\(\\): expected a floating point probability"),
    (lambda: rustorch.bernoulli(rustorch.zeros(2), 1.5), ValueOutOfRangeError, "p to be in \\[0, 1\\], but got p=1.5"),
    (lambda: rustorch.zeros(3).bernoulli_(rustorch.tensor([0.1, 0.2])), ShapeError, "bernoulli_\\(\\): shapes \\[3\\] and \\[2\\]"),
    (lambda: rustorch.zeros(3).bernoulli_(rustorch.zeros(2, 3)), ShapeError, "bernoulli_\\(\\): p of shape \\[2, 3\\]"),
    (lambda: rustorch.zeros(3).bernoulli_(rustorch.tensor([1, 0, 1])), DTypeError, "floating point probability tensor p"),
    (lambda: rustorch.multinomial(rustorch.tensor([1.0, 2.0]), 3), ValueOutOfRangeError, "num_samples=3 > prob_dist.size\\(-1\\)=2"),
    (lambda: rustorch.multinomial(rustorch.tensor([1.0, -2.0]), 1), ValueOutOfRangeError, "`inf`, `nan` or element < 0"),
    (lambda: rustorch.multinomial(rustorch.tensor([1.0, math.nan]), 1), ValueOutOfRangeError, "`inf`, `nan` or element < 0"),
    (lambda: rustorch.multinomial(rustorch.tensor([1.0, math.inf]), 1, True), ValueOutOfRangeError, "`inf`, `nan`"),
    (lambda: rustorch.multinomial(rustorch.tensor([[1.0, 0.0], [0.0, 0.0]]), 1), ValueOutOfRangeError, "sum of probabilities <= 0"),
    (lambda: rustorch.multinomial(rustorch.tensor([1, 2]), 1), DTypeError, "floating-point dtypes for input, got rustorch.int64"),
    (lambda: rustorch.multinomial(rustorch.ones(2, 2, 2), 1), ShapeError, "prob_dist must be 1 or 2 dim, got shape \\[2, 2, 2\\]"),
    (lambda: rustorch.multinomial(rustorch.ones(3), 0), ValueOutOfRangeError, "num_samples=0 <= 0"),
    (lambda: rustorch.multinomial(rustorch.ones(3), 2, out=rustorch.empty(2, dtype=rustorch.int32)), DTypeError, "int64 out"),
    (lambda: rustorch.zeros(3).uniform_(2, 1), ValueOutOfRangeError, "found from=2 > to=1"),
    (lambda: rustorch.zeros(3).uniform_(-math.inf, 0), ValueOutOfRangeError, "from=-inf is out of bounds for rustorch.float32"),
    (lambda: rustorch.zeros(3, dtype=rustorch.float16).uniform_(0, 1e6), ValueOutOfRangeError, "to=1000000.0 is out of bounds"),
    (lambda: rustorch.zeros(2).uniform_(-3e38, 3e38), ValueOutOfRangeError, "to - from <="),
    (lambda: rustorch.zeros(3, dtype=rustorch.int64).uniform_(), DTypeError, "uniform_\\(\\): expected a floating point"),
    (lambda: rustorch.zeros(3).normal_(0, -1), ValueOutOfRangeError, "normal_\\(\\): expects std >= 0.0, but found std -1"),
    (lambda: rustorch.zeros(3, dtype=rustorch.int32).normal_(), DTypeError, "normal_\\(\\)"),
    (lambda: rustorch.zeros(3).random_(5, 3), ValueOutOfRangeError, "from=5 >= to=3"),
    (lambda: rustorch.zeros(3, dtype=rustorch.int8).random_(-5, 300), ValueOutOfRangeError, "to - 1 = 299 is out of bounds for rustorch.int8"),
    (lambda: rustorch.zeros(3, dtype=rustorch.int64).random_(-2 ** 63, 2 ** 63), ValueOutOfRangeError, "more than 2\\*\\*63"),
    (lambda: rustorch.zeros(3).exponential_(0), ValueOutOfRangeError, "lambda > 0.0, but found lambda=0"),
    (lambda: rustorch.zeros(3, dtype=rustorch.int64).exponential_(), DTypeError, "exponential_\\(\\).*rustorch.int64"),
    (lambda: rustorch.manual_seed(2 ** 64), InvalidArgumentError, "seed must be in \\[-2\\*\\*63, 2\\*\\*64\\), got 18446744073709551616"),
    (lambda: rustorch.manual_seed("x"), InvalidTypeError, "seed must be an int"),
    (lambda: rustorch.Generator().set_state(rustorch.zeros(16)), InvalidTypeError, "RNG state must be a rustorch.uint8 tensor, got rustorch.float32"),
    (lambda: rustorch.Generator().set_state(rustorch.zeros(3, dtype=rustorch.uint8)), ValueOutOfRangeError, "16 bytes, got 3"),
]


@pytest.mark.parametrize("call, error, match", ERRORS, ids=[m for _, _, m in ERRORS])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_torch_raises_too_for_the_same_bad_arguments():
    # the same calls fail in torch (the reference for which arguments are bad)
    for call in (lambda: torch.randint(5, 5, (2,)), lambda: torch.normal(0.0, -1.0, (2,)),
                 lambda: torch.multinomial(torch.tensor([1.0, 2.0]), 3), lambda: torch.bernoulli(torch.zeros(2), 1.5),
                 lambda: torch.zeros(3).uniform_(2, 1), lambda: torch.zeros(3).exponential_(0)):
        with pytest.raises(RuntimeError):
            call()
