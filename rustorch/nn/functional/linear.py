"""rustorch.nn.functional: linear and bilinear maps.

>>> import rustorch
>>> import rustorch.nn.functional as F
>>> F.linear(rustorch.ones(2, 3), rustorch.ones(4, 3)).shape
rustorch.Size([2, 4])
"""
from ...errors import ShapeError
from ...ops.contraction import addmm, einsum, matmul
from ...ops.elementwise import add


def linear(input, weight, bias=None):
    """input @ weight^T + bias, over any leading dims of input.

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.linear(rustorch.ones(3), rustorch.ones(2, 3), rustorch.tensor([1.0, -1.0]))
    tensor([4., 2.])
    """
    if weight.ndim not in (1, 2):
        raise ShapeError(f"linear(): weight must be 1-D or 2-D, got shape {list(weight.shape)}")
    if input.ndim == 0 or input.shape[-1] != weight.shape[-1]:
        raise ShapeError(f"linear(): input of shape {list(input.shape)} has {input.shape[-1] if input.ndim else 0} "
                         f"features in its last dim, but the weight of shape {list(weight.shape)} expects "
                         f"{weight.shape[-1]}")
    if input.ndim == 2 and weight.ndim == 2 and bias is not None:
        return addmm(bias, input, weight.t())
    out = matmul(input, weight.t() if weight.ndim == 2 else weight)
    return add(out, bias) if bias is not None else out


def bilinear(input1, input2, weight, bias=None):
    """y[..., k] = input1 W[k] input2 + bias[k].

    >>> import rustorch
    >>> import rustorch.nn.functional as F
    >>> F.bilinear(rustorch.ones(2, 3), rustorch.ones(2, 4), rustorch.ones(5, 3, 4)).shape
    rustorch.Size([2, 5])
    """
    if weight.ndim != 3 or input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise ShapeError(f"bilinear(): inputs of shapes {list(input1.shape)} and {list(input2.shape)} do not match "
                         f"the weight of shape {list(weight.shape)} (out_features, in1_features, in2_features)")
    out = einsum("...i,kij,...j->...k", input1, weight, input2)
    return add(out, bias) if bias is not None else out


__all__ = ["linear", "bilinear"]
