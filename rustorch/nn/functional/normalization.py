"""rustorch.nn.functional: the normalization family."""

__all__ = []
