#!/usr/bin/env python3
"""Recording cost of two recorder copies, A/B, against bare pytest in the same rounds.

    .venv/bin/python testing/benchmarks/record_ab.py --base DIR [--tests 2000] [--rounds 8]
        [--workdir DIR]

``DIR`` is another copy of the repository (``git archive <commit> | tar -x -C DIR``),
put first on ``PYTHONPATH`` for its variant. Every round runs, interleaved: bare pytest,
``--junitxml``, ``--report-log``, the base recorder and this checkout's recorder, on the
overhead section's generated suite (serial). Reported: median wall and CPU (user + sys
from ``wait4``) and, per variant, the added CPU per test over bare pytest in the same
round (median of the rounds): on a shared machine the CPU figure moves much less than
wall time, and the per-test difference is what recording costs. Each recorded database
is checked to hold one ``case.finished`` per test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from bench import clean_env, run_measured  # noqa: E402

from recorder.store.sqlite import EventStore  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp()) if args.workdir is None else args.workdir
    scratch.mkdir(parents=True, exist_ok=True)
    suite = generate.generate_suite(scratch / "suite", args.tests)
    base_env = clean_env() | {"PYTHONPATH": str(args.base.resolve())}
    here_env = clean_env()
    variants = {
        "bare": (here_env, []),
        "junitxml": (here_env, ["--junitxml", "{out}/junit.xml"]),
        "reportlog": (here_env, ["--report-log", "{out}/log.jsonl"]),
        "recorder base": (base_env, ["--recorder-db", "{out}/events.db"]),
        "recorder here": (here_env, ["--recorder-db", "{out}/events.db"]),
    }
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(suite)]
    out = scratch / "out"
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    wall: dict[str, list[float]] = {name: [] for name in variants}
    for round_number in range(args.rounds + 1):  # round 0 warms up
        for name, (env, extra) in variants.items():
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            measured = run_measured([*command, *(a.format(out=out) for a in extra)],
                                    cwd=suite, env=env, log=out.parent / "pytest.log",
                                    ok=(0, 1))
            if "--recorder-db" in extra:
                _check(out / "events.db", args.tests)
            if round_number:
                cpu[name].append(measured.cpu)
                wall[name].append(measured.wall)
        print(f"round {round_number}/{args.rounds}: " + ", ".join(
            f"{name} {cpu[name][-1]:.2f}" for name in variants if cpu[name]), file=sys.stderr)
    print(f"{args.tests} tests, {args.rounds} rounds, load average {os.getloadavg()[0]:.2f} "
          "at the end")
    print(f"{'variant':14s} {'wall med':>9s} {'CPU med':>9s} {'CPU vs bare':>12s} "
          f"{'+us/test CPU':>13s} {'wall vs bare':>13s}")
    for name in variants:
        ratios = [c / b for c, b in zip(cpu[name], cpu["bare"], strict=True)]
        added = [(c - b) / args.tests * 1e6 for c, b in zip(cpu[name], cpu["bare"], strict=True)]
        wall_ratios = [w / b for w, b in zip(wall[name], wall["bare"], strict=True)]
        print(f"{name:14s} {statistics.median(wall[name]):8.2f}s "
              f"{statistics.median(cpu[name]):8.2f}s "
              f"{(statistics.median(ratios) - 1) * 100:+11.1f}% "
              f"{statistics.median(added):12.0f} "
              f"{(statistics.median(wall_ratios) - 1) * 100:+12.1f}%")
    if args.workdir is None:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _check(db: Path, n_tests: int) -> None:
    EventStore.open_existing(db).close()  # moves the journals in
    with sqlite3.connect(db) as connection:
        (finished,) = connection.execute(
            "SELECT COUNT(*) FROM events WHERE type = 'case.finished'").fetchone()
    if finished != n_tests:
        raise SystemExit(f"{db}: {finished} case.finished events for {n_tests} tests")


if __name__ == "__main__":
    raise SystemExit(main())
