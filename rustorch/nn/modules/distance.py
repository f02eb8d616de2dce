"""rustorch.nn: the distance layers, PairwiseDistance and CosineSimilarity.

>>> import rustorch
>>> rustorch.nn.CosineSimilarity()(rustorch.ones(2, 3), rustorch.ones(2, 3))
tensor([1.0000, 1.0000])
"""
from .. import functional as F
from .module import Module


class PairwiseDistance(Module):
    """The p-norm of x1 - x2 + eps over the last dim.

    >>> import rustorch
    >>> rustorch.nn.PairwiseDistance(eps=0.0)(rustorch.zeros(1, 2), rustorch.tensor([[3.0, 4.0]]))
    tensor([5.])
    """

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """The cosine of the angle between x1 and x2 along ``dim``, each norm clamped to at least ``eps``.

    >>> import rustorch
    >>> rustorch.nn.CosineSimilarity(dim=0)(rustorch.tensor([1.0, 0.0]), rustorch.tensor([0.0, 1.0]))
    tensor(0.)
    """

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


__all__ = ["PairwiseDistance", "CosineSimilarity"]
