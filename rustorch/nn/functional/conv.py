"""rustorch.nn.functional: convolutions over 1 to 3 spatial dims, and their transposes.

A convolution is im2col (the backend unfolds the input's sliding windows
into columns), one batched GEMM of the weight with the columns (per sample
and group), and a bias add. Its backward node uses the same pieces: the
input gradient is the GEMM of the transposed weight with the output
gradient, folded back by col2im; the weight gradient is the GEMM of the
output gradient with the columns (unfolded again rather than kept: they are
prod(kernel) times the input's size); the bias gradient is a sum. A
transposed convolution is that input gradient used as a forward. The
backward formulas are written with differentiable ops (``_im2col`` and
``_col2im`` record nodes that are each other's backward), so they can be
differentiated again under ``create_graph``.

>>> import rustorch
>>> import rustorch.nn.functional as F
>>> F.conv2d(rustorch.ones(1, 1, 3, 3), rustorch.ones(1, 1, 2, 2))
tensor([[[[4., 4.],
          [4., 4.]]]])
"""
import numpy as np

from ...autograd.graph import needs_grad, record
from ...errors import DTypeError, InvalidArgumentError, InvalidTypeError, ShapeError, ValueOutOfRangeError
from ...ops._common import as_int, check_same_device, check_tensor, empty_tensor
from ...ops.contraction import _matmul, _reshaped, matmul
from ...ops.creation import tensor
from ...ops.indexing import index_select
from ...ops.reduction import sum as _sum
from ...ops.views import reshape, squeeze, transpose, unsqueeze
from ...tensor import numel_of


# argument helpers (shared with pooling.py and the conv modules) ------------------------------
def _ntuple(op, name, value, n):
    """An int or a sequence of ``n`` ints (or of one, repeated) as a tuple of ``n`` Python ints (torch's
    _single/_pair/_triple)."""
    values = tuple(value) if isinstance(value, (list, tuple)) else (value,) * n
    if len(values) == 1:
        values *= n
    if len(values) != n:
        raise InvalidArgumentError(f"{op}(): {name} must be an int or a sequence of {n} ints, got {value}")
    return tuple(as_int(op, name, v) for v in values)


def _check_float(op, t, name="input"):
    if not t.dtype.is_floating_point:
        raise DTypeError(f"{op}(): expected {name} of a floating dtype (float16, bfloat16, float32 or float64), "
                         f"got {t.dtype}")


def _batched(op, input, nsp):
    """``input`` with a batch dim (an unbatched (C, *spatial) input gets one) and whether it had one."""
    check_tensor(op, input)
    if input.ndim == nsp + 2:
        return input, True
    if input.ndim == nsp + 1:
        return unsqueeze(input, 0), False
    raise ShapeError(f"{op}(): expected {nsp + 1}D (unbatched) or {nsp + 2}D (batched) input, but got input of "
                     f"size: {list(input.shape)}")


def _raw(t):
    """``t``'s values in a contiguous layout, for a backend primitive (cut from the graph if copied)."""
    return t if t.is_contiguous() else t.detach().contiguous()


def _is_identity(kernel, stride, padding, in_size, out_size):
    # a 1x1 window moved by 1 without padding: the columns are the input itself
    return all(k == 1 for k in kernel) and all(s == 1 for s in stride) and not any(padding) and in_size == out_size


# im2col and col2im as differentiable ops -----------------------------------------------------
def _unfold(x, kernel, stride, padding, dilation, out_size):
    """The columns (N, C * prod(kernel), *out_size) of ``x``'s sliding windows, recording nothing."""
    if _is_identity(kernel, stride, padding, tuple(x._shape[2:]), tuple(out_size)):
        return x
    x = _raw(x)
    cols = empty_tensor(tuple(x._shape[:1]) + (x._shape[1] * numel_of(kernel),) + tuple(out_size), x.dtype, x.device)
    if cols.numel():
        x._storage.backend.im2col(x, cols, kernel, stride, padding, dilation)
    return cols


