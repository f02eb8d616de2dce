"""Matrix products, fused addmm-style ops, tensordot, kron and einsum against torch."""
import warnings

import pytest
import torch

import rustorch
from rustorch.errors import DTypeError, InvalidArgumentError, ShapeError, ValueOutOfRangeError
from conftest import assert_same, from_torch, skip_complex_off_cpu

FLOATS = [torch.float32, torch.float64]


def rand(*shape, dtype=torch.float64):
    if not dtype.is_floating_point and not dtype.is_complex:
        return torch.randint(-3, 4, shape, dtype=dtype)
    return torch.randn(shape, dtype=torch.float64).to(dtype)


def close(rt, expected, dtype=None):
    dtype = dtype or expected.dtype
    tol = {torch.float32: 1e-4, torch.float16: 1e-2, torch.bfloat16: 5e-2}.get(dtype)
    assert_same(rt, expected, rtol=tol, atol=tol)


MATMUL_SHAPES = [
    ((3,), (3,)), ((0,), (0,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((5, 2, 3), (3,)), ((3,), (5, 3, 4)),
    ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((5, 1, 2, 3), (6, 3, 4)), ((1, 2, 3), (4, 3, 2)),
    ((2, 0), (0, 3)), ((0, 3), (3, 4)), ((2, 3), (3, 0)), ((0, 2, 3), (3, 4)), ((64, 200), (200, 48)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_shapes(device, sa, sb, dtype):
    ta, tb = rand(*sa, dtype=dtype), rand(*sb, dtype=dtype)
    a, b = from_torch(ta, device), from_torch(tb, device)
    close(rustorch.matmul(a, b), torch.matmul(ta, tb))
    close(a @ b, ta @ tb)


# sizes off the GEMM's tiles (32, 64, 128), vectors, broadcast batches (a batch of 1 or a missing batch dim),
EDGE_SHAPES = [((130, 70), (70, 129)), ((1, 257), (257, 1)), ((3, 2, 65, 17), (17, 66)), ((2, 1, 33, 9), (4, 9, 31)),
               ((129, 1), (1, 130)), ((7, 200, 3), (3, 1)), ((5, 3), (2, 4, 3, 9)),
               ((4100,), (4100,)), ((3, 2, 1500), (1500, 2))]  # few tiles, a long K: split along K


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64,
                                   torch.int32, torch.int16, torch.int8, torch.uint8])
@pytest.mark.parametrize("sa,sb", EDGE_SHAPES)
def test_matmul_edge_tiles_and_broadcast(device, sa, sb, dtype):
    # integer products wrap around as torch's do (int8 sums of 257 products overflow)
    ta, tb = rand(*sa, dtype=torch.int16).to(dtype) if dtype == torch.uint8 else rand(*sa, dtype=dtype), \
        rand(*sb, dtype=torch.int16).to(dtype) if dtype == torch.uint8 else rand(*sb, dtype=dtype)
    close(from_torch(ta, device) @ from_torch(tb, device), ta @ tb)


def test_matmul_strided_operands_off_tiles(device):
    ta, tb = rand(140, 150, dtype=torch.float32), rand(150, 160, dtype=torch.float32)
    a, b = from_torch(ta, device), from_torch(tb, device)
    cases = [(b.t()[:133, :149], a.t()[:149, :131]),  # both transposed: A walked along M, B along K
             (a[::2, ::3], b[::3, ::2]),  # no unit stride at all
             (a[1:], b[:, 5:].t().contiguous().t())]  # an offset and a column-major B
    for (ra, rb), (xa, xb) in zip(cases, [(tb.t()[:133, :149], ta.t()[:149, :131]), (ta[::2, ::3], tb[::3, ::2]),
                                          (ta[1:], tb[:, 5:])]):
        close(ra @ rb, xa @ xb)
    # a batch whose rows do not step evenly (a transposed batch) against one matrix, into a transposed out
    tx = rand(9, 4, 150, dtype=torch.float32)
    x = from_torch(tx, device)
    close(x.transpose(0, 1) @ b, tx.transpose(0, 1) @ tb)
    out = rustorch.empty(160, 9, device=device).t()
    rustorch.mm(x[:, 0], b, out=out)
    close(out, tx[:, 0] @ tb)


@pytest.mark.parametrize("layout", ["transposed", "sliced", "expanded", "batch_transposed"])
def test_matmul_non_contiguous(device, layout):
    ta, tb = rand(6, 4, 8), rand(6, 8, 5)
    a, b = from_torch(ta, device), from_torch(tb, device)
    if layout == "transposed":
        pairs = [(b.transpose(1, 2), a.transpose(1, 2), tb.transpose(1, 2), ta.transpose(1, 2))]
    elif layout == "sliced":
        pairs = [(a[::2, :, ::2], b[::2, ::2, 1:], ta[::2, :, ::2], tb[::2, ::2, 1:])]
    elif layout == "expanded":
        pairs = [(a[:1].expand(6, 4, 8), b, ta[:1].expand(6, 4, 8), tb)]
    else:
        pairs = [(a.permute(1, 0, 2)[:, :1].expand(4, 6, 8).permute(1, 0, 2), b,
                  ta.permute(1, 0, 2)[:, :1].expand(4, 6, 8).permute(1, 0, 2), tb)]
    for ra, rb, xa, xb in pairs:
        close(ra @ rb, xa @ xb)
        close(rustorch.bmm(ra, rb), torch.bmm(xa, xb))
        close(ra[0] @ rb[0], xa[0] @ xb[0])
        close(rustorch.mv(ra[1], rb[1, :, 0]), torch.mv(xa[1], xb[1, :, 0]))


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64, torch.float16, torch.bfloat16, torch.complex64,
                                   torch.complex128])
