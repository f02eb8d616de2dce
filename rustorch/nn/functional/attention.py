"""rustorch.nn.functional: attention.

``scaled_dot_product_attention`` is torch's math formulation, composed from
rustorch ops (so it is differentiable to any order): two batched GEMMs around
a softmax. ``multi_head_attention_forward`` is torch's function of the same
name; MultiheadAttention calls the same code with its own batch layout.

>>> import rustorch
>>> import rustorch.nn.functional as F
>>> q = rustorch.ones(2, 4, 3, 8)
>>> F.scaled_dot_product_attention(q, q, q).shape
rustorch.Size([2, 4, 3, 8])
"""
import math
import warnings

from ... import _dtype
from ...errors import DTypeError, InvalidArgumentError, ShapeError, ValueOutOfRangeError
from ...ops._common import broadcast_shapes
from ...ops.creation import full, zeros, zeros_like
from ...ops.contraction import matmul
from ...ops.elementwise import add, logical_not, mul
from ...ops.indexing import masked_fill, triu
from ...ops.shape import cat, repeat_interleave
from ...ops.views import transpose
from .activation import softmax
from .dropout import dropout
from .linear import linear

_NEG_INF = float("-inf")


def _attention_bias(attn_mask, is_causal, L, S, query):
    """The float bias added to the scores (-inf where a position may not be attended), or None.

    A bool ``attn_mask`` is True where attention is allowed (SDPA's convention); a float one is added as it is.
    """
    if is_causal:
        if attn_mask is not None:
            raise ValueOutOfRangeError("scaled_dot_product_attention(): explicit attn_mask should not be set when "
                                       "is_causal=True")
        # upper-left aligned: query i attends keys 0..i
        return triu(full((L, S), _NEG_INF, dtype=query.dtype, device=query.device), diagonal=1)
    if attn_mask is None:
        return None
    if attn_mask.dtype is _dtype.bool_:
        return masked_fill(zeros_like(attn_mask, dtype=query.dtype), logical_not(attn_mask), _NEG_INF)
    if attn_mask.dtype is not query.dtype:
        raise DTypeError(f"scaled_dot_product_attention(): expected attn_mask dtype to be bool or to match the query "
                         f"dtype, but got attn_mask.dtype: {attn_mask.dtype} and query.dtype: {query.dtype}")
    return attn_mask


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(query @ key^T * scale + bias) @ value over the last two dims, batch dims broadcast.

    query (N, ..., Hq, L, E), key (N, ..., H, S, E), value (N, ..., H, S, Ev) give (N, ..., Hq, L, Ev).
    ``attn_mask`` broadcasts to (N, ..., Hq, L, S): bool (True = may attend) or float (added to the scores).
    ``is_causal`` masks key j > query i. ``scale`` defaults to 1/sqrt(E). Dropout of ``dropout_p`` is applied to
    the attention weights whenever it is > 0 (as torch: pass 0 in evaluation), drawn from rustorch's generator.
    With ``enable_gqa``, key and value heads are shared by groups of Hq // H query heads. A query row whose keys
    are all masked gives zeros (torch's safe softmax), not NaN.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> q = rustorch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    >>> v = rustorch.tensor([[[1.0, 2.0], [3.0, 4.0]]])
    >>> F.scaled_dot_product_attention(q, q, v, is_causal=True)
    tensor([[[1.0000, 2.0000],
             [2.3395, 3.3395]]])
    """
    op = "scaled_dot_product_attention"
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise ShapeError(f"{op}(): expected query, key and value to be at least 2-D, but got shapes "
                         f"{list(query.shape)}, {list(key.shape)} and {list(value.shape)}")
    if not (query.dtype is key.dtype is value.dtype):
        raise DTypeError(f"{op}(): expected query, key and value to have the same dtype, but got {query.dtype}, "
                         f"{key.dtype} and {value.dtype}")
    L, E = query.shape[-2:]
    S = key.shape[-2]
    if key.shape[-1] != E or value.shape[-2] != S:
        raise ShapeError(f"{op}(): query (..., L, E), key (..., S, E) and value (..., S, Ev) do not match: got "
                         f"shapes {list(query.shape)}, {list(key.shape)} and {list(value.shape)}")
    if enable_gqa and query.ndim >= 3 and query.shape[-3] != key.shape[-3]:
        heads, kv_heads = query.shape[-3], key.shape[-3]
        if key.ndim < 3 or value.ndim < 3 or heads % kv_heads or value.shape[-3] != kv_heads:
            raise ShapeError(f"{op}(): with enable_gqa, the number of key/value heads must be equal and divide the "
                             f"query's: got shapes {list(query.shape)}, {list(key.shape)} and {list(value.shape)}")
        key = repeat_interleave(key, heads // kv_heads, dim=-3)
        value = repeat_interleave(value, heads // kv_heads, dim=-3)
    batch = broadcast_shapes(op, query.shape[:-2], key.shape[:-2], value.shape[:-2])
    bias = _attention_bias(attn_mask, is_causal, L, S, query)
    dead_rows = None
    if bias is not None:
        scores_shape = batch + (L, S)
        if broadcast_shapes(op, bias.shape, scores_shape) != scores_shape:
            raise ShapeError(f"{op}(): attn_mask of shape {list(attn_mask.shape)} does not broadcast to the "
                             f"attention weights' shape {list(scores_shape)}")
        if attn_mask is not None:
            # rows with every key masked give zeros, as torch's safe softmax; a finite bias there keeps the softmax
            # (and its gradient) free of NaN before the rows are zeroed
            dead = (bias == _NEG_INF).all(dim=-1, keepdim=True)
            if bool(dead.any()):
                dead_rows = dead
                bias = masked_fill(bias, dead, 0.0)
    scale = 1.0 / math.sqrt(E) if scale is None else scale
    # scaling the (L, E) query is cheaper than scaling the (L, S) scores
    scores = matmul(mul(query, scale), transpose(key, -2, -1))
    if bias is not None:
        scores = add(scores, bias)
    weights = softmax(scores, dim=-1)
    if dead_rows is not None:
        weights = masked_fill(weights, dead_rows, 0.0)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return matmul(weights, value)


# multi-head attention -----------------------------------------------------------------------------------
def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True = masked out, MultiheadAttention's convention) as a float mask of ``target_type`` with -inf
    where it was True; a float mask unchanged."""
    if mask is None:
        return None
    if mask.dtype is not _dtype.bool_ and not mask.is_floating_point():
        raise DTypeError(f"only bool and floating types of {mask_name} are supported, got {mask.dtype}")
    if check_other and other_type is not None and mask.dtype is not other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if mask.dtype is _dtype.bool_:
        return masked_fill(zeros_like(mask, dtype=target_type), mask, _NEG_INF)
    return mask


def _none_or_dtype(t):
    return None if t is None else t.dtype


def _pad_key_column(mask):
    """``mask`` with one more key (a zero column, i.e. attended) at the end of its last dim."""
    return cat([mask, zeros(mask.shape[:-1] + (1,), dtype=mask.dtype, device=mask.device)], dim=-1)


def _split_heads(x, num_heads, batch_first):
    """(N, L, E) or (L, N, E) -> a (N, H, L, E // H) view."""
    x = x.unflatten(-1, (num_heads, x.shape[-1] // num_heads))
    return x.transpose(1, 2) if batch_first else x.permute(1, 2, 0, 3)


def _in_projection(query, key, value, embed_dim, in_proj_weight, in_proj_bias, q_proj_weight, k_proj_weight,
                   v_proj_weight):
    """The projected q, k, v; self-attention (and key is value) runs one GEMM over the packed weight."""
    E = embed_dim
    if q_proj_weight is not None:
        b_q = b_k = b_v = None
        if in_proj_bias is not None:
            b_q, b_k, b_v = in_proj_bias.chunk(3)
        return (linear(query, q_proj_weight, b_q), linear(key, k_proj_weight, b_k),
                linear(value, v_proj_weight, b_v))
    if key is value:
        if query is key:
            # one (..., 3E) projection; unbind's backward stacks the three gradients back in one copy
            return linear(query, in_proj_weight, in_proj_bias).unflatten(-1, (3, E)).unbind(-2)
        w_q, w_kv = in_proj_weight.split([E, 2 * E])
        b_q, b_kv = in_proj_bias.split([E, 2 * E]) if in_proj_bias is not None else (None, None)
        k, v = linear(key, w_kv, b_kv).unflatten(-1, (2, E)).unbind(-2)
        return linear(query, w_q, b_q), k, v
    w_q, w_k, w_v = in_proj_weight.chunk(3)
    b_q, b_k, b_v = in_proj_bias.chunk(3) if in_proj_bias is not None else (None, None, None)
    return linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)


def _static_heads(name, t, bsz, num_heads, head_dim):
    if t.ndim != 3 or t.shape[0] != bsz * num_heads or t.shape[2] != head_dim:
        raise ShapeError(f"multi_head_attention_forward(): expected {name} of shape (bsz * num_heads, S, head_dim) = "
                         f"({bsz * num_heads}, S, {head_dim}), got {list(t.shape)}")
    return t.view(bsz, num_heads, t.shape[1], head_dim)


def _check_mha_shapes(query, key, value, key_padding_mask, attn_mask):
    """Whether the input is batched (3-D) or not (2-D); ShapeError for any other ranks."""
    op = "multi_head_attention_forward"
    if query.ndim not in (2, 3):
        raise ShapeError(f"{op}(): query should be unbatched 2-D or batched 3-D, got a {query.ndim}-D tensor of shape "
                         f"{list(query.shape)}")
    batched = query.ndim == 3
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise ShapeError(f"{op}(): for a {query.ndim}-D query, expected {query.ndim}-D key and value, got shapes "
                         f"{list(key.shape)} and {list(value.shape)}")
    if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
        raise ShapeError(f"{op}(): for a {query.ndim}-D query, expected a {query.ndim - 1}-D key_padding_mask, got "
                         f"shape {list(key_padding_mask.shape)}")
    if attn_mask is not None and attn_mask.ndim not in (2, 3):
        raise ShapeError(f"{op}(): expected a 2-D or 3-D attn_mask, got shape {list(attn_mask.shape)}")
    return batched


def _multi_head_attention(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k,
                          bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training, key_padding_mask,
                          need_weights, attn_mask, q_proj_weight, k_proj_weight, v_proj_weight, static_k, static_v,
                          average_attn_weights, is_causal, batch_first):
    """multi_head_attention_forward on (N, L, E) inputs when ``batch_first``, else on (L, N, E) ones.

    MultiheadAttention(batch_first=True) runs here directly, without torch's transposes to sequence-first."""
    op = "multi_head_attention_forward"
    batched = _check_mha_shapes(query, key, value, key_padding_mask, attn_mask)
    if not batched:
        # an unbatched (L, E) input is a batch of one
        query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
        batch_first = True
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    if batch_first:
        bsz, tgt_len, embed_dim = query.shape
        src_len = key.shape[1]
    else:
        tgt_len, bsz, embed_dim = query.shape
        src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise ValueOutOfRangeError(f"{op}(): need attn_mask if specifying the is_causal hint. You may use the "
                                   "Transformer module method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # scaled_dot_product_attention makes the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise ShapeError(f"{op}(): was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim} "
                         f"(query of shape {list(query.shape)})")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise ShapeError(f"{op}(): embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    separate = q_proj_weight is not None
    if (key.shape[:2] != value.shape[:2]) if separate else (key.shape != value.shape):
        raise ShapeError(f"{op}(): key shape {list(key.shape)} does not match value shape {list(value.shape)}")
    q, k, v = _in_projection(query, key, value, embed_dim, in_proj_weight, in_proj_bias, q_proj_weight,
                             k_proj_weight, v_proj_weight)
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise ShapeError(f"{op}(): the shape of the 2D attn_mask is {list(attn_mask.shape)}, but should be "
                                 f"{[tgt_len, src_len]}")
            attn_mask = attn_mask.reshape(1, 1, tgt_len, src_len)
        else:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise ShapeError(f"{op}(): the shape of the 3D attn_mask is {list(attn_mask.shape)}, but should be "
                                 f"{[bsz * num_heads, tgt_len, src_len]}")
            attn_mask = attn_mask.reshape(bsz, num_heads, tgt_len, src_len)
    # from here on q, k, v are (N, H, L or S, head_dim) views
    q = _split_heads(q, num_heads, batch_first)
    k = _static_heads("static_k", static_k, bsz, num_heads, head_dim) if static_k is not None else \
        _split_heads(k, num_heads, batch_first)
    v = _static_heads("static_v", static_v, bsz, num_heads, head_dim) if static_v is not None else \
        _split_heads(v, num_heads, batch_first)
    if (bias_k is None) != (bias_v is None):
        raise InvalidArgumentError(f"{op}(): bias_k and bias_v must be given together")
    extra_keys = []
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise InvalidArgumentError(f"{op}(): bias cannot be added to static key or value")
        extra_keys.append((bias_k.view(1, num_heads, 1, head_dim).expand(bsz, -1, -1, -1),
                           bias_v.view(1, num_heads, 1, head_dim).expand(bsz, -1, -1, -1)))
    if add_zero_attn:
        zero = zeros((bsz, num_heads, 1, head_dim), dtype=q.dtype, device=q.device)
        extra_keys.append((zero, zero))
    for extra_k, extra_v in extra_keys:
        # one more key (and value) that every query may attend
        k, v = cat([k, extra_k], dim=2), cat([v, extra_v], dim=2)
        if attn_mask is not None:
            attn_mask = _pad_key_column(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_key_column(key_padding_mask)
    src_len = k.shape[2]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise ShapeError(f"{op}(): expected key_padding_mask of shape {[bsz, src_len]}, but got "
                             f"{list(key_padding_mask.shape)}")
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else add(attn_mask, key_padding_mask)
    if not training:
        dropout_p = 0.0
    weights = None
    if need_weights:
        # the weights are returned, so they are formed explicitly (a fully masked row is NaN here, as in torch)
        scores = matmul(mul(q, 1.0 / math.sqrt(head_dim)), k.transpose(-2, -1))
        if attn_mask is not None:
            scores = add(scores, attn_mask)
        weights = softmax(scores, dim=-1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        out = matmul(weights, v)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            weights = weights.squeeze(0)
    else:
        out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    # (N, H, L, head_dim) back to the input's layout, heads merged
    out = out.transpose(1, 2) if batch_first else out.permute(2, 0, 1, 3)
    out = linear(out.reshape(out.shape[:2] + (embed_dim,)), out_proj_weight, out_proj_bias)
    return (out if batched else out.squeeze(0)), weights


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """The forward of MultiheadAttention on sequence-first inputs: query (L, N, E) (or (L, E)), key and value
    (S, N, E); returns (attn_output (L, N, E), attn_weights or None).

    Masks follow MultiheadAttention: a bool key_padding_mask (N, S) or attn_mask (L, S) / (N * num_heads, L, S)
    is True where attention is NOT allowed; float masks are added to the scores. The weights are averaged over
    heads when ``average_attn_weights``.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> x = rustorch.ones(3, 2, 4)
    >>> out, w = F.multi_head_attention_forward(x, x, x, 4, 2, rustorch.eye(12, 4), None, None, None, False, 0.0,
    ...                                         rustorch.eye(4), None)
    >>> out.shape, w.shape
    (rustorch.Size([3, 2, 4]), rustorch.Size([2, 3, 3]))
    """
    if use_separate_proj_weight:
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise InvalidArgumentError("multi_head_attention_forward(): use_separate_proj_weight is True but "
                                       "q_proj_weight, k_proj_weight or v_proj_weight is None")
    else:
        if in_proj_weight is None:
            raise InvalidArgumentError("multi_head_attention_forward(): use_separate_proj_weight is False but "
                                       "in_proj_weight is None")
        q_proj_weight = k_proj_weight = v_proj_weight = None
    return _multi_head_attention(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training,
                                 key_padding_mask, need_weights, attn_mask, q_proj_weight, k_proj_weight,
                                 v_proj_weight, static_k, static_v, average_attn_weights, is_causal, batch_first=False)


__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]
