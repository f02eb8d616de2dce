"""rustorch.nn.functional: the vision family (padding, resampling, pixel and channel shuffles, sliding blocks,
sampling grids) and the distance functions.

Padding and interpolation are separable: along each dim the output is a fixed linear map of the input, stored
as a few taps per output element (:class:`_Taps`). The forward gathers those taps; the backward applies the
transposed map, which is again a gather, so no pass scatters with duplicate indices.

>>> import rustorch
>>> import rustorch.nn.functional as F
>>> F.pad(rustorch.arange(3.0).view(1, 3), (2, 1), mode="reflect")
tensor([[2., 1., 0., 1., 2., 1.]])
"""
import functools
import itertools
import math
import warnings

import numpy as np

from ... import _dtype
from ...autograd.grad_mode import STATE, no_grad
from ...autograd.graph import record
from ...errors import DTypeError, InvalidArgumentError, InvalidTypeError, ShapeError, ValueOutOfRangeError
from ...ops import contraction, creation, elementwise, indexing, reduction, views
from ...ops._common import as_int, check_tensor
from ...ops.shape import stack
from ...tensor import Tensor


def _ints(op, name, value, n):
    """``value`` (an int or a sequence of ``n`` ints) as a tuple of ``n`` ints, as torch's _pair/_triple."""
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise InvalidArgumentError(f"{op}(): {name} must be an int or a tuple of {n} ints, got {value!r}")
        return tuple(as_int(op, name, v) for v in value)
    return (as_int(op, name, value),) * n


def _shape(t):
    return list(t.shape)


# --- separable linear maps -------------------------------------------------------------------------------------

class _Taps:
    """A linear map along one dim, ``out[j] = sum_k weight[j, k] * x[index[j, k]]``: a sparse (n_out, n_in)
    matrix with ``K`` taps per output (ELL layout). ``weight`` None means every weight is 1.

    The transpose (the backward map) is built once, as taps too: up to ``M`` inputs per output, padded with
    zero weights, where ``M`` is the most outputs any input contributes to.
    """

    def __init__(self, index, weight, n_in):
        if weight is not None:
            used = (weight != 0).any(axis=0)  # taps that are zero for every output do no work
            index, weight = index[:, used], weight[:, used]
            if (weight == 1).all():
                weight = None
        self.index, self.weight, self.n_in = np.ascontiguousarray(index, dtype=np.int64), weight, n_in
        n_out = index.shape[0]
        self.identity = (weight is None and n_out == n_in and index.shape[1] == 1
                         and bool((self.index[:, 0] == np.arange(n_in)).all()))
        self._transposed = None
        self._tensors = {}

    def transposed(self):
        if self._transposed is None:
            n_out, k = self.index.shape
            rows = self.index.ravel()
            cols = np.repeat(np.arange(n_out), k)
            vals = np.ones(rows.size) if self.weight is None else self.weight.ravel()
            keep = vals != 0
            rows, cols, vals = rows[keep], cols[keep], vals[keep]
            order = np.argsort(rows, kind="stable")
            rows, cols, vals = rows[order], cols[order], vals[order]
            counts = np.bincount(rows, minlength=self.n_in)
            m = int(counts.max()) if rows.size else 0
            slot = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts, counts)
            index = np.zeros((self.n_in, m), np.int64)
            weight = np.zeros((self.n_in, m), vals.dtype if self.weight is not None else np.float32)
            index[rows, slot] = cols
            weight[rows, slot] = vals
            t = _Taps(index, weight, n_out)
            t._transposed = self
            self._transposed = t
        return self._transposed

    def tensors(self, like):
        """Per tap: the index vector, the weights shaped to broadcast along the dim (None when all ones), and the
        outputs it reaches when that is under half of them (else None), as tensors on ``like``'s device."""
        key = (like.device, like.dtype)
        found = self._tensors.get(key)
        if found is None:
            n_out, k = self.index.shape
            found = []
            for c in range(k):
                index, weight, rows = self.index[:, c], None if self.weight is None else self.weight[:, c], None
                if c and weight is not None and 2 * np.count_nonzero(weight) < n_out:
                    # a mostly empty tap (the edges of a padding's backward): gather and add only where it reaches
                    rows = np.flatnonzero(weight)
                    index, weight = index[rows], weight[rows]
                    rows = creation.tensor(rows, device=like.device)
                if weight is not None and (weight == 1).all():
                    weight = None
                found.append((creation.tensor(index, device=like.device), rows, None if weight is None else
                              creation.tensor(weight, dtype=like.dtype, device=like.device)))
            self._tensors[key] = found
        return found

    def apply(self, x, d):
        """The map along dim ``d`` of ``x`` (no autograd: the caller records one node for all dims)."""
        shape = x.shape
        if not self.index.shape[1]:
            return creation.zeros(shape[:d] + (self.index.shape[0],) + shape[d + 1:], dtype=x.dtype, device=x.device)
        out = None
        trailing = (1,) * (x.ndim - d - 1)
        # tap by tap, accumulating in place: a sum over a small trailing taps dim would be a slow reduction
        for index, rows, weight in self.tensors(x):
            tap = indexing.index_select(x, d, index)
            if weight is not None:
                tap.mul_(views.reshape(weight, (-1,) + trailing))
            if out is None:
                out = tap
            elif rows is None:
                out.add_(tap)
            else:
                out.index_add_(d, rows, tap)
        return out


def _resample(x, maps, names):
    """Apply the 1-D maps ``[(dim, taps), ...]`` in turn, recorded as one node named ``names[0]``; its backward
    applies the transposed maps in reverse order (a node named ``names[1]`` under create_graph)."""
    y = x
    with no_grad():
        for d, taps in maps:
            if not taps.identity:
                y = taps.apply(y, d)
        if y is x:
            y = creation.clone(x)
    if STATE.enabled and x.requires_grad:
        record(names[0], _resample_backward, (x,), y, (maps, names))
    return y


def _resample_backward(node, grad, maps, names):
    return _resample(grad, [(d, taps.transposed()) for d, taps in reversed(maps)], names[::-1])


