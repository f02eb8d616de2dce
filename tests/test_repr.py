"""repr(tensor) must equal torch's, character for character (with ``rustorch.`` for ``torch.``)."""
import math

import numpy as np
import pytest
import torch

import rustorch
from conftest import from_torch

_gen = torch.Generator().manual_seed(0)


def _randn(*shape, dtype=torch.float32):
    return torch.randn(*shape, generator=_gen, dtype=dtype)


def _cases():
    nan, inf = math.nan, math.inf
    cases = {
        "float_small": torch.tensor([1.5, -2.25, 3.0]),
        "float_int_mode": torch.tensor([1.0, -2.0, 300.0]),
        "float_int_mode_big": torch.tensor([1.0, 2.0e9]),
        "float_sci_small": torch.tensor([1e-5, 1.0, 2.5]),
        "float_sci_span": torch.tensor([0.5, 600.0, 1.0]),
        "float_neg_zero": torch.tensor([-0.0, 0.0, 1.5]),
        "float_zeros": torch.zeros(4),
        "float_nan_inf": torch.tensor([nan, inf, -inf, 1.5]),
        "float_nan_int_mode": torch.tensor([nan, 1.0, -inf]),
        "float_all_nan": torch.tensor([nan, nan]),
        "float_tiny": torch.tensor([1e-30, 3e-38]),
        "float64": torch.tensor([1.0, 2.5], dtype=torch.float64),
        "float64_precise": torch.tensor([1 / 3, 2 / 3, 1e10 / 3], dtype=torch.float64),
        "float16": torch.tensor([0.1, 2.5, 1000.0], dtype=torch.float16),
        "bfloat16": torch.tensor([0.1, -2.5, 3.0], dtype=torch.bfloat16),
        "int64": torch.tensor([1, -20, 300]),
        "int32": torch.tensor([1, 2, 3], dtype=torch.int32),
        "int8": torch.tensor([-128, 0, 127], dtype=torch.int8),
        "uint8": torch.tensor([0, 255], dtype=torch.uint8),
        "int16_2d": torch.arange(12, dtype=torch.int16).reshape(3, 4),
        "bool": torch.tensor([True, False, True]),
        "bool_2d": torch.tensor([[True], [False]]),
        "complex64": torch.tensor([1 + 2j, -3.5 - 0.25j, 0j]),
        "complex128": torch.tensor([1e-6 + 2j, 3 + 4j], dtype=torch.complex128),
        "complex_0d": torch.tensor(1.5 - 2j),
        "scalar_float": torch.tensor(3.5),
        "scalar_whole": torch.tensor(3.0),
        "scalar_int": torch.tensor(7),
        "scalar_int32": torch.tensor(-7, dtype=torch.int32),
        "scalar_bool": torch.tensor(True),
        "scalar_tiny": torch.tensor(1e-10),
        "scalar_nan": torch.tensor(nan),
        "empty": torch.zeros(0),
        "empty_2d": torch.zeros(0, 3),
        "empty_3d": torch.zeros(2, 0, 3),
        "empty_int": torch.zeros(0, dtype=torch.int64),
        "empty_int32_2d": torch.zeros(3, 0, dtype=torch.int32),
        "empty_bool": torch.zeros(0, dtype=torch.bool),
        "randn_2d": _randn(3, 4),
        "randn_3d": _randn(2, 3, 4),
        "randn_4d": _randn(2, 1, 2, 3),
        "wrap_1d": _randn(100),
        "wrap_2d": _randn(3, 30) * 1000,
        "wrap_int32_suffix": torch.arange(20, dtype=torch.int32) * 1000,
        "wrap_float64_suffix": torch.arange(14, dtype=torch.float64) / 3,
        "summarise_1d": torch.arange(2000),
        "summarise_1d_float": _randn(1001),
        "summarise_2d": _randn(50, 50),
        "summarise_3d": _randn(20, 30, 40),
        "summarise_rows_only": _randn(1500, 2),
        "summarise_int32": torch.arange(3000, dtype=torch.int32).reshape(30, 100),
        "summarise_bool": torch.arange(1200).reshape(40, 30) % 3 == 0,
        "summarise_complex": torch.complex(_randn(1100), _randn(1100)),
        "magnitudes": torch.tensor([1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0]),
        "large": torch.tensor([1e8, 2e8, 3.5e8]),
        "huge_ints": torch.tensor([2 ** 62, -(2 ** 62)]),
    }
    for k in range(-6, 11, 2):
        cases[f"randn_scale_1e{k}"] = _randn(7) * 10.0 ** k
    return cases


