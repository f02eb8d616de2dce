"""The vision family against torch: F.pad, interpolate, pixel/channel shuffles, unfold/fold, grid_sample,
affine_grid, the distances, and their layers (padding, upsampling, Flatten, Fold, ...)."""
import warnings

import numpy as np
import pytest
import torch

import rustorch
import rustorch.nn.functional as F
import torch.nn.functional as TF
from rustorch import nn
from rustorch.errors import DTypeError, InvalidArgumentError, RusTorchError, ShapeError
from conftest import assert_same, check_grads, check_module, gradchecks

TIGHT = {"rtol": 1e-5, "atol": 1e-6}


def arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# --- pad -------------------------------------------------------------------------------------------------------

PADS = [
    ("constant", (1, 2), (2, 3, 4)),
    ("constant", (1, 2, -1, 3), (2, 3, 4)),
    ("constant", (0, -4), (2, 3, 4)),
    ("constant", (1, 1, 1, 1, 1, 1, 1, 1), (2, 3, 4, 2)),
    ("constant", (2, 1), (5,)),
    ("reflect", (2, 1), (2, 3, 4)),
    ("reflect", (3, 3), (3, 4)),
    ("reflect", (-1, 2), (2, 3, 4)),
    ("reflect", (2, 1, 1, 2), (2, 3, 4)),
    ("reflect", (1, 2, 1, 0, 2, 1), (2, 3, 4, 5)),
    ("reflect", (1, 2, 1, 0, 2, 1), (2, 2, 3, 4, 5)),
    ("replicate", (3, 2), (2, 3, 4)),
    ("replicate", (-1, 5), (3, 4)),
    ("replicate", (1, 2, 3, 1, 2, 3), (2, 3, 4, 5, 6)),
    ("replicate", (2, 0, 0, 3), (3, 4, 5)),
    ("circular", (-1, 2), (2, 3, 4)),
    ("circular", (4, 4), (2, 3, 4)),
    ("circular", (1, 2, 2, 1), (2, 3, 4, 5)),
    ("circular", (1, 0, 2, 1, 1, 1), (1, 2, 3, 4, 5)),
]


@pytest.mark.parametrize("mode,pad,shape", PADS)
def test_pad_matches_torch(mode, pad, shape, device):
    check_grads(lambda x: F.pad(x, pad, mode=mode), lambda x: TF.pad(x, pad, mode=mode), arr(*shape), device=device,
                **TIGHT)


def test_pad_value_dtypes_and_non_contiguous_input(device):
    x = arr(3, 4, 5)
    check_grads(lambda t: F.pad(t.transpose(0, 2), (1, 2, 0, 1), value=2.5),
                lambda t: TF.pad(t.transpose(0, 2), (1, 2, 0, 1), value=2.5), x, device=device, **TIGHT)
    check_grads(lambda t: F.pad(t[:, ::2], (2, 1), mode="reflect"),
                lambda t: TF.pad(t[:, ::2], (2, 1), mode="reflect"), x, device=device, **TIGHT)
    ints = np.arange(24).reshape(2, 3, 4)
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert_same(F.pad(rustorch.tensor(ints, device=device), (2, 1), mode=mode),
                    TF.pad(torch.tensor(ints), (2, 1), mode=mode))
    assert_same(F.pad(rustorch.zeros(2, 2, dtype=rustorch.bool, device=device), (1, 1), value=1),
                TF.pad(torch.zeros(2, 2, dtype=torch.bool), (1, 1), value=1))
    assert_same(F.pad(rustorch.zeros(0, 2, 3, device=device), (1, 1), mode="reflect"),
                TF.pad(torch.zeros(0, 2, 3), (1, 1), mode="reflect"))


@pytest.mark.parametrize("mode,pad", [("constant", (1, 2, -1, 1)), ("reflect", (2, 1, 0, 1)),
                                      ("replicate", (1, 3, 2, -1)), ("circular", (2, -1, 1, 2))])
def test_pad_gradcheck(mode, pad, device):
    gradchecks(lambda x: F.pad(x, pad, mode=mode), arr(1, 2, 4, 3).astype(np.float64), device=device)


def test_pad_grad_fn_names():
    x = rustorch.ones(1, 2, 3, 4, requires_grad=True)
    assert F.pad(x, (1, 1)).grad_fn.name() == "ConstantPadNdBackward0"
    assert F.pad(x, (1, 1, 1, 1), mode="reflect").grad_fn.name() == "ReflectionPad2DBackward0"
    assert F.pad(x, (1, 1, 1, 1), mode="replicate").grad_fn.name() == "ReplicationPad2DBackward0"


