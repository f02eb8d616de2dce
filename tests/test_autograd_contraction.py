"""Backward of the contractions: matmul and its relatives, the addmm-style fused forms, tensordot, kron, einsum."""
import numpy as np
import pytest
import torch

import rustorch
from conftest import assert_same, check_grads, gradchecks, skip_complex_off_cpu, to_torch


def arrays(*shapes, seed=0):
    """float32 arrays (check_grads compares in float32; gradchecks makes float64 of them)."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def complex_leaves(shapes, device, seed=0):
    """The same complex128 leaves in rustorch and torch."""
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(s) + 1j * rng.standard_normal(s) for s in shapes]
    return ([rustorch.tensor(v, device=device, requires_grad=True) for v in values],
            [torch.tensor(v, requires_grad=True) for v in values])


def check_complex_grads(rt_fn, torch_fn, shapes, device):
    """Outputs and input gradients of complex128 ``rt_fn`` against torch's for one random complex grad_output."""
    skip_complex_off_cpu(device)
    rt_in, th_in = complex_leaves(shapes, device)
    rt_out, th_out = rt_fn(*rt_in), torch_fn(*th_in)
    assert_same(rt_out, th_out)
    rng = np.random.default_rng(1)
    g = rng.standard_normal(tuple(th_out.shape)) + 1j * rng.standard_normal(tuple(th_out.shape))
    rt_grads = rustorch.autograd.grad(rt_out, rt_in, rustorch.tensor(g, device=device))
    th_grads = torch.autograd.grad(th_out, th_in, torch.tensor(g))
    for r, t in zip(rt_grads, th_grads):
        assert_same(r, t)


# matmul: every rank combination ------------------------------------------------------------
MATMUL_SHAPES = [
    ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2)), ((1, 2, 3), (4, 3, 2)), ((3,), (5, 3, 4)), ((5, 2, 3), (3,)),
    ((2, 1, 2, 3), (3,)), ((0, 3), (3, 4)), ((2, 0), (0, 4)), ((3,), (3, 0)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_against_torch(sa, sb, device):
    check_grads(rustorch.matmul, torch.matmul, *arrays(sa, sb), device=device)


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES[:12])
def test_matmul_gradchecks(sa, sb, device):
    gradchecks(rustorch.matmul, *arrays(sa, sb), device=device)


@pytest.mark.parametrize("sa,sb", [((4, 3), (3, 5)), ((2, 4, 3), (3, 5)), ((3,), (2, 3, 5))])
def test_matmul_only_one_operand_needs_grad(sa, sb, device):
    a, b = (rustorch.tensor(x, device=device) for x in arrays(sa, sb))
    ta, tb = to_torch(a), to_torch(b)
    for rt_args, th_args, i in (((a.requires_grad_(), b), (ta.requires_grad_(), tb), 0),
                                ((a.detach(), b.requires_grad_()), (ta.detach(), tb.requires_grad_()), 1)):
        (g,) = rustorch.autograd.grad(rustorch.matmul(*rt_args).sum(), rt_args[i])
        (tg,) = torch.autograd.grad(torch.matmul(*th_args).sum(), th_args[i])
        assert_same(g, tg)


def test_matmul_non_contiguous_inputs(device):
    # transposed and sliced operands (the backward reads them as strided views)
    def fn(a, b):
        return rustorch.matmul(a.transpose(-1, -2), b[:, ::2])

    def th_fn(a, b):
        return torch.matmul(a.transpose(-1, -2), b[:, ::2])

    a, b = arrays((2, 4, 3), (4, 6))
    check_grads(fn, th_fn, a, b, device=device)
    gradchecks(fn, a, b, device=device)


