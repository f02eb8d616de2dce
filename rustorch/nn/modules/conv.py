"""rustorch.nn: the convolution layers Conv1d/2d/3d and ConvTranspose1d/2d/3d, as torch.nn.

Weights have torch's shapes ((out, in/groups, *kernel), or (in, out/groups,
*kernel) when transposed) and torch's default initialisation
(kaiming_uniform_(a=sqrt(5)), bias uniform in +-1/sqrt(fan_in)).

>>> import rustorch
>>> rustorch.nn.Conv2d(3, 8, 3, padding=1, padding_mode="reflect")
Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), padding_mode=reflect)
"""
import math

from ...errors import InvalidArgumentError
from ...ops.creation import empty
from .. import functional as F
from .. import init
from ..functional.conv import _ntuple, _pad_nd
from ..parameter import Parameter
from .module import Module

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """What the convolution layers share: arguments, parameters, initialisation and repr."""

    _nsp = None  # spatial dims, set by each layer class

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        if groups <= 0:
            raise InvalidArgumentError(f"{name}: groups must be a positive integer, got {groups}")
        if in_channels % groups != 0:
            raise InvalidArgumentError(f"{name}: in_channels ({in_channels}) must be divisible by groups ({groups})")
        if out_channels % groups != 0:
            raise InvalidArgumentError(f"{name}: out_channels ({out_channels}) must be divisible by groups "
                                       f"({groups})")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise InvalidArgumentError(f"{name}: invalid padding string {padding!r}, should be one of "
                                           f"{{'same', 'valid'}}")
            if padding == "same" and any(s != 1 for s in stride):
                raise InvalidArgumentError(f"{name}: padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise InvalidArgumentError(f"{name}: padding_mode must be one of {set(_PADDING_MODES)}, but got "
                                       f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        # the padding of a non-zeros padding_mode, in F.pad's order (last dim first, before then after)
        if isinstance(padding, str):
            self._reversed_padding_repeated_twice = [0, 0] * len(kernel_size)
            if padding == "same":
                for d, k, i in zip(dilation, kernel_size, range(len(kernel_size) - 1, -1, -1)):
                    total = d * (k - 1)
                    self._reversed_padding_repeated_twice[2 * i] = total // 2
                    self._reversed_padding_repeated_twice[2 * i + 1] = total - total // 2
        else:
            self._reversed_padding_repeated_twice = [p for p in reversed(padding) for _ in range(2)]
        shape = (in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(empty(shape + tuple(kernel_size), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)


class _Conv(_ConvNd):
    """A convolution layer over ``_nsp`` spatial dims."""

    _conv = None  # the functional form

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        name, n = type(self).__name__, self._nsp
        super().__init__(in_channels, out_channels, _ntuple(name, "kernel_size", kernel_size, n),
                         _ntuple(name, "stride", stride, n),
                         padding if isinstance(padding, str) else _ntuple(name, "padding", padding, n),
                         _ntuple(name, "dilation", dilation, n), False, (0,) * n, groups, bias, padding_mode,
                         device, dtype)

    def _conv_forward(self, input, weight, bias):
        if self.padding_mode != "zeros":
            rp = self._reversed_padding_repeated_twice
            pairs = [(rp[2 * i], rp[2 * i + 1]) for i in reversed(range(self._nsp))]
            input = _pad_nd(type(self).__name__, input, pairs, self.padding_mode)
            return self._conv(input, weight, bias, self.stride, 0, self.dilation, self.groups)
        return self._conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L) or (C_in, L) inputs; weight (out_channels, in_channels/groups, k).

    >>> import rustorch
    >>> rustorch.nn.Conv1d(4, 6, 3, stride=2)(rustorch.ones(2, 4, 9)).shape
    rustorch.Size([2, 6, 4])
    """

    _nsp = 1
    _conv = staticmethod(F.conv1d)


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W) inputs; weight (out_channels, in_channels/groups,
    kH, kW).

    >>> import rustorch
    >>> rustorch.nn.Conv2d(4, 6, 3, padding="same", groups=2)(rustorch.ones(1, 4, 5, 5)).shape
    rustorch.Size([1, 6, 5, 5])
    """

    _nsp = 2
    _conv = staticmethod(F.conv2d)


class Conv3d(_Conv):
    """3-D convolution over (N, C_in, D, H, W) or (C_in, D, H, W) inputs.

    >>> import rustorch
    >>> rustorch.nn.Conv3d(2, 3, (1, 3, 3), padding=(0, 1, 1))(rustorch.ones(1, 2, 4, 5, 5)).shape
    rustorch.Size([1, 3, 4, 5, 5])
    """

    _nsp = 3
    _conv = staticmethod(F.conv3d)


class _ConvTransposeNd(_ConvNd):
    """A transposed convolution layer over ``_nsp`` spatial dims; only zero padding, as torch."""

    _conv = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        name, n = type(self).__name__, self._nsp
        if padding_mode != "zeros":
            raise InvalidArgumentError(f'Only "zeros" padding mode is supported for {name}')
        super().__init__(in_channels, out_channels, _ntuple(name, "kernel_size", kernel_size, n),
                         _ntuple(name, "stride", stride, n), _ntuple(name, "padding", padding, n),
                         _ntuple(name, "dilation", dilation, n), True,
                         _ntuple(name, "output_padding", output_padding, n), groups, bias, padding_mode, device,
                         dtype)

    def _output_padding(self, input, output_size, stride, padding, kernel_size, num_spatial_dims, dilation=None):
        """The output_padding that makes the output ``output_size`` (torch's rule), or the layer's own."""
        if output_size is None:
            return tuple(self.output_padding)
        non_spatial = 2 if input.dim() == num_spatial_dims + 2 else 1
        output_size = list(output_size)
        if len(output_size) == non_spatial + num_spatial_dims:
            output_size = output_size[non_spatial:]
        if len(output_size) != num_spatial_dims:
            raise InvalidArgumentError(f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, output_size "
                                       f"must have {num_spatial_dims} or {non_spatial + num_spatial_dims} elements "
                                       f"(got {len(output_size)})")
        min_sizes = [(input.size(d + non_spatial) - 1) * stride[d] - 2 * padding[d]
                     + (dilation[d] if dilation is not None else 1) * (kernel_size[d] - 1) + 1
                     for d in range(num_spatial_dims)]
        max_sizes = [m + s - 1 for m, s in zip(min_sizes, stride)]
        for size, lo, hi in zip(output_size, min_sizes, max_sizes):
            if size < lo or size > hi:
                raise InvalidArgumentError(f"requested an output size of {output_size}, but valid sizes range from "
                                           f"{min_sizes} to {max_sizes} (for an input of "
                                           f"{list(input.shape[non_spatial:])})")
        return tuple(size - lo for size, lo in zip(output_size, min_sizes))

    def forward(self, input, output_size=None):
        output_padding = self._output_padding(input, output_size, self.stride, self.padding, self.kernel_size,
                                              self._nsp, self.dilation)
        return self._conv(input, self.weight, self.bias, self.stride, self.padding, output_padding,
                                self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution; weight (in_channels, out_channels/groups, k).

    >>> import rustorch
    >>> rustorch.nn.ConvTranspose1d(4, 2, 3, stride=2)(rustorch.ones(1, 4, 5)).shape
    rustorch.Size([1, 2, 11])
    """

    _nsp = 1
    _conv = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution; ``output_size`` in the call picks among the sizes a strided one allows.

    >>> import rustorch
    >>> up = rustorch.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    >>> up(rustorch.ones(1, 4, 5, 5), output_size=(10, 10)).shape
    rustorch.Size([1, 2, 10, 10])
    """

    _nsp = 2
    _conv = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution; weight (in_channels, out_channels/groups, kD, kH, kW).

    >>> import rustorch
    >>> rustorch.nn.ConvTranspose3d(2, 2, 2, stride=2)(rustorch.ones(1, 2, 2, 3, 3)).shape
    rustorch.Size([1, 2, 4, 6, 6])
    """

    _nsp = 3
    _conv = staticmethod(F.conv_transpose3d)


__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]
