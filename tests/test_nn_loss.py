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


def both(fn_name, *fixed, device="cpu", **kwargs):
    """(rustorch fn, torch fn) applying ``fn_name`` to the differentiable arrays, then the ``fixed`` values and
    ``kwargs`` (NumPy arrays among them converted for each library; rustorch's on ``device``)."""
    def call(module, convert, xs):
        def converted(v):
            return convert(v) if isinstance(v, (np.ndarray, np.generic)) else v

        return getattr(module, fn_name)(*xs, *map(converted, fixed), **{k: converted(v) for k, v in kwargs.items()})

    return (lambda *xs: call(F, lambda v: rustorch.tensor(v, device=device), xs),
            lambda *xs: call(TF, torch.tensor, xs))


# regression -------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs", [("l1_loss", {}), ("mse_loss", {}), ("smooth_l1_loss", {}),
                                         ("smooth_l1_loss", {"beta": 0.4}), ("smooth_l1_loss", {"beta": 0.0}),
                                         ("huber_loss", {}), ("huber_loss", {"delta": 0.3})])
def test_regression_losses(name, kwargs, reduction, device):
    x, y = data(4, 5, scale=2), data(4, 5, scale=2)
    check_grads(*both(name, reduction=reduction, **kwargs, device=device), x, y, device=device)
    check_grads(*both(name, reduction=reduction, **kwargs, device=device), x[0, 0], y[0, 0], device=device)  # 0-d


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_losses_at_kinks(name, device):
    x = np.array([0.0, 1.0, -1.0, 0.5, 2.0, -0.3], dtype=np.float32)
    y = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 0.7], dtype=np.float32)  # differences 0, ±1 (beta, delta) included
    check_grads(*both(name, reduction="sum", device=device), x, y, device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss"])
def test_regression_losses_with_weight(name, reduction, device):
    x, y, w = data(3, 4), data(3, 4), np.abs(data(3, 4))
    check_grads(*both(name, reduction=reduction, weight=w, device=device), x, y, device=device)
    with pytest.raises(ValueError, match="same size"):
        getattr(F, name)(rustorch.tensor(x, device=device), rustorch.tensor(y, device=device),
                         weight=rustorch.ones(4, device=device))


def test_broadcast_target_warns_like_torch(device):
    with pytest.warns(UserWarning, match="target size"):
        F.mse_loss(rustorch.ones(3, 4, device=device), rustorch.ones(4, device=device))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_grads(*both("mse_loss", device=device), data(3, 4), data(4), device=device)


def test_legacy_size_average_and_reduce(device):
    x, y = data(3, 4), data(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for size_average, reduce in ((None, False), (False, None), (True, True), (False, True)):
            check_grads(*both("mse_loss", size_average=size_average, reduce=reduce, device=device), x, y,
                        device=device)
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
def test_cross_entropy_class_indices(shape, weighted, label_smoothing, reduction, device):
    classes = shape[0] if len(shape) == 1 else shape[1]
    target_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    for ignore in (-100, 2):
        t = class_targets(target_shape, classes, ignore if ignore != -100 and target_shape else None)
        w = np.abs(data(classes)) + 0.1 if weighted else None
        kwargs = dict(ignore_index=ignore, reduction=reduction, label_smoothing=label_smoothing)
        check_grads(*both("cross_entropy", t, w, **kwargs, device=device), data(*shape, scale=3), device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, 5), (5,), (2, 5, 3)])
def test_cross_entropy_probability_targets(shape, reduction, device):
    class_dim = 0 if len(shape) == 1 else 1
    p = torch.softmax(torch.tensor(data(*shape)), class_dim).numpy()
    w = np.abs(data(shape[class_dim])) + 0.1
    for label_smoothing in (0.0, 0.3):
        for weight in (None, w):
            check_grads(*both("cross_entropy", weight=weight, reduction=reduction, label_smoothing=label_smoothing,
                              device=device), data(*shape), p, device=device)
            ours = F.cross_entropy(rustorch.tensor(data(*shape), device=device), rustorch.tensor(p, device=device),
                                   reduction=reduction, label_smoothing=label_smoothing)
            assert ours.shape == TF.cross_entropy(torch.tensor(data(*shape)), torch.tensor(p), reduction=reduction,
                                                  label_smoothing=label_smoothing).shape


