"""rustorch.nn: the pooling layers (max, average, adaptive, Lp, unpooling), as torch.nn.

They hold no parameters; attributes, defaults and repr are torch's (kernel_size
and the like are kept as given, except where torch normalises them to tuples).

>>> import rustorch
>>> rustorch.nn.MaxPool2d(2)
MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
"""
from .. import functional as F
from ..functional.conv import _ntuple
from .module import Module


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return self._pool(input, self.kernel_size, self.stride, self.padding, self.dilation, ceil_mode=self.ceil_mode,
                          return_indices=self.return_indices)

    def extra_repr(self):
        return ("kernel_size={kernel_size}, stride={stride}, padding={padding}, dilation={dilation}, "
                "ceil_mode={ceil_mode}".format(**self.__dict__))


class MaxPool1d(_MaxPoolNd):
    """Max over sliding windows of (N, C, L) or (C, L) inputs; ``return_indices`` for MaxUnpool1d.

    >>> import rustorch
    >>> rustorch.nn.MaxPool1d(3, stride=2)(rustorch.ones(2, 4, 9)).shape
    rustorch.Size([2, 4, 4])
    """

    _pool = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling of (N, C, H, W) or (C, H, W) inputs.

    >>> import rustorch
    >>> rustorch.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)(rustorch.ones(1, 2, 8, 8)).shape
    rustorch.Size([1, 2, 5, 5])
    """

    _pool = staticmethod(F.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """3-D max pooling of (N, C, D, H, W) or (C, D, H, W) inputs.

    >>> import rustorch
    >>> rustorch.nn.MaxPool3d(2)(rustorch.ones(1, 1, 4, 4, 4)).shape
    rustorch.Size([1, 1, 2, 2, 2])
    """

    _pool = staticmethod(F.max_pool3d)


class _MaxUnpoolNd(Module):
    _nsp = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name, n = type(self).__name__, self._nsp
        self.kernel_size = _ntuple(name, "kernel_size", kernel_size, n)
        self.stride = _ntuple(name, "stride", stride if stride is not None else kernel_size, n)
        self.padding = _ntuple(name, "padding", padding, n)

    def forward(self, input, indices, output_size=None):
        return self._unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of MaxPool1d: the pooled values at their indices, zeros elsewhere.

    >>> import rustorch
    >>> pool, unpool = rustorch.nn.MaxPool1d(2, return_indices=True), rustorch.nn.MaxUnpool1d(2)
    >>> unpool(*pool(rustorch.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]])), output_size=(5,))
    tensor([[[0., 2., 0., 4., 0.]]])
    """

    _nsp = 1
    _unpool = staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of MaxPool2d.

    >>> import rustorch
    >>> pool, unpool = rustorch.nn.MaxPool2d(2, return_indices=True), rustorch.nn.MaxUnpool2d(2)
    >>> unpool(*pool(rustorch.ones(1, 1, 4, 4))).shape
    rustorch.Size([1, 1, 4, 4])
    """

    _nsp = 2
    _unpool = staticmethod(F.max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of MaxPool3d.

    >>> import rustorch
    >>> pool, unpool = rustorch.nn.MaxPool3d(2, return_indices=True), rustorch.nn.MaxUnpool3d(2)
    >>> unpool(*pool(rustorch.ones(1, 1, 2, 2, 2))).shape
    rustorch.Size([1, 1, 2, 2, 2])
    """

    _nsp = 3
    _unpool = staticmethod(F.max_unpool3d)


