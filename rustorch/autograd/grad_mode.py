"""Grad modes: whether ops record the graph, per thread, as torch's.

>>> import rustorch
>>> x = rustorch.ones(2, requires_grad=True)
>>> with rustorch.no_grad():
...     (x * 2).requires_grad
False
"""
import functools
import threading


class _State(threading.local):
    enabled = True
    inference = False


STATE = _State()


def is_grad_enabled():
    """Whether ops record the graph in this thread.

    >>> import rustorch
    >>> rustorch.is_grad_enabled()
    True
    """
    return STATE.enabled


def is_inference_mode_enabled():
    """Whether this thread is inside ``inference_mode``.

    >>> import rustorch
    >>> rustorch.is_inference_mode_enabled()
    False
    """
    return STATE.inference


class _Mode:
    """A context manager that is also a decorator, restoring the previous state on exit."""

    def _enter(self):
        raise NotImplementedError

    def __enter__(self):
        self._saved = (STATE.enabled, STATE.inference)
        self._enter()
        return self

    def __exit__(self, *exc):
        STATE.enabled, STATE.inference = self._saved
        return False

    def __call__(self, f):
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            with self.clone():
                return f(*args, **kwargs)

        return wrapper

    def clone(self):
        return type(self)()


class _NoParamMode(_Mode):
    """A mode that can also decorate a function without parentheses (``@no_grad``)."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamMode):
    """Ops inside do not record the graph.

    >>> import rustorch
    >>> @rustorch.no_grad()
    ... def f(x):
    ...     return x * 2
    >>> f(rustorch.ones(1, requires_grad=True)).requires_grad
    False
    """

    def _enter(self):
        STATE.enabled = False


class enable_grad(_NoParamMode):
    """Ops inside record the graph, even within ``no_grad``.

    >>> import rustorch
    >>> with rustorch.no_grad(), rustorch.enable_grad():
    ...     rustorch.is_grad_enabled()
    True
    """

    def _enter(self):
        STATE.enabled = True


class set_grad_enabled(_Mode):
    """Turn recording on or off; takes effect at once, and as a context manager restores on exit.

    >>> import rustorch
    >>> with rustorch.set_grad_enabled(False):
    ...     rustorch.is_grad_enabled()
    False
    """

    def __init__(self, mode):
        self.mode = bool(mode)
        self._saved = (STATE.enabled, STATE.inference)
        STATE.enabled = self.mode

    def _enter(self):
        STATE.enabled = self.mode

    def __enter__(self):
        # the state before the constructor switched it is what exit restores
        return self

    def __call__(self, f):
        STATE.enabled = self._saved[0]  # decorating must not leave the mode switched
        return super().__call__(f)

    def clone(self):
        return type(self)(self.mode)


class inference_mode(_Mode):
    """``no_grad`` for inference: no graph is recorded (``mode=False`` leaves recording as it is).

    >>> import rustorch
    >>> with rustorch.inference_mode():
    ...     rustorch.is_inference_mode_enabled()
    True
    """

    def __new__(cls, mode=True):
        if callable(mode):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.mode = bool(mode) if not callable(mode) else True

    def _enter(self):
        if self.mode:
            STATE.enabled = False
            STATE.inference = True

    def clone(self):
        return type(self)(self.mode)


__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]
