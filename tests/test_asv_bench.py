"""The asv suite in asv_bench/: a quick run of a subset into a temporary results folder, and the regression gate
(python -m asv_bench.gate) catching a deliberately slowed op.

Each test drives asv as a user does, in a temporary project: the suite's asv.conf.json pointed at a results folder
under tmp, at a throw-away git repository whose commits the results are recorded for, and at a temporary HOME for
asv's machine file.
"""
import json
import math
import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

import rustorch

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "asv_bench"
MACHINE = "ci-machine"
ADD = "tensor_ops.Add.time_add"

# Loaded into each Python that asv starts when on PYTHONPATH: rustorch's + sleeps 2 ms first (the op is ~20 us).
SLOW_ADD = """
import time
import rustorch

_add = rustorch.Tensor.__add__


def _slow_add(self, other):
    time.sleep(0.002)
    return _add(self, other)


rustorch.Tensor.__add__ = _slow_add
"""


def _run(args, env, cwd=ROOT):
    proc = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=240)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("asv")
    env = {**os.environ, "HOME": str(tmp / "home"), "PYTHONUSERBASE": site.getuserbase(),
           "GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.com", "GIT_COMMITTER_NAME": "ci",
           "GIT_COMMITTER_EMAIL": "ci@example.com"}
    repo = tmp / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, env=env, check=True)
    commits = []
    for message in ("quick", "base", "slowed"):
        subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", message], cwd=repo, env=env, check=True)
        commits.append(subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, env=env, check=True,
                                      capture_output=True, text=True).stdout.strip())
    conf = json.loads((SUITE / "asv.conf.json").read_text())
    conf.update(repo=str(repo), benchmark_dir=str(SUITE / "benchmarks"), results_dir=str(tmp / "results"),
                env_dir=str(tmp / "env"), html_dir=str(tmp / "html"))
    config = tmp / "asv.conf.json"
    config.write_text(json.dumps(conf))
    rc, out = _run([sys.executable, "-m", "asv", "machine", "--yes", "--machine", MACHINE, "--config", str(config)],
                   env)
    assert rc == 0, out
    return {"tmp": tmp, "env": env, "config": str(config), "commits": dict(zip(("quick", "base", "slowed"), commits)),
            "results": tmp / "results"}


def _asv_run(project, commit, *args, env=None):
    return _run([sys.executable, "-m", "asv", "run", "--config", project["config"], "--machine", MACHINE,
                 "--set-commit-hash", project["commits"][commit], *args], env or project["env"])


def _results(project, commit):
    """{benchmark: {param tuple: value}} of one commit's results file, as asv wrote it."""
    [path] = (project["results"] / MACHINE).glob(f"{project['commits'][commit][:8]}-*.json")
    data = json.loads(path.read_text())
    column = data["result_columns"].index("result")
    names = json.loads((project["results"] / "benchmarks.json").read_text())
    out = {}
    for name, row in data["results"].items():
        params = names[name]["params"]
        combos = [()]
        for values in params:
            combos = [c + (v,) for c in combos for v in values]
        out[name] = dict(zip(combos, row[column]))
    return out


def test_quick_subset_records_results(project):
    rc, out = _asv_run(project, "quick", "--quick", "-b", r"^tensor_ops\.Add\.",
                       "-b", r"^tensor_ops\.RatioVsTorch\.track_ratio\('Add'")
    assert rc == 0, out
    benchmarks = json.loads((project["results"] / "benchmarks.json").read_text())
    assert benchmarks[ADD]["param_names"] == ["library", "backend", "size"]
    backends = [b.strip("'") for b in benchmarks[ADD]["params"][1]]
    assert backends[0] == "cpu" and len(backends) > 1  # every backend of the registry
    results = _results(project, "quick")
    times = results[ADD]
    for library in ("'rustorch'", "'torch'", "'numpy'"):
        for size in ("65536", "4194304"):
            assert 0 < times[(library, "'cpu'", size)] < 10, (library, size)
    # a backend that cannot run here is skipped (NaN), not failed (null); one that runs has rustorch's times (the
    # references run on the CPU only, here: torch's CUDA stands in for the OpenCL backend's on a GPU host)
    available = rustorch.backends.available()
    others = [(lib, backend.strip("'"), v) for (lib, backend, _), v in times.items() if backend != "'cpu'"]
    assert others
    for lib, backend, v in others:
        if lib == "'rustorch'" and available[backend] is None:
            assert 0 < v < 10, (lib, backend)
        else:
            assert v is not None and math.isnan(v), (lib, backend)
    assert results["tensor_ops.Add.peakmem_add"][("'rustorch'", "'cpu'", "65536")] > 1 << 20
    ratio = results["tensor_ops.RatioVsTorch.track_ratio"][("'Add'", "'cpu'")]
    assert 0 < ratio < 100
    assert benchmarks["tensor_ops.RatioVsTorch.track_ratio"]["unit"] == "rustorch/torch"


def test_gate_catches_a_slowed_op(project):
    # 10 samples a side: asv then judges the difference with a Mann-Whitney test, which one stalled sample of a
    # loaded machine cannot sway (with 5 it falls back to overlapping 99% intervals, and CI once saw no change)
    selection = ("-b", rf"^{ADD}\('rustorch', 'cpu', 65536\)", "-a", "repeat=10", "-a", "number=20",
                 "-a", "warmup_time=0", "-a", "rounds=1")
    rc, out = _asv_run(project, "base", *selection)
    assert rc == 0, out
    slow = project["tmp"] / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(SLOW_ADD)
    rc, out = _asv_run(project, "slowed", *selection, env={**project["env"], "PYTHONPATH": str(slow)})
    assert rc == 0, out
    assert _results(project, "slowed")[ADD][("'rustorch'", "'cpu'", "65536")] > 1e-3

    base, slowed = project["commits"]["base"], project["commits"]["slowed"]
    gate = [sys.executable, "-m", "asv_bench.gate", "--config", project["config"], "--factor", "1.15"]
    rc, out = _run([*gate, base, slowed], project["env"])
    assert rc == 1, out
    assert "REGRESSION" in out and f"{ADD}('rustorch', 'cpu', 65536)" in out
    # the other way round the change is an improvement: the gate passes
    rc, out = _run([*gate, slowed, base], project["env"])
    assert rc == 0, out
    # a commit without results is an error, not a pass
    # (results are found by the first 8 hex digits, so the name must not share them with a benchmarked commit)
    rc, out = _run([*gate, base, "0" * 40], project["env"])
    assert rc == 2, out
