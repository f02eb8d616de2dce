"""Autograd of reduction.py: every differentiable reduction and scan records torch's node; gradients (and double
backward) by finite differences in float64 and against torch in float32, with torch's rules for ties, NaN, zeros
(prod, cumprod), norms and standard deviations at zero, and no degrees of freedom left (var/std)."""
import math

import numpy as np
import pytest
import torch

import rustorch
from conftest import assert_same, check_grads, gradchecks, skip_complex_off_cpu, to_torch

INF, NAN = math.inf, math.nan

# (id, f(m, x) with m the module (rustorch or torch), input shape, torch's node name of the first output)
CASES = [
    ("sum", lambda m, x: x.sum(), (3, 4), "SumBackward0"),
    ("sum_dim", lambda m, x: x.sum(0), (3, 4), "SumBackward1"),
    ("sum_dims_keepdim", lambda m, x: m.sum(x, (0, -1), keepdim=True), (2, 3, 2), "SumBackward1"),
    ("sum_neg_dim_list", lambda m, x: x.sum([-1]), (3, 4), "SumBackward1"),
    ("sum_empty_dims", lambda m, x: x.sum(()), (3, 4), "SumBackward1"),
    ("sum_dtype", lambda m, x: x.sum(1, dtype=m.float64), (3, 4), "SumBackward1"),
    ("sum_0d", lambda m, x: x.sum(0), (), "SumBackward1"),
    ("nansum", lambda m, x: x.nansum(), (3, 4), "NansumBackward0"),
    ("nansum_dim", lambda m, x: m.nansum(x, 1, keepdim=True), (3, 4), "NansumBackward0"),
    ("prod", lambda m, x: x.prod(), (3, 4), "ProdBackward0"),
    ("prod_dim", lambda m, x: x.prod(1), (3, 4), "ProdBackward1"),
    ("prod_keepdim_dtype", lambda m, x: x.prod(-2, keepdim=True, dtype=m.float64), (3, 4), "ProdBackward1"),
    ("prod_0d", lambda m, x: x.prod(0), (), "ProdBackward1"),
    ("mean", lambda m, x: x.mean(), (3, 4), "MeanBackward0"),
    ("mean_dims", lambda m, x: x.mean((0, 2)), (2, 3, 2), "MeanBackward1"),
    ("mean_keepdim_dtype", lambda m, x: x.mean(1, keepdim=True, dtype=m.float64), (3, 4), "MeanBackward1"),
    ("mean_0d", lambda m, x: x.mean(), (), "MeanBackward0"),
    ("nanmean", lambda m, x: x.nanmean(1), (3, 4), "DivBackward0"),
    ("max", lambda m, x: x.max(), (3, 4), "MaxBackward1"),
    ("max_dim", lambda m, x: x.max(1), (3, 4), "MaxBackward0"),
    ("max_dim_keepdim", lambda m, x: m.max(x, -2, keepdim=True), (3, 4), "MaxBackward0"),
    ("max_0d", lambda m, x: x.max(0), (), "MaxBackward0"),
    ("min", lambda m, x: x.min(), (3, 4), "MinBackward1"),
    ("min_dim", lambda m, x: x.min(0), (3, 4), "MinBackward0"),
    ("amax", lambda m, x: x.amax(), (3, 4), "AmaxBackward0"),
    ("amax_dims", lambda m, x: x.amax((0, 2), keepdim=True), (2, 3, 2), "AmaxBackward0"),
    ("amin_dim", lambda m, x: x.amin(-1), (3, 4), "AminBackward0"),
    ("median", lambda m, x: x.median(), (3, 4), "MedianBackward0"),
    ("median_dim", lambda m, x: x.median(1), (3, 4), "MedianBackward1"),
    ("median_dim_keepdim", lambda m, x: m.median(x, 0, keepdim=True), (3, 4), "MedianBackward1"),
    ("var", lambda m, x: x.var(), (3, 4), "VarBackward0"),
    ("var_dim_biased", lambda m, x: x.var(1, unbiased=False), (3, 4), "VarBackward0"),
    ("var_dims_correction", lambda m, x: m.var(x, (0, 2), correction=2, keepdim=True), (2, 3, 2), "VarBackward0"),
    ("var_0d", lambda m, x: x.var(correction=0), (), "VarBackward0"),
    ("std", lambda m, x: x.std(), (3, 4), "StdBackward0"),
    ("std_dim_keepdim", lambda m, x: x.std(0, keepdim=True, correction=0), (3, 4), "StdBackward0"),
    ("norm", lambda m, x: x.norm(), (3, 4), "LinalgVectorNormBackward0"),
    ("norm_fro_dims", lambda m, x: m.norm(x, "fro", dim=(0, 2)), (2, 3, 2), "LinalgVectorNormBackward0"),
    ("norm_2_dim", lambda m, x: x.norm(2, dim=1, keepdim=True), (3, 4), "LinalgVectorNormBackward0"),
    ("norm_1", lambda m, x: x.norm(1, dim=0), (3, 4), "LinalgVectorNormBackward0"),
    ("norm_inf", lambda m, x: x.norm(INF, dim=1), (3, 4), "LinalgVectorNormBackward0"),
    ("norm_neg_inf", lambda m, x: x.norm(-INF), (3, 4), "LinalgVectorNormBackward0"),
    ("norm_3", lambda m, x: x.norm(3, dim=1), (3, 4), "LinalgVectorNormBackward0"),
    ("norm_1_5", lambda m, x: x.norm(1.5), (3, 4), "LinalgVectorNormBackward0"),
    ("norm_0_5", lambda m, x: x.norm(0.5, dim=0), (3, 4), "LinalgVectorNormBackward0"),
    ("norm_neg_1", lambda m, x: x.norm(-1, dim=1), (3, 4), "LinalgVectorNormBackward0"),
    ("norm_dtype", lambda m, x: m.norm(x, dim=0, dtype=m.float64), (3, 4), "LinalgVectorNormBackward0"),
    ("norm_0d", lambda m, x: x.norm(), (), "LinalgVectorNormBackward0"),
    ("logsumexp", lambda m, x: x.logsumexp(1), (3, 4), "LogsumexpBackward0"),
    ("logsumexp_dims", lambda m, x: m.logsumexp(x, (0, 2), keepdim=True), (2, 3, 2), "LogsumexpBackward0"),
    ("logsumexp_0d", lambda m, x: x.logsumexp(0), (), "LogsumexpBackward0"),
    ("cumsum", lambda m, x: x.cumsum(1), (3, 4), "CumsumBackward0"),
    ("cumsum_neg_dtype", lambda m, x: x.cumsum(-2, dtype=m.float64), (3, 4), "CumsumBackward0"),
    ("cumsum_0d", lambda m, x: x.cumsum(0), (), "CumsumBackward0"),
    ("cumprod", lambda m, x: x.cumprod(0), (3, 4), "CumprodBackward0"),
    ("cumprod_dim", lambda m, x: m.cumprod(x, 1), (2, 4, 2), "CumprodBackward0"),
    ("cumprod_0d", lambda m, x: x.cumprod(0), (), "CumprodBackward0"),
]
IDS = [c[0] for c in CASES]
MATRIX_CASES = [c for c in CASES if len(c[2]) == 2]

