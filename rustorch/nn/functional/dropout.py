"""rustorch.nn.functional: dropout, channel-wise (feature) dropout and alpha dropout.

As torch does on the CPU, each is the input times a noise tensor drawn from
rustorch's generator (plus a shift for alpha dropout), so the gradient is the
same noise: ``MulBackward0`` (``AddBackward0`` for alpha dropout). Outside
training, or with p = 0, the input itself is returned.

>>> import rustorch
>>> import rustorch.nn.functional as F
>>> x = rustorch.ones(4)
>>> F.dropout(x, 0.5, training=False) is x
True
"""
import math
import warnings

from ...errors import DTypeError, InvalidArgumentError, ShapeError
from ...ops.creation import empty, empty_like, zeros
from ...ops.elementwise import mul

# SELU's alpha * scale: alpha dropout sets dropped units to -_ALPHA, SELU's negative saturation value
_ALPHA = 1.7580993408473766


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise InvalidArgumentError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(op, input, p, training, inplace, feature, alpha):
    """torch's _dropout_impl: input * noise (+ b), the noise 0/1 per element or per (sample, channel)."""
    if p == 0 or not training or input.numel() == 0:
        return input
    if not input.dtype.is_floating_point:
        raise DTypeError(f"{op}(): expected a floating point input, got {input.dtype}")
    if p == 1:
        zero = zeros((), dtype=input.dtype, device=input.device)
        return input.mul_(zero) if inplace else mul(input, zero)
    if feature:
        if input.ndim < 2:
            raise ShapeError(f"{op}(): Feature dropout requires at least 2 dimensions in the input, got shape "
                             f"{list(input.shape)}")
        # one draw per (sample, channel), broadcast over the remaining dims
        noise = empty(input.shape[:2] + (1,) * (input.ndim - 2), dtype=input.dtype, device=input.device)
    else:
        noise = empty_like(input)
    noise.bernoulli_(1 - p)
    if alpha:
        a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
        # kept units: a * x + alpha * a * p; dropped ones: a * (-alpha) + alpha * a * p
        b = noise.sub(1).mul_(_ALPHA * a).add_(_ALPHA * a * p)
        noise.mul_(a)
        return (input.mul_(noise) if inplace else mul(input, noise)).add_(b)
    noise.div_(1 - p)
    return input.mul_(noise) if inplace else mul(input, noise)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p), in training.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> y = F.dropout(rustorch.ones(1000), 0.2)
    >>> sorted(set(y.tolist()))
    [0.0, 1.25]
    """
    _check_p(p)
    return _dropout("dropout", input, p, training, inplace, False, False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped units are set to SELU's negative saturation and an affine map keeps the
    mean and variance.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.alpha_dropout(rustorch.ones(3), 0.5).tolist()  # training=False by default: the identity
    [1.0, 1.0, 1.0]
    """
    _check_p(p)
    return _dropout("alpha_dropout", input, p, training, inplace, False, True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels (dim 1) of each sample.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.feature_alpha_dropout(rustorch.ones(2, 3, 4), 0.5, training=True).shape
    rustorch.Size([2, 3, 4])
    """
    _check_p(p)
    return _dropout("feature_alpha_dropout", input, p, training, inplace, True, True)


def _channel_dropout(op, input, p, training, inplace, batched):
    """Feature dropout of an input whose batch dim is optional: an unbatched one is treated as a batch of one."""
    if not batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout(op, input, p, training, inplace, True, False)
    if not batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, L) or (C, L) input with probability ``p``; scale the rest by 1 / (1 - p).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> y = F.dropout1d(rustorch.ones(8, 16, 5), 0.5)
    >>> bool(((y == 0).all(-1) | (y == 2).all(-1)).all())  # each channel dropped or kept whole
    True
    """
    _check_p(p)
    if input.ndim not in (2, 3):
        raise ShapeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                         "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                         "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _channel_dropout("dropout1d", input, p, training, inplace, input.ndim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, H, W) input with probability ``p``; scale the rest by 1 / (1 - p).

    As torch, a 3-D input is taken as (N, C, L) (with a warning).

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.dropout2d(rustorch.ones(2, 3, 4, 4), 0.5).shape
    rustorch.Size([2, 3, 4, 4])
    """
    _check_p(p)
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).", stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior "
                      "is desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior "
                      "will change in a future release to interpret the input as one without a batch dimension, i.e. "
                      "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using "
                      "dropout1d instead.", stacklevel=2)
    return _dropout("dropout2d", input, p, training, inplace, True, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of a (N, C, D, H, W) or (C, D, H, W) input with probability ``p``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.dropout3d(rustorch.ones(3, 2, 2, 2), 0.5).shape
    rustorch.Size([3, 2, 2, 2])
    """
    _check_p(p)
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and will result "
                      "in an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D "
                      "inputs).", stacklevel=2)
    return _channel_dropout("dropout3d", input, p, training, inplace, input.ndim == 5)


__all__ = ["dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d", "dropout3d"]
