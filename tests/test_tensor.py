"""Tensor basics: creation, dtypes and casts, attributes, conversions, devices, memory, errors."""
import copy
import math
import pickle

import numpy as np
import pytest
import torch

import rustorch
from conftest import DTYPE_PAIRS, assert_same, to_torch

ALL = list(DTYPE_PAIRS)


@pytest.mark.parametrize("data", [
    [1, 2, 3], [1.5, -2.0], [[1, 2], [3, 4]], [True, False], 3, 2.5, True, 1 + 2j, [1, 2.5], [[1.0], [2.0]],
    [], [[]], [1 + 1j, 2], np.arange(6).reshape(2, 3), np.float32(1.5), np.array([1, 2], dtype=np.int16),
    # NumPy scalars keep their dtypes and promote with the other items (torch's infer_scalar_type)
    np.float64(2.5), np.int16(3), np.bool_(True), np.complex64(1j), [np.int16(1), np.int16(2)], [np.float64(1), 2.0],
    [np.float32(1), np.float64(2)], [1, np.float16(2)], [[np.int8(1)], [2]], (np.uint8(3), True),
])
def test_tensor_infers_like_torch(device, data):
    assert_same(rustorch.tensor(data, device=device), torch.tensor(data))
    assert_same(rustorch.as_tensor(data, device=device), torch.as_tensor(data))


@pytest.mark.parametrize("dtype", ALL)
def test_tensor_with_dtype(dtype):
    data = [[0, 1, 2], [3, 0, 1]]
    assert_same(rustorch.tensor(data, dtype=dtype), torch.tensor(data, dtype=DTYPE_PAIRS[dtype]))


def test_tensor_copies_and_as_tensor_shares():
    a = np.arange(4.0)
    t = rustorch.tensor(a)
    a[0] = 100
    assert t[0].item() == 0
    s = rustorch.as_tensor(a)
    a[1] = 50
    assert s[1].item() == 50
    f = rustorch.from_numpy(a)
    f[2] = -1
    assert a[2] == -1
    # non-contiguous arrays are shared too, as torch does
    m = np.arange(12.0).reshape(3, 4)[:, ::2]
    v = rustorch.from_numpy(m)
    assert v.stride() == (4, 2)
    v[0, 1] = 99
    assert m[0, 1] == 99
    with pytest.raises(RuntimeError, match="negative"):
        rustorch.from_numpy(np.arange(3)[::-1])
    with pytest.raises(TypeError, match="from_numpy"):
        rustorch.from_numpy([1, 2])


def test_tensor_bad_data():
    with pytest.raises(ValueError, match="tensor"):
        rustorch.tensor([[1, 2], [3]])
    with pytest.raises(ValueError, match="tensor"):
        rustorch.tensor("abc")
    with pytest.raises(TypeError, match="NumPy dtype"):
        rustorch.from_numpy(np.array(["a"]))


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("size", [(2, 3), ((2, 3),), ([4],), (0,), ((),)])
def test_zeros_ones_empty(device, name, size):
    r = getattr(rustorch, name)(*size, device=device)
    t = getattr(torch, name)(*size)
    assert r.shape == t.shape and DTYPE_PAIRS[r.dtype] == t.dtype
    if name != "empty":
        assert_same(r, t)
    complex_dtypes = (rustorch.complex64,) if device == "cpu" else ()  # complex tensors are CPU-only so far
    for dtype in (rustorch.int32, rustorch.bool) + complex_dtypes:
        r = getattr(rustorch, name)(*size, dtype=dtype, device=device)
        assert DTYPE_PAIRS[r.dtype] == getattr(torch, name)(*size, dtype=DTYPE_PAIRS[dtype]).dtype


def test_creation_errors():
    with pytest.raises(RuntimeError, match="negative dimension"):
        rustorch.zeros(2, -1)
    with pytest.raises(TypeError, match="size"):
        rustorch.ones(2.5)
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        rustorch.arange(0, 1, 0)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        rustorch.arange(0, 5, -1)
    with pytest.raises(RuntimeError, match="linspace"):
        rustorch.linspace(0, 1, -1)


