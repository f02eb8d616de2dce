"""Losses: functional forms and criteria against torch (values and gradients over every reduction and option),
double backward where a loss records its own node, state_dict/repr of the criteria, and bad input."""
import warnings

import numpy as np
import pytest
import torch

import rustorch
import rustorch.nn.functional as F
from rustorch import nn
from conftest import assert_same, check_grads, check_module, gradchecks

TF = torch.nn.functional
RNG = np.random.default_rng(0)
REDUCTIONS = ["none", "mean", "sum"]


@pytest.fixture(autouse=True)
def fresh_rng():
    """The same data for a test whatever ran before it."""
    global RNG
    RNG = np.random.default_rng(0)


def data(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def both(fn_name, *fixed, **kwargs):
    """(rustorch fn, torch fn) applying ``fn_name`` to the differentiable arrays, then the ``fixed`` values and
    ``kwargs`` (NumPy arrays among them converted for each library)."""
    def call(lib, module, xs):
        def convert(v):
            return lib.tensor(v) if isinstance(v, (np.ndarray, np.generic)) else v

        return getattr(module, fn_name)(*xs, *map(convert, fixed), **{k: convert(v) for k, v in kwargs.items()})

    return lambda *xs: call(rustorch, F, xs), lambda *xs: call(torch, TF, xs)


# regression -------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs", [("l1_loss", {}), ("mse_loss", {}), ("smooth_l1_loss", {}),
                                         ("smooth_l1_loss", {"beta": 0.4}), ("smooth_l1_loss", {"beta": 0.0}),
                                         ("huber_loss", {}), ("huber_loss", {"delta": 0.3})])
def test_regression_losses(name, kwargs, reduction):
    x, y = data(4, 5, scale=2), data(4, 5, scale=2)
    check_grads(*both(name, reduction=reduction, **kwargs), x, y)
    check_grads(*both(name, reduction=reduction, **kwargs), x[0, 0], y[0, 0])  # 0-d


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_losses_at_kinks(name):
    x = np.array([0.0, 1.0, -1.0, 0.5, 2.0, -0.3], dtype=np.float32)
    y = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 0.7], dtype=np.float32)  # differences 0, ±1 (beta, delta) included
    check_grads(*both(name, reduction="sum"), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss"])
def test_regression_losses_with_weight(name, reduction):
    x, y, w = data(3, 4), data(3, 4), np.abs(data(3, 4))
    check_grads(*both(name, reduction=reduction, weight=w), x, y)
    with pytest.raises(ValueError, match="same size"):
        getattr(F, name)(rustorch.tensor(x), rustorch.tensor(y), weight=rustorch.ones(4))


def test_broadcast_target_warns_like_torch():
    with pytest.warns(UserWarning, match="target size"):
        F.mse_loss(rustorch.ones(3, 4), rustorch.ones(4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grads(*both("mse_loss"), data(3, 4), data(4))


def test_legacy_size_average_and_reduce():
    x, y = data(3, 4), data(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for size_average, reduce in ((None, False), (False, None), (True, True), (False, True)):
            check_grads(*both("mse_loss", size_average=size_average, reduce=reduce), x, y)
            assert nn.L1Loss(size_average, reduce).reduction == torch.nn.L1Loss(size_average, reduce).reduction


# classification --------------------------------------------------------------------------------
def class_targets(shape, classes, ignore=None):
    t = RNG.integers(0, classes, shape)
    if ignore is not None:
        t.flat[::3] = ignore
    return t


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(6, 5), (5,), (3, 5, 4), (2, 5, 3, 2)])
def test_cross_entropy_class_indices(shape, weighted, label_smoothing, reduction):
    classes = shape[0] if len(shape) == 1 else shape[1]
    target_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    for ignore in (-100, 2):
        t = class_targets(target_shape, classes, ignore if ignore != -100 and target_shape else None)
        w = np.abs(data(classes)) + 0.1 if weighted else None
        kwargs = dict(ignore_index=ignore, reduction=reduction, label_smoothing=label_smoothing)
        check_grads(*both("cross_entropy", t, w, **kwargs), data(*shape, scale=3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, 5), (5,), (2, 5, 3)])
def test_cross_entropy_probability_targets(shape, reduction):
    class_dim = 0 if len(shape) == 1 else 1
    p = torch.softmax(torch.tensor(data(*shape)), class_dim).numpy()
    w = np.abs(data(shape[class_dim])) + 0.1
    for label_smoothing in (0.0, 0.3):
        for weight in (None, w):
            check_grads(*both("cross_entropy", weight=weight, reduction=reduction, label_smoothing=label_smoothing),
                        data(*shape), p)
            ours = F.cross_entropy(rustorch.tensor(data(*shape)), rustorch.tensor(p), reduction=reduction,
                                   label_smoothing=label_smoothing)
            assert ours.shape == TF.cross_entropy(torch.tensor(data(*shape)), torch.tensor(p), reduction=reduction,
                                                  label_smoothing=label_smoothing).shape


def test_cross_entropy_is_stable_for_large_logits():
    x = np.array([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]], dtype=np.float32)
    check_grads(*both("cross_entropy", np.array([1, 2])), x)


