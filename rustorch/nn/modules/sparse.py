"""rustorch.nn: the sparse layers."""

__all__ = []
