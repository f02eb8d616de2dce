"""rustorch.nn: the pooling layers."""

__all__ = []
