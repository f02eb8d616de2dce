"""rustorch.nn.utils against torch: sequence padding and packing, gradient clipping, parameters <-> vector."""
import math

import numpy as np
import pytest
import torch

import rustorch
import rustorch.nn.utils.rnn as rt_rnn
from conftest import assert_same

th_rnn = torch.nn.utils.rnn


def _sequences(lengths, features=(2,), seed=0, device="cpu"):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((n,) + features).astype(np.float32) for n in lengths]
    return ([rustorch.tensor(a, requires_grad=True, device=device) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def _backward_same(rt_out, th_out, rt_inputs, th_inputs, seed=1):
    g = np.random.default_rng(seed).standard_normal(tuple(th_out.shape)).astype(np.float32)
    rt_out.backward(rustorch.tensor(g, device=rt_out.device))
    th_out.backward(torch.tensor(g))
    for r, t in zip(rt_inputs, th_inputs):
        assert_same(r.grad, t.grad)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence(batch_first, padding_side, device):
    rt_seqs, th_seqs = _sequences([3, 5, 1], features=(2, 3), device=device)
    rt_out = rt_rnn.pad_sequence(rt_seqs, batch_first=batch_first, padding_value=-2.0, padding_side=padding_side)
    th_out = th_rnn.pad_sequence(th_seqs, batch_first=batch_first, padding_value=-2.0, padding_side=padding_side)
    assert_same(rt_out, th_out.detach())
    assert rt_out.device.type == device
    _backward_same(rt_out, th_out, rt_seqs, th_seqs)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,enforce_sorted", [([4, 4, 2, 1], True), ([2, 4, 1, 3], False), ([3], True)])
def test_pack_padded_sequence(batch_first, lengths, enforce_sorted, device):
    steps, batch = max(lengths), len(lengths)
    x = np.random.default_rng(0).standard_normal((batch, steps, 3) if batch_first else (steps, batch, 3))
    rt_x = rustorch.tensor(x.astype(np.float32), requires_grad=True, device=device)
    th_x = torch.tensor(x.astype(np.float32), requires_grad=True)
    rt_p = rt_rnn.pack_padded_sequence(rt_x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    th_p = th_rnn.pack_padded_sequence(th_x, torch.tensor(lengths), batch_first=batch_first,
                                       enforce_sorted=enforce_sorted)
    assert_same(rt_p.data, th_p.data.detach())
    assert_same(rt_p.batch_sizes, th_p.batch_sizes)
    for r, t in ((rt_p.sorted_indices, th_p.sorted_indices), (rt_p.unsorted_indices, th_p.unsorted_indices)):
        assert (r is None) == (t is None)
        if r is not None:
            assert_same(r, t)
    _backward_same(rt_p.data, th_p.data, [rt_x], [th_x])


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pad_packed_sequence(batch_first, enforce_sorted, device):
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    rt_seqs, th_seqs = _sequences(lengths, device=device)
    rt_p = rt_rnn.pack_sequence(rt_seqs, enforce_sorted=enforce_sorted)
    th_p = th_rnn.pack_sequence(th_seqs, enforce_sorted=enforce_sorted)
    for total_length in (None, 7):
        rt_out, rt_len = rt_rnn.pad_packed_sequence(rt_p, batch_first, padding_value=0.5, total_length=total_length)
        th_out, th_len = th_rnn.pad_packed_sequence(th_p, batch_first, padding_value=0.5, total_length=total_length)
        assert_same(rt_out, th_out.detach())
        assert_same(rt_len, th_len)
    _backward_same(rt_out, th_out, rt_seqs, th_seqs)


def test_unpack_and_unpad(device):
    rt_seqs, th_seqs = _sequences([2, 4, 1], device=device)
    for r, t in zip(rt_rnn.unpack_sequence(rt_rnn.pack_sequence(rt_seqs, enforce_sorted=False)), th_seqs):
        assert_same(r, t.detach())
    padded = rt_rnn.pad_sequence(rt_seqs)
    for r, t in zip(rt_rnn.unpad_sequence(padded, rustorch.tensor([2, 4, 1])), th_seqs):
        assert_same(r, t.detach())
    assert tuple(padded.shape) == (4, 3, 2)  # unpad_sequence leaves its input alone


def test_packed_sequence_is_a_namedtuple():
    p = rt_rnn.pack_sequence([rustorch.ones(3, 2), rustorch.ones(1, 2)])
    data, batch_sizes, sorted_indices, unsorted_indices = p
    assert data is p.data and sorted_indices is None and unsorted_indices is None
    assert p._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert p.to(rustorch.float32) is p
    q = p.double()
    assert q.data.dtype is rustorch.float64 and q.batch_sizes is p.batch_sizes and not q.is_cuda
    legacy = rt_rnn.PackedSequence((p.data, p.batch_sizes))
    assert legacy.batch_sizes is p.batch_sizes
    perm = rustorch.tensor([2, 0, 3, 1])
    assert_same(rt_rnn.invert_permutation(perm), th_rnn.invert_permutation(torch.tensor([2, 0, 3, 1])))


def test_sequence_errors():
    x = rustorch.zeros(4, 3, 2)
    with pytest.raises(ValueError, match="must be sorted in decreasing order"):
        rt_rnn.pack_padded_sequence(x, [2, 4, 1])
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to batch_size, but got 2"):
        rt_rnn.pack_padded_sequence(x, [2, 1])
    with pytest.raises(ValueError, match="has to be greater than 0"):
        rt_rnn.pack_padded_sequence(x, [2, 1, 0])
    with pytest.raises(ValueError, match="total_length=2 and max sequence length being 4"):
        rt_rnn.pad_packed_sequence(rt_rnn.pack_padded_sequence(x, [4, 2, 1]), total_length=2)
    with pytest.raises(ValueError, match="padding_side"):
        rt_rnn.pad_sequence([x], padding_side="middle")
    with pytest.raises(RuntimeError, match="trailing shape"):
        rt_rnn.pad_sequence([rustorch.zeros(2, 3), rustorch.zeros(2, 4)])


def test_importable_as_torch_spells_it():
    import rustorch.nn.utils.rnn as mod

    assert mod.pack_padded_sequence is rustorch.nn.utils.rnn.pack_padded_sequence
    from rustorch.nn.utils import clip_grad_norm_, parameters_to_vector  # noqa: F401


# gradient clipping -------------------------------------------------------------------------------------------
def _params_with_grads(seed=0, scale=1.0, device="cpu"):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2, 2)]
    grads = [(rng.standard_normal(s) * scale).astype(np.float32) for s in shapes]
    rt_params = [rustorch.nn.Parameter(rustorch.zeros(s, device=device)) for s in shapes]
    th_params = [torch.nn.Parameter(torch.zeros(s)) for s in shapes]
    for p, q, g in zip(rt_params, th_params, grads):
        p.grad, q.grad = rustorch.tensor(g, device=device), torch.tensor(g)
    return rt_params, th_params


@pytest.mark.parametrize("norm_type", [2.0, 1, math.inf, 3.5])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
@pytest.mark.parametrize("foreach", [None, False, True])
def test_clip_grad_norm(norm_type, max_norm, foreach, device):
    rt_params, th_params = _params_with_grads(device=device)
    rt_total = rustorch.nn.utils.clip_grad_norm_(rt_params, max_norm, norm_type=norm_type, foreach=foreach)
    th_total = torch.nn.utils.clip_grad_norm_(th_params, max_norm, norm_type=norm_type, foreach=foreach)
    assert_same(rt_total, th_total)
    assert rt_total.device.type == device
    for p, q in zip(rt_params, th_params):
        assert_same(p.grad, q.grad)


def test_clip_grad_norm_special_cases(device):
    # one tensor, a parameter without a gradient, an empty list
    rt_params, th_params = _params_with_grads(scale=10, device=device)
    rt_params[1].grad, th_params[1].grad = None, None
    assert_same(rustorch.nn.utils.clip_grad_norm_(rt_params[0], 1.0), torch.nn.utils.clip_grad_norm_(th_params[0], 1.0))
    assert_same(rustorch.nn.utils.clip_grad_norm_(rt_params, 1.0), torch.nn.utils.clip_grad_norm_(th_params, 1.0))
    assert rt_params[1].grad is None
    assert float(rustorch.nn.utils.clip_grad_norm_([], 1.0)) == 0.0
    # a non-finite norm: an error if asked, else every gradient gets it
    rt_params, th_params = _params_with_grads(device=device)
    rt_params[0].grad[0, 0] = float("nan")
    with pytest.raises(RuntimeError, match="non-finite, so it cannot be clipped"):
        rustorch.nn.utils.clip_grad_norm_(rt_params, 1.0, error_if_nonfinite=True)
    total = rustorch.nn.utils.clip_grad_norm_(rt_params, 1.0)
    assert math.isnan(float(total)) and bool(rt_params[2].grad.isnan().all())
    with pytest.warns(FutureWarning):
        rustorch.nn.utils.clip_grad_norm(_params_with_grads(device=device)[0], 1.0)


def test_total_norm_and_clip_with_norm(device):
    rt_params, th_params = _params_with_grads(device=device)
    rt_total = rustorch.nn.utils.get_total_norm([p.grad for p in rt_params], 3.0)
    th_total = torch.nn.utils.get_total_norm([p.grad for p in th_params], 3.0)
    assert_same(rt_total, th_total)
    rustorch.nn.utils.clip_grads_with_norm_(rt_params, 0.1, rt_total)
    torch.nn.utils.clip_grads_with_norm_(th_params, 0.1, th_total)
    for p, q in zip(rt_params, th_params):
        assert_same(p.grad, q.grad)


@pytest.mark.parametrize("clip_value", [0.3, 5])
def test_clip_grad_value(clip_value, device):
    rt_params, th_params = _params_with_grads(device=device)
    rustorch.nn.utils.clip_grad_value_(rt_params, clip_value)
    torch.nn.utils.clip_grad_value_(th_params, clip_value)
    for p, q in zip(rt_params, th_params):
        assert_same(p.grad, q.grad)


def test_clip_inside_training_step(device):
    lstm = rustorch.nn.LSTM(3, 4).to(device)
    out, _ = lstm(rustorch.randn(5, 2, 3, device=device))
    (out * 100).sum().backward()
    total = rustorch.nn.utils.clip_grad_norm_(lstm.parameters(), 1.0)
    assert float(total) > 1.0
    assert abs(float(rustorch.nn.utils.get_total_norm([p.grad for p in lstm.parameters()])) - 1.0) < 1e-4


# parameters <-> vector ----------------------------------------------------------------------------------------
def test_parameters_to_vector_and_back(device):
    rt_layer, th_layer = rustorch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    rt_layer.load_state_dict({k: v.detach().numpy() for k, v in th_layer.state_dict().items()})
    rt_layer.to(device)
    rt_vec = rustorch.nn.utils.parameters_to_vector(rt_layer.parameters())
    th_vec = torch.nn.utils.parameters_to_vector(th_layer.parameters())
    assert_same(rt_vec, th_vec.detach())
    assert rt_vec.requires_grad  # differentiable, as torch's
    new = np.arange(8, dtype=np.float32)
    rustorch.nn.utils.vector_to_parameters(rustorch.tensor(new, device=device), rt_layer.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), th_layer.parameters())
    for (name, p), q in zip(rt_layer.named_parameters(), th_layer.parameters()):
        assert_same(p.detach(), q.detach())
        assert isinstance(p, rustorch.nn.Parameter) and p.requires_grad and p.device.type == device, name
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        rustorch.nn.utils.vector_to_parameters([1.0], rt_layer.parameters())


