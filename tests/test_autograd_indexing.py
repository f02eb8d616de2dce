"""Gradients of the indexing ops (rustorch/ops/indexing.py): against torch on float32, and gradcheck plus
gradgradcheck (finite differences) in float64."""
import numpy as np
import pytest
import torch

import rustorch
from conftest import check_grads, gradchecks, skip_complex_off_cpu
from rustorch.errors import AutogradError

_rng = np.random.default_rng(0)


def randn(*shape):
    return _rng.standard_normal(shape).astype(np.float32)


def distinct(*shape):
    """Values with no ties (and no zeros), so that sorting and max-like ops have a derivative everywhere."""
    n = int(np.prod(shape))
    return ((_rng.permutation(n) + 1) * 0.37 * _rng.choice([-1, 1], n)).astype(np.float32).reshape(shape)


def distinct_pair(shape_a, shape_b):
    """Two arrays of distinct values (no value in both)."""
    n = int(np.prod(shape_a))
    both = distinct(n + int(np.prod(shape_b)))
    return both[:n].reshape(shape_a), both[n:].reshape(shape_b)


def compare(device, fn, *arrays, consts=()):
    """``fn(lib, *tensors, *consts)`` (lib is rustorch or torch; consts are NumPy arrays made into each library's
    tensors, e.g. indices and masks): outputs and gradients equal torch's."""
    rt_consts = [rustorch.tensor(c, device=device) for c in consts]
    th_consts = [torch.tensor(c) for c in consts]
    check_grads(lambda *xs: fn(rustorch, *xs, *rt_consts), lambda *xs: fn(torch, *xs, *th_consts), *arrays,
                device=device)


def check(device, fn, *arrays, consts=()):
    """compare(), then gradcheck and gradgradcheck of the rustorch side."""
    compare(device, fn, *arrays, consts=consts)
    rt_consts = [rustorch.tensor(c, device=device) for c in consts]
    gradchecks(lambda *xs: fn(rustorch, *xs, *rt_consts), *arrays, device=device)


def noncontiguous(a, device):
    """A float64 leaf requiring grad, with a's values and the strides of a transpose."""
    t = rustorch.tensor(np.ascontiguousarray(np.swapaxes(a, -1, -2)), dtype=rustorch.float64, device=device)
    x = t.transpose(-1, -2).detach().requires_grad_()
    assert not x.is_contiguous()
    return x


def check_noncontiguous(device, fn, a):
    """gradcheck and gradgradcheck of ``fn`` at a non-contiguous input, and the same gradient as a contiguous one."""
    x = noncontiguous(a, device)
    assert rustorch.autograd.gradcheck(fn, (x,))
    assert rustorch.autograd.gradgradcheck(fn, (x,))
    y = rustorch.tensor(a, dtype=rustorch.float64, device=device, requires_grad=True)
    out_x, out_y = fn(x), fn(y)
    g = rustorch.tensor(_rng.standard_normal(tuple(out_x.shape)), device=device)
    (gx,), (gy,) = rustorch.autograd.grad(out_x, x, g), rustorch.autograd.grad(out_y, y, g)
    assert gx.tolist() == gy.tolist()


def names(y):
    """The names of y's grad_fn and of the nodes it leads to along first edges."""
    result, fn = [], y.grad_fn
    while fn is not None and fn.name() != "AccumulateGrad" and not fn.name().endswith("::AccumulateGrad"):
        result.append(fn.name())
        fn = fn.next_functions[0][0] if fn.next_functions else None
    return result


# where ----------------------------------------------------------------------------------
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4), (3, 4)), ((3, 1), (1, 4), (4,)), ((), (), ()), ((2, 3), (), (3,))])
def test_where(device, shapes):
    cond_shape, a_shape, b_shape = shapes
    cond = _rng.random(cond_shape) > 0.5
    check(device, lambda lib, a, b, c: lib.where(c, a, b), randn(*a_shape), randn(*b_shape), consts=(cond,))


def test_where_with_numbers(device):
    cond = np.array([[True, False, True], [False, False, True]])
    check(device, lambda lib, a, c: lib.where(c, a, 2.5), randn(2, 3), consts=(cond,))
    check(device, lambda lib, b, c: lib.where(c, -1.0, b), randn(3), consts=(cond,))
    check(device, lambda lib, a, c: a.where(c, 0.0), randn(1, 3), consts=(cond,))


