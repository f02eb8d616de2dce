"""Normalization layers: BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d, LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm.

Parameter and buffer names, shapes and defaults are torch's, so state_dicts
load across: ``weight`` and ``bias`` (affine), ``running_mean``,
``running_var`` and ``num_batches_tracked`` (tracked running statistics).

>>> import rustorch
>>> rustorch.nn.BatchNorm2d(8)
BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
"""
import numbers
import warnings

from ... import _dtype
from ...errors import InvalidArgumentError, ShapeError
from ...ops.creation import empty, ones, tensor, zeros
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


def _register_affine(module, shape, affine, bias, device, dtype):
    """The per-feature affine map of a norm layer: Parameters ``weight`` (and ``bias``) of ``shape``, or None."""
    module.register_parameter("weight", Parameter(empty(shape, device=device, dtype=dtype)) if affine else None)
    module.register_parameter("bias", Parameter(empty(shape, device=device, dtype=dtype)) if affine and bias else None)


def _reset_affine(module):
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _NormBase(Module):
    """Common base of the batch and instance norms: affine parameters and running statistics buffers."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _register_affine(self, num_features, affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, **factory))
            self.register_buffer("running_var", ones(num_features, **factory))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=_dtype.int64, device=device))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        _reset_affine(self)

    def _check_rank(self, input):
        # a ValueError, as torch raises here
        if input.ndim not in self._ranks:
            raise InvalidArgumentError(f"{type(self).__name__}: expected {' or '.join(f'{r}D' for r in self._ranks)} "
                                       f"input (got {input.ndim}D input of shape {list(input.shape)})")

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_rank(input)
        if input.shape[1] != self.num_features:
            raise ShapeError(f"{type(self).__name__}: expected input with {self.num_features} channels "
                             f"(num_features) in dim 1, but got input of shape {list(input.shape)} with "
                             f"{input.shape[1]} channels")
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            # momentum=None: the cumulative moving average, each batch weighted 1 / (batches so far)
            factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        # batch statistics in training, and in eval when no running statistics are kept
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        # the buffers are passed when they are updated (training and tracked) or used (eval)
        pass_buffers = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if pass_buffers else None,
                            self.running_var if pass_buffers else None, self.weight, self.bias, use_batch, factor,
                            self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalization over a (N, C) or (N, C, L) input, per channel C.

    >>> import rustorch
    >>> rustorch.nn.BatchNorm1d(3)(rustorch.randn(4, 3)).shape
    rustorch.Size([4, 3])
    """

    _ranks = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization over a (N, C, H, W) input, per channel C.

    >>> import rustorch
    >>> rustorch.nn.BatchNorm2d(3)(rustorch.randn(2, 3, 4, 4)).shape
    rustorch.Size([2, 3, 4, 4])
    """

    _ranks = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalization over a (N, C, D, H, W) input, per channel C.

    >>> import rustorch
    >>> rustorch.nn.BatchNorm3d(3)(rustorch.randn(2, 3, 2, 2, 2)).shape
    rustorch.Size([2, 3, 2, 2, 2])
    """

    _ranks = (5,)


class _InstanceNorm(_NormBase):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False, device=None,
                 dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, input):
        self._check_rank(input)
        unbatched = input.ndim == self._ranks[0]
        channels = input.shape[0 if unbatched else 1]
        if channels != self.num_features:
            if self.affine:  # a ValueError, as torch raises here
                raise InvalidArgumentError(f"{type(self).__name__}: expected input with {self.num_features} channels "
                                 f"(num_features) in dim {input.ndim - self._ranks[0]}, but got input of shape "
                                 f"{list(input.shape)} with {channels} channels")
            warnings.warn(f"{type(self).__name__}: input's size at dim={input.ndim - self._ranks[0]} ({channels}) "
                          f"does not match num_features ({self.num_features}). You can silence this warning by not "
                          "passing in num_features, which is not used because affine=False", stacklevel=2)
        x = input.unsqueeze(0) if unbatched else input
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                              self.training or not self.track_running_stats,
                              self.momentum if self.momentum is not None else 0.0, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization over a (N, C, L) or unbatched (C, L) input: each sample's channel on its own.

    >>> import rustorch
    >>> rustorch.nn.InstanceNorm1d(3)(rustorch.randn(2, 3, 5)).shape
    rustorch.Size([2, 3, 5])
    """

    _ranks = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization over a (N, C, H, W) or unbatched (C, H, W) input.

    >>> import rustorch
    >>> rustorch.nn.InstanceNorm2d(3, affine=True)(rustorch.randn(2, 3, 4, 4)).shape
    rustorch.Size([2, 3, 4, 4])
    """

    _ranks = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization over a (N, C, D, H, W) or unbatched (C, D, H, W) input.

    >>> import rustorch
    >>> rustorch.nn.InstanceNorm3d(3)(rustorch.randn(3, 2, 2, 2)).shape
    rustorch.Size([3, 2, 2, 2])
    """

    _ranks = (4, 5)


class LayerNorm(Module):
    """Layer normalization over the trailing ``normalized_shape`` dims, with elementwise weight and bias.

    >>> import rustorch
    >>> rustorch.nn.LayerNorm(4)
    LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _register_affine(self, self.normalized_shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Group normalization: each sample's channels in ``num_groups`` groups, with a per-channel affine map.

    >>> import rustorch
    >>> rustorch.nn.GroupNorm(2, 4)(rustorch.randn(3, 4, 5)).shape
    rustorch.Size([3, 4, 5])
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise InvalidArgumentError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _register_affine(self, num_channels, affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        if input.ndim >= 2 and input.shape[1] != self.num_channels:
            raise ShapeError(f"GroupNorm: expected input with {self.num_channels} channels (num_channels) in dim 1, "
                             f"but got input of shape {list(input.shape)} with {input.shape[1]} channels")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """Root mean square normalization over the trailing ``normalized_shape`` dims; ``eps=None`` is finfo eps.

    >>> import rustorch
    >>> rustorch.nn.RMSNorm([2, 3])
    RMSNorm((2, 3), eps=None, elementwise_affine=True)
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LocalResponseNorm(Module):
    """Local response normalization across neighbouring channels (dim 1).

    >>> import rustorch
    >>> rustorch.nn.LocalResponseNorm(2)
    LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
           "LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm"]