@pytest.mark.parametrize("call", [
    lambda x: F.pad(x, (1,)),
    lambda x: F.pad(x, (1,) * 10),
    lambda x: F.pad(x, (-3, -2)),
    lambda x: F.pad(x, (1, 1), mode="reflect"),  # one padded dim needs a 2-D or 3-D input
    lambda x: F.pad(x[0], (4, 1), mode="reflect"),
    lambda x: F.pad(x[0], (-3, -1), mode="replicate"),
    lambda x: F.pad(x[0], (5, 0), mode="circular"),
    lambda x: F.pad(x[0], (-2, 3), mode="circular"),
    lambda x: F.pad(rustorch.zeros(1, 0, 3), (1, 1), mode="reflect"),
])
def test_pad_bad_input_raises_shape_error(call):
    with pytest.raises(ShapeError, match="pad"):
        call(rustorch.zeros(1, 2, 3, 4))


def test_pad_bad_arguments():
    x = rustorch.zeros(2, 3)
    with pytest.raises(InvalidArgumentError, match="foo"):
        F.pad(x, (1, 1), mode="foo")
    with pytest.raises(RuntimeError, match="value"):
        F.pad(x, (1, 1), mode="reflect", value=2.0)
    with pytest.raises(TypeError):
        F.pad(x, (1.5, 1))
    assert F.pad(x, (1, 1), mode="reflect", value=0).shape == (2, 5)


# --- interpolate -----------------------------------------------------------------------------------------------

MODES = [("nearest", (2, 3, 5)), ("nearest", (2, 3, 5, 4)), ("nearest", (1, 2, 3, 4, 5)),
         ("nearest-exact", (2, 3, 7)), ("nearest-exact", (2, 3, 5, 4)), ("linear", (2, 3, 7)),
         ("bilinear", (2, 3, 5, 4)), ("bicubic", (2, 3, 5, 4)), ("trilinear", (1, 2, 3, 4, 5)),
         ("area", (2, 3, 7)), ("area", (2, 3, 7, 9)), ("area", (1, 2, 5, 6, 7))]
SIZES = [{"scale_factor": 2}, {"scale_factor": 1.7}, {"scale_factor": 0.6}, {"size": 3}, {"size": 11},
         {"scale_factor": 2.3, "recompute_scale_factor": True}]


@pytest.mark.parametrize("mode,shape", MODES)
@pytest.mark.parametrize("kwargs", SIZES, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()))
def test_interpolate_matches_torch(mode, shape, kwargs, device):
    for align_corners in ([None] if mode in ("nearest", "nearest-exact", "area") else [False, True]):
        k = dict(kwargs, mode=mode, align_corners=align_corners)
        # bicubic's negative lobes cancel: near-zero outputs carry ~1e-6 absolute rounding in both libraries
        tol = {"rtol": 1e-5, "atol": 1e-5} if mode == "bicubic" else TIGHT
        check_grads(lambda x: F.interpolate(x, **k), lambda x: TF.interpolate(x, **k), arr(*shape), device=device,
                    **tol)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
@pytest.mark.parametrize("size", [(2, 3), (9, 4), (3, 13), (16, 16), (6, 5)])
def test_interpolate_antialias_matches_torch(mode, size, device):
    for align_corners in (False, True) if mode != "lanczos" else (False,):
        k = {"size": size, "mode": mode, "align_corners": align_corners, "antialias": True}
        check_grads(lambda x: F.interpolate(x, **k), lambda x: TF.interpolate(x, **k), arr(2, 3, 11, 7), device=device,
                    **TIGHT)


def test_interpolate_extreme_factors_and_non_contiguous_input(device):
    for mode, k in [("nearest", {"size": (1, 40)}), ("bilinear", {"size": (1, 40)}), ("bicubic", {"size": (4, 1)}),
                    ("area", {"size": (4, 2)}), ("bilinear", {"scale_factor": (9, 0.5)}),
                    ("nearest-exact", {"scale_factor": (0.3, 3.5)})]:
        check_grads(lambda x: F.interpolate(x, mode=mode, **k), lambda x: TF.interpolate(x, mode=mode, **k),
                    arr(1, 2, 9, 5), device=device, **TIGHT)
    check_grads(lambda x: F.interpolate(x.transpose(2, 3), scale_factor=1.5, mode="bilinear"),
                lambda x: TF.interpolate(x.transpose(2, 3), scale_factor=1.5, mode="bilinear"), arr(2, 3, 5, 4),
                device=device, **TIGHT)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic", "area", "nearest-exact"])
