"""rustorch's performance dashboard over asv's results: ``streamlit run dashboard/app.py [-- --results DIR]``.

The results folder is ``--results``, else $RUSTORCH_ASV_RESULTS, else asv_bench/results of this checkout. Four
tabs: the latest results of every benchmark x backend with the ratio to torch; the history of one benchmark
across commits with the regressions asv's step detection finds; one benchmark family across backends and sizes;
the machines and environments of the result sets.
"""
import argparse
import os
import sys

import altair as alt
import pandas as pd
import streamlit as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import asv_results  # noqa: E402  (beside this script, which streamlit runs as a file)

DEFAULT_RESULTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "asv_bench", "results")
RUN_HINT = "cd asv_bench && asv machine --yes && asv run --quick --set-commit-hash HEAD"


def results_folder():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--results")
    args, _ = parser.parse_known_args(sys.argv[1:])  # streamlit passes what follows `--`
    return args.results or os.environ.get("RUSTORCH_ASV_RESULTS") or DEFAULT_RESULTS


def _signature(folder):
    """Each file's path and modification time: a new result reloads the data."""
    out = []
    for root, _, files in os.walk(folder):
        out += [(os.path.join(root, f), os.path.getmtime(os.path.join(root, f))) for f in files]
    return tuple(sorted(out))


@st.cache_data(show_spinner=False)
def load(folder, signature):
    return asv_results.load(folder)


@st.cache_data(show_spinner=False)
def all_regressions(rows, threshold):
    return asv_results.regressions(rows, threshold)


def _ratio_colour(value):
    if pd.isna(value):
        return ""
    if value < 1:
        return "background-color: rgba(33, 195, 84, 0.35)"  # rustorch faster
    return "background-color: rgba(255, 75, 75, 0.35)" if value > 1 else ""


def _series_label(frame):
    return frame["library"] + " · " + frame["backend"]


def overview_tab(rows):
    newest = asv_results.latest(rows)
    for machine, group in newest.groupby("machine"):
        st.caption(f"**{machine}**: commit `{group['commit'].iloc[0]}` of {group['date'].iloc[0]:%Y-%m-%d %H:%M}")
    failed = asv_results.failures(newest)
    if not failed.empty:
        names = sorted(set(failed["family"] + "." + failed["test"] + " (" + failed["library"] + ", "
                           + failed["backend"] + ")"))
        st.error(f"{len(failed)} benchmark runs failed in the latest results: " + "; ".join(names[:20])
                 + (" ..." if len(names) > 20 else ""))
    table = asv_results.overview(newest)
    if table.empty:
        st.info("No time or memory results for this selection.")
    else:
        st.markdown("Each library's value (`unit`: ms for `time_`, MiB of peak memory for `peakmem_`) and "
                    "rustorch/torch: green where rustorch is faster, red where slower. Click a column to sort.")
        styled = table.style.format("{:.4g}", na_rep="", subset=table.select_dtypes("number").columns)
        if "ratio vs torch" in table.columns:
            styled = styled.map(_ratio_colour, subset=["ratio vs torch"])
        st.dataframe(styled, hide_index=True, placeholder="")  # not run: a blank cell
    measured = newest[(newest["kind"] == "track") & (newest["status"] != "skipped")]
    if not measured.empty:
        st.subheader("Measured in one process: track_ratio (rustorch / torch)")
        shown = measured[["machine", "family", "backend", "value", "status"]].rename(columns={"value": "ratio"})
        st.dataframe(shown.style.format("{:.3g}", na_rep="", subset=["ratio"]).map(_ratio_colour, subset=["ratio"]),
                     hide_index=True, placeholder="")


def _pick_benchmark(rows, label, key, empty_message):
    """(name, family, its rows) of the benchmark chosen in a select box over ``rows``'s benchmarks; None (and a
    note on the page) when there is none."""
    names = sorted(set(rows["family"] + "." + rows["test"]))
    if not names:
        st.info(empty_message)
        return None
    name = st.selectbox(label, names, key=key)
    family, _, test = name.rpartition(".")
    return name, family, rows[(rows["family"] == family) & (rows["test"] == test)]


def history_tab(rows, threshold):
    picked = _pick_benchmark(rows[rows["status"] != "skipped"], "Benchmark", "history_benchmark",
                             "No benchmark has a result in this selection.")
    if picked is None:
        return
    name, family, chosen = picked
    settings = sorted(set(chosen["variant"] + "|" + chosen["size"].astype(str)))
    setting = st.selectbox("Parameters", settings,
                           format_func=lambda s: " ".join(p for p in s.split("|") if p) or "(none)",
                           key="history_parameters")
    variant, _, size = setting.partition("|")
    data = chosen[(chosen["variant"] == variant) & (chosen["size"].astype(str) == size)].sort_values("date")
    data = data.assign(series=_series_label(data))
    found = []
    for _, series in data.groupby(["machine", "env", "library", "backend"]):
        if series["library"].iloc[0].startswith("rustorch"):
            for _, after, before_value, after_value in asv_results.series_regressions(series, threshold):
                found.append(series[series["commit"] == after].iloc[0].to_dict()
                             | {"before": before_value, "factor": after_value / before_value})
    unit = data["unit"].iloc[0] or "value"
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("date:T", title="commit date"), y=alt.Y("value:Q", title=unit),
        color=alt.Color("series:N", title="library · backend"), strokeDash=alt.StrokeDash("machine:N"),
        tooltip=["commit", "date", "machine", "series", "value", "status"])
    layers = [lines]
    if found:
        marks = pd.DataFrame(found)
        layers.append(alt.Chart(marks).mark_point(shape="triangle-up", size=250, color="red", filled=True).encode(
            x="date:T", y="value:Q", tooltip=["commit", "machine", "series", "before", "value", "factor"]))
    st.altair_chart(alt.layer(*layers).properties(title=f"{name} {variant} {size}".strip()), width="stretch")
    ratio = _history_ratio(data, rows, family)
    if not ratio.empty:
        st.altair_chart(alt.Chart(ratio).mark_line(point=True).encode(
            x=alt.X("date:T", title="commit date"), y=alt.Y("ratio:Q", title="rustorch / torch"),
            color="series:N", strokeDash="machine:N", tooltip=["commit", "machine", "series", "ratio"]
        ).properties(title="ratio to torch (below 1: rustorch faster)"), width="stretch")
    if found:
        st.warning(f"{len(found)} regression(s) found by asv's step detection (threshold {threshold:.0%}), marked "
                   "with red triangles:")
        st.dataframe(pd.DataFrame(found)[["commit", "machine", "series", "before", "value", "factor"]]
                     .rename(columns={"value": "after", "commit": "introduced by commit"}), hide_index=True)
    else:
        st.success("No regression found by asv's step detection in this benchmark's rustorch series.")
    with st.expander("Every regression found in the selection (all benchmarks)"):
        every = all_regressions(rows, threshold)
        if every.empty:
            st.write("None.")
        else:
            st.dataframe(every.style.format("{:.4g}", subset=["before", "after", "factor"]), hide_index=True)


