"""rustorch.nn.utils: gradient clipping, parameter/vector conversion, weight normalisation, RNN sequence packing
(``nn.utils.rnn``).

>>> import rustorch
>>> w = rustorch.nn.Parameter(rustorch.ones(2))
>>> w.grad = rustorch.tensor([3.0, 4.0])
>>> rustorch.nn.utils.clip_grad_norm_([w], max_norm=1.0)
tensor(5.)
"""
from . import rnn
from .clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .weight_norm import remove_weight_norm, weight_norm

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grads_with_norm_", "clip_grad_value_", "get_total_norm",
           "parameters_to_vector", "vector_to_parameters", "weight_norm", "remove_weight_norm", "rnn"]
