"""(being written)"""
__all__ = []


def matmul(input, other, *, out=None):
    from ._common import broadcast_shapes, prepare_out, check_same_device
    from .. import _dtype
    device = check_same_device("matmul", input, other)
    shape = broadcast_shapes("matmul", input._shape[:-2], other._shape[:-2]) + (input._shape[-2], other._shape[-1])
    out = prepare_out("matmul", out, shape, _dtype.promote_types(input.dtype, other.dtype), device)
    out._storage.backend.matmul(input, other, out)
    return out
