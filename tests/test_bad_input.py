"""Bad arguments of every kind raise a rustorch error (never a bare NumPy/Python error, never a crash)."""
import itertools

import pytest

import rustorch
from rustorch.errors import RusTorchError

X = rustorch.arange(12.0).view(3, 4)
BAD = [None, "a", -1, 10**20, 1.5, [1, [2]], (), (-1,), rustorch.ones(5), rustorch.ones(2, 2, 2),
       rustorch.tensor([1.5]), rustorch.tensor([100]), rustorch.tensor([-100]), slice(None, None, -1), Ellipsis,
       object()]
CALLS = [
    "x[a]", "x.view(a)", "x.reshape(a)", "x.sum(a)", "x.mean(a)", "x.std(a)", "x.amax(a)", "x.cumsum(a)",
    "x.argmax(a)", "x.norm(a)", "x.gather(0, a)", "x.index_select(0, a)", "x.narrow(0, a, 1)", "x.expand(a)",
    "x.permute(a)", "x.transpose(a, 0)", "x.topk(a)", "x.kthvalue(a)", "x.sort(a)", "x.as_strided(a, (1, 1))",
    "R.cat([x, a])", "R.stack([x, a])", "x.masked_fill(a, 1.0)", "x.scatter(0, a, 1.0)", "x.index_add(0, a, x)",
    "x.take(a)", "x.repeat(a)", "x.tile(a)", "x.roll(a)", "x.flip(a)", "R.matmul(x, a)", "x.clamp(a)", "x.lerp(x, a)",
    "x.nan_to_num(a)", "x.where(a, x)", "R.where(a, x, x)", "R.zeros(a)", "R.full(a, 1)", "R.eye(a)",
    "R.arange(a)", "R.linspace(0, 1, a)", "x.to(a)", "x.split(a)", "x.chunk(a)", "x.tensor_split(a)",
    "x.unsqueeze(a)", "x.squeeze(a)", "x.unflatten(0, a)", "x.flatten(a)", "x.select(0, a)", "x.diagonal(a)",
    "x.movedim(a, 0)", "x.tril(a)", "R.einsum(a, x)", "R.randint(0, a, (2,))", "R.randperm(a)", "R.rand(a)",
    "R.multinomial(a, 2)", "x.__setitem__(a, 1.0)",
]


def test_operators_with_foreign_operands_raise_python_type_errors():
    # as with torch: the operator returns NotImplemented and Python raises TypeError
    for expr in ["x @ None", "x + 'a'", "x * object()", "x < []"]:
        with pytest.raises(TypeError):
            eval(expr, {"x": X})
    assert (X == None) is False  # noqa: E711


@pytest.mark.parametrize("call", CALLS)
def test_bad_arguments_raise_rustorch_errors(call):
    for a in BAD:
        try:
            eval(call, {"x": X.clone(), "R": rustorch, "a": a})
        except RusTorchError:
            pass
        except Exception as e:  # noqa: BLE001 - the assertion names what leaked
            pytest.fail(f"{call} with a={a!r:.40}: {type(e).__name__}: {e}")
