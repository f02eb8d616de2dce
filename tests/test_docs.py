"""Every public function has a docstring, and every docstring example runs and prints what it says."""
import doctest
import importlib
import pkgutil

import pytest

import rustorch
from rustorch import ops

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(rustorch.__path__, "rustorch.")
    if not m.name.startswith(("rustorch.benchmarks", "rustorch.examples"))
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_public_functions_have_docstrings_with_examples():
    missing = []
    for family in ops.FAMILIES:
        for name in family.__all__:
            f = getattr(family, name)
            doc = getattr(f, "__doc__", None) or ""
            if ">>>" not in doc:
                missing.append(f"{family.__name__}.{name}")
    assert not missing, f"public functions without a runnable docstring example: {missing}"