def test_where_node_and_dtypes(device):
    a = rustorch.tensor(randn(3), device=device, requires_grad=True)
    b = rustorch.tensor(randn(3), dtype=rustorch.float64, device=device, requires_grad=True)
    c = rustorch.tensor([True, False, True], device=device)
    y = rustorch.where(c, a, b)
    assert y.dtype is rustorch.float64 and names(y) == ["WhereBackward0"]
    ga, gb = rustorch.autograd.grad(y, (a, b), rustorch.ones(3, dtype=rustorch.float64, device=device))
    assert ga.dtype is rustorch.float32 and gb.dtype is rustorch.float64
    assert ga.tolist() == [1.0, 0.0, 1.0] and gb.tolist() == [0.0, 1.0, 0.0]
    assert not rustorch.where(c, a.detach(), b.detach()).requires_grad


def test_where_noncontiguous(device):
    cond = rustorch.tensor(_rng.random((4, 3)) > 0.5, device=device)
    check_noncontiguous(device, lambda x: rustorch.where(cond, x, 0.0), randn(4, 3))


def test_where_double_backward_of_relu(device):
    # relu's backward is a where: its second derivative goes through where's backward
    gradchecks(lambda x: rustorch.relu(x) * x, np.array([-1.5, 0.7, 2.0]), device=device)


# x[index] -------------------------------------------------------------------------------
BASIC = [0, -1, (0, slice(1, 3)), (Ellipsis, 1), (slice(None), None), slice(None), slice(None, None, 2),
         (None, slice(1, None)), (slice(1, None), None), (1, 2), ()]


@pytest.mark.parametrize("index", BASIC, ids=str)
def test_getitem_basic(device, index):
    check(device, lambda lib, x: x[index], randn(3, 4))


@pytest.mark.parametrize("index", BASIC, ids=str)
def test_getitem_basic_node_names(device, index):
    x = rustorch.tensor(randn(3, 4), device=device, requires_grad=True)
    y = x[index]
    # one node for the whole view, named as torch's last one (torch records one per item)
    assert y._base is x and names(y) == names(torch.randn(3, 4, requires_grad=True)[index])[:1]


def test_getitem_basic_0d_and_empty(device):
    check(device, lambda lib, x: x[...], np.float32(1.5))
    check(device, lambda lib, x: x[None], np.float32(1.5))
    check(device, lambda lib, x: x[2:2], randn(4))


def test_getitem_noncontiguous(device):
    check_noncontiguous(device, lambda x: x[1:, 1], randn(3, 4))
    check_noncontiguous(device, lambda x: x[[0, 2, 2]], randn(3, 4))


ADVANCED = [
    [0, 2, 0],
    (1, [0, 0, 3]),
    (slice(1, None), [0, 1]),
    ([[0, 1], [2, 2]], slice(None), [1, 0]),  # non-adjacent: the indexed dims lead
    ([0, 2], [3, 3]),
    (Ellipsis, [-1, 0]),
]


@pytest.mark.parametrize("index", ADVANCED, ids=str)
def test_getitem_advanced(device, index):
    check(device, lambda lib, x: x[index], randn(3, 4, 2) if len(np.shape(index[0])) == 2 else randn(3, 4))


def test_getitem_advanced_tensors(device):
    mask = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, False]])
    check(device, lambda lib, x, m: x[m], randn(3, 4), consts=(mask,))
    check(device, lambda lib, x, m: x[m[0]], randn(4, 2), consts=(mask,))
    check(device, lambda lib, x, i: x[i, 1:], randn(3, 4), consts=(np.array([2, 0, 2]),))
    check(device, lambda lib, x: x[True], randn(3))
    check(device, lambda lib, x: x[[]], randn(3, 2))
    x = rustorch.tensor(randn(3, 4), device=device, requires_grad=True)
    assert names(x[[0, 1]]) == ["IndexBackward0"] and x[[0, 1]]._base is None
    assert names(x[0, [0, 1]])[0] == "IndexBackward0"


# x[index] = value -----------------------------------------------------------------------
def _setitem(index):
    def fn(lib, x, v):
        y = x * 1
        y[index] = v
        return y
    return fn


@pytest.mark.parametrize("index, value_shape", [
    ([0, 2], (2, 4)), ([0, 2], (4,)), ([0, 2], ()), ((1, [0, 3]), (2,)), ((slice(None), [1, 2]), (3, 1)),
])
def test_setitem_advanced(device, index, value_shape):
    check(device, _setitem(index), randn(3, 4), randn(*value_shape))


