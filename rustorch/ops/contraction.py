"""Contractions: matmul and its 1-D/2-D/batched relatives, addmm-style fused forms, tensordot, kron, einsum.

As in torch, the operands of a matrix product must share a dtype (no type
promotion); ``outer`` and ``kron`` are elementwise products and do promote.
The backend's ``matmul`` (batched, strided GEMM) and ``einsum`` primitives do
the arithmetic.

>>> import rustorch
>>> a = rustorch.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> a @ rustorch.tensor([1.0, 1.0])
tensor([3., 7.])
"""
from .. import _dtype
from ..autograd.grad_mode import STATE, no_grad
from ..autograd.graph import check_inplace, needs_grad, record
from ..errors import DTypeError, InvalidArgumentError, InvalidTypeError, ShapeError, ValueOutOfRangeError
from ..tensor import _make, contiguous_strides, numel_of, view_of
from ._common import Tensor, broadcast_shapes, check_same_device, check_tensor, empty_tensor, wrap_dim, write_out
from .elementwise import add, conj, mul
from .reduction import sum as _sum
from .views import _embed, diagonal, expand, permute, reshape, squeeze, transpose, unsqueeze


# helpers -------------------------------------------------------------------------------------
def _check_operands(op, a, b, names=("input", "other")):
    check_tensor(op, a, names[0])
    check_tensor(op, b, names[1])
    check_same_device(op, a, b)


def _same_dtype(op, a, b, what="m1 and m2"):
    if a.dtype is not b.dtype:
        raise DTypeError(f"{op}(): expected {what} to have the same dtype, but got: {a.dtype} != {b.dtype}")
    if a.dtype is _dtype.bool_:
        raise DTypeError(f"{op}(): not implemented for bool tensors")


def _check_ndim(op, t, ndim, name):
    if t.ndim != ndim:
        kind = {1: "a vector", 2: "a matrix", 3: "a 3D tensor"}[ndim]
        raise ShapeError(f"{op}(): {name} must be {kind}, but got a {t.ndim}-D tensor of shape {list(t._shape)}")


def _reshaped(t, shape):
    """The fresh, contiguous ``t`` with ``shape`` (same number of elements), as a tensor of its own: nobody else
    holds ``t``, so the result need not be a view (torch's _unsafe_view)."""
    shape = tuple(shape)
    return _make(t._storage, shape, contiguous_strides(shape), t._offset, t.dtype)


def _emit(op, result, out, inputs=()):
    """``result``, or ``out`` (same dtype required, as torch) resized and holding it.

    out= is not differentiable: as torch, it is an error when one of ``inputs`` (or out) requires grad."""
    if out is None:
        return result
    check_tensor(op, out, "out")
    check_inplace(op, out, inputs)
    if out.dtype is not result.dtype:
        raise DTypeError(f"{op}(): expected out tensor to have dtype {result.dtype}, but got {out.dtype} instead")
    return write_out(op, result, out)


def _matmul(a, b):
    """a (..., M, K) @ b (..., K, N) with broadcast batch dims, into a fresh tensor (checks already done)."""
    m, k = a._shape[-2:]
    n = b._shape[-1]
    shape = broadcast_shapes("matmul", a._shape[:-2], b._shape[:-2]) + (m, n)
    result = empty_tensor(shape, a.dtype, a.device)
    if numel_of(shape):
        backend = result._storage.backend
        if k == 0:
            backend.fill_(result, 0)
        else:
            backend.matmul(a, b, result)
    return result


# gradients -----------------------------------------------------------------------------------
def _record_product(name, a, b, result):
    """Record ``result = matmul(a, b)`` (torch's rank rules); each operand is kept only if the other needs a grad."""
    record(name, _product_backward, (a, b), result,
           (a.ndim, b.ndim, a if b.requires_grad else None, b if a.requires_grad else None))