def test_interpolate_gradcheck(mode, device):
    gradchecks(lambda x: F.interpolate(x, size=(3, 5), mode=mode), arr(1, 2, 4, 3).astype(np.float64), device=device)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
def test_interpolate_antialias_gradcheck(mode, device):
    gradchecks(lambda x: F.interpolate(x, size=(2, 7), mode=mode, antialias=True), arr(1, 2, 5, 3).astype(np.float64),
               device=device)


def test_interpolate_integer_nearest_and_grad_fn_names(device):
    x = np.arange(12).reshape(1, 1, 3, 4).astype(np.uint8)
    assert_same(F.interpolate(rustorch.tensor(x, device=device), scale_factor=1.5),
                TF.interpolate(torch.tensor(x), scale_factor=1.5))
    t = rustorch.ones(1, 1, 2, 2, requires_grad=True, device=device)
    assert F.interpolate(t, scale_factor=2).grad_fn.name() == "UpsampleNearest2DBackward0"
    assert F.interpolate(t, scale_factor=2, mode="bilinear").grad_fn.name() == "UpsampleBilinear2DBackward0"
    assert F.interpolate(t, size=2, mode="bilinear").grad_fn.name() == "UpsampleBilinear2DBackward0"  # same size


@pytest.mark.parametrize("call,error", [
    (lambda x: F.interpolate(x, scale_factor=2, mode="linear"), ShapeError),
    (lambda x: F.interpolate(x, scale_factor=2, mode="trilinear"), ShapeError),
    (lambda x: F.interpolate(x[0, 0], scale_factor=2), ShapeError),
    (lambda x: F.interpolate(x, size=(0, 2)), ShapeError),
    (lambda x: F.interpolate(x, scale_factor=0.1), ShapeError),
    (lambda x: F.interpolate(x, size=(2, 2, 2)), InvalidArgumentError),
    (lambda x: F.interpolate(x, size=2, scale_factor=2), InvalidArgumentError),
    (lambda x: F.interpolate(x), InvalidArgumentError),
    (lambda x: F.interpolate(x, scale_factor=2, align_corners=True), InvalidArgumentError),
    (lambda x: F.interpolate(x, size=3, recompute_scale_factor=True), InvalidArgumentError),
    (lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", antialias=True)[:, :, None], None),
    (lambda x: F.interpolate(x, scale_factor=2, antialias=True), InvalidArgumentError),
    (lambda x: F.interpolate(x, scale_factor=2, mode="foo"), InvalidArgumentError),
    (lambda x: F.interpolate(x, scale_factor=2, mode="lanczos"), InvalidArgumentError),
    (lambda x: F.interpolate(x, size=2.5), TypeError),
    (lambda x: F.interpolate(x.long(), scale_factor=2, mode="bilinear"), DTypeError),
])
def test_interpolate_bad_input(call, error):
    x = rustorch.zeros(1, 2, 4, 4)
    if error is None:
        call(x)
        return
    with pytest.raises(error, match="interpolate"):
        call(x)


def test_deprecated_upsample_aliases_warn_and_match(device):
    x = arr(1, 2, 3, 4)
    for ours, theirs in [(F.upsample, TF.upsample), (F.upsample_nearest, TF.upsample_nearest),
                         (F.upsample_bilinear, TF.upsample_bilinear)]:
        with pytest.warns(UserWarning, match="deprecated"):
            got = ours(rustorch.tensor(x, device=device), scale_factor=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_same(got, theirs(torch.tensor(x), scale_factor=2), **TIGHT)


# --- shuffles --------------------------------------------------------------------------------------------------

def test_pixel_and_channel_shuffles_match_torch(device):
    on = {"device": device, **TIGHT}
    check_grads(lambda x: F.pixel_shuffle(x, 2), lambda x: TF.pixel_shuffle(x, 2), arr(2, 3, 8, 3, 4), **on)
    check_grads(lambda x: F.pixel_shuffle(x, 3), lambda x: TF.pixel_shuffle(x, 3), arr(9, 2, 3), **on)
    check_grads(lambda x: F.pixel_unshuffle(x, 3), lambda x: TF.pixel_unshuffle(x, 3), arr(2, 2, 6, 9), **on)
    check_grads(lambda x: F.pixel_unshuffle(x.transpose(-1, -2), 2),
                lambda x: TF.pixel_unshuffle(x.transpose(-1, -2), 2), arr(1, 2, 4, 6), **on)
    check_grads(lambda x: F.channel_shuffle(x, 3), lambda x: TF.channel_shuffle(x, 3), arr(2, 6, 3, 2), **on)
    check_grads(lambda x: F.channel_shuffle(x, 2), lambda x: TF.channel_shuffle(x, 2), arr(2, 4, 5), **on)


@pytest.mark.parametrize("call", [
    lambda: F.pixel_shuffle(rustorch.zeros(4, 3), 2),
    lambda: F.pixel_shuffle(rustorch.zeros(5, 3, 3), 2),
    lambda: F.pixel_unshuffle(rustorch.zeros(1, 4, 5, 6), 2),
    lambda: F.pixel_unshuffle(rustorch.zeros(1, 4, 6, 5), 2),
    lambda: F.channel_shuffle(rustorch.zeros(2, 4), 2),
    lambda: F.channel_shuffle(rustorch.zeros(2, 4, 3), 3),
])
def test_shuffle_bad_shapes(call):
    with pytest.raises(ShapeError, match="shuffle"):
        call()


def test_shuffle_bad_factors():
    with pytest.raises(RuntimeError, match="positive"):
        F.pixel_shuffle(rustorch.zeros(4, 3, 3), 0)
    with pytest.raises(RuntimeError, match="positive"):
        F.channel_shuffle(rustorch.zeros(1, 4, 3), 0)


# --- unfold / fold ---------------------------------------------------------------------------------------------

BLOCKS = [{"kernel_size": 2}, {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)},
          {"kernel_size": 3, "padding": 2, "stride": 3}, {"kernel_size": (1, 4), "padding": (0, 1), "dilation": 2}]


@pytest.mark.parametrize("k", BLOCKS)
def test_unfold_and_fold_match_torch(k, device):
    on = {"device": device, **TIGHT}
    check_grads(lambda x: F.unfold(x, **k), lambda x: TF.unfold(x, **k), arr(2, 3, 7, 8), **on)
    check_grads(lambda x: F.unfold(x, **k), lambda x: TF.unfold(x, **k), arr(3, 7, 8), **on)
    check_grads(lambda x: F.unfold(x.transpose(2, 3), **k), lambda x: TF.unfold(x.transpose(2, 3), **k),
                arr(2, 3, 8, 7), **on)
    rows, blocks = TF.unfold(torch.zeros(1, 3, 7, 8), **k).shape[1:]
    check_grads(lambda x: F.fold(x, (7, 8), **k), lambda x: TF.fold(x, (7, 8), **k), arr(2, rows, blocks), **on)
    check_grads(lambda x: F.fold(x, (7, 8), **k), lambda x: TF.fold(x, (7, 8), **k), arr(rows, blocks), **on)


def test_unfold_fold_gradcheck_and_names(device):
    k = {"kernel_size": 2, "padding": 1, "stride": (1, 2)}
    gradchecks(lambda x: F.unfold(x, **k), arr(1, 2, 3, 4).astype(np.float64), device=device)
    gradchecks(lambda x: F.fold(x, (3, 4), **k), arr(1, 8, 12).astype(np.float64), device=device)
    x = rustorch.ones(1, 2, 3, 4, requires_grad=True, device=device)
    assert F.unfold(x, **k).grad_fn.name() == "Im2ColBackward0"
    assert F.fold(F.unfold(x, **k), (3, 4), **k).grad_fn.name() == "Col2ImBackward0"


@pytest.mark.parametrize("call", [
    lambda: F.unfold(rustorch.zeros(3, 4), 2),
    lambda: F.unfold(rustorch.zeros(1, 3, 2, 2), 3),
    lambda: F.unfold(rustorch.zeros(1, 0, 4, 4), 2),
    lambda: F.fold(rustorch.zeros(1, 5, 9), (4, 4), 2),
    lambda: F.fold(rustorch.zeros(1, 8, 8), (4, 4), 2),
    lambda: F.fold(rustorch.zeros(1, 1, 8, 9), (4, 4), 2),
])
def test_unfold_fold_bad_shapes(call):
    with pytest.raises(ShapeError, match="fold"):
        call()


def test_unfold_bad_arguments():
    with pytest.raises(RuntimeError, match="stride"):
        F.unfold(rustorch.zeros(1, 1, 4, 4), 2, stride=0)
    with pytest.raises(ValueError, match="kernel_size"):
        F.unfold(rustorch.zeros(1, 1, 4, 4), (2, 2, 2))


# --- grid_sample / affine_grid ---------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_matches_torch(mode, padding_mode, align_corners, device):
    k = {"mode": mode, "padding_mode": padding_mode, "align_corners": align_corners}
    # bicubic sums 16 taps per output: float32 rounding of the grid's gradient reaches ~2e-5 in both libraries
    tol = {"rtol": 1e-4, "atol": 1e-4} if mode == "bicubic" else TIGHT
    check_grads(lambda x, g: F.grid_sample(x, g, **k), lambda x, g: TF.grid_sample(x, g, **k),
                arr(2, 3, 5, 6), arr(2, 4, 7, 2, seed=1) * 1.5, device=device, **tol)
    if mode != "bicubic":
        check_grads(lambda x, g: F.grid_sample(x, g, **k), lambda x, g: TF.grid_sample(x, g, **k),
                    arr(2, 3, 4, 5, 6), arr(2, 3, 4, 2, 3, seed=1) * 1.5, device=device, **TIGHT)


@pytest.mark.parametrize("mode,padding_mode", [("bilinear", "zeros"), ("bilinear", "reflection"),
                                                ("bicubic", "border"), ("nearest", "zeros")])
def test_grid_sample_gradcheck(mode, padding_mode, device):
    k = {"mode": mode, "padding_mode": padding_mode, "align_corners": False}
    gradchecks(lambda x, g: F.grid_sample(x, g, **k), arr(1, 2, 3, 4).astype(np.float64),
               arr(1, 2, 3, 2, seed=3).astype(np.float64) * 1.3, device=device)


def test_grid_sample_edges_and_identity(device):
    # grid points exactly on pixel centres and borders: torch counts borders as outside for the gradient
    theta = np.array([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]], np.float32)
    for align_corners in (False, True):
        grid = TF.affine_grid(torch.tensor(theta), (1, 2, 4, 5), align_corners=align_corners).numpy()
        for padding_mode in ("zeros", "border", "reflection"):
            k = {"padding_mode": padding_mode, "align_corners": align_corners}
            check_grads(lambda x, g: F.grid_sample(x, g, **k), lambda x, g: TF.grid_sample(x, g, **k),
                        arr(1, 2, 4, 5), grid * 1.0000001, device=device, **TIGHT)
    image = arr(1, 2, 4, 5)
    ident = F.grid_sample(rustorch.tensor(image, device=device),
                          F.affine_grid(rustorch.tensor(theta, device=device), (1, 2, 4, 5), align_corners=False),
                          align_corners=False)
    np.testing.assert_allclose(ident.cpu().numpy(), image, rtol=1e-5, atol=1e-6)