def test_full_and_like():
    assert_same(rustorch.full((2, 2), 7), torch.full((2, 2), 7))
    assert_same(rustorch.full((2,), 1.5), torch.full((2,), 1.5))
    assert_same(rustorch.full((2,), True), torch.full((2,), True))
    assert_same(rustorch.full((2,), 3, dtype=rustorch.float64), torch.full((2,), 3, dtype=torch.float64))
    x = rustorch.ones(2, 3, dtype=rustorch.int16)
    tx = torch.ones(2, 3, dtype=torch.int16)
    for name in ["zeros_like", "ones_like"]:
        assert_same(getattr(rustorch, name)(x), getattr(torch, name)(tx))
        assert_same(getattr(rustorch, name)(x, dtype=rustorch.float32), getattr(torch, name)(tx, dtype=torch.float32))
    assert_same(rustorch.full_like(x, 5), torch.full_like(tx, 5))
    assert rustorch.empty_like(x).shape == (2, 3)


@pytest.mark.parametrize("args", [(5,), (2, 7), (1, 2, 0.25), (0, 1, 0.1), (-3, 3, 2), (10, 0, -3), (0.5, 4),
                                  (0, 5, 1.5), (1e6, 1e6 + 3)])
def test_arange(args):
    assert_same(rustorch.arange(*args), torch.arange(*args))
    assert_same(rustorch.arange(*args, dtype=rustorch.float64), torch.arange(*args, dtype=torch.float64))


@pytest.mark.parametrize("args", [(0, 1, 5), (-2, 3, 1), (1, -1, 7), (0, 1, 0), (3, 10, 2), (0, 1, 100)])
def test_linspace_logspace(args):
    assert_same(rustorch.linspace(*args), torch.linspace(*args))
    assert_same(rustorch.linspace(*args, dtype=rustorch.float64), torch.linspace(*args, dtype=torch.float64))
    assert_same(rustorch.linspace(*args, dtype=rustorch.int64), torch.linspace(*args, dtype=torch.int64))
    assert_same(rustorch.logspace(*args), torch.logspace(*args), rtol=2e-6, atol=0)
    assert_same(rustorch.logspace(*args, base=2), torch.logspace(*args, base=2), rtol=2e-6, atol=0)


def test_eye():
    for args in [(3,), (2, 4), (4, 2), (0,)]:
        assert_same(rustorch.eye(*args), torch.eye(*args))
    assert_same(rustorch.eye(3, dtype=rustorch.int32), torch.eye(3, dtype=torch.int32))


def test_default_dtype():
    rustorch.set_default_dtype(rustorch.float64)
    try:
        assert rustorch.tensor([1.0]).dtype is rustorch.float64
        assert rustorch.zeros(1).dtype is rustorch.float64
        assert (rustorch.tensor([1]) / 2).dtype is rustorch.float64
        assert rustorch.tensor([1j]).dtype is rustorch.complex128
    finally:
        rustorch.set_default_dtype(rustorch.float32)
    assert rustorch.get_default_dtype() is rustorch.float32
    with pytest.raises(TypeError, match="floating"):
        rustorch.set_default_dtype(rustorch.int32)


@pytest.mark.parametrize("src", ALL)
@pytest.mark.parametrize("dst", ALL)
def test_casts(src, dst):
    data = [[0.0, 1.0, 2.0], [3.0, 0.0, 1.0]] if not src.is_complex else [[0, 1 + 1j, 2], [3, 0, 1j]]
    r = rustorch.tensor(data, dtype=src)
    t = torch.tensor(data, dtype=DTYPE_PAIRS[src])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = t.to(DTYPE_PAIRS[dst])
    assert_same(r.to(dst), expected)


def test_cast_methods_and_type():
    r = rustorch.tensor([1.7, -2.2])
    t = torch.tensor([1.7, -2.2])
    for m in ["float", "double", "half", "bfloat16", "long", "int", "short", "char", "byte", "bool"]:
        if m == "byte":
            assert_same(r.abs().byte(), t.abs().byte())
            continue
        assert_same(getattr(r, m)(), getattr(t, m)())
    assert r.type() == "rustorch.FloatTensor"
    assert r.type(rustorch.float64).dtype is rustorch.float64
    assert r.type("torch.LongTensor").dtype is rustorch.int64
    assert r.to(rustorch.float32) is r
    assert r.to(rustorch.float32, copy=True) is not r
    assert r.to(rustorch.tensor([1])).dtype is rustorch.int64


