"""Shared fixtures: the devices to run on, and converters between rustorch and torch (the oracle)."""
import numpy as np
import pytest
import torch

import rustorch

torch.set_num_threads(2)

DEVICES = [name for name, reason in rustorch.backends.available().items() if reason is None]

DTYPE_PAIRS = {
    rustorch.bool: torch.bool, rustorch.uint8: torch.uint8, rustorch.int8: torch.int8, rustorch.int16: torch.int16,
    rustorch.int32: torch.int32, rustorch.int64: torch.int64, rustorch.float16: torch.float16,
    rustorch.bfloat16: torch.bfloat16, rustorch.float32: torch.float32, rustorch.float64: torch.float64,
    rustorch.complex64: torch.complex64, rustorch.complex128: torch.complex128,
}
TORCH_TO_RT = {v: k for k, v in DTYPE_PAIRS.items()}


@pytest.fixture(params=DEVICES)
def device(request):
    """Every backend that runs here; tests taking this fixture run once per device."""
    return request.param


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
