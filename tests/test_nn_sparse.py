"""Embedding, EmbeddingBag and one_hot against torch."""
import numpy as np
import pytest
import torch

import rustorch
import rustorch.nn.functional as F
from conftest import assert_same, check_module, gradchecks

rng = np.random.default_rng(0)


def indices(high, *shape):
    return rng.integers(0, high, shape).astype(np.int64)


# embedding -----------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 2), ()])
@pytest.mark.parametrize("options", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                     {"padding_idx": 0, "scale_grad_by_freq": True}], ids=str)
def test_embedding(shape, options, device):
    rt_m, th_m = rustorch.nn.Embedding(6, 3, **options), torch.nn.Embedding(6, 3, **options)
    idx = indices(6, *shape)
    idx.flat[:2] = 2  # a repeated index (and the padding one)
    check_module(rt_m, th_m, idx, device=device)
    assert repr(rt_m) == repr(th_m)


def test_embedding_padding_row_is_zero_and_gets_no_gradient(device):
    m = rustorch.nn.Embedding(10, 4, padding_idx=3).to(device)
    assert bool((m.weight[3] == 0).all()) and float(m.weight.detach().abs().sum()) > 0
    m(rustorch.tensor([[3, 1], [3, 3]], device=device)).sum().backward()
    assert bool((m.weight.grad[3] == 0).all()) and bool((m.weight.grad[1] == 1).all())
    assert m(rustorch.tensor([1], device=device)).grad_fn.name() == "EmbeddingBackward0"


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (0.5, 1.0), (2.0, 3.0)])
def test_embedding_max_norm_renormalises_in_place(max_norm, norm_type, device):
    rt_m = rustorch.nn.Embedding(8, 5, max_norm=max_norm, norm_type=norm_type)
    th_m = torch.nn.Embedding(8, 5, max_norm=max_norm, norm_type=norm_type)
    idx = np.array([[0, 2, 2], [5, 0, 7]])
    check_module(rt_m, th_m, idx, device=device)
    # the rows used were rescaled in place, the others kept, as torch does
    assert_same(rt_m.weight.detach(), th_m.weight.detach(), rtol=1e-5, atol=1e-6)
    assert repr(rt_m) == repr(th_m)


def test_embedding_functional_and_double_backward(device):
    idx = rustorch.tensor([[0, 3], [3, 1]], device=device)
    gradchecks(lambda w: F.embedding(idx, w), rng.standard_normal((4, 3)), device=device)
    # padding_idx and scale_grad_by_freq change the gradient on purpose: only its own derivative is checked
    w64 = rustorch.tensor(rng.standard_normal((4, 3)), requires_grad=True, device=device)
    assert rustorch.autograd.gradgradcheck(lambda w: F.embedding(idx, w, padding_idx=3, scale_grad_by_freq=True),
                                           (w64,))
    w = rustorch.randn(4, 3, device=device)
    assert_same(F.embedding(idx.int(), w), torch.nn.functional.embedding(torch.tensor([[0, 3], [3, 1]]),
                                                                          torch.tensor(w.cpu().numpy())))


def test_embedding_from_pretrained(device):
    weights = rustorch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], device=device)
    frozen = rustorch.nn.Embedding.from_pretrained(weights)
    assert not frozen.weight.requires_grad
    assert frozen(rustorch.tensor([2], device=device)).tolist() == [[5.0, 6.0]]
    weights[2, 0] = 7.0  # the weight shares the given tensor's memory
    assert frozen(rustorch.tensor([2], device=device)).tolist() == [[7.0, 6.0]]
    trained = rustorch.nn.Embedding.from_pretrained(weights, freeze=False, padding_idx=1)
    assert trained.weight.requires_grad and trained.padding_idx == 1
    assert trained.weight[1].tolist() == [3.0, 4.0]  # a pretrained padding row is kept, as torch
    trained(rustorch.tensor([1, 2], device=device)).sum().backward()
    assert trained.weight.grad.tolist() == [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]]
    with pytest.raises(rustorch.ShapeError, match="2-dimensional"):
        rustorch.nn.Embedding.from_pretrained(rustorch.ones(3, device=device))