# --- pad -------------------------------------------------------------------------------------------------------

_PAD_MODES = ("constant", "reflect", "replicate", "circular")


@functools.lru_cache(maxsize=512)
def _pad_taps(mode, size, left, right):
    """The input position of each output position, along one padded dim."""
    if mode == "circular":
        # torch crops the negative pads first and wraps the positive ones around what is left
        start, kept = max(-left, 0), size - max(-left, 0) - max(-right, 0)
        index = start + (np.arange(kept + max(left, 0) + max(right, 0)) - max(left, 0)) % max(kept, 1)
    else:
        # output j shows input position j - left, mirrored (reflect) or clamped (replicate) at the edges
        index = np.arange(-left, size + right)
        if mode == "reflect":
            index = np.abs(index)
            index = np.where(index > size - 1, 2 * (size - 1) - index, index)
        else:
            index = np.clip(index, 0, size - 1)
    return _Taps(index[:, None], None, size)


def pad(input, pad, mode="constant", value=None):
    """Pad (or, for negative amounts, crop) the last ``len(pad) // 2`` dims: ``pad`` is (left, right) for the
    last dim, then for the one before, and so on. Modes: 'constant' (with ``value``, 0 by default, any number
    of dims), 'reflect', 'replicate' and 'circular' (the last 1, 2 or 3 dims of a batched or unbatched input).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> x = rustorch.tensor([[1.0, 2.0, 3.0]])
    >>> F.pad(x, (1, 2), value=-1.0)
    tensor([[-1.,  1.,  2.,  3., -1., -1.]])
    >>> F.pad(x, (2, 2), mode="replicate")
    tensor([[1., 1., 1., 2., 3., 3., 3.]])
    >>> F.pad(x, (1, -1), mode="circular")
    tensor([[2., 1., 2.]])
    """
    check_tensor("pad", input)
    if not isinstance(pad, (list, tuple)):
        raise InvalidTypeError(f"pad(): argument 'pad' must be a tuple of ints, not {type(pad).__name__}")
    pad = tuple(as_int("pad", "pad", p.item() if isinstance(p, Tensor) else p) for p in pad)
    if len(pad) % 2:
        raise ShapeError(f"pad(): padding length must be divisible by 2, got {len(pad)} values {pad}")
    if len(pad) // 2 > input.ndim:
        raise ShapeError(f"pad(): padding length should be less than or equal to two times the input dimension but "
                         f"got padding length {len(pad)} and input of shape {_shape(input)}")
    if mode == "constant":
        return _constant_pad(input, pad, 0 if value is None else value)
    if mode not in _PAD_MODES:
        raise InvalidArgumentError(f"pad(): unrecognised padding mode {mode!r}; expected one of {_PAD_MODES}")
    if value is not None and value != 0:
        raise ValueOutOfRangeError(f'pad(): padding mode "{mode}" doesn\'t take in value argument')
    n = len(pad) // 2
    if n not in (1, 2, 3) or input.ndim not in (n + 1, n + 2):
        raise ShapeError(f"pad(): {mode} padding of the last {n} dim(s) (padding size {len(pad)}) needs a "
                         f"{n + 1}-D or {n + 2}-D input, got shape {_shape(input)}; supported: padding size 2 "
                         "for 2-D or 3-D input, 4 for 3-D or 4-D, 6 for 4-D or 5-D")
    first = input.ndim - n - 1  # the channel dim; a batch dim before it may be empty
    if mode != "circular" and any(s == 0 for s in input.shape[first:]):
        raise ShapeError(f"pad(): {mode} padding expects an input with possibly 0 batch size and other non-zero "
                         f"dimensions, got shape {_shape(input)}")
    maps = []
    for i in range(n):
        d = input.ndim - 1 - i
        size, left, right = input.shape[d], pad[2 * i], pad[2 * i + 1]
        out = size + left + right
        if mode == "reflect" and (left >= size or right >= size):
            raise ShapeError(f"pad(): reflect padding size should be less than the corresponding input dimension, but "
                             f"got padding ({left}, {right}) at dimension {d} of input {_shape(input)}")
        if mode == "circular":
            kept = size - max(-left, 0) - max(-right, 0)
            if out < 0 or kept < 0:
                raise ShapeError(f"pad(): negative circular padding ({left}, {right}) at dimension {d} of input "
                                 f"{_shape(input)} results in an empty dimension")
            if max(left, 0) > kept or max(right, 0) > kept:
                raise ShapeError(f"pad(): circular padding ({left}, {right}) at dimension {d} of input "
                                 f"{_shape(input)} wraps around more than once (at most {kept} on each side)")
        elif out < 1:
            raise ShapeError(f"pad(): input of shape {_shape(input)} is too small for {mode} padding ({left}, {right}) "
                             f"at dimension {d}: calculated output size {out}")
        maps.append((d, _pad_taps(mode, size, left, right)))
    name = {"reflect": "ReflectionPad", "replicate": "ReplicationPad", "circular": "CircularPad"}[mode]
    return _resample(input, maps, (f"{name}{n}DBackward0", f"{name}{n}DBackwardBackward0"))


