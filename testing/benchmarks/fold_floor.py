#!/usr/bin/env python3
"""How close to the floor can a CPython fold get? A lower bound for ``recorder export``
(issue 14, target 1: at most 1.2x the floor), in interleaved rounds on one log:

    .venv/bin/python testing/benchmarks/fold_floor.py /tmp/el-bench/events-100000.db \\
        [--rounds 5] [--no-export]

(a log from ``generate.py``: ``generate.ensure_event_log(Path(...), 100_000)``).

Every variant runs in this process, one after the other in each round (A B C ... A B C
...), with the cyclic GC off as it is during an export, so start-up and imports are not
in any figure (the issue's "after start-up"). Each reads every row of the log afresh:

- ``a  floor``: bench.py's ``FLOOR_SCRIPT`` loop: sqlite3 reads every column of every
  row in seq order, ``json.loads`` of each payload of the run, nothing kept.
- ``b  + dispatch``: (a), and each decoded payload goes to a function for its type
  (one dict lookup) that keeps per-case state in a dict: a case's start makes its
  dict, phases and steps append to it, its end sets status and duration. No checks,
  no event-log digest, no attrs records: the least a fold that keeps state can do.
- ``c  + dump``: (b), and each finished case is dropped from the state and written as
  one ``orjson.dumps`` (two-space indented, as the default export) of a minimal dict
  with the document's per-case fields (id, line, parameters, markers, status,
  started_at, duration, worker, reason, phases with their raw timestamps and
  durations, steps), the bytes kept in a list: rendering reduced to one C call.
- the same three with ``orjson.loads`` in place of ``json.loads`` (``a'``, ``b'``,
  ``c'``): what the exporter actually parses with (it is 3-4x quicker per payload
  than ``json.loads``, which is the floor's choice), so ``c'`` is the least a fold in
  Python that writes every case could cost.
- ``export``: the real ``export_run`` (the recorder first on ``sys.path``: this
  checkout, or another copy put first on ``PYTHONPATH``) to a temporary file, in
  process (one untimed export before the rounds pays its imports and schema compiles).

Printed per variant: median seconds, events/s, the median of per-round ratios to
(a) (wall and CPU time), and per event the microseconds over (a). If ``c'`` is already
near or over 1.2x, the target is out of reach for a pure-Python fold on this
machine, whatever the exporter does; the distance from ``c'`` to ``export`` is what
the exporter's own work (checks, records, digest, on-disk shape, validation,
spooling, the document around the cases) costs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import FLOOR_SELECT  # noqa: E402

_INDENT = orjson.OPT_INDENT_2


def floor(db: str, run_id: str, loads: Callable[[str], Any]) -> int:
    """(a): bench.py's FLOOR_SCRIPT, with ``loads`` for ``json.loads``."""
    connection = sqlite3.connect(db)
    count = 0
    for row in connection.execute(FLOOR_SELECT):
        if row[2] == run_id:
            loads(row[8])
            count += 1
    connection.close()
    return count


def fold(db: str, run_id: str, loads: Callable[[str], Any], dump: bool) -> int:
    """(b), or (c) with ``dump``: the floor's loop, each payload dispatched by type."""
    cases: dict[str, dict[str, Any]] = {}
    written: list[bytes] = []

    def case_started(p: dict[str, Any]) -> None:
        case = {"id": p["case_id"], "line": p.get("line"), "status": None,
                "started_at": p["started_at"], "duration": None, "worker": p.get("worker"),
                "phases": []}
        if p.get("parameters"):
            case["parameters"] = p["parameters"]
        if p.get("markers"):
            case["markers"] = p["markers"]
        cases[p["case_id"]] = case

    def phase_finished(p: dict[str, Any]) -> None:
        cases[p["case_id"]]["phases"].append(
            {"name": p["phase"], "outcome": p["outcome"], "started_at": p["started_at"],
             "stopped_at": p["stopped_at"], "duration": p["duration"]})

    def step_started(p: dict[str, Any]) -> None:
        cases[p["case_id"]].setdefault("steps", {})[p["step_id"]] = {
            "name": p["name"], "started_at": p["started_at"], "parent": p.get("parent_id")}

    def step_finished(p: dict[str, Any]) -> None:
        step = cases[p["case_id"]]["steps"][p["step_id"]]
        step["status"] = p["status"]
        step["duration"] = p["duration"]

    def case_finished(p: dict[str, Any]) -> None:
        case = cases[p["case_id"]]
        case["status"] = p["status"]
        case["duration"] = p["duration"]
        if p.get("reason") is not None:
            case["reason"] = p["reason"]
        if dump:
            del cases[p["case_id"]]
            if "steps" in case:
                case["steps"] = list(case["steps"].values())
            written.append(orjson.dumps(case, option=_INDENT))

    def other(p: Any) -> None:
        pass

    handlers: dict[str, Callable[[Any], None]] = {
        "case.started": case_started, "phase.finished": phase_finished,
        "step.started": step_started, "step.finished": step_finished,
        "case.finished": case_finished,
    }
    get = handlers.get
    connection = sqlite3.connect(db)
    count = 0
    for row in connection.execute(FLOOR_SELECT):
        if row[2] == run_id:
            get(row[3], other)(loads(row[8]))
            count += 1
    connection.close()
    return count


