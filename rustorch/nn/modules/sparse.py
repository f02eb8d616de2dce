"""Embedding layers: Embedding and EmbeddingBag.

The weight is (num_embeddings, embedding_dim), initialised N(0, 1) with the
``padding_idx`` row zeroed, as torch does.

>>> import rustorch
>>> rustorch.nn.Embedding(10, 3, padding_idx=0)
Embedding(10, 3, padding_idx=0)
"""
from ...autograd.grad_mode import no_grad
from ...errors import InvalidArgumentError, ShapeError
from ...ops.creation import empty
from .. import functional as F
from .. import init
from ..functional.sparse import _padding
from ..parameter import Parameter
from .module import Module


def _make_weight(num_embeddings, embedding_dim, weight, requires_grad, device, dtype):
    """The weight Parameter (``weight`` itself when given), and whether it is fresh (to be initialised)."""
    if weight is None:
        return Parameter(empty((num_embeddings, embedding_dim), device=device, dtype=dtype), requires_grad), True
    if list(weight.shape) != [num_embeddings, embedding_dim]:
        raise ShapeError(f"Shape of weight {list(weight.shape)} does not match num_embeddings and embedding_dim "
                         f"[{num_embeddings}, {embedding_dim}]")
    return Parameter(weight, requires_grad), False


def _check_pretrained(embeddings):
    if embeddings.ndim != 2:
        raise ShapeError(f"Embeddings parameter is expected to be 2-dimensional, got shape {list(embeddings.shape)}")
    return embeddings.shape


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors of size ``embedding_dim``, indexed by integer tensors.

    >>> import rustorch
    >>> emb = rustorch.nn.Embedding(10, 3)
    >>> emb(rustorch.tensor([[1, 2], [4, 9]])).shape
    rustorch.Size([2, 2, 3])
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.weight, fresh = _make_weight(num_embeddings, embedding_dim, _weight, not _freeze, device, dtype)
        if fresh:
            self.reset_parameters()
        self.sparse = sparse

    def reset_parameters(self):
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self):
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """An Embedding whose weight is ``embeddings`` (shared, not copied); frozen unless ``freeze=False``.

        >>> import rustorch
        >>> emb = rustorch.nn.Embedding.from_pretrained(rustorch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> emb(rustorch.tensor([1])), emb.weight.requires_grad
        (tensor([[3., 4.]]), False)
        """
        rows, cols = _check_pretrained(embeddings)
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, _weight=embeddings,
                   _freeze=freeze)


class EmbeddingBag(Module):
    """Sums, means or maxima of bags of embeddings (mode 'sum', 'mean' or 'max'), as F.embedding_bag.

    >>> import rustorch
    >>> bag = rustorch.nn.EmbeddingBag(10, 3, mode="sum")
    >>> bag(rustorch.tensor([1, 2, 4, 5, 4]), rustorch.tensor([0, 2])).shape
    rustorch.Size([2, 3])
    """

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                 mode="mean", sparse=False, _weight=None, include_last_offset=False, padding_idx=None, device=None,
                 dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.padding_idx = _padding(padding_idx, num_embeddings, "padding_idx")
        self.weight, fresh = _make_weight(num_embeddings, embedding_dim, _weight, True, device, dtype)
        if fresh:
            self.reset_parameters()
        if mode not in ("sum", "mean", "max"):
            raise InvalidArgumentError(f"EmbeddingBag: mode has to be one of sum, mean or max, got {mode!r}")
        self.mode = mode
        self.sparse = sparse
        self.include_last_offset = include_last_offset

    reset_parameters = Embedding.reset_parameters
    _fill_padding_idx_with_zero = Embedding._fill_padding_idx_with_zero

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                               self.mode, self.sparse, per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx!r}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                        mode="mean", sparse=False, include_last_offset=False, padding_idx=None):
        """An EmbeddingBag whose weight is ``embeddings`` (shared, not copied); frozen unless ``freeze=False``.

        >>> import rustorch
        >>> bag = rustorch.nn.EmbeddingBag.from_pretrained(rustorch.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> bag(rustorch.tensor([[0, 1]]))
        tensor([[2., 3.]])
        """
        rows, cols = _check_pretrained(embeddings)
        bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse, embeddings, include_last_offset,
                  padding_idx)
        bag.weight.requires_grad = not freeze
        return bag


__all__ = ["Embedding", "EmbeddingBag"]
