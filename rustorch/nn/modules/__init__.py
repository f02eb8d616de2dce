"""The layers, one module per family as in torch.nn.modules; each lists its classes in ``__all__``."""
from . import (activation, channelshuffle, container, conv, distance, dropout, flatten, fold, linear, loss, module,
               normalization, padding, pixelshuffle, pooling, rnn, sparse, transformer, upsampling)

FAMILIES = (module, container, linear, activation, loss, conv, pooling, normalization, dropout, sparse, rnn,
            transformer, flatten, padding, pixelshuffle, upsampling, distance, channelshuffle, fold)
globals().update({name: getattr(family, name) for family in FAMILIES for name in family.__all__})
__all__ = [name for family in FAMILIES for name in family.__all__]
