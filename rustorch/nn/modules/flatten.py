"""rustorch.nn: the flatten layers."""

__all__ = []