def _history_ratio(data, rows, family):
    """rustorch/torch per commit from this benchmark's own rows, plus the track_ratio of its family if measured."""
    keys = ["machine", "env", "commit", "date", "backend"]
    ours = data[data["library"] == "rustorch"].set_index(keys)["value"]
    theirs = data[data["library"] == "torch"].set_index(keys)["value"]
    ratio = (ours / theirs).dropna().rename("ratio").reset_index()
    ratio["series"] = "from this benchmark · " + ratio["backend"]
    tracked = rows[(rows["test"] == "track_ratio") & (rows["family"] == family) & (rows["status"] == "ok")]
    tracked = tracked.assign(ratio=tracked["value"], series="track_ratio · " + tracked["backend"])
    return pd.concat([ratio, tracked[keys + ["ratio", "series"]]], ignore_index=True).sort_values("date")


def backends_tab(rows):
    newest = asv_results.latest(rows)
    picked = _pick_benchmark(newest[newest["kind"].isin(["time", "peakmem"])], "Benchmark family",
                             "backends_benchmark", "No time or memory results for this selection.")
    if picked is None:
        return
    name, _, data = picked
    ran = data[data["status"] == "ok"]
    missing = sorted(set(data["backend"]) - set(ran[ran["library"] == "rustorch"]["backend"]))
    if missing:
        st.caption("No rustorch result (backend not available where the suite ran, or failed): " + ", ".join(missing))
    if ran.empty:
        st.info("Nothing of this family ran.")
        return
    label = _series_label(ran)
    ran = ran.assign(series=label.where(ran["variant"] == "", label + " · " + ran["variant"]))
    sizes = sorted(set(ran["size"]), key=lambda s: (len(s), s))  # numeric sizes in numeric order
    bars = alt.Chart(ran).mark_bar().encode(
        x=alt.X("series:N", title=None, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("value:Q", title=ran["unit"].iloc[0] or "value"),
        color=alt.Color("series:N", title="library · backend", legend=None),
        tooltip=["machine", "series", "size", "value"],
    ).properties(width=max(120, 34 * ran["series"].nunique()), height=260)
    # one panel per size (and machine), each with its own scale: sizes differ by orders of magnitude
    chart = bars.facet(column=alt.Column("size:N", sort=sizes, title="size"),
                       row=alt.Row("machine:N", title=None)).resolve_scale(y="independent")
    st.altair_chart(chart.properties(title=name), width="content")


def machines_tab(results, machines):
    for machine in machines:
        st.subheader(machine)
        info = results.machines.get(machine, {})
        if info:
            st.dataframe(pd.DataFrame(sorted(info.items()), columns=["field", "value"]).astype(str), hide_index=True)
        else:
            st.warning(f"No machine.json for {machine}.")
        runs = results.runs[results.runs["machine"] == machine].sort_values("date", ascending=False)
        st.dataframe(runs.drop(columns="machine"), hide_index=True)


def main():
    st.set_page_config(page_title="rustorch performance", layout="wide")
    st.title("rustorch performance")
    folder = results_folder()
    st.caption(f"asv results from `{folder}`")
    results = load(folder, _signature(folder))
    for problem in results.problems:
        st.warning(f"Skipped a file that could not be read: {problem}")
    rows = results.rows
    if rows.empty:
        st.info(f"No benchmark results yet in `{folder}`. Run the suite, e.g. `{RUN_HINT}`, then reload.")
        return
    with st.sidebar:
        st.header("Filters")
        machines = st.multiselect("Machine", sorted(rows["machine"].unique()), default=sorted(rows["machine"].unique()))
        topics = st.multiselect("Topic", sorted(rows["topic"].unique()), default=sorted(rows["topic"].unique()))
        backends = st.multiselect("Backend", sorted(rows["backend"].unique()), default=sorted(rows["backend"].unique()))
        threshold = st.number_input("Regression threshold", 0.0, 5.0, 0.15, 0.05,
                                    help="relative step asv's step detection must find to call it a regression")
    rows = rows[rows["machine"].isin(machines) & rows["topic"].isin(topics) & rows["backend"].isin(backends)]
    rows = asv_results.in_display_units(rows)
    overview, history, side_by_side, details = st.tabs(["Overview", "History", "Backends side by side", "Machines"])
    with overview:
        overview_tab(rows)
    with history:
        history_tab(rows, threshold)
    with side_by_side:
        backends_tab(rows)
    with details:
        machines_tab(results, machines)


main()
