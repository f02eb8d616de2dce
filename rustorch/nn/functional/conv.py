"""rustorch.nn.functional: the conv family."""

__all__ = []
