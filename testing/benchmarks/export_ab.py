#!/usr/bin/env python3
"""Whole-process A/B of ``recorder export`` against another recorder tree and the floor,
in interleaved rounds, on a generated log:

    git -C /work/main archive main | tar -x -C /tmp/export-main
    .venv/bin/python testing/benchmarks/export_ab.py /tmp/efbench/events-100000.db \\
        --baseline /tmp/export-main [--rounds 5]

Each round runs the floor (bench.py's: sqlite3 read + ``json.loads`` per payload), the
baseline tree's export and this tree's export, one after the other, each its own
process (``PYTHONPATH`` picks the tree). Printed per variant: the walls, the median,
events/s, the median of per-round ratios to the floor (wall and CPU: user + system),
and peak RSS. Load on a shared machine moves every variant alike within a round; the
ratios are what to compare. Both exports are checked to write the same bytes.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

from bench import FLOOR_SCRIPT  # noqa: E402


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"{command} failed ({status})")
    return (time.perf_counter() - started, usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path, help="a log from generate.py (one run)")
    parser.add_argument("--baseline", type=Path, required=True,
                        help="another recorder tree (its recorder/ is imported)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with sqlite3.connect(args.db) as connection:
        run_id, events = connection.execute(
            "SELECT run_id, COUNT(*) FROM events GROUP BY run_id").fetchone()
    work = Path(tempfile.mkdtemp(prefix="export-ab-"))
    floor = work / "floor.py"
    floor.write_text(FLOOR_SCRIPT, encoding="utf-8")
    base_env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}

    def export(tree: Path, out: Path) -> tuple[list[str], dict[str, str]]:
        return ([sys.executable, "-m", "recorder", "export", "--db", str(args.db), "--out",
                 str(out), "--run-id", run_id, "-q"], {**base_env, "PYTHONPATH": str(tree)})

    variants = {
        "floor": ([sys.executable, str(floor), str(args.db), run_id], base_env),
        "baseline": export(args.baseline, work / "baseline.json"),
        "this tree": export(REPO, work / "this.json"),
    }
    print(f"{events:,} events; load average {os.getloadavg()[0]:.2f} at start")
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, (command, env) in variants.items():
            results[name].append(measured(command, env))
    floors = results["floor"]
    for name, runs in results.items():
        walls = [wall for wall, _, _ in runs]
        wall_ratio = statistics.median(run[0] / low[0] for run, low in zip(runs, floors,
                                                                          strict=True))
        cpu_ratio = statistics.median(run[1] / low[1] for run, low in zip(runs, floors,
                                                                         strict=True))
        print(f"{name:9s} walls {' '.join(f'{w:.2f}' for w in walls)}  median "
              f"{statistics.median(walls):.2f} s  {events / statistics.median(walls):,.0f} "
              f"events/s  vs floor {wall_ratio:.2f}x (CPU {cpu_ratio:.2f}x)  peak RSS "
              f"{max(rss for _, _, rss in runs):.0f} MB")
    same = filecmp.cmp(work / "baseline.json", work / "this.json", shallow=False)
    print(f"load average {os.getloadavg()[0]:.2f} at end; outputs "
          f"{'identical' if same else 'DIFFER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
