"""Recurrent layers: RNN, LSTM, GRU and their one-step cells, as torch.nn.

>>> import rustorch
>>> lstm = rustorch.nn.LSTM(10, 20, num_layers=2)
>>> output, (h_n, c_n) = lstm(rustorch.randn(5, 3, 10))
>>> output.shape, h_n.shape, c_n.shape
(rustorch.Size([5, 3, 20]), rustorch.Size([2, 3, 20]), rustorch.Size([2, 3, 20]))

How a layer runs. Each layer and direction works on matrices whose columns
are the sequence's elements in PackedSequence order (time-major; step t's
batch_sizes[t] columns are the sequences still running, longest first), with
the features down the rows: a padded batch is the case where every step has
all B columns. Then

- the input projection W_ih x + b of every step is one GEMM (recorded as an
  ordinary addmm, so autograd differentiates it);
- the recurrence is one recorded node: a Python loop over time steps doing one
  GEMM W_hh h per step plus the step's elementwise work on (features, batch)
  blocks, writing every step's states into one matrix (feature-major, because
  the GEMM of a (4H, H) weight by a (H, B) block is about twice as fast as the
  batch-major (B, H) by (H, 4H) one for small B). An LSTM step's elementwise
  work is one fused backend kernel (Backend.lstm_cell) where the backend has
  one, else seven ops; GRU and RNN steps are a few ops;
- its backward is the same loop backwards (one GEMM per step), with the weight
  gradient of all steps in one GEMM at the end; the GRU and RNN factors that
  do not depend on the recurrence are computed for all steps at once.

Under create_graph the backward instead differentiates the same recurrence
composed from recorded ops (the cells' code), so double backward works.
"""
import math
import warnings

from ...autograd.engine import grad as _autograd_grad
from ...autograd.grad_mode import STATE, no_grad
from ...autograd.graph import needs_grad, record
from ...errors import InvalidArgumentError, InvalidTypeError, ShapeError
from ...ops.contraction import addmm, matmul
from ...ops.creation import empty, zeros
from ...ops.elementwise import add, addcmul, mul, relu, sigmoid, sub, tanh
from ...ops.shape import cat, stack
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module


# ---------------------------------------------------------------------------------------------------------------
# One step, composed from recorded ops (batch-major, as torch's cells): the cells run these, and so does the
# double-backward path of the layers. ``x_gates`` is the input's projection W_ih x + b_ih.
def _rnn_cell(x_gates, h, w_hh, b_hh, nonlinearity):
    pre = x_gates + F.linear(h, w_hh, b_hh)
    return tanh(pre) if nonlinearity == "tanh" else relu(pre)


def _lstm_cell(x_gates, h, c, w_hh, b_hh):
    i, f, g, o = (x_gates + F.linear(h, w_hh, b_hh)).chunk(4, 1)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    return sigmoid(o) * tanh(c), c


def _gru_cell(x_gates, h, w_hh, b_hh):
    xr, xz, xn = x_gates.chunk(3, 1)
    hr, hz, hn = F.linear(h, w_hh, b_hh).chunk(3, 1)
    r = sigmoid(xr + hr)
    z = sigmoid(xz + hz)
    n = tanh(xn + r * hn)
    return n + z * (h - n)  # (1 - z) * n + z * h


# ---------------------------------------------------------------------------------------------------------------
# Where each step's columns are.
def _merge(pieces):
    """Column runs (start, length) with adjacent runs joined."""
    merged = []
    for start, n in pieces:
        if merged and merged[-1][0] + merged[-1][1] == start:
            merged[-1] = (merged[-1][0], merged[-1][1] + n)
        elif n:
            merged.append((start, n))
    return tuple(merged)


def _take(m, pieces):
    """The columns of ``m`` in ``pieces`` (a view when they are one run; none for an empty batch)."""
    if len(pieces) == 1:
        return m.narrow(1, *pieces[0])
    return cat([m.narrow(1, start, n) for start, n in pieces], 1) if pieces else m.narrow(1, 0, 0)


def _add_into(m, pieces, value, factor=None):
    """m[:, pieces] += value (* factor), in place; value (and factor) have one column per column of the pieces."""
    lo = 0
    for start, n in pieces:
        v = value if len(pieces) == 1 else value.narrow(1, lo, n)
        if factor is None:
            m.narrow(1, start, n).add_(v)
        else:
            m.narrow(1, start, n).addcmul_(v, factor if len(pieces) == 1 else factor.narrow(1, lo, n))
        lo += n


