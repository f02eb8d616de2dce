"""Shared fixtures: the devices to run on, and converters between rustorch and torch (the oracle)."""
import os

import numpy as np
import pytest
import torch

import rustorch

torch.set_num_threads(2)

DEVICES = [name for name, reason in rustorch.backends.available().items() if reason is None]

# The GPU backends are built family by family (issue #6 and on): a test module's device-parametrised tests run
# on a GPU backend once the module is listed for it here; every module runs on the CPU.
GPU_READY_MODULES = {"opencl": {"test_opencl", "test_elementwise", "test_autograd_elementwise", "test_tensor",
                                 "test_autograd", "test_serialization", "test_repr", "test_nn_module", "test_random",
                                 "test_indexing", "test_autograd_indexing", "test_shape", "test_views",
                                 "test_autograd_views", "test_autograd_shape", "test_nn_conv", "test_nn_pooling",
                                 "test_reduction", "test_autograd_reduction", "test_contraction",
                                 "test_autograd_contraction", "test_nn_activation", "test_nn_normalization",
                                 "test_nn_rnn", "test_optim", "test_nn_loss", "test_nn_dropout", "test_nn_sparse",
                                 "test_nn_transformer", "test_nn_models", "test_nn_utils", "test_nn_vision"}}
# RUSTORCH_TEST_GPU_MODULES=test_a,test_b adds modules for one run (while a family is being ported)
for _name in filter(None, os.environ.get("RUSTORCH_TEST_GPU_MODULES", "").split(",")):
    for _ready in GPU_READY_MODULES.values():
        _ready.add(_name.strip())

DTYPE_PAIRS = {
    rustorch.bool: torch.bool, rustorch.uint8: torch.uint8, rustorch.int8: torch.int8, rustorch.int16: torch.int16,
    rustorch.int32: torch.int32, rustorch.int64: torch.int64, rustorch.float16: torch.float16,
    rustorch.bfloat16: torch.bfloat16, rustorch.float32: torch.float32, rustorch.float64: torch.float64,
    rustorch.complex64: torch.complex64, rustorch.complex128: torch.complex128,
}
TORCH_TO_RT = {v: k for k, v in DTYPE_PAIRS.items()}


def pytest_generate_tests(metafunc):
    """Tests taking a ``device`` argument run once per backend that runs here and is ready for their module."""
    if "device" in metafunc.fixturenames:
        module = metafunc.module.__name__.rpartition(".")[2]
        metafunc.parametrize("device", [d for d in DEVICES if d == "cpu" or module in GPU_READY_MODULES.get(d, ())])


def skip_complex_off_cpu(device):
    """Complex tensors live on the CPU backend only so far: a complex test skips elsewhere, saying so."""
    if device != "cpu":
        pytest.skip(f"complex tensors are not supported on {device} yet")


def to_torch(x):
    """A torch tensor with x's values and dtype."""
    a = np.array(x.detach().cpu().numpy(), order="C")  # np.array keeps 0-d arrays 0-d
    if x.dtype is rustorch.bfloat16:
        return torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(a)


def from_torch(t, device="cpu"):
    """A rustorch tensor with t's values and dtype (on ``device``)."""
    if t.dtype == torch.bfloat16:
        return rustorch.tensor(t.float().numpy(), dtype=rustorch.bfloat16, device=device)
    return rustorch.tensor(t.numpy(), device=device)


def assert_same(actual, expected, rtol=None, atol=None, check_dtype=True, equal_nan=True):
    """Assert a rustorch tensor equals a torch tensor: shape, dtype and values (to dtype-aware tolerances)."""
    assert isinstance(actual, rustorch.Tensor), f"expected a rustorch.Tensor, got {type(actual)}"
    assert tuple(actual.shape) == tuple(expected.shape), f"shape {tuple(actual.shape)} != torch's {tuple(expected.shape)}"
    if check_dtype:
        assert DTYPE_PAIRS[actual.dtype] == expected.dtype, f"dtype {actual.dtype} != torch's {expected.dtype}"
    got = to_torch(actual)
    if got.dtype != expected.dtype:
        got = got.to(expected.dtype)
    kwargs = {}
    if rtol is not None or atol is not None:
        kwargs = {"rtol": rtol or 0, "atol": atol or 0}
    torch.testing.assert_close(got, expected, equal_nan=equal_nan, **kwargs)