def test_matmul_operator_and_node_names(device):
    names = {((3,), (3,)): "DotBackward0", ((2, 3), (3,)): "MvBackward0", ((2, 3), (3, 4)): "MmBackward0",
             ((5, 2, 3), (3, 4)): "MmBackward0", ((5, 2, 3), (5, 3, 4)): "BmmBackward0"}
    for (sa, sb), name in names.items():
        a = rustorch.ones(*sa, device=device, requires_grad=True)
        b = rustorch.ones(*sb, device=device)
        y = a @ b
        assert y.requires_grad and y.grad_fn.name() == name
        assert y._base is None  # the result owns its memory, as torch's
    a = rustorch.ones(2, 3, device=device, requires_grad=True)
    for fn, name in ((rustorch.mm, "MmBackward0"), (rustorch.bmm, "BmmBackward0")):
        x = a if fn is rustorch.mm else a[None]
        w = rustorch.ones(3, 2, device=device) if fn is rustorch.mm else rustorch.ones(1, 3, 2, device=device)
        assert fn(x, w).grad_fn.name() == name


def test_matmul_complex(device):
    for sa, sb in (((3,), (3,)), ((2, 3), (3, 4)), ((5, 2, 3), (3,)), ((2, 3), (4, 3, 2)), ((3,), (4, 3, 2))):
        check_complex_grads(rustorch.matmul, torch.matmul, (sa, sb), device)


def test_matmul_double_backward_against_torch(device):
    a, b = arrays((2, 3), (3, 4))
    ra, rb = (rustorch.tensor(x, device=device, requires_grad=True) for x in (a, b))
    ta, tb = (torch.tensor(x, requires_grad=True) for x in (a, b))
    (rg,) = rustorch.autograd.grad((ra @ rb).pow(2).sum(), ra, create_graph=True)
    (tg,) = torch.autograd.grad((ta @ tb).pow(2).sum(), ta, create_graph=True)
    assert rg.requires_grad
    assert_same(rustorch.autograd.grad(rg.sum(), rb)[0], torch.autograd.grad(tg.sum(), tb)[0])


# mm, bmm, mv, dot, vdot, inner, outer, chain_matmul -------------------------------------------------
def _torch_chain_matmul(*matrices):
    # torch.chain_matmul without its deprecation warning, which torch gives once per process (test_contraction expects it)
    return torch.linalg.multi_dot(matrices) if len(matrices) > 1 else matrices[0].clone()


CASES = [
    ("mm", lambda m: m.mm, [(2, 3), (3, 4)]),
    ("bmm", lambda m: m.bmm, [(2, 2, 3), (2, 3, 4)]),
    ("mv", lambda m: m.mv, [(2, 3), (3,)]),
    ("dot", lambda m: m.dot, [(4,), (4,)]),
    ("vdot", lambda m: m.vdot, [(4,), (4,)]),
    ("inner", lambda m: m.inner, [(2, 3), (4, 3)]),
    ("inner_3d", lambda m: m.inner, [(2, 1, 3), (4, 3)]),
    ("inner_0d", lambda m: m.inner, [(), (2, 3)]),
    ("outer", lambda m: m.outer, [(3,), (4,)]),
    ("ger", lambda m: m.ger, [(3,), (2,)]),
    ("chain_matmul_1", lambda m: m.chain_matmul if m is rustorch else _torch_chain_matmul, [(2, 3)]),
    ("chain_matmul_3", lambda m: m.chain_matmul if m is rustorch else _torch_chain_matmul, [(2, 3), (3, 4), (4, 2)]),
    ("tensordot_int", lambda m: lambda a, b: m.tensordot(a, b, dims=2), [(3, 2, 4), (2, 4, 5)]),
    ("tensordot_0", lambda m: lambda a, b: m.tensordot(a, b, dims=0), [(2,), (3,)]),
    ("tensordot_lists", lambda m: lambda a, b: m.tensordot(a, b, ([0, 2], [2, 0])), [(4, 3, 2), (2, 5, 4)]),
    ("kron_2d", lambda m: m.kron, [(2, 3), (3, 2)]),
    ("kron_ranks", lambda m: m.kron, [(2,), (2, 3, 2)]),
    ("kron_0d", lambda m: m.kron, [(), (2, 3)]),
]


