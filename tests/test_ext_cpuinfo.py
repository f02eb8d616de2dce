"""rustorch._ext.cpuinfo: thread control and capability report."""
import os
import subprocess
import sys

import pytest

from rustorch._ext import cpuinfo


@pytest.fixture
def restore_threads():
    n = cpuinfo.get_num_threads()
    yield
    cpuinfo.set_num_threads(n)


def test_set_get(restore_threads):
    cpuinfo.set_num_threads(1)
    assert cpuinfo.get_num_threads() == 1
    assert cpuinfo.capabilities()["num_threads"] == 1
    cpuinfo.set_num_threads(3)
    assert cpuinfo.get_num_threads() == 3


def test_bad_values(restore_threads):
    for bad in (0, -1):
        with pytest.raises(ValueError):
            cpuinfo.set_num_threads(bad)
    for bad in ("2", 1.5, None):
        with pytest.raises(TypeError):
            cpuinfo.set_num_threads(bad)


def test_capabilities():
    caps = cpuinfo.capabilities()
    assert set(caps) == {"isa", "openmp", "num_threads", "max_threads"}
    assert caps["isa"] in ("avx512f", "avx2", "neon", "default")
    assert caps["openmp"] is True
    assert caps["num_threads"] == cpuinfo.get_num_threads()
    assert caps["max_threads"] >= 1
    if os.path.exists("/proc/cpuinfo"):
        flags = open("/proc/cpuinfo").read()
        if " avx512f" in flags:
            assert caps["isa"] == "avx512f"
        elif " avx2" in flags:
            assert caps["isa"] == "avx2"


def test_respects_omp_num_threads():
    env = dict(os.environ, OMP_NUM_THREADS="1")
    # load the extension file directly: the child does not import all of rustorch
    code = ("import importlib.util as u, sys; "
            "s = u.spec_from_file_location('rustorch._ext.cpuinfo', sys.argv[1]); "
            "m = u.module_from_spec(s); s.loader.exec_module(m); print(m.get_num_threads())")
    out = subprocess.run([sys.executable, "-c", code, cpuinfo.__file__], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "1"