def test_cross_entropy_is_stable_for_large_logits(device):
    x = np.array([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]], dtype=np.float32)
    check_grads(*both("cross_entropy", np.array([1, 2]), device=device), x, device=device)


def test_cross_entropy_all_targets_ignored_is_nan_like_torch(device):
    ours = F.cross_entropy(rustorch.ones(2, 3, device=device), rustorch.tensor([-100, -100], device=device))
    assert np.isnan(ours.item()) and np.isnan(TF.cross_entropy(torch.ones(2, 3), torch.tensor([-100, -100])).item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_double_backward(reduction, device):
    t = rustorch.tensor([[0, 3], [2, -100], [1, 1]], device=device)
    w = rustorch.tensor([0.5, 1.0, 2.0, 0.3], dtype=rustorch.float64, device=device)
    x = RNG.standard_normal((3, 4, 2))
    gradchecks(lambda x: F.cross_entropy(x, t, weight=w, reduction=reduction), x, device=device)
    gradchecks(lambda x: F.cross_entropy(x, t, reduction=reduction, label_smoothing=0.2), x, device=device)
    probabilities = torch.softmax(torch.tensor(RNG.standard_normal((3, 4))), 1).numpy()
    gradchecks(lambda x, p: F.cross_entropy(x, p, reduction=reduction), RNG.standard_normal((3, 4)), probabilities,
               device=device)


def test_cross_entropy_bad_targets_name_the_shapes_and_values(device):
    x = rustorch.randn(4, 5, device=device)
    with pytest.raises(rustorch.ShapeError, match=r"cross_entropy.*\[4\].*\[4, 5\].*\[3\]"):
        F.cross_entropy(x, rustorch.tensor([0, 1, 2], device=device))
    with pytest.raises(IndexError, match=r"cross_entropy.*target 7 is out of bounds.*\[4, 5\].*5 classes"):
        F.cross_entropy(x, rustorch.tensor([0, 7, 1, 2], device=device))
    with pytest.raises(IndexError, match="target -3"):
        F.cross_entropy(x, rustorch.tensor([0, -3, 1, 2], device=device))
    with pytest.raises(rustorch.DTypeError, match="int64"):
        F.cross_entropy(x, rustorch.tensor([0.0, 1.0, 2.0, 1.0], device=device))
    with pytest.raises(rustorch.ShapeError, match="weight"):
        F.cross_entropy(x, rustorch.tensor([0, 1, 2, 1], device=device), weight=rustorch.ones(3, device=device))
    with pytest.raises(rustorch.ShapeError, match=r"\[2, 3\].*\[2, 5, 3\].*\[2, 4\]"):
        F.cross_entropy(rustorch.randn(2, 5, 3, device=device),
                        rustorch.zeros(2, 4, dtype=rustorch.int64, device=device))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(x, rustorch.tensor([0, 1, 2, 1], device=device), reduction="avg")
    with pytest.raises(RuntimeError, match="label_smoothing"):
        F.cross_entropy(x, rustorch.tensor([0, 1, 2, 1], device=device), label_smoothing=1.5)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, 5), (5,), (2, 5, 3, 2)])
def test_nll_loss(shape, reduction, device):
    classes = shape[0] if len(shape) == 1 else shape[1]
    target_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    t = class_targets(target_shape, classes)
    w = np.abs(data(classes)) + 0.1
    check_grads(*both("nll_loss", t, reduction=reduction, device=device), data(*shape), device=device)
    check_grads(*both("nll_loss", t, w, reduction=reduction, ignore_index=1, device=device), data(*shape),
                device=device)
    with pytest.raises(IndexError, match="out of bounds"):
        F.nll_loss(rustorch.randn(*shape, device=device),
                   rustorch.full(target_shape, classes, dtype=rustorch.int64, device=device))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction, device):
    p = RNG.uniform(0.02, 0.98, (4, 5)).astype(np.float32)
    hard, soft = (RNG.random((4, 5)) > 0.5).astype(np.float32), RNG.random((4, 5)).astype(np.float32)
    w = np.abs(data(4, 5))
    check_grads(*both("binary_cross_entropy", reduction=reduction, device=device), p, hard, device=device)
    check_grads(*both("binary_cross_entropy", reduction=reduction, device=device), p, soft, device=device)
    check_grads(*both("binary_cross_entropy", w, reduction=reduction, device=device), p, soft, device=device)
    # weight broadcast over rows
    check_grads(*both("binary_cross_entropy", w[0], reduction=reduction, device=device), p, soft, device=device)


