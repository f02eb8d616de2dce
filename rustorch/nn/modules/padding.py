"""rustorch.nn: the padding layers."""

__all__ = []
