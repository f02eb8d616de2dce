"""rustorch.nn.functional: the pooling family."""

__all__ = []