def test_setitem_mask_and_number(device):
    mask = np.array([True, False, True])

    def with_number(lib, x, m):
        y = x * 2
        y[m] = 5.0
        return y
    check(device, with_number, randn(3, 2), consts=(mask,))
    check(device, lambda lib, x, v, m: _setitem(m)(lib, x, v), randn(3, 2), randn(2), consts=(mask,))


def _fill_column(lib, x):
    y = x * 1
    y[:, 0] = 2.0
    return y


def test_setitem_basic(device):
    # through copy_ / fill_ on a view: the base's gradient goes around the overwritten region
    check(device, _setitem((0, slice(1, 3))), randn(3, 4), randn(2))
    check(device, _setitem(1), randn(3, 4), np.float32(0.5))
    check(device, _fill_column, randn(3, 4))


def test_setitem_names_and_errors(device):
    x = rustorch.tensor(randn(3, 4), device=device, requires_grad=True)
    y = x * 1
    y[[0, 1]] = rustorch.ones(4, device=device)
    assert names(y) == ["IndexPutBackward0", "MulBackward0"]
    with pytest.raises(AutogradError, match="leaf Variable that requires grad"):
        x[[0, 1]] = 1.0
    with pytest.raises(AutogradError, match="leaf Variable that requires grad"):
        x.index_put_((rustorch.tensor([0], device=device),), rustorch.tensor(1.0, device=device))


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put(device, accumulate):
    # repeated positions only with accumulate: without, which write wins is not differentiable
    idx = (np.array([0, 2, 0]), np.array([1, 1, 1 if accumulate else 3]))
    check(device, lambda lib, x, v, i, j: lib.index_put(x, (i, j), v, accumulate=accumulate), randn(3, 4), randn(3),
          consts=idx)
    check(device, lambda lib, x, v, i, j: (x * 1).index_put_((i, j), v, accumulate=accumulate), randn(3, 4),
          randn(1), consts=idx)
    x = rustorch.tensor(randn(3, 4), device=device, requires_grad=True)
    y = rustorch.index_put(x, (rustorch.tensor([1], device=device),), rustorch.tensor(1.0, device=device), accumulate)
    assert names(y) == ["IndexPutBackward0"]


def _setitem_through_view(lib, x, v):
    y = x * 1
    y[1][[0, 2]] = v  # an index_put_ on a view: the base gets the history
    return y


def test_setitem_on_view_of_nonleaf(device):
    check(device, _setitem_through_view, randn(3, 4), randn(2))


# gather / scatter -------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather(device, dim):
    index = np.array([[0, 1, 1], [2, 0, 0]]) if dim == 0 else np.array([[3, 0], [1, 1], [0, 0]])
    check(device, lambda lib, x, i: x.gather(dim, i), randn(3, 4), consts=(index,))


def test_gather_0d_and_noncontiguous(device):
    check(device, lambda lib, x, i: lib.gather(x, 0, i), np.float32(2.0), consts=(np.array(0),))
    index = rustorch.tensor([[1, 0, 2], [2, 2, 0]], device=device)
    check_noncontiguous(device, lambda x: x.gather(0, index), randn(3, 3))
    x = rustorch.tensor(randn(3), device=device, requires_grad=True)
    assert names(x.gather(0, rustorch.tensor([1], device=device))) == ["GatherBackward0"]


@pytest.mark.parametrize("dim", [0, 1])
def test_scatter(device, dim):
    index = np.array([[0, 2, 1], [2, 0, 0]]) if dim == 0 else np.array([[3, 0], [1, 2], [0, 1]])
    src_shape = index.shape
    check(device, lambda lib, x, s, i: x.scatter(dim, i, s), randn(3, 4), randn(*src_shape), consts=(index,))
    check(device, lambda lib, x, i: x.scatter(dim, i, 1.5), randn(3, 4), consts=(index,))
    check(device, lambda lib, x, s, i: (x * 1).scatter_(dim, i, s), randn(3, 4), randn(*src_shape), consts=(index,))


def test_scatter_names_and_reduce(device):
    x = rustorch.tensor(randn(3), device=device, requires_grad=True)
    i = rustorch.tensor([1], device=device)
    assert names(x.scatter(0, i, x[:1])) == ["ScatterBackward0"]
    assert names(x.scatter(0, i, 2.0)) == ["ScatterBackward1"]
    y = x.scatter(0, i, 2.0, reduce="multiply")  # as torch: recorded, but its backward is not implemented
    assert y.requires_grad
    with pytest.raises(AutogradError, match="not implemented"):
        rustorch.autograd.grad(y, x, rustorch.ones(3, device=device))


