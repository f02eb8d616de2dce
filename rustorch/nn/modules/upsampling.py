"""rustorch.nn: the upsampling layers."""

__all__ = []