class _Schedule:
    """The column bookkeeping of one direction of a layer.

    The N elements of the sequence are the columns of the per-step matrices (input projection, gates), step t's
    ``batch_sizes[t]`` of them from ``offset[t]``. The hidden states live in a (features, N + B) matrix: the N
    outputs, and the B initial states before them (forward direction) or after them (reverse), so that when every
    sequence runs every step the previous states of all steps are one run of columns.

    ``steps``: (t, offset, batch size, previous-state pieces) in running order; ``prev``: the previous states of
    every step, in time order; ``last``: each sequence's final state.
    """

    def __init__(self, batch_sizes, reverse):
        steps, batch, total = len(batch_sizes), batch_sizes[0], sum(batch_sizes)
        offsets = [0] * steps
        for t in range(1, steps):
            offsets[t] = offsets[t - 1] + batch_sizes[t - 1]
        self.B, self.N = batch, total
        self.out_at, self.h0_at = (0, total) if reverse else (batch, 0)
        prev, last = [], []
        for t, bs in enumerate(batch_sizes):
            following = batch_sizes[t + 1] if t + 1 < steps else 0
            if not reverse:
                # the first bs sequences of the step before (all still running); step 0 starts from h0
                prev.append(((offsets[t - 1] + batch if t else 0, bs),))
                # the sequences following..bs end at step t
                last.insert(0, (batch + offsets[t] + following, bs - following))
            else:
                # running backwards: the step after's states, and h0 for the sequences following..bs that start here
                after = (offsets[t + 1], following) if following else (0, 0)
                prev.append(_merge((after, (total + following, bs - following))))
        if reverse:
            last = [(0, batch)]  # every sequence ends at step 0
        order = range(steps - 1, -1, -1) if reverse else range(steps)
        self.steps = [(t, offsets[t], batch_sizes[t], prev[t]) for t in order]
        self.prev = _merge([piece for pieces in prev for piece in pieces])
        self.last = _merge(last)


# ---------------------------------------------------------------------------------------------------------------
# The recurrences without recording (each returns its outputs and what its backward needs) and their backwards.
def _states(sched, h0):
    """The (features, N + B) state matrix with h0 in its place."""
    s = empty((h0.shape[0], sched.N + sched.B), dtype=h0.dtype, device=h0.device)
    s.narrow(1, sched.h0_at, sched.B).copy_(h0)
    return s


def _rnn_forward(sched, xp, h0, c0, w_hh, b_hh, w_hr, nonlinearity):
    s = _states(sched, h0)
    for _, start, bs, prev in sched.steps:
        h = add(matmul(w_hh, _take(s, prev)), xp.narrow(1, start, bs), out=s.narrow(1, sched.out_at + start, bs))
        if nonlinearity == "tanh":
            h.tanh_()
        else:
            h.relu_()
    return (s,), ()


def _rnn_backward(sched, grads, need_w, w_hh, nonlinearity, s):
    ds = _grad_buffer(grads[0], s)
    y = s.narrow(1, sched.out_at, sched.N)
    # the activation's derivative at every step at once: 1 - y^2, or y > 0
    slope = 1 - y * y if nonlinearity == "tanh" else (y > 0).to(y.dtype)
    dxp = empty(y.shape, dtype=y.dtype, device=y.device)
    w_t = w_hh.t().contiguous()  # the GEMM reads a contiguous W^T faster than the transposed view
    for _, start, bs, prev in reversed(sched.steps):
        dpre = mul(ds.narrow(1, sched.out_at + start, bs), slope.narrow(1, start, bs), out=dxp.narrow(1, start, bs))
        _add_into(ds, prev, matmul(w_t, dpre))
    dw_hh = matmul(dxp, _take(s, sched.prev).t()) if need_w else None
    return dxp, ds.narrow(1, sched.h0_at, sched.B), None, dw_hh, None, None