@pytest.mark.parametrize("dim", [0, -1])
def test_scatter_add(device, dim):
    index = np.array([[0, 0, 1], [2, 0, 0]]) if dim == 0 else np.array([[3, 3], [1, 2], [0, 0]])
    check(device, lambda lib, x, s, i: lib.scatter_add(x, dim, i, s), randn(3, 4), randn(*index.shape), consts=(index,))
    check(device, lambda lib, x, s, i: (x * 1).scatter_add_(dim, i, s), randn(3, 4), randn(*index.shape),
          consts=(index,))


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "mean", "prod", "amax", "amin"])
def test_scatter_reduce(device, reduce, include_self):
    index = np.array([[0, 0, 1], [2, 0, 0]])
    check(device, lambda lib, x, s, i: x.scatter_reduce(0, i, s, reduce, include_self=include_self),
          *distinct_pair((3, 3), (2, 3)), consts=(index,))
    check(device, lambda lib, x, s, i: (x * 1).scatter_reduce_(0, i, s, reduce, include_self=include_self),
          *distinct_pair((3, 3), (2, 3)), consts=(index,))


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_with_zeros(device, include_self):
    # zeros in self, one zero and two zeros scattered to the same position: torch's exclusive products
    x = np.array([2.0, 0.0, 3.0, 1.5], dtype=np.float32)
    src = np.array([0.0, 4.0, 0.0, 5.0, 0.0, 2.0], dtype=np.float32)
    compare(device, lambda lib, x, s, i: x.scatter_reduce(0, i, s, "prod", include_self=include_self), x, src,
            consts=(np.array([0, 0, 1, 1, 1, 3]),))


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_scatter_reduce_ties(device, reduce, include_self):
    # the gradient is shared evenly between the tied values, self's included
    sign = 1 if reduce == "amax" else -1
    x = np.array([5.0, 1.0, 2.0], dtype=np.float32) * sign
    src = np.array([5.0, 3.0, 5.0, 1.0], dtype=np.float32) * sign
    compare(device, lambda lib, x, s, i: x.scatter_reduce(0, i, s, reduce, include_self=include_self), x, src,
            consts=(np.array([0, 0, 0, 1]),))


# index_select / index_add / index_copy / index_fill -------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_select(device, dim):
    check(device, lambda lib, x, i: x.index_select(dim, i), randn(3, 4), consts=(np.array([2, 0, 2]),))


def test_index_select_0d_and_noncontiguous(device):
    check(device, lambda lib, x, i: lib.index_select(x, 0, i), np.float32(3.0), consts=(np.array([0]),))
    index = rustorch.tensor([1, 1, 0], device=device)
    check_noncontiguous(device, lambda x: x.index_select(1, index), randn(2, 3))


@pytest.mark.parametrize("alpha", [1, -2.5])
def test_index_add(device, alpha):
    index = np.array([2, 0, 2])
    check(device, lambda lib, x, s, i: x.index_add(1, i, s, alpha=alpha), randn(2, 4), randn(2, 3), consts=(index,))
    check(device, lambda lib, x, s, i: (x * 1).index_add_(0, i, s, alpha=alpha), randn(3, 2), randn(3, 2),
          consts=(index,))
    check(device, lambda lib, x, s, i: x.index_add(0, i, s, alpha=alpha), np.float32(1.0), np.float32(2.0),
          consts=(np.array([0]),))


def test_index_add_complex_alpha(device):
    skip_complex_off_cpu(device)
    # torch multiplies the source's gradient by alpha itself (not its conjugate)
    x = rustorch.zeros(3, dtype=rustorch.complex128, device=device, requires_grad=True)
    s = rustorch.tensor([1 + 1j], dtype=rustorch.complex128, device=device, requires_grad=True)
    y = x.index_add(0, rustorch.tensor([1], device=device), s, alpha=2 + 3j)
    (g,) = rustorch.autograd.grad(y, s, rustorch.ones(3, dtype=rustorch.complex128, device=device))
    assert g.tolist() == [2 + 3j]


def test_index_copy(device):
    index = np.array([3, 0])
    check(device, lambda lib, x, s, i: x.index_copy(1, i, s), randn(2, 4), randn(2, 2), consts=(index,))
    check(device, lambda lib, x, s, i: (x * 1).index_copy_(-1, i, s), randn(2, 4), randn(2, 2), consts=(index,))


