"""The autograd engine, grad modes, leaf semantics, hooks, in-place safety, Function, functional, gradcheck."""
import weakref

import numpy as np
import pytest
import torch

import rustorch
from rustorch.autograd import Function, gradcheck
from conftest import assert_same


def leaf(values, device="cpu", dtype=rustorch.float32):
    return rustorch.tensor(values, dtype=dtype, device=device, requires_grad=True)


# backward and grad -------------------------------------------------------------------
def test_backward_accumulates_into_leaves(device):
    x = leaf([1.0, 2.0, 3.0], device)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0, 9.0]
    assert x.grad.grad_fn is None and not x.grad.requires_grad


def test_a_tensor_used_many_times_gets_the_sum(device):
    x = leaf([2.0], device)
    y = x * x * x + x * 4 - x
    y.backward()
    assert x.grad.tolist() == [3 * 4.0 + 4 - 1]


def test_grad_returns_without_accumulating(device):
    x = leaf([1.0, 2.0], device)
    (g,) = rustorch.autograd.grad((x ** 3).sum(), x)
    assert g.tolist() == [3.0, 12.0]
    assert x.grad is None


def test_grad_with_several_inputs_and_outputs():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    a, b = x * y, x + y
    gx, gy = rustorch.autograd.grad([a, b], [x, y], [rustorch.ones(2), rustorch.full((2,), 2.0)])
    assert gx.tolist() == [3 + 2, 4 + 2] and gy.tolist() == [1 + 2, 2 + 2]


def test_grad_allow_unused_and_materialize():
    x, unused = leaf([1.0]), leaf([5.0])
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        rustorch.autograd.grad(x * 2, [x, unused], rustorch.ones(1))
    gx, gu = rustorch.autograd.grad(x * 2, [x, unused], rustorch.ones(1), allow_unused=True)
    assert gx.tolist() == [2.0] and gu is None
    _, gu = rustorch.autograd.grad(x * 2, [x, unused], rustorch.ones(1), materialize_grads=True)
    assert gu.tolist() == [0.0]


def test_grad_of_a_non_leaf_input():
    x = leaf([1.0, 2.0])
    h = x * 3
    (gh,) = rustorch.autograd.grad((h * h).sum(), h)
    assert gh.tolist() == [6.0, 12.0]


def test_backward_inputs_restricts_accumulation():
    x, y = leaf([1.0]), leaf([2.0])
    (x * y).backward(inputs=[x])
    assert x.grad.tolist() == [2.0] and y.grad is None


def test_backward_needs_scalar_or_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(rustorch.ShapeError, match="Mismatch in shape"):
        (x * 2).backward(rustorch.ones(3))
    (x * 2).backward(rustorch.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 20.0]


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        rustorch.ones(1).backward()


def test_user_gradient_is_not_aliased_as_grad():
    x = leaf([1.0, 2.0])
    g = rustorch.tensor([1.0, 1.0])
    (x + 0).backward(g)
    x.grad.zero_()
    assert g.tolist() == [1.0, 1.0]


def test_two_leaves_fed_by_one_tensor_get_separate_grads():
    x, y = leaf([1.0]), leaf([2.0])
    ((x + y) * 2).backward()
    x.grad.add_(100)
    assert y.grad.tolist() == [2.0]


# graph lifetime ----------------------------------------------------------------------------
def test_second_backward_without_retain_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x.exp() * 2).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == pytest.approx([4 * np.e, 4 * np.e ** 2], rel=1e-6)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_saved_tensors_are_freed_after_backward():
    x = leaf(np.ones(1000, np.float32))
    y = (x * 2).sin()  # sin keeps its input, and nothing else holds x * 2
    ref = weakref.ref(y.grad_fn.unpack_saved()[1]._storage)
    assert ref() is not None
    y.backward(rustorch.ones(1000))
    assert ref() is None


def test_no_reference_cycles_keep_the_graph_alive():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sin()
    node_ref = weakref.ref(y.grad_fn)
    storage_ref = weakref.ref(y._storage)
    del y
    assert node_ref() is None and storage_ref() is None  # freed by reference counting alone, without gc


def test_backward_through_a_chain_of_100000_ops():
    x = leaf([1.0])
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.tolist() == [1.0]
    del y  # freeing the 100,000-deep graph must not overflow the C stack either


# create_graph, higher order -----------------------------------------------------------------
def test_higher_order_gradients():
    x = leaf(2.0, dtype=rustorch.float64)
    y = x ** 4
    (g1,) = rustorch.autograd.grad(y, x, create_graph=True)
    (g2,) = rustorch.autograd.grad(g1, x, create_graph=True)
    (g3,) = rustorch.autograd.grad(g2, x)
    assert (g1.item(), g2.item(), g3.item()) == (32.0, 48.0, 48.0)


