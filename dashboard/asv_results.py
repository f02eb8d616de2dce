"""asv's results folder as tables for the dashboard.

Reads what asv 0.6 writes (results format version 2): ``benchmarks.json`` (each benchmark's parameters and unit),
``<machine>/machine.json`` and one ``<machine>/<commit>-<environment>.json`` per run. A file that cannot be read
is reported in ``Results.problems`` and the rest is still loaded.
"""
import ast
import itertools
import json
import math
import os
from dataclasses import dataclass, field

import pandas as pd
from asv.step_detect import detect_regressions, detect_steps

LIBRARIES = ("rustorch", "torch", "numpy")
# asv's units -> the unit shown and the factor to it
DISPLAY_UNITS = {"seconds": ("ms", 1e3), "bytes": ("MiB", 1 / (1 << 20))}
ROW_COLUMNS = ["machine", "commit", "date", "env", "benchmark", "topic", "family", "test", "kind", "unit", "library",
               "backend", "variant", "size", "value", "status"]


@dataclass
class Results:
    folder: str
    rows: pd.DataFrame  # one row per (result file, benchmark, parameter combination): ROW_COLUMNS
    runs: pd.DataFrame  # one row per result file: machine, commit, date, env, python, requirements, env_vars, file
    machines: dict  # machine name -> machine.json's fields
    problems: list = field(default_factory=list)  # files that could not be read, with the reason


def _read_json(path, problems):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        problems.append(f"{path}: {e}")
        return None


