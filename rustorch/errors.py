"""One hierarchy for every error rustorch raises.

Each class also derives from the builtin that torch raises in the same place,
so ``except RuntimeError`` (or TypeError, IndexError, ...) written for torch
keeps working.

>>> import rustorch
>>> try:
...     rustorch.ones(2) + rustorch.ones(3)
... except RuntimeError as e:
...     print(type(e).__name__)
ShapeError
"""
import pickle


class RusTorchError(Exception):
    """Base class of every rustorch error."""


class ShapeError(RusTorchError, RuntimeError):
    """Shapes that do not broadcast, match or fit the op."""


class DTypeError(RusTorchError, TypeError, RuntimeError):
    """A dtype the op does not support, or a cast it may not do.

    torch raises RuntimeError for most dtype problems and TypeError for a few;
    this class is both, so either ``except`` clause catches it.
    """


class DeviceError(RusTorchError, RuntimeError):
    """Tensors on different devices, or an unknown device string."""


class BackendUnavailableError(RusTorchError, RuntimeError):
    """A backend that cannot run here; the message says why."""


class OutOfMemoryError(RusTorchError, MemoryError):
    """An allocation that failed."""


class SerializationError(RusTorchError, RuntimeError):
    """A file that cannot be read or written as asked."""


class IndexOutOfRangeError(RusTorchError, IndexError):
    """An index outside the dimension it indexes."""


class DimensionError(RusTorchError, IndexError):
    """A dim argument outside the tensor's dimensions (torch raises IndexError)."""


class ValueOutOfRangeError(RusTorchError, RuntimeError):
    """An argument value the op does not accept (torch raises RuntimeError)."""


class InvalidArgumentError(RusTorchError, ValueError):
    """An argument of the wrong kind or value (where torch raises ValueError)."""


class InvalidTypeError(RusTorchError, TypeError):
    """An argument of the wrong Python type."""


class AutogradError(RusTorchError, RuntimeError):
    """A graph used wrongly: freed or modified saved tensors, an in-place write on a leaf, a grad that cannot be made."""


class DataLoaderError(RusTorchError, RuntimeError):
    """A DataLoader worker process that died, or a batch that did not arrive within the loader's timeout."""


class UnpicklingError(SerializationError, pickle.UnpicklingError):
    """A checkpoint's pickle that is corrupt or that ``load(weights_only=True)`` refuses (torch raises
    pickle.UnpicklingError there)."""