def test_attributes():
    x = rustorch.zeros(2, 3, 4)
    t = torch.zeros(2, 3, 4)
    assert x.shape == t.shape and x.size() == t.size() and x.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == x.ndim == 3 and x.numel() == 24 and x.nelement() == 24
    assert x.stride() == t.stride() and x.stride(0) == 12
    assert x.storage_offset() == 0 and x[1].storage_offset() == 12
    assert x.is_contiguous() and not x.transpose(0, 2).is_contiguous()
    assert x.device == rustorch.device("cpu") and x.is_cpu and not x.is_cuda
    assert x.element_size() == 4 and x.nbytes == 96 and x.itemsize == 4
    assert x.is_floating_point() and not x.is_complex()
    assert rustorch.is_tensor(x) and not rustorch.is_tensor(t)
    assert repr(x.shape) == "rustorch.Size([2, 3, 4])" and x.shape.numel() == 24
    assert x.shape[1:] == (3, 4) and isinstance(x.shape[1:], rustorch.Size)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.size(3)


def test_conversions():
    x = rustorch.tensor([[1.5, 2.0], [3.0, 4.5]])
    assert x.tolist() == [[1.5, 2.0], [3.0, 4.5]]
    assert x[0, 1].item() == 2.0 and isinstance(x[0, 1].item(), float)
    assert rustorch.tensor(3).item() == 3 and isinstance(rustorch.tensor(3).item(), int)
    assert rustorch.tensor(True).item() is True
    assert float(rustorch.tensor(2.5)) == 2.5 and int(rustorch.tensor(7)) == 7
    assert [1, 2, 3][rustorch.tensor(1)] == 2
    assert rustorch.tensor([1.0], dtype=rustorch.bfloat16).item() == 1.0
    assert rustorch.tensor([2.5], dtype=rustorch.bfloat16).tolist() == [2.5]
    a = x.numpy()
    a[0, 0] = 9
    assert x[0, 0].item() == 9  # numpy() shares memory
    assert np.asarray(x).shape == (2, 2) and np.asarray(x, dtype=np.float64).dtype == np.float64
    assert len(x) == 2 and [r.tolist() for r in x] == [[9.0, 2.0], [3.0, 4.5]]
    with pytest.raises(RuntimeError, match="2 elements cannot be converted"):
        rustorch.tensor([1, 2]).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(rustorch.tensor([1, 2]))
    with pytest.raises(TypeError, match="0-d"):
        len(rustorch.tensor(1))
    assert bool(rustorch.tensor([0])) is False
    assert f"{rustorch.tensor(2.5):.2f}" == "2.50"


def test_clone_contiguous_copy_fill():
    x = rustorch.arange(6.0).view(2, 3)
    c = x.clone()
    c.zero_()
    assert x.sum().item() == 15
    tt = x.t()
    cc = tt.contiguous()
    assert cc.is_contiguous() and cc.tolist() == tt.tolist()
    assert x.contiguous() is x
    y = rustorch.empty(2, 3)
    y.copy_(rustorch.tensor([1, 2, 3]))  # broadcast and cast
    assert y.tolist() == [[1.0, 2.0, 3.0]] * 2
    y.fill_(rustorch.tensor(4.0))
    assert y.tolist() == [[4.0] * 3] * 2
    with pytest.raises(RuntimeError, match="copy_"):
        y.copy_(rustorch.ones(4))
    with pytest.raises(RuntimeError, match="fill_"):
        y.fill_(rustorch.ones(2))
    # writes through views are seen by the base and every other view
    base = rustorch.zeros(3, 4)
    base.t()[1].fill_(7)
    assert base[:, 1].tolist() == [7.0, 7.0, 7.0]
    base[2].copy_(rustorch.arange(4.0))
    assert base.view(-1)[8:].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_pickle_and_deepcopy():
    x = rustorch.tensor([[1, 2], [3, 4]], dtype=rustorch.int16)
    y = pickle.loads(pickle.dumps(x.t()))
    assert y.tolist() == [[1, 3], [2, 4]] and y.dtype is rustorch.int16
    z = copy.deepcopy(x)
    z.zero_()
    assert x.sum().item() == 10
    assert pickle.loads(pickle.dumps(rustorch.float16)) is rustorch.float16
    assert pickle.loads(pickle.dumps(rustorch.device("cpu"))) == rustorch.device("cpu")


