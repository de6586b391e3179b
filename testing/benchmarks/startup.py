"""Start-up costs (issue 14, target 2): what recording adds to a pytest session, and
how long ``recorder --help`` takes, each against its floor measured in the same rounds.

    .venv/bin/python testing/benchmarks/startup.py [--rounds 10]

Rounds interleave the variants, so a noisy machine slows them alike; medians are
reported. Recording is timed three ways: into a database with the previous round's
journal still waiting (it is moved in first, with SQLite); into one kept up to date (the
journals moved in by ``recorder runs`` before each run, untimed, as an export after each
run would), where a new run opens only its journal; and into a new database (deleted
before each round, as on a fresh CI runner), which SQLite creates. Byte-compiled files are written
first (and ``PYTHONDONTWRITEBYTECODE`` is dropped), as on a user's machine after the
first run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("RECORDER_DB", None)
    python = sys.executable
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "test_one.py").write_text("def test_one():\n    pass\n")
        db = work / "events.db"
        up_to_date = work / "up-to-date.db"
        new = work / "new.db"
        variants = {
            "python -c pass": [python, "-c", "pass"],
            "recorder --help": [python, "-m", "recorder", "--help"],
            "recorder export --help": [python, "-m", "recorder", "export", "--help"],
            "pytest, recorder off": [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            "pytest, recorder on": [python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                    "--recorder-db", str(db)],
            "pytest, recorder on, db up to date": [
                python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--recorder-db",
                str(up_to_date)],
            "pytest, recorder on, new db": [
                python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--recorder-db",
                str(new)],
        }
        move_in = [python, "-m", "recorder", "runs", "--db", str(up_to_date)]
        for command in variants.values():  # warm up: byte-compile, fill the page cache
            timed(command, work, env)
        samples: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.rounds):
            for name, command in variants.items():
                if name.endswith("up to date"):
                    timed(move_in, work, env)
                if name.endswith("new db"):  # a first run, as on a fresh CI runner
                    for leftover in work.glob("new.db*"):
                        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
                samples[name].append(timed(command, work, env))
    median = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    for name, value in median.items():
        print(f"{name:34s} {value:7.0f} ms (median of {args.rounds})")
    for variant in ("pytest, recorder on", "pytest, recorder on, db up to date",
                    "pytest, recorder on, new db"):
        added = median[variant] - median["pytest, recorder off"]
        print(f"{'recording adds':26s} {added:7.0f} ms to a one-test session "
              f"({variant.removeprefix('pytest, recorder on').lstrip(', ') or 'journal waiting'};"
              " target: <= 50 ms)")
    print(f"{'recorder --help':26s} {median['recorder --help']:7.0f} ms (target: <= 150 ms; "
          f"python itself: {median['python -c pass']:.0f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