def _constant_pad(input, pad, value):
    shape = input.shape
    out_shape, dst, src = list(shape), [slice(None)] * input.ndim, [slice(None)] * input.ndim
    for i in range(len(pad) // 2):
        d = input.ndim - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        kept = shape[d] - max(-left, 0) - max(-right, 0)
        if kept < 0 or shape[d] + left + right < 0:
            raise ShapeError(f"pad(): negative padding ({left}, {right}) at dimension {d} crops more than the "
                             f"{shape[d]} elements of the input of shape {_shape(input)}")
        out_shape[d] = shape[d] + left + right
        dst[d] = slice(max(left, 0), max(left, 0) + kept)
        src[d] = slice(max(-left, 0), max(-left, 0) + kept)
    with no_grad():
        out = creation.full(out_shape, value, dtype=input.dtype, device=input.device)
        if out.numel() and input.numel():
            out[tuple(dst)].copy_(input[tuple(src)])
    if STATE.enabled and input.requires_grad:
        # the adjoint of padding is cropping, and of cropping zero padding: the negated pads
        record("ConstantPadNdBackward0", _constant_pad_backward, (input,), out, (pad,))
    return out


def _constant_pad_backward(node, grad, pad):
    if min(pad) >= 0:  # pure padding: the gradient is a crop of grad, a view
        crop = [slice(None)] * grad.ndim
        for i in range(len(pad) // 2):
            d = grad.ndim - 1 - i
            crop[d] = slice(pad[2 * i], grad.shape[d] - pad[2 * i + 1])
        return grad[tuple(crop)]
    return _constant_pad(grad, tuple(-p for p in pad), 0)


# --- interpolate -----------------------------------------------------------------------------------------------

_INTERPOLATE_RANK = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "area": (3, 4, 5), "linear": (3,),
                     "bilinear": (4,), "bicubic": (4,), "trilinear": (5,), "lanczos": (4,)}


def _opmath(f64):
    return np.float64 if f64 else np.float32


def _scale(opmath, n_in, n_out, align_corners, scale):
    """Input positions per output position, as torch's area_pixel_compute_scale (in the kernel's precision)."""
    if align_corners:
        return opmath(n_in - 1) / opmath(n_out - 1) if n_out > 1 else opmath(0)
    return opmath(1.0 / scale) if scale is not None and scale > 0 else opmath(n_in) / opmath(n_out)


@functools.lru_cache(maxsize=512)
def _nearest_taps(n_in, n_out, scale, exact, f64):
    t = _opmath(f64)
    s = _scale(t, n_in, n_out, False, scale)
    j = np.arange(n_out)
    if exact:  # the centre of output pixel j, in input pixels, rounded half up (floorf of real + 0.5)
        real = np.maximum(s * (j.astype(t) + t(0.5)) - t(0.5), t(0))
        index = np.floor((real.astype(np.float64) + 0.5).astype(np.float32))
    else:
        index = np.floor((s * j.astype(t)).astype(np.float32))
    return _Taps(np.minimum(index.astype(np.int64), n_in - 1)[:, None], None, n_in)


def _source_position(t, s, n_out, align_corners, cubic):
    """torch's area_pixel_compute_source_index for every output position (clamped at 0, except for cubic)."""
    j = np.arange(n_out).astype(t)
    if align_corners:
        return s * j
    real = s * (j + t(0.5)) - t(0.5)
    return real if cubic else np.maximum(real, t(0))


@functools.lru_cache(maxsize=512)
def _linear_taps(n_in, n_out, scale, align_corners, f64):
    t = _opmath(f64)
    if n_in == n_out:
        return _Taps(np.arange(n_in)[:, None], None, n_in)
    real = _source_position(t, _scale(t, n_in, n_out, align_corners, scale), n_out, align_corners, False)
    i0 = np.minimum(np.floor(real).astype(np.int64), n_in - 1)
    lam = np.clip(real - i0.astype(t), t(0), t(1))
    i1 = i0 + (i0 < n_in - 1)
    return _Taps(np.stack([i0, i1], 1), np.stack([t(1) - lam, lam], 1), n_in)


def _cubic1(x, a):
    return ((a + 2) * x - (a + 3)) * x * x + 1


def _cubic2(x, a):
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


@functools.lru_cache(maxsize=512)
def _cubic_taps(n_in, n_out, scale, align_corners, f64):
    t = _opmath(f64)
    real = _source_position(t, _scale(t, n_in, n_out, align_corners, scale), n_out, align_corners, True)
    i0 = np.minimum(np.floor(real).astype(np.int64), n_in - 1)
    lam = np.clip(real - i0.astype(t), t(0), t(1))
    a, one = t(-0.75), t(1)
    weight = np.stack([_cubic2(lam + one, a), _cubic1(lam, a), _cubic1(one - lam, a), _cubic2(one - lam + one, a)], 1)
    index = np.clip(i0[:, None] - 1 + np.arange(4), 0, n_in - 1)
    return _Taps(index, weight, n_in)


def _aa_linear(x):
    x = np.abs(x)
    return np.where(x < 1, 1 - x, 0)


def _aa_cubic(x):
    x, a = np.abs(x), x.dtype.type(-0.5)
    return np.where(x < 1, _cubic1(x, a), np.where(x < 2, _cubic2(x, a), 0))


def _aa_lanczos(x):
    x = np.abs(x).astype(np.float64)
    return np.where(x < 3, np.sinc(x) * np.sinc(x / 3), 0)


# mode -> (filter, its support in input pixels at scale 1)
_AA_FILTERS = {"bilinear": (_aa_linear, 2), "bicubic": (_aa_cubic, 4), "lanczos": (_aa_lanczos, 6)}


@functools.lru_cache(maxsize=512)
def _antialias_taps(n_in, n_out, scale, align_corners, mode, f64):
    """torch's antialiased kernels: the filter stretched by the scale when downsampling, weights normalised."""
    t = _opmath(f64)
    s = _scale(t, n_in, n_out, align_corners, scale)
    kernel, interp = _AA_FILTERS[mode]
    support = t(interp * 0.5 * s) if s >= 1 else t(interp * 0.5)
    width = int(math.ceil(support)) * 2 + 1
    center = (s * (np.arange(n_out) + 0.5)).astype(t)
    lo = np.maximum((center - support + 0.5).astype(np.int64), 0)
    count = np.clip(np.minimum((center + support + 0.5).astype(np.int64), n_in) - lo, 0, width)
    invscale = t(1.0 / s) if s >= 1 else t(1)
    k = np.arange(width)
    weight = kernel(((k + lo[:, None] - center[:, None]) + 0.5).astype(t) * invscale)
    weight = np.where(k < count[:, None], weight, 0).astype(t)
    total = weight.sum(1, keepdims=True)
    weight = np.where(total != 0, weight / np.where(total != 0, total, 1), weight).astype(t)
    return _Taps(np.minimum(lo[:, None] + k, n_in - 1), weight, n_in)


@functools.lru_cache(maxsize=512)
def _area_taps(n_in, n_out, f64):
    """adaptive_avg_pool's windows [floor(j n_in / n_out), ceil((j + 1) n_in / n_out)), as averaging taps."""
    j = np.arange(n_out)
    start, end = j * n_in // n_out, ((j + 1) * n_in + n_out - 1) // n_out
    width = int((end - start).max())
    k = np.arange(width)
    weight = np.where(k < (end - start)[:, None], 1.0 / (end - start)[:, None], 0).astype(_opmath(f64))
    return _Taps(np.minimum(start[:, None] + k, n_in - 1), weight, n_in)


def _is_integer(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool) or isinstance(v, Tensor) and v.ndim == 0 \
        and not (v.dtype.is_floating_point or v.dtype.is_complex)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample the spatial dims of an (N, C, *spatial) input to ``size`` or by ``scale_factor``.

    Modes: 'nearest', 'nearest-exact' and 'area' (1 to 3 spatial dims), 'linear' (3-D input), 'bilinear' and
    'bicubic' (4-D, ``antialias`` optional), 'lanczos' (4-D, antialias=True), 'trilinear' (5-D);
    ``align_corners`` for the interpolating modes, ``recompute_scale_factor`` as torch (the output size then
    decides the sampling positions).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> x = rustorch.tensor([[[0.0, 1.0, 2.0]]])
    >>> F.interpolate(x, scale_factor=2)
    tensor([[[0., 0., 1., 1., 2., 2.]]])
    >>> F.interpolate(x, size=5, mode="linear", align_corners=True)
    tensor([[[0.0000, 0.5000, 1.0000, 1.5000, 2.0000]]])
    """
    check_tensor("interpolate", input)
    if mode not in _INTERPOLATE_RANK:
        raise InvalidArgumentError(f"interpolate(): unknown mode {mode!r}; expected one of "
                                   "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise InvalidArgumentError("interpolate(): align_corners option can only be set with the interpolating "
                                       "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if input.ndim not in _INTERPOLATE_RANK[mode]:
        ranks = " or ".join(f"{r}-D" for r in _INTERPOLATE_RANK[mode])
        raise ShapeError(f"interpolate(): mode '{mode}' needs a {ranks} input (N, C, *spatial), got shape "
                         f"{_shape(input)}")
    dim = input.ndim - 2
    spatial = tuple(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise InvalidArgumentError("interpolate(): only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise InvalidArgumentError(
                    f"interpolate(): input and output must have the same number of spatial dimensions, but got input "
                    f"with spatial dimensions of {list(spatial)} and output size of {size}")
            if not all(_is_integer(s) for s in size):
                raise InvalidTypeError(f"interpolate(): expected size to be an int or a tuple of ints, got {size!r}")
            out_size = [int(s) for s in size]
        else:
            if not _is_integer(size):
                raise InvalidTypeError(f"interpolate(): expected size to be an int or a tuple of ints, got {size!r}")
            out_size = [int(size)] * dim
        scales = [None] * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise InvalidArgumentError(
                    f"interpolate(): input and scale_factor must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(spatial)} and scale_factor of shape {scale_factor}")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        out_size = [int(n * s) for n, s in zip(spatial, scales)]
        if recompute_scale_factor or mode == "area":  # the sampling then follows the integer output size
            scales = [None] * dim
    else:
        raise InvalidArgumentError("interpolate(): either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise InvalidArgumentError("interpolate(): recompute_scale_factor is not meaningful with an explicit size.")
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise InvalidArgumentError("interpolate(): anti-alias option is restricted to bilinear, bicubic, and lanczos "
                                   "modes and requires a 4-D tensor as input")
    if mode == "lanczos" and (align_corners or not antialias):
        raise InvalidArgumentError("interpolate(): lanczos mode requires antialias=True and does not support "
                                   "align_corners=True")
    if any(n <= 0 for n in spatial) or any(n <= 0 for n in out_size):
        raise ShapeError(f"interpolate(): input and output sizes should be greater than 0, but got input "
                         f"{list(spatial)} and output {out_size} (input shape {_shape(input)})")
    if mode not in ("nearest", "nearest-exact") and not input.dtype.is_floating_point:
        raise DTypeError(f"interpolate(): mode '{mode}' needs a floating point input, got {input.dtype}")
    f64 = input.dtype.itemsize == 8
    maps = []
    # the last dim first, as torch's separable kernels
    for i in reversed(range(dim)):
        n_in, n_out, s = spatial[i], out_size[i], scales[i]
        if mode in ("nearest", "nearest-exact"):
            taps = _nearest_taps(n_in, n_out, s, mode == "nearest-exact", f64)
        elif mode == "area":
            taps = _area_taps(n_in, n_out, f64)
        elif antialias:
            if n_in == n_out:
                continue
            taps = _antialias_taps(n_in, n_out, s, align_corners, mode, f64)
        elif mode == "bicubic":
            taps = _cubic_taps(n_in, n_out, s, align_corners, f64)
        else:
            taps = _linear_taps(n_in, n_out, s, align_corners, f64)
        maps.append((2 + i, taps))
    name = {"nearest": f"UpsampleNearest{dim}D", "nearest-exact": f"UpsampleNearestExact{dim}D",
            "area": f"AdaptiveAvgPool{dim}D", "linear": "UpsampleLinear1D", "bilinear": "UpsampleBilinear2D",
            "bicubic": "UpsampleBicubic2D", "trilinear": "UpsampleTrilinear3D", "lanczos": "UpsampleLanczos2D"}[mode]
    if antialias:
        name += "Aa"
    return _resample(input, maps, (f"{name}Backward0", f"{name}BackwardBackward0"))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate` (warns, as torch).

    >>> import warnings
    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     F.upsample(rustorch.ones(1, 1, 2), scale_factor=2).shape
    rustorch.Size([1, 1, 4])
    """
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``.

    >>> import warnings
    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     F.upsample_nearest(rustorch.ones(1, 1, 2, 2), size=3).shape
    rustorch.Size([1, 1, 3, 3])
    """
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``.

    >>> import warnings
    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     F.upsample_bilinear(rustorch.tensor([[[[0.0, 1.0]]]]), size=(1, 3))
    tensor([[[[0.0000, 0.5000, 1.0000]]]])
    """
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# --- pixel and channel shuffles --------------------------------------------------------------------------------

def pixel_shuffle(input, upscale_factor):
    """(*, C r^2, H, W) -> (*, C, H r, W r): each group of r^2 channels becomes an r x r block of pixels.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.pixel_shuffle(rustorch.arange(4.0).view(1, 4, 1, 1), 2)
    tensor([[[[0., 1.],
              [2., 3.]]]])
    """
    check_tensor("pixel_shuffle", input)
    r = as_int("pixel_shuffle", "upscale_factor", upscale_factor)
    if input.ndim < 3:
        raise ShapeError(f"pixel_shuffle(): expects input to have at least 3 dimensions, but got input of shape "
                         f"{_shape(input)}")
    if r <= 0:
        raise ValueOutOfRangeError(f"pixel_shuffle(): expects a positive upscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise ShapeError(f"pixel_shuffle(): expects its input's 'channel' dimension to be divisible by the square of "
                         f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r} (input shape "
                         f"{_shape(input)})")
    n = len(batch)
    x = views.reshape(input, (*batch, c // (r * r), r, r, h, w))
    x = views.permute(x, (*range(n), n, n + 3, n + 1, n + 4, n + 2))
    return views.reshape(x, (*batch, c // (r * r), h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H r, W r) -> (*, C r^2, H, W), the inverse of :func:`pixel_shuffle`.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.pixel_unshuffle(rustorch.arange(4.0).view(1, 1, 2, 2), 2).flatten()
    tensor([0., 1., 2., 3.])
    """
    check_tensor("pixel_unshuffle", input)
    r = as_int("pixel_unshuffle", "downscale_factor", downscale_factor)
    if input.ndim < 3:
        raise ShapeError(f"pixel_unshuffle(): expects input to have at least 3 dimensions, but got input of shape "
                         f"{_shape(input)}")
    if r <= 0:
        raise ValueOutOfRangeError(f"pixel_unshuffle(): expects a positive downscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    for name, size in (("height", h), ("width", w)):
        if size % r:
            raise ShapeError(f"pixel_unshuffle(): expects {name} to be divisible by downscale_factor, but input of "
                             f"shape {_shape(input)} has {name} {size}, not divisible by {r}")
    n = len(batch)
    x = views.reshape(input, (*batch, c, h // r, r, w // r, r))
    x = views.permute(x, (*range(n), n, n + 2, n + 4, n + 1, n + 3))
    return views.reshape(x, (*batch, c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """(N, g * k, *) -> (N, k * g, *): channel c = i k + j moves to j g + i (ShuffleNet's shuffle).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.channel_shuffle(rustorch.arange(6.0).view(1, 6, 1), 2).flatten()
    tensor([0., 3., 1., 4., 2., 5.])
    """
    check_tensor("channel_shuffle", input)
    g = as_int("channel_shuffle", "groups", groups)
    if input.ndim <= 2:
        raise ShapeError(f"channel_shuffle(): expects input with > 2 dims, but got input of shape {_shape(input)}")
    if g <= 0:
        raise ValueOutOfRangeError(f"channel_shuffle(): number of groups to divide channels in must be positive, got {g}")
    n, c, *rest = input.shape
    if c % g:
        raise ShapeError(f"channel_shuffle(): number of channels must be divisible by groups. Got {c} channels and "
                         f"{g} groups (input shape {_shape(input)})")
    x = views.transpose(views.reshape(input, (n, g, c // g, *rest)), 1, 2)
    return views.reshape(x, input.shape)


# --- sliding blocks --------------------------------------------------------------------------------------------

def _block_args(op, kernel_size, dilation, padding, stride):
    k, d, p, s = (_ints(op, name, v, 2) for name, v in (("kernel_size", kernel_size), ("dilation", dilation),
                                                        ("padding", padding), ("stride", stride)))
    for name, v, least in (("kernel_size", k, 1), ("dilation", d, 1), ("padding", p, 0), ("stride", s, 1)):
        if min(v) < least:
            raise ValueOutOfRangeError(f"{op}(): {name} should be {'non-negative' if least == 0 else 'positive'}, "
                                       f"got {v}")
    return k, d, p, s


def _blocks(op, size, k, d, p, s):
    """The number of sliding blocks along each of the two dims."""
    blocks = tuple((size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2))
    if min(blocks) < 1:
        raise ShapeError(f"{op}(): given input with spatial size {tuple(size)}, kernel_size={k}, dilation={d}, "
                         f"padding={p}, calculated shape of the array of sliding blocks as {blocks}, but its "
                         "components must be at least one")
    return blocks


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: the sliding (C, kh, kw) blocks of an (N, C, H, W) (or (C, H, W)) input as the columns of an
    (N, C kh kw, L) result, L being the number of blocks.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.unfold(rustorch.arange(9.0).view(1, 1, 3, 3), kernel_size=2)
    tensor([[[0., 1., 3., 4.],
             [1., 2., 4., 5.],
             [3., 4., 6., 7.],
             [4., 5., 7., 8.]]])
    """
    check_tensor("unfold", input)
    k, d, p, s = _block_args("unfold", kernel_size, dilation, padding, stride)
    if input.ndim not in (3, 4) or any(n == 0 for n in input.shape[-3:]):
        raise ShapeError(f"unfold(): expected a 3-D or 4-D (batch mode) input with possibly 0 batch size and other "
                         f"non-zero dimensions, got shape {_shape(input)}")
    size = input.shape[-2:]
    oh, ow = _blocks("unfold", size, k, d, p, s)
    with no_grad():
        x = input if input.ndim == 4 else views.unsqueeze(input, 0)
        if p != (0, 0):
            x = _constant_pad(x, (p[1], p[1], p[0], p[0]), 0)
        n, c = x.shape[:2]
        sn, sc, sh, sw = x.stride()
        # every block at once: a strided view (N, C, kh, kw, oh, ow), copied into the column layout
        blocks = views.as_strided(x, (n, c, k[0], k[1], oh, ow),
                                  (sn, sc, d[0] * sh, d[1] * sw, s[0] * sh, s[1] * sw), x.storage_offset())
        cols = views.reshape(blocks, (n, c * k[0] * k[1], oh * ow) if input.ndim == 4 else (c * k[0] * k[1], oh * ow))
    if STATE.enabled and input.requires_grad:
        record("Im2ColBackward0", _unfold_backward, (input,), cols, (tuple(size), k, d, p, s))
    return cols


def _unfold_backward(node, grad, size, k, d, p, s):
    return fold(grad, size, k, d, p, s)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: sums the (C kh kw)-sized columns of an (N, C kh kw, L) input (or (C kh kw, L)) back into an
    (N, C, *output_size) result; overlapping blocks add up. The adjoint of :func:`unfold`.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.fold(rustorch.ones(1, 4, 4), output_size=(3, 3), kernel_size=2)
    tensor([[[[1., 2., 1.],
              [2., 4., 2.],
              [1., 2., 1.]]]])
    """
    check_tensor("fold", input)
    size = _ints("fold", "output_size", output_size, 2)
    k, d, p, s = _block_args("fold", kernel_size, dilation, padding, stride)
    if input.ndim not in (2, 3) or any(n == 0 for n in input.shape[-2:]):
        raise ShapeError(f"fold(): expected a 2-D or 3-D (batch mode) input with possibly 0 batch size and non-zero "
                         f"dimensions, got shape {_shape(input)}")
    rows, length = input.shape[-2:]
    if rows % (k[0] * k[1]):
        raise ShapeError(f"fold(): expected size of input's dimension {input.ndim - 2} to be divisible by the product "
                         f"of kernel_size {k}, but got input of shape {_shape(input)}")
    oh, ow = _blocks("fold", size, k, d, p, s)
    if length != oh * ow:
        raise ShapeError(f"fold(): given output_size={size}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
                         f"expected size of input's dimension {input.ndim - 1} to match the calculated number of "
                         f"sliding blocks {oh} * {ow} = {oh * ow}, but got input of shape {_shape(input)}")
    c = rows // (k[0] * k[1])
    with no_grad():
        cols = input if input.ndim == 3 else views.unsqueeze(input, 0)
        n = cols.shape[0]
        cols = views.reshape(cols, (n, c, k[0], k[1], oh, ow))
        out = creation.zeros((n, c, size[0] + 2 * p[0], size[1] + 2 * p[1]), dtype=input.dtype, device=input.device)
        # one strided add per kernel offset: the blocks it covers, in every image and channel at once
        for i, j in itertools.product(range(k[0]), range(k[1])):
            rows_i = slice(i * d[0], i * d[0] + s[0] * (oh - 1) + 1, s[0])
            cols_j = slice(j * d[1], j * d[1] + s[1] * (ow - 1) + 1, s[1])
            out[:, :, rows_i, cols_j].add_(cols[:, :, i, j])
        if p != (0, 0):
            out = out[:, :, p[0]:p[0] + size[0], p[1]:p[1] + size[1]].contiguous()
        if input.ndim == 2:
            out = views.squeeze(out, 0)
    if STATE.enabled and input.requires_grad:
        record("Col2ImBackward0", _fold_backward, (input,), out, (k, d, p, s))
    return out


def _fold_backward(node, grad, k, d, p, s):
    return unfold(grad, k, d, p, s)


# --- sampling grids --------------------------------------------------------------------------------------------

def _base_coordinates(steps, align_corners, like):
    """affine_grid's normalised pixel positions in [-1, 1] along one dim (torch's linspace_from_neg_one)."""
    if steps <= 1:
        return creation.zeros(max(steps, 1), dtype=like.dtype, device=like.device)
    r = creation.linspace(-1, 1, steps, dtype=like.dtype, device=like.device)
    return r if align_corners else r * (steps - 1) / steps


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of the affine maps ``theta`` (N, 2, 3) for a 4-D ``size`` (N, C, H, W), or (N, 3, 4)
    for a 5-D size: grid[n, ..., :] = theta[n] @ (x, y[, z], 1), in grid_sample's normalised coordinates.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> theta = rustorch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    >>> F.affine_grid(theta, (1, 1, 2, 2), align_corners=True)[0, 1]
    tensor([[-1.,  1.],
            [ 1.,  1.]])
    """
    check_tensor("affine_grid", theta)
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                      "Please specify align_corners=True if the old behavior is desired.", stacklevel=2)
        align_corners = False
    if not theta.dtype.is_floating_point:
        raise DTypeError(f"affine_grid(): expected theta to have floating point type, but got {theta.dtype}")
    size = [as_int("affine_grid", "size", s) for s in size]
    if len(size) not in (4, 5):
        raise ShapeError(f"affine_grid(): only supports 4-D and 5-D sizes, for 2-D and 3-D affine transforms, "
                         f"respectively; got size {size}")
    nd = len(size) - 2
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (nd, nd + 1) or theta.shape[0] != size[0]:
        raise ShapeError(f"affine_grid(): expected a batch of {nd}-D affine matrices of shape "
                         f"({size[0]}, {nd}, {nd + 1}) for size {size}, got theta of shape {_shape(theta)}")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid.", stacklevel=2)
    elif min(size) <= 0:
        raise ShapeError(f"affine_grid(): expected a non-zero, positive output size, got {size}")
    # the homogeneous positions (x, y[, z], 1) of every output pixel, x running along the last dim
    coords = [_base_coordinates(n, align_corners, theta) for n in reversed(spatial)]
    positions = []
    for i, c in enumerate(coords):
        d = nd - 1 - i  # the spatial dim x_i runs along
        positions.append(views.broadcast_to(views.reshape(c, [-1 if k == d else 1 for k in range(nd)]), spatial))
    positions.append(creation.ones(spatial, dtype=theta.dtype, device=theta.device))
    base = views.reshape(stack(positions, -1), (1, -1, nd + 1))
    grid = contraction.matmul(base, views.transpose(theta, 1, 2))
    return views.reshape(grid, (size[0], *spatial, nd))


def _unnormalize(x, size, align_corners):
    """grid_sample's [-1, 1] coordinates in input pixels (torch's CPU kernel's arithmetic)."""
    return (x + 1) * ((size - 1) / 2) if align_corners else (x + 1) * (size / 2) - 0.5


def _inside(x, size):
    """x clipped to [0, size - 1], with gradient 1 strictly inside only (torch counts the borders as outside)."""
    clipped = elementwise.clamp(x.detach(), 0, size - 1)
    return indexing.where(elementwise.logical_and(x > 0, x < size - 1), x, clipped)


def _reflect(x, size, align_corners):
    """x reflected into [0, size - 1] (align_corners) or [-0.5, size - 0.5], then clipped to the pixels."""
    span = 2 * (size - 1) if align_corners else 2 * size
    if span == 0:
        return creation.zeros_like(x)
    low = 0.0 if align_corners else -0.5
    t = x - low
    t = indexing.where(t < 0, -t, t)
    flips = elementwise.trunc(t.detach() / span)
    extra = t - flips * span
    t = indexing.where(extra > span - extra, span - extra, extra)
    return _inside(t + low, size)


def _sample_coordinate(x, size, padding_mode, align_corners):
    if padding_mode == "border":
        return _inside(x, size)
    if padding_mode == "reflection":
        return _reflect(x, size, align_corners)
    return x


def _cubic_coefficients(t):
    a = -0.75
    u = 1 - t
    return [((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a, ((a + 2) * t - (a + 3)) * t * t + 1,
            ((a + 2) * u - (a + 3)) * u * u + 1, ((a * (u + 1) - 5 * a) * (u + 1) + 8 * a) * (u + 1) - 4 * a]


def _sample_taps(x, size, mode, padding_mode, align_corners):
    """The (position, weight) pairs one spatial coordinate ``x`` reads: positions are detached float tensors,
    weights carry the gradient of the grid."""
    if mode == "nearest":
        r = elementwise.round(x)  # half to even, as nearbyint; its gradient is zero, as torch's
        return [(r.detach(), r - r.detach() + 1)]
    x0 = elementwise.floor(x.detach())
    if mode == "bilinear":
        return [(x0, (x0 + 1) - x), (x0 + 1, x - x0)]
    taps = []
    for k, w in enumerate(_cubic_coefficients(x - x0)):
        # bicubic pads each tap position (no gradient flows through the padding of integer positions)
        taps.append((_sample_coordinate(x0 + (k - 1), size, padding_mode, align_corners).detach(), w))
    return taps


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` (N, C, H, W) at the normalised positions ``grid`` (N, H_out, W_out, 2) holding (x, y)
    in [-1, 1], or a 5-D input at a (N, D_out, H_out, W_out, 3) grid. ``mode`` 'bilinear', 'nearest' or
    'bicubic' (4-D), ``padding_mode`` 'zeros', 'border' or 'reflection' for positions outside.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> image = rustorch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    >>> F.grid_sample(image, rustorch.tensor([[[[0.0, 0.0], [1.0, -1.0]]]]), align_corners=True)
    tensor([[[[1.5000, 1.0000]]]])
    """
    check_tensor("grid_sample", input)
    check_tensor("grid_sample", grid, "grid")
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise InvalidArgumentError(f"grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: "
                                   f"{mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise InvalidArgumentError(f"grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', "
                                   f"but got: {padding_mode!r}")
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                      "Please specify align_corners=True if the old behavior is desired.", stacklevel=2)
        align_corners = False
    if input.ndim not in (4, 5) or grid.ndim != input.ndim or grid.shape[-1] != input.ndim - 2 \
            or grid.shape[0] != input.shape[0]:
        raise ShapeError(f"grid_sample(): expected a 4-D input with a (N, H_out, W_out, 2) grid or a 5-D input with a "
                         f"(N, D_out, H_out, W_out, 3) grid, with the same batch size, but got input of shape "
                         f"{_shape(input)} and grid of shape {_shape(grid)}")
    if mode == "bicubic" and input.ndim != 4:
        raise ShapeError(f"grid_sample(): bicubic interpolation only supports 4-D input, got shape {_shape(input)}")
    if any(s == 0 for s in input.shape[2:]):
        raise ShapeError(f"grid_sample(): expected input to have non-empty spatial dimensions, got shape "
                         f"{_shape(input)}")
    if input.dtype != grid.dtype or not input.dtype.is_floating_point:
        raise DTypeError(f"grid_sample(): expected input and grid to have the same floating point dtype, but input "
                         f"has {input.dtype} and grid has {grid.dtype}")
    nd = input.ndim - 2
    n, c, spatial = input.shape[0], input.shape[1], input.shape[2:]
    out_spatial = grid.shape[1:-1]
    g = views.reshape(grid, (n, -1, nd))
    taps_per_dim = []  # in the input's dim order (D,) H, W; the grid holds (x, y[, z]), x for the last dim
    for k, size in enumerate(spatial):
        x = _unnormalize(views.select(g, 2, nd - 1 - k), size, align_corners)
        if mode != "bicubic":
            x = _sample_coordinate(x, size, padding_mode, align_corners)
        taps_per_dim.append(_sample_taps(x, size, mode, padding_mode, align_corners))
    strides = [math.prod(spatial[k + 1:]) for k in range(nd)]
    indices, weights = [], []
    # every combination of one tap per dim: its flat input position, and its weight (0 outside the input)
    for combo in itertools.product(*taps_per_dim):
        flat, weight, valid = 0, 1, None
        for (pos, w), size, stride in zip(combo, spatial, strides):
            inside = elementwise.logical_and(pos >= 0, pos <= size - 1)
            valid = inside if valid is None else elementwise.logical_and(valid, inside)
            flat = flat + elementwise.clamp(pos, 0, size - 1) * stride
            weight = w * weight
        indices.append(flat)
        weights.append(indexing.where(valid, weight, 0))
    hw = math.prod(spatial)
    # channels last, so that each tap reads one contiguous row of C values
    rows = views.reshape(views.movedim(input, 1, -1), (n * hw, c))
    batch = views.reshape(creation.arange(n, device=input.device) * hw, (n, 1, 1))
    index = views.reshape((stack(indices, 1).long() + batch), (-1,))  # (N * taps * P,)
    taps = views.reshape(indexing.index_select(rows, 0, index), (n, len(indices), -1, c))
    out = reduction.sum(taps * views.unsqueeze(stack(weights, 1), 3), 1)  # (N, P, C)
    return views.reshape(views.movedim(out, 2, 1), (n, c, *out_spatial)).contiguous()


# --- distances -------------------------------------------------------------------------------------------------

def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps over the last dim (inputs broadcast).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.pairwise_distance(rustorch.tensor([[0.0, 0.0]]), rustorch.tensor([[3.0, 4.0]]), eps=0.0)
    tensor([5.])
    """
    check_tensor("pairwise_distance", x1, "x1")
    check_tensor("pairwise_distance", x2, "x2")
    dim = max(x1.ndim, x2.ndim) - 1
    return reduction.norm(x1 - x2 + eps, p, dim if dim >= 0 else -1, keepdim)


def pdist(input, p=2):
    """The p-norm distances between every pair of rows i < j of an (N, M) input: a vector of N (N - 1) / 2,
    ordered as the upper triangle of the distance matrix, row by row.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.pdist(rustorch.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]]))
    tensor([ 5., 10.,  5.])
    """
    check_tensor("pdist", input)
    if input.ndim != 2:
        raise ShapeError(f"pdist(): only supports 2-D tensors, got shape {_shape(input)}")
    if not input.dtype.is_floating_point:
        raise DTypeError(f"pdist(): only supports floating-point dtypes, got {input.dtype}")
    if p < 0:
        raise ValueOutOfRangeError(f"pdist(): only supports non-negative p values, got {p}")
    n = input.shape[0]
    rows, cols = np.triu_indices(n, 1)
    upper = creation.tensor(rows * n + cols, device=input.device)
    with no_grad():
        # the whole distance matrix from broadcast differences, then its upper triangle
        distances = _distance_matrix(input, p)
        out = indexing.index_select(views.reshape(distances, (-1,)), 0, upper)
    if STATE.enabled and input.requires_grad:
        record("PdistBackward0", _pdist_backward, (input,), out, (input, p, upper, distances))
    return out


def _distance_matrix(x, p, diff=None):
    diff = views.unsqueeze(x, 1) - views.unsqueeze(x, 0) if diff is None else diff
    if p == 2 and not STATE.enabled:  # norm's own path for the graph: its gradient is 0 at the zero diagonal
        return elementwise.sqrt(reduction.sum(diff * diff, 2))
    return reduction.norm(diff, p, 2)


def _pdist_backward(node, grad, x, p, upper, distances):
    # torch's _pdist_backward: row i gets sum_j g_ij dd_ij/d(x_i - x_j), the derivative being odd in x_i - x_j,
    # so one batched product of the symmetric (N, N) gradient with the (N, N, M) derivatives covers i < j and i > j
    n = x.shape[0]
    if p == 0 or n < 2:
        return creation.zeros_like(x)
    diff = views.unsqueeze(x, 1) - views.unsqueeze(x, 0)
    if STATE.enabled:  # create_graph: the distances must carry their own history
        distances = _distance_matrix(x, p, diff)
    g = views.reshape(indexing.index_put(creation.zeros(n * n, dtype=grad.dtype, device=grad.device), (upper,), grad),
                      (n, n))
    g = g + views.t(g)
    safe = indexing.where(distances == 0, 1, distances)
    if p == 2:
        coeff = indexing.where(distances == 0, 0, g / safe)
        return views.squeeze(contraction.matmul(views.unsqueeze(coeff, 1), diff), 1)
    if p == 1:
        derivative = elementwise.sign(diff)
    elif math.isinf(p):
        derivative = elementwise.sign(diff) * (elementwise.abs(diff) == views.unsqueeze(distances, 2))
    else:
        # sign(diff) |diff|^(p-1) / d^(p-1), 0 where diff is 0 (the diagonal, coincident coordinates)
        derivative = elementwise.sign(diff) * elementwise.abs(diff) ** (p - 1)
        if p < 1:
            derivative = indexing.where(diff == 0, 0, derivative)
        derivative = derivative / views.unsqueeze(safe ** (p - 1), 2)
    g = indexing.where(distances == 0, 0, g)
    return views.squeeze(contraction.matmul(views.unsqueeze(g, 1), derivative), 1)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """x1 . x2 / (max(|x1|, eps) max(|x2|, eps)) along ``dim``, inputs broadcast (torch's formula: each input is
    divided by its clamped norm first).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.cosine_similarity(rustorch.tensor([[1.0, 0.0], [0.0, 3.0]]), rustorch.tensor([[2.0, 0.0], [-1.0, 0.0]]))
    tensor([1., 0.])
    """
    check_tensor("cosine_similarity", x1, "x1")
    check_tensor("cosine_similarity", x2, "x2")
    common = _dtype.promote_types(x1.dtype, x2.dtype)
    if not common.is_floating_point:
        raise DTypeError(f"cosine_similarity(): expected common dtype to be floating point, yet common dtype is "
                         f"{common} (x1 {x1.dtype}, x2 {x2.dtype})")
    x1, x2 = (x if x.dtype.is_floating_point or x.dtype.is_complex else x.to(common) for x in (x1, x2))
    x1, x2 = views.broadcast_tensors(x1, x2)
    n1 = creation.clone(reduction.norm(x1, 2, dim, True))
    n2 = creation.clone(reduction.norm(x2, 2, dim, True))
    with no_grad():
        # clamped in place without recording, as torch: the gradient flows as if the norms were not clamped
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return reduction.sum((x1 / n1) * (x2 / n2), dim)


__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle", "unfold", "fold", "affine_grid", "grid_sample",
           "pairwise_distance", "pdist", "cosine_similarity"]