def _product_backward(node, grad, da, db, a, b):
    return _product_grads(grad, a, b, da, db, *node.needs_input_grad)


def _mH(t):
    # the conjugate transpose of the last two dims; for real t a view the GEMM reads transposed, without a copy
    return conj(transpose(t, -2, -1))


def _gemm(x, y):
    """x @ y (both at least 2-D) in a formula: the recorded op under create_graph, else the GEMM on the views."""
    return matmul(x, y) if STATE.enabled else _matmul(x, y)


def _product_grads(grad, a, b, da, db, need_a, need_b):
    """The gradients of matmul(a, b) for a da-D ``a`` and a db-D ``b``: grad @ b^H and a^H @ grad.

    ``a`` is only read (may be None) when ``need_b``, ``b`` when ``need_a``. Gradients over broadcast batch dims
    are returned unsummed: the engine sums them back to the operand's shape."""
    if da == 1 and db == 1:  # dot: grad is 0-d
        return (mul(grad, conj(b)) if need_a else None), (mul(grad, conj(a)) if need_b else None)
    # a 1-D operand is the row (a) or column (b) matrix matmul made of it; grad gets that dim back
    if da == 1:
        grad = unsqueeze(grad, -2)
        a = unsqueeze(a, 0) if need_b else None
    if db == 1:
        grad = unsqueeze(grad, -1)
        b = unsqueeze(b, -1) if need_a else None
    grad_a = grad_b = None
    if need_a:
        grad_a = _gemm(grad, _mH(b))
        if da == 1:
            grad_a = squeeze(grad_a, -2)
    if need_b:
        if db <= 2 and a.ndim > 2:
            # every batch of a meets the same matrix b: one GEMM over the stacked rows, no batch of grads to sum
            k, n = a._shape[-1], grad._shape[-1]
            grad_b = _gemm(_mH(reshape(a, (numel_of(a._shape[:-1]), k))), reshape(grad, (numel_of(grad._shape[:-1]), n)))
        else:
            grad_b = _gemm(_mH(a), grad)
        if db == 1:
            grad_b = squeeze(grad_b, -1)
    return grad_a, grad_b


def _product_name(da, db):
    # torch's node for the product a matmul of these ranks runs (it may wrap it in views)
    if da == 1 and db == 1:
        return "DotBackward0"
    if db == 1 or (da == 1 and db > 2):
        return "MvBackward0"
    if db == 2 or da == 1:
        return "MmBackward0"
    return "BmmBackward0"