def test_index_fill(device):
    index = np.array([2, 0, 2])
    check(device, lambda lib, x, i: x.index_fill(1, i, -1.0), randn(2, 4), consts=(index,))
    check(device, lambda lib, x, v, i: x.index_fill(1, i, v), randn(2, 4), np.float32(0.5), consts=(index,))
    check(device, lambda lib, x, v, i: (x * 1).index_fill_(0, i, v), randn(3, 2), np.float32(0.5), consts=(index,))
    x = rustorch.tensor(randn(3), device=device, requires_grad=True)
    i = rustorch.tensor([0], device=device)
    assert names(x.index_fill(0, i, 1.0)) == ["IndexFillBackward0"]
    assert names(x.index_fill(0, i, rustorch.tensor(1.0, device=device))) == ["IndexFillBackward1"]


# masks ------------------------------------------------------------------------------------
MASK = np.array([[True, False, True], [False, False, True]])


def test_masked_fill(device):
    check(device, lambda lib, x, m: x.masked_fill(m, 2.0), randn(2, 3), consts=(MASK,))
    check(device, lambda lib, x, m: x.masked_fill(m, 2.0), randn(3), consts=(MASK,))  # mask broadcasts input
    check(device, lambda lib, x, v, m: x.masked_fill(m, v), randn(1, 3), np.float32(-0.5), consts=(MASK,))
    check(device, lambda lib, x, v, m: (x * 1).masked_fill_(m, v), randn(2, 3), np.float32(-0.5), consts=(MASK,))
    check(device, lambda lib, x, m: (x * 1).masked_fill_(m[0], 1.0), randn(2, 3), consts=(MASK,))
    x = rustorch.tensor(randn(3), device=device, requires_grad=True)
    m = rustorch.tensor(MASK[0], device=device)
    assert names(x.masked_fill(m, 1.0)) == ["MaskedFillBackward0"]
    assert names(x.masked_fill(m, rustorch.tensor(1.0, device=device))) == ["MaskedFillBackward1"]


def test_masked_select(device):
    check(device, lambda lib, x, m: x.masked_select(m), randn(2, 3), consts=(MASK,))
    check(device, lambda lib, x, m: lib.masked_select(x, m), randn(3), consts=(MASK,))
    check(device, lambda lib, x, m: x.masked_select(m), randn(2, 1), consts=(MASK,))
    check(device, lambda lib, x, m: x.masked_select(m), randn(2, 3), consts=(np.zeros((2, 3), dtype=bool),))


def test_masked_scatter(device):
    check(device, lambda lib, x, s, m: x.masked_scatter(m, s), randn(2, 3), randn(5), consts=(MASK,))
    check(device, lambda lib, x, s, m: x.masked_scatter(m, s), randn(3), randn(2, 3), consts=(MASK,))
    check(device, lambda lib, x, s, m: (x * 1).masked_scatter_(m[1], s), randn(2, 3), randn(3), consts=(MASK,))
    x = rustorch.tensor(randn(3), device=device, requires_grad=True)
    m = rustorch.tensor(MASK[0], device=device)
    assert names(x.masked_scatter(m, x)) == ["MaskedScatterBackward0"]


# take / take_along_dim --------------------------------------------------------------------
def test_take(device):
    check(device, lambda lib, x, i: lib.take(x, i), randn(3, 4), consts=(np.array([[0, -1], [5, 5]]),))
    check(device, lambda lib, x, i: x.take(i), randn(3, 4), consts=(np.array(7),))
    check(device, lambda lib, x, i: x.take(i), np.float32(1.0), consts=(np.array([0, 0]),))


def test_take_along_dim(device):
    index = np.array([[2, 0, 0], [1, 1, 0]])
    check(device, lambda lib, x, i: lib.take_along_dim(x, i, 1), randn(2, 3), consts=(index,))
    check(device, lambda lib, x, i: lib.take_along_dim(x, i, 0), randn(3, 1), consts=(index,))
    check(device, lambda lib, x, i: lib.take_along_dim(x, i), randn(2, 3), consts=(index,))


