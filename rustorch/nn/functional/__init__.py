"""rustorch.nn.functional: the functional forms of the layers, as torch.nn.functional.

One module per family (activation, linear, loss, conv, pooling, normalization,
dropout, sparse, attention, vision); each lists its functions in ``__all__``.

>>> import rustorch
>>> import rustorch.nn.functional as F
>>> F.linear(rustorch.tensor([[1.0, 2.0]]), rustorch.tensor([[3.0, 4.0]]))
tensor([[11.]])
"""
from . import activation, attention, conv, dropout, linear, loss, normalization, pooling, sparse, vision

FAMILIES = (activation, attention, conv, dropout, linear, loss, normalization, pooling, sparse, vision)
globals().update({name: getattr(family, name) for family in FAMILIES for name in family.__all__})
