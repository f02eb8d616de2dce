"""rustorch.nn.functional: the loss family."""

__all__ = []