def test_embedding_errors(device):
    w = rustorch.randn(5, 2, device=device)
    with pytest.raises(IndexError, match=r"embedding\(\): index out of range.*\[0, 5\)"):
        F.embedding(rustorch.tensor([1, 5], device=device), w)
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(rustorch.tensor([-1], device=device), w)
    with pytest.raises(TypeError, match="Long, Int"):
        F.embedding(rustorch.tensor([1.0], device=device), w)
    with pytest.raises(ValueError, match="Padding_idx must be within num_embeddings"):
        rustorch.nn.Embedding(5, 2, padding_idx=5)
    with pytest.raises(rustorch.ShapeError, match="does not match num_embeddings"):
        rustorch.nn.Embedding(5, 2, _weight=rustorch.ones(4, 2, device=device))


# embedding bag -------------------------------------------------------------------------------
BAGS = [  # (input, offsets): 1-D input cut at offsets (an empty bag among them), and 2-D input
    (np.array([1, 2, 4, 4, 0, 2, 5, 3]), np.array([0, 3, 3, 6])),
    (np.array([[1, 2, 4], [4, 0, 2], [5, 5, 1], [2, 2, 2]]), None),  # the last bag is padding only (padding_idx=2)
]


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("bag", range(len(BAGS)))
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag(mode, bag, padding_idx, device):
    rt_m = rustorch.nn.EmbeddingBag(6, 3, mode=mode, padding_idx=padding_idx)
    th_m = torch.nn.EmbeddingBag(6, 3, mode=mode, padding_idx=padding_idx)
    idx, offsets = BAGS[bag]
    check_module(rt_m, th_m, *([idx] if offsets is None else [idx, offsets]), device=device)
    assert repr(rt_m) == repr(th_m)


def test_embedding_bag_per_sample_weights_and_last_offset(device):
    idx, offsets = BAGS[0]
    weights = rng.standard_normal(idx.shape).astype(np.float32)
    rt_m, th_m = rustorch.nn.EmbeddingBag(6, 3, mode="sum"), torch.nn.EmbeddingBag(6, 3, mode="sum")
    check_module(rt_m, th_m, idx, offsets, weights, device=device)  # the per-sample weights get their gradient too
    for mode in ("sum", "mean", "max"):
        rt_m = rustorch.nn.EmbeddingBag(6, 3, mode=mode, include_last_offset=True)
        th_m = torch.nn.EmbeddingBag(6, 3, mode=mode, include_last_offset=True)
        check_module(rt_m, th_m, idx, np.append(offsets, len(idx)), device=device)
    rt_m, th_m = bag_without_offsets(rustorch.nn), bag_without_offsets(torch.nn)
    check_module(rt_m, th_m, idx[:, None].repeat(2, 1), weights[:, None].repeat(2, 1), device=device)


def bag_without_offsets(nn):
    """A module calling a 'sum' EmbeddingBag on a 2-D input with per_sample_weights (and no offsets)."""

    class Bag(nn.Module):
        def __init__(self):
            super().__init__()
            self.bag = nn.EmbeddingBag(6, 3, mode="sum")

        def forward(self, input, per_sample_weights):
            return self.bag(input, None, per_sample_weights)

    return Bag()


def test_embedding_bag_scale_grad_by_freq_and_max_norm(device):
    # the gradient scaled by each index's count in the batch, as F.embedding's (torch's bag kernel is off for
    # some index orders, so the reference is embedding + sum)
    idx, offsets = BAGS[0]
    w = rustorch.randn(6, 3, requires_grad=True, device=device)
    F.embedding_bag(rustorch.tensor(idx, device=device), w, rustorch.tensor(offsets, device=device), mode="sum",
                    scale_grad_by_freq=True).sum().backward()
    ref = w.detach().clone().requires_grad_()
    F.embedding(rustorch.tensor(idx, device=device), ref, scale_grad_by_freq=True).sum().backward()
    assert_same(w.grad, torch.tensor(ref.grad.cpu().numpy()))
    rt_m = rustorch.nn.EmbeddingBag(6, 3, max_norm=1.0)
    th_m = torch.nn.EmbeddingBag(6, 3, max_norm=1.0)
    check_module(rt_m, th_m, idx, offsets, device=device)
    assert_same(rt_m.weight.detach(), th_m.weight.detach(), rtol=1e-5, atol=1e-6)


