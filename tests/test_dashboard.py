"""The Streamlit dashboard (dashboard/app.py) on fixture asv result folders: normal, empty, corrupt and
multi-machine, through streamlit.testing's AppTest; and once end to end in headless Chromium.

The fixtures are written in asv's results format (version 2, as asv 0.6 writes it): benchmarks.json,
<machine>/machine.json and <machine>/<commit>-<env>.json.
"""
import json
import math
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
sys.path.insert(0, str(ROOT / "dashboard"))
import headless  # noqa: E402  (dashboard/ is a folder of scripts, not a package)
NAN = float("nan")
COLUMNS = ["result", "params", "version", "started_at", "duration", "stats_ci_99_a", "stats_ci_99_b", "stats_q_25",
           "stats_q_75", "stats_number", "stats_repeat", "samples", "profile"]
LIBS, BACKENDS = ["'rustorch'", "'torch'"], ["'cpu'", "'cuda'"]
BENCHMARKS = {
    "tensor_ops.Add.time_add": ([LIBS, BACKENDS, ["65536", "4194304"]], ["library", "backend", "size"], "seconds"),
    "nn_training.LSTM.time_lstm_fwd_bwd": ([LIBS, BACKENDS, ["128"]], ["library", "backend", "size"], "seconds"),
    "tensor_ops.RatioVsTorch.track_ratio": ([["'Add'"], BACKENDS], ["benchmark", "backend"], "rustorch/torch"),
}
ENV = "existing-py_usr_bin_python3"


def _write_benchmarks(folder):
    data = {name: {"name": name, "params": params, "param_names": names, "unit": unit, "version": "1",
                   "type": "track" if name.endswith("track_ratio") else "time"}
            for name, (params, names, unit) in BENCHMARKS.items()}
    (folder / "benchmarks.json").write_text(json.dumps({**data, "version": 2}))


def _write_run(folder, machine, commit, day, add_rustorch, lstm_rustorch=0.05):
    """One result file: rustorch's add at 64K takes ``add_rustorch`` seconds (torch 20 us); cuda is skipped."""
    directory = folder / machine
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "machine.json").write_text(json.dumps({"machine": machine, "arch": "x86_64", "cpu": "Test CPU",
                                                        "num_cpu": "2", "os": "Linux", "ram": "8GB",
                                                        "version": 1}))
    add = [add_rustorch, 1e-3, NAN, NAN, 2e-5, 2e-3, NAN, NAN]  # library x backend x size
    lstm = [lstm_rustorch, NAN, 0.03, NAN]
    ratio = [add_rustorch / 2e-5 if add_rustorch is not None else None, NAN]
    results = {name: [values, BENCHMARKS[name][0]] + [None] * (len(COLUMNS) - 2)
               for name, values in (("tensor_ops.Add.time_add", add), ("nn_training.LSTM.time_lstm_fwd_bwd", lstm),
                                    ("tensor_ops.RatioVsTorch.track_ratio", ratio))}
    data = {"commit_hash": commit * 5, "env_name": ENV, "date": 1_700_000_000_000 + day * 86_400_000,
            "params": {"machine": machine, "python": "3.11"}, "python": "3.11", "requirements": {},
            "env_vars": {}, "result_columns": COLUMNS, "results": results, "durations": {}, "version": 2}
    (directory / f"{commit * 2}-{ENV}.json").write_text(json.dumps(data))


def _normal(folder, machine="ci-box"):
    _write_benchmarks(folder)
    # rustorch's add doubles at commit dddd (a regression); its LSTM fails at the latest commit
    for day, (commit, add) in enumerate((("aaaa", 2e-5), ("bbbb", 2.1e-5), ("cccc", 1.9e-5), ("dddd", 4e-5),
                                         ("eeee", 4.1e-5), ("ffff", 3.9e-5))):
        _write_run(folder, machine, commit, day, add, lstm_rustorch=None if commit == "ffff" else 0.05)
    return folder


@pytest.fixture
def normal(tmp_path):
    return _normal(tmp_path)


