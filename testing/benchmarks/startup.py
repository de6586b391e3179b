"""Start-up costs (issue 14, target 2): what recording adds to a pytest session, and
how long ``recorder --help`` takes, each against its floor measured in the same rounds.

    .venv/bin/python testing/benchmarks/startup.py [--rounds 10] [--baseline SRC]

Rounds interleave the variants (in a shuffled order each round), so a noisy machine
slows them alike; medians are reported, and the median of the per-round differences
against recording off, for the whole process (the issue's measure) and for the time
from the process's start to the test body (which leaves out the session's end and the
interpreter's exit). ``--baseline SRC`` times the recording variants a second time with
another recorder tree first on ``PYTHONPATH`` (``git archive main`` unpacked), in the same
rounds. Recording is timed three ways: into a database with the previous round's
journal still waiting; into one kept up to date (the journals moved in by ``recorder
runs`` before each run, untimed, as an export after each run would); and into a new
database (deleted before each round, as on a fresh CI runner). Byte-compiled files are written
first (and ``PYTHONDONTWRITEBYTECODE`` is dropped), as on a user's machine after the
first run.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """The command's wall time; the time from its start to the test body (the test
    writes the system-wide monotonic clock, which ``perf_counter`` reads on Linux), NaN
    when no test ran; and its CPU time (user + system, with the processes it waited
    for: git), which a busy machine inflates less than the wall time."""
    stamp = cwd / "first-test.txt"
    stamp.unlink(missing_ok=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    ended = time.perf_counter()
    process.returncode = 0  # reaped above
    try:
        to_test = float(stamp.read_text()) - started
    except (OSError, ValueError):
        to_test = math.nan
    return ended - started, to_test, usage.ru_utime + usage.ru_stime


TEST_FILE = """import os, time
def test_one():
    with open(os.path.join(os.path.dirname(__file__), "first-test.txt"), "w") as f:
        f.write(repr(time.perf_counter()))
"""

RECORDING = ("pytest, recorder on", "pytest, recorder on, db up to date",
             "pytest, recorder on, new db")


def describe(values: list[float]) -> str:
    """Median and interquartile range, in ms."""
    if len(values) < 2:
        return f"{values[0] * 1000:+6.0f} ms"
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return f"{q2 * 1000:+6.0f} ms (IQR {q1 * 1000:+.0f}..{q3 * 1000:+.0f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--baseline", type=Path, default=None, metavar="SRC",
                        help="also time recording with the recorder package in SRC (e.g. "
                        "`git archive main` unpacked), put first on PYTHONPATH, in the "
                        "same rounds")
    parser.add_argument("--seed", type=int, default=14, help="the rounds' variant order")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("RECORDER_DB", None)
    python = sys.executable
    order = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "test_one.py").write_text(TEST_FILE)
        pytest_command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_one.py"]
        trees = {"": env}
        if args.baseline is not None:
            trees[" (baseline)"] = {**env, "PYTHONPATH": str(args.baseline.resolve())}
        variants: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass": ([python, "-c", "pass"], env),
            "recorder --help": ([python, "-m", "recorder", "--help"], env),
            "recorder export --help": ([python, "-m", "recorder", "export", "--help"], env),
            "pytest, recorder off": (pytest_command, env),
        }
        for tree, tree_env in trees.items():
            tag = tree.strip(" ()").replace(" ", "-") or "this"
            variants[f"pytest, recorder on{tree}"] = (
                [*pytest_command, "--recorder-db", str(work / f"events-{tag}.db")], tree_env)
            variants[f"pytest, recorder on, db up to date{tree}"] = (
                [*pytest_command, "--recorder-db", str(work / f"up-to-date-{tag}.db")], tree_env)
            variants[f"pytest, recorder on, new db{tree}"] = (
                [*pytest_command, "--recorder-db", str(work / f"new-{tag}.db")], tree_env)

        def prepare(name: str) -> None:
            command, tree_env = variants[name]
            database = Path(command[-1])
            if "up to date" in name:  # the journals moved in, untimed, as an export would
                subprocess.run([python, "-m", "recorder", "runs", "--db", str(database)],
                               cwd=work, env=tree_env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, check=False)
            if "new db" in name:  # a first run, as on a fresh CI runner
                for leftover in work.glob(f"{database.name}*"):
                    shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()

        for name, (command, tree_env) in variants.items():  # warm up: byte-compile, caches
            prepare(name)
            timed(command, work, tree_env)
        wall: dict[str, list[float]] = {name: [] for name in variants}
        to_test: dict[str, list[float]] = {name: [] for name in variants}
        cpu: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.rounds):
            names = list(variants)
            order.shuffle(names)
            for name in names:
                prepare(name)
                seconds, first, used = timed(variants[name][0], work, variants[name][1])
                wall[name].append(seconds)
                to_test[name].append(first)
                cpu[name].append(used)
    median = {name: statistics.median(values) * 1000 for name, values in wall.items()}
    load = os.getloadavg()
    print(f"{args.rounds} rounds, variants in shuffled order (seed {args.seed}); load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at the end")
    for name, value in median.items():
        print(f"{name:46s} {value:7.0f} ms (median of {args.rounds})")
    off = "pytest, recorder off"
    print("\nWhat recording adds to a one-test session (target: <= 50 ms): the difference "
          "of the wall medians; the median of the per-round wall differences (recorder on "
          "minus off in the same round); the same for the time from the process's start "
          "to the test body, and for the CPU time")
    for tree in trees:
        for variant in RECORDING:
            name = variant + tree
            label = (variant.removeprefix("pytest, recorder on").lstrip(", ")
                     or "journal waiting") + tree
            paired = [on - bare for on, bare in zip(wall[name], wall[off], strict=True)]
            first = [on - bare for on, bare in zip(to_test[name], to_test[off], strict=True)
                     if not (math.isnan(on) or math.isnan(bare))]
            used = [on - bare for on, bare in zip(cpu[name], cpu[off], strict=True)]
            print(f"  {label:32s} {median[name] - median[off]:+6.0f} ms | paired "
                  f"{describe(paired)} | to the test body {describe(first) if first else 'n/a'}"
                  f" | CPU {describe(used)}")
    print(f"{'recorder --help':26s} {median['recorder --help']:7.0f} ms (target: <= 150 ms; "
          f"python itself: {median['python -c pass']:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
