"""Gradient checks: analytical gradients (autograd) against central finite differences.

>>> import rustorch
>>> x = rustorch.rand(3, dtype=rustorch.float64, requires_grad=True)
>>> rustorch.autograd.gradcheck(rustorch.sin, (x,))
True
"""
from ..errors import AutogradError
from ..tensor import Tensor
from .engine import grad as autograd_grad
from .grad_mode import enable_grad, no_grad


class GradcheckError(AutogradError):
    """The analytical and numerical gradients differ (raised by gradcheck with raise_exception=True)."""


def _as_tuple(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


def _differentiable(values):
    return [v for v in values if isinstance(v, Tensor) and v.requires_grad]


def _float_outputs(outputs):
    return [o for o in _as_tuple(outputs) if isinstance(o, Tensor) and (o.dtype.is_floating_point or o.dtype.is_complex)]


def _check_dtypes(inputs):
    for i, t in enumerate(inputs):
        if t.dtype.is_complex:
            raise GradcheckError(f"gradcheck(): input {i} is complex; rustorch's gradcheck handles real inputs only")
        if t.dtype.name != "float64":
            import warnings

            warnings.warn(f"gradcheck(): input {i} is {t.dtype}, not float64; finite differences will be inaccurate",
                          stacklevel=3)


def _unravel(flat, shape):
    index = []
    for size in reversed(shape):
        index.append(flat % size)
        flat //= size
    return tuple(reversed(index))


def _numerical_jacobian(func, inputs, targets, eps):
    """One (n_out, n_in) NumPy matrix per (target input, float output), by central differences."""
    import numpy as np

    def evaluate():
        return [o.detach()._array().astype(np.float64).ravel() for o in _float_outputs(func(*inputs))]

    columns = [[np.zeros((o.size, t.numel())) for o in evaluate()] for t in targets]
    for k, t in enumerate(targets):
        data = t.detach()  # perturbing this alias changes t's values without recording
        for j in range(t.numel()):
            index = _unravel(j, t._shape)
            original = data[index].item()
            data[index] = original + eps
            plus = evaluate()
            data[index] = original - eps
            minus = evaluate()
            data[index] = original
            for m, (p, q) in enumerate(zip(plus, minus)):
                columns[k][m][:, j] = (p - q) / (2 * eps)
    return columns


def _analytical_jacobian(func, inputs, targets):
    import numpy as np

    from ..ops.creation import zeros_like

    with enable_grad():
        outputs = _float_outputs(func(*inputs))
    rows = [[np.zeros((o.numel(), t.numel())) for o in outputs] for t in targets]
    for m, o in enumerate(outputs):
        if not o.requires_grad:
            continue
        for i in range(o.numel()):
            seed = zeros_like(o)
            seed[_unravel(i, o._shape)] = 1
            grads = autograd_grad(o, targets, seed, retain_graph=True, allow_unused=True)
            for k, (t, g) in enumerate(zip(targets, grads)):
                if g is None:
                    continue
                if g._shape != t._shape or g.dtype is not t.dtype:
                    raise GradcheckError(f"gradcheck(): the gradient for input {k} has shape {list(g._shape)} and dtype "
                                         f"{g.dtype}, expected {list(t._shape)} and {t.dtype}")
                rows[k][m][i, :] = g.detach()._array().astype(np.float64).ravel()
    return rows


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True, fast_mode=False,
              masked=None):
    """Whether autograd's gradients of ``func`` at ``inputs`` match finite differences (float64 inputs).

    >>> import rustorch
    >>> a = rustorch.rand(2, 2, dtype=rustorch.float64, requires_grad=True)
    >>> rustorch.autograd.gradcheck(lambda m: m @ m, (a,))
    True
    """
    import numpy as np

    inputs = _as_tuple(inputs)
    targets = _differentiable(inputs)
    if not targets:
        raise GradcheckError("gradcheck(): expected at least one input tensor to require gradient, but none of them have requires_grad=True")
    _check_dtypes(targets)
    numerical = _numerical_jacobian(func, inputs, targets, eps)
    analytical = _analytical_jacobian(func, inputs, targets)
    repeated = _analytical_jacobian(func, inputs, targets)
    for k in range(len(targets)):
        for m, (a, n) in enumerate(zip(analytical[k], numerical[k])):
            if a.shape != n.shape:
                return _fail(raise_exception, f"gradcheck(): output {m} changed shape between the runs")
            if not np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=True):
                where = np.unravel_index(np.argmax(np.abs(a - n)), a.shape)
                return _fail(raise_exception,
                             f"Jacobian mismatch for output {m} with respect to input {k},\n"
                             f"numerical:{n}\nanalytical:{a}\nlargest difference at (output element, input element) "
                             f"{tuple(int(w) for w in where)}")
            if np.max(np.abs(a - repeated[k][m]), initial=0.0) > nondet_tol:
                return _fail(raise_exception, f"Backward is not reentrant: output {m}, input {k} gave different "
                                              "gradients for the same inputs")
    return True


def _fail(raise_exception, message):
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the gradients of ``func`` (second derivatives), with random or given grad_outputs.

    >>> import rustorch
    >>> x = rustorch.rand(3, dtype=rustorch.float64, requires_grad=True)
    >>> rustorch.autograd.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
    True
    """
    from ..ops.random import randn

    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        with no_grad():
            outputs = _float_outputs(func(*inputs))
        grad_outputs = tuple(randn(o._shape, dtype=o.dtype, device=o.device).requires_grad_() for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n_inputs = len(inputs)

    def first_derivatives(*args):
        values, seeds = args[:n_inputs], args[n_inputs:]
        outputs = _float_outputs(func(*values))
        wanted = _differentiable(values)
        grads = autograd_grad(outputs, wanted, seeds, create_graph=True, allow_unused=True)
        present = tuple(g for g in grads if g is not None)
        if not present:
            raise GradcheckError("gradgradcheck(): no input received a first-order gradient, so there is nothing "
                                 "to check")
        return present

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol)


__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]