def test_backward_create_graph_leaves_a_differentiable_grad():
    x = leaf([3.0])
    (x ** 3).backward(create_graph=True)
    assert x.grad.requires_grad
    (g2,) = rustorch.autograd.grad(x.grad, x)
    assert g2.tolist() == [18.0]


# grad modes ---------------------------------------------------------------------------------
def test_no_grad_enable_grad_set_grad_enabled():
    x = leaf([1.0])
    with rustorch.no_grad():
        assert not (x * 2).requires_grad
        with rustorch.enable_grad():
            assert (x * 2).requires_grad
    with rustorch.set_grad_enabled(False):
        assert not rustorch.is_grad_enabled()
    assert rustorch.is_grad_enabled()
    rustorch.set_grad_enabled(False)
    assert not rustorch.is_grad_enabled()
    rustorch.set_grad_enabled(True)
    assert (x * 2).grad_fn is not None


def test_grad_modes_as_decorators():
    x = leaf([1.0])

    @rustorch.no_grad()
    def a(t):
        return t * 2

    @rustorch.no_grad
    def b(t):
        return t * 2

    @rustorch.inference_mode()
    def c(t):
        assert rustorch.is_inference_mode_enabled()
        return t * 2

    @rustorch.set_grad_enabled(False)
    def d(t):
        return t * 2

    assert rustorch.is_grad_enabled()  # decorating with set_grad_enabled leaves the mode alone
    for f in (a, b, c, d):
        assert not f(x).requires_grad
    assert rustorch.is_grad_enabled() and not rustorch.is_inference_mode_enabled()


