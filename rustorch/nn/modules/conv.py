"""rustorch.nn: the conv layers."""

__all__ = []