def test_grid_sample_bad_input():
    x = rustorch.zeros(1, 2, 3, 4)
    with pytest.raises(ShapeError, match="grid_sample"):
        F.grid_sample(x, rustorch.zeros(1, 3, 3, 3), align_corners=False)
    with pytest.raises(ShapeError, match="grid_sample"):
        F.grid_sample(x, rustorch.zeros(2, 3, 3, 2), align_corners=False)
    with pytest.raises(ShapeError, match="bicubic"):
        F.grid_sample(rustorch.zeros(1, 2, 3, 4, 5), rustorch.zeros(1, 1, 1, 1, 3), mode="bicubic", align_corners=False)
    with pytest.raises(DTypeError, match="grid_sample"):
        F.grid_sample(x, rustorch.zeros(1, 3, 3, 2, dtype=rustorch.float64), align_corners=False)
    with pytest.raises(InvalidArgumentError, match="padding_mode"):
        F.grid_sample(x, rustorch.zeros(1, 3, 3, 2), padding_mode="wrap", align_corners=False)
    with pytest.warns(UserWarning, match="align_corners"):
        F.grid_sample(x, rustorch.zeros(1, 3, 3, 2))


@pytest.mark.parametrize("size", [(2, 3, 5, 4), (2, 3, 1, 4), (2, 1, 5, 4, 3)])
@pytest.mark.filterwarnings("ignore:Since version 1.3.0")
def test_affine_grid_matches_torch(size, device):
    theta = arr(2, 2, 3) if len(size) == 4 else arr(2, 3, 4)
    for align_corners in (False, True):
        check_grads(lambda t: F.affine_grid(t, size, align_corners=align_corners),
                    lambda t: TF.affine_grid(t, size, align_corners=align_corners), theta, device=device, **TIGHT)