def test_grad_mode_is_per_thread():
    import threading

    seen = []
    with rustorch.no_grad():
        t = threading.Thread(target=lambda: seen.append(rustorch.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_grad_mode_restored_after_exception():
    with pytest.raises(ValueError):
        with rustorch.no_grad():
            raise ValueError
    assert rustorch.is_grad_enabled()


# leaves, detach, requires_grad ------------------------------------------------------------------
def test_leaf_semantics():
    x = leaf([1.0])
    y = x * 2
    assert x.is_leaf and not y.is_leaf and y.requires_grad
    assert y.grad_fn.name() == "MulBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "AccumulateGrad"
    assert y.grad_fn.next_functions[0][0].variable is x
    z = rustorch.ones(1)
    assert z.is_leaf and not (z * 2).requires_grad


def test_requires_grad_only_for_float_and_only_on_leaves():
    with pytest.raises(TypeError, match="floating point"):
        rustorch.tensor([1, 2]).requires_grad_()
    y = leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="leaf variables"):
        y.requires_grad_(False)


def test_detach_and_detach_():
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None
    d[0] = 7  # shares memory
    assert y[0].item() == 7
    y.detach_()
    assert y.is_leaf and not y.requires_grad


def test_non_leaf_grad_is_none_unless_retained():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = y * 3
    y.retain_grad()
    assert y.retains_grad and not z.retains_grad
    z.sum().backward()
    assert y.grad.tolist() == [3.0, 3.0] and z.grad is None


def test_tensor_hooks_on_leaf_and_non_leaf():
    x = leaf([1.0, 2.0])
    seen = []
    h1 = x.register_hook(lambda g: g * 10)
    y = x * 2
    y.register_hook(lambda g: seen.append(g.tolist()))
    y.sum().backward()
    assert seen == [[1.0, 1.0]] and x.grad.tolist() == [20.0, 20.0]
    h1.remove()
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_zero_grad_in_place():
    x = leaf([1.0])
    (x * 5).backward()
    x.grad.zero_()
    (x * 2).backward()
    assert x.grad.tolist() == [2.0]


def test_gradient_dtype_matches_input():
    x = leaf([1.0, 2.0], dtype=rustorch.float64)
    y = x.float() * 2
    y.sum().backward()
    assert x.grad.dtype is rustorch.float64 and x.grad.tolist() == [2.0, 2.0]


def test_broadcast_gradients_reduce_to_input_shape():
    a = leaf(np.ones((3, 1), np.float32))
    b = leaf(np.ones((4,), np.float32))
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and a.grad.tolist() == [[4.0]] * 3
    assert b.grad.shape == (4,) and b.grad.tolist() == [3.0] * 4


# in-place ------------------------------------------------------------------------------------
def test_inplace_on_leaf_requiring_grad_raises():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        x[0:1].mul_(2)
    with rustorch.no_grad():
        x.add_(1)  # allowed: optimizers do this
    assert x.tolist() == [2.0]


def test_modified_saved_tensor_raises():
    x = leaf([1.0, 2.0])
    y = x * 1
    z = y.exp()
    z.add_(1)  # exp saved its output, now modified
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_inplace_on_non_leaf_gives_right_gradients():
    x = leaf([1.0, 2.0])
    c = leaf([3.0, 4.0])
    y = x * 2
    y.mul_(c)
    y.add_(1)
    y.sum().backward()
    assert y.grad_fn.name() == "AddBackward0"
    assert x.grad.tolist() == [6.0, 8.0] and c.grad.tolist() == [2.0, 4.0]


def test_inplace_through_a_view_rebases_the_base():
    x = leaf([1.0, 2.0, 3.0])
    h = rustorch.zeros(2, 3)
    h[0] = x * 2
    h[1] = x.exp()
    assert h.grad_fn.name() == "CopySlices" and h.requires_grad
    (h * rustorch.arange(6.0).view(2, 3)).sum().backward()
    xt = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    ht = torch.zeros(2, 3)
    ht[0] = xt * 2
    ht[1] = xt.exp()
    (ht * torch.arange(6.0).view(2, 3)).sum().backward()
    assert_same(x.grad, xt.grad)


def test_out_argument_with_grad_raises():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
        rustorch.mul(x, 2, out=rustorch.empty(1))


# Function -------------------------------------------------------------------------------------
class MulAdd(Function):
    @staticmethod
    def forward(ctx, x, y, scale):
        ctx.save_for_backward(x, y)
        ctx.scale = scale
        return x * y * scale + 1

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        gx = grad * y * ctx.scale if ctx.needs_input_grad[0] else None
        gy = grad * x * ctx.scale if ctx.needs_input_grad[1] else None
        return gx, gy, None


def test_function_forward_backward_and_needs_input_grad():
    x, y = leaf([2.0]), rustorch.tensor([3.0])
    out = MulAdd.apply(x, y, 2.0)
    assert out.grad_fn.name() == "MulAddBackward" and out.tolist() == [13.0]
    out.backward()
    assert x.grad.tolist() == [6.0]


def test_function_gradcheck_and_double_backward():
    x = leaf([0.3, 0.7], dtype=rustorch.float64)
    y = leaf([1.5, -2.0], dtype=rustorch.float64)
    assert gradcheck(lambda a, b: MulAdd.apply(a, b, 3.0), (x, y))
    assert rustorch.autograd.gradgradcheck(lambda a, b: MulAdd.apply(a, b, 3.0), (x, y))


def test_gradcheck_catches_a_wrong_backward():
    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 3

    x = leaf([1.0, 2.0], dtype=rustorch.float64)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(Wrong.apply, (x,))
    assert not gradcheck(Wrong.apply, (x,), raise_exception=False)


def test_function_mark_dirty_and_non_differentiable():
    class AddOneInPlace(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    class SortLike(Function):
        @staticmethod
        def forward(ctx, x):
            idx = rustorch.arange(x.numel())
            ctx.mark_non_differentiable(idx)
            return x * 1, idx

        @staticmethod
        def backward(ctx, grad, grad_idx):
            assert grad_idx is None or not grad_idx.any()
            return grad

    x = leaf([1.0, 2.0])
    y = x * 2
    z = AddOneInPlace.apply(y)
    assert z is y and y.grad_fn.name() == "AddOneInPlaceBackward"
    values, idx = SortLike.apply(z)
    assert not idx.requires_grad and values.requires_grad
    values.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_function_setup_context_style():
    class Square(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    x = leaf([3.0])
    Square.apply(x).backward()
    assert x.grad.tolist() == [6.0]


def test_once_differentiable_refuses_double_backward():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @rustorch.autograd.function.once_differentiable
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    x, seed = leaf([3.0]), leaf([1.0])
    (g,) = rustorch.autograd.grad(Square.apply(x), x, seed, create_graph=True)
    assert g.tolist() == [6.0] and g.requires_grad
    with pytest.raises(RuntimeError, match="once_differentiable"):
        rustorch.autograd.grad(g, seed)


def test_function_saved_tensor_version_check():
    x = leaf([1.0])
    y = x * 1
    out = MulAdd.apply(y, rustorch.tensor([2.0]), 1.0)
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()


def test_function_wrong_number_of_gradients():
    class TooFew(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        TooFew.apply(leaf([1.0]), leaf([2.0])).backward()


# anomaly detection -----------------------------------------------------------------------------------
def test_detect_anomaly_names_the_op():
    x = leaf([0.0])
    with rustorch.autograd.detect_anomaly():
        y = x.sqrt() * 0
        with pytest.raises(RuntimeError, match="SqrtBackward0.*nan"):
            y.backward()
    (x.sqrt() * 0).backward()  # without anomaly mode NaN passes silently, as in torch
    assert np.isnan(x.grad.item())


# functional ----------------------------------------------------------------------------------------
def test_functional_against_torch():
    from rustorch.autograd import functional as F

    def f_rt(a, b):
        return (a.exp() * b).sin()

    def f_th(a, b):
        return (a.exp() * b).sin()

    a_np, b_np = np.array([0.1, 0.5]), np.array([1.0, -0.3])
    a, b = rustorch.tensor(a_np), rustorch.tensor(b_np)
    ta, tb = torch.tensor(a_np), torch.tensor(b_np)
    for ours, theirs in zip(F.jacobian(f_rt, (a, b)), torch.autograd.functional.jacobian(f_th, (ta, tb))):
        assert_same(ours, theirs)
    v = rustorch.tensor([1.0, 2.0], dtype=rustorch.float64)
    tv = torch.tensor([1.0, 2.0], dtype=torch.float64)
    assert_same(F.vjp(f_rt, (a, b), v)[1][0], torch.autograd.functional.vjp(f_th, (ta, tb), tv)[1][0])
    assert_same(F.jvp(f_rt, (a, b), (v, v))[1], torch.autograd.functional.jvp(f_th, (ta, tb), (tv, tv))[1])

    def s_rt(x):
        return (x.exp() * x).sum()

    def s_th(x):
        return (x.exp() * x).sum()

    assert_same(F.hessian(s_rt, a), torch.autograd.functional.hessian(s_th, ta))
    assert_same(F.hvp(s_rt, a, v)[1], torch.autograd.functional.hvp(s_th, ta, tv)[1])
    assert_same(F.vhp(s_rt, a, v)[1], torch.autograd.functional.vhp(s_th, ta, tv)[1])


# random ops ----------------------------------------------------------------------------------------
def test_random_ops_give_torchs_zero_gradients():
    mean, std = leaf([0.0, 1.0]), leaf([1.0, 2.0])
    y = rustorch.normal(mean, std)
    assert y.requires_grad
    y.sum().backward()
    assert mean.grad.tolist() == [0.0, 0.0] and std.grad.tolist() == [0.0, 0.0]
    p = leaf([0.2, 0.7])
    b = rustorch.bernoulli(p)
    assert b.requires_grad
    b.sum().backward()
    assert p.grad.tolist() == [0.0, 0.0]
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.uniform_()
    h = x * 2
    h.normal_()
    h.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


# node hooks ----------------------------------------------------------------------------------------
def test_node_hooks_and_prehooks():
    x = leaf([1.0, 2.0])
    y = x * 3
    seen = {}
    y.grad_fn.register_prehook(lambda grad_outputs: seen.update(pre=grad_outputs[0].tolist()))
    handle = y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (grad_inputs[0] * 2, None))
    y.sum().backward(retain_graph=True)
    assert seen["pre"] == [1.0, 1.0] and x.grad.tolist() == [6.0, 6.0]
    handle.remove()
    x.grad = None
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_a_view_sees_in_place_writes_to_its_base():
    grads = []
    for lib in (rustorch, torch):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        v = y[0:2]
        y.mul_(lib.tensor([2.0, 3.0, 4.0]))  # after v was taken: v's gradient must go through the mul_
        w = y[1:]
        w.add_(x[1:] * 5)  # an in-place write through another view
        (v * lib.tensor([1.0, 10.0])).sum().backward()
        grads.append(x.grad)
    assert_same(grads[0], grads[1])


def test_gradgradcheck_refuses_a_function_without_gradients():
    x, other = leaf([1.0, 2.0], dtype=rustorch.float64), leaf([3.0, 4.0], dtype=rustorch.float64)
    with pytest.raises(RuntimeError, match="no input received"):
        rustorch.autograd.gradgradcheck(lambda t: other * 2, (x,))  # the output does not depend on x


def test_data_assignment_swaps_values_and_keeps_the_leaf():
    w = leaf([1.0, 2.0])
    w.data = rustorch.tensor([5.0, 6.0, 7.0])
    assert w.tolist() == [5.0, 6.0, 7.0] and w.requires_grad and w.is_leaf
    (w * 2).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 2.0]


def test_repr_names_the_grad_fn():
    assert "grad_fn=<MulBackward0>" in repr(leaf([1.0]) * 2)