def test_cross_entropy_all_targets_ignored_is_nan_like_torch():
    ours = F.cross_entropy(rustorch.ones(2, 3), rustorch.tensor([-100, -100]))
    assert np.isnan(ours.item()) and np.isnan(TF.cross_entropy(torch.ones(2, 3), torch.tensor([-100, -100])).item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_double_backward(reduction):
    t = rustorch.tensor([[0, 3], [2, -100], [1, 1]])
    w = rustorch.tensor([0.5, 1.0, 2.0, 0.3], dtype=rustorch.float64)
    x = RNG.standard_normal((3, 4, 2))
    gradchecks(lambda x: F.cross_entropy(x, t, weight=w, reduction=reduction), x)
    gradchecks(lambda x: F.cross_entropy(x, t, reduction=reduction, label_smoothing=0.2), x)
    probabilities = torch.softmax(torch.tensor(RNG.standard_normal((3, 4))), 1).numpy()
    gradchecks(lambda x, p: F.cross_entropy(x, p, reduction=reduction), RNG.standard_normal((3, 4)), probabilities)


def test_cross_entropy_bad_targets_name_the_shapes_and_values():
    x = rustorch.randn(4, 5)
    with pytest.raises(rustorch.ShapeError, match=r"cross_entropy.*\[4\].*\[4, 5\].*\[3\]"):
        F.cross_entropy(x, rustorch.tensor([0, 1, 2]))
    with pytest.raises(IndexError, match=r"cross_entropy.*target 7 is out of bounds.*\[4, 5\].*5 classes"):
        F.cross_entropy(x, rustorch.tensor([0, 7, 1, 2]))
    with pytest.raises(IndexError, match="target -3"):
        F.cross_entropy(x, rustorch.tensor([0, -3, 1, 2]))
    with pytest.raises(rustorch.DTypeError, match="int64"):
        F.cross_entropy(x, rustorch.tensor([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(rustorch.ShapeError, match="weight"):
        F.cross_entropy(x, rustorch.tensor([0, 1, 2, 1]), weight=rustorch.ones(3))
    with pytest.raises(rustorch.ShapeError, match=r"\[2, 3\].*\[2, 5, 3\].*\[2, 4\]"):
        F.cross_entropy(rustorch.randn(2, 5, 3), rustorch.zeros(2, 4, dtype=rustorch.int64))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(x, rustorch.tensor([0, 1, 2, 1]), reduction="avg")
    with pytest.raises(RuntimeError, match="label_smoothing"):
        F.cross_entropy(x, rustorch.tensor([0, 1, 2, 1]), label_smoothing=1.5)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, 5), (5,), (2, 5, 3, 2)])
def test_nll_loss(shape, reduction):
    classes = shape[0] if len(shape) == 1 else shape[1]
    target_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    t = class_targets(target_shape, classes)
    w = np.abs(data(classes)) + 0.1
    check_grads(*both("nll_loss", t, reduction=reduction), data(*shape))
    check_grads(*both("nll_loss", t, w, reduction=reduction, ignore_index=1), data(*shape))
    with pytest.raises(IndexError, match="out of bounds"):
        F.nll_loss(rustorch.randn(*shape), rustorch.full(target_shape, classes, dtype=rustorch.int64))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    p = RNG.uniform(0.02, 0.98, (4, 5)).astype(np.float32)
    hard, soft = (RNG.random((4, 5)) > 0.5).astype(np.float32), RNG.random((4, 5)).astype(np.float32)
    w = np.abs(data(4, 5))
    check_grads(*both("binary_cross_entropy", reduction=reduction), p, hard)
    check_grads(*both("binary_cross_entropy", reduction=reduction), p, soft)
    check_grads(*both("binary_cross_entropy", w, reduction=reduction), p, soft)
    check_grads(*both("binary_cross_entropy", w[0], reduction=reduction), p, soft)  # weight broadcast over rows


def test_binary_cross_entropy_at_0_and_1_clamps_like_torch():
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-30, 0.5], dtype=np.float32)
    t = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.5], dtype=np.float32)
    check_grads(*both("binary_cross_entropy", reduction="none"), p, t)
    assert F.binary_cross_entropy(rustorch.tensor(p[2:3]), rustorch.tensor(t[2:3])).item() == 100.0


