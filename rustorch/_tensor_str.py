"""torch's tensor repr, ported from torch/_tensor_str.py to work on host NumPy values.

The layout rules are torch's: 4 decimals by default, integer mode for whole
floats, scientific notation when magnitudes span more than 1000x (or pass
1e8 or go under 1e-4), ``...`` summaries above 1000 elements, lines wrapped
at 80 columns with aligned columns, and suffixes for a non-default dtype, a
non-default device and ``requires_grad``.

>>> import rustorch
>>> rustorch.tensor([[1.5, -2.0], [3.25, 100.0]])
tensor([[  1.5000,  -2.0000],
        [  3.2500, 100.0000]])
>>> rustorch.tensor([1e-5, 1.0])
tensor([1.0000e-05, 1.0000e+00])
"""
import dataclasses
import math

import numpy as np

from . import _dtype


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """Set how tensors print, as torch.set_printoptions.

    precision: digits after the point (4); threshold: element count above which
    a tensor is summarised (1000); edgeitems: items kept at each end of a
    summarised dimension (3); linewidth: characters per line (80); profile:
    'default', 'short' or 'full' presets; sci_mode: force (True) or forbid
    (False) scientific notation, None to decide per tensor. Like torch,
    every call resets sci_mode to the value passed.

    >>> import rustorch
    >>> rustorch.set_printoptions(precision=2)
    >>> rustorch.tensor([1.12345])
    tensor([1.12])
    >>> rustorch.set_printoptions(threshold=5)
    >>> rustorch.arange(10)
    tensor([0, 1, 2,  ..., 7, 8, 9])
    >>> rustorch.set_printoptions(profile="default")
    >>> rustorch.tensor([1.12345])
    tensor([1.1235])
    """
    if profile is not None:
        if profile not in _PROFILES:
            from .errors import InvalidArgumentError

            raise InvalidArgumentError(f"set_printoptions(): profile must be one of {', '.join(_PROFILES)}, got {profile!r}")
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict that ``set_printoptions(**options)`` accepts."""
    return dataclasses.asdict(PRINT_OPTS)


class _Formatter:
    """Chooses one width and notation for every element of a (summarised) array."""

    def __init__(self, values):
        self.floating_dtype = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating_dtype:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return
        nonzero_finite = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite.size == 0:
            return
        magnitudes = np.abs(nonzero_finite)
        lo, hi = float(magnitudes.min()), float(magnitudes.max())
        vals = nonzero_finite.tolist()
        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        p = PRINT_OPTS.precision
        if self.sci_mode:
            widths = (len(f"{v:.{p}e}") for v in vals)
        elif self.int_mode:
            # whole floats print with a trailing '.', which the width counts
            widths = (len(f"{v:.0f}") + 1 for v in vals)
        else:
            widths = (len(f"{v:.{p}f}") for v in vals)
        self.max_width = max(self.max_width, max(widths))

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _complex_str(value, formatter1, formatter2):
    real_str = formatter1.format(value.real)
    imag_str = (formatter2.format(value.imag) + "j").lstrip()
    # negative numbers, +0.0 and -0.0 carry their own sign
    return real_str + imag_str if imag_str[0] in "+-" else real_str + "+" + imag_str


def _val_str(value, formatter1, formatter2):
    return formatter1.format(value) if formatter2 is None else _complex_str(value, formatter1, formatter2)


def _vector_str(a, indent, summarize, formatter1, formatter2):
    # the length of an element includes the ", " between elements
    element_length = formatter1.width() + 2
    if formatter2 is not None:
        element_length += formatter2.width() + 1
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        data = ([_val_str(v, formatter1, formatter2) for v in a[:edge].tolist()] + [" ..."]
                + [_val_str(v, formatter1, formatter2) for v in a[-edge:].tolist()])
    else:
        data = [_val_str(v, formatter1, formatter2) for v in a.tolist()]
    lines = [", ".join(data[i:i + elements_per_line]) for i in range(0, len(data), elements_per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _str_with_formatter(a, indent, summarize, formatter1, formatter2=None):
    if a.ndim == 0:
        return _val_str(a.item(), formatter1, formatter2)
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, formatter1, formatter2)
    edge = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * edge:
        slices = ([_str_with_formatter(a[i], indent + 1, summarize, formatter1, formatter2) for i in range(edge)]
                  + ["..."]
                  + [_str_with_formatter(a[i], indent + 1, summarize, formatter1, formatter2)
                     for i in range(a.shape[0] - edge, a.shape[0])])
    else:
        slices = [_str_with_formatter(a[i], indent + 1, summarize, formatter1, formatter2) for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized_data(a):
    # only the elements a summary shows, to choose the formatting from
    edge = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        return np.concatenate((a[:edge], a[-edge:])) if a.shape[0] > 2 * edge else a
    if not edge:
        return np.empty((0,) * a.ndim, a.dtype)
    rows = list(range(edge)) + list(range(a.shape[0] - edge, a.shape[0])) if a.shape[0] > 2 * edge else range(a.shape[0])
    return np.stack([_summarized_data(a[i]) for i in rows])


def _host_values(t):
    # floats as float64 and complex as complex128 (exact), formatted as torch formats Python numbers
    a = np.asarray(t.numpy(force=True))
    if t.dtype.is_floating_point:
        return a.astype(np.float64)
    if t.dtype.is_complex:
        return a.astype(np.complex128)
    return a


def _tensor_str(t, indent):
    if t.numel() == 0:
        return "[]"
    a = _host_values(t)
    summarize = a.size > PRINT_OPTS.threshold
    if t.dtype.is_complex:
        real = _Formatter(_summarized_data(a.real) if summarize else a.real)
        imag = _Formatter(_summarized_data(a.imag) if summarize else a.imag)
        return _str_with_formatter(a, indent, summarize, real, imag)
    return _str_with_formatter(a, indent, summarize, _Formatter(_summarized_data(a) if summarize else a))


def _add_suffixes(tensor_str, suffixes, indent):
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _device_suffix(t):
    # as torch: shown unless the tensor is on the default device
    from .backends.registry import get_default_device

    d, default = t.device, get_default_device()
    if d.type == default.type and (d.index or 0) == (default.index or 0):
        return None
    return f"device='{d.type}'" if d.type == "cpu" else f"device='{d.type}:{d.index or 0}'"


def tensor_repr(t):
    """``repr(t)`` exactly as torch writes it, with ``rustorch.`` dtypes.

    >>> import rustorch
    >>> rustorch.tensor([], dtype=rustorch.int32).reshape(0, 3)
    tensor([], size=(0, 3), dtype=rustorch.int32)
    """
    from .tensor import Tensor

    # torch prints a Parameter's data as a plain tensor too
    prefix = "tensor(" if type(t) is Tensor or type(t).__name__ == "Parameter" else f"{type(t).__name__}("
    indent = len(prefix)
    suffixes = []
    device = _device_suffix(t)
    if device is not None:
        suffixes.append(device)
    default_float = _dtype.get_default_dtype()
    if t.numel() == 0:
        if t.ndim != 1:
            suffixes.append(f"size={tuple(t._shape)}")
        if t.dtype is not default_float:
            suffixes.append(f"dtype={t.dtype}")
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(t._shape)}")
        if t.dtype not in (default_float, _dtype.default_complex(), _dtype.int64, _dtype.bool_):
            suffixes.append(f"dtype={t.dtype}")
        tensor_str = _tensor_str(t, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + tensor_str, suffixes, indent)
