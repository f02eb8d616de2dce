"""rustorch._ext.cpuinfo: thread control and capability report."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import rustorch
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


def test_forked_children_run_kernels_on_one_thread_instead_of_hanging():
    # libgomp's pool does not survive fork(); without rustorch's at-fork hook the child's first multi-threaded
    # kernel hangs
    code = (
        "import multiprocessing as mp, rustorch\n"
        "x = rustorch.randn(2_000_000); (x * 2).sum()\n"
        "def work(_):\n"
        "    return float(rustorch.randn(2_000_000).exp().sum()) > 0, rustorch.get_num_threads()\n"
        "with mp.get_context('fork').Pool(1) as pool:\n"
        "    print(pool.map(work, [0]))\n"
    )
    root = str(Path(rustorch.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[(True, 1)]"
