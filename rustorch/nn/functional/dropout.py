"""rustorch.nn.functional: the dropout family."""

__all__ = []