# ops with two differentiable outputs (one node): (id, f(m, x), torch's node name)
MULTI = [
    ("aminmax", lambda m, x: m.aminmax(x), "AminmaxBackward0"),
    ("aminmax_dim", lambda m, x: m.aminmax(x, dim=1, keepdim=True), "AminmaxBackward0"),
    ("var_mean", lambda m, x: m.var_mean(x, 1), "VarMeanBackward0"),
    ("var_mean_all", lambda m, x: m.var_mean(x, correction=0), "VarMeanBackward0"),
    ("std_mean", lambda m, x: m.std_mean(x, -1, keepdim=True), "StdMeanBackward0"),
    ("std_mean_all", lambda m, x: m.std_mean(x), "StdMeanBackward0"),
]


def _array(shape, seed=0):
    # values away from 0 and from each other, so that every op is differentiable there
    rng = np.random.default_rng(seed)
    return (rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)).astype(np.float32)


def _first(out):
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("name,f,shape,node", CASES, ids=IDS)
def test_against_torch(name, f, shape, node, device):
    check_grads(lambda x: f(rustorch, x), lambda x: f(torch, x), _array(shape), device=device)


@pytest.mark.parametrize("name,f,shape,node", CASES, ids=IDS)
def test_gradcheck_and_double_backward(name, f, shape, node, device):
    gradchecks(lambda x: f(rustorch, x), _array(shape), device=device)