def test_embedding_bag_functional_gradchecks(device):
    idx, offsets = rustorch.tensor(BAGS[0][0], device=device), rustorch.tensor(BAGS[0][1], device=device)
    for mode in ("sum", "mean"):
        gradchecks(lambda w: F.embedding_bag(idx, w, offsets, mode=mode, padding_idx=2), rng.standard_normal((6, 3)),
                   device=device)
    gradchecks(lambda w, p: F.embedding_bag(idx, w, offsets, mode="sum", per_sample_weights=p),
               rng.standard_normal((6, 3)), rng.standard_normal(8), device=device)
    gradchecks(lambda w: F.embedding_bag(idx, w, offsets, mode="max"), rng.standard_normal((6, 3)), device=device)


def test_embedding_bag_from_pretrained_and_errors(device):
    weights = rustorch.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
    bag = rustorch.nn.EmbeddingBag.from_pretrained(weights, mode="sum")
    assert not bag.weight.requires_grad and bag(rustorch.tensor([[0, 1, 1]], device=device)).tolist() == [[7.0, 10.0]]
    w, idx = rustorch.randn(5, 2, device=device), rustorch.tensor([1, 2, 3], device=device)
    with pytest.raises(ValueError, match="offsets has to be None"):
        F.embedding_bag(idx.view(1, 3), w, rustorch.tensor([0], device=device))
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor"):
        F.embedding_bag(idx, w)
    with pytest.raises(RuntimeError, match=r"offsets\[0\] has to be 0"):
        F.embedding_bag(idx, w, rustorch.tensor([1], device=device))
    with pytest.raises(RuntimeError, match="can not be greater than input's length 3"):
        F.embedding_bag(idx, w, rustorch.tensor([0, 4], device=device))
    with pytest.raises(ValueError, match="mode has to be one of"):
        F.embedding_bag(idx, w, rustorch.tensor([0], device=device), mode="min")
    with pytest.raises(ValueError, match="max mode does not support scaling"):
        F.embedding_bag(idx, w, rustorch.tensor([0], device=device), mode="max", scale_grad_by_freq=True)
    with pytest.raises(ValueError, match="only supported for mode='sum'"):
        F.embedding_bag(idx, w, rustorch.tensor([0], device=device), per_sample_weights=rustorch.ones(3, device=device))
    with pytest.raises(ValueError, match="same shape as the input"):
        F.embedding_bag(idx, w, rustorch.tensor([0], device=device), mode="sum",
                        per_sample_weights=rustorch.ones(2, device=device))
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding_bag(rustorch.tensor([7], device=device), w, rustorch.tensor([0], device=device))


# one_hot -------------------------------------------------------------------------------------
@pytest.mark.parametrize("values,num_classes", [([0, 2, 1], -1), ([[1, 3], [0, 0]], 5), ([], 3), (2, 4)])
def test_one_hot(values, num_classes, device):
    t = torch.tensor(values, dtype=torch.int64)
    assert_same(F.one_hot(rustorch.tensor(np.array(values, dtype=np.int64), device=device), num_classes),
                torch.nn.functional.one_hot(t, num_classes))


def test_one_hot_errors(device):
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(rustorch.tensor([1, -1], device=device))
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(rustorch.tensor([1, 3], device=device), 3)
    with pytest.raises(RuntimeError, match="empty tensor"):
        F.one_hot(rustorch.tensor([], dtype=rustorch.int64, device=device))
    with pytest.raises(TypeError, match="LongTensor"):
        F.one_hot(rustorch.tensor([1], dtype=rustorch.int32, device=device))


def test_state_dict_matches_torch():
    for make in (lambda nn: nn.Embedding(4, 3, padding_idx=1), lambda nn: nn.EmbeddingBag(4, 3, mode="max")):
        rt_m, th_m = make(rustorch.nn), make(torch.nn)
        assert list(rt_m.state_dict()) == list(th_m.state_dict())
        assert tuple(rt_m.weight.shape) == tuple(th_m.weight.shape)
    weight = rustorch.nn.Embedding(100, 100).weight.detach().numpy()
    assert abs(weight.mean()) < 0.05 and abs(weight.std() - 1) < 0.05  # N(0, 1), as torch
