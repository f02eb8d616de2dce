"""What is particular to the OpenCL backend (issue #6): device discovery and selection, the memory pool, copies and
the elementwise op table checked against the CPU backend, CPU scalars joining device tensors, the GEMM tuner's
cache. Every op family also runs on opencl through the device-parametrised test modules (conftest.py). Runs where
an OpenCL device builds kernels (PoCL on the CPU, NVIDIA's OpenCL on the GPU host); elsewhere it is skipped with
the reason."""
import json

import numpy as np
import pytest

import rustorch
from rustorch.backends import opencl
from rustorch.errors import BackendUnavailableError, DeviceError
from rustorch.kernels import ops

REASON = rustorch.backends.available()["opencl"]
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"OpenCL unavailable here: {REASON}")

FLOATS = [rustorch.float32, rustorch.float16, rustorch.bfloat16]
INTS = [rustorch.int64, rustorch.int32, rustorch.int16, rustorch.int8, rustorch.uint8]


def _fp64():
    return any(d["fp64"] for d in opencl.devices())


def _values(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    if dtype.is_floating_point:
        return rustorch.tensor(rng.uniform(-3, 3, shape)).to(dtype)
    if dtype is rustorch.bool:
        return rustorch.tensor(rng.random(shape) > 0.5)
    low = 0 if dtype is rustorch.uint8 else -20
    return rustorch.tensor(rng.integers(low, 20, shape)).to(dtype)


def _same(on_gpu, on_cpu, dtype, tol=None):
    got, want = on_gpu.cpu().float().numpy(), on_cpu.float().numpy()
    tol = tol or {rustorch.float16: 2e-3, rustorch.bfloat16: 1.6e-2}.get(dtype, 2e-6)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol, equal_nan=True)


def _unary_primitive(op, t):
    """The backend's unary primitive ``op`` on ``t`` (for table ops with no public function, e.g. trigamma, which
    digamma's gradient uses)."""
    out = rustorch.empty_like(t)
    t._storage.backend.unary(op, t, out)
    return out


def test_devices_are_listed_and_selectable():
    listed = opencl.devices()
    assert listed and listed[0]["index"] == 0 and {"name", "platform", "fp64", "fp16"} <= set(listed[0])
    default = opencl.BACKEND.capabilities()["default_index"]
    x = rustorch.ones(3, device=f"opencl:{default}")
    assert x.device == rustorch.device("opencl", default)
    with pytest.raises(DeviceError, match="no such OpenCL device"):
        rustorch.ones(1, device=f"opencl:{len(listed)}")


@pytest.mark.parametrize("dtype", FLOATS + INTS + [rustorch.bool])
def test_round_trip_and_strided_views(dtype):
    x = _values(dtype, (4, 6))
    g = x.to("opencl")
    assert g.device.type == "opencl" and g.dtype is dtype
    _same(g, x, dtype)
    _same(g.t().contiguous(), x.t().contiguous(), dtype)  # a strided copy on the device
    _same(g[1:, ::2], x[1:, ::2], dtype)
    _same(g.t()[2], x.t()[2], dtype)


def test_copy_casts_and_broadcasts():
    x = _values(rustorch.float32, (3, 1))
    out = rustorch.zeros(3, 4, dtype=rustorch.int32, device="opencl")
    out.copy_(x.to("opencl"))
    _same(out, rustorch.zeros(3, 4, dtype=rustorch.int32).copy_(x), rustorch.int32)
    out.fill_(7)
    assert out.cpu().tolist() == [[7] * 4] * 3


@pytest.mark.parametrize("op", sorted(ops.UNARY))
@pytest.mark.parametrize("dtype", [rustorch.float32, rustorch.bfloat16])
def test_unary_ops_match_the_cpu(op, dtype):
    fn = getattr(rustorch, op, None) or (lambda t: _unary_primitive(op, t))
    x = _values(dtype, (5, 7)).t()  # non-contiguous
    if op in ("acosh",):
        x = x.abs() + 1
    try:
        want = fn(x)
    except (TypeError, RuntimeError):
        pytest.skip(f"{op} is not defined for {dtype} on the CPU either")
    # digamma and trigamma are steep near their poles: a few float32 ulps of x move them by more than 2e-6
    tol = 2e-5 if op in ("digamma", "trigamma") and dtype is rustorch.float32 else None
    _same(fn(x.to("opencl")), want, dtype if want.dtype.is_floating_point else want.dtype, tol)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "floor_divide", "remainder", "maximum", "minimum",
                                "atan2", "pow", "eq", "lt", "ge", "logical_xor", "bitwise_and", "fmod"])
@pytest.mark.parametrize("dtypes", [(rustorch.float32, rustorch.float32), (rustorch.int64, rustorch.int32),
                                    (rustorch.int16, rustorch.float16), (rustorch.uint8, rustorch.uint8)])
def test_binary_ops_with_broadcasting_match_the_cpu(op, dtypes):
    a, b = _values(dtypes[0], (4, 1, 3)), _values(dtypes[1], (5, 1), seed=1)
    fn = getattr(rustorch, op)
    if op in ("bitwise_and",) and (a.dtype.is_floating_point or b.dtype.is_floating_point):
        pytest.skip("bitwise ops take integers")
    if op in ("floor_divide", "remainder", "fmod", "div") and not b.dtype.is_floating_point:
        b = b.masked_fill(b == 0, 3)  # integer division by zero is undefined on devices
    if op == "pow" and not b.dtype.is_floating_point:
        b = b.abs() % 4  # integers to negative powers are refused
    want = fn(a, b)
    got = fn(a.to("opencl"), b.to("opencl"))
    assert got.dtype is want.dtype and got.shape == want.shape
    _same(got, want, want.dtype)
    _same(fn(a.to("opencl"), 2), fn(a, 2), fn(a, 2).dtype)  # a Python number operand


