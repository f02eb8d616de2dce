"""rustorch._ext.optim: the fused optimizer kernels against NumPy references, across thread boundaries, and
their argument checks."""
import numpy as np
import pytest

from rustorch._ext import optim

SIZES = [70001, 1, 17, 4096]  # uneven pieces: threads split the flat range inside tensors


def _arrays(rng, dtype, sizes=SIZES, positive=False):
    out = [rng.standard_normal(n).astype(dtype) for n in sizes]
    return [np.abs(a) for a in out] if positive else out


def _lerp(a, b, w):
    return a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (1 - w)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_matches_numpy(dtype):
    rng = np.random.default_rng(0)
    p, g, m = _arrays(rng, dtype), _arrays(rng, dtype), _arrays(rng, dtype)
    v, vmax = _arrays(rng, dtype, positive=True), _arrays(rng, dtype, positive=True)
    ref = [[a.astype(np.float64) for a in x] for x in (p, g, m, v, vmax)]
    steps, bc2 = [0.1 * (i + 1) for i in range(4)], [0.5 + 0.1 * i for i in range(4)]
    optim.adam(p, g, m, v, vmax, steps, bc2, 0.3, 0.9, 1e-3, 0.0, 0.99, True)
    for i, (rp, rg, rm, rv, rvmax) in enumerate(zip(*ref)):
        rp = rp * 0.99
        rg = -rg
        rm = _lerp(rm, rg, 0.7)
        rv = rv * 0.9 + 0.1 * rg * rg
        rvmax = np.maximum(rvmax, rv)
        rp = rp - steps[i] * rm / (np.sqrt(rvmax) / bc2[i] + 1e-3)
        tol = 1e-5 if dtype == np.float32 else 1e-12
        for got, want in ((p[i], rp), (m[i], rm), (v[i], rv), (vmax[i], rvmax)):
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_rmsprop_adagrad_match_numpy(dtype):
    rng = np.random.default_rng(1)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    # SGD: momentum and Nesterov, one fresh buffer
    p, g, buf = _arrays(rng, dtype), _arrays(rng, dtype), _arrays(rng, dtype)
    want = []
    for i, (rp, rg, rb) in enumerate(zip(p, g, buf)):
        rg = rg + 0.1 * rp
        rb = rg if i == 1 else 0.9 * rb + 0.8 * rg
        want.append((rp - 0.5 * (rg + 0.9 * rb), rb))
    optim.sgd(p, g, buf, [False, True, False, False], 0.5, 0.9, 0.2, 0.1, True, False)
    for i, (rp, rb) in enumerate(want):
        np.testing.assert_allclose(p[i], rp, rtol=tol, atol=tol)
        np.testing.assert_allclose(buf[i], rb, rtol=tol, atol=tol)
    # RMSprop: centered with momentum
    p, g, ga, buf = (_arrays(rng, dtype) for _ in range(4))
    sq = [a + 1 + ga_i * ga_i for a, ga_i in zip(_arrays(rng, dtype, positive=True), ga)]  # no cancellation
    want = []
    for rp, rg, rsq, rga, rb in zip(p, g, sq, ga, buf):
        rsq = 0.9 * rsq + 0.1 * rg * rg
        rga = _lerp(rga, rg, 0.1)
        avg = np.sqrt(rsq - rga * rga) + 1e-2
        rb = 0.5 * rb + rg / avg
        want.append((rp - 0.01 * rb, rsq, rga, rb))
    optim.rmsprop(p, g, sq, ga, buf, 0.01, 0.9, 1e-2, 0.0, 0.5, False)
    for got, ref in zip(zip(p, sq, ga, buf), want):
        for a, b in zip(got, ref):
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    # Adagrad
    p, g, s = _arrays(rng, dtype), _arrays(rng, dtype), _arrays(rng, dtype, positive=True)
    clrs = [0.1, 0.2, 0.3, 0.4]
    want = [(rp - clr * rg / (np.sqrt(rs + rg * rg) + 1e-3), rs + rg * rg) for rp, rg, rs, clr in zip(p, g, s, clrs)]
    optim.adagrad(p, g, s, clrs, 1e-3, 0.0, False)
    for got, ref in zip(zip(p, s), want):
        for a, b in zip(got, ref):
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_empty_lists_and_empty_tensors():
    optim.adam([], [], [], [], None, [], [], 0.9, 0.999, 1e-8, 0.0, 1.0, False)
    e = np.empty(0)
    optim.sgd([e], [e], None, None, 0.1, 0.0, 0.0, 0.0, False, False)


def test_bad_arguments():
    p, g = np.zeros(4), np.ones(4)
    with pytest.raises(TypeError, match="float32 or float64"):
        optim.sgd([p.astype(np.int64)], [g], None, None, 0.1, 0, 0, 0, False, False)
    with pytest.raises(TypeError, match=r"grads\[0\] must be float64"):
        optim.sgd([p], [g.astype(np.float32)], None, None, 0.1, 0, 0, 0, False, False)
    with pytest.raises(ValueError, match=r"grads\[0\] has 3 values but params\[0\] has 4"):
        optim.sgd([p], [np.ones(3)], None, None, 0.1, 0, 0, 0, False, False)
    with pytest.raises(ValueError, match="has 2 arrays for 1 parameters"):
        optim.sgd([p], [g, g], None, None, 0.1, 0, 0, 0, False, False)
    with pytest.raises(ValueError, match="C-contiguous"):
        optim.sgd([np.zeros(8)[::2]], [g], None, None, 0.1, 0, 0, 0, False, False)
    readonly = np.zeros(4)
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        optim.adagrad([readonly], [g], [np.zeros(4)], [0.1], 1e-10, 0.0, False)
    with pytest.raises(TypeError, match="must be a list"):
        optim.adam([p], g, [p], [p], None, [1.0], [1.0], 0.9, 0.999, 1e-8, 0.0, 1.0, False)
    with pytest.raises(ValueError, match="one number per parameter"):
        optim.adam([p], [g], [np.zeros(4)], [np.zeros(4)], None, [1.0, 2.0], [1.0], 0.9, 0.999, 1e-8, 0.0, 1.0,
                   False)
    with pytest.raises(TypeError, match="must be a list"):
        optim.adam([p], [g], None, [np.zeros(4)], None, [1.0], [1.0], 0.9, 0.999, 1e-8, 0.0, 1.0, False)