@pytest.mark.parametrize("name,f,shape,node", CASES, ids=IDS)
def test_node_names_as_torch(name, f, shape, node, device):
    x = rustorch.tensor(_array(shape), device=device, requires_grad=True)
    out = _first(f(rustorch, x))
    expected = _first(f(torch, torch.tensor(_array(shape), requires_grad=True)))
    assert out.grad_fn.name() == node == expected.grad_fn.name()
    # the node takes the input itself: no cast or view in between, as in torch
    assert [type(n).__name__ for n, _ in out.grad_fn.next_functions] == ["AccumulateGrad"] or name == "nanmean"


@pytest.mark.parametrize("name,f,shape,node", MATRIX_CASES, ids=[c[0] for c in MATRIX_CASES])
def test_non_contiguous_inputs(name, f, shape, node, device):
    a = _array((shape[1], shape[0] * 2), seed=1)
    g = lambda m, x: f(m, x.t()[::2])  # noqa: E731  (transposed and sliced)
    check_grads(lambda x: g(rustorch, x), lambda x: g(torch, x), a, device=device)
    gradchecks(lambda x: g(rustorch, x), a, device=device, second_order=False)


def test_no_graph_without_grad(device):
    x = rustorch.tensor(_array((3, 4)), device=device)
    for name, f, shape, node in CASES:
        if shape == (3, 4):
            assert not _first(f(rustorch, x)).requires_grad, name
    x.requires_grad_()
    with rustorch.no_grad():
        for name, f, shape, node in CASES:
            if shape == (3, 4):
                out = _first(f(rustorch, x))
                assert not out.requires_grad and out.grad_fn is None, name


def test_non_differentiable_outputs(device):
    x = rustorch.tensor(_array((3, 4)), device=device, requires_grad=True)
    for result in (x.max(1), x.min(0, keepdim=True), x.median(1)):
        assert result.values.requires_grad and not result.indices.requires_grad
    for out in (x.argmax(), x.argmin(1), rustorch.count_nonzero(x, 0), x.all(), x.any(1), x.sum(1) > 0):
        assert not out.requires_grad and out.grad_fn is None


def test_broadcast_gradients_are_summed_with_sum(device):
    # the engine reduces broadcast gradients with sum(dims, keepdim=True)
    check_grads(lambda a, b: (a * b).mean(0), lambda a, b: (a * b).mean(0), _array((3, 1)), _array((4,), seed=2),
                device=device)
    gradchecks(lambda a, b: (a * b).logsumexp(1), _array((3, 1)), _array((1, 4), seed=2), device=device)


def test_gradient_reaches_a_leaf_in_its_own_memory(device):
    x = rustorch.tensor(_array((3, 4)), device=device, requires_grad=True)
    x.sum().backward()
    assert x.grad.is_contiguous() and x.grad.stride() == (4, 1)
    assert x.grad.tolist() == [[1.0] * 4] * 3


def test_in_place_write_on_a_reduction_result(device):
    # the result is a fresh tensor, not a view of the backend's keepdim buffer: its history survives an in-place op
    check_grads(lambda x: x.sum(0).mul_(2), lambda x: x.sum(0).mul_(2), _array((3, 4)), device=device)
    check_grads(lambda x: x.mean(1).add_(1), lambda x: x.mean(1).add_(1), _array((3, 4)), device=device)


# ties, NaN, zeros --------------------------------------------------------------------------------------------
TIES = np.array([[1.0, 3.0, 3.0, -2.0], [-2.0, 0.5, -2.0, 0.5], [4.0, 4.0, 4.0, 4.0]], np.float32)


@pytest.mark.parametrize("f", [
    lambda m, x: x.max(), lambda m, x: x.min(), lambda m, x: x.amax(1), lambda m, x: x.amin(0),
    lambda m, x: x.amax(), lambda m, x: m.aminmax(x, dim=1), lambda m, x: x.median(), lambda m, x: x.norm(INF, dim=1),
    lambda m, x: x.norm(-INF), lambda m, x: x.max(1), lambda m, x: x.min(0),
], ids=["max", "min", "amax_dim", "amin_dim", "amax", "aminmax", "median", "norm_inf", "norm_neg_inf", "max_dim",
        "min_dim"])
def test_ties_share_the_gradient_as_torch(f, device):
    check_grads(lambda x: f(rustorch, x), lambda x: f(torch, x), TIES, device=device)


