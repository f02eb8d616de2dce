"""rustorch.nn: the loss layers."""

__all__ = []