def test_matmul_dtypes(device, dtype):
    if dtype.is_complex:
        skip_complex_off_cpu(device)
    for sa, sb in [((3,), (3,)), ((2, 3), (3, 4)), ((4, 2, 3), (3,)), ((4, 2, 3), (4, 3, 5))]:
        ta, tb = rand(*sa, dtype=dtype), rand(*sb, dtype=dtype)
        close(from_torch(ta, device) @ from_torch(tb, device), ta @ tb)


def test_matmul_errors(device):
    f32, f64 = rustorch.ones(2, 3, device=device), rustorch.ones(3, 2, dtype=rustorch.float64, device=device)
    with pytest.raises(DTypeError, match=r"matmul\(\): expected m1 and m2 to have the same dtype, but got: rustorch.float32 != rustorch.float64"):
        rustorch.matmul(f32, f64)
    with pytest.raises(ShapeError, match=r"matmul\(\): shapes \[2, 3\] and \[4, 5\] cannot be multiplied \(2x3 and 4x5\)"):
        f32 @ rustorch.ones(4, 5, device=device)
    with pytest.raises(ShapeError, match=r"matmul\(\): shapes \[3\] and \[4\] cannot be multiplied"):
        rustorch.ones(3, device=device) @ rustorch.ones(4, device=device)
    with pytest.raises(ShapeError, match=r"matmul\(\): shapes \[7, 2, 3\] and \[6, 3, 5\]|matmul\(\).*\[7\] and \[6\]"):
        rustorch.ones(7, 2, 3, device=device) @ rustorch.ones(6, 3, 5, device=device)
    with pytest.raises(ShapeError, match=r"matmul\(\): both arguments to matmul need to be at least 1D, but they are 0D and 2D"):
        rustorch.matmul(rustorch.tensor(1.0, device=device), f32)
    with pytest.raises(DTypeError, match=r"matmul\(\): not implemented for bool"):
        rustorch.ones(2, 2, dtype=rustorch.bool, device=device) @ rustorch.ones(2, 2, dtype=rustorch.bool, device=device)


