"""Regression gate over asv results: ``python -m asv_bench.gate BASE HEAD [--factor 1.15]``.

Compares the results of two commits already in the results folder, benchmarked in one environment (e.g.
``asv run -E virtualenv main^!`` and ``asv run -E virtualenv HEAD^!``, or ``asv run --set-commit-hash <commit>``
in the current environment at each), as ``asv compare`` does, and exits 1 when a rustorch benchmark of HEAD is
slower than BASE's by more than the factor (with asv's statistics: the difference must also be significant), or
newly fails; 0 otherwise; 2 when the results are missing. The reference libraries' rows (torch, NumPy) are left
out; the ``track_ratio`` rows (rustorch/torch) are in. ``--run`` benchmarks both commits first with
``asv continuous`` (each built in its own virtualenv), which exits non-zero on a slowdown itself.
"""
import argparse
import contextlib
import itertools
import math
import os
import subprocess
import sys

from asv import util
from asv.benchmarks import Benchmarks
from asv.commands.compare import Compare
from asv.config import Config
from asv.machine import iter_machine_files
from asv.repo import NoSuchNameError, get_repo
from asv.results import iter_results_for_machine_and_hash

CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "asv.conf.json")


def _commit(repo, name):
    try:
        return repo.get_hash_from_name(name)
    except NoSuchNameError:
        return name  # a hash of results whose commit this clone lacks


def compare(config, base, head, factor, machine=None):
    """Print asv's comparison table of ``head`` against ``base``; True when something got worse."""
    with contextlib.chdir(os.path.dirname(os.path.abspath(config))):  # asv's paths are relative to its config
        return _compare(Config.load(os.path.basename(config)), base, head, factor, machine)


def _compare(conf, base, head, factor, machine):
    machines = [util.load_json(path)["machine"] for path in iter_machine_files(conf.results_dir)]
    if machine is None:
        if len(machines) != 1:
            raise util.UserError(f"results for {len(machines)} machines in {conf.results_dir} "
                                 f"({', '.join(machines) or 'none'}): name one with --machine")
        machine = machines[0]
    elif machine not in machines:
        raise util.UserError(f"no results for machine {machine!r} in {conf.results_dir}")
    repo = get_repo(conf)
    benchmarks = Benchmarks.load(conf)
    commits = [_commit(repo, name) for name in (base, head)]
    base_rows, head_rows = (_rustorch_rows(conf, benchmarks, machine, commit) for commit in commits)
    for name, rows in ((base, base_rows), (head, head_rows)):
        if not rows:
            raise util.UserError(f"no results for {name} on machine {machine!r} in {conf.results_dir}")
    base_envs, head_envs = ({row[-1] for row in rows} for rows in (base_rows, head_rows))
    if not base_envs & head_envs:
        raise util.UserError(f"{base} was benchmarked in {sorted(base_envs)} and {head} in {sorted(head_envs)}: "
                             "benchmark both in one environment (the same -E) to compare them")
    # The changed benchmarks, the worst first: '+' slower, '-' faster, '!' newly failing.
    worsened, _ = Compare.print_table(conf, *commits, factor=factor, split=False, resultset_1=base_rows,
                                      resultset_2=head_rows, only_changed=True, sort="ratio",
                                      commit_names=dict(zip(commits, (base, head))))
    return worsened


def _rustorch_rows(conf, benchmarks, machine, commit):
    """One commit's results as asv's compare reads them, with the reference libraries' values (torch, NumPy)
    blanked: rustorch's changes cannot make them slower, so there they would only be noise."""
    rows = []
    for result in iter_results_for_machine_and_hash(conf.results_dir, machine, commit):
        for key in result.get_all_result_keys():
            params = result.get_result_params(key)
            value = result.get_result_value(key, params)
            names = benchmarks.get(key, {}).get("param_names", [])
            if params and "library" in names and value is not None:
                i = names.index("library")
                value = [v if combo[i] == "'rustorch'" else math.nan
                         for v, combo in zip(value, itertools.product(*params))]
            rows.append((key, params, value, result.get_result_stats(key, params),
                         result.get_result_samples(key, params), result.benchmark_version.get(key), machine,
                         result.env_name))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the reference commit (a name or hash), e.g. main")
    parser.add_argument("head", help="the commit under test, e.g. HEAD")
    parser.add_argument("--factor", "-f", type=float, default=1.15,
                        help="slower than base by more than this is a regression (default 1.15)")
    parser.add_argument("--machine", "-m", help="whose results to compare (needed when there are several)")
    parser.add_argument("--config", default=CONFIG, help="asv.conf.json (default: the one beside this file)")
    parser.add_argument("--run", action="store_true",
                        help="benchmark both commits first: asv continuous in virtualenvs")
    args = parser.parse_args(argv)
    if args.factor <= 1:
        parser.error(f"--factor must be above 1, got {args.factor}")
    if args.run:
        command = [sys.executable, "-m", "asv", "continuous", "--config", args.config, "--factor", str(args.factor),
                   "-E", "virtualenv", args.base, args.head]
        if args.machine:
            command += ["--machine", args.machine]
        return subprocess.call(command)
    try:
        worsened = compare(args.config, args.base, args.head, args.factor, args.machine)
    except util.UserError as e:
        print(f"asv_bench.gate: {e}", file=sys.stderr)
        return 2
    if worsened:
        print(f"\nasv_bench.gate: REGRESSION: benchmarks of {args.head} slower than {args.base} by more than "
              f"x{args.factor} or newly failing: the rows marked + or ! above", file=sys.stderr)
        return 1
    print(f"\nasv_bench.gate: no benchmark of {args.head} slower than {args.base} by more than x{args.factor}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