def test_binary_cross_entropy_double_backward_and_errors():
    gradchecks(lambda p, t: F.binary_cross_entropy(p, t), RNG.uniform(0.1, 0.9, 6), RNG.uniform(0, 1, 6))
    gradchecks(lambda p, w: F.binary_cross_entropy(p, rustorch.tensor(np.linspace(0, 1, 6)), w),
               RNG.uniform(0.1, 0.9, 6), RNG.uniform(0.5, 2, 6))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(rustorch.tensor([1.5]), rustorch.tensor([1.0]))
    with pytest.raises(ValueError, match=r"\[3\].*\[2\]"):
        F.binary_cross_entropy(rustorch.tensor([0.5, 0.5]), rustorch.tensor([1.0, 0.0, 1.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction):
    x, t = data(4, 5, scale=30), RNG.random((4, 5)).astype(np.float32)
    w, pos_weight = np.abs(data(4, 5)), np.abs(data(5)) + 0.5
    check_grads(*both("binary_cross_entropy_with_logits", reduction=reduction), x, t)
    check_grads(*both("binary_cross_entropy_with_logits", w, reduction=reduction), x, t)
    ours = F.binary_cross_entropy_with_logits(rustorch.tensor(x), rustorch.tensor(t), rustorch.tensor(w),
                                              reduction=reduction, pos_weight=rustorch.tensor(pos_weight))
    theirs = TF.binary_cross_entropy_with_logits(torch.tensor(x), torch.tensor(t), torch.tensor(w),
                                                 reduction=reduction, pos_weight=torch.tensor(pos_weight))
    assert_same(ours, theirs, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(rustorch.ones(3), rustorch.ones(2))


def test_binary_cross_entropy_with_logits_pos_weight_gradients():
    x, t, pw = data(4, 3, scale=5), RNG.random((4, 3)).astype(np.float32), np.abs(data(3)) + 0.5
    check_grads(lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=rustorch.tensor(pw)),
                lambda x, t: TF.binary_cross_entropy_with_logits(x, t, pos_weight=torch.tensor(pw)), x, t)


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = np.log(RNG.dirichlet(np.ones(5), 4)).astype(np.float32)
    t = RNG.dirichlet(np.ones(5), 4).astype(np.float32)
    t[0, 0] = 0.0  # 0 * log 0 is 0
    if log_target:
        t = np.log(t + 1e-3).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rt_fn, th_fn = both("kl_div", t, reduction=reduction, log_target=log_target)
        check_grads(rt_fn, th_fn, x)
    if reduction == "mean":
        with pytest.warns(UserWarning, match="batchmean"):
            F.kl_div(rustorch.tensor(x), rustorch.tensor(t))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input,full", [(True, False), (True, True), (False, False), (False, True)])
def test_poisson_nll_loss(log_input, full, reduction):
    x = data(4, 5) if log_input else np.abs(data(4, 5)) + 0.1
    counts = RNG.integers(0, 6, (4, 5)).astype(np.float32)
    check_grads(*both("poisson_nll_loss", counts, log_input, full, reduction=reduction), x)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_loss(reduction):
    x, y = data(4, 3), data(4, 3)
    for var in (np.abs(data(4, 3)) + 0.1, np.abs(data(4)) + 0.1, np.abs(data(4, 1)) + 0.1,
                np.array([[1e-9, 0.5, 2.0]] * 4, dtype=np.float32)):  # an entry below eps: clamped
        for full in (False, True):
            check_grads(*both("gaussian_nll_loss", full=full, reduction=reduction), x, y, var)
    check_grads(lambda x, y: F.gaussian_nll_loss(x, y, 0.7), lambda x, y: TF.gaussian_nll_loss(x, y, 0.7), x, y)
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(rustorch.tensor(x), rustorch.tensor(y), -rustorch.ones(4, 3))
    with pytest.raises(RuntimeError, match="incorrect size"):
        F.gaussian_nll_loss(rustorch.tensor(x), rustorch.tensor(y), rustorch.ones(2, 2))


# margins and embeddings -------------------------------------------------------------------------
def signs(*shape):
    return np.where(RNG.random(shape) > 0.5, 1.0, -1.0).astype(np.float32)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_loss(reduction):
    for margin in (0.0, 0.3):
        check_grads(*both("cosine_embedding_loss", signs(5), margin, reduction=reduction), data(5, 4), data(5, 4))
    check_grads(*both("cosine_embedding_loss", signs(), reduction=reduction), data(4), data(4))
    zero = np.zeros((1, 3), np.float32)  # torch's epsilon keeps a zero vector finite
    check_grads(*both("cosine_embedding_loss", np.ones(1, np.float32), reduction=reduction), zero, data(1, 3))
    with pytest.raises(rustorch.ShapeError, match=r"\[5, 4\].*\[5, 3\]"):
        F.cosine_embedding_loss(rustorch.ones(5, 4), rustorch.ones(5, 3), rustorch.ones(5))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_and_hinge_embedding(reduction):
    for margin in (0.0, 0.5):
        check_grads(*both("margin_ranking_loss", margin=margin, reduction=reduction), data(6), data(6), signs(6))
        check_grads(*both("hinge_embedding_loss", signs(3, 4), margin, reduction=reduction), data(3, 4, scale=2))
    with pytest.raises(rustorch.ShapeError, match="same dimension"):
        F.margin_ranking_loss(rustorch.ones(3), rustorch.ones(3), rustorch.ones(3, 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p,swap", [(2, False), (2, True), (1, False), (3, True)])
def test_triplet_margin_loss(p, swap, reduction):
    check_grads(*both("triplet_margin_loss", margin=0.7, p=p, swap=swap, reduction=reduction),
                data(5, 4), data(5, 4), data(5, 4))
    check_grads(*both("triplet_margin_loss", p=p, swap=swap, reduction=reduction), data(4), data(4), data(4))
    with pytest.raises(ValueError, match="margin"):
        F.triplet_margin_loss(rustorch.ones(2, 3), rustorch.ones(2, 3), rustorch.ones(2, 3), margin=0.0)
    with pytest.raises(rustorch.ShapeError, match="anchor 2D, positive 1D"):
        F.triplet_margin_loss(rustorch.ones(2, 3), rustorch.ones(3), rustorch.ones(2, 3))


def test_triplet_margin_with_distance_loss():
    def manhattan(lib):
        return lambda a, b: (a - b).abs().sum(-1)

    a, p, n = data(5, 4), data(5, 4), data(5, 4)
    for swap in (False, True):
        check_grads(lambda *xs: F.triplet_margin_with_distance_loss(*xs, swap=swap),
                    lambda *xs: TF.triplet_margin_with_distance_loss(*xs, swap=swap), a, p, n)
        check_grads(lambda *xs: F.triplet_margin_with_distance_loss(*xs, distance_function=manhattan(rustorch),
                                                                    swap=swap, reduction="none"),
                    lambda *xs: TF.triplet_margin_with_distance_loss(*xs, distance_function=manhattan(torch),
                                                                     swap=swap, reduction="none"), a, p, n)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_and_multilabel_soft_margin(reduction):
    check_grads(*both("soft_margin_loss", signs(3, 4), reduction=reduction), data(3, 4, scale=3))
    t, w = (RNG.random((3, 4)) > 0.5).astype(np.float32), np.abs(data(4))
    check_grads(*both("multilabel_soft_margin_loss", t, reduction=reduction), data(3, 4, scale=3))
    check_grads(*both("multilabel_soft_margin_loss", t, w, reduction=reduction), data(3, 4, scale=3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss(p, reduction):
    t, w = RNG.integers(0, 5, 6), np.abs(data(5)) + 0.1
    check_grads(*both("multi_margin_loss", t, p, 0.8, reduction=reduction), data(6, 5))
    check_grads(*both("multi_margin_loss", t, p, 1.0, w, reduction=reduction), data(6, 5))
    check_grads(*both("multi_margin_loss", t[0], p, reduction=reduction), data(5))
    with pytest.raises(IndexError):
        F.multi_margin_loss(rustorch.ones(2, 5), rustorch.tensor([0, 5]))
    with pytest.raises(RuntimeError, match="p == 1 and p == 2"):
        F.multi_margin_loss(rustorch.ones(2, 5), rustorch.tensor([0, 1]), p=3)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss(reduction):
    t = np.array([[3, 0, -1, 1, 2, 2], [5, 4, 3, 2, 1, 0], [-1, 0, 0, 0, 0, 0], [1, 1, -1, 0, 0, 0]])
    check_grads(*both("multilabel_margin_loss", t, reduction=reduction), data(4, 6))
    check_grads(*both("multilabel_margin_loss", t[0], reduction=reduction), data(6))
    with pytest.raises(IndexError, match="class indices"):
        F.multilabel_margin_loss(rustorch.ones(1, 3), rustorch.tensor([[0, 3, -1]]))


# ctc ------------------------------------------------------------------------------------------
def ctc_case(steps=12, batch=4, classes=6, longest=5):
    logits = data(steps, batch, classes, scale=2)
    input_lengths = np.array([steps, steps - 2, 7, 3][:batch])
    target_lengths = np.array([5, 3, 0, 2][:batch])
    targets = RNG.integers(1, classes, (batch, longest))
    targets[0, 2] = targets[0, 1]  # a repeated label needs a blank between its copies
    return logits, targets, input_lengths, target_lengths


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("concatenated", [False, True])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_loss_matches_torch(reduction, concatenated, zero_infinity):
    logits, targets, input_lengths, target_lengths = ctc_case()
    if concatenated:
        targets = np.concatenate([row[:n] for row, n in zip(targets, target_lengths)])
    log_probs = torch.log_softmax(torch.tensor(logits), 2).numpy()
    kwargs = dict(reduction=reduction, zero_infinity=zero_infinity)
    # log_probs as the leaf: torch's raw gradient, exp(log_probs) term included
    check_grads(*both("ctc_loss", targets, input_lengths, target_lengths, **kwargs), log_probs)
    # and through log_softmax, where it is the true gradient
    check_grads(lambda x: F.ctc_loss(F.log_softmax(x, 2), rustorch.tensor(targets), rustorch.tensor(input_lengths),
                                     rustorch.tensor(target_lengths), **kwargs),
                lambda x: TF.ctc_loss(TF.log_softmax(x, 2), torch.tensor(targets), torch.tensor(input_lengths),
                                      torch.tensor(target_lengths), **kwargs), logits)


def test_ctc_loss_blank_lengths_as_lists_and_unbatched():
    logits, targets, input_lengths, target_lengths = ctc_case()
    targets = np.where(targets == 3, 0, targets)  # blank=3: no target may be 3
    log_probs = torch.log_softmax(torch.tensor(logits), 2).numpy()
    check_grads(*both("ctc_loss", targets, tuple(input_lengths.tolist()), tuple(target_lengths.tolist()), blank=3),
                log_probs)
    check_grads(*both("ctc_loss", targets[0], np.array(12), np.array(5), blank=3, reduction="sum"), log_probs[:, 0])


def test_ctc_loss_empty_targets():
    log_probs = torch.log_softmax(torch.tensor(data(5, 3, 4)), 2).numpy()
    for lengths in ([0, 0, 0], [1, 0, 2]):
        for reduction in REDUCTIONS:
            check_grads(*both("ctc_loss", np.array([[1, 2], [1, 2], [3, 1]]), np.array([5, 4, 3]), np.array(lengths),
                              reduction=reduction), log_probs)


def test_ctc_loss_gradcheck_through_log_softmax():
    targets = rustorch.tensor([[1, 2, 2], [3, 1, 0]])
    gradchecks(lambda x: F.ctc_loss(F.log_softmax(x, 2), targets, [6, 5], [3, 2]), RNG.standard_normal((6, 2, 4)),
               second_order=False)


def test_ctc_loss_impossible_alignment_is_infinite_or_zeroed():
    log_probs = np.log(np.full((2, 1, 3), 1 / 3, np.float32))
    for zero_infinity in (False, True):
        ours = F.ctc_loss(rustorch.tensor(log_probs), rustorch.tensor([[1, 1]]), [2], [2], reduction="sum",
                          zero_infinity=zero_infinity)
        theirs = TF.ctc_loss(torch.tensor(log_probs), torch.tensor([[1, 1]]), [2], [2], reduction="sum",
                             zero_infinity=zero_infinity)
        assert ours.item() == theirs.item()


def test_ctc_loss_bad_input():
    log_probs = F.log_softmax(rustorch.randn(5, 2, 4), 2)
    with pytest.raises(RuntimeError, match="input_lengths"):
        F.ctc_loss(log_probs, rustorch.tensor([[1], [2]]), [6, 5], [1, 1])
    with pytest.raises(RuntimeError, match="batch_size"):
        F.ctc_loss(log_probs, rustorch.tensor([[1], [2]]), [5], [1, 1])
    with pytest.raises(RuntimeError, match="at least 3"):
        F.ctc_loss(log_probs, rustorch.tensor([[1], [2]]), [5, 5], [3, 1])
    with pytest.raises(IndexError, match="class indices"):
        F.ctc_loss(log_probs, rustorch.tensor([[1], [9]]), [5, 5], [1, 1])
    with pytest.raises(rustorch.ShapeError, match=r"\(T, N, C\)"):
        F.ctc_loss(rustorch.ones(5), rustorch.tensor([[1]]), [5], [1])


# criteria ---------------------------------------------------------------------------------------
def weight_of(n):
    w = np.abs(data(n)) + 0.1
    return rustorch.tensor(w), torch.tensor(w)


CRITERIA = [
    ("L1Loss", {}, "regression"), ("MSELoss", {"reduction": "sum"}, "regression"),
    ("SmoothL1Loss", {"beta": 0.5}, "regression"), ("HuberLoss", {"delta": 0.5}, "regression"),
    ("SoftMarginLoss", {}, "signs"), ("HingeEmbeddingLoss", {"margin": 0.5}, "signs"),
    ("NLLLoss", {"ignore_index": 1}, "classes"), ("NLLLoss", {"weight": 5}, "classes"),
    ("CrossEntropyLoss", {}, "classes"), ("CrossEntropyLoss", {"weight": 5, "label_smoothing": 0.1}, "classes"),
    ("MultiMarginLoss", {"p": 2, "weight": 5}, "classes"), ("MultiLabelMarginLoss", {}, "multilabel"),
    ("MultiLabelSoftMarginLoss", {"weight": 5}, "binary"),
    ("BCEWithLogitsLoss", {"pos_weight": 5}, "binary"), ("BCELoss", {"weight": 5}, "probabilities"),
    ("KLDivLoss", {"reduction": "batchmean"}, "distributions"), ("PoissonNLLLoss", {}, "counts"),
    ("GaussianNLLLoss", {"full": True}, "gaussian"), ("CosineEmbeddingLoss", {"margin": 0.2}, "pairs"),
    ("MarginRankingLoss", {"margin": 0.1}, "ranking"), ("TripletMarginLoss", {"swap": True}, "triplets"),
    ("TripletMarginWithDistanceLoss", {"margin": 0.5}, "triplets"),
]


def criterion_inputs(kind):
    x = data(4, 5, scale=2)
    return {
        "regression": (x, data(4, 5)), "signs": (x, signs(4, 5).astype(np.int64)),  # int: no target gradient
        "classes": (x, RNG.integers(0, 5, 4)), "multilabel": (x, np.array([[3, 0, -1, 1, 2]] * 4)),
        "binary": (x, (RNG.random((4, 5)) > 0.5).astype(np.float32)),
        "probabilities": (RNG.uniform(0.05, 0.95, (4, 5)).astype(np.float32), RNG.random((4, 5)).astype(np.float32)),
        "distributions": (np.log(RNG.dirichlet(np.ones(5), 4)).astype(np.float32),
                          RNG.dirichlet(np.ones(5), 4).astype(np.float32)),
        "counts": (x, RNG.integers(0, 5, (4, 5)).astype(np.float32)),
        "gaussian": (x, data(4, 5), np.abs(data(4, 5)) + 0.1), "pairs": (x, data(4, 5), signs(4)),
        "ranking": (data(6), data(6), signs(6)), "triplets": (x, data(4, 5), data(4, 5)),
    }[kind]


@pytest.mark.parametrize("name,kwargs,kind", CRITERIA, ids=[f"{n}{k}" for n, k, _ in CRITERIA])
def test_criteria_match_torch(name, kwargs, kind):
    rt_kwargs, th_kwargs = dict(kwargs), dict(kwargs)
    for key in ("weight", "pos_weight"):
        if key in kwargs:
            rt_kwargs[key], th_kwargs[key] = weight_of(kwargs[key])
    ours, theirs = getattr(nn, name)(**rt_kwargs), getattr(torch.nn, name)(**th_kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    check_module(ours, theirs, *criterion_inputs(kind))


def test_weighted_criteria_keep_weight_as_buffer():
    w_rt, w_th = weight_of(5)
    ours, theirs = nn.CrossEntropyLoss(weight=w_rt), torch.nn.CrossEntropyLoss(weight=w_th)
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()] == ["weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == list(torch.nn.CrossEntropyLoss().state_dict()) == []
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert list(nn.BCEWithLogitsLoss(pos_weight=w_rt).state_dict()) == ["pos_weight"]


def test_criterion_constructor_errors():
    with pytest.raises(ValueError):
        nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(ValueError):
        nn.MultiMarginLoss(p=3)


def test_cross_entropy_on_k_dim_module():
    check_module(nn.CrossEntropyLoss(ignore_index=0), torch.nn.CrossEntropyLoss(ignore_index=0), data(2, 5, 3, 4),
                 RNG.integers(0, 5, (2, 3, 4)))
