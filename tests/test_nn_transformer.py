"""Attention and transformers: F.scaled_dot_product_attention, F.multi_head_attention_forward, MultiheadAttention and
the Transformer family, against torch (outputs, input and parameter gradients, state_dict keys, init, repr)."""
import math

import numpy as np
import pytest
import torch

import rustorch
import rustorch.nn.functional as F
from rustorch.errors import DTypeError, InvalidArgumentError, ShapeError, ValueOutOfRangeError

from conftest import assert_same, check_grads, check_module, gradchecks


# float32 against torch: relative 1e-5 of values of order 1 (torch's CPU attention kernel rounds differently)
TOL = {"rtol": 1e-5, "atol": 1e-5}


def check_close(rt_module, torch_module, *arrays, device="cpu", train=True):
    check_module(rt_module, torch_module, *arrays, device=device, train=train, **TOL)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def both(a, device="cpu"):
    """The same array as a rustorch tensor on ``device`` and a torch tensor (None stays None)."""
    return (None, None) if a is None else (rustorch.tensor(a, device=device), torch.tensor(a))


# scaled_dot_product_attention --------------------------------------------------------------------------
SDPA_CASES = [
    # (query, key, value shapes, mask shape or None, mask kind, kwargs)
    ((5, 7), (6, 7), (6, 3), None, None, {}),
    ((2, 5, 8), (2, 6, 8), (2, 6, 4), None, None, {"scale": 0.3}),
    ((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 8), (5, 6), "bool", {}),
    ((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 8), (2, 1, 1, 6), "bool", {}),
    ((2, 3, 5, 8), (2, 3, 6, 8), (2, 3, 6, 8), (3, 5, 6), "float", {}),
    ((2, 3, 5, 8), (2, 3, 5, 8), (2, 3, 5, 8), None, None, {"is_causal": True}),
    ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5), None, None, {"is_causal": True, "scale": 2.0}),
    ((2, 3, 6, 8), (2, 3, 4, 8), (2, 3, 4, 5), None, None, {"is_causal": True}),
    ((2, 3, 5, 8), (1, 3, 6, 8), (1, 3, 6, 8), None, None, {}),  # broadcast batch
    ((2, 4, 5, 8), (2, 2, 6, 8), (2, 2, 6, 3), (5, 6), "bool", {"enable_gqa": True}),
]


def _mask(shape, kind, seed=1):
    if kind is None:
        return None
    rng = np.random.default_rng(seed)
    if kind == "bool":
        m = rng.random(shape) < 0.7
        m[..., 0] = True  # every row attends at least one key
        return m
    return rng.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("qs, ks, vs, ms, kind, kwargs", SDPA_CASES)
def test_sdpa_matches_torch(qs, ks, vs, ms, kind, kwargs, device):
    mask = _mask(ms, kind)
    rt_mask, th_mask = both(mask, device)

    def rt_fn(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=rt_mask, **kwargs)

    def th_fn(q, k, v):
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=th_mask, **kwargs)

    check_grads(rt_fn, th_fn, randn(*qs, seed=1), randn(*ks, seed=2), randn(*vs, seed=3), device=device, **TOL)


def test_sdpa_float_mask_gets_a_gradient(device):
    def rt_fn(q, k, v, m):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=m)

    def th_fn(q, k, v, m):
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m)

    check_grads(rt_fn, th_fn, randn(2, 4, 8), randn(2, 5, 8, seed=1), randn(2, 5, 3, seed=2), randn(4, 5, seed=3),
                device=device, **TOL)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_fully_masked_rows_give_zeros(kind, device):
    allowed = np.ones((4, 5), dtype=bool)
    allowed[1] = False
    mask = allowed if kind == "bool" else np.where(allowed, 0.0, -np.inf).astype(np.float32)
    rt_mask, th_mask = both(mask, device)

    def rt_fn(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=rt_mask)

    def th_fn(q, k, v):
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=th_mask)

    check_grads(rt_fn, th_fn, randn(2, 4, 8), randn(2, 5, 8, seed=1), randn(2, 5, 3, seed=2), device=device, **TOL)
    out = rt_fn(*(rustorch.tensor(a, device=device) for a in (randn(2, 4, 8), randn(2, 5, 8), randn(2, 5, 3))))
    assert not bool(out[:, 1].ne(0).any())