def test_where_and_in_place_ops():
    c, a, b = _values(rustorch.bool, (3, 4)), _values(rustorch.float32, (3, 4)), _values(rustorch.float32, (4,), 2)
    _same(rustorch.where(c.to("opencl"), a.to("opencl"), b.to("opencl")), rustorch.where(c, a, b), rustorch.float32)
    g = a.to("opencl")
    g.mul_(2).add_(b.to("opencl"))
    _same(g, a * 2 + b, rustorch.float32)


@pytest.mark.skipif(not _fp64(), reason="no OpenCL device with cl_khr_fp64 here")
def test_float64_where_the_device_has_it():
    x = _values(rustorch.float64, (8,))
    _same(x.to("opencl").exp() * 3, x.exp() * 3, rustorch.float64)


def test_synchronize_waits_for_queued_work():
    x = rustorch.ones(1 << 20, device="opencl") * 3
    rustorch.backends.get_backend("opencl").synchronize(x.device)
    assert x.cpu().numpy().sum() == 3 << 20


def test_a_dtype_view_shares_the_block_until_both_are_gone():
    x = rustorch.arange(4, dtype=rustorch.int32, device="opencl")
    as_float = x.view(rustorch.float32)
    del x
    assert as_float.view(rustorch.int32).cpu().tolist() == [0, 1, 2, 3]


def test_memory_pool_reuses_blocks_and_counts():
    rustorch.memory.empty_cache("opencl")
    before = rustorch.memory.stats("opencl")
    x = rustorch.empty(1000, device="opencl")
    del x
    y = rustorch.empty(1000, device="opencl")
    after = rustorch.memory.stats("opencl")
    assert after["cache_hits"] == before["cache_hits"] + 1 and after["allocated_bytes"] >= 4000
    del y
    rustorch.memory.empty_cache("opencl")
    assert rustorch.memory.stats("opencl")["cached_bytes"] == 0


def test_unsupported_dtypes_and_primitives_say_so():
    with pytest.raises(rustorch.errors.DTypeError, match="complex64 is not supported on OpenCL"):
        rustorch.ones(2, dtype=rustorch.complex64, device="opencl").exp()
    x = rustorch.ones(2, device="opencl")
    with pytest.raises(NotImplementedError, match="no_such_op.*no kernel"):
        x._storage.backend.unary("no_such_op", x, x)


def test_missing_pyopencl_or_driver_is_reported(monkeypatch):
    monkeypatch.setattr(opencl.runtime, "cl", None)
    monkeypatch.setattr(opencl.runtime, "IMPORT_ERROR", "PyOpenCL is not installed (test)")
    assert opencl.OpenCLBackend().availability() == "PyOpenCL is not installed (test)"
    monkeypatch.setattr(opencl.BACKEND, "availability", lambda: "PyOpenCL is not installed (test)")
    monkeypatch.delitem(rustorch.backends.registry._loaded, "opencl", raising=False)
    with pytest.raises(BackendUnavailableError, match="PyOpenCL is not installed"):
        rustorch.ones(1, device="opencl")


def test_a_cpu_scalar_tensor_joins_a_device_tensor():
    # as in torch: a 0-d CPU tensor is copied to the other operand's device (its gradient comes back)
    x = rustorch.ones(3, device="opencl", requires_grad=True)
    s = rustorch.tensor(2.0, requires_grad=True)
    (x * s).sum().backward()
    assert s.grad.device.type == "cpu" and s.grad.item() == 3.0 and x.grad.cpu().tolist() == [2.0] * 3
    assert (x.detach() + rustorch.tensor(1, dtype=rustorch.float64)).dtype is rustorch.float32
    with pytest.raises(DeviceError, match="same device"):
        rustorch.ones(3, device="opencl") + rustorch.ones(1)


def test_gemm_tuner_cache_survives_a_corrupt_or_unwritable_file(monkeypatch, tmp_path):
    gemm = opencl.gemm
    a = _values(rustorch.float32, (40, 30))
    b = _values(rustorch.float32, (30, 20), seed=1)
    want = a @ b
    corrupt = tmp_path / "opencl_gemm.json"
    corrupt.write_text("{not json")
    monkeypatch.setattr(gemm, "CACHE_FILE", str(corrupt))
    monkeypatch.setattr(gemm, "_chosen", {})
    _same(a.to("opencl") @ b.to("opencl"), want, rustorch.float32, 1e-5)
    cache = json.loads(corrupt.read_text())  # measured again and written back whole
    assert any("float32" in per_device for per_device in cache.values())
    # a cache that cannot be written (a file where its folder should be): the product still runs
    monkeypatch.setattr(gemm, "CACHE_FILE", str(corrupt / "sub" / "opencl_gemm.json"))
    monkeypatch.setattr(gemm, "_chosen", {})
    _same(a.to("opencl") @ b.to("opencl"), want, rustorch.float32, 1e-5)