def _value(text):
    """A parameter value from asv's repr ("'cpu'" -> 'cpu', '65536' -> '65536')."""
    try:
        return str(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return text


def _status(value):
    if value is None:
        return "failed"
    return "skipped" if isinstance(value, float) and math.isnan(value) else "ok"


def _benchmark_rows(name, meta, row, columns, run):
    """The rows of one benchmark in one result file, one per parameter combination."""
    result = row[columns["result"]]
    params = row[columns["params"]] if "params" in columns else meta.get("params", [])
    names = meta.get("param_names") or [f"param{i + 1}" for i in range(len(params))]
    combos = list(itertools.product(*params)) if params else [()]
    values = result if isinstance(result, list) else [result] * len(combos)
    topic, _, rest = name.partition(".")
    family, _, test = rest.rpartition(".")
    kind = test.split("_", 1)[0] if test.startswith(("time_", "peakmem_", "track_", "mem_")) else "time"
    out = []
    for combo, value in zip(combos, values):
        p = {n: _value(v) for n, v in zip(names, combo)}
        if "benchmark" in p and test == "track_ratio":  # RatioVsTorch: one row per measured benchmark class
            family = p.pop("benchmark")
        library = p.pop("library", "rustorch/torch" if test == "track_ratio" else "rustorch")
        backend = p.pop("backend", "cpu")
        size = p.pop("size", "")
        variant = ", ".join(f"{k}={v}" for k, v in p.items())
        out.append((*run, name, topic, f"{topic}.{family}" if family else topic, test, kind, meta.get("unit", ""),
                    library, backend, variant, size, float("nan") if value is None else float(value),
                    _status(value)))
    return out


def load(folder):
    """Every result set under ``folder`` (an asv results_dir) as a Results."""
    problems, rows, runs, machines = [], [], [], {}
    benchmarks = {}
    if not os.path.isdir(folder):
        return Results(folder, pd.DataFrame(columns=ROW_COLUMNS), pd.DataFrame(), machines,
                       [f"{folder}: no such folder"])
    path = os.path.join(folder, "benchmarks.json")
    if os.path.exists(path):
        benchmarks = _read_json(path, problems) or {}
    for machine in sorted(os.listdir(folder)):
        directory = os.path.join(folder, machine)
        if not os.path.isdir(directory):
            continue
        info = _read_json(os.path.join(directory, "machine.json"), problems) or {}
        machines[machine] = {k: v for k, v in info.items() if k != "version"}
        for file in sorted(os.listdir(directory)):
            if not file.endswith(".json") or file == "machine.json":
                continue
            data = _read_json(os.path.join(directory, file), problems)
            if data is None:
                continue
            try:
                columns = {c: i for i, c in enumerate(data["result_columns"])}
                date = pd.to_datetime(data["date"], unit="ms")
                commit = data["commit_hash"][:8]
                run = (machine, commit, date, data["env_name"])
                for name, row in data["results"].items():
                    rows += _benchmark_rows(name, benchmarks.get(name, {}), row, columns, run)
            except (KeyError, TypeError, ValueError, IndexError) as e:
                problems.append(f"{os.path.join(directory, file)}: not an asv results file ({e!r})")
                continue
            runs.append({"machine": machine, "commit": commit, "date": date, "env": data["env_name"],
                         "python": data.get("python", ""),
                         "requirements": json.dumps(data.get("requirements", {})),
                         "env_vars": json.dumps(data.get("env_vars", {})), "file": file})
    return Results(folder, pd.DataFrame(rows, columns=ROW_COLUMNS), pd.DataFrame(runs), machines, problems)


def in_display_units(rows):
    """``rows`` with times in milliseconds and memory in MiB (unit column renamed to match)."""
    rows = rows.copy()
    for unit, (shown, factor) in DISPLAY_UNITS.items():
        mask = rows["unit"] == unit
        rows.loc[mask, "value"] = rows.loc[mask, "value"] * factor
        rows.loc[mask, "unit"] = shown
    return rows


def latest(rows):
    """The rows of each machine's latest commit (by commit date)."""
    if rows.empty:
        return rows
    newest = rows.groupby("machine")["date"].transform("max")
    return rows[rows["date"] == newest]


def overview(rows):
    """One row per benchmark x backend x parameters: each library's value side by side and rustorch/torch."""
    timed = rows[rows["kind"].isin(["time", "peakmem"])]
    keys = ["machine", "topic", "family", "test", "backend", "variant", "size", "unit"]
    table = timed.pivot_table(index=keys, columns="library", values="value", aggfunc="first", dropna=False)
    table = table.reindex(columns=[lib for lib in LIBRARIES if lib in table.columns])
    # keep the combinations that ran in some library (the others are backends that are not available)
    table = table.dropna(how="all")
    if "rustorch" in table.columns and "torch" in table.columns:
        table["ratio vs torch"] = table["rustorch"] / table["torch"]
    status = timed[timed["library"] == "rustorch"].set_index(keys)["status"]
    table = table.join(status.rename("rustorch status"), how="left").reset_index()
    table.insert(2, "benchmark", table.pop("family") + "." + table.pop("test"))
    return table


def failures(rows):
    """The rows of benchmarks that failed (not skipped)."""
    return rows[rows["status"] == "failed"]


def series_regressions(series, threshold):
    """asv's step detection over one series (rows of one benchmark, parameters, library and backend, ordered by
    date): [(commit before, commit that introduced the regression, value before, value after)]."""
    series = series[series["status"] == "ok"]
    values = series["value"].tolist()
    if len(values) < 2:
        return []
    _, _, positions = detect_regressions(detect_steps(values), threshold=threshold)
    commits = series["commit"].tolist()
    return [(commits[before], commits[after], value_before, value_after)
            for before, after, value_before, value_after in positions or []]


def regressions(rows, threshold):
    """Every regression asv's step detection finds in rustorch's series of ``rows`` (all commits)."""
    found = []
    keys = ["machine", "env", "family", "test", "library", "backend", "variant", "size"]
    mine = rows[rows["library"].isin(["rustorch", "rustorch/torch"])].sort_values("date")
    for key, series in mine.groupby(keys, sort=False):
        for before, after, value_before, value_after in series_regressions(series, threshold):
            found.append({**dict(zip(keys, key)), "benchmark": f"{key[2]}.{key[3]}", "commit": after,
                          "previous commit": before, "before": value_before, "after": value_after,
                          "factor": value_after / value_before if value_before else float("nan")})
    columns = ["machine", "benchmark", "library", "backend", "variant", "size", "commit", "previous commit",
               "before", "after", "factor"]
    return pd.DataFrame(found, columns=columns)
