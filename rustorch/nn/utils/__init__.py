"""rustorch.nn.utils: gradient clipping, parameter/vector conversion, RNN sequence packing."""

__all__ = []
