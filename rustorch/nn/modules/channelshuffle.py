"""rustorch.nn: the channelshuffle layers."""

__all__ = []
