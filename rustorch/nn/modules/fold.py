"""rustorch.nn: the fold layers."""

__all__ = []