def _lstm_step(pre, xp, c_prev, gates, c, tanh_c, h):
    """One LSTM step after its GEMM (pre = W_hh h_prev), into the given blocks: the backend's fused kernel, or the
    same composed from ops where it has none."""
    try:
        pre._storage.backend.lstm_cell(pre, xp, c_prev, gates, c, tanh_c, h)
        return
    except NotImplementedError:
        pass
    hidden = c.shape[0]
    pre.add_(xp)
    sigmoid(pre, out=gates)  # i, f, o; g is overwritten with its tanh
    i, f, g, o = gates.chunk(4, 0)
    tanh(pre.narrow(0, 2 * hidden, hidden), out=g)
    mul(f, c_prev, out=c).addcmul_(i, g)
    mul(o, tanh(c, out=tanh_c), out=h)


def _lstm_step_backward(dh, dc, gates, c_prev, tanh_c, dgates, dc_prev):
    """The gradients of the step's gate pre-activations and of c_prev, from those of its h and c: the backend's
    fused kernel, or composed (see Backend.lstm_cell_backward for the formulas)."""
    try:
        gates._storage.backend.lstm_cell_backward(dh, dc, gates, c_prev, tanh_c, dgates, dc_prev)
        return
    except NotImplementedError:
        pass
    i, f, g, o = gates.chunk(4, 0)
    d_i, d_f, d_g, d_o = dgates.chunk(4, 0)
    dc = dc + dh * o * (1 - tanh_c * tanh_c)
    mul(dc * g, i * (1 - i), out=d_i)
    mul(dc * c_prev, f * (1 - f), out=d_f)
    mul(dc * i, 1 - g * g, out=d_g)
    mul(dh * tanh_c, o * (1 - o), out=d_o)
    mul(dc, f, out=dc_prev)


def _lstm_forward(sched, xp, h0, c0, w_hh, b_hh, w_hr, nonlinearity):
    hidden = c0.shape[0]
    s, c_all = _states(sched, h0), _states(sched, c0)
    n, like = sched.N, {"dtype": xp.dtype, "device": xp.device}
    gates, tanh_c = empty((4 * hidden, n), **like), empty((hidden, n), **like)
    cell_out = empty((hidden, n), **like) if w_hr is not None else None  # o * tanh(c), before the projection
    for _, start, bs, prev in sched.steps:
        col = sched.out_at + start
        h = s.narrow(1, col, bs) if w_hr is None else cell_out.narrow(1, start, bs)
        _lstm_step(matmul(w_hh, _take(s, prev)), xp.narrow(1, start, bs), _take(c_all, prev),
                   gates.narrow(1, start, bs), c_all.narrow(1, col, bs), tanh_c.narrow(1, start, bs), h)
        if w_hr is not None:
            s.narrow(1, col, bs).copy_(matmul(w_hr, h))
    return (s, c_all), (gates, tanh_c, cell_out)


def _lstm_backward(sched, grads, need_w, w_hh, w_hr, s, c_all, gates, tanh_c, cell_out):
    hidden, n = tanh_c.shape
    ds, dc_all = _grad_buffer(grads[0], s), _grad_buffer(grads[1], c_all)
    dgates = empty(gates.shape, dtype=gates.dtype, device=gates.device)
    dc_prev = empty((hidden, sched.B), dtype=gates.dtype, device=gates.device)  # one step's, reused
    w_t = w_hh.t().contiguous()  # the GEMM reads a contiguous W^T faster than the transposed view
    w_hr_t = w_hr.t() if w_hr is not None else None
    for _, start, bs, prev in reversed(sched.steps):
        col = sched.out_at + start
        dh = ds.narrow(1, col, bs)  # complete: the output's gradient, and the later steps' and h_n's
        if w_hr_t is not None:
            dh = matmul(w_hr_t, dh)
        dg = dgates.narrow(1, start, bs)
        _lstm_step_backward(dh, dc_all.narrow(1, col, bs), gates.narrow(1, start, bs), _take(c_all, prev),
                            tanh_c.narrow(1, start, bs), dg, dc_prev.narrow(1, 0, bs))
        _add_into(ds, prev, matmul(w_t, dg))
        _add_into(dc_all, prev, dc_prev.narrow(1, 0, bs))
    dw_hh = matmul(dgates, _take(s, sched.prev).t()) if need_w else None
    dw_hr = matmul(ds.narrow(1, sched.out_at, n), cell_out.t()) if w_hr is not None and need_w else None
    return (dgates, ds.narrow(1, sched.h0_at, sched.B), dc_all.narrow(1, sched.h0_at, sched.B), dw_hh, None,
            dw_hr)