def test_binary_cross_entropy_at_0_and_1_clamps_like_torch(device):
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-30, 0.5], dtype=np.float32)
    t = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.5], dtype=np.float32)
    check_grads(*both("binary_cross_entropy", reduction="none", device=device), p, t, device=device)
    ours = F.binary_cross_entropy(rustorch.tensor(p[2:3], device=device), rustorch.tensor(t[2:3], device=device))
    assert ours.item() == 100.0


def test_binary_cross_entropy_double_backward_and_errors(device):
    gradchecks(lambda p, t: F.binary_cross_entropy(p, t), RNG.uniform(0.1, 0.9, 6), RNG.uniform(0, 1, 6), device=device)
    gradchecks(lambda p, w: F.binary_cross_entropy(p, rustorch.tensor(np.linspace(0, 1, 6), device=device), w),
               RNG.uniform(0.1, 0.9, 6), RNG.uniform(0.5, 2, 6), device=device)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(rustorch.tensor([1.5], device=device), rustorch.tensor([1.0], device=device))
    with pytest.raises(ValueError, match=r"\[3\].*\[2\]"):
        F.binary_cross_entropy(rustorch.tensor([0.5, 0.5], device=device),
                               rustorch.tensor([1.0, 0.0, 1.0], device=device))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction, device):
    x, t = data(4, 5, scale=30), RNG.random((4, 5)).astype(np.float32)
    w, pos_weight = np.abs(data(4, 5)), np.abs(data(5)) + 0.5
    check_grads(*both("binary_cross_entropy_with_logits", reduction=reduction, device=device), x, t, device=device)
    check_grads(*both("binary_cross_entropy_with_logits", w, reduction=reduction, device=device), x, t, device=device)
    ours = F.binary_cross_entropy_with_logits(rustorch.tensor(x, device=device), rustorch.tensor(t, device=device),
                                              rustorch.tensor(w, device=device), reduction=reduction,
                                              pos_weight=rustorch.tensor(pos_weight, device=device))
    theirs = TF.binary_cross_entropy_with_logits(torch.tensor(x), torch.tensor(t), torch.tensor(w),
                                                 reduction=reduction, pos_weight=torch.tensor(pos_weight))
    assert_same(ours, theirs, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(rustorch.ones(3, device=device), rustorch.ones(2, device=device))


def test_binary_cross_entropy_with_logits_pos_weight_gradients(device):
    x, t, pw = data(4, 3, scale=5), RNG.random((4, 3)).astype(np.float32), np.abs(data(3)) + 0.5
    check_grads(lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=rustorch.tensor(pw, device=device)),
                lambda x, t: TF.binary_cross_entropy_with_logits(x, t, pos_weight=torch.tensor(pw)), x, t,
                device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target, device):
    x = np.log(RNG.dirichlet(np.ones(5), 4)).astype(np.float32)
    t = RNG.dirichlet(np.ones(5), 4).astype(np.float32)
    t[0, 0] = 0.0  # 0 * log 0 is 0
    if log_target:
        t = np.log(t + 1e-3).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rt_fn, th_fn = both("kl_div", t, reduction=reduction, log_target=log_target, device=device)
        check_grads(rt_fn, th_fn, x, device=device)
    if reduction == "mean":
        with pytest.warns(UserWarning, match="batchmean"):
            F.kl_div(rustorch.tensor(x, device=device), rustorch.tensor(t, device=device))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input,full", [(True, False), (True, True), (False, False), (False, True)])
