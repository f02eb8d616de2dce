"""rustorch.nn: the rnn layers."""

__all__ = []