def test_mm_bmm_mv_dot_strict(device):
    m = rustorch.ones(2, 3, device=device)
    with pytest.raises(ShapeError, match=r"mm\(\): self must be a matrix.*\[3\]"):
        rustorch.mm(rustorch.ones(3, device=device), m)
    with pytest.raises(ShapeError, match=r"mm\(\): mat2 must be a matrix"):
        rustorch.mm(m, rustorch.ones(3, device=device))
    with pytest.raises(ShapeError, match=r"mm\(\): mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x2\)"):
        rustorch.mm(m, rustorch.ones(4, 2, device=device))
    with pytest.raises(ShapeError, match=r"bmm\(\): batch1 must be a 3D tensor.*\[2, 3\]"):
        rustorch.bmm(m, rustorch.ones(2, 3, 2, device=device))
    with pytest.raises(ShapeError, match=r"bmm\(\): Expected size for first two dimensions of batch2 tensor to be: \[2, 3\] but got: \[1, 3\]"):
        rustorch.bmm(rustorch.ones(2, 2, 3, device=device), rustorch.ones(1, 3, 2, device=device))
    with pytest.raises(ShapeError, match=r"mv\(\): size mismatch, got mat \(2x3\), vec \(4\)"):
        rustorch.mv(m, rustorch.ones(4, device=device))
    with pytest.raises(ShapeError, match=r"mv\(\): vec must be a vector"):
        rustorch.mv(m, rustorch.ones(3, 1, device=device))
    with pytest.raises(ShapeError, match=r"dot\(\): 1D tensors expected, but got 2D and 1D tensors"):
        rustorch.dot(m, rustorch.ones(3, device=device))
    with pytest.raises(ShapeError, match=r"dot\(\): inconsistent tensor size, expected tensor \[3\] and src \[4\]"):
        rustorch.dot(rustorch.ones(3, device=device), rustorch.ones(4, device=device))
    with pytest.raises(DTypeError, match=r"dot\(\): expected both vectors to have the same dtype"):
        rustorch.dot(rustorch.ones(3, device=device), rustorch.ones(3, dtype=rustorch.float64, device=device))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.complex128])
def test_mm_bmm_mv_dot_vdot(device, dtype):
    if dtype.is_complex:
        skip_complex_off_cpu(device)
    a, b, c = rand(4, 5, dtype=dtype), rand(5, 3, dtype=dtype), rand(5, dtype=dtype)
    ra, rb, rc = (from_torch(t, device) for t in (a, b, c))
    close(rustorch.mm(ra, rb), torch.mm(a, b))
    close(ra.mm(rb), a.mm(b))
    close(rustorch.mv(ra, rc), torch.mv(a, c))
    close(rustorch.dot(rc, rc), torch.dot(c, c))
    close(rc.dot(rc), c.dot(c))
    close(rustorch.vdot(rc, rc), torch.vdot(c, c))
    ba, bb = rand(3, 4, 5, dtype=dtype), rand(3, 5, 2, dtype=dtype)
    close(rustorch.bmm(from_torch(ba, device), from_torch(bb, device)), torch.bmm(ba, bb))
    close(rustorch.bmm(from_torch(ba[:, :0], device), from_torch(bb, device)), torch.bmm(ba[:, :0], bb))


def test_inner_outer(device):
    for sa, sb in [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (4, 3)), ((2, 1, 3), (5, 3)), ((), (4, 3)), ((2, 3), ())]:
        a, b = rand(*sa), rand(*sb)
        close(rustorch.inner(from_torch(a, device), from_torch(b, device)), torch.inner(a, b))
    a, b = rand(3, dtype=torch.int64), rand(4)
    ra, rb = from_torch(a, device), from_torch(b, device)
    close(rustorch.outer(ra, rb), torch.outer(a, b))  # promotes, as torch
    close(rustorch.ger(rb, rb), torch.ger(b, b))
    close(ra.outer(ra), a.outer(a))
    with pytest.raises(ShapeError, match=r"outer\(\): Expected 1-D argument self, but got 2-D"):
        rustorch.outer(rustorch.ones(3, 1, device=device), rb)
    with pytest.raises(ShapeError, match=r"inner\(\): the last dimension must match.*\[3, 2\] and \[3\]"):
        rustorch.inner(rustorch.ones(3, 2, device=device), rustorch.ones(3, device=device))


