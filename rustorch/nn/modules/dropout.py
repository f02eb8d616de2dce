"""rustorch.nn: the dropout layers."""

__all__ = []
