"""rustorch.nn: ChannelShuffle.

>>> import rustorch
>>> rustorch.nn.ChannelShuffle(2)
ChannelShuffle(groups=2)
"""
from .. import functional as F
from .module import Module


class ChannelShuffle(Module):
    """Interleaves the channels of (N, C, *) from ``groups`` groups (ShuffleNet).

    >>> import rustorch
    >>> rustorch.nn.ChannelShuffle(2)(rustorch.arange(4.0).view(1, 4, 1)).flatten()
    tensor([0., 2., 1., 3.])
    """

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"


__all__ = ["ChannelShuffle"]
