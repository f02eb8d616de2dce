"""Property tests (hypothesis): broadcasting, promotion, views and reductions agree with torch on random cases."""
import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import rustorch
from conftest import DTYPE_PAIRS, assert_same, from_torch

DTYPES = [rustorch.bool, rustorch.uint8, rustorch.int16, rustorch.int64, rustorch.float16, rustorch.float32,
          rustorch.float64]


def _values(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-4, 4, shape)
    if dtype is rustorch.bool:
        a = a > 0
    elif dtype is rustorch.uint8:
        a = np.abs(a)
    t = torch.from_numpy(np.asarray(a)).to(DTYPE_PAIRS[dtype])
    return from_torch(t), t


@settings(max_examples=60, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=4),
       da=st.sampled_from(DTYPES), db=st.sampled_from(DTYPES), op=st.sampled_from(["add", "mul", "maximum", "lt", "eq"]),
       seed=st.integers(0, 2**16))
def test_broadcast_and_promotion_match_torch(shapes, da, db, op, seed):
    ra, ta = _values(shapes.input_shapes[0], da, seed)
    rb, tb = _values(shapes.input_shapes[1], db, seed + 1)
    assert_same(getattr(rustorch, op)(ra, rb), getattr(torch, op)(ta, tb))


@settings(max_examples=60, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5), data=st.data(),
       seed=st.integers(0, 2**16))
def test_permuted_views_reduce_like_torch(shape, data, seed):
    r, t = _values(shape, rustorch.float64, seed)
    order = data.draw(st.permutations(range(len(shape))))
    rp, tp = r.permute(*order), t.permute(*order)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())
    assert_same(rp.sum(dim=dim, keepdim=keepdim), tp.sum(dim=dim, keepdim=keepdim))
    assert_same(rp.amax(dim=dim, keepdim=keepdim), tp.amax(dim=dim, keepdim=keepdim))
    assert_same(rp.reshape(-1), tp.reshape(-1))
    assert_same(rp.contiguous().view(-1), tp.contiguous().view(-1))