def _gru_forward(sched, xp, h0, c0, w_hh, b_hh, w_hr, nonlinearity):
    hidden = h0.shape[0]
    s = _states(sched, h0)
    like = {"dtype": xp.dtype, "device": xp.device}
    rz_all, n_all, hn_all = (empty((2 * hidden, sched.N), **like), empty((hidden, sched.N), **like),
                             empty((hidden, sched.N), **like))
    bias = b_hh.unsqueeze(1) if b_hh is not None else None
    for _, start, bs, prev in sched.steps:
        h_prev = _take(s, prev)
        hp = matmul(w_hh, h_prev)
        if bias is not None:
            hp.add_(bias)
        x = xp.narrow(1, start, bs)
        rz = add(x.narrow(0, 0, 2 * hidden), hp.narrow(0, 0, 2 * hidden), out=rz_all.narrow(1, start, bs)).sigmoid_()
        hn = hn_all.narrow(1, start, bs).copy_(hp.narrow(0, 2 * hidden, hidden))  # W_hn h + b_hn, kept for dr
        cand = addcmul(x.narrow(0, 2 * hidden, hidden), rz.narrow(0, 0, hidden), hn, out=n_all.narrow(1, start, bs))
        cand.tanh_()
        # h = n + z * (h_prev - n)
        sub(h_prev, cand, out=s.narrow(1, sched.out_at + start, bs)).mul_(rz.narrow(0, hidden, hidden)).add_(cand)
    return (s,), (rz_all, n_all, hn_all)


def _gru_backward(sched, grads, need_w, w_hh, b_hh, s, rz_all, n_all, hn_all):
    hidden, n = n_all.shape
    ds = _grad_buffer(grads[0], s)
    r, z = rz_all.chunk(2, 0)
    # with dh the gradient of a step's output: dn = dh (1 - z) (1 - n^2) (pre-activation of n),
    # dz = dh (h_prev - n) z (1 - z), dr = dn * hn r (1 - r); W_hn h + b_hn gets dn * r
    k_n = (1 - z) * (1 - n_all * n_all)
    k_z = (_take(s, sched.prev) - n_all) * (z - z * z)
    k_r = hn_all * (r - r * r)
    dhp = empty((3 * hidden, n), dtype=n_all.dtype, device=n_all.device)  # gradient of W_hh h + b_hh
    dn_all = empty((hidden, n), dtype=n_all.dtype, device=n_all.device)
    d_r, d_z, d_hn = dhp.chunk(3, 0)
    w_t = w_hh.t().contiguous()  # the GEMM reads a contiguous W^T faster than the transposed view
    for _, start, bs, prev in reversed(sched.steps):
        dh = ds.narrow(1, sched.out_at + start, bs)
        dn = mul(dh, k_n.narrow(1, start, bs), out=dn_all.narrow(1, start, bs))
        mul(dh, k_z.narrow(1, start, bs), out=d_z.narrow(1, start, bs))
        mul(dn, k_r.narrow(1, start, bs), out=d_r.narrow(1, start, bs))
        mul(dn, r.narrow(1, start, bs), out=d_hn.narrow(1, start, bs))
        _add_into(ds, prev, matmul(w_t, dhp.narrow(1, start, bs)))
        _add_into(ds, prev, dh, z.narrow(1, start, bs))
    dxp = cat([dhp.narrow(0, 0, 2 * hidden), dn_all], 0)
    dw_hh = matmul(dhp, _take(s, sched.prev).t()) if need_w else None
    db_hh = dhp.sum(1) if b_hh is not None and need_w else None
    return dxp, ds.narrow(1, sched.h0_at, sched.B), None, dw_hh, db_hh, None


def _grad_buffer(grad, like):
    """A gradient this backward may accumulate into: a copy of ``grad``, or zeros."""
    if grad is None:
        return zeros(like.shape, dtype=like.dtype, device=like.device)
    return grad.clone()


_FORWARD = {"RNN_TANH": _rnn_forward, "RNN_RELU": _rnn_forward, "LSTM": _lstm_forward, "GRU": _gru_forward}