def test_affine_grid_bad_input():
    with pytest.raises(ShapeError, match="affine_grid"):
        F.affine_grid(rustorch.zeros(1, 3, 4), (1, 1, 2, 2), align_corners=False)
    with pytest.raises(ShapeError, match="affine_grid"):
        F.affine_grid(rustorch.zeros(1, 2, 3), (1, 1, 2), align_corners=False)
    with pytest.raises(DTypeError, match="affine_grid"):
        F.affine_grid(rustorch.zeros(1, 2, 3, dtype=rustorch.int64), (1, 1, 2, 2), align_corners=False)


# --- distances -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [2, 1, 3, 0.5, 0, float("inf")])
def test_pdist_and_pairwise_distance_match_torch(p, device):
    check_grads(lambda x: F.pdist(x, p), lambda x: TF.pdist(x, p), arr(6, 4), device=device, **TIGHT)
    check_grads(lambda a, b: F.pairwise_distance(a, b, p), lambda a, b: TF.pairwise_distance(a, b, p),
                arr(5, 4), arr(4, seed=1), device=device, **TIGHT)


def test_distance_edge_cases(device):
    check_grads(lambda a, b: F.pairwise_distance(a, b), lambda a, b: TF.pairwise_distance(a, b), arr(), arr(seed=1),
                device=device)
    check_grads(lambda a, b: F.pairwise_distance(a, b, keepdim=True), lambda a, b: TF.pairwise_distance(a, b, keepdim=True),
                arr(3), arr(3, seed=1), device=device, **TIGHT)
    check_grads(lambda a, b: F.pairwise_distance(a, b, -1.0), lambda a, b: TF.pairwise_distance(a, b, -1.0),
                arr(3, 5), arr(3, 5, seed=1), device=device, **TIGHT)
    for n in (0, 1):
        assert_same(F.pdist(rustorch.zeros(n, 3, device=device)), TF.pdist(torch.zeros(n, 3)))
    # coincident rows: torch's gradient is 0 where the distance is 0
    x = arr(4, 3)
    x[2] = x[0]
    for p in (2, 3):
        check_grads(lambda t: F.pdist(t, p), lambda t: TF.pdist(t, p), x, device=device, **TIGHT)