def test_ties_evenly_distributed(device):
    x = rustorch.tensor([1.0, 3.0, 3.0, 2.0], device=device, requires_grad=True)
    (g,) = rustorch.autograd.grad(x.max(), x)
    assert g.tolist() == [0.0, 0.5, 0.5, 0.0]
    (g,) = rustorch.autograd.grad(x.max(0).values, x)  # the dim form: only the reported index
    assert g.tolist() == [0.0, 1.0, 0.0, 0.0]


@pytest.mark.parametrize("f", [
    lambda m, x: x.max(), lambda m, x: x.min(), lambda m, x: x.nansum(), lambda m, x: m.nansum(x, 1),
    lambda m, x: x.nanmean(0), lambda m, x: x.amax(1), lambda m, x: x.median(), lambda m, x: x.max(1),
    lambda m, x: x.norm(INF, dim=1), lambda m, x: x.sum(1), lambda m, x: x.logsumexp(1),
], ids=["max", "min", "nansum", "nansum_dim", "nanmean", "amax", "median", "max_dim", "norm_inf", "sum", "logsumexp"])
def test_nan_as_torch(f, device):
    a = np.array([[1.0, NAN, 3.0, NAN], [0.5, 2.0, -1.0, 2.0]], np.float32)
    check_grads(lambda x: f(rustorch, x), lambda x: f(torch, x), a, device=device)


ZEROS = {
    "one": np.array([[2.0, 0.0, 3.0, 0.5], [1.5, -2.0, 0.5, 3.0], [0.0, 1.0, -1.0, 2.0]], np.float32),
    "two": np.array([[2.0, 0.0, 3.0, 0.0], [1.5, -2.0, 0.5, 3.0], [0.0, 1.0, 0.0, 2.0]], np.float32),
    "many": np.array([[0.0, 0.0, 0.0, 1.0], [0.0, 2.0, 0.0, 0.0], [3.0, 0.0, 1.0, 0.0]], np.float32),
}


@pytest.mark.parametrize("zeros", ZEROS, ids=list(ZEROS))
@pytest.mark.parametrize("f", [
    lambda m, x: x.prod(), lambda m, x: x.prod(1), lambda m, x: x.prod(0, keepdim=True), lambda m, x: x.cumprod(1),
    lambda m, x: x.cumprod(0), lambda m, x: x[0].prod(), lambda m, x: x[1:].prod(),
], ids=["prod", "prod_dim", "prod_dim0", "cumprod", "cumprod_dim0", "prod_row", "prod_rows"])
def test_zeros_in_products(f, zeros, device):
    # first derivatives take torch's fast paths; double backward the exactly differentiable ones
    check_grads(lambda x: f(rustorch, x), lambda x: f(torch, x), ZEROS[zeros], device=device)
    gradchecks(lambda x: f(rustorch, x), ZEROS[zeros], device=device)


def test_cumprod_zeros_first_derivative_values(device):
    x = rustorch.tensor([2.0, 0.0, 3.0, 0.0, 5.0], device=device, requires_grad=True)
    (g,) = rustorch.autograd.grad(x.cumprod(0), x, rustorch.ones(5, device=device))
    assert g.tolist() == [1.0, 8.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("f", [
    lambda m, x: x.norm(), lambda m, x: x.norm(dim=1), lambda m, x: x.norm(3, dim=1), lambda m, x: x.norm(1.5, dim=1),
    lambda m, x: x.norm(0.5, dim=1), lambda m, x: x.norm(1, dim=1), lambda m, x: x.norm(0), lambda m, x: x.std(1),
    lambda m, x: m.std_mean(x, 1), lambda m, x: x.var(1),
], ids=["norm", "norm_dim", "norm_3", "norm_1_5", "norm_0_5", "norm_1", "norm_0", "std", "std_mean", "var"])
def test_norms_and_std_at_zero_as_torch(f, device):
    # row 0 is all zeros (norm 0), row 1 holds a zero, row 2 is constant (std 0)
    a = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, -1.0], [1.5, 1.5, 1.5]], np.float32)
    check_grads(lambda x: f(rustorch, x), lambda x: f(torch, x), a, device=device)


def test_norm_2_subgradient_is_zero_at_zero(device):
    x = rustorch.zeros(3, device=device, requires_grad=True)
    (g,) = rustorch.autograd.grad(x.norm(), x)
    assert g.tolist() == [0.0, 0.0, 0.0]