CASES = _cases()


@pytest.mark.parametrize("name", list(CASES))
def test_repr_matches_torch(name):
    expected = CASES[name]
    assert repr(from_torch(expected)) == repr(expected).replace("torch.", "rustorch.")


@pytest.mark.parametrize("name", ["randn_2d", "randn_3d", "summarise_2d", "wrap_int32_suffix"])
def test_repr_non_contiguous(name):
    expected = CASES[name].transpose(0, -1)[::2]
    actual = from_torch(CASES[name]).transpose(0, -1)[::2]
    assert not actual.is_contiguous()
    assert repr(actual) == repr(expected).replace("torch.", "rustorch.")


def test_repr_requires_grad():
    for expected in (_randn(3), _randn(40, dtype=torch.float64), torch.tensor(2.5)):
        actual = from_torch(expected).requires_grad_()
        assert repr(actual) == repr(expected.requires_grad_()).replace("torch.", "rustorch.")


def test_str_equals_repr():
    t = rustorch.tensor([1.0, 2.0])
    assert str(t) == repr(t) == "tensor([1., 2.])"


OPTIONS = [
    dict(precision=2), dict(precision=8), dict(sci_mode=True), dict(sci_mode=False), dict(linewidth=40),
    dict(edgeitems=1, threshold=10), dict(edgeitems=0, threshold=10), dict(threshold=20),
    dict(profile="short"), dict(profile="full"),
]


@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_set_printoptions(options):
    try:
        torch.set_printoptions(**options)
        rustorch.set_printoptions(**options)
        for name in ("float_small", "float_sci_span", "int32", "complex64", "randn_3d", "wrap_1d", "summarise_2d",
                     "float_zeros", "scalar_float", "empty_2d"):
            expected = CASES[name]
            assert repr(from_torch(expected)) == repr(expected).replace("torch.", "rustorch."), name
    finally:
        torch.set_printoptions(profile="default", sci_mode=None)
        rustorch.set_printoptions(profile="default", sci_mode=None)


def test_default_dtype_float64_changes_suffixes():
    try:
        torch.set_default_dtype(torch.float64)
        rustorch.set_default_dtype(rustorch.float64)
        for expected in (torch.tensor([1.5, 2.0], dtype=torch.float32), torch.tensor([1.5, 2.0], dtype=torch.float64),
                         torch.zeros(0, dtype=torch.float32), torch.tensor([1j], dtype=torch.complex64)):
            assert repr(from_torch(expected)) == repr(expected).replace("torch.", "rustorch.")
    finally:
        torch.set_default_dtype(torch.float32)
        rustorch.set_default_dtype(rustorch.float32)


def test_device_suffix(device):
    expected = repr(torch.tensor([1.5, 2.0]))
    t = rustorch.tensor([1.5, 2.0], device=device)
    if device == "cpu":
        assert repr(t) == expected
    else:
        assert repr(t) == expected[:-1] + f", device='{device}:0')"


def test_set_printoptions_bad_profile():
    with pytest.raises(rustorch.errors.InvalidArgumentError, match="profile must be one of"):
        rustorch.set_printoptions(profile="nope")


def test_repr_of_numpy_backed_tensor_is_unchanged_by_printing():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = rustorch.from_numpy(a)
    repr(t)
    np.testing.assert_array_equal(a, np.arange(6, dtype=np.float32).reshape(2, 3))