def _fold(cols, kernel, stride, padding, dilation, in_size):
    """The adjoint of ``_unfold``: (N, C * prod(kernel), *out) columns summed back into (N, C, *in_size)."""
    if _is_identity(kernel, stride, padding, tuple(in_size), tuple(cols._shape[2:])):
        return cols
    cols = _raw(cols)
    x = empty_tensor(tuple(cols._shape[:1]) + (cols._shape[1] // numel_of(kernel),) + tuple(in_size), cols.dtype,
                     cols.device)
    if x.numel():
        cols._storage.backend.col2im(cols, x, kernel, stride, padding, dilation)
    return x


def _im2col(x, kernel, stride, padding, dilation, out_size):
    """``_unfold`` recorded for autograd (torch's Im2ColBackward0); ``padding`` is the padding before the data."""
    cols = _unfold(x, kernel, stride, padding, dilation, out_size)
    if cols is not x and needs_grad(x):
        record("Im2ColBackward0", _im2col_backward, (x,), cols, (kernel, stride, padding, dilation, tuple(x._shape[2:])))
    return cols


def _im2col_backward(node, grad, kernel, stride, padding, dilation, in_size):
    return _col2im(grad, kernel, stride, padding, dilation, in_size)


def _col2im(cols, kernel, stride, padding, dilation, in_size):
    """``_fold`` recorded for autograd (torch's Col2ImBackward0)."""
    x = _fold(cols, kernel, stride, padding, dilation, in_size)
    if x is not cols and needs_grad(cols):
        record("Col2ImBackward0", _col2im_backward, (cols,), x,
               (kernel, stride, padding, dilation, tuple(cols._shape[2:])))
    return x


def _col2im_backward(node, grad, kernel, stride, padding, dilation, out_size):
    return _im2col(grad, kernel, stride, padding, dilation, out_size)


# convolution ---------------------------------------------------------------------------------
def _check_weight(op, nsp, x, weight, bias, groups, transposed):
    check_tensor(op, weight, "weight")
    _check_float(op, x)
    tensors = (x, weight) if bias is None else (x, weight, check_tensor(op, bias, "bias"))
    check_same_device(op, *tensors)
    for t in tensors[1:]:
        if t.dtype is not x.dtype:
            raise DTypeError(f"{op}(): input type ({x.dtype}) and {'weight' if t is weight else 'bias'} type "
                             f"({t.dtype}) should be the same")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise InvalidTypeError(f"{op}(): groups must be an int, got {groups!r}")
    if groups <= 0:
        raise ValueOutOfRangeError(f"{op}(): non-positive groups is not supported, got groups={groups}")
    if weight.ndim != nsp + 2:
        raise ShapeError(f"{op}(): expected a {nsp + 2}-D weight "
                         f"({'in_channels, out_channels/groups' if transposed else 'out_channels, in_channels/groups'}"
                         f", *kernel_size), got weight of size {list(weight.shape)}")
    per_group = weight.shape[0] if transposed else weight.shape[1] * groups
    if x.shape[1] != per_group:
        raise ShapeError(f"{op}(): given groups={groups}, weight of size {list(weight.shape)}, expected "
                         f"input{list(x.shape)} to have {per_group} channels, but got {x.shape[1]} channels instead")
    if transposed and weight.shape[0] % groups:
        raise ShapeError(f"{op}(): given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                         f"but got weight of size {list(weight.shape)} instead")
    if not transposed and weight.shape[0] % groups:
        raise ShapeError(f"{op}(): given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                         f"but got weight of size {list(weight.shape)} instead")
    out_channels = weight.shape[1] * groups if transposed else weight.shape[0]
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ShapeError(f"{op}(): given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
                         f"{out_channels} elements, but got bias of size {list(bias.shape)} instead")


def _check_geometry(op, stride, padding, dilation):
    if any(s <= 0 for s in stride):
        raise ValueOutOfRangeError(f"{op}(): non-positive stride is not supported, got stride={stride}")
    if any(p < 0 for p in padding):
        raise ValueOutOfRangeError(f"{op}(): negative padding is not supported, got padding={padding}")
    if any(d <= 0 for d in dilation):
        raise ValueOutOfRangeError(f"{op}(): dilation should be greater than zero, got dilation={dilation}")


def _same_padding(kernel, dilation):
    """torch's padding='same': d * (k - 1) in all, the odd element after the data."""
    before = tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation))
    after = tuple(d * (k - 1) - b for k, d, b in zip(kernel, dilation, before))
    return before, after


def _add_bias(out, bias):
    # out is a fresh (N, C, *spatial) result nobody else holds: add in place, broadcasting over N and spatial
    out.add_(reshape(bias.detach(), (bias.shape[0],) + (1,) * (out.ndim - 2)))


def _convolution(op, nsp, input, weight, bias, stride, padding, dilation, groups):
    x, batched = _batched(op, input, nsp)
    _check_weight(op, nsp, x, weight, bias, groups, False)
    kernel = tuple(weight.shape[2:])
    stride = _ntuple(op, "stride", stride, nsp)
    dilation = _ntuple(op, "dilation", dilation, nsp)
    if isinstance(padding, str):
        if padding == "valid":
            before = after = (0,) * nsp
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise InvalidArgumentError(f"{op}(): padding='same' is not supported for strided convolutions")
            before, after = _same_padding(kernel, dilation)
        else:
            raise InvalidArgumentError(f"{op}(): invalid padding string {padding!r}, should be one of 'valid', 'same'")
    else:
        before = after = _ntuple(op, "padding", padding, nsp)
    _check_geometry(op, stride, before, dilation)
    in_size = tuple(x.shape[2:])
    padded = tuple(i + b + a for i, b, a in zip(in_size, before, after))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if any(p < s for p, s in zip(padded, span)):
        raise ShapeError(f"{op}(): calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                         f"Kernel size: ({' x '.join(map(str, span))}). Kernel size can't be greater than actual "
                         f"input size")
    out_size = tuple((p - s) // st + 1 for p, s, st in zip(padded, span, stride))
    out = _conv_forward(x, weight, bias, (kernel, stride, before, dilation, groups, in_size, out_size))
    return out if batched else squeeze(out, 0)


def _conv_forward(x, weight, bias, geometry):
    """The convolution of (N, C_in, *in) ``x`` by (C_out, C_in/groups, *kernel) ``weight``, recorded as one node."""
    kernel, stride, padding, dilation, groups, in_size, out_size = geometry
    n, c_in = x.shape[:2]
    c_out = weight.shape[0]
    ckg = c_in // groups * numel_of(kernel)
    cols = _unfold(x, kernel, stride, padding, dilation, out_size)
    w = reshape(weight.detach(), (groups, c_out // groups, ckg))
    out = _matmul(w, reshape(cols.detach(), (n, groups, ckg, numel_of(out_size))))
    out = _reshaped(out, (n, c_out) + out_size)
    if bias is not None:
        _add_bias(out, bias)
    if needs_grad(x, weight, bias):
        # the columns are not kept (prod(kernel) times x's size, per layer): the backward unfolds x again
        record("ConvolutionBackward0", _conv_backward, (x, weight, bias), out, (x, weight, geometry))
    return out


def _conv_backward(node, grad, x, weight, geometry):
    kernel, stride, padding, dilation, groups, in_size, out_size = geometry
    need_x, need_w, need_b = node.needs_input_grad
    n, c_in = x.shape[:2]
    c_out = weight.shape[0]
    ckg = c_in // groups * numel_of(kernel)
    g = reshape(grad, (n, groups, c_out // groups, numel_of(out_size)))
    grad_x = grad_w = grad_b = None
    if need_x:
        # the columns' gradient is not bound to a name, so that it is freed before the weight's columns exist
        w_t = transpose(reshape(weight, (groups, c_out // groups, ckg)), -1, -2)
        grad_x = _col2im(reshape(matmul(w_t, g), (n, c_in * numel_of(kernel)) + out_size), kernel, stride, padding,
                         dilation, in_size)
    if need_w:
        # recorded under create_graph: the weight's gradient is then a function of x
        cols = _im2col(x, kernel, stride, padding, dilation, out_size)
        c = reshape(cols, (n, groups, ckg, numel_of(out_size)))
        # (cols @ grad^T)^T: this orientation of the GEMM runs ~7% faster than grad @ cols^T
        grad_w = reshape(transpose(_sum(matmul(c, transpose(g, -1, -2)), 0), -1, -2), weight.shape)
    if need_b:
        grad_b = _sum(grad, (0,) + tuple(range(2, grad.ndim)))
    return grad_x, grad_w, grad_b


def _conv_transposed(op, nsp, input, weight, bias, stride, padding, output_padding, groups, dilation):
    x, batched = _batched(op, input, nsp)
    _check_weight(op, nsp, x, weight, bias, groups, True)
    if isinstance(padding, str):
        raise InvalidArgumentError(f"{op}(): padding must be an int or a tuple of ints for a transposed "
                                   f"convolution, got {padding!r}")
    kernel = tuple(weight.shape[2:])
    stride = _ntuple(op, "stride", stride, nsp)
    padding = _ntuple(op, "padding", padding, nsp)
    dilation = _ntuple(op, "dilation", dilation, nsp)
    output_padding = _ntuple(op, "output_padding", output_padding, nsp)
    _check_geometry(op, stride, padding, dilation)
    if any(op_ < 0 or (op_ >= s and op_ >= d) for op_, s, d in zip(output_padding, stride, dilation)):
        raise ValueOutOfRangeError(f"{op}(): output padding must be smaller than either stride or dilation, but got "
                                   f"output_padding={output_padding}, stride={stride}, dilation={dilation}")
    in_size = tuple(x.shape[2:])
    out_size = tuple((i - 1) * s - 2 * p + d * (k - 1) + o + 1
                     for i, s, p, d, k, o in zip(in_size, stride, padding, dilation, kernel, output_padding))
    if any(o <= 0 for o in out_size):
        raise ShapeError(f"{op}(): given input size per channel: ({' x '.join(map(str, in_size))}), the calculated "
                         f"output size per channel ({' x '.join(map(str, out_size))}) is too small")
    out = _conv_transpose_forward(x, weight, bias, (kernel, stride, padding, dilation, groups, in_size, out_size))
    return out if batched else squeeze(out, 0)


def _conv_transpose_forward(x, weight, bias, geometry):
    """The transposed convolution of (N, C_in, *in) ``x`` by (C_in, C_out/groups, *kernel) ``weight``: the input
    gradient of the convolution whose input has this output's size, recorded as one node."""
    kernel, stride, padding, dilation, groups, in_size, out_size = geometry
    n, c_in = x.shape[:2]
    cg_k = weight.shape[1] * numel_of(kernel)
    w_t = transpose(reshape(weight.detach(), (groups, c_in // groups, cg_k)), -1, -2)
    cols = _matmul(w_t, reshape(_raw(x).detach(), (n, groups, c_in // groups, numel_of(in_size))))
    out = _fold(_reshaped(cols, (n, groups * cg_k) + in_size), kernel, stride, padding, dilation, out_size)
    if bias is not None:
        _add_bias(out, bias)
    if needs_grad(x, weight, bias):
        record("ConvolutionBackward0", _conv_transpose_backward, (x, weight, bias), out, (x, weight, geometry))
    return out


def _conv_transpose_backward(node, grad, x, weight, geometry):
    kernel, stride, padding, dilation, groups, in_size, out_size = geometry
    need_x, need_w, need_b = node.needs_input_grad
    n, c_in = x.shape[:2]
    cg_k = weight.shape[1] * numel_of(kernel)
    grad_x = grad_w = grad_b = None
    if need_x or need_w:
        cols = reshape(_im2col(grad, kernel, stride, padding, dilation, in_size),
                       (n, groups, cg_k, numel_of(in_size)))
        if need_x:
            grad_x = reshape(matmul(reshape(weight, (groups, c_in // groups, cg_k)), cols), x.shape)
        if need_w:
            xg = reshape(x, (n, groups, c_in // groups, numel_of(in_size)))
            grad_w = reshape(_sum(matmul(xg, transpose(cols, -1, -2)), 0), weight.shape)
    if need_b:
        grad_b = _sum(grad, (0,) + tuple(range(2, grad.ndim)))
    return grad_x, grad_w, grad_b


# padding modes of the conv layers (F.pad itself belongs to functional/vision.py) -----------
def _pad_index(n, before, after, mode):
    """The source position of each padded position along a dim of size ``n``."""
    i = np.arange(-before, n + after)
    if mode == "circular":
        return np.mod(i, n)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    # reflect: mirror about the first and the last element, which are not repeated
    i = np.abs(i)
    return (n - 1) - np.abs((n - 1) - i)


def _pad_nd(op, input, padding, mode):
    """``input`` (batched or not) padded on its last len(padding) dims by ``padding`` ((before, after) per dim)
    in ``mode`` ('reflect', 'replicate' or 'circular'), as one differentiable index_select per dim."""
    nsp = len(padding)
    for k, (before, after) in enumerate(padding):
        d = input.ndim - nsp + k
        n = input.shape[d]
        if before == 0 and after == 0:
            continue
        if mode == "reflect" and (before >= n or after >= n):
            raise ValueOutOfRangeError(f"{op}(): padding size should be less than the corresponding input dimension, "
                                       f"but got: padding ({before}, {after}) at dimension {d} of input "
                                       f"{list(input.shape)}")
        if mode == "circular" and (before > n or after > n):
            raise ValueOutOfRangeError(f"{op}(): padding value causes wrapping around more than once: padding "
                                       f"({before}, {after}) at dimension {d} of input {list(input.shape)}")
        index = tensor(_pad_index(n, before, after, mode), device=input.device)
        input = index_select(input, d, index)
    return input


# public functions ------------------------------------------------------------------------------
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution (cross-correlation, as torch) of (N, C_in, L) or (C_in, L) ``input`` by a
    (C_out, C_in/groups, k) ``weight``; ``padding`` may also be 'valid' or 'same'.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.conv1d(rustorch.tensor([[[1.0, 2.0, 3.0, 4.0]]]), rustorch.tensor([[[1.0, -1.0]]]))
    tensor([[[-1., -1., -1.]]])
    """
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of (N, C_in, H, W) or (C_in, H, W) ``input`` by a (C_out, C_in/groups, kH, kW) ``weight``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.conv2d(rustorch.ones(2, 4, 8, 8), rustorch.ones(6, 2, 3, 3), stride=2, padding=1, groups=2).shape
    rustorch.Size([2, 6, 4, 4])
    """
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution of (N, C_in, D, H, W) or (C_in, D, H, W) ``input`` by a (C_out, C_in/groups, kD, kH, kW)
    ``weight``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.conv3d(rustorch.ones(1, 2, 4, 4, 4), rustorch.ones(3, 2, 2, 2, 2), padding="same").shape
    rustorch.Size([1, 3, 4, 4, 4])
    """
    return _convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-D transposed convolution ("deconvolution") of (N, C_in, L) ``input`` by a (C_in, C_out/groups, k)
    ``weight``: the gradient of conv1d with respect to its input.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.conv_transpose1d(rustorch.tensor([[[1.0, 2.0]]]), rustorch.tensor([[[1.0, 1.0, 1.0]]]), stride=2)
    tensor([[[1., 1., 3., 2., 2.]]])
    """
    return _conv_transposed("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                            dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution of (N, C_in, H, W) ``input`` by a (C_in, C_out/groups, kH, kW) ``weight``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.conv_transpose2d(rustorch.ones(1, 4, 5, 5), rustorch.ones(4, 3, 3, 3), stride=2, padding=1,
    ...                    output_padding=1).shape
    rustorch.Size([1, 3, 10, 10])
    """
    return _conv_transposed("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                            dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-D transposed convolution of (N, C_in, D, H, W) ``input`` by a (C_in, C_out/groups, kD, kH, kW) ``weight``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.conv_transpose3d(rustorch.ones(1, 2, 3, 3, 3), rustorch.ones(2, 1, 2, 2, 2), stride=2).shape
    rustorch.Size([1, 1, 6, 6, 6])
    """
    return _conv_transposed("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups,
                            dilation)


__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
