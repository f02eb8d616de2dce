"""rustorch.nn.functional: the vision family."""

__all__ = []
