"""Anomaly detection: name the backward that produced NaN, and show where its op ran.

>>> import rustorch
>>> x = rustorch.tensor([0.0], requires_grad=True)
>>> with rustorch.autograd.detect_anomaly():
...     try:
...         (x.sqrt() * 0).sum().backward()
...     except RuntimeError as e:
...         print(str(e).splitlines()[0])
Function 'SqrtBackward0' returned nan values in its 0th output.
"""
from .graph import ANOMALY


class detect_anomaly:
    """Context manager (and decorator): check every backward for NaN and keep each op's forward stack."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._saved = (ANOMALY.enabled, ANOMALY.check_nan)
        ANOMALY.enabled, ANOMALY.check_nan = True, self.check_nan
        return self

    def __exit__(self, *exc):
        ANOMALY.enabled, ANOMALY.check_nan = self._saved
        return False

    def __call__(self, f):
        import functools

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return f(*args, **kwargs)

        return wrapper


class set_detect_anomaly(detect_anomaly):
    """Switch anomaly detection on or off (at once, and restored on exit when used with ``with``).

    >>> import rustorch
    >>> with rustorch.autograd.set_detect_anomaly(True):
    ...     rustorch.autograd.is_anomaly_enabled()
    True
    """

    def __init__(self, mode, check_nan=True):
        self._saved = (ANOMALY.enabled, ANOMALY.check_nan)
        self.mode, self.check_nan = bool(mode), check_nan
        ANOMALY.enabled, ANOMALY.check_nan = self.mode, check_nan

    def __enter__(self):
        return self


def is_anomaly_enabled():
    """Whether anomaly detection is on.

    >>> import rustorch
    >>> rustorch.autograd.is_anomaly_enabled()
    False
    """
    return ANOMALY.enabled


def is_anomaly_check_nan_enabled():
    return ANOMALY.enabled and ANOMALY.check_nan


__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]