# sorting ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dim, descending", [(-1, False), (0, True), (1, True)])
def test_sort(device, dim, descending):
    check(device, lambda lib, x: lib.sort(x, dim, descending=descending).values, distinct(3, 4))
    x = rustorch.tensor(distinct(3, 4), device=device, requires_grad=True)
    values, indices = rustorch.sort(x, dim, descending=descending)
    assert names(values) == ["SortBackward0"] and not indices.requires_grad
    assert not rustorch.argsort(x, dim).requires_grad


def test_sort_0d_and_noncontiguous(device):
    check(device, lambda lib, x: lib.sort(x).values, np.float32(2.0))
    check_noncontiguous(device, lambda x: rustorch.sort(x, 1).values, distinct(3, 4))
    check(device, lambda lib, x: lib.msort(x), distinct(3, 2))


@pytest.mark.parametrize("k, dim, largest", [(2, -1, True), (1, 0, False), (3, 1, False), (0, 1, True)])
def test_topk(device, k, dim, largest):
    check(device, lambda lib, x: lib.topk(x, k, dim, largest=largest).values, distinct(3, 4))
    x = rustorch.tensor(distinct(3, 4), device=device, requires_grad=True)
    values, indices = x.topk(k, dim, largest=largest)
    assert names(values) == ["TopkBackward0"] and not indices.requires_grad and values._base is None


@pytest.mark.parametrize("k, dim, keepdim", [(2, -1, False), (1, 0, True), (3, 0, False)])
def test_kthvalue(device, k, dim, keepdim):
    check(device, lambda lib, x: lib.kthvalue(x, k, dim, keepdim).values, distinct(3, 4))
    x = rustorch.tensor(distinct(3, 4), device=device, requires_grad=True)
    values, indices = x.kthvalue(k, dim, keepdim)
    assert names(values) == ["KthvalueBackward0"] and not indices.requires_grad and values._base is None


def test_kthvalue_0d(device):
    check(device, lambda lib, x: lib.kthvalue(x, 1).values, np.float32(2.0))


# triangles and diagonals ----------------------------------------------------------------
@pytest.mark.parametrize("diagonal", [0, 1, -2])
@pytest.mark.parametrize("op", ["tril", "triu"])
def test_triangles(device, op, diagonal):
    check(device, lambda lib, x: getattr(lib, op)(x, diagonal), randn(2, 3, 4))
    check(device, lambda lib, x: getattr(x * 1, op + "_")(diagonal), randn(4, 3))
    x = rustorch.tensor(randn(3, 3), device=device, requires_grad=True)
    assert names(getattr(x, op)(diagonal)) == [op.capitalize() + "Backward0"]


def test_triangle_noncontiguous(device):
    check_noncontiguous(device, lambda x: rustorch.tril(x, -1), randn(3, 4))


@pytest.mark.parametrize("diagonal", [0, 2, -1])
def test_diag(device, diagonal):
    check(device, lambda lib, x: lib.diag(x, diagonal), randn(3))
    check(device, lambda lib, x: lib.diag(x, diagonal), randn(3, 4))
    x = rustorch.tensor(randn(3), device=device, requires_grad=True)
    assert names(rustorch.diag(x)) == ["DiagEmbedBackward0"]
    assert names(rustorch.diag(x.view(1, 3).detach().requires_grad_())) == ["DiagonalBackward0_copy"]


@pytest.mark.parametrize("offset, dim1, dim2", [(0, -2, -1), (1, 0, 2), (-1, 2, 0)])
def test_diag_embed(device, offset, dim1, dim2):
    check(device, lambda lib, x: lib.diag_embed(x, offset, dim1, dim2), randn(2, 3))


def test_trace(device):
    check(device, lambda lib, x: lib.trace(x), randn(3, 3))
    check(device, lambda lib, x: x.trace(), randn(2, 4))
    check_noncontiguous(device, rustorch.trace, randn(3, 2))


# what is not differentiable, and out= ------------------------------------------------------------
def test_non_differentiable_outputs(device):
    x = rustorch.tensor(distinct(2, 3), device=device, requires_grad=True)
    assert not rustorch.nonzero(x).requires_grad
    assert not rustorch.argwhere(x).requires_grad
    assert not any(t.requires_grad for t in rustorch.where(x > 0))
    assert not rustorch.argsort(x).requires_grad
    with rustorch.no_grad():
        assert not x[[0]].requires_grad and not x.gather(0, rustorch.tensor([[0]], device=device)).requires_grad