def test_norm_0_has_no_gradient(device):
    x = rustorch.tensor(_array((3,)), device=device, requires_grad=True)
    x.norm(0).backward()
    assert x.grad is None


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("f", [
    lambda m, x: x.var(correction=4), lambda m, x: x[0].var(correction=4), lambda m, x: x.var(1, correction=4),
    lambda m, x: x.var(1, correction=5), lambda m, x: x.std(1, correction=4), lambda m, x: x[:, :1].var(1),
    lambda m, x: m.var_mean(x, 1, correction=6), lambda m, x: x.std(correction=12),
], ids=["all", "row", "dim_dof0", "dim_dof_negative", "std_dof0", "one_element", "var_mean", "std_all"])
def test_no_degrees_of_freedom_as_torch(f, device):
    a = np.array([[1.0, 2.0, 2.0, 4.0], [3.0, 3.0, 3.0, 3.0], [0.5, -1.0, 2.0, 1.0]], np.float32)
    check_grads(lambda x: f(rustorch, x), lambda x: f(torch, x), a, device=device)


# multiple outputs ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", [0, 1, None], ids=["first", "second", "both"])
@pytest.mark.parametrize("name,f,node", MULTI, ids=[c[0] for c in MULTI])
def test_multi_output_against_torch(name, f, node, which, device):
    g = lambda m, x: f(m, x) if which is None else f(m, x)[which]  # noqa: E731  (the other output gets no gradient)
    check_grads(lambda x: g(rustorch, x), lambda x: g(torch, x), _array((3, 4)), device=device)
    gradchecks(lambda x: g(rustorch, x), _array((3, 4)), device=device)
    noncontiguous = lambda m, x: g(m, x.t()[::2])  # noqa: E731
    check_grads(lambda x: noncontiguous(rustorch, x), lambda x: noncontiguous(torch, x), _array((4, 6), seed=1),
                device=device)


@pytest.mark.parametrize("name,f,node", MULTI, ids=[c[0] for c in MULTI])
def test_multi_output_node(name, f, node, device):
    x = rustorch.tensor(_array((3, 4)), device=device, requires_grad=True)
    first, second = f(rustorch, x)
    assert first.grad_fn is second.grad_fn and first.grad_fn.name() == node
    assert (first.output_nr, second.output_nr) == (0, 1)
    assert f(torch, torch.tensor(_array((3, 4)), requires_grad=True))[0].grad_fn.name() == node


def test_both_outputs_as_roots(device):
    x = rustorch.tensor(_array((3, 4)), device=device, requires_grad=True)
    v, m = rustorch.var_mean(x, 1)
    (g,) = rustorch.autograd.grad([v, m], x, [rustorch.ones(3, device=device)] * 2)
    t = torch.tensor(_array((3, 4)), requires_grad=True)
    tv, tm = torch.var_mean(t, 1)
    assert_same(g, torch.autograd.grad([tv, tm], t, [torch.ones(3)] * 2)[0])


# complex ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("f", [
    lambda m, x: x.sum(1), lambda m, x: x.mean(), lambda m, x: x.prod(1), lambda m, x: x.prod(),
    lambda m, x: x.var(1), lambda m, x: x.std(), lambda m, x: m.var_mean(x, 0)[0], lambda m, x: x.norm(),
    lambda m, x: x.norm(1, dim=1), lambda m, x: x.norm(3), lambda m, x: x.norm(INF, dim=0), lambda m, x: x.norm(0.5),
    lambda m, x: x.logsumexp(1), lambda m, x: x.cumsum(1), lambda m, x: x.cumprod(1),
    lambda m, x: (x * m.tensor([1.0, 0.0, 1.0, 1.0])).cumprod(1),
    lambda m, x: (x * m.tensor([1.0, 0.0, 1.0, 1.0])).prod(1),
], ids=["sum", "mean", "prod", "prod_all", "var", "std", "var_mean", "norm", "norm_1", "norm_3", "norm_inf", "norm_0_5",
        "logsumexp", "cumsum", "cumprod", "cumprod_zero", "prod_zero"])