# matrix products -----------------------------------------------------------------------------
def matmul(input, other, *, out=None):
    """Matrix product with torch's rules: 1-D @ 1-D is a dot product (0-d), a 1-D operand becomes a
    row (left) or column (right) vector that is removed again, and batch dims broadcast.

    >>> import rustorch
    >>> rustorch.matmul(rustorch.ones(5, 2, 3), rustorch.ones(3)).shape
    rustorch.Size([5, 2])
    """
    _check_operands("matmul", input, other)
    da, db = input.ndim, other.ndim
    if da == 0 or db == 0:
        raise ShapeError(f"matmul(): both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    _same_dtype("matmul", input, other)
    a = input if da > 1 else view_of(input, (1,) + input._shape, (0,) + input._stride, input._offset)
    b = other if db > 1 else view_of(other, other._shape + (1,), other._stride + (0,), other._offset)
    if a._shape[-1] != b._shape[-2]:
        raise ShapeError(f"matmul(): shapes {list(input._shape)} and {list(other._shape)} cannot be multiplied "
                         f"({a._shape[-2]}x{a._shape[-1]} and {b._shape[-2]}x{b._shape[-1]})")
    result = _matmul(a, b)
    if da == 1 or db == 1:
        result = _reshaped(result, result._shape[:-2] + result._shape[-2:-1] * (da > 1) + result._shape[-1:] * (db > 1))
    if out is not None:
        return _emit("matmul", result, out, (input, other))
    if STATE.enabled and (input.requires_grad or other.requires_grad):
        _record_product(_product_name(da, db), input, other, result)
    return result


def mm(input, mat2, *, out=None):
    """Product of two matrices (no broadcasting).

    >>> import rustorch
    >>> rustorch.mm(rustorch.ones(2, 3), rustorch.ones(3, 4)).shape
    rustorch.Size([2, 4])
    """
    _check_operands("mm", input, mat2, ("input", "mat2"))
    _check_ndim("mm", input, 2, "self")
    _check_ndim("mm", mat2, 2, "mat2")
    _same_dtype("mm", input, mat2)
    if input._shape[1] != mat2._shape[0]:
        raise ShapeError(f"mm(): mat1 and mat2 shapes cannot be multiplied ({input._shape[0]}x{input._shape[1]} and "
                         f"{mat2._shape[0]}x{mat2._shape[1]})")
    result = _matmul(input, mat2)
    if out is not None:
        return _emit("mm", result, out, (input, mat2))
    if STATE.enabled and (input.requires_grad or mat2.requires_grad):
        _record_product("MmBackward0", input, mat2, result)
    return result


def bmm(input, mat2, *, out=None):
    """Batched product of (B, n, m) and (B, m, p) tensors (no broadcasting).

    >>> import rustorch
    >>> rustorch.bmm(rustorch.ones(4, 2, 3), rustorch.ones(4, 3, 5)).shape
    rustorch.Size([4, 2, 5])
    """
    _check_operands("bmm", input, mat2, ("input", "mat2"))
    _check_ndim("bmm", input, 3, "batch1")
    _check_ndim("bmm", mat2, 3, "batch2")
    _same_dtype("bmm", input, mat2)
    expected = [input._shape[0], input._shape[2]]
    if list(mat2._shape[:2]) != expected:
        raise ShapeError(f"bmm(): Expected size for first two dimensions of batch2 tensor to be: {expected} but got: "
                         f"{list(mat2._shape[:2])} (batch1 {list(input._shape)}, batch2 {list(mat2._shape)})")
    result = _matmul(input, mat2)
    if out is not None:
        return _emit("bmm", result, out, (input, mat2))
    if STATE.enabled and (input.requires_grad or mat2.requires_grad):
        _record_product("BmmBackward0", input, mat2, result)
    return result


def mv(input, vec, *, out=None):
    """Matrix-vector product.

    >>> import rustorch
    >>> rustorch.mv(rustorch.ones(2, 3), rustorch.ones(3))
    tensor([3., 3.])
    """
    _check_operands("mv", input, vec, ("input", "vec"))
    _check_ndim("mv", input, 2, "mat")
    _check_ndim("mv", vec, 1, "vec")
    _same_dtype("mv", input, vec)
    if input._shape[1] != vec._shape[0]:
        raise ShapeError(f"mv(): size mismatch, got mat ({input._shape[0]}x{input._shape[1]}), vec ({vec._shape[0]})")
    return matmul(input, vec, out=out)


def dot(input, other, *, out=None):
    """Dot product of two 1-D tensors of the same size and dtype (a 0-d tensor).

    >>> import rustorch
    >>> rustorch.dot(rustorch.tensor([1, 2]), rustorch.tensor([3, 4]))
    tensor(11)
    """
    _check_operands("dot", input, other)
    if input.ndim != 1 or other.ndim != 1:
        raise ShapeError(f"dot(): 1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors "
                         f"(shapes {list(input._shape)} and {list(other._shape)})")
    _same_dtype("dot", input, other, "both vectors")
    if input._shape != other._shape:
        raise ShapeError(f"dot(): inconsistent tensor size, expected tensor [{input._shape[0]}] and src "
                         f"[{other._shape[0]}] to have the same number of elements")
    return matmul(input, other, out=out)


def vdot(input, other, *, out=None):
    """Dot product with the first vector conjugated.

    >>> import rustorch
    >>> rustorch.vdot(rustorch.tensor([1j]), rustorch.tensor([1j]))
    tensor(1.+0.j)
    """
    _check_operands("vdot", input, other)
    if out is None and STATE.enabled and (input.requires_grad or other.requires_grad):
        with no_grad():
            result = dot(conj(input), other)
        record("VdotBackward0", _vdot_backward, (input, other), result,
               (input if other.requires_grad else None, other if input.requires_grad else None))
        return result
    return dot(conj(input), other, out=out)


def _vdot_backward(node, grad, a, b):
    need_a, need_b = node.needs_input_grad
    return (mul(conj(grad), b) if need_a else None), (mul(grad, a) if need_b else None)


def inner(input, other, *, out=None):
    """Sum of products over the last dims; a 0-d operand multiplies instead.

    >>> import rustorch
    >>> rustorch.inner(rustorch.ones(2, 3), rustorch.ones(4, 3)).shape
    rustorch.Size([2, 4])
    """
    _check_operands("inner", input, other)
    if input.ndim == 0 or other.ndim == 0:
        return mul(input, other, out=out)
    if input._shape[-1] != other._shape[-1]:
        raise ShapeError(f"inner(): the last dimension must match on both input tensors but got shapes "
                         f"{list(input._shape)} and {list(other._shape)}")
    return tensordot(input, other, ([-1], [-1]), out=out)


def outer(input, vec2, *, out=None):
    """Outer product of two vectors (types promote, as for ``mul``).

    >>> import rustorch
    >>> rustorch.outer(rustorch.tensor([1, 2]), rustorch.tensor([1, 10, 100]))
    tensor([[  1,  10, 100],
            [  2,  20, 200]])
    """
    _check_operands("outer", input, vec2, ("input", "vec2"))
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise ShapeError(f"outer(): Expected 1-D argument {name}, but got {t.ndim}-D (shape {list(t._shape)})")
    return mul(reshape(input, (input._shape[0], 1)), vec2, out=out)


ger = outer


def chain_matmul(*matrices, out=None):
    """Product of a sequence of 2-D tensors, left to right.

    >>> import rustorch
    >>> rustorch.chain_matmul(rustorch.ones(2, 3), rustorch.ones(3, 4), rustorch.ones(4, 1)).shape
    rustorch.Size([2, 1])
    """
    if not matrices:
        raise InvalidArgumentError("chain_matmul(): expected one or more tensors")
    _check_ndim("chain_matmul", matrices[0], 2, "every tensor")
    result = matrices[0].clone() if len(matrices) == 1 else matrices[0]
    for m in matrices[1:]:
        result = mm(result, m)
    return _emit("chain_matmul", result, out)


# fused forms: beta * input + alpha * product ---------------------------------------------
def _scaled_sum(op, input, product, beta, alpha, out):
    if input.dtype is not product.dtype:
        raise DTypeError(f"{op}(): self and mat2 must have the same dtype, but got {input.dtype} and {product.dtype}")
    if broadcast_shapes(op, input._shape, product._shape) != product._shape:
        raise ShapeError(f"{op}(): input of shape {list(input._shape)} does not broadcast to the product's shape "
                         f"{list(product._shape)}")
    if alpha != 1:
        product = mul(product, alpha)
    if beta == 0:  # as torch: input is ignored, its NaN and inf do not propagate
        return _emit(op, product, out)
    return add(input if beta == 1 else mul(input, beta), product, out=out)


def _fused_product(op, mat1, mat2):
    if op == "addmm":
        return mm(mat1, mat2)
    if op == "addmv":
        return mv(mat1, mat2)
    product = bmm(mat1, mat2)
    return product if op == "baddbmm" else _sum(product, 0)


# op -> (node name, ranks of mat1 and mat2)
_FUSED = {"addmm": ("AddmmBackward0", 2, 2), "addmv": ("AddmvBackward0", 2, 1), "baddbmm": ("BaddbmmBackward0", 3, 3),
          "addbmm": ("AddbmmBackward0", 3, 3)}


def _fused(op, input, mat1, mat2, beta, alpha, out=None, inplace=False):
    """beta * input + alpha * the ``op`` product of mat1 and mat2, recorded as one node (into input if ``inplace``)."""
    check_tensor(op, input)
    inputs = (input, mat1, mat2)
    if inplace or out is not None:
        # raises for out= when grad is needed; an in-place write of a tensor needing grad is recorded
        recording = check_inplace(op + "_" if inplace else op, input if inplace else out, inputs)
    else:
        recording = needs_grad(*inputs)
    if not (recording or inplace):
        return _scaled_sum(op, input, _fused_product(op, mat1, mat2), beta, alpha, out)
    with no_grad():  # the parts are not recorded: the whole is, below
        result = _scaled_sum(op, input, _fused_product(op, mat1, mat2), beta, alpha, None)
    if inplace:
        if result._shape != input._shape:
            raise ShapeError(f"{op}_(): the result of shape {list(result._shape)} does not match self of shape "
                             f"{list(input._shape)}")
        result = write_out(op + "_", result, input)
    if recording:
        record(_FUSED[op][0], _fused_backward, inputs, result,
               (op, beta, alpha, mat1._shape[0], mat1 if mat2.requires_grad else None,
                mat2 if mat1.requires_grad else None))
    return result


def _fused_backward(node, grad, op, beta, alpha, batch, mat1, mat2):
    need_input, need_mat1, need_mat2 = node.needs_input_grad
    grad_input = None
    if need_input:  # beta == 0 still gives zeros, as torch
        grad_input = grad if beta == 1 else mul(grad, beta.conjugate())
    if not (need_mat1 or need_mat2):
        return grad_input, None, None
    grad = grad if alpha == 1 else mul(grad, alpha.conjugate())
    if op == "addbmm":  # every batch's product was added up: each gets the whole gradient
        grad = expand(unsqueeze(grad, 0), (batch,) + grad._shape)
    return (grad_input,) + _product_grads(grad, mat1, mat2, *_FUSED[op][1:], need_mat1, need_mat2)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2); input broadcasts to the product's shape.

    >>> import rustorch
    >>> rustorch.addmm(rustorch.ones(3), rustorch.ones(2, 4), rustorch.ones(4, 3), beta=2, alpha=0.5)
    tensor([[4., 4., 4.],
            [4., 4., 4.]])
    """
    return _fused("addmm", input, mat1, mat2, beta, alpha, out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec).

    >>> import rustorch
    >>> rustorch.addmv(rustorch.ones(2), rustorch.ones(2, 3), rustorch.ones(3))
    tensor([4., 4.])
    """
    return _fused("addmv", input, mat, vec, beta, alpha, out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * bmm(batch1, batch2).

    >>> import rustorch
    >>> rustorch.baddbmm(rustorch.zeros(2, 1, 1), rustorch.ones(2, 1, 3), rustorch.ones(2, 3, 1)).flatten()
    tensor([3., 3.])
    """
    return _fused("baddbmm", input, batch1, batch2, beta, alpha, out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (the sum over the batch of batch1[i] @ batch2[i]).

    >>> import rustorch
    >>> rustorch.addbmm(rustorch.zeros(1, 1), rustorch.ones(2, 1, 3), rustorch.ones(2, 3, 1))
    tensor([[6.]])
    """
    return _fused("addbmm", input, batch1, batch2, beta, alpha, out)


def _inplace(op):
    name = op + "_"

    def method(self, a, b, *, beta=1, alpha=1):
        return _fused(op, self, a, b, beta, alpha, inplace=True)

    method.__name__ = name
    method.__doc__ = f"In-place version of :meth:`{op}`: self = beta * self + alpha * product."
    return method


addmm_, addmv_, baddbmm_, addbmm_ = (_inplace(op) for op in ("addmm", "addmv", "baddbmm", "addbmm"))


# tensordot, kron, einsum ----------------------------------------------------------------
def _dims_list(op, dims, ndim):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        dims = [dims]
    return [wrap_dim(op, d, ndim) for d in dims]


def tensordot(a, b, dims=2, out=None):
    """Sum of products over the ``dims`` of ``a`` and ``b``: an int n (a's last n with b's first n) or a pair
    of dim lists.

    >>> import rustorch
    >>> rustorch.tensordot(rustorch.ones(3, 4, 5), rustorch.ones(4, 5, 2), dims=2).shape
    rustorch.Size([3, 2])
    """
    _check_operands("tensordot", a, b, ("a", "b"))
    if isinstance(dims, int):
        if dims < 0:
            raise ValueOutOfRangeError(f"tensordot(): expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise ValueOutOfRangeError(f"tensordot(): expects dims <= ndim of a ({a.ndim}) and b ({b.ndim}), "
                                       f"but got dims={dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        if isinstance(dims, Tensor) and dims.ndim == 0 or len(dims) != 2:
            raise InvalidTypeError(f"tensordot(): dims must be an int or a pair of dim lists, got {dims!r}")
        dims_a, dims_b = _dims_list("tensordot", dims[0], a.ndim), _dims_list("tensordot", dims[1], b.ndim)
        if len(dims_a) != len(dims_b):
            raise ShapeError(f"tensordot(): both dimension lists should have same length, got {dims_a} and {dims_b}")
    for da, db in zip(dims_a, dims_b):
        if a._shape[da] != b._shape[db]:
            raise ShapeError(f"tensordot(): contracted dimensions need to match, but first has size {a._shape[da]} "
                             f"in dim {da} and second has size {b._shape[db]} in dim {db} "
                             f"(shapes {list(a._shape)} and {list(b._shape)})")
    _same_dtype("tensordot", a, b, "both inputs")
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    k = numel_of(a._shape[d] for d in dims_a)
    left = reshape(permute(a, free_a + dims_a), (numel_of(a._shape[d] for d in free_a), k))
    right = reshape(permute(b, dims_b + free_b), (k, numel_of(b._shape[d] for d in free_b)))
    result = reshape(mm(left, right), [a._shape[d] for d in free_a] + [b._shape[d] for d in free_b])
    return _emit("tensordot", result, out, (a, b))


def kron(input, other, *, out=None):
    """Kronecker product: every element of ``input`` scales a copy of ``other`` (types promote).

    >>> import rustorch
    >>> rustorch.kron(rustorch.eye(2), rustorch.ones(2, 2)).shape
    rustorch.Size([4, 4])
    """
    _check_operands("kron", input, other)
    nd = max(input.ndim, other.ndim)
    sa = (1,) * (nd - input.ndim) + input._shape
    sb = (1,) * (nd - other.ndim) + other._shape
    a = reshape(input, [s for size in sa for s in (size, 1)])
    b = reshape(other, [s for size in sb for s in (1, size)])
    return _emit("kron", reshape(mul(a, b), [x * y for x, y in zip(sa, sb)]), out, (input, other))


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _sublist_equation(args):
    """torch's einsum(op0, sublist0, op1, sublist1, ..., [out_sublist]) as (equation, operands)."""
    def letters(sub):
        parts = []
        for s in sub:
            if s is Ellipsis:
                parts.append("...")
            elif isinstance(s, int) and 0 <= s < len(_LETTERS):
                parts.append(_LETTERS[s])
            else:
                raise ValueOutOfRangeError(f"einsum(): subscript in subscript list is not within the valid range [0, 52): {s!r}")
        return "".join(parts)

    operands, terms = list(args[0::2]), [letters(s) for s in args[1::2]]
    output = None
    if len(terms) < len(operands):  # an odd count: the last item is the output sublist
        output = letters(operands.pop())
    equation = ",".join(terms) + ("" if output is None else "->" + output)
    return equation, operands


def _einsum_terms(equation):
    """Split an equation into its input terms and output term (None when implicit); validate characters."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    for i, c in enumerate(eq):
        if not (c in _LETTERS or c in ".,->"):
            raise InvalidArgumentError(f"einsum(): invalid subscript given at index {i} in the equation string "
                                       f"{equation!r}, subscripts must be in [a-zA-Z]")
    terms = lhs.split(",")
    for t in terms + ([rhs] if arrow else []):
        if t.replace("...", "").count(".") or t.count("...") > 1 or "-" in t or ">" in t:
            raise InvalidArgumentError(f"einsum(): invalid term {t!r} in equation {equation!r}: use letters and at "
                                       "most one ellipsis '...' per operand")
    return terms, (rhs if arrow else None)


def einsum(equation, *operands):
    """Einstein summation, with torch's equation syntax ('ij,jk->ik', '...' for broadcast dims, implicit
    output when '->' is missing) or its sublist form einsum(op0, [0, 1], op1, [1, 2], [0, 2]).

    Operands must share a dtype; a subscript's sizes must match or be 1 (broadcast).

    >>> import rustorch
    >>> rustorch.einsum("bij,bjk->bik", rustorch.ones(2, 3, 4), rustorch.ones(2, 4, 5)).shape
    rustorch.Size([2, 3, 5])
    """
    if not isinstance(equation, str):
        equation, operands = _sublist_equation((equation,) + operands)
    elif len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, output = _einsum_terms(equation)
    if len(terms) > len(operands):
        raise InvalidArgumentError(f"einsum(): fewer operands ({len(operands)}) were provided than specified in the equation {equation!r}")
    if len(terms) < len(operands):
        raise InvalidArgumentError(f"einsum(): more operands ({len(operands)}) were provided than specified in the equation {equation!r}")
    for i, t in enumerate(operands):
        check_tensor("einsum", t, f"operands[{i}]")
    check_same_device("einsum", *operands)
    for t in operands[1:]:
        if t.dtype is not operands[0].dtype:
            raise DTypeError(f"einsum(): expected all operands to have the same dtype, but got {operands[0].dtype} and {t.dtype}")
    if operands[0].dtype is _dtype.bool_:
        raise DTypeError("einsum(): not implemented for bool tensors")

    # ellipsis dims get fresh letters (right-aligned across operands), so the backend sees letters only
    spare = [c for c in _LETTERS if c not in equation]
    n_ell = 0
    for i, (term, t) in enumerate(zip(terms, operands)):
        named = len(term.replace("...", ""))
        if ("..." in term and named > t.ndim) or ("..." not in term and named != t.ndim):
            raise ShapeError(f"einsum(): the number of subscripts in the equation ({named}) does not match the number of "
                             f"dimensions ({t.ndim}) for operand {i}" + ("" if "..." in term else " and no ellipsis was given"))
        if "..." in term:
            n_ell = max(n_ell, t.ndim - named)
    ell = "".join(spare[:n_ell])
    for i, (term, t) in enumerate(zip(terms, operands)):
        if "..." in term:
            k = t.ndim - (len(term) - 3)  # this operand's ellipsis dims: the last k of the broadcast ones
            terms[i] = term.replace("...", ell[n_ell - k:])

    sizes = {}
    for i, (term, t) in enumerate(zip(terms, operands)):
        seen = {}
        for label, size in zip(term, t._shape):
            if label in seen and seen[label] != size:
                raise ShapeError(f"einsum(): subscript {label} is repeated for operand {i} but the sizes don't match, "
                                 f"{seen[label]} != {size}")
            seen[label] = size
            if sizes.get(label, 1) not in (1, size) and size != 1:
                raise ShapeError(f"einsum(): subscript {label} has size {size} for operand {i} which does not broadcast "
                                 f"with previously seen size {sizes[label]}")
            if size != 1 or label not in sizes:
                sizes[label] = size
    if output is None:
        counts = "".join(terms)
        output = ell + "".join(sorted(c for c in set(counts) if counts.count(c) == 1 and c not in ell))
    else:
        if "..." in output:
            output = output.replace("...", ell)
        for c in output:
            if output.count(c) > 1:
                raise InvalidArgumentError(f"einsum(): output subscript {c} appears more than once in the output")
            if c not in sizes:
                raise InvalidArgumentError(f"einsum(): output subscript {c} does not appear in the equation for any input operand")
    # size-1 dims of a broadcast subscript are expanded, so every operand agrees on each label's size
    expanded = []
    for term, t in zip(terms, operands):
        shape = tuple(sizes[c] for c in term)
        expanded.append(t if shape == t._shape else
                        view_of(t, shape, tuple(0 if s != ts else st for s, ts, st in zip(shape, t._shape, t._stride)), t._offset))
    result = empty_tensor(tuple(sizes[c] for c in output), operands[0].dtype, operands[0].device)
    result._storage.backend.einsum(",".join(terms) + "->" + output, expanded, result)
    if STATE.enabled and any(t.requires_grad for t in operands):
        # an operand is kept only if another one needs a gradient (it is a factor of that gradient)
        grads_needed = [i for i, t in enumerate(operands) if t.requires_grad]
        kept = tuple(t if any(j != i for j in grads_needed) else None for i, t in enumerate(operands))
        record("EinsumBackward0", _einsum_backward, tuple(operands), result, (terms, output, sizes) + kept)
    return result


def _einsum_backward(node, grad, terms, output, sizes, *operands):
    """Each operand's gradient is an einsum of grad with the other operands (conjugated), written into the
    operand's diagonals where a subscript repeats in its term, and broadcast along subscripts only it has."""
    grads = []
    for i, (term, need) in enumerate(zip(terms, node.needs_input_grad)):
        if not need:
            grads.append(None)
            continue
        others = [(t, conj(op)) for j, (t, op) in enumerate(zip(terms, operands)) if j != i]
        steps, labels = _repeats(term)
        # a subscript that only this operand has was summed over: the gradient is constant along it
        present = set(output).union(*(t for t, _ in others))
        found = "".join(c for c in labels if c in present)
        g = einsum(",".join([output] + [t for t, _ in others]) + "->" + found, grad, *(op for _, op in others))
        shape = tuple(sizes[c] for c in labels)
        if g._shape != shape:  # missing subscripts, or ones the other operands had broadcast (size 1)
            g = expand(reshape(g, tuple(g._shape[found.index(c)] if c in found else 1 for c in labels)), shape)
        if steps:
            g = _embed(g, tuple(sizes[c] for c in term), lambda t, steps=steps: _diagonals(t, steps),
                       "DiagonalBackwardBackward0")
        grads.append(g)
    return tuple(grads)


def _repeats(term):
    """The (dim1, dim2) diagonals that leave each subscript of ``term`` once (each new diagonal dim goes last, as
    diagonal() puts it), and the subscripts of the dims that remain."""
    labels, steps = list(term), []
    for c in term:
        if labels.count(c) > 1:
            i = labels.index(c)
            j = labels.index(c, i + 1)
            steps.append((i, j))
            labels = [x for k, x in enumerate(labels) if k not in (i, j)] + [c]
    return steps, "".join(labels)


def _diagonals(t, steps):
    for i, j in steps:
        t = diagonal(t, 0, i, j)
    return t


__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "chain_matmul", "addmm", "addmv",
           "baddbmm", "addbmm", "tensordot", "kron", "einsum"]
TENSOR_METHODS = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv", "baddbmm",
                  "addbmm", "kron", "addmm_", "addmv_", "baddbmm_", "addbmm_"]