@pytest.mark.parametrize("call", [
    lambda x, o, i: rustorch.gather(x, 0, i, out=o),
    lambda x, o, i: rustorch.index_select(x, 0, i, out=o),
    lambda x, o, i: rustorch.scatter_add(x, 0, i, x, out=o),
    lambda x, o, i: rustorch.sort(x, out=(o, rustorch.empty(3, dtype=rustorch.int64))),
    lambda x, o, i: rustorch.msort(x, out=o),
    lambda x, o, i: rustorch.tril(x.view(1, 3), out=o),
    lambda x, o, i: rustorch.where(x > 0, x, x, out=o),
])
def test_out_with_grad_raises(device, call):
    x = rustorch.tensor(randn(3), device=device, requires_grad=True)
    out = rustorch.empty(3, device=device)
    with pytest.raises(AutogradError, match="out=... arguments don't support automatic differentiation"):
        call(x, out, rustorch.tensor([0, 1, 2], device=device))


def test_inplace_on_leaf_raises(device):
    x = rustorch.tensor(randn(3), device=device, requires_grad=True)
    i = rustorch.tensor([0], device=device)
    for call in (lambda: x.scatter_(0, i, 1.0), lambda: x.index_fill_(0, i, 1.0), lambda: x.masked_fill_(x > 0, 1.0),
                 lambda: x.view(1, 3).tril_()):
        with pytest.raises(AutogradError, match="leaf Variable that requires grad"):
            call()


# 0-d, empty and non-contiguous inputs across the family --------------------------------------------
ZERO_D = {
    "scatter": (lambda lib, x, i: x.scatter(0, i, 3.0), np.array(0)),
    "scatter_src": (lambda lib, x, i: x.scatter(0, i, x * 2), np.array(0)),
    "scatter_add": (lambda lib, x, i: x.scatter_add(0, i, x * 2), np.array(0)),
    "scatter_reduce": (lambda lib, x, i: x.scatter_reduce(0, i, x * 2, "prod"), np.array(0)),
    "masked_fill": (lambda lib, x, m: x.masked_fill(m, 1.0), np.array(True)),
    "masked_select": (lambda lib, x, m: x.masked_select(m), np.array(True)),
    "masked_scatter": (lambda lib, x, m: (x * 1).masked_scatter_(m, x * 3), np.array(True)),
    "topk": (lambda lib, x, i: x.topk(1).values, np.array(0)),
    "index_fill": (lambda lib, x, i: x.index_fill(0, i, 1.0), np.array([0])),
    "index_copy": (lambda lib, x, i: x.index_copy(0, i, x * 3), np.array([0])),
    "take_along_dim": (lambda lib, x, i: lib.take_along_dim(x, i), np.array(0)),
    "tril_batch": (lambda lib, x, i: lib.tril(x.expand(2, 2)), np.array(0)),
}


@pytest.mark.parametrize("name", list(ZERO_D))
def test_zero_dim(device, name):
    fn, const = ZERO_D[name]
    check(device, fn, np.float32(1.5), consts=(const,))


def test_empty(device):
    check(device, lambda lib, x, i: x.gather(1, i), randn(2, 3), consts=(np.zeros((2, 0), dtype=np.int64),))
    check(device, lambda lib, x: x.sort().values, randn(0, 3))
    check(device, lambda lib, x, i: x.index_select(0, i), randn(3, 2), consts=(np.zeros(0, dtype=np.int64),))
    check(device, lambda lib, x, i: x.scatter_add(0, i, x[:0]), randn(3, 2), consts=(np.zeros((0, 2), dtype=np.int64),))


NONCONTIGUOUS = {  # name: (fn(x, const), const: an index or mask, as a list)
    "scatter": (lambda x, i: x.scatter(0, i, x[:1] * 2), [[2, 0, 1]]),
    "scatter_reduce": (lambda x, i: x.scatter_reduce(0, i, x[1:2] * 0.5 + 0.013, "amax"), [[2, 0, 2]]),
    "scatter_add_": (lambda x, i: (x * 1).scatter_add_(0, i, x[:1]), [[2, 0, 2]]),
    "index_add": (lambda x, i: x.index_add(1, i, x[:, :2], alpha=2), [1, 1]),
    "index_copy_": (lambda x, i: (x * 1).index_copy_(1, i, x[:, :1]), [2]),
    "index_fill": (lambda x, i: x.index_fill(1, i, 0.5), [0, 2]),
    "masked_fill": (lambda x, m: x.masked_fill(m, 0.5), [True, False, True]),
    "masked_select": (lambda x, m: x.masked_select(m), [True, False, True]),
    "masked_scatter": (lambda x, m: x.masked_scatter(m, x * 2), [True, False, True]),
    "take": (lambda x, i: x.take(i), [0, 4, -1, 4]),
    "take_along_dim": (lambda x, i: rustorch.take_along_dim(x, i, 1), [[0], [2], [1], [1]]),
    "topk": (lambda x, _: x.topk(2, 0).values, None),
    "kthvalue": (lambda x, _: x.kthvalue(2, 1).values, None),
    "diag": (lambda x, _: rustorch.diag(x, 1), None),
    "diag_embed": (lambda x, _: rustorch.diag_embed(x, -1), None),
    "triu_": (lambda x, _: (x * 1).triu_(1), None),
}