@pytest.mark.parametrize("p", [2, 1, 1.5, 0.5, 3, float("inf")])
def test_pdist_gradcheck(p, device):
    # torch has no double backward for pdist (_pdist_backward is not differentiable): first order only
    gradchecks(lambda x: F.pdist(x, p), arr(4, 3).astype(np.float64), second_order=False, device=device)


@pytest.mark.parametrize("dim", [1, 0, -1])
def test_cosine_similarity_matches_torch(dim, device):
    check_grads(lambda a, b: F.cosine_similarity(a, b, dim), lambda a, b: TF.cosine_similarity(a, b, dim),
                arr(3, 4, 5), arr(4, 5, seed=1), device=device, **TIGHT)


def test_cosine_similarity_zero_vectors_and_dtypes(device):
    zero = np.zeros((3, 4), np.float32)
    check_grads(lambda a, b: F.cosine_similarity(a, b), lambda a, b: TF.cosine_similarity(a, b), zero, arr(3, 4),
                device=device, **TIGHT)
    ones = np.ones((2, 3), np.int64)
    assert_same(F.cosine_similarity(rustorch.tensor(ones, device=device), rustorch.ones(2, 3, device=device)),
                TF.cosine_similarity(torch.tensor(ones), torch.ones(2, 3)), **TIGHT)
    with pytest.raises(DTypeError, match="cosine_similarity"):
        F.cosine_similarity(rustorch.tensor(ones), rustorch.tensor(ones))


