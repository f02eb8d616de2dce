"""``rustorch.device``: where a tensor's memory lives."""
from .errors import DeviceError

DEVICE_TYPES = ("cpu", "cuda", "opencl", "webgpu", "metal")


class device:
    """A device: a type (``'cpu'``, ``'cuda'``, ``'opencl'``, ``'webgpu'``) and an optional index.

    >>> import rustorch
    >>> rustorch.device("cuda:1")
    device(type='cuda', index=1)
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise DeviceError(f"device(): expected a string like 'cpu' or 'cuda:0', got {type!r}")
        name = type
        if ":" in name:
            if index is not None:
                raise DeviceError(f"device(): type {name!r} already has an index; pass only one")
            name, _, idx = name.partition(":")
            if not idx.isdigit():
                raise DeviceError(f"device(): invalid device string {type!r}; expected e.g. 'cuda:0'")
            index = int(idx)
        if name not in DEVICE_TYPES:
            raise DeviceError(f"device(): unknown device type {name!r}; expected one of {', '.join(DEVICE_TYPES)}")
        if index is not None and (not isinstance(index, int) or index < 0):
            raise DeviceError(f"device(): device index must be a non-negative integer, got {index!r}")
        self.type = name
        self.index = index

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __reduce__(self):
        return (device, (self.type, self.index))


def as_device(d):
    """A device from a device, a string, or an int (an index on the default accelerator is not supported)."""
    if isinstance(d, device):
        return d
    if isinstance(d, str):
        return device(d)
    raise DeviceError(f"expected a device or a string like 'cpu', got {d!r}")
