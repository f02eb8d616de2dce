"""rustorch.nn.functional: the activation family."""

__all__ = []
