"""rustorch.nn: the pixelshuffle layers."""

__all__ = []