@pytest.mark.parametrize("name,get,shapes", CASES, ids=[c[0] for c in CASES])
def test_products_against_torch(name, get, shapes, device):
    check_grads(get(rustorch), get(torch), *arrays(*shapes), device=device)


@pytest.mark.parametrize("name,get,shapes", CASES, ids=[c[0] for c in CASES])
def test_products_gradchecks(name, get, shapes, device):
    gradchecks(get(rustorch), *arrays(*shapes), device=device)


@pytest.mark.parametrize("name", ["mm", "bmm", "mv", "dot", "vdot", "inner", "outer"])
def test_products_complex(name, device):
    get, shapes = next((g, s) for n, g, s in CASES if n == name)
    check_complex_grads(get(rustorch), get(torch), shapes, device)


def test_product_node_names(device):
    a = rustorch.ones(3, device=device, requires_grad=True)
    m = rustorch.ones(2, 3, device=device, requires_grad=True)
    assert rustorch.mv(m, a).grad_fn.name() == "MvBackward0"
    assert rustorch.dot(a, a).grad_fn.name() == "DotBackward0"
    assert rustorch.vdot(a, a).grad_fn.name() == "VdotBackward0"
    assert rustorch.outer(a, a).grad_fn.name() == "MulBackward0"
    assert rustorch.tensordot(m, m, ([1], [1])).grad_fn.name() == "ViewBackward0"


# fused forms and their in-place variants ------------------------------------------------------
FUSED = [
    ("addmm", [(2, 3), (2, 4), (4, 3)]),
    ("addmm", [(3,), (2, 4), (4, 3)]),
    ("addmv", [(2,), (2, 3), (3,)]),
    ("addmv", [(1,), (2, 3), (3,)]),
    ("baddbmm", [(2, 2, 3), (2, 2, 4), (2, 4, 3)]),
    ("baddbmm", [(1, 3), (2, 2, 4), (2, 4, 3)]),
    ("addbmm", [(2, 3), (5, 2, 4), (5, 4, 3)]),
    ("addbmm", [(), (5, 2, 4), (5, 4, 3)]),
]
SCALES = [(1, 1), (0.5, 2.0), (0, 3.0), (2, 0)]


@pytest.mark.parametrize("op,shapes", FUSED)
@pytest.mark.parametrize("beta,alpha", SCALES)
def test_fused_against_torch(op, shapes, beta, alpha, device):
    def fn(m):
        return lambda x, a, b: getattr(m, op)(x, a, b, beta=beta, alpha=alpha)

    check_grads(fn(rustorch), fn(torch), *arrays(*shapes), device=device)


@pytest.mark.parametrize("op,shapes", FUSED[::2])
def test_fused_gradchecks(op, shapes, device):
    gradchecks(lambda x, a, b: getattr(rustorch, op)(x, a, b, beta=0.5, alpha=-2.0), *arrays(*shapes), device=device)


@pytest.mark.parametrize("op,shapes", FUSED[::2])
def test_fused_node_names_and_complex(op, shapes, device):
    x, a, b = (rustorch.ones(*s, device=device, requires_grad=True) for s in shapes)
    assert getattr(rustorch, op)(x, a, b).grad_fn.name() == op.capitalize() + "Backward0"

    def fn(m):
        return lambda x, a, b: getattr(m, op)(x, a, b, beta=0.5 - 1j, alpha=2 + 0.5j)

    check_complex_grads(fn(rustorch), fn(torch), shapes, device)


