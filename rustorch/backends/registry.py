"""Backend detection and selection.

A backend module is imported only when its device type is first used, so a
missing GPU library costs nothing until asked for. A backend that cannot run
raises BackendUnavailableError with its reason; rustorch never falls back to
another device silently.
"""
import importlib
import os

from .._device import as_device, device
from ..errors import BackendUnavailableError, DeviceError

# device type -> (module, reason while the backend is not written yet)
_BACKEND_MODULES = {
    "cpu": ("rustorch.backends.cpu", None),
    "cuda": (None, "the CUDA backend (PyCUDA) is not implemented yet in this version of rustorch"),
    "opencl": ("rustorch.backends.opencl", None),
    "webgpu": (None, "the WebGPU backend (wgpu-py) is not implemented yet in this version of rustorch"),
    "metal": (None, "the Metal backend is not implemented yet in this version of rustorch"),
}
_loaded = {}


def get_backend(device_type):
    """The backend object for a device type; BackendUnavailableError if it cannot run here."""
    backend = _loaded.get(device_type)
    if backend is not None:
        return backend
    if device_type not in _BACKEND_MODULES:
        raise DeviceError(f"unknown device type {device_type!r}; expected one of {', '.join(_BACKEND_MODULES)}")
    module_name, reason = _BACKEND_MODULES[device_type]
    if module_name is None:
        raise BackendUnavailableError(f"device '{device_type}' is unavailable: {reason}")
    backend = importlib.import_module(module_name).BACKEND
    reason = backend.availability()
    if reason is not None:
        raise BackendUnavailableError(f"device '{device_type}' is unavailable: {reason}")
    _loaded[device_type] = backend
    return backend


def names():
    """Every device type rustorch has a backend entry for, without probing whether it runs here.

    >>> import rustorch
    >>> rustorch.backends.registry.names()[:2]
    ['cpu', 'cuda']
    """
    return list(_BACKEND_MODULES)


def available():
    """Every backend rustorch knows, mapped to None when it runs here or to the reason it does not.

    >>> import rustorch
    >>> rustorch.backends.available()["cpu"] is None
    True
    """
    result = {}
    for name in _BACKEND_MODULES:
        try:
            get_backend(name)
            result[name] = None
        except BackendUnavailableError as e:
            result[name] = str(e)
    return result


_default_device = None


def get_default_device():
    """The device new tensors go to: set_default_device's, else $RUSTORCH_DEVICE, else cpu."""
    global _default_device
    if _default_device is None:
        _default_device = as_device(os.environ.get("RUSTORCH_DEVICE", "cpu"))
        get_backend(_default_device.type)
    return _default_device


def set_default_device(d):
    """Make ``d`` the device of tensors created without ``device=``.

    >>> import rustorch
    >>> rustorch.set_default_device("cpu"); rustorch.zeros(1).device
    device(type='cpu')
    """
    global _default_device
    d = device("cpu") if d is None else as_device(d)
    get_backend(d.type)
    _default_device = d