def test_fused_add_products(device):
    inp, m1, m2, v = rand(3), rand(2, 4), rand(4, 3), rand(4)
    rin, r1, r2, rv = (from_torch(t, device) for t in (inp, m1, m2, v))
    for beta, alpha in [(1, 1), (2, 0.5), (0, 3), (0.5, 0)]:
        close(rustorch.addmm(rin, r1, r2, beta=beta, alpha=alpha), torch.addmm(inp, m1, m2, beta=beta, alpha=alpha))
        close(rustorch.addmv(from_torch(inp[:2], device), r1, rv, beta=beta, alpha=alpha),
              torch.addmv(inp[:2], m1, v, beta=beta, alpha=alpha))
    b1, b2, bin_ = rand(5, 2, 4), rand(5, 4, 3), rand(5, 2, 3)
    rb1, rb2, rbin = (from_torch(t, device) for t in (b1, b2, bin_))
    close(rustorch.baddbmm(rbin, rb1, rb2, beta=0.5, alpha=2), torch.baddbmm(bin_, b1, b2, beta=0.5, alpha=2))
    close(rustorch.addbmm(rin, rb1, rb2, alpha=2), torch.addbmm(inp, b1, b2, alpha=2))
    nan_in = rustorch.full((2, 3), float("nan"), dtype=rustorch.float64, device=device)
    close(rustorch.addmm(nan_in, r1, r2, beta=0), torch.addmm(torch.full((2, 3), float("nan"), dtype=torch.float64), m1, m2, beta=0))
    # in place
    x, tx = from_torch(bin_[0].clone(), device), bin_[0].clone()
    assert x.addmm_(r1, r2, beta=2) is x
    close(x, tx.addmm_(m1, m2, beta=2))
    y, ty = from_torch(bin_.clone(), device), bin_.clone()
    y.baddbmm_(rb1, rb2, alpha=0.5)
    close(y, ty.baddbmm_(b1, b2, alpha=0.5))
    with pytest.raises(ShapeError, match=r"addmm_\(\): the result of shape \[2, 3\] does not match self of shape \[3\]"):
        rin.addmm_(r1, r2)
    with pytest.raises(DTypeError, match=r"addmm\(\): self and mat2 must have the same dtype"):
        rustorch.addmm(rin.float(), r1, r2)
    with pytest.raises(ShapeError, match=r"addmm\(\)"):
        rustorch.addmm(rustorch.ones(4, dtype=rustorch.float64, device=device), r1, r2)
    out = rustorch.empty(0, dtype=rustorch.float64, device=device)
    assert rustorch.addmm(rin, r1, r2, out=out) is out
    close(out, torch.addmm(inp, m1, m2))


def test_out_and_chain(device):
    a, b = rand(2, 3), rand(3, 4)
    ra, rb = from_torch(a, device), from_torch(b, device)
    out = rustorch.empty(1, dtype=rustorch.float64, device=device)
    assert rustorch.matmul(ra, rb, out=out) is out
    close(out, a @ b)
    out = rustorch.empty(2, 4, dtype=rustorch.float64, device=device).t()
    rustorch.mm(ra, rb, out=out)
    close(out, a @ b)
    with pytest.raises(DTypeError, match=r"mm\(\): expected out tensor to have dtype rustorch.float64"):
        rustorch.mm(ra, rb, out=rustorch.empty(2, 4, device=device))
    c = rand(4, 2)
    with warnings.catch_warnings():  # torch's deprecation warning comes once per process (not per device)
        warnings.simplefilter("ignore", UserWarning)
        expected = torch.chain_matmul(a, b, c)
    close(rustorch.chain_matmul(ra, rb, from_torch(c, device)), expected)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64])