@pytest.mark.parametrize("op,shapes", FUSED[::2])
def test_fused_in_place_on_non_leaf(op, shapes, device):
    def fn(m):
        def f(x, a, b):
            y = x * 1.0
            out = getattr(y, op + "_")(a, b, beta=0.5, alpha=2.0)
            assert out is y
            return y
        return f

    check_grads(fn(rustorch), fn(torch), *arrays(*shapes), device=device)
    gradchecks(fn(rustorch), *arrays(*shapes), device=device)
    x, a, b = (rustorch.ones(*s, device=device, requires_grad=True) for s in shapes)
    y = x * 1.0
    getattr(y, op + "_")(a, b)
    assert y.grad_fn.name() == op.capitalize() + "Backward0"


def test_fused_in_place_through_a_view(device):
    # writing into a view of a non-leaf rebases the base's history (CopySlices)
    def fn(m):
        def f(x, a, b):
            y = x * 1.0
            y[1:].addmm_(a, b, alpha=2.0)
            return y
        return f

    args = arrays((3, 4), (2, 5), (5, 4))
    check_grads(fn(rustorch), fn(torch), *args, device=device)
    gradchecks(fn(rustorch), *args, device=device)


def test_fused_in_place_errors(device):
    x = rustorch.ones(2, 3, device=device, requires_grad=True)
    a, b = rustorch.ones(2, 4, device=device), rustorch.ones(4, 3, device=device)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.addmm_(a, b)
    with pytest.raises(rustorch.ShapeError):
        (x * 1).addmm_(rustorch.ones(1, 4, device=device), b)  # result (1, 3) is not self's shape
    with rustorch.no_grad():
        x.addmm_(a, b)  # allowed without grad mode
    assert x.tolist() == [[5.0] * 3] * 2 and x.grad_fn is None


# einsum --------------------------------------------------------------------------------------
EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iji->j", [(3, 2, 3)]),
    ("iii->i", [(2, 2, 2)]),
    ("ii,i->i", [(3, 3), (3,)]),
    ("i,i->", [(3,), (3,)]),
    ("i,i->", [(3,), (1,)]),
    ("ij,ij->ij", [(1, 3), (2, 3)]),
    ("i,j->ij", [(3,), (2,)]),
    ("ij,kl->ik", [(2, 3), (4, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 4)]),
    ("...ij,...jk->...ik", [(5, 1, 2, 3), (4, 3, 2)]),
    ("i...->...", [(2, 3, 4)]),
    ("...,...->...", [(2, 3), (3,)]),
    (",i->i", [(), (3,)]),
    ("ij,j->i", [(0, 3), (3,)]),
]


def _einsum_fn(m, eq):
    return lambda *ops: m.einsum(eq, *ops)


@pytest.mark.parametrize("eq,shapes", EINSUM)
def test_einsum_against_torch(eq, shapes, device):
    check_grads(_einsum_fn(rustorch, eq), _einsum_fn(torch, eq), *arrays(*shapes), device=device)


@pytest.mark.parametrize("eq,shapes", EINSUM[::2] + [EINSUM[9]])
def test_einsum_gradchecks(eq, shapes, device):
    gradchecks(_einsum_fn(rustorch, eq), *arrays(*shapes), device=device)


def test_einsum_sublist_form_and_list_of_operands(device):
    def sublist(m):
        return lambda a, b: m.einsum(a, [0, 1, Ellipsis], b, [1, 2], [Ellipsis, 0, 2])

    args = arrays((2, 3, 5), (3, 4))
    check_grads(sublist(rustorch), sublist(torch), *args, device=device)
    gradchecks(sublist(rustorch), *args, device=device)
    check_grads(lambda a, b: rustorch.einsum("ij,jk->ik", [a, b]), lambda a, b: torch.einsum("ij,jk->ik", [a, b]),
                *arrays((2, 3), (3, 4)), device=device)


