"""rustorch.nn: the distance layers."""

__all__ = []
