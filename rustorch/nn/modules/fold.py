"""rustorch.nn: Fold and Unfold (col2im and im2col).

>>> import rustorch
>>> rustorch.nn.Unfold(kernel_size=2)(rustorch.zeros(1, 3, 4, 4)).shape
rustorch.Size([1, 12, 9])
"""
from .. import functional as F
from .module import Module


class Fold(Module):
    """Sums sliding-block columns (N, C kh kw, L) back into an (N, C, *output_size) tensor.

    >>> import rustorch
    >>> rustorch.nn.Fold(output_size=(4, 5), kernel_size=(2, 2))
    Fold(output_size=(4, 5), kernel_size=(2, 2), dilation=1, padding=0, stride=1)
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    """Extracts the sliding (C, kh, kw) blocks of an (N, C, H, W) input as columns (N, C kh kw, L).

    >>> import rustorch
    >>> rustorch.nn.Unfold(kernel_size=3, padding=1)
    Unfold(kernel_size=3, dilation=1, padding=1, stride=1)
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


__all__ = ["Fold", "Unfold"]