def test_tensordot(device, dtype):
    cases = [((3, 4, 5), (4, 5, 2), 2), ((3, 4), (4, 5), 1), ((3, 4), (5, 6), 0), ((2, 3, 4), (4, 3, 2), ([1, 0], [1, 2])),
             ((2, 3, 4), (3, 4), ([-1, 1], [-1, 0])), ((3, 0), (0, 2), 1), ((2, 3), (2, 3), 2), ((3,), (3,), ([0], [0]))]
    for sa, sb, dims in cases:
        a, b = rand(*sa, dtype=dtype), rand(*sb, dtype=dtype)
        ra, rb = from_torch(a, device), from_torch(b, device)
        close(rustorch.tensordot(ra, rb, dims), torch.tensordot(a, b, dims))
    a, b = rand(4, 3, dtype=dtype), rand(5, 4, dtype=dtype)  # non-contiguous operands
    close(rustorch.tensordot(from_torch(a, device).t(), from_torch(b, device)[::2].t(), 1), torch.tensordot(a.t(), b[::2].t(), 1))


def test_tensordot_errors(device):
    a, b = rustorch.ones(2, 3, device=device), rustorch.ones(4, 4, device=device)
    with pytest.raises(ShapeError, match=r"tensordot\(\): contracted dimensions need to match, but first has size 3 in dim 1 and second has size 4 in dim 0"):
        rustorch.tensordot(a, b, 1)
    with pytest.raises(ShapeError, match=r"tensordot\(\): both dimension lists should have same length"):
        rustorch.tensordot(a, b, ([0], [0, 1]))
    with pytest.raises(ValueOutOfRangeError, match=r"tensordot\(\): expects dims >= 0, but got dims=-1"):
        rustorch.tensordot(a, b, -1)
    with pytest.raises(ValueOutOfRangeError, match=r"tensordot\(\): expects dims <= ndim"):
        rustorch.tensordot(a, b, 3)
    with pytest.raises(DTypeError, match=r"tensordot\(\): expected both inputs to have the same dtype"):
        rustorch.tensordot(a, rustorch.ones(3, 4, dtype=rustorch.float64, device=device), 1)


