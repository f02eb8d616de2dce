"""rustorch.nn.functional: the sparse family."""

__all__ = []