def test_complex_as_torch(f, device):
    skip_complex_off_cpu(device)
    rng = np.random.default_rng(3)
    a = (rng.uniform(0.5, 1.5, (3, 4)) * np.exp(2j * np.pi * rng.uniform(size=(3, 4)))).astype(np.complex64)
    x = rustorch.tensor(a, device=device, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    out, expected = f(rustorch, x), f(torch, t)
    assert_same(out, expected, rtol=1e-4, atol=1e-5)
    g = rng.standard_normal(tuple(expected.shape)).astype(np.complex64 if expected.is_complex() else np.float32)
    if expected.is_complex():
        g = g + 1j * rng.standard_normal(tuple(expected.shape)).astype(np.float32)
    (grad,) = rustorch.autograd.grad(out, x, rustorch.tensor(g, device=device))
    (expected_grad,) = torch.autograd.grad(expected, t, torch.tensor(g))
    assert_same(grad, expected_grad, rtol=1e-4, atol=1e-5)


# empty tensors ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("f", [
    lambda m, x: x.sum(), lambda m, x: x.sum(0), lambda m, x: x.sum(1), lambda m, x: x.mean(0), lambda m, x: x.prod(),
    lambda m, x: x.prod(1), lambda m, x: x.amax(1), lambda m, x: x.max(1), lambda m, x: x.norm(dim=0),
    lambda m, x: x.logsumexp(1), lambda m, x: x.cumsum(0), lambda m, x: x.cumprod(1), lambda m, x: x.var(1),
    lambda m, x: x.median(),
], ids=["sum", "sum0", "sum1", "mean0", "prod", "prod1", "amax", "max_dim", "norm", "logsumexp", "cumsum", "cumprod",
        "var", "median"])
@pytest.mark.filterwarnings("ignore::UserWarning")  # torch: var() with no degrees of freedom
def test_empty_as_torch(f, device):
    check_grads(lambda x: f(rustorch, x), lambda x: f(torch, x), np.zeros((0, 3), np.float32), device=device)


# in place and out= -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["cumsum_", "cumprod_"])
def test_in_place_scans_on_a_non_leaf(op, device):
    a = ZEROS["one"]
    f = lambda x: getattr(x * 2, op)(1)  # noqa: E731
    check_grads(f, f, a, device=device)
    gradchecks(f, a, device=device)
    y = rustorch.tensor(a, device=device, requires_grad=True) * 2
    assert getattr(y, op)(0) is y and y.grad_fn.name() == ("CumsumBackward0" if op == "cumsum_" else "CumprodBackward0")


@pytest.mark.parametrize("op", ["cumsum_", "cumprod_"])
def test_in_place_scans_through_a_view(op, device):
    def f(x):
        y = x * 1
        getattr(y[1:], op)(0)
        return y

    check_grads(f, f, _array((3, 4)), device=device)


@pytest.mark.parametrize("op", ["cumsum_", "cumprod_"])
def test_in_place_scan_on_a_leaf_is_an_error(op, device):
    x = rustorch.tensor(_array((3,)), device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        getattr(x, op)(0)


def test_cumprod_saves_its_input_and_result(device):
    x = rustorch.tensor(_array((3,)), device=device, requires_grad=True)
    y = x * 1
    z = y.cumprod(0)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


@pytest.mark.parametrize("f", [
    lambda x, out: rustorch.sum(x, 0, out=out), lambda x, out: rustorch.mean(x, out=out),
    lambda x, out: rustorch.prod(x, 0, out=out), lambda x, out: rustorch.amax(x, 0, out=out),
    lambda x, out: rustorch.max(x, 0, out=(out, rustorch.empty(0, dtype=rustorch.int64, device=out.device))),
    lambda x, out: rustorch.cumsum(x, 0, out=out), lambda x, out: rustorch.norm(x, out=out),
    lambda x, out: rustorch.logsumexp(x, 0, out=out), lambda x, out: rustorch.var(x, 0, out=out),
    lambda x, out: rustorch.nanmean(x, 0, out=out),
], ids=["sum", "mean", "prod", "amax", "max", "cumsum", "norm", "logsumexp", "var", "nanmean"])
def test_out_with_grad_is_an_error(f, device):
    x = rustorch.tensor(_array((3, 4)), device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
        f(x, rustorch.empty(0, device=device))
    with rustorch.no_grad():
        out = rustorch.empty(0, device=device)
        assert f(x, out) is out or f(x, out)[0] is out
    assert not out.requires_grad


def test_double_backward_of_prod_with_one_zero_matches_torch(device):
    a = ZEROS["one"][0]
    x = rustorch.tensor(a, device=device, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    (g,) = rustorch.autograd.grad(x.prod(), x, create_graph=True)
    (tg,) = torch.autograd.grad(t.prod(), t, create_graph=True)
    (gg,) = rustorch.autograd.grad((g * g).sum(), x)
    (tgg,) = torch.autograd.grad((tg * tg).sum(), t)
    assert_same(gg, tgg)
    assert to_torch(g).abs().sum().item() > 0  # the zero gets a non-zero gradient