def test_distance_bad_input():
    with pytest.raises(ShapeError, match="pdist"):
        F.pdist(rustorch.zeros(2, 3, 4))
    with pytest.raises(RuntimeError, match="non-negative"):
        F.pdist(rustorch.zeros(2, 3), p=-1)
    with pytest.raises(DTypeError, match="pdist"):
        F.pdist(rustorch.zeros(2, 3, dtype=rustorch.int64))
    with pytest.raises(ShapeError):
        F.pairwise_distance(rustorch.zeros(2, 3), rustorch.zeros(4))


# --- layers ----------------------------------------------------------------------------------------------------

LAYERS = [
    ("Flatten", (), (2, 3, 4, 5)), ("Flatten", (0, 2), (2, 3, 4, 5)), ("Unflatten", (1, (2, 6)), (3, 12)),
    ("Unflatten", (-1, [3, -1]), (2, 12)),
    ("ZeroPad1d", (2,), (2, 3, 4)), ("ZeroPad2d", ((1, 0, 2, 1),), (2, 3, 4)), ("ZeroPad3d", (1,), (1, 2, 3, 4)),
    ("ConstantPad1d", ((1, 2), 3.5), (3, 4)), ("ConstantPad2d", (1, -1.0), (2, 3, 4, 5)),
    ("ConstantPad3d", ((1, 0, 0, 1, 1, 0), 2.0), (2, 3, 4, 5)),
    ("ReflectionPad1d", (2,), (2, 3, 4)), ("ReflectionPad2d", ((1, 2, 0, 2),), (3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4, 5)),
    ("ReplicationPad1d", ((3, 1),), (3, 4)), ("ReplicationPad2d", (2,), (1, 2, 3, 4)),
    ("ReplicationPad3d", ((1, 2, 0, 1, 2, 0),), (2, 3, 4, 5)),
    ("CircularPad1d", (2,), (2, 3, 4)), ("CircularPad2d", ((1, 0, 2, 1),), (2, 3, 4, 5)),
    ("CircularPad3d", (1,), (2, 2, 3, 4)),
    ("PixelShuffle", (2,), (2, 8, 3, 4)), ("PixelUnshuffle", (2,), (2, 2, 4, 6)), ("ChannelShuffle", (2,), (2, 4, 3, 3)),
    ("Upsample", ((5, 7),), (2, 3, 4, 5)), ("Upsample", (None, 2.5, "bicubic", True), (2, 3, 4, 5)),
    ("Upsample", (None, (2, 1.5, 0.7), "trilinear"), (1, 2, 3, 4, 5)),
    ("Upsample", (None, 1.3, "nearest", None, True), (2, 3, 4, 5)),
    ("UpsamplingNearest2d", (None, 2), (2, 3, 4, 5)), ("UpsamplingBilinear2d", ((6, 3),), (2, 3, 4, 5)),
    ("Unfold", ((2, 3), 1, 1, 2), (2, 3, 5, 6)), ("Fold", ((4, 5), 2), (2, 12, 12)),
    ("Fold", ((6, 5), (3, 2), 1, 1, (2, 1)), (1, 18, 18)),
]


@pytest.mark.parametrize("name,args,shape", LAYERS, ids=[f"{n}{a}" for n, a, _ in LAYERS])
def test_layers_match_torch(name, args, shape, device):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    check_module(ours, theirs, arr(*shape), device=device)


@pytest.mark.parametrize("name,args", [("PairwiseDistance", ()), ("PairwiseDistance", (1.0, 1e-3, True)),
                                       ("CosineSimilarity", ()), ("CosineSimilarity", (0, 1e-3))])
def test_distance_layers_match_torch(name, args, device):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    check_module(ours, theirs, arr(4, 5), arr(4, 5, seed=1), device=device)


def test_layer_attributes_and_bad_input():
    up = nn.Upsample(scale_factor=(2, 3))
    assert up.scale_factor == (2.0, 3.0) and up.name == "Upsample" and up.mode == "nearest"
    assert nn.PairwiseDistance(p=3).norm == 3
    with pytest.raises(TypeError, match="unflattened_size"):
        nn.Unflatten(1, 6)
    with pytest.raises(TypeError, match="pos 1"):
        nn.Unflatten(1, (2, 3.0))
    with pytest.raises(ValueError, match="CircularPad2d"):
        nn.CircularPad2d(1)(rustorch.zeros(2, 3))
    with pytest.raises(RusTorchError):
        nn.ReflectionPad2d(3)(rustorch.zeros(1, 2, 3))
    with pytest.raises(ShapeError):
        nn.PixelShuffle(2)(rustorch.zeros(1, 3, 2, 2))
