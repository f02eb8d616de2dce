"""Recurrent layers (RNN, LSTM, GRU) and cells against torch: outputs, final states, input and parameter gradients,
parameter names and init, packed sequences, double backward and argument errors."""
import math

import numpy as np
import pytest
import torch

import rustorch
from rustorch.nn.modules import rnn as rnn_module
from rustorch.nn.utils.rnn import pack_padded_sequence as rt_pack
from conftest import assert_same, check_module, copy_weights, gradchecks, to_torch

pytestmark = pytest.mark.filterwarnings("ignore:.*oneDNN")


def _pair(cls, *args, **kwargs):
    return getattr(rustorch.nn, cls)(*args, **kwargs), getattr(torch.nn, cls)(*args, **kwargs)


def _randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


LAYER_CONFIGS = [
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 3, "batch_first": True}),
    ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True, "bias": False}),
    ("GRU", {}),
    ("GRU", {"num_layers": 3, "batch_first": True, "bias": False}),
    ("GRU", {"bidirectional": True}),
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True}),
    ("RNN", {"nonlinearity": "relu", "bias": False, "batch_first": True}),
]


@pytest.mark.parametrize("cls,kwargs", LAYER_CONFIGS)
def test_layer_matches_torch(cls, kwargs, device):
    rt_m, th_m = _pair(cls, 5, 7, **kwargs)
    shape = (3, 6, 5) if kwargs.get("batch_first") else (6, 3, 5)
    check_module(rt_m, th_m, _randn(*shape), device=device)