def check_grads(rt_fn, torch_fn, *arrays, device="cpu", rtol=1e-4, atol=1e-5, seed=0):
    """Run ``rt_fn`` and ``torch_fn`` on float32 tensors made from NumPy ``arrays`` (None entries are passed through),
    backpropagate the same random grad_output through every float output, and assert that the outputs and the
    gradients of every input equal torch's."""
    rt_inputs = [None if a is None else rustorch.tensor(a, device=device).requires_grad_() for a in arrays]
    th_inputs = [None if a is None else torch.tensor(a).requires_grad_() for a in arrays]
    rt_out, th_out = rt_fn(*rt_inputs), torch_fn(*th_inputs)
    rt_outs = rt_out if isinstance(rt_out, (tuple, list)) else (rt_out,)
    th_outs = th_out if isinstance(th_out, (tuple, list)) else (th_out,)
    rng = np.random.default_rng(seed)
    rt_pairs, th_pairs = [], []
    for r, t in zip(rt_outs, th_outs):
        assert_same(r, t, rtol=rtol, atol=atol)
        if t.requires_grad:
            assert r.requires_grad, "torch's output requires grad, rustorch's does not"
            g = rng.standard_normal(tuple(t.shape)).astype(np.float32)
            rt_pairs.append((r, rustorch.tensor(g, device=device)))
            th_pairs.append((t, torch.tensor(g)))
    rt_wanted = [x for x in rt_inputs if x is not None]
    th_wanted = [x for x in th_inputs if x is not None]
    rt_grads = rustorch.autograd.grad([p[0] for p in rt_pairs], rt_wanted, [p[1] for p in rt_pairs], allow_unused=True)
    th_grads = torch.autograd.grad([p[0] for p in th_pairs], th_wanted, [p[1] for p in th_pairs], allow_unused=True)
    for i, (r, t) in enumerate(zip(rt_grads, th_grads)):
        if t is None:
            assert r is None or not bool((r != 0).any()), f"input {i}: torch has no gradient, rustorch has {r}"
            continue
        assert r is not None, f"input {i}: rustorch gave no gradient, torch gave {t}"
        assert_same(r, t, rtol=rtol, atol=atol)


def gradchecks(fn, *arrays, device="cpu", second_order=True, **kwargs):
    """gradcheck (and gradgradcheck) ``fn`` in float64 at NumPy ``arrays`` (None entries passed through)."""
    if device != "cpu":
        # gradients that accumulate by atomics (index_put_ with accumulate, scatter add, max-pool and grid_sample
        # backward) add in an unspecified order on a GPU, so two backward passes may differ in the last bits
        kwargs.setdefault("nondet_tol", 1e-12)
    inputs = tuple(None if a is None else rustorch.tensor(np.asarray(a, dtype=np.float64), device=device).requires_grad_()
                   for a in arrays)
    assert rustorch.autograd.gradcheck(fn, inputs, **kwargs)
    if second_order:
        assert rustorch.autograd.gradgradcheck(fn, inputs, **kwargs)


def arrays(shapes, seed=0):
    """Standard normal float64 NumPy arrays of the given shapes."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def outputs(value):
    """An op's result as a tuple of outputs."""
    return value if isinstance(value, (tuple, list)) else (value,)


def copy_weights(rt_module, torch_module):
    """Load torch_module's state_dict into rt_module (strict: the keys and shapes must match torch's)."""
    rt_module.load_state_dict({k: v.detach().numpy() for k, v in torch_module.state_dict().items()})


def check_module(rt_module, torch_module, *arrays, device="cpu", rtol=1e-5, atol=1e-6, train=True, seed=0):
    """Copy torch_module's weights into rt_module, run both on float32 inputs made from NumPy ``arrays`` (inputs
    get requires_grad), backpropagate one random grad_output through every float output, and assert that the
    outputs, the input gradients and every parameter gradient equal torch's."""
    copy_weights(rt_module, torch_module)
    rt_module.to(device)
    rt_module.train(train)
    torch_module.train(train)
    rt_module.zero_grad()
    torch_module.zero_grad()
    rt_inputs = [rustorch.tensor(a, device=device, requires_grad=a.dtype.kind == "f") for a in arrays]
    th_inputs = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    rt_out, th_out = rt_module(*rt_inputs), torch_module(*th_inputs)
    rt_outs = [o for o in outputs(rt_out) if isinstance(o, rustorch.Tensor)]
    th_outs = [o for o in outputs(th_out) if isinstance(o, torch.Tensor)]
    rng = np.random.default_rng(seed)
    rt_pairs, th_pairs = [], []
    for r, t in zip(rt_outs, th_outs):
        assert_same(r, t, rtol=rtol, atol=atol)
        if t.requires_grad:
            g = rng.standard_normal(tuple(t.shape)).astype(np.float32)
            rt_pairs.append((r, rustorch.tensor(g, device=device)))
            th_pairs.append((t, torch.tensor(g)))
    if not th_pairs:
        return
    rustorch.autograd.backward([p[0] for p in rt_pairs], [p[1] for p in rt_pairs])
    torch.autograd.backward([p[0] for p in th_pairs], [p[1] for p in th_pairs])
    for r, t in zip(rt_inputs, th_inputs):
        if t.grad is not None:
            assert_same(r.grad, t.grad, rtol=rtol, atol=atol)
    th_params = dict(torch_module.named_parameters())
    for name, p in rt_module.named_parameters():
        if th_params[name].grad is None:
            assert p.grad is None or not bool((p.grad != 0).any()), f"{name}: torch has no gradient"
            continue
        assert p.grad is not None, f"{name}: no gradient"
        assert_same(p.grad, th_params[name].grad, rtol=rtol, atol=atol)