def _app(folder, monkeypatch):
    """The app run on ``folder`` (chosen by $RUSTORCH_ASV_RESULTS, set for this test's later reruns too)."""
    monkeypatch.setenv("RUSTORCH_ASV_RESULTS", str(folder))
    return AppTest.from_file(APP, default_timeout=60).run()


def _overview(at):
    """The overview table (the one with rustorch's status column)."""
    return next(df.value for df in at.dataframe if "rustorch status" in df.value.columns)


def _charts(at):
    """The Altair charts' Vega-Lite specs."""
    return [chart.proto.spec for chart in at.get("vega_lite_chart")]


def test_normal_results(normal, monkeypatch):
    at = _app(normal, monkeypatch)
    assert not at.exception
    table = _overview(at)
    row = table[(table["benchmark"] == "tensor_ops.Add.time_add") & (table["size"] == "65536")].iloc[0]
    assert row["backend"] == "cpu" and math.isclose(row["ratio vs torch"], 3.9e-5 / 2e-5)
    assert set(table["backend"]) == {"cpu"}  # the skipped cuda rows are not listed
    # the failed LSTM run is named, the rest of the page is shown
    assert any("failed" in e.value and "LSTM" in e.value for e in at.error)
    assert "failed" in set(table["rustorch status"])
    assert [t.label for t in at.tabs] == ["Overview", "History", "Backends side by side", "Machines"]
    # history of rustorch's add: asv's step detection finds the regression of commit dddd
    at.selectbox(key="history_benchmark").set_value("tensor_ops.Add.time_add").run()
    at.selectbox(key="history_parameters").set_value("|65536").run()
    assert not at.exception
    assert any("regression" in w.value for w in at.warning)
    regressions = [df.value for df in at.dataframe if "introduced by commit" in df.value.columns]
    assert list(regressions[0]["introduced by commit"]) == ["dddddddd"]
    history, ratio, bars = _charts(at)  # the history, its ratio to torch, the backends' bars
    assert "triangle-up" in history and "rustorch / torch" in ratio and '"bar"' in bars
    machines = [df.value for df in at.dataframe if "field" in df.value.columns]
    assert "Test CPU" in set(machines[0]["value"])


def test_no_results_yet(tmp_path, monkeypatch):
    at = _app(tmp_path, monkeypatch)
    assert not at.exception
    assert "No benchmark results yet" in at.info[0].value
    at = _app(tmp_path / "missing", monkeypatch)
    assert not at.exception and "no such folder" in at.warning[0].value


def test_corrupt_file_is_reported_and_the_rest_shown(normal, monkeypatch):
    (normal / "ci-box" / "0000000000-broken.json").write_text('{"commit_hash": "00000000", "results": {')
    (normal / "ci-box" / "1111111111-other.json").write_text('{"some": "json"}')
    at = _app(normal, monkeypatch)
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "0000000000-broken.json" in warnings and "1111111111-other.json" in warnings
    assert "tensor_ops.Add.time_add" in set(_overview(at)["benchmark"])


def test_multi_machine(tmp_path, monkeypatch):
    _normal(tmp_path, "box-a")
    _normal(tmp_path, "box-b")
    at = _app(tmp_path, monkeypatch)
    assert not at.exception
    assert set(_overview(at)["machine"]) == {"box-a", "box-b"}
    at.sidebar.multiselect[0].set_value(["box-b"]).run()
    assert set(_overview(at)["machine"]) == {"box-b"}
    assert [s.value for s in at.subheader if s.value.startswith("box")] == ["box-b"]


@pytest.mark.skipif(headless.find_chromium() is None,
                    reason="headless Chromium is not installed (Debian: apt-get install chromium)")
def test_end_to_end_in_headless_chromium(tmp_path):
    _write_benchmarks(tmp_path)
    for day, commit in enumerate(("aaaa", "bbbb", "cccc")):
        _write_run(tmp_path, "ci-box", commit, day, 2e-5)
    with headless.serve(tmp_path) as url:
        state = headless.render(url, timeout=60)
    assert state["table"] >= 1 and state["charts"] >= 1, state  # the overview table and an Altair chart
    assert state["errors"] == [], state
