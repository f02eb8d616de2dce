"""rustorch.nn: the upsampling layers, Upsample, UpsamplingNearest2d and UpsamplingBilinear2d.

>>> import rustorch
>>> rustorch.nn.Upsample(scale_factor=2, mode="bilinear")
Upsample(scale_factor=2.0, mode='bilinear')
"""
from .. import functional as F
from .module import Module


class Upsample(Module):
    """:func:`rustorch.nn.functional.interpolate` as a layer.

    >>> import rustorch
    >>> rustorch.nn.Upsample(size=(3, 4))(rustorch.zeros(1, 1, 2, 2)).shape
    rustorch.Size([1, 1, 3, 4])
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W) inputs.

    >>> import rustorch
    >>> rustorch.nn.UpsamplingNearest2d(scale_factor=2)(rustorch.zeros(1, 1, 2, 3)).shape
    rustorch.Size([1, 1, 4, 6])
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) inputs with align_corners=True.

    >>> import rustorch
    >>> rustorch.nn.UpsamplingBilinear2d(size=(1, 3))(rustorch.tensor([[[[0.0, 2.0]]]]))
    tensor([[[[0., 1., 2.]]]])
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]