def test_einsum_non_contiguous_and_one_operand_without_grad(device):
    a, b = arrays((3, 2), (4, 2))
    ra = rustorch.tensor(a, device=device, requires_grad=True)
    rb = rustorch.tensor(b, device=device)
    y = rustorch.einsum("ji,kj->ik", ra.t()[:, ::1], rb)
    assert y.grad_fn.name() == "EinsumBackward0"
    (g,) = rustorch.autograd.grad(y.sum(), ra)
    ta = torch.tensor(a, requires_grad=True)
    (tg,) = torch.autograd.grad(torch.einsum("ji,kj->ik", ta.t(), torch.tensor(b)).sum(), ta)
    assert_same(g, tg)
    gradchecks(lambda x, w: rustorch.einsum("ii,ij->j", x.t(), w[:, 1:]), *arrays((3, 3), (3, 4)), device=device)


@pytest.mark.parametrize("eq,shapes", [("ij,jk->ik", [(2, 3), (3, 4)]), ("ii,i->i", [(3, 3), (3,)]),
                                       ("ij->", [(2, 3)]), ("...i,i->...", [(2, 3), (3,)])])
def test_einsum_complex(eq, shapes, device):
    check_complex_grads(_einsum_fn(rustorch, eq), _einsum_fn(torch, eq), shapes, device)


# what is not recorded --------------------------------------------------------------------------
def test_out_is_not_differentiable(device):
    a = rustorch.ones(2, 3, device=device, requires_grad=True)
    b = rustorch.ones(3, 2, device=device)
    for call in (lambda o: rustorch.matmul(a, b, out=o), lambda o: rustorch.mm(a, b, out=o),
                 lambda o: rustorch.addmm(rustorch.zeros(2, 2, device=device), a, b, out=o),
                 lambda o: rustorch.tensordot(a, b, 1, out=o), lambda o: rustorch.kron(a, b, out=o),
                 lambda o: rustorch.outer(a[0], b[0], out=o)):
        out = rustorch.empty(0, device=device)
        with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
            call(out)
    with rustorch.no_grad():
        out = rustorch.empty(0, device=device)
        rustorch.kron(a, b, out=out)
        assert out.shape == (6, 6) and not out.requires_grad  # out takes the result's shape


def test_nothing_recorded_without_grad(device):
    a = rustorch.ones(2, 3, device=device, requires_grad=True)
    b = rustorch.ones(3, 2, device=device)
    assert not (b.t() @ b).requires_grad
    assert not rustorch.einsum("ij,kj", b, b).requires_grad
    i = rustorch.ones(2, 3, dtype=rustorch.int64, device=device)
    assert not (i @ i.t()).requires_grad
    with rustorch.no_grad():
        for y in (a @ b, rustorch.addmm(rustorch.zeros(2, 2, device=device), a, b), rustorch.einsum("ij,jk", a, b),
                  rustorch.vdot(a[0], a[1]), rustorch.tensordot(a, b, 1)):
            assert not y.requires_grad and y.grad_fn is None


def test_saved_operands_are_version_checked(device):
    a = rustorch.ones(2, 3, device=device, requires_grad=True)
    b = rustorch.ones(3, 2, device=device)
    y = a @ b
    b.add_(1)  # b is saved for a's gradient
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    h = a * 1.0
    y = h @ b
    h.add_(1)  # h itself is not needed: b needs no gradient (torch saves only what it needs, too)
    y.sum().backward()
    assert a.grad.tolist() == [[4.0, 4.0, 4.0]] * 2
    h = a * 1.0
    y = rustorch.einsum("ij,jk->ik", h, b)
    h.add_(1)  # likewise for einsum
    y.sum().backward()
    assert a.grad.tolist() == [[8.0, 8.0, 8.0]] * 2
    y = rustorch.einsum("ij,jk->ik", a, b)
    b.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_gradients_of_a_matmul_chain_accumulate(device):
    # an MLP-like chain: x @ w1 + b1 -> relu -> @ w2, gradients against torch
    def fn(m):
        def f(x, w1, b1, w2):
            return m.relu(x @ w1 + b1) @ w2
        return f

    check_grads(fn(rustorch), fn(torch), *arrays((8, 5), (5, 6), (6,), (6, 3)), device=device)
