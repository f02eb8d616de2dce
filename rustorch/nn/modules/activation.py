"""rustorch.nn: the activation layers."""

__all__ = []