def test_sdpa_empty_keys(device):
    out = F.scaled_dot_product_attention(rustorch.ones(1, 2, 4, device=device), rustorch.ones(1, 0, 4, device=device),
                                         rustorch.ones(1, 0, 3, device=device))
    assert tuple(out.shape) == (1, 2, 3) and not bool(out.ne(0).any())


def test_sdpa_gradcheck(device):
    gradchecks(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
               *(np.random.default_rng(i).standard_normal(s) for i, s in enumerate([(2, 3, 4), (2, 3, 4), (2, 3, 2)])),
               device=device)


def test_sdpa_dropout(device):
    # with value = identity the output is the dropped-out attention weights: each 0 or weight / (1 - p)
    q, k = rustorch.tensor(randn(8, 64, 16), device=device), rustorch.tensor(randn(8, 64, 16, seed=1), device=device)
    eye = rustorch.eye(64, device=device).expand(8, 64, 64)
    plain = F.scaled_dot_product_attention(q, k, eye)
    rustorch.manual_seed(3)
    dropped = F.scaled_dot_product_attention(q, k, eye, dropout_p=0.25)
    kept = dropped.ne(0)
    assert abs(float(kept.float().mean()) - 0.75) < 0.02
    np.testing.assert_allclose(dropped[kept].cpu().numpy(), (plain / 0.75)[kept].cpu().numpy(), rtol=1e-6)
    rustorch.manual_seed(3)
    assert bool((F.scaled_dot_product_attention(q, k, eye, dropout_p=0.25) == dropped).all())


