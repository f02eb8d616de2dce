"""rustorch.nn: the transformer layers."""

__all__ = []
