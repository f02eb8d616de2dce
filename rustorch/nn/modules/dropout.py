"""Dropout layers: Dropout, Dropout1d/2d/3d (whole channels), AlphaDropout and FeatureAlphaDropout.

They act in training mode only (``module.train()``, the default); in eval mode they return their input.

>>> import rustorch
>>> rustorch.nn.Dropout(0.2)
Dropout(p=0.2, inplace=False)
"""
from .. import functional as F
from ..functional.dropout import _check_p
from .module import Module


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        _check_p(p)
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zeroes each element with probability ``p`` in training and scales the rest by 1 / (1 - p).

    >>> import rustorch
    >>> m = rustorch.nn.Dropout(0.5).eval()
    >>> m(rustorch.ones(3))
    tensor([1., 1., 1.])
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zeroes whole channels of a (N, C, L) or (C, L) input with probability ``p`` in training.

    >>> import rustorch
    >>> rustorch.nn.Dropout1d()(rustorch.ones(2, 3, 4)).shape
    rustorch.Size([2, 3, 4])
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zeroes whole channels of a (N, C, H, W) input with probability ``p`` in training.

    >>> import rustorch
    >>> rustorch.nn.Dropout2d()(rustorch.ones(2, 3, 4, 4)).shape
    rustorch.Size([2, 3, 4, 4])
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zeroes whole channels of a (N, C, D, H, W) or (C, D, H, W) input with probability ``p`` in training.

    >>> import rustorch
    >>> rustorch.nn.Dropout3d()(rustorch.ones(2, 3, 2, 2, 2)).shape
    rustorch.Size([2, 3, 2, 2, 2])
    """

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Alpha dropout (for SELU networks): keeps the input's mean and variance in training.

    >>> import rustorch
    >>> rustorch.nn.AlphaDropout(0.2)(rustorch.ones(4)).shape
    rustorch.Size([4])
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels (dim 1) of each sample, in training.

    >>> import rustorch
    >>> rustorch.nn.FeatureAlphaDropout(0.2)(rustorch.ones(2, 3, 4)).shape
    rustorch.Size([2, 3, 4])
    """

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)


__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]
