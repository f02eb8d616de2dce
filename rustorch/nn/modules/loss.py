"""rustorch.nn: the loss layers.

Each criterion keeps its options (and, for the weighted ones, a ``weight``
buffer, in state_dict as in torch) and calls the functional form.

>>> import rustorch
>>> criterion = rustorch.nn.CrossEntropyLoss()
>>> criterion(rustorch.zeros(2, 4), rustorch.tensor([0, 3]))
tensor(1.3863)
"""
from ...errors import InvalidArgumentError
from .. import functional as F
from ..functional.loss import _legacy_reduction
from .distance import PairwiseDistance
from .module import Module


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        self.reduction = _legacy_reduction(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """Mean (or sum) absolute error.

    >>> import rustorch
    >>> rustorch.nn.L1Loss()(rustorch.tensor([1.0, 2.0]), rustorch.tensor([2.0, 4.0]))
    tensor(1.5000)
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean (or sum) squared error.

    >>> import rustorch
    >>> rustorch.nn.MSELoss(reduction="sum")(rustorch.tensor([1.0, 2.0]), rustorch.tensor([2.0, 4.0]))
    tensor(5.)
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Squared error below ``beta``, absolute error above.

    >>> import rustorch
    >>> rustorch.nn.SmoothL1Loss()(rustorch.tensor([0.0]), rustorch.tensor([0.5]))
    tensor(0.1250)
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Squared error below ``delta``, delta-scaled absolute error above.

    >>> import rustorch
    >>> rustorch.nn.HuberLoss(delta=2.0)(rustorch.tensor([0.0]), rustorch.tensor([3.0]))
    tensor(4.)
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices, for log-probability inputs (N, C, d1, ...).

    >>> import rustorch
    >>> rustorch.nn.NLLLoss()(rustorch.tensor([[-1.0, -2.0]]), rustorch.tensor([1]))
    tensor(2.)
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class NLLLoss2d(NLLLoss):
    """NLLLoss under its old name for (N, C, H, W) inputs.

    >>> import rustorch
    >>> rustorch.nn.NLLLoss2d()(rustorch.full((1, 2, 1, 1), -0.5), rustorch.tensor([[[1]]]))
    tensor(0.5000)
    """


class CrossEntropyLoss(_WeightedLoss):
    """log_softmax + NLL for class indices, or soft cross entropy for class probabilities; class weights,
    ignore_index and label smoothing as in torch.

    >>> import rustorch
    >>> rustorch.nn.CrossEntropyLoss(label_smoothing=0.1)(rustorch.zeros(1, 2), rustorch.tensor([1]))
    tensor(0.6931)
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """Binary cross entropy of probabilities.

    >>> import rustorch
    >>> rustorch.nn.BCELoss()(rustorch.tensor([0.5]), rustorch.tensor([1.0]))
    tensor(0.6931)
    """

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy of logits (sigmoid folded in, numerically stable), with ``pos_weight``.

    >>> import rustorch
    >>> rustorch.nn.BCEWithLogitsLoss()(rustorch.tensor([0.0]), rustorch.tensor([1.0]))
    tensor(0.6931)
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    """KL divergence from log-probability inputs to (log-)probability targets; use reduction='batchmean'.

    >>> import rustorch
    >>> rustorch.nn.KLDivLoss(reduction="batchmean")(rustorch.tensor([[-1.0]]), rustorch.tensor([[0.5]]))
    tensor(0.1534)
    """

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class PoissonNLLLoss(_Loss):
    """Negative log-likelihood of Poisson counts.

    >>> import rustorch
    >>> rustorch.nn.PoissonNLLLoss()(rustorch.tensor([0.0]), rustorch.tensor([1.0]))
    tensor(1.)
    """

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Negative log-likelihood of targets under Gaussians with the given means and variances.

    >>> import rustorch
    >>> rustorch.nn.GaussianNLLLoss()(rustorch.tensor([0.0]), rustorch.tensor([0.0]), rustorch.tensor([1.0]))
    tensor(0.)
    """

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """1 - cos for similar pairs (target 1), max(0, cos - margin) for dissimilar ones (target -1).

    >>> import rustorch
    >>> rustorch.nn.CosineEmbeddingLoss()(rustorch.ones(1, 2), rustorch.ones(1, 2), rustorch.tensor([1]))
    tensor(0.)
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """max(0, -target * (input1 - input2) + margin).

    >>> import rustorch
    >>> rustorch.nn.MarginRankingLoss()(rustorch.tensor([2.0]), rustorch.tensor([1.0]), rustorch.tensor([1.0]))
    tensor(0.)
    """

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """x for target 1, max(0, margin - x) for target -1.

    >>> import rustorch
    >>> rustorch.nn.HingeEmbeddingLoss()(rustorch.tensor([0.5]), rustorch.tensor([-1.0]))
    tensor(0.5000)
    """

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """max(0, d(a, p) - d(a, n) + margin) with the p-norm distance.

    >>> import rustorch
    >>> rustorch.nn.TripletMarginLoss()(rustorch.zeros(1, 2), rustorch.zeros(1, 2), rustorch.zeros(1, 2))
    tensor(1.)
    """

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise InvalidArgumentError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """TripletMarginLoss with any distance function (default: Euclidean pairwise distance).

    >>> import rustorch
    >>> rustorch.nn.TripletMarginWithDistanceLoss()(rustorch.zeros(1, 2), rustorch.zeros(1, 2), rustorch.zeros(1, 2))
    tensor(1.)
    """

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__(size_average=None, reduce=None, reduction=reduction)
        if margin <= 0:
            raise InvalidArgumentError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got "
                                       f"{margin} instead")
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()
        self.margin = margin
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(anchor, positive, negative,
                                                   distance_function=self.distance_function, margin=self.margin,
                                                   swap=self.swap, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """log(1 + exp(-target * input)).

    >>> import rustorch
    >>> rustorch.nn.SoftMarginLoss()(rustorch.tensor([0.0]), rustorch.tensor([1.0]))
    tensor(0.6931)
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Per-sample mean over classes of the binary cross entropy of logits.

    >>> import rustorch
    >>> rustorch.nn.MultiLabelSoftMarginLoss()(rustorch.zeros(1, 2), rustorch.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-class multi-label hinge loss; each target row lists class indices, ended by -1.

    >>> import rustorch
    >>> rustorch.nn.MultiLabelMarginLoss()(rustorch.tensor([[0.1, 0.2, 0.4, 0.8]]), rustorch.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss, p = 1 or 2.

    >>> import rustorch
    >>> rustorch.nn.MultiMarginLoss()(rustorch.tensor([[0.1, 0.2, 0.4, 0.8]]), rustorch.tensor([3]))
    tensor(0.3250)
    """

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise InvalidArgumentError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise InvalidArgumentError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.dim()}D "
                                       "instead")
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


__all__ = [
    "L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "NLLLoss2d", "CrossEntropyLoss", "BCELoss",
    "BCEWithLogitsLoss", "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss", "CosineEmbeddingLoss",
    "MarginRankingLoss", "HingeEmbeddingLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss",
    "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiLabelMarginLoss", "MultiMarginLoss",
]