def test_sdpa_bad_input():
    q = rustorch.ones(2, 3, 4)
    with pytest.raises(ShapeError, match="scaled_dot_product_attention"):
        F.scaled_dot_product_attention(rustorch.ones(4), rustorch.ones(4), rustorch.ones(4))
    with pytest.raises(ShapeError, match=r"\[2, 5, 3\]"):
        F.scaled_dot_product_attention(q, rustorch.ones(2, 5, 3), rustorch.ones(2, 5, 4))
    with pytest.raises(ShapeError, match="scaled_dot_product_attention"):
        F.scaled_dot_product_attention(q, q, rustorch.ones(2, 4, 4))
    with pytest.raises(ShapeError, match="scaled_dot_product_attention"):
        F.scaled_dot_product_attention(q, rustorch.ones(3, 3, 4), rustorch.ones(3, 3, 4))
    with pytest.raises(ShapeError, match="scaled_dot_product_attention.*cannot be broadcast"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=rustorch.ones(3, 4, dtype=rustorch.bool))
    with pytest.raises(DTypeError, match="same dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)
    with pytest.raises(DTypeError, match="attn_mask"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=rustorch.ones(3, 3, dtype=rustorch.int64))
    with pytest.raises(ValueOutOfRangeError, match="is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=rustorch.ones(3, 3, dtype=rustorch.bool), is_causal=True)
    with pytest.raises(ShapeError, match="enable_gqa"):
        F.scaled_dot_product_attention(rustorch.ones(1, 4, 3, 4), rustorch.ones(1, 3, 3, 4), rustorch.ones(1, 3, 3, 4),
                                       enable_gqa=True)


# MultiheadAttention ------------------------------------------------------------------------------------
def _caller(base):
    class Call(base):
        """Calls a MultiheadAttention (or any layer) with fixed keyword arguments; ``share`` passes one input as
        query, key and value ("qkv") or one as key and value ("kv"), as self- and cross-attention do."""

        def __init__(self, mha, share="", **kwargs):
            super().__init__()
            self.mha = mha
            self.share = share
            self.kwargs = kwargs

        def forward(self, *inputs):
            if self.share == "qkv":
                inputs = inputs * 3
            elif self.share == "kv":
                inputs = (inputs[0], inputs[1], inputs[1])
            return self.mha(*inputs, **self.kwargs)

    return Call


Call, RtCall = _caller(torch.nn.Module), _caller(rustorch.nn.Module)


def check_mha(ctor, inputs, masks=None, device="cpu", **kwargs):
    """check_module on MultiheadAttention(**ctor) called with ``inputs`` (arrays) and masks/kwargs, on ``device``."""
    masks = masks or {}
    rt_masks = {k: rustorch.tensor(v, device=device) for k, v in masks.items()}
    th_masks = {k: torch.tensor(v) for k, v in masks.items()}
    rt = RtCall(rustorch.nn.MultiheadAttention(**ctor), **rt_masks, **kwargs)
    th = Call(torch.nn.MultiheadAttention(**ctor), **th_masks, **kwargs)
    check_close(rt, th, *inputs, device=device)


E, H, L, S, N = 8, 2, 5, 6, 3


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights, average", [(True, True), (True, False), (False, True)])
def test_mha_self_attention(batch_first, need_weights, average, device):
    x = randn(N, L, E) if batch_first else randn(L, N, E)
    kwargs = {"need_weights": need_weights, "average_attn_weights": average}
    check_close(RtCall(rustorch.nn.MultiheadAttention(E, H, batch_first=batch_first), "qkv", **kwargs),
                Call(torch.nn.MultiheadAttention(E, H, batch_first=batch_first), "qkv", **kwargs), x, device=device)


@pytest.mark.parametrize("ctor", [
    {"bias": False},
    {"add_bias_kv": True},
    {"add_zero_attn": True},
    {"add_bias_kv": True, "add_zero_attn": True, "batch_first": True},
    {"kdim": 3, "vdim": 4},
    {"kdim": 3, "vdim": 4, "batch_first": True, "bias": False},
])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_variants(ctor, need_weights, device):
    bf = ctor.get("batch_first", False)
    shape = (lambda n, l, e: (n, l, e)) if bf else (lambda n, l, e: (l, n, e))
    inputs = (randn(*shape(N, L, E)), randn(*shape(N, S, ctor.get("kdim", E)), seed=1),
              randn(*shape(N, S, ctor.get("vdim", E)), seed=2))
    kpm = np.zeros((N, S), dtype=bool)
    kpm[0, 2:] = True
    check_mha(dict(embed_dim=E, num_heads=H, **ctor), inputs, {"key_padding_mask": kpm}, device,
              need_weights=need_weights)


MASKS = {
    "kpm bool": lambda: {"key_padding_mask": np.arange(S)[None, :] >= np.array([[S], [3], [1]])},
    "kpm float": lambda: {"key_padding_mask": randn(N, S, seed=4)},
    "2d bool": lambda: {"attn_mask": np.triu(np.ones((L, S), dtype=bool), 2)},
    "2d float": lambda: {"attn_mask": randn(L, S, seed=5)},
    "3d bool": lambda: {"attn_mask": (np.random.default_rng(6).random((N * H, L, S)) < 0.3) & (np.arange(S) > 0)},
    "3d float + kpm float": lambda: {"attn_mask": randn(N * H, L, S, seed=7), "key_padding_mask": randn(N, S, seed=8)},
}


@pytest.mark.parametrize("masks", list(MASKS))
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_masks(masks, need_weights, device):
    inputs = (randn(L, N, E), randn(S, N, E, seed=1), randn(S, N, E, seed=2))
    check_mha({"embed_dim": E, "num_heads": H}, inputs, MASKS[masks](), device, need_weights=need_weights)


def test_mha_key_is_value(device):
    check_close(RtCall(rustorch.nn.MultiheadAttention(E, H, batch_first=True), "kv"),
                Call(torch.nn.MultiheadAttention(E, H, batch_first=True), "kv"), randn(N, L, E), randn(N, S, E, seed=1),
                device=device)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_causal(need_weights, device):
    causal = np.triu(np.full((L, L), -np.inf, dtype=np.float32), 1)
    x = (randn(L, N, E), randn(L, N, E, seed=1), randn(L, N, E, seed=2))
    check_mha({"embed_dim": E, "num_heads": H}, x, {"attn_mask": causal}, device, is_causal=True,
              need_weights=need_weights)


def test_mha_unbatched(device):
    inputs = (randn(L, E), randn(S, E, seed=1), randn(S, E, seed=2))
    masks = {"key_padding_mask": np.arange(S) >= 4, "attn_mask": randn(H, L, S, seed=3)}
    for need_weights in (True, False):
        with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):  # as torch
            check_mha({"embed_dim": E, "num_heads": H, "batch_first": True}, inputs, masks, device,
                      need_weights=need_weights)


def test_mha_functional_matches_torch(device):
    rng = np.random.default_rng(0)
    # weights of the scale of the default init
    arrays = [(rng.standard_normal(s) / math.sqrt(s[-1])).astype(np.float32)
              for s in [(L, N, E), (S, N, E), (S, N, E), (3 * E, E), (3 * E,), (E, E), (E,)]]
    kpm = np.zeros((N, S), dtype=bool)
    kpm[1, -2:] = True
    rt_kpm, th_kpm = both(kpm, device)

    def rt_fn(q, k, v, w, b, ow, ob):
        return F.multi_head_attention_forward(q, k, v, E, H, w, b, None, None, False, 0.0, ow, ob,
                                              key_padding_mask=rt_kpm, average_attn_weights=False)

    def th_fn(q, k, v, w, b, ow, ob):
        return torch.nn.functional.multi_head_attention_forward(q, k, v, E, H, w, b, None, None, False, 0.0, ow, ob,
                                                                key_padding_mask=th_kpm, average_attn_weights=False)

    check_grads(rt_fn, th_fn, *arrays, device=device, **TOL)


def test_mha_static_kv_matches_torch(device):
    rng = np.random.default_rng(1)
    arrays = [(rng.standard_normal(s) / math.sqrt(s[-1])).astype(np.float32)
              for s in [(L, N, E), (S, N, E), (N * H, 7, E // H), (N * H, 7, E // H), (3 * E, E), (E, E)]]

    def call(lib, mha):
        def fn(q, k, sk, sv, w, ow):
            return mha(q, k, k, E, H, w, None, None, None, False, 0.0, ow, None, static_k=sk, static_v=sv)
        return fn

    check_grads(call(rustorch, F.multi_head_attention_forward),
                call(torch, torch.nn.functional.multi_head_attention_forward), *arrays, device=device, **TOL)


def test_mha_fully_masked_query_gives_the_output_bias(device):
    # a batch item whose keys are all padded: scaled_dot_product_attention gives zeros there, as torch
    kpm = np.zeros((N, S), dtype=bool)
    kpm[1] = True
    inputs = (randn(L, N, E), randn(S, N, E, seed=1), randn(S, N, E, seed=2))
    check_mha({"embed_dim": E, "num_heads": H}, inputs, {"key_padding_mask": kpm}, device, need_weights=False)


def test_mha_dropout_in_training_only(device):
    mha = rustorch.nn.MultiheadAttention(E, H, dropout=0.5).to(device)
    x = rustorch.tensor(randn(L, N, E), device=device)
    assert not bool((mha(x, x, x)[0] == mha(x, x, x)[0]).all())
    mha.eval()
    assert bool((mha(x, x, x)[0] == mha(x, x, x)[0]).all())


def test_mha_parameters_init_and_repr():
    for ctor in ({}, {"kdim": 3, "vdim": 5, "add_bias_kv": True}, {"bias": False}):
        rt, th = rustorch.nn.MultiheadAttention(E, H, **ctor), torch.nn.MultiheadAttention(E, H, **ctor)
        assert list(rt.state_dict()) == list(th.state_dict())
        assert [(n, tuple(p.shape)) for n, p in rt.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in th.named_parameters()]
        assert repr(rt) == repr(th)
    mha = rustorch.nn.MultiheadAttention(64, 4, add_bias_kv=True)
    bound = math.sqrt(6 / (64 + 3 * 64))  # xavier_uniform_ over the packed (3E, E) weight
    w = mha.in_proj_weight
    assert float(w.abs().max()) <= bound and float(w.abs().max()) > 0.9 * bound
    assert not bool(mha.in_proj_bias.ne(0).any()) and not bool(mha.out_proj.bias.ne(0).any())
    assert 0.05 < float(mha.bias_k.std()) < 0.3  # xavier_normal_ of a (1, 1, 64) tensor: std sqrt(2 / 65)


def test_mha_bad_input():
    mha = rustorch.nn.MultiheadAttention(E, H)
    x = rustorch.ones(L, N, E)
    with pytest.raises(ShapeError, match="embedding dimension of 8"):
        mha(rustorch.ones(L, N, 6), rustorch.ones(L, N, 6), rustorch.ones(L, N, 6))
    with pytest.raises(ShapeError, match="4-D"):
        mha(rustorch.ones(1, L, N, E), x, x)
    with pytest.raises(ShapeError, match="key_padding_mask"):
        mha(x, x, x, key_padding_mask=rustorch.ones(N, L + 1, dtype=rustorch.bool))
    with pytest.raises(ShapeError, match="2D attn_mask"):
        mha(x, x, x, attn_mask=rustorch.ones(L, L + 1, dtype=rustorch.bool))
    with pytest.raises(ShapeError, match="3D attn_mask"):
        mha(x, x, x, attn_mask=rustorch.ones(N, L, L, dtype=rustorch.bool))
    with pytest.raises(ShapeError, match="key shape"):
        mha(x, x, rustorch.ones(L + 1, N, E))
    with pytest.raises(DTypeError, match="attn_mask"):
        mha(x, x, x, attn_mask=rustorch.ones(L, L, dtype=rustorch.int64))
    with pytest.raises(ValueOutOfRangeError, match="is_causal"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(InvalidArgumentError, match="divisible"):
        rustorch.nn.MultiheadAttention(10, 3)


# the transformer layers ------------------------------------------------------------------------------
def ctor_kwargs(**extra):
    return dict(d_model=E, nhead=H, dim_feedforward=16, dropout=0.0, **extra)


@pytest.mark.parametrize("extra", [
    {},
    {"batch_first": True, "norm_first": True},
    {"activation": "gelu", "layer_norm_eps": 1e-3},
    {"bias": False, "batch_first": True},
])
@pytest.mark.parametrize("train", [True, False])
def test_encoder_layer(extra, train, device):
    rt = rustorch.nn.TransformerEncoderLayer(**ctor_kwargs(**extra))
    th = torch.nn.TransformerEncoderLayer(**ctor_kwargs(**extra))
    assert list(rt.state_dict()) == list(th.state_dict())
    x = randn(N, L, E) if extra.get("batch_first") else randn(L, N, E)
    check_close(rt, th, x, device=device, train=train)


def test_encoder_layer_matches_torch_fast_path(device):
    # torch's inference fast path (eval, no grad, batch_first) runs its fused kernels; the numbers agree
    rt = rustorch.nn.TransformerEncoderLayer(**ctor_kwargs(batch_first=True)).eval()
    th = torch.nn.TransformerEncoderLayer(**ctor_kwargs(batch_first=True)).eval()
    rt.load_state_dict({k: v.numpy() for k, v in th.state_dict().items()})
    rt.to(device)
    x = randn(N, L, E)
    kpm = np.zeros((N, L), dtype=bool)
    kpm[1, 3:] = True
    with torch.no_grad():
        expected = th(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm))
    with rustorch.no_grad():
        assert_same(rt(rustorch.tensor(x, device=device), src_key_padding_mask=rustorch.tensor(kpm, device=device)),
                    expected, **TOL)


def test_encoder_layer_unbatched(device):
    check_close(rustorch.nn.TransformerEncoderLayer(**ctor_kwargs()), torch.nn.TransformerEncoderLayer(**ctor_kwargs()),
                randn(L, E), device=device)


def test_encoder_layer_callable_activation_and_masks(device):
    rt = RtCall(rustorch.nn.TransformerEncoderLayer(**ctor_kwargs(activation=rustorch.tanh)),
                src_mask=rustorch.tensor(np.triu(np.ones((L, L), dtype=bool), 1), device=device),
                src_key_padding_mask=rustorch.tensor(np.arange(L)[None, :] >= np.array([[L], [2], [4]]), device=device))
    th = Call(torch.nn.TransformerEncoderLayer(**ctor_kwargs(activation=torch.tanh)),
              src_mask=torch.tensor(np.triu(np.ones((L, L), dtype=bool), 1)),
              src_key_padding_mask=torch.tensor(np.arange(L)[None, :] >= np.array([[L], [2], [4]])))
    check_close(rt, th, randn(L, N, E), device=device)


@pytest.mark.parametrize("extra", [{}, {"norm_first": True, "batch_first": True, "activation": "gelu"}])
def test_decoder_layer(extra, device):
    rt = rustorch.nn.TransformerDecoderLayer(**ctor_kwargs(**extra))
    th = torch.nn.TransformerDecoderLayer(**ctor_kwargs(**extra))
    assert list(rt.state_dict()) == list(th.state_dict())
    bf = extra.get("batch_first", False)
    causal = np.triu(np.full((L, L), -np.inf, dtype=np.float32), 1)
    rt_call = RtCall(rt, tgt_mask=rustorch.tensor(causal, device=device), tgt_is_causal=True)
    th_call = Call(th, tgt_mask=torch.tensor(causal), tgt_is_causal=True)
    check_close(rt_call, th_call, randn(N, L, E) if bf else randn(L, N, E), randn(N, S, E) if bf else randn(S, N, E),
                device=device)


def test_encoder_and_decoder_stacks(device):
    enc_rt = rustorch.nn.TransformerEncoder(rustorch.nn.TransformerEncoderLayer(**ctor_kwargs()), 2,
                                            norm=rustorch.nn.LayerNorm(E))
    enc_th = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**ctor_kwargs()), 2,
                                         norm=torch.nn.LayerNorm(E), enable_nested_tensor=False)
    assert list(enc_rt.state_dict())[:3] == ["layers.0.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_bias",
                                             "layers.0.self_attn.out_proj.weight"]
    assert list(enc_rt.state_dict()) == list(enc_th.state_dict())
    assert enc_rt.layers[0] is not enc_rt.layers[1]
    assert enc_rt.layers[0].linear1.weight is not enc_rt.layers[1].linear1.weight
    mask = np.triu(np.full((L, L), -np.inf, dtype=np.float32), 1)  # detected as causal
    check_close(RtCall(enc_rt, mask=rustorch.tensor(mask, device=device)), Call(enc_th, mask=torch.tensor(mask)),
                randn(L, N, E), device=device)
    dec_rt = rustorch.nn.TransformerDecoder(rustorch.nn.TransformerDecoderLayer(**ctor_kwargs()), 2)
    dec_th = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(**ctor_kwargs()), 2)
    assert list(dec_rt.state_dict()) == list(dec_th.state_dict())
    kpm = np.zeros((N, S), dtype=bool)
    kpm[2, 3:] = True
    check_close(RtCall(dec_rt, memory_key_padding_mask=rustorch.tensor(kpm, device=device)),
                Call(dec_th, memory_key_padding_mask=torch.tensor(kpm)), randn(L, N, E), randn(S, N, E, seed=1),
                device=device)


@pytest.mark.parametrize("train", [True, False])
def test_transformer_loads_torch_state_dict(train, device):
    kwargs = dict(d_model=E, nhead=H, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16, dropout=0.0,
                  batch_first=True)
    rt, th = rustorch.nn.Transformer(**kwargs), torch.nn.Transformer(**kwargs)
    assert list(rt.state_dict()) == list(th.state_dict())
    assert repr(rt) == repr(th)
    tgt_mask = rustorch.nn.Transformer.generate_square_subsequent_mask(L)
    assert_same(tgt_mask, torch.nn.Transformer.generate_square_subsequent_mask(L))
    kpm = np.zeros((N, S), dtype=bool)
    kpm[1, 4:] = True
    check_close(RtCall(rt, tgt_mask=tgt_mask.to(device), src_key_padding_mask=rustorch.tensor(kpm, device=device)),
                Call(th, tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(L),
                     src_key_padding_mask=torch.tensor(kpm)),
                randn(N, S, E), randn(N, L, E, seed=1), device=device, train=train)


def test_transformer_init():
    model = rustorch.nn.Transformer(d_model=32, nhead=4, num_encoder_layers=1, num_decoder_layers=1,
                                    dim_feedforward=64)
    w = model.encoder.layers[0].linear1.weight  # xavier_uniform_ replaces Linear's default
    bound = math.sqrt(6 / (32 + 64))
    assert bound * 0.9 < float(w.abs().max()) <= bound
    assert not bool(model.decoder.layers[0].multihead_attn.in_proj_bias.ne(0).any())


def test_transformer_bad_input():
    model = rustorch.nn.Transformer(d_model=E, nhead=H, num_encoder_layers=1, num_decoder_layers=1,
                                    dim_feedforward=16)
    with pytest.raises(ShapeError, match="batch number"):
        model(rustorch.ones(S, 2, E), rustorch.ones(L, 3, E))
    with pytest.raises(ShapeError, match="d_model"):
        model(rustorch.ones(S, 2, E + 1), rustorch.ones(L, 2, E + 1))
    with pytest.raises(InvalidArgumentError, match="relu/gelu"):
        rustorch.nn.TransformerEncoderLayer(E, H, activation="swish")