# weight normalisation -----------------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(dim, device):
    rt_layer, th_layer = rustorch.nn.Linear(4, 3), torch.nn.Linear(4, 3)
    rt_layer.load_state_dict({k: v.detach().numpy() for k, v in th_layer.state_dict().items()})
    rt_layer.to(device)
    rt_layer, th_layer = rustorch.nn.utils.weight_norm(rt_layer, dim=dim), torch.nn.utils.weight_norm(th_layer, dim=dim)
    assert list(rt_layer.state_dict()) == list(th_layer.state_dict())
    for k, v in th_layer.state_dict().items():
        assert_same(rt_layer.state_dict()[k], v)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    rt_out, th_out = rt_layer(rustorch.tensor(x, device=device)), th_layer(torch.tensor(x))
    assert_same(rt_out, th_out.detach())
    rt_out.sum().backward()
    th_out.sum().backward()
    for name in ("weight_g", "weight_v", "bias"):
        assert_same(getattr(rt_layer, name).grad, getattr(th_layer, name).grad, rtol=1e-5, atol=1e-6)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        rustorch.nn.utils.weight_norm(rt_layer)
    rustorch.nn.utils.remove_weight_norm(rt_layer)
    torch.nn.utils.remove_weight_norm(th_layer)
    assert sorted(n for n, _ in rt_layer.named_parameters()) == ["bias", "weight"]
    assert_same(rt_layer.weight.detach(), th_layer.weight.detach())
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        rustorch.nn.utils.remove_weight_norm(rt_layer)