def _layer_backward(node, grads, mode, sched, xp, h0, c0, w_hh, b_hh, w_hr, *saved):
    grads = grads if isinstance(grads, tuple) else (grads,)
    if STATE.enabled:
        return _composed_grads(node, grads, mode, sched, (xp, h0, c0, w_hh, b_hh, w_hr))
    need_w = any(node.needs_input_grad[3:])  # the weights' GEMMs are skipped for frozen weights
    if mode == "LSTM":
        return _lstm_backward(sched, grads, need_w, w_hh, w_hr, *saved)
    if mode == "GRU":
        return _gru_backward(sched, grads, need_w, w_hh, b_hh, *saved)
    return _rnn_backward(sched, grads, need_w, w_hh, "tanh" if mode == "RNN_TANH" else "relu", *saved)


def _composed_layer(mode, sched, xp, h0, c0, w_hh, b_hh, w_hr):
    """The layer's outputs computed step by step with the recorded cells (batch-major states whose first rows are
    the sequences running at the step)."""
    batch = sched.B
    h, c = h0.t(), (c0.t() if c0 is not None else None)
    hs, cs = {}, {}
    for t, start, bs, _ in sched.steps:
        x = xp.narrow(1, start, bs).t()
        if mode == "LSTM":
            h_new, c_new = _lstm_cell(x, h[:bs], c[:bs], w_hh, None)
            if w_hr is not None:
                h_new = F.linear(h_new, w_hr)
            cs[t] = c_new
            c = cat([c_new, c[bs:]]) if bs < batch else c_new
        elif mode == "GRU":
            h_new = _gru_cell(x, h[:bs], w_hh, b_hh)
        else:
            h_new = _rnn_cell(x, h[:bs], w_hh, None, "tanh" if mode == "RNN_TANH" else "relu")
        hs[t] = h_new
        h = cat([h_new, h[bs:]]) if bs < batch else h_new

    def state_matrix(per_step, first):
        columns = [per_step[t] for t in sorted(per_step)]
        columns = [first.t()] + columns if sched.h0_at == 0 else columns + [first.t()]
        return cat(columns, 0).t()

    return (state_matrix(hs, h0), state_matrix(cs, c0)) if mode == "LSTM" else (state_matrix(hs, h0),)


def _composed_grads(node, grads, mode, sched, inputs):
    """The input gradients through the recorded composed recurrence, so that they are differentiable in turn."""
    outputs = _composed_layer(mode, sched, *inputs)
    pairs = [(o, g) for o, g in zip(outputs, grads) if g is not None]
    wanted = [k for k, need in enumerate(node.needs_input_grad) if need]
    got = _autograd_grad([o for o, _ in pairs], [inputs[k] for k in wanted], [g for _, g in pairs],
                         create_graph=True, allow_unused=True)
    result = [None] * len(inputs)
    for k, g in zip(wanted, got):
        result[k] = g
    return tuple(result)


def _layer(mode, sched, x_cols, w_ih, w_hh, b_ih, b_hh, w_hr, h0, c0):
    """One layer in one direction: input columns (input_size, N) to the state matrix (and the cell states' one)."""
    # the input projection of every step in one GEMM; b_hh joins it except for GRU, where r multiplies W_hn h + b_hn
    bias = b_ih if mode == "GRU" or b_ih is None else b_ih + b_hh
    xp = matmul(w_ih, x_cols) if bias is None else addmm(bias.unsqueeze(1), w_ih, x_cols)
    inputs = (xp, h0, c0, w_hh, b_hh if mode == "GRU" else None, w_hr)
    nonlinearity = "relu" if mode == "RNN_RELU" else "tanh"
    with no_grad():
        outputs, saved = _FORWARD[mode](sched, *inputs, nonlinearity)
    if needs_grad(*inputs):
        name = {"LSTM": "LSTMLayerBackward0", "GRU": "GRULayerBackward0"}.get(mode, "RNNLayerBackward0")
        record(name, _layer_backward, inputs, outputs, (mode, sched) + inputs + outputs + saved)
    return outputs


