"""rustorch.nn: PixelShuffle and PixelUnshuffle.

>>> import rustorch
>>> rustorch.nn.PixelShuffle(2)(rustorch.zeros(1, 8, 3, 3)).shape
rustorch.Size([1, 2, 6, 6])
"""
from .. import functional as F
from .module import Module


class PixelShuffle(Module):
    """(*, C r^2, H, W) -> (*, C, H r, W r), r = ``upscale_factor``.

    >>> import rustorch
    >>> rustorch.nn.PixelShuffle(3)
    PixelShuffle(upscale_factor=3)
    """

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W), r = ``downscale_factor``; the inverse of PixelShuffle.

    >>> import rustorch
    >>> rustorch.nn.PixelUnshuffle(2)(rustorch.zeros(1, 2, 6, 6)).shape
    rustorch.Size([1, 8, 3, 3])
    """

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f"downscale_factor={self.downscale_factor}"


__all__ = ["PixelShuffle", "PixelUnshuffle"]