@pytest.mark.parametrize("name", list(NONCONTIGUOUS))
def test_noncontiguous(device, name):
    fn, const = NONCONTIGUOUS[name]
    const = None if const is None else rustorch.tensor(const, device=device)
    check_noncontiguous(device, lambda x: fn(x, const), distinct(4, 3))


# more behaviours -------------------------------------------------------------------------------
def test_augmented_assignment_through_index(device):
    def fn(lib, x, v):
        y = x * 1
        y[[0, 2]] += v  # getitem, add_, then setitem (index_put_)
        return y
    check(device, fn, randn(3, 2), randn(2))


def test_inplace_on_view_of_nonleaf(device):
    def fn(lib, x, v, m):
        y = x * 1
        y[:, 1:].masked_fill_(m, v)
        return y
    check(device, fn, randn(2, 3), np.float32(0.5), consts=(np.array([True, False]),))


def test_saved_index_modified_in_place(device):
    x = rustorch.tensor(randn(3), device=device, requires_grad=True)
    index = rustorch.tensor([0, 2], device=device)
    y = x[index]
    index[0] = 1
    with pytest.raises(AutogradError, match="modified by an inplace operation"):
        rustorch.autograd.grad(y, x, rustorch.ones(2, device=device))


def test_complex(device):
    skip_complex_off_cpu(device)
    a = np.array([1 + 2j, -0.5j, 3.0], dtype=np.complex64)
    g = np.array([0.5 - 1j, 2 + 1j], dtype=np.complex64)
    cond = np.array([True, False, True])
    for fn in (lambda lib, x, c, i: lib.where(c, x, 1j)[i], lambda lib, x, c, i: x.gather(0, i).masked_fill(c[:2], 0)):
        rt_x = rustorch.tensor(a, device=device, requires_grad=True)
        th_x = torch.tensor(a, requires_grad=True)
        rt_y = fn(rustorch, rt_x, rustorch.tensor(cond, device=device), rustorch.tensor([2, 1], device=device))
        th_y = fn(torch, th_x, torch.tensor(cond), torch.tensor([2, 1]))
        (rt_g,) = rustorch.autograd.grad(rt_y, rt_x, rustorch.tensor(g, device=device))
        (th_g,) = torch.autograd.grad(th_y, th_x, torch.tensor(g))
        np.testing.assert_allclose(rt_g.tolist(), th_g.tolist())


BUFFER_WRITES = {  # in-place writes of a value requiring grad into a buffer that does not: the buffer gets a history
    "setitem": lambda b, v, i: b.__setitem__(i, v),
    "index_put_": lambda b, v, i: b.index_put_((i,), v, accumulate=True),
    "scatter_": lambda b, v, i: b.scatter_(0, i.view(2, 1).expand(2, 2), v),
    "index_add_": lambda b, v, i: b.index_add_(0, i, v),
    "index_copy_": lambda b, v, i: b.index_copy_(0, i, v),
    "masked_scatter_": lambda b, v, i: b.masked_scatter_(b == 0, v),
    "masked_fill_": lambda b, v, i: b.masked_fill_(b[0] == 0, v[0, 0]),
}


@pytest.mark.parametrize("name", list(BUFFER_WRITES))
def test_write_into_buffer_without_grad(device, name):
    def fn(lib, v, i):
        buffer = lib.zeros(3, 2, dtype=v.dtype, **({"device": device} if lib is rustorch else {}))
        BUFFER_WRITES[name](buffer, v, i)
        assert buffer.requires_grad == (not buffer.is_leaf) == lib.is_grad_enabled()
        return buffer
    check(device, fn, randn(3, 2) if name == "masked_scatter_" else randn(2, 2), consts=(np.array([2, 0]),))