def test_dtype_objects():
    assert repr(rustorch.float32) == "rustorch.float32"
    assert rustorch.float is rustorch.float32 and rustorch.long is rustorch.int64 and rustorch.double is rustorch.float64
    assert rustorch.bool is rustorch.tensor([True]).dtype
    assert rustorch.finfo(rustorch.float32).eps == torch.finfo(torch.float32).eps
    assert rustorch.finfo(rustorch.bfloat16).max == torch.finfo(torch.bfloat16).max
    assert rustorch.finfo(rustorch.float16).tiny == torch.finfo(torch.float16).tiny
    assert rustorch.iinfo(rustorch.int8).min == -128 and rustorch.iinfo(rustorch.uint8).max == 255
    for a in ALL:
        for b in ALL:
            assert rustorch.can_cast(a, b) == torch.can_cast(DTYPE_PAIRS[a], DTYPE_PAIRS[b]), (a, b)
    with pytest.raises(TypeError):
        rustorch.finfo(rustorch.int32)


def test_devices_and_backends():
    d = rustorch.device("cpu")
    assert str(d) == "cpu" and repr(d) == "device(type='cpu')"
    assert rustorch.device("cuda:1").index == 1 and rustorch.device("cuda", 0) == rustorch.device("cuda:0")
    avail = rustorch.backends.available()
    assert avail["cpu"] is None
    for name in ("cuda", "opencl", "webgpu"):
        # None where it runs here, else a reason naming the backend
        assert avail[name] is None or name in avail[name].lower() or "not implemented" in avail[name]
    with pytest.raises(rustorch.BackendUnavailableError, match="not implemented yet"):
        rustorch.zeros(2, device="cuda")
    with pytest.raises(rustorch.DeviceError, match="unknown device type"):
        rustorch.device("gpu")
    with pytest.raises(rustorch.DeviceError, match="invalid device string"):
        rustorch.device("cuda:x")
    rustorch.set_default_device("cpu")
    assert rustorch.get_default_device() == rustorch.device("cpu")
    absent = next(name for name, reason in avail.items() if reason is not None)
    with pytest.raises(rustorch.BackendUnavailableError):
        rustorch.set_default_device(absent)
    assert rustorch.get_default_device() == rustorch.device("cpu")


def test_cpu_capabilities_and_threads():
    caps = rustorch.backends.cpu.capabilities()
    assert caps["isa"] in ("avx512f", "avx2", "neon", "default") and caps["openmp"] is True
    n = rustorch.get_num_threads()
    rustorch.set_num_threads(1)
    assert rustorch.get_num_threads() == 1
    assert (rustorch.ones(1 << 17) * 2).sum().item() == 2 * (1 << 17)
    rustorch.set_num_threads(n)
    with pytest.raises(ValueError):
        rustorch.set_num_threads(0)


def test_memory_stats_and_cache():
    rustorch.memory.empty_cache()
    before = rustorch.memory.stats()
    x = rustorch.empty(1 << 20)
    during = rustorch.memory.stats()
    assert during["allocated_bytes"] >= before["allocated_bytes"] + 4 * (1 << 20)
    assert rustorch.memory.memory_allocated() == during["allocated_bytes"]
    del x
    after = rustorch.memory.stats()
    assert after["allocated_bytes"] <= during["allocated_bytes"] - 4 * (1 << 20)
    assert after["cached_bytes"] >= 4 * (1 << 20)
    y = rustorch.empty(1 << 20)  # the cached block comes back
    assert rustorch.memory.stats()["cache_hits"] > after["cache_hits"]
    del y
    rustorch.memory.empty_cache()
    assert rustorch.memory.stats()["cached_bytes"] == 0
    assert rustorch.memory.max_memory_allocated() >= 4 * (1 << 20)


def test_special_float_values_roundtrip():
    vals = [math.nan, math.inf, -math.inf, -0.0, 1e-45, 3.4e38]
    r = rustorch.tensor(vals)
    assert_same(r, torch.tensor(vals))
    assert to_torch(r).tolist()[3] == 0.0 and math.copysign(1, r.tolist()[3]) == -1


def test_rustorch_device_environment_variable():
    import os
    import subprocess
    import sys

    code = "import rustorch; print(rustorch.zeros(1).device)"
    env = dict(os.environ, RUSTORCH_DEVICE="cpu")
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip() == "cpu"
    absent = next(name for name, reason in rustorch.backends.available().items() if reason is not None)
    env["RUSTORCH_DEVICE"] = absent
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert run.returncode != 0 and "BackendUnavailableError" in run.stderr and absent in run.stderr
