"""rustorch.nn.functional: the attention family."""

__all__ = []