def test_kron(device):
    for sa, sb, da, db in [((2, 3), (3, 2), torch.float64, torch.float64), ((2,), (2, 3), torch.int64, torch.float32),
                           ((2, 1, 3), (4,), torch.float32, torch.float32), ((), (2,), torch.float64, torch.float64),
                           ((0, 2), (2, 2), torch.float64, torch.float64)]:
        a, b = rand(*sa, dtype=da), rand(*sb, dtype=db)
        close(rustorch.kron(from_torch(a, device), from_torch(b, device)), torch.kron(a, b))


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("ij->", [(2, 3)]), ("ij->ji", [(2, 3)]), ("i,j->ij", [(2,), (3,)]),
    ("i,i->", [(4,), (4,)]), ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]), ("...i->i", [(2, 3)]), ("i...->...", [(2, 3)]),
    ("b i j , b j k -> b k", [(2, 3, 4), (2, 4, 5)]), ("bij,bjk", [(5, 2, 3), (1, 3, 4)]), ("ij,jk->ik", [(2, 1), (4, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]), ("Ab,bA->A", [(3, 2), (2, 3)]), ("i->", [(0,)]), ("ij,jk->ik", [(2, 0), (0, 3)]),
    ("...", [()]), ("ij...,jk...->ik...", [(2, 3, 4), (3, 5, 1)]),
    # several letters per matrix dim (merged by strides or copied), diagonals with contractions, sums of letters
    # one operand has, three operands sharing a batch letter
    ("bhqd,bhkd->bhqk", [(2, 3, 5, 4), (2, 3, 6, 4)]), ("ijk,jil->kl", [(3, 4, 5), (4, 3, 6)]),
    ("iij,jk->ik", [(3, 3, 4), (4, 2)]), ("ab,cd->", [(2, 3), (4, 5)]), ("abc,c->ba", [(2, 3, 4), (4,)]),
    ("ij,ij,ij->i", [(3, 4), (3, 4), (3, 4)]), ("ijk->kji", [(2, 3, 4)]), ("ab,bc->ca", [(67, 33), (33, 70)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES)
def test_einsum(device, eq, shapes):
    ts = [rand(*s) for s in shapes]
    close(rustorch.einsum(eq, *[from_torch(t, device) for t in ts]), torch.einsum(eq, *ts))


def test_einsum_forms_and_dtypes(device):
    a, b = rand(2, 3), rand(3, 4)
    ra, rb = from_torch(a, device), from_torch(b, device)
    close(rustorch.einsum("ij,jk", [ra, rb]), torch.einsum("ij,jk", [a, b]))
    close(rustorch.einsum(ra, [0, 1], rb, [1, 2], [0, 2]), torch.einsum(a, [0, 1], b, [1, 2], [0, 2]))
    close(rustorch.einsum(ra, [Ellipsis, 1], rb, [1, 2]), torch.einsum(a, [Ellipsis, 1], b, [1, 2]))
    close(rustorch.einsum("ij,jk->ik", ra.t().t(), rb[:, ::2]), torch.einsum("ij,jk->ik", a, b[:, ::2]))
    for dtype in (torch.float32, torch.int64, torch.float16, torch.bfloat16, torch.int8, torch.complex64):
        if dtype.is_complex and device != "cpu":
            continue  # complex tensors live on the CPU only (conftest.skip_complex_off_cpu)
        x, y = rand(3, 4, dtype=dtype), rand(4, 2, dtype=dtype)
        close(rustorch.einsum("ij,jk->ki", from_torch(x, device), from_torch(y, device)), torch.einsum("ij,jk->ki", x, y))


def test_einsum_errors(device):
    a, b = rustorch.ones(2, 3, device=device), rustorch.ones(4, 4, device=device)
    with pytest.raises(ShapeError, match=r"einsum\(\): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3"):
        rustorch.einsum("ij,jk", a, b)
    with pytest.raises(InvalidArgumentError, match=r"einsum\(\): fewer operands"):
        rustorch.einsum("ij,jk", a)
    with pytest.raises(InvalidArgumentError, match=r"einsum\(\): more operands"):
        rustorch.einsum("ij", a, b)
    with pytest.raises(ShapeError, match=r"einsum\(\): the number of subscripts in the equation \(3\) does not match the number of dimensions \(2\) for operand 0"):
        rustorch.einsum("ijk,jk", a, b)
    with pytest.raises(ShapeError, match=r"einsum\(\): subscript i is repeated for operand 0 but the sizes don't match, 2 != 3"):
        rustorch.einsum("ii", a)
    with pytest.raises(InvalidArgumentError, match=r"einsum\(\): output subscript i appears more than once"):
        rustorch.einsum("i->ii", rustorch.ones(2, device=device))
    with pytest.raises(InvalidArgumentError, match=r"einsum\(\): output subscript j does not appear"):
        rustorch.einsum("i->j", rustorch.ones(2, device=device))
    with pytest.raises(InvalidArgumentError, match=r"einsum\(\): invalid subscript given at index 1"):
        rustorch.einsum("i1", rustorch.ones(2, device=device))
    with pytest.raises(DTypeError, match=r"einsum\(\): expected all operands to have the same dtype"):
        rustorch.einsum("i,i", rustorch.ones(2, device=device), rustorch.ones(2, dtype=rustorch.float64, device=device))