# ---------------------------------------------------------------------------------------------------------------
class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters of every layer and direction (torch's names, shapes and
    uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) initialisation), the argument checks and the layer loop.

    >>> import rustorch
    >>> rustorch.nn.GRU(4, 8, num_layers=2, bidirectional=True)._flat_weights_names[:4]
    ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise InvalidArgumentError("dropout should be a number in range [0, 1] representing the probability of "
                                       "an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=3)
        for name, value in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(value, bool):
                raise InvalidTypeError(f"{name} should be of type bool, got: {type(value).__name__}")
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int):
                raise InvalidTypeError(f"{name} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise InvalidArgumentError(f"{name} must be greater than zero")
        if num_layers <= 0:
            raise InvalidArgumentError("num_layers must be greater than zero")
        if proj_size < 0:
            raise InvalidArgumentError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise InvalidArgumentError("proj_size has to be smaller than hidden_size")
        gate_size = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}.get(mode)
        if gate_size is None:
            raise InvalidArgumentError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        directions = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        factory = {"device": device, "dtype": dtype}
        self._flat_weights_names, self._all_weights = [], []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * directions
            for direction in range(directions):
                shapes = {"weight_ih": (gate_size * hidden_size, layer_input),
                          "weight_hh": (gate_size * hidden_size, real_hidden)}
                if bias:
                    shapes.update(bias_ih=(gate_size * hidden_size,), bias_hh=(gate_size * hidden_size,))
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                suffix = "_reverse" if direction == 1 else ""
                names = []
                for role, shape in shapes.items():
                    name = f"{role}_l{layer}{suffix}"
                    setattr(self, name, Parameter(empty(shape, **factory)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters, one list per layer and direction."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self):
        """Nothing to do: torch compacts the weights for cuDNN here; rustorch reads them where they are."""

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s  # torch shows no nonlinearity here (the cells do)

    def _name(self):
        return type(self).__name__

    def _check_hidden(self, hx, expected, what):
        if tuple(hx.shape) != expected:
            raise ShapeError(f"{self._name()}: Expected {what} size {expected}, got {list(hx.shape)}")
        if hx.dtype is not self.weight_ih_l0.dtype:
            raise InvalidArgumentError(f"{self._name()}: {what} dtype ({hx.dtype}) does not match the weight dtype "
                                       f"({self.weight_ih_l0.dtype})")

    def forward(self, input, hx=None):
        lstm = self.mode == "LSTM"
        name = self._name()
        directions = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        packed = isinstance(input, PackedSequence)
        if packed:
            data, batch_sizes_tensor, sorted_indices, unsorted_indices = input
            batch_sizes = [int(n) for n in batch_sizes_tensor.tolist()]
            x, batched = data, True
            if data.ndim != 2:
                raise ShapeError(f"{name}: the data of a PackedSequence must have 2 dimensions, got "
                                 f"{list(data.shape)}")
        else:
            if not isinstance(input, Tensor):
                raise InvalidTypeError(f"{name}: expected a Tensor or a PackedSequence, got {type(input).__name__}")
            if input.ndim not in (2, 3):
                raise InvalidArgumentError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D tensor instead")
            batched = input.ndim == 3
            # time-major (T, B, I) from here on: an unbatched sequence is a batch of one
            x = input.unsqueeze(1) if not batched else input.transpose(0, 1) if self.batch_first else input
            if x.shape[0] == 0:
                raise ShapeError(f"{name}: Expected sequence length to be larger than 0 in RNN")
            batch_sizes = [x.shape[1]] * x.shape[0]
            sorted_indices = unsorted_indices = None
        if x.shape[-1] != self.input_size:
            raise ShapeError(f"{name}: input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                             f"got {x.shape[-1]}")
        weight_dtype = self.weight_ih_l0.dtype
        if x.dtype is not weight_dtype:
            raise InvalidArgumentError(f"{name}: input dtype ({x.dtype}) does not match weight dtype ({weight_dtype}). "
                                       f"Convert input: input.to({weight_dtype}), or convert model: "
                                       f"model.to({x.dtype})")
        batch = batch_sizes[0]
        h_shape = (self.num_layers * directions, batch, real_hidden)
        c_shape = (self.num_layers * directions, batch, self.hidden_size)
        if hx is None:
            h0 = zeros(h_shape, dtype=x.dtype, device=x.device)
            c0 = zeros(c_shape, dtype=x.dtype, device=x.device) if lstm else None
        else:
            h0, c0 = hx if lstm else (hx, None)
            states = (h0, c0) if lstm else (h0,)
            want = 3 if batched else 2
            if any(t.ndim != want for t in states):
                given = ", ".join(f"{t.ndim}-D" for t in states)
                what = "hx and cx" if lstm else "hx"
                shape = "batched 3-D" if batched else "unbatched 2-D"
                raise ShapeError(f"{name}: For {shape} input, {what} should also be {want}-D but got ({given}) "
                                 f"tensor{'s' if lstm else ''}")
            if not batched:
                h0, c0 = h0.unsqueeze(1), (c0.unsqueeze(1) if lstm else None)
            self._check_hidden(h0, h_shape, "hidden[0]" if lstm else "hidden")
            if lstm:
                self._check_hidden(c0, c_shape, "hidden[1]")
            if sorted_indices is not None:  # the layers run on the batch sorted by length
                h0 = h0.index_select(1, sorted_indices)
                c0 = c0.index_select(1, sorted_indices) if lstm else None
        output, h_n, c_n = self._run(x.reshape(-1, self.input_size).t(), batch_sizes, h0, c0)
        if packed:
            output = PackedSequence(output, batch_sizes_tensor, sorted_indices, unsorted_indices)
            if unsorted_indices is not None:
                h_n = h_n.index_select(1, unsorted_indices)
                c_n = c_n.index_select(1, unsorted_indices) if lstm else None
        else:
            output = output.view(x.shape[0], batch, directions * real_hidden)
            if not batched:
                output, h_n, c_n = output.squeeze(1), h_n.squeeze(1), (c_n.squeeze(1) if lstm else None)
            elif self.batch_first:
                output = output.transpose(0, 1)
        return output, ((h_n, c_n) if lstm else h_n)

    def _run(self, x_cols, batch_sizes, h0, c0):
        """Every layer and direction over the input columns (input_size, N): the output (N, D * P) and the final
        states (L * D, B, P) (and the cells' (L * D, B, H) for LSTM)."""
        directions = 2 if self.bidirectional else 1
        schedules = [_Schedule(batch_sizes, reverse=d == 1) for d in range(directions)]
        layer_input, h_n, c_n = x_cols, [], []
        for layer in range(self.num_layers):
            outputs = []
            for d, sched in enumerate(schedules):
                k = layer * directions + d
                weights = {name.rsplit("_l", 1)[0]: getattr(self, name) for name in self._all_weights[k]}
                states = _layer(self.mode, sched, layer_input, weights["weight_ih"], weights["weight_hh"],
                                weights.get("bias_ih"), weights.get("bias_hh"), weights.get("weight_hr"),
                                h0[k].t(), c0[k].t() if c0 is not None else None)
                outputs.append(states[0].narrow(1, sched.out_at, sched.N))
                h_n.append(_take(states[0], sched.last).t())
                if c0 is not None:
                    c_n.append(_take(states[1], sched.last).t())
            layer_input = outputs[0] if directions == 1 else cat(outputs, 0)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input.t().contiguous(), stack(h_n), (stack(c_n) if c0 is not None else None)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) (or relu), over layers and directions.

    Takes (T, B, input_size) ((B, T, input_size) with ``batch_first``), an unbatched (T, input_size) sequence or a
    PackedSequence, and an optional h0 (num_layers * directions, B, hidden_size); returns (output, h_n).

    >>> import rustorch
    >>> rnn = rustorch.nn.RNN(4, 6, nonlinearity="relu", batch_first=True)
    >>> output, h_n = rnn(rustorch.randn(2, 5, 4))
    >>> output.shape, h_n.shape
    (rustorch.Size([2, 5, 6]), rustorch.Size([1, 2, 6]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, **kwargs):
        if "proj_size" in kwargs:
            raise InvalidArgumentError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise InvalidTypeError(f"RNN got unexpected keyword arguments {sorted(kwargs)}")
        if nonlinearity not in ("tanh", "relu"):
            raise InvalidArgumentError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, device=device, dtype=dtype)


class LSTM(RNNBase):
    """Long short-term memory over layers and directions, torch's gate order (i, f, g, o):
    c_t = f * c_(t-1) + i * g, h_t = o * tanh(c_t), projected by W_hr when ``proj_size`` > 0.

    Takes the input as RNN does and an optional (h0, c0); returns (output, (h_n, c_n)).

    >>> import rustorch
    >>> lstm = rustorch.nn.LSTM(4, 6, proj_size=3, bidirectional=True)
    >>> output, (h_n, c_n) = lstm(rustorch.randn(5, 2, 4))
    >>> output.shape, h_n.shape, c_n.shape
    (rustorch.Size([5, 2, 6]), rustorch.Size([2, 2, 3]), rustorch.Size([2, 2, 6]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit over layers and directions, torch's gate order (r, z, n):
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h_t = (1 - z) * n + z * h_(t-1).

    >>> import rustorch
    >>> gru = rustorch.nn.GRU(4, 6, num_layers=2)
    >>> output, h_n = gru(rustorch.randn(5, 4))
    >>> output.shape, h_n.shape
    (rustorch.Size([5, 6]), rustorch.Size([2, 6]))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None, **kwargs):
        if "proj_size" in kwargs:
            raise InvalidArgumentError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise InvalidTypeError(f"GRU got unexpected keyword arguments {sorted(kwargs)}")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


# ---------------------------------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """What the cells share: weight_ih (chunks * hidden, input), weight_hh (chunks * hidden, hidden), the biases,
    torch's initialisation and the argument checks.

    >>> import rustorch
    >>> rustorch.nn.GRUCell(3, 5).weight_hh.shape
    rustorch.Size([15, 5])
    """

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        factory = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), **factory))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), **factory))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **factory))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **factory))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self):
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _prepare(self, input, states):
        """Check input and states (None or 1-D/2-D tensors); return them batched, whether the input was, and
        the input's projection W_ih x + b_ih."""
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise InvalidArgumentError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        for k, h in enumerate(states):
            if h is not None and h.ndim not in (1, 2):
                what = f"hx[{k}]" if len(states) > 1 else "hidden"
                raise InvalidArgumentError(f"{name}: Expected {what} to be 1D or 2D, got {h.ndim}D instead")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise ShapeError(f"{name}: input has inconsistent input_size: got {x.shape[1]} expected {self.input_size}")
        batched_states = []
        for k, h in enumerate(states):
            if h is None:
                h = zeros((x.shape[0], self.hidden_size), dtype=x.dtype, device=x.device)
            elif not batched:
                h = h.unsqueeze(0)
            if h.ndim != 2 or h.shape[0] != x.shape[0]:
                raise ShapeError(f"{name}: Input batch size {x.shape[0]} doesn't match hidden{k} batch size "
                                 f"{h.shape[0] if h.ndim == 2 else list(h.shape)}")
            if h.shape[1] != self.hidden_size:
                raise ShapeError(f"{name}: hidden{k} has inconsistent hidden_size: got {h.shape[1]}, expected "
                                 f"{self.hidden_size}")
            batched_states.append(h)
        return F.linear(x, self.weight_ih, self.bias_ih), batched_states, batched


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu). Input (B, input_size) or
    (input_size,), hx likewise (zeros when omitted).

    >>> import rustorch
    >>> cell = rustorch.nn.RNNCell(3, 4)
    >>> cell(rustorch.randn(2, 3)).shape
    rustorch.Size([2, 4])
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise InvalidArgumentError(f"Unknown nonlinearity: {self.nonlinearity}")
        x_gates, (h,), batched = self._prepare(input, (hx,))
        h = _rnn_cell(x_gates, h, self.weight_hh, self.bias_hh, self.nonlinearity)
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o): returns (h', c'). hx is (h, c) or None (zeros).

    >>> import rustorch
    >>> cell = rustorch.nn.LSTMCell(3, 4)
    >>> h, c = cell(rustorch.randn(3))
    >>> h.shape, c.shape
    (rustorch.Size([4]), rustorch.Size([4]))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x_gates, (h, c), batched = self._prepare(input, (None, None) if hx is None else tuple(hx))
        h, c = _lstm_cell(x_gates, h, c, self.weight_hh, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n): h' = (1 - z) * n + z * h.

    >>> import rustorch
    >>> cell = rustorch.nn.GRUCell(3, 4, bias=False)
    >>> cell(rustorch.randn(2, 3), rustorch.zeros(2, 4)).shape
    rustorch.Size([2, 4])
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        x_gates, (h,), batched = self._prepare(input, (hx,))
        h = _gru_cell(x_gates, h, self.weight_hh, self.bias_hh)
        return h if batched else h.squeeze(0)


__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