def test_poisson_nll_loss(log_input, full, reduction, device):
    x = data(4, 5) if log_input else np.abs(data(4, 5)) + 0.1
    counts = RNG.integers(0, 6, (4, 5)).astype(np.float32)
    check_grads(*both("poisson_nll_loss", counts, log_input, full, reduction=reduction, device=device), x,
                device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_loss(reduction, device):
    x, y = data(4, 3), data(4, 3)
    for var in (np.abs(data(4, 3)) + 0.1, np.abs(data(4)) + 0.1, np.abs(data(4, 1)) + 0.1,
                np.array([[1e-9, 0.5, 2.0]] * 4, dtype=np.float32)):  # an entry below eps: clamped
        for full in (False, True):
            check_grads(*both("gaussian_nll_loss", full=full, reduction=reduction, device=device), x, y, var,
                        device=device)
    check_grads(lambda x, y: F.gaussian_nll_loss(x, y, 0.7), lambda x, y: TF.gaussian_nll_loss(x, y, 0.7), x, y,
                device=device)
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(rustorch.tensor(x, device=device), rustorch.tensor(y, device=device),
                            -rustorch.ones(4, 3, device=device))
    with pytest.raises(RuntimeError, match="incorrect size"):
        F.gaussian_nll_loss(rustorch.tensor(x, device=device), rustorch.tensor(y, device=device),
                            rustorch.ones(2, 2, device=device))


# margins and embeddings -------------------------------------------------------------------------
def signs(*shape):
    return np.where(RNG.random(shape) > 0.5, 1.0, -1.0).astype(np.float32)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_loss(reduction, device):
    for margin in (0.0, 0.3):
        check_grads(*both("cosine_embedding_loss", signs(5), margin, reduction=reduction, device=device), data(5, 4),
                    data(5, 4), device=device)
    check_grads(*both("cosine_embedding_loss", signs(), reduction=reduction, device=device), data(4), data(4),
                device=device)
    zero = np.zeros((1, 3), np.float32)  # torch's epsilon keeps a zero vector finite
    check_grads(*both("cosine_embedding_loss", np.ones(1, np.float32), reduction=reduction, device=device), zero,
                data(1, 3), device=device)
    with pytest.raises(rustorch.ShapeError, match=r"\[5, 4\].*\[5, 3\]"):
        F.cosine_embedding_loss(rustorch.ones(5, 4, device=device), rustorch.ones(5, 3, device=device),
                                rustorch.ones(5, device=device))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_and_hinge_embedding(reduction, device):
    for margin in (0.0, 0.5):
        check_grads(*both("margin_ranking_loss", margin=margin, reduction=reduction, device=device), data(6), data(6),
                    signs(6), device=device)
        check_grads(*both("hinge_embedding_loss", signs(3, 4), margin, reduction=reduction, device=device),
                    data(3, 4, scale=2), device=device)
    with pytest.raises(rustorch.ShapeError, match="same dimension"):
        F.margin_ranking_loss(rustorch.ones(3, device=device), rustorch.ones(3, device=device),
                              rustorch.ones(3, 1, device=device))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p,swap", [(2, False), (2, True), (1, False), (3, True)])
def test_triplet_margin_loss(p, swap, reduction, device):
    check_grads(*both("triplet_margin_loss", margin=0.7, p=p, swap=swap, reduction=reduction, device=device),
                data(5, 4), data(5, 4), data(5, 4), device=device)
    check_grads(*both("triplet_margin_loss", p=p, swap=swap, reduction=reduction, device=device), data(4), data(4),
                data(4), device=device)
    with pytest.raises(ValueError, match="margin"):
        F.triplet_margin_loss(rustorch.ones(2, 3, device=device), rustorch.ones(2, 3, device=device),
                              rustorch.ones(2, 3, device=device), margin=0.0)
    with pytest.raises(rustorch.ShapeError, match="anchor 2D, positive 1D"):
        F.triplet_margin_loss(rustorch.ones(2, 3, device=device), rustorch.ones(3, device=device),
                              rustorch.ones(2, 3, device=device))


def test_triplet_margin_with_distance_loss(device):
    def manhattan(lib):
        return lambda a, b: (a - b).abs().sum(-1)

    a, p, n = data(5, 4), data(5, 4), data(5, 4)
    for swap in (False, True):
        check_grads(lambda *xs: F.triplet_margin_with_distance_loss(*xs, swap=swap),
                    lambda *xs: TF.triplet_margin_with_distance_loss(*xs, swap=swap), a, p, n, device=device)
        check_grads(lambda *xs: F.triplet_margin_with_distance_loss(*xs, distance_function=manhattan(rustorch),
                                                                    swap=swap, reduction="none"),
                    lambda *xs: TF.triplet_margin_with_distance_loss(*xs, distance_function=manhattan(torch),
                                                                     swap=swap, reduction="none"), a, p, n,
                    device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_and_multilabel_soft_margin(reduction, device):
    check_grads(*both("soft_margin_loss", signs(3, 4), reduction=reduction, device=device), data(3, 4, scale=3),
                device=device)
    t, w = (RNG.random((3, 4)) > 0.5).astype(np.float32), np.abs(data(4))
    check_grads(*both("multilabel_soft_margin_loss", t, reduction=reduction, device=device), data(3, 4, scale=3),
                device=device)
    check_grads(*both("multilabel_soft_margin_loss", t, w, reduction=reduction, device=device), data(3, 4, scale=3),
                device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss(p, reduction, device):
    t, w = RNG.integers(0, 5, 6), np.abs(data(5)) + 0.1
    check_grads(*both("multi_margin_loss", t, p, 0.8, reduction=reduction, device=device), data(6, 5), device=device)
    check_grads(*both("multi_margin_loss", t, p, 1.0, w, reduction=reduction, device=device), data(6, 5), device=device)
    check_grads(*both("multi_margin_loss", t[0], p, reduction=reduction, device=device), data(5), device=device)
    with pytest.raises(IndexError):
        F.multi_margin_loss(rustorch.ones(2, 5, device=device), rustorch.tensor([0, 5], device=device))
    with pytest.raises(RuntimeError, match="p == 1 and p == 2"):
        F.multi_margin_loss(rustorch.ones(2, 5, device=device), rustorch.tensor([0, 1], device=device), p=3)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin_loss(reduction, device):
    t = np.array([[3, 0, -1, 1, 2, 2], [5, 4, 3, 2, 1, 0], [-1, 0, 0, 0, 0, 0], [1, 1, -1, 0, 0, 0]])
    check_grads(*both("multilabel_margin_loss", t, reduction=reduction, device=device), data(4, 6), device=device)
    check_grads(*both("multilabel_margin_loss", t[0], reduction=reduction, device=device), data(6), device=device)
    with pytest.raises(IndexError, match="class indices"):
        F.multilabel_margin_loss(rustorch.ones(1, 3, device=device), rustorch.tensor([[0, 3, -1]], device=device))


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
def test_ctc_loss_matches_torch(reduction, concatenated, zero_infinity, device):
    logits, targets, input_lengths, target_lengths = ctc_case()
    if concatenated:
        targets = np.concatenate([row[:n] for row, n in zip(targets, target_lengths)])
    log_probs = torch.log_softmax(torch.tensor(logits), 2).numpy()
    kwargs = dict(reduction=reduction, zero_infinity=zero_infinity)
    # log_probs as the leaf: torch's raw gradient, exp(log_probs) term included
    check_grads(*both("ctc_loss", targets, input_lengths, target_lengths, **kwargs, device=device), log_probs,
                device=device)
    # and through log_softmax, where it is the true gradient
    check_grads(lambda x: F.ctc_loss(F.log_softmax(x, 2), rustorch.tensor(targets, device=device),
                                     rustorch.tensor(input_lengths, device=device),
                                     rustorch.tensor(target_lengths, device=device), **kwargs),
                lambda x: TF.ctc_loss(TF.log_softmax(x, 2), torch.tensor(targets), torch.tensor(input_lengths),
                                      torch.tensor(target_lengths), **kwargs), logits, device=device)


def test_ctc_loss_blank_lengths_as_lists_and_unbatched(device):
    logits, targets, input_lengths, target_lengths = ctc_case()
    targets = np.where(targets == 3, 0, targets)  # blank=3: no target may be 3
    log_probs = torch.log_softmax(torch.tensor(logits), 2).numpy()
    check_grads(*both("ctc_loss", targets, tuple(input_lengths.tolist()), tuple(target_lengths.tolist()), blank=3,
                      device=device), log_probs, device=device)
    check_grads(*both("ctc_loss", targets[0], np.array(12), np.array(5), blank=3, reduction="sum", device=device),
                log_probs[:, 0], device=device)


def test_ctc_loss_empty_targets(device):
    log_probs = torch.log_softmax(torch.tensor(data(5, 3, 4)), 2).numpy()
    for lengths in ([0, 0, 0], [1, 0, 2]):
        for reduction in REDUCTIONS:
            check_grads(*both("ctc_loss", np.array([[1, 2], [1, 2], [3, 1]]), np.array([5, 4, 3]), np.array(lengths),
                              reduction=reduction, device=device), log_probs, device=device)


def test_ctc_loss_gradcheck_through_log_softmax(device):
    targets = rustorch.tensor([[1, 2, 2], [3, 1, 0]], device=device)
    gradchecks(lambda x: F.ctc_loss(F.log_softmax(x, 2), targets, [6, 5], [3, 2]), RNG.standard_normal((6, 2, 4)),
               second_order=False, device=device)


def test_ctc_loss_impossible_alignment_is_infinite_or_zeroed(device):
    log_probs = np.log(np.full((2, 1, 3), 1 / 3, np.float32))
    for zero_infinity in (False, True):
        ours = F.ctc_loss(rustorch.tensor(log_probs, device=device), rustorch.tensor([[1, 1]], device=device), [2], [2],
                          reduction="sum", zero_infinity=zero_infinity)
        theirs = TF.ctc_loss(torch.tensor(log_probs), torch.tensor([[1, 1]]), [2], [2], reduction="sum",
                             zero_infinity=zero_infinity)
        assert ours.item() == theirs.item()


def test_ctc_loss_bad_input(device):
    log_probs = F.log_softmax(rustorch.randn(5, 2, 4, device=device), 2)
    with pytest.raises(RuntimeError, match="input_lengths"):
        F.ctc_loss(log_probs, rustorch.tensor([[1], [2]], device=device), [6, 5], [1, 1])
    with pytest.raises(RuntimeError, match="batch_size"):
        F.ctc_loss(log_probs, rustorch.tensor([[1], [2]], device=device), [5], [1, 1])
    with pytest.raises(RuntimeError, match="at least 3"):
        F.ctc_loss(log_probs, rustorch.tensor([[1], [2]], device=device), [5, 5], [3, 1])
    with pytest.raises(IndexError, match="class indices"):
        F.ctc_loss(log_probs, rustorch.tensor([[1], [9]], device=device), [5, 5], [1, 1])
    with pytest.raises(rustorch.ShapeError, match=r"\(T, N, C\)"):
        F.ctc_loss(rustorch.ones(5, device=device), rustorch.tensor([[1]], device=device), [5], [1])


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
def test_criteria_match_torch(name, kwargs, kind, device):
    rt_kwargs, th_kwargs = dict(kwargs), dict(kwargs)
    for key in ("weight", "pos_weight"):
        if key in kwargs:
            rt_kwargs[key], th_kwargs[key] = weight_of(kwargs[key])
    ours, theirs = getattr(nn, name)(**rt_kwargs), getattr(torch.nn, name)(**th_kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    check_module(ours, theirs, *criterion_inputs(kind), device=device)


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


def test_cross_entropy_on_k_dim_module(device):
    check_module(nn.CrossEntropyLoss(ignore_index=0), torch.nn.CrossEntropyLoss(ignore_index=0), data(2, 5, 3, 4),
                 RNG.integers(0, 5, (2, 3, 4)), device=device)
