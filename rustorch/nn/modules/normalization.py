"""rustorch.nn: the normalization layers."""

__all__ = []