@pytest.mark.parametrize("cls,kwargs", LAYER_CONFIGS)
def test_layer_with_initial_state(cls, kwargs, device):
    rt_m, th_m = _pair(cls, 4, 6, **kwargs)
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    out = kwargs.get("proj_size") or 6
    x = _randn(*((2, 5, 4) if kwargs.get("batch_first") else (5, 2, 4)))
    h0 = _randn(layers, 2, out, seed=1)
    if cls == "LSTM":
        c0 = _randn(layers, 2, 6, seed=2)

        class Wrap:  # check_module passes inputs positionally: (x, h0, c0) -> m(x, (h0, c0))
            def __init__(self, m):
                self.m = m

            def __getattr__(self, name):
                return getattr(self.m, name)

            def to(self, device):
                self.m.to(device)
                return self

            def __call__(self, x, h, c):
                return self.m(x, (h, c))

        rt_m, th_m = Wrap(rt_m), Wrap(th_m)
        check_module(rt_m, th_m, x, h0, c0, device=device)
    else:
        check_module(rt_m, th_m, x, h0, device=device)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_long_sequence(cls, device):
    rt_m, th_m = _pair(cls, 8, 16, num_layers=2)
    check_module(rt_m, th_m, _randn(80, 4, 8), device=device, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_unbatched_input(cls, device):
    rt_m, th_m = _pair(cls, 3, 4, num_layers=2, bidirectional=True)
    check_module(rt_m, th_m, _randn(5, 3), device=device)
    copy_weights(rt_m, th_m)
    h0 = _randn(4, 4, seed=1)
    rt_h0, th_h0 = rustorch.tensor(h0, device=device), torch.tensor(h0)
    hx_rt = (rt_h0, rt_h0) if cls == "LSTM" else rt_h0
    hx_th = (th_h0, th_h0) if cls == "LSTM" else th_h0
    out_rt, h_rt = rt_m(rustorch.tensor(_randn(5, 3), device=device), hx_rt)
    out_th, h_th = th_m(torch.tensor(_randn(5, 3)), hx_th)
    assert_same(out_rt, out_th.detach(), rtol=1e-5, atol=1e-6)
    for a, b in zip(h_rt if cls == "LSTM" else [h_rt], h_th if cls == "LSTM" else [h_th]):
        assert_same(a, b.detach(), rtol=1e-5, atol=1e-6)


def test_dropout_between_layers():
    # p = 1 zeroes the input of every layer but the first, deterministically, in torch and here
    rt_m, th_m = _pair("LSTM", 3, 4, num_layers=3, dropout=1.0)
    check_module(rt_m, th_m, _randn(5, 2, 3), train=True)
    # evaluation ignores dropout
    rt_m, th_m = _pair("GRU", 3, 4, num_layers=2, dropout=0.5)
    check_module(rt_m, th_m, _randn(5, 2, 3), train=False)
    # training with 0 < p < 1 draws a mask: two runs differ, the last layer is not dropped
    rt_m.train()
    x = rustorch.tensor(_randn(5, 2, 3))
    assert not bool((rt_m(x)[0] == rt_m(x)[0]).all())


def _packed_case(cls, kwargs, lengths, enforce_sorted, batch_first=False, device="cpu"):
    rt_m, th_m = _pair(cls, 3, 5, **kwargs)
    copy_weights(rt_m, th_m)
    rt_m.to(device)
    steps, batch = max(lengths), len(lengths)
    x = _randn(*((batch, steps, 3) if batch_first else (steps, batch, 3)))
    rt_x, th_x = rustorch.tensor(x, requires_grad=True, device=device), torch.tensor(x, requires_grad=True)
    rt_p = rt_pack(rt_x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    th_p = torch.nn.utils.rnn.pack_padded_sequence(th_x, torch.tensor(lengths), batch_first=batch_first,
                                                   enforce_sorted=enforce_sorted)
    directions = 2 if kwargs.get("bidirectional") else 1
    layers = kwargs.get("num_layers", 1) * directions
    h0 = _randn(layers, batch, kwargs.get("proj_size") or 5, seed=3)
    rt_h0, th_h0 = rustorch.tensor(h0, requires_grad=True, device=device), torch.tensor(h0, requires_grad=True)
    if cls == "LSTM":
        c0 = _randn(layers, batch, 5, seed=4)
        rt_c0, th_c0 = rustorch.tensor(c0, requires_grad=True, device=device), torch.tensor(c0, requires_grad=True)
        (rt_out, (rt_h, rt_c)), (th_out, (th_h, th_c)) = rt_m(rt_p, (rt_h0, rt_c0)), th_m(th_p, (th_h0, th_c0))
        rt_results, th_results = [rt_out.data, rt_h, rt_c], [th_out.data, th_h, th_c]
        rt_inputs, th_inputs = [rt_x, rt_h0, rt_c0], [th_x, th_h0, th_c0]
    else:
        (rt_out, rt_h), (th_out, th_h) = rt_m(rt_p, rt_h0), th_m(th_p, th_h0)
        rt_results, th_results = [rt_out.data, rt_h], [th_out.data, th_h]
        rt_inputs, th_inputs = [rt_x, rt_h0], [th_x, th_h0]
    assert isinstance(rt_out, rustorch.nn.utils.rnn.PackedSequence)
    assert rt_out.batch_sizes.tolist() == th_out.batch_sizes.tolist()
    rng = np.random.default_rng(5)
    rt_loss, th_loss = 0, 0
    for r, t in zip(rt_results, th_results):
        assert_same(r, t.detach(), rtol=1e-5, atol=1e-6)
        g = rng.standard_normal(tuple(t.shape)).astype(np.float32)
        rt_loss = rt_loss + (r * rustorch.tensor(g, device=device)).sum()
        th_loss = th_loss + (t * torch.tensor(g)).sum()
    rt_loss.backward()
    th_loss.backward()
    for r, t in zip(rt_inputs, th_inputs):
        assert_same(r.grad, t.grad, rtol=1e-5, atol=1e-6)
    th_params = dict(th_m.named_parameters())
    for name, p in rt_m.named_parameters():
        assert_same(p.grad, th_params[name].grad, rtol=1e-5, atol=1e-6)
    # the padded outputs past each sequence's length are zero
    padded, lens = rustorch.nn.utils.rnn.pad_packed_sequence(rt_out)
    for b, n in enumerate(lens.tolist()):
        assert not bool(padded[n:, b].abs().sum() != 0)


@pytest.mark.parametrize("cls,kwargs", [("LSTM", {}), ("LSTM", {"bidirectional": True, "num_layers": 2}),
                                        ("LSTM", {"proj_size": 2, "bidirectional": True}), ("GRU", {}),
                                        ("GRU", {"bidirectional": True, "bias": False}),
                                        ("RNN", {"bidirectional": True, "num_layers": 2})])
def test_packed_sequence(cls, kwargs, device):
    _packed_case(cls, kwargs, [5, 5, 3, 2, 2, 1], enforce_sorted=True, device=device)
    _packed_case(cls, kwargs, [2, 4, 1, 4, 3], enforce_sorted=False, device=device)
    _packed_case(cls, kwargs, [3, 1, 2], enforce_sorted=False, batch_first=True, device=device)


def test_packed_without_initial_state():
    rt_m, th_m = _pair("LSTM", 3, 4, bidirectional=True)
    copy_weights(rt_m, th_m)
    x = _randn(4, 3, 3)
    rt_out, (rt_h, rt_c) = rt_m(rt_pack(rustorch.tensor(x), [2, 4, 1], enforce_sorted=False))
    th_out, (th_h, th_c) = th_m(torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), [2, 4, 1],
                                                                        enforce_sorted=False))
    for r, t in ((rt_out.data, th_out.data), (rt_h, th_h), (rt_c, th_c)):
        assert_same(r, t.detach(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_double_backward_matches_torch(cls, device):
    rt_m, th_m = _pair(cls, 3, 4, bidirectional=True, dtype=None)
    copy_weights(rt_m, th_m)
    rt_m.to(device)
    x = _randn(4, 2, 3)
    rt_x, th_x = rustorch.tensor(x, requires_grad=True, device=device), torch.tensor(x, requires_grad=True)
    (rt_g,) = rustorch.autograd.grad(rt_m(rt_x)[0].pow(2).sum(), rt_x, create_graph=True)
    (th_g,) = torch.autograd.grad(th_m(th_x)[0].pow(2).sum(), th_x, create_graph=True)
    assert_same(rt_g, th_g.detach(), rtol=1e-5, atol=1e-6)
    rt_g.pow(2).sum().backward()
    th_g.pow(2).sum().backward()
    assert_same(rt_x.grad, th_x.grad, rtol=1e-4, atol=1e-5)
    th_params = dict(th_m.named_parameters())
    for name, p in rt_m.named_parameters():
        assert_same(p.grad, th_params[name].grad, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"])
@pytest.mark.parametrize("batch_sizes,reverse", [([2, 2, 2], False), ([3, 2, 2, 1], False), ([3, 2, 2, 1], True)])
def test_layer_gradcheck(mode, batch_sizes, reverse, device):
    """float64 gradcheck and gradgradcheck of one layer (the recorded recurrence node) in one direction."""
    gates = {"LSTM": 4, "GRU": 3}.get(mode, 1)
    hidden, inputs, n, batch = 3, 2, sum(batch_sizes), batch_sizes[0]
    proj = mode == "LSTM"  # the LSTM case runs with a projection (h has 2 features)
    out = 2 if proj else hidden
    sched = rnn_module._Schedule(batch_sizes, reverse)
    shapes = [(inputs, n), (gates * hidden, inputs), (gates * hidden, out), (gates * hidden,), (gates * hidden,),
              (out, batch)] + ([(hidden, batch), (out, hidden)] if proj else [])
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) * 0.5 for s in shapes]

    def fn(x, w_ih, w_hh, b_ih, b_hh, h0, c0=None, w_hr=None):
        return rnn_module._layer(mode, sched, x, w_ih, w_hh, b_ih, b_hh, w_hr, h0, c0)

    # second order on the CPU only: on a GPU backend it is thousands of tiny launches (minutes on PoCL), and
    # test_double_backward_matches_torch covers double backward there
    gradchecks(fn, *arrays, device=device, second_order=device == "cpu")


def test_parameters_match_torch():
    for cls, kwargs in LAYER_CONFIGS:
        rt_m, th_m = _pair(cls, 5, 7, **kwargs)
        assert list(rt_m.state_dict()) == list(th_m.state_dict())
        for (name, p), (_, q) in zip(rt_m.named_parameters(), th_m.named_parameters()):
            assert tuple(p.shape) == tuple(q.shape), name
        assert [[tuple(p.shape) for p in w] for w in rt_m.all_weights] == \
               [[tuple(p.shape) for p in w] for w in th_m.all_weights]
        assert rt_m._flat_weights_names == th_m._flat_weights_names
    for cls in ("RNNCell", "LSTMCell", "GRUCell"):
        for bias in (True, False):
            rt_m, th_m = _pair(cls, 5, 7, bias=bias)
            assert {k: tuple(v.shape) for k, v in rt_m.state_dict().items()} == \
                   {k: tuple(v.shape) for k, v in th_m.state_dict().items()}


def test_default_initialisation():
    bound = 1 / math.sqrt(64)
    for m in (rustorch.nn.LSTM(32, 64, num_layers=2, proj_size=16), rustorch.nn.GRUCell(8, 64)):
        values = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
        assert values.min() >= -bound and values.max() <= bound
        # uniform on [-bound, bound]: mean about 0, variance about bound^2 / 3
        assert abs(values.mean()) < 0.05 * bound
        assert abs(values.var() / (bound * bound / 3) - 1) < 0.05


def test_repr_matches_torch():
    for cls, kwargs in LAYER_CONFIGS + [("LSTM", {"dropout": 0.5, "num_layers": 2})]:
        rt_m, th_m = _pair(cls, 5, 7, **kwargs)
        assert repr(rt_m) == repr(th_m)
    for cls, kwargs in (("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {"bias": False}), ("GRUCell", {})):
        rt_m, th_m = _pair(cls, 5, 7, **kwargs)
        assert repr(rt_m) == repr(th_m)


@pytest.mark.parametrize("cls,kwargs", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu", "bias": False}),
                                        ("LSTMCell", {}), ("LSTMCell", {"bias": False}), ("GRUCell", {}),
                                        ("GRUCell", {"bias": False})])
def test_cells_match_torch(cls, kwargs, device):
    rt_m, th_m = _pair(cls, 4, 6, **kwargs)
    check_module(rt_m, th_m, _randn(3, 4), device=device)  # no state: zeros
    check_module(rt_m, th_m, _randn(4), device=device)  # unbatched
    h = _randn(3, 6, seed=1)
    if cls == "LSTMCell":
        rt_out = rt_m(rustorch.tensor(_randn(3, 4), device=device),
                      (rustorch.tensor(h, device=device), rustorch.tensor(h * 2, device=device)))
        th_out = th_m(torch.tensor(_randn(3, 4)), (torch.tensor(h), torch.tensor(h * 2)))
        for r, t in zip(rt_out, th_out):
            assert_same(r, t.detach(), rtol=1e-5, atol=1e-6)
    else:
        check_module(rt_m, th_m, _randn(3, 4), h, device=device)


def test_empty_batch(device):
    rt_m, th_m = _pair("LSTM", 3, 4, bidirectional=True)
    out, (h, c) = rt_m.to(device)(rustorch.zeros(5, 0, 3, device=device))
    th_out, (th_h, _) = th_m(torch.zeros(5, 0, 3))
    assert tuple(out.shape) == tuple(th_out.shape) and tuple(h.shape) == tuple(th_h.shape)


def test_output_layout_and_grad_fn():
    lstm = rustorch.nn.LSTM(3, 4, batch_first=True)
    out, (h, c) = lstm(rustorch.randn(2, 5, 3))
    assert tuple(out.shape) == (2, 5, 4) and h.is_contiguous() and c.is_contiguous()
    out.sum().backward()
    assert all(p.grad is not None for p in lstm.parameters())
    with rustorch.no_grad():
        out, _ = lstm(rustorch.randn(2, 5, 3))
    assert out.grad_fn is None and not out.requires_grad


@pytest.mark.parametrize("make,call,pattern", [
    (lambda: rustorch.nn.LSTM(4, 5), lambda m: m(rustorch.randn(3, 2, 6)),
     r"LSTM: input.size\(-1\) must be equal to input_size. Expected 4, got 6"),
    (lambda: rustorch.nn.LSTM(4, 5, num_layers=2), lambda m: m(rustorch.randn(3, 2, 4),
                                                                (rustorch.zeros(1, 2, 5), rustorch.zeros(2, 2, 5))),
     r"LSTM: Expected hidden\[0\] size \(2, 2, 5\), got \[1, 2, 5\]"),
    (lambda: rustorch.nn.LSTM(4, 5), lambda m: m(rustorch.randn(3, 2, 4),
                                                  (rustorch.zeros(1, 2, 5), rustorch.zeros(1, 3, 5))),
     r"LSTM: Expected hidden\[1\] size \(1, 2, 5\), got \[1, 3, 5\]"),
    (lambda: rustorch.nn.GRU(4, 5, bidirectional=True), lambda m: m(rustorch.randn(3, 2, 4), rustorch.zeros(1, 2, 5)),
     r"GRU: Expected hidden size \(2, 2, 5\), got \[1, 2, 5\]"),
    (lambda: rustorch.nn.RNN(4, 5), lambda m: m(rustorch.randn(3, 2, 4), rustorch.zeros(2, 5)),
     r"RNN: For batched 3-D input, hx should also be 3-D but got \(2-D\) tensor"),
    (lambda: rustorch.nn.GRU(4, 5), lambda m: m(rustorch.randn(3, 2, 4, 1)),
     r"GRU: Expected input to be 2D or 3D, got 4D tensor instead"),
    (lambda: rustorch.nn.LSTM(4, 5), lambda m: m(rustorch.randn(0, 2, 4)),
     r"Expected sequence length to be larger than 0"),
    (lambda: rustorch.nn.LSTM(4, 5), lambda m: m(rustorch.randn(3, 2, 4, dtype=rustorch.float64)),
     r"LSTM: input dtype \(rustorch.float64\) does not match weight dtype"),
    (lambda: rustorch.nn.LSTMCell(4, 5), lambda m: m(rustorch.randn(2, 3)),
     r"LSTMCell: input has inconsistent input_size: got 3 expected 4"),
    (lambda: rustorch.nn.GRUCell(4, 5), lambda m: m(rustorch.randn(2, 4), rustorch.zeros(3, 5)),
     r"GRUCell: Input batch size 2 doesn't match hidden0 batch size 3"),
    (lambda: rustorch.nn.RNNCell(4, 5), lambda m: m(rustorch.randn(2, 4), rustorch.zeros(2, 6)),
     r"RNNCell: hidden0 has inconsistent hidden_size: got 6, expected 5"),
    (lambda: rustorch.nn.RNNCell(4, 5), lambda m: m(rustorch.randn(2, 4, 1)),
     r"RNNCell: Expected input to be 1D or 2D, got 3D instead"),
])
def test_bad_input_errors(make, call, pattern):
    with pytest.raises((RuntimeError, ValueError), match=pattern):
        call(make())


def test_bad_arguments():
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        rustorch.nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        rustorch.nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        rustorch.nn.GRU(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        rustorch.nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        rustorch.nn.RNN(3, 0)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        rustorch.nn.LSTM(3, 4, dropout=0.2)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_frozen_weights(cls, device):
    """With the weights frozen only the input gets a gradient (the weight GEMMs are skipped)."""
    rt_m, th_m = _pair(cls, 3, 4, num_layers=2)
    copy_weights(rt_m, th_m)
    rt_m.to(device).requires_grad_(False)
    th_m.requires_grad_(False)
    x = _randn(5, 2, 3)
    rt_x, th_x = rustorch.tensor(x, requires_grad=True, device=device), torch.tensor(x, requires_grad=True)
    rt_m(rt_x)[0].sum().backward()
    th_m(th_x)[0].sum().backward()
    assert_same(rt_x.grad, th_x.grad, rtol=1e-5, atol=1e-6)
    assert all(p.grad is None for p in rt_m.parameters())


# the fused LSTM step (rustorch/_ext/rnn.pyx) and the composed form backends without it run ------------------
@pytest.mark.parametrize("cls,kwargs", [("LSTM", {"num_layers": 2, "bidirectional": True}),
                                        ("LSTM", {"proj_size": 2, "bidirectional": True})])
def test_lstm_composed_step_matches_torch(cls, kwargs, monkeypatch):
    """With the backend's fused LSTM step unavailable, the layer composes the step from ops (as on a backend
    without the kernel) and still matches torch, packed sequences included."""
    from rustorch.backends.cpu import CPUBackend

    def unavailable(*args):
        raise NotImplementedError

    monkeypatch.setattr(CPUBackend, "lstm_cell", unavailable)
    monkeypatch.setattr(CPUBackend, "lstm_cell_backward", unavailable)
    rt_m, th_m = _pair(cls, 5, 7, **kwargs)
    check_module(rt_m, th_m, _randn(6, 3, 5))
    _packed_case(cls, kwargs, [4, 1, 3], enforce_sorted=False)


@pytest.mark.parametrize("dtype,tol", [("float16", 1e-2), ("bfloat16", 6e-2), ("float64", 1e-10)])
def test_lstm_in_other_float_dtypes(dtype, tol, device):
    """An LSTM in float16, bfloat16 (the fused step computes in float32) and float64: outputs, final states and
    the input and weight gradients against torch's float32 (float64) on the same, rounded, weights and inputs."""
    rt_dt = getattr(rustorch, dtype)
    th_dt = torch.float64 if dtype == "float64" else torch.float32
    rt_m, th_m = _pair("LSTM", 5, 7)
    rt_m.to(device).to(rt_dt)
    th_m.load_state_dict({k: to_torch(v).to(th_dt) for k, v in rt_m.state_dict().items()})
    th_m.to(th_dt)
    x = rustorch.tensor(_randn(6, 3, 5), device=device).to(rt_dt).requires_grad_()
    g = rustorch.tensor(_randn(6, 3, 7, seed=1), device=device).to(rt_dt)
    tx = to_torch(x.detach()).to(th_dt).requires_grad_()
    out, (h, c) = rt_m(x)
    th_out, (th_h, th_c) = th_m(tx)
    out.backward(g)
    th_out.backward(to_torch(g).to(th_dt))
    stored = to_torch(g).dtype
    pairs = ((out, th_out), (h, th_h), (c, th_c), (x.grad, tx.grad), (rt_m.weight_hh_l0.grad, th_m.weight_hh_l0.grad))
    for r, t in pairs:
        assert r.dtype is rt_dt
        assert_same(r, t.detach().to(stored), rtol=tol, atol=tol)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_lstm_step_kernel(dtype):
    from rustorch._ext import rnn as kernel

    rng = np.random.default_rng(0)
    hidden, n, width = 3, 5, 9
    # column slices of wider matrices, as the layer passes them
    pre = rng.standard_normal((4 * hidden, n)).astype(dtype)
    xp = rng.standard_normal((4 * hidden, width)).astype(dtype)[:, 2:2 + n]
    c_prev = rng.standard_normal((hidden, width)).astype(dtype)[:, 1:1 + n]
    gates, states = np.zeros((4 * hidden, width), dtype), np.zeros((3, hidden, width), dtype)
    kernel.lstm_cell(pre, xp, c_prev, gates[:, 4:4 + n], states[0, :, :n], states[1, :, :n], states[2, :, :n])
    z = pre + xp
    i, f, g, o = _sigmoid(z[:hidden]), _sigmoid(z[hidden:2 * hidden]), np.tanh(z[2 * hidden:3 * hidden]), \
        _sigmoid(z[3 * hidden:])
    c = f * c_prev + i * g
    tol = {"rtol": 1e-6 if dtype == np.float32 else 1e-12, "atol": 1e-6 if dtype == np.float32 else 1e-12}
    np.testing.assert_allclose(gates[:, 4:4 + n], np.concatenate([i, f, g, o]), **tol)
    np.testing.assert_allclose(states[0, :, :n], c, **tol)
    np.testing.assert_allclose(states[2, :, :n], o * np.tanh(c), **tol)
    assert not gates[:, :4].any() and not states[:, :, n:].any()  # nothing written outside the blocks
    dh, dc = rng.standard_normal((hidden, n)).astype(dtype), rng.standard_normal((hidden, n)).astype(dtype)
    dgates, dc_prev = np.empty((4 * hidden, n), dtype), np.empty((hidden, n), dtype)
    kernel.lstm_cell_backward(dh, dc, np.concatenate([i, f, g, o]), c_prev, np.tanh(c), dgates, dc_prev)
    total_dc = dc + dh * o * (1 - np.tanh(c) ** 2)
    expected = np.concatenate([total_dc * g * i * (1 - i), total_dc * c_prev * f * (1 - f), total_dc * i * (1 - g * g),
                               dh * np.tanh(c) * o * (1 - o)])
    np.testing.assert_allclose(dgates, expected, **tol)
    np.testing.assert_allclose(dc_prev, total_dc * f, **tol)


def test_fused_lstm_step_kernel_checks():
    from rustorch._ext import rnn as kernel

    block, state = np.zeros((8, 3)), np.zeros((2, 3))
    with pytest.raises(TypeError, match="float32 or float64"):
        kernel.lstm_cell(block.astype(np.int64), block, state, block, state, state, state)
    with pytest.raises(TypeError, match="xp must be float64"):
        kernel.lstm_cell(block, block.astype(np.float32), state, block, state, state, state)
    with pytest.raises(ValueError, match=r"c_prev must have shape \(2, 3\)"):
        kernel.lstm_cell(block, block, np.zeros((3, 3)), block, state, state, state)
    with pytest.raises(ValueError, match="contiguous, non-overlapping rows"):
        kernel.lstm_cell(block, block, np.zeros((3, 2)).T, block, state, state, state)
    with pytest.raises(ValueError, match="4H rows"):
        kernel.lstm_cell_backward(state, state, np.zeros((7, 3)), state, state, np.zeros((7, 3)), state)
    readonly = np.zeros((2, 3))
    readonly.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        kernel.lstm_cell_backward(state, state, block, state, state, block, readonly)