def real_export(db: str, run_id: str, out: Path) -> int:
    """The real export, in process."""
    from recorder.export.run_json import export_run

    result = export_run(db, out, run_id)
    return int(result.event_log["events"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path, help="a log from generate.py (one run)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-export", action="store_true",
                        help="leave out the real export")
    args = parser.parse_args()
    db = str(args.db)
    with sqlite3.connect(db) as connection:
        run_id, events = connection.execute(
            "SELECT run_id, COUNT(*) FROM events GROUP BY run_id").fetchone()
    with tempfile.TemporaryDirectory(prefix="fold-floor-") as scratch:
        return measure(args, db, run_id, events, Path(scratch) / "export.json")


def measure(args: argparse.Namespace, db: str, run_id: str, events: int, out: Path) -> int:
    """Run the variants in interleaved rounds and print the table."""
    variants: dict[str, Callable[[], int]] = {
        "a  floor (json.loads)": lambda: floor(db, run_id, json.loads),
        "b  + dispatch": lambda: fold(db, run_id, json.loads, dump=False),
        "c  + dump per case": lambda: fold(db, run_id, json.loads, dump=True),
        "a' floor, orjson.loads": lambda: floor(db, run_id, orjson.loads),
        "b' + dispatch": lambda: fold(db, run_id, orjson.loads, dump=False),
        "c' + dump per case": lambda: fold(db, run_id, orjson.loads, dump=True),
    }
    if not args.no_export:
        import recorder

        real_export(db, run_id, out)  # a warm-up: lazy imports and schema compiles
        variants["export (this recorder)"] = lambda: real_export(db, run_id, out)
        print(f"export: the recorder in {Path(recorder.__file__).parent}")
    print(f"{events:,} events in {args.db}; {args.rounds} rounds; load average "
          f"{os.getloadavg()[0]:.2f} at start")
    walls: dict[str, list[float]] = {name: [] for name in variants}
    cpus: dict[str, list[float]] = {name: [] for name in variants}
    gc.collect()
    gc.disable()
    for _ in range(args.rounds):
        for name, run in variants.items():
            wall, cpu = time.perf_counter(), time.process_time()
            read = run()
            walls[name].append(time.perf_counter() - wall)
            cpus[name].append(time.process_time() - cpu)
            if read != events:
                raise RuntimeError(f"{name} read {read} events, expected {events}")
            gc.collect()  # what a variant left behind is not charged to the next
    gc.enable()
    base_walls, base_cpus = walls["a  floor (json.loads)"], cpus["a  floor (json.loads)"]
    floor_median = statistics.median(base_walls)
    print(f"\n{'variant':24s} {'median':>8s} {'events/s':>10s} {'/ floor':>8s} "
          f"{'(CPU)':>7s} {'us/event over floor':>20s}")
    for name in variants:
        median = statistics.median(walls[name])
        ratio = statistics.median(w / b for w, b in zip(walls[name], base_walls, strict=True))
        cpu = statistics.median(c / b for c, b in zip(cpus[name], base_cpus, strict=True))
        over = (median - floor_median) / events * 1e6
        print(f"{name:24s} {median:7.3f}s {events / median:10,.0f} {ratio:7.2f}x "
              f"{cpu:6.2f}x {over:+19.2f}")
    print(f"\nload average {os.getloadavg()[0]:.2f} at end. Ratios are medians of per-round "
          "ratios to (a) in the same round; the target is 1.2x. (c') is the least a Python\n"
          "fold that renders every case could cost; what the real export adds beyond it is "
          "the exporter's own work.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