class _AvgPoolNd(Module):
    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """Mean over sliding windows of (N, C, L) or (C, L) inputs.

    >>> import rustorch
    >>> rustorch.nn.AvgPool1d(2)(rustorch.tensor([[[1.0, 3.0, 5.0, 7.0]]]))
    tensor([[[2., 6.]]])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _ntuple("AvgPool1d", "kernel_size", kernel_size, 1)
        self.stride = _ntuple("AvgPool1d", "stride", stride if stride is not None else kernel_size, 1)
        self.padding = _ntuple("AvgPool1d", "padding", padding, 1)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class _AvgPool(_AvgPoolNd):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return self._pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                          self.divisor_override)


class AvgPool2d(_AvgPool):
    """2-D average pooling; ``count_include_pad`` and ``divisor_override`` choose the divisor.

    >>> import rustorch
    >>> rustorch.nn.AvgPool2d(3, stride=2, padding=1)(rustorch.ones(1, 1, 6, 6)).shape
    rustorch.Size([1, 1, 3, 3])
    """

    _pool = staticmethod(F.avg_pool2d)


class AvgPool3d(_AvgPool):
    """3-D average pooling.

    >>> import rustorch
    >>> rustorch.nn.AvgPool3d(2)(rustorch.ones(1, 1, 2, 4, 4)).shape
    rustorch.Size([1, 1, 1, 2, 2])
    """

    _pool = staticmethod(F.avg_pool3d)


class _LPPoolNd(Module):
    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return self._pool(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self):
        return "norm_type={norm_type}, kernel_size={kernel_size}, stride={stride}, ceil_mode={ceil_mode}".format(
            **self.__dict__)


class LPPool1d(_LPPoolNd):
    """Power-average pooling: the p-norm of each window of (N, C, L) or (C, L) inputs.

    >>> import rustorch
    >>> rustorch.nn.LPPool1d(2, 2)(rustorch.tensor([[[3.0, 4.0]]]))
    tensor([[[5.]]])
    """

    _pool = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """2-D power-average pooling.

    >>> import rustorch
    >>> rustorch.nn.LPPool2d(1, 2)(rustorch.ones(1, 1, 4, 4)).shape
    rustorch.Size([1, 1, 2, 2])
    """

    _pool = staticmethod(F.lp_pool2d)


class LPPool3d(_LPPoolNd):
    """3-D power-average pooling.

    >>> import rustorch
    >>> rustorch.nn.LPPool3d(2, 2)(rustorch.ones(1, 1, 2, 2, 2)).shape
    rustorch.Size([1, 1, 1, 1, 1])
    """

    _pool = staticmethod(F.lp_pool3d)


class _AdaptiveMaxPoolNd(Module):
    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return self._pool(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed output length, whatever the input's.

    >>> import rustorch
    >>> rustorch.nn.AdaptiveMaxPool1d(3)(rustorch.ones(2, 4, 10)).shape
    rustorch.Size([2, 4, 3])
    """

    _pool = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed (H, W) (None keeps the input's size in that dim).

    >>> import rustorch
    >>> rustorch.nn.AdaptiveMaxPool2d((2, None))(rustorch.ones(1, 3, 7, 5)).shape
    rustorch.Size([1, 3, 2, 5])
    """

    _pool = staticmethod(F.adaptive_max_pool2d)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed (D, H, W).

    >>> import rustorch
    >>> rustorch.nn.AdaptiveMaxPool3d(1)(rustorch.ones(1, 2, 3, 4, 5)).shape
    rustorch.Size([1, 2, 1, 1, 1])
    """

    _pool = staticmethod(F.adaptive_max_pool3d)


class _AdaptiveAvgPoolNd(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return self._pool(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed output length.

    >>> import rustorch
    >>> rustorch.nn.AdaptiveAvgPool1d(1)(rustorch.tensor([[[1.0, 2.0, 6.0]]]))
    tensor([[[3.]]])
    """

    _pool = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed (H, W); AdaptiveAvgPool2d(1) is global average pooling.

    >>> import rustorch
    >>> rustorch.nn.AdaptiveAvgPool2d(1)(rustorch.ones(2, 8, 7, 7)).shape
    rustorch.Size([2, 8, 1, 1])
    """

    _pool = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed (D, H, W).

    >>> import rustorch
    >>> rustorch.nn.AdaptiveAvgPool3d((1, 2, 2))(rustorch.ones(1, 2, 3, 4, 4)).shape
    rustorch.Size([1, 2, 1, 2, 2])
    """

    _pool = staticmethod(F.adaptive_avg_pool3d)


__all__ = [
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "AvgPool1d", "AvgPool2d",
    "AvgPool3d", "LPPool1d", "LPPool2d", "LPPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d",
]
