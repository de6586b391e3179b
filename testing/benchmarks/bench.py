#!/usr/bin/env python3
"""Benchmarks for recorder: recording overhead, export throughput, append throughput.

    .venv/bin/python testing/benchmarks/bench.py [--quick | --full] [--only SECTION ...]
                                                 [--json FILE] [--markdown FILE]

Sections (all by default):

- ``overhead``: a generated suite of N tests (steps, failures, skips, xfails) run by
  pytest in a subprocess, bare and with ``--recorder-db``, ``--junitxml``,
  ``--report-log`` and ``--json-report``, serial and with ``-n 2``.
- ``export``: ``recorder export`` (a subprocess) on generated logs of 100k and 1M
  events (3M with ``--full``), against a floor in the same run: a subprocess that
  reads the same rows with sqlite3 and ``json.loads`` each payload.
- ``append``: events/s committed one per transaction through ``Emitter.emit`` by 1, 2
  and 4 writer processes (each its own source); batched ``EventStore.append`` and a
  commit-per-row loop of pre-encoded rows on the store's connection for reference.

The machine is shared and noisy, so each section runs in rounds with its variants
interleaved (A B C A B C ...), reports min and median, and compares each variant to
a peer measured in the same round (median of the per-round ratios). Child CPU time
(user + sys, from ``wait4``) is reported too: it is much less sensitive to other
load than wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import itertools
import json
import multiprocessing
import os
import platform
import re
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (after the path tweak, so the script runs from anywhere)

import recorder  # noqa: E402
from recorder.store.sqlite import EventStore  # noqa: E402

SECTIONS = ("overhead", "export", "append")

#: The targets of issue 14 (issue 7's, tightened), checked at the end of a run.
TARGET_OVERHEAD = 0.03
TARGET_EVENTS_PER_S = 300_000
TARGET_FLOOR_RATIO = 1.2
TARGET_RSS_MB = 250

PYTEST_VARIANTS: list[tuple[str, Callable[[Path], list[str]]]] = [
    ("bare", lambda out: []),
    ("recorder", lambda out: ["--recorder-db", str(out / "events.db")]),
    ("junitxml", lambda out: ["--junitxml", str(out / "junit.xml")]),
    ("reportlog", lambda out: ["--report-log", str(out / "report.jsonl")]),
    ("json-report", lambda out: ["--json-report", "--json-report-file", str(out / "report.json")]),
]

#: The floor's read: every column of every row, in seq order, which is rowid order, so
#: SQLite scans the table without an index or a sort.
FLOOR_SELECT = ("SELECT seq, event_id, run_id, type, version, source, source_seq, recorded_at,"
                " payload FROM events ORDER BY seq")
#: The floor: :data:`FLOOR_SELECT` on the (single-run) log, and parse each payload.
FLOOR_SCRIPT = f"""\
import json, sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
rows = connection.execute({FLOOR_SELECT!r})
run_id = sys.argv[2]
count = 0
for row in rows:
    if row[2] == run_id:
        json.loads(row[8])
        count += 1
print(count)
"""


# -- running and measuring a child process ---------------------------------------------


class Measured:
    """Wall time, CPU time (user + sys, the child and its reaped children) and peak RSS."""

    def __init__(self, wall: float, cpu: float, rss_mb: float, returncode: int, stdout: str):
        self.wall = wall
        self.cpu = cpu
        self.rss_mb = rss_mb
        self.returncode = returncode
        self.stdout = stdout


#: Runs one command and reports what it cost. It is a separate, small process on
#: purpose: Linux carries the peak RSS of the process that execs into the child's
#: ``ru_maxrss`` (and subprocess uses vfork, so that is the caller's memory), which
#: would charge this harness's own memory (generated logs, results) to the child.
MEASURE_SCRIPT = """\
import json, os, subprocess, sys, time
result, cwd, log, *command = sys.argv[1:]
with open(log, "w") as out:
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd or None, stdout=out, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
with open(result, "w") as out:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
               "maxrss_kb": usage.ru_maxrss, "returncode": process.returncode}, out)
"""


def run_measured(command: Sequence[str], *, cwd: Path | None = None, log: Path,
                 env: dict[str, str] | None = None, ok: Sequence[int] = (0,)) -> Measured:
    """Run ``command`` (through the small measuring process) and return what it cost:
    wall time, CPU time of it and its reaped children, and its peak RSS."""
    script = log.parent / ".measure.py"
    if not script.is_file():
        script.write_text(MEASURE_SCRIPT, encoding="utf-8")
    result = log.parent / ".measure.json"
    result.unlink(missing_ok=True)
    # -S -E: no site-packages and no PYTHON* variables for the measurer itself, so it
    # stays small; the measured command gets ``env`` unchanged.
    subprocess.run([sys.executable, "-S", "-E", str(script), str(result), str(cwd or ""),
                    str(log), *command], env=env, check=True)
    measured = json.loads(result.read_text(encoding="utf-8"))
    stdout = log.read_text(encoding="utf-8", errors="replace")
    if measured["returncode"] not in ok:
        tail = "\n".join(stdout.splitlines()[-30:])
        raise RuntimeError(f"{shlex.join(command)} exited {measured['returncode']}:\n{tail}")
    return Measured(measured["wall"], measured["cpu"], measured["maxrss_kb"] / 1024,
                    measured["returncode"], stdout)


def clean_env() -> dict[str, str]:
    """The environment for children: no recording or pytest options leaking in.

    Children run in the work directory, never in the checkout: ``python -m`` puts the
    current directory first on sys.path, which would shadow a PYTHONPATH that points
    at another copy of recorder (to measure a baseline commit, say)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("RECORDER_") and k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    env["PYTHONHASHSEED"] = "0"
    return env


def summarize(values: Sequence[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values)}


def progress(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# -- 1. recording overhead ----------------------------------------------------------


def bench_overhead(workdir: Path, n_tests: int, rounds: int, xdist: bool) -> dict[str, Any]:
    suite = generate.generate_suite(workdir / "suite", n_tests)
    modes: list[tuple[str, list[str]]] = [("serial", [])]
    if xdist:
        modes.append(("-n 2", ["-n", "2"]))
    env = clean_env()
    runs_dir = workdir / "runs"

    def pytest_command(mode_args: list[str], extra: list[str]) -> list[str]:
        return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                *mode_args, *extra, str(suite)]

    progress(f"overhead: warm-up ({n_tests} tests)")
    runs_dir.mkdir(exist_ok=True)
    run_measured(pytest_command([], []), cwd=suite, env=env, log=runs_dir / "warmup.log",
                 ok=(0, 1))

    samples: dict[tuple[str, str], list[Measured]] = {}
    checks: dict[str, Any] = {}
    for round_number in range(rounds):
        for mode, mode_args in modes:
            for name, extra_args in PYTEST_VARIANTS:
                out = runs_dir / f"{name}-{mode.replace(' ', '')}-r{round_number}"
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir(parents=True)
                progress(f"overhead: round {round_number + 1}/{rounds} {mode:6} {name}")
                measured = run_measured(pytest_command(mode_args, extra_args(out)), cwd=suite,
                                        env=env, log=out / "pytest.log", ok=(0, 1))
                samples.setdefault((mode, name), []).append(measured)
                if name == "recorder":
                    checks.setdefault(mode, _check_recorded(out / "events.db", n_tests))
                shutil.rmtree(out, ignore_errors=True)

    rows = []
    for mode, _ in modes:
        bare = samples[(mode, "bare")]
        reportlog = samples[(mode, "reportlog")]
        for name, _ in PYTEST_VARIANTS:
            runs = samples[(mode, name)]
            walls = [m.wall for m in runs]
            cpus = [m.cpu for m in runs]
            rows.append({
                "mode": mode,
                "variant": name,
                "wall_s": summarize(walls),
                "cpu_s": summarize(cpus),
                "ms_per_test": statistics.median(walls) / n_tests * 1000,
                "wall_vs_bare": _paired(runs, bare, "wall"),
                "cpu_vs_bare": _paired(runs, bare, "cpu"),
                "wall_vs_reportlog": _paired(runs, reportlog, "wall"),
                "samples_wall_s": walls,
                "samples_cpu_s": cpus,
            })
    return {"tests": n_tests, "rounds": rounds, "rows": rows, "recorded": checks}


def _paired(runs: list[Measured], peers: list[Measured], field: str) -> dict[str, float]:
    """Each round's ratio to its peer: median and min of those, plus ratio of the mins."""
    ratios = [getattr(a, field) / getattr(b, field) for a, b in zip(runs, peers, strict=True)]
    best = min(getattr(m, field) for m in runs) / min(getattr(m, field) for m in peers)
    return {"median_of_ratios": statistics.median(ratios), "ratio_of_mins": best}


def _check_recorded(db: Path, n_tests: int) -> dict[str, Any]:
    """What the recorded database holds, to prove the recorder really recorded."""
    EventStore.open_existing(db).close()  # moves the run's journals into the table
    with sqlite3.connect(db) as connection:
        by_type = dict(connection.execute("SELECT type, COUNT(*) FROM events GROUP BY type"))
        sources = [r[0] for r in connection.execute("SELECT DISTINCT source FROM events")]
    finished = by_type.get("case.finished", 0)
    if finished != n_tests:
        raise RuntimeError(f"{db}: {finished} case.finished events for {n_tests} tests")
    return {"events": sum(by_type.values()), "by_type": by_type, "sources": sorted(sources)}


# -- 2. export -----------------------------------------------------------------------


def bench_export(workdir: Path, sizes: list[int], rounds: int, big_rounds: int) -> dict[str, Any]:
    logs = {}
    for size in sizes:
        path = workdir / f"events-{size}.db"
        progress(f"export: generating {size:,} events -> {path}")
        started = time.perf_counter()
        logs[size] = generate.ensure_event_log(path, size)
        progress(f"export: {logs[size].events:,} events, {logs[size].cases:,} cases "
                 f"({time.perf_counter() - started:.1f} s)")
    floor_script = workdir / "floor.py"
    floor_script.write_text(FLOOR_SCRIPT, encoding="utf-8")
    env = clean_env()

    samples: dict[tuple[int, str], list[Measured]] = {}
    output_bytes: dict[int, int] = {}
    startup: list[float] = []
    for round_number in range(rounds):
        startup.append(run_measured([sys.executable, "-m", "recorder", "export", "--help"],
                                    cwd=workdir, env=env, log=workdir / "startup.log").wall)
        for size in sizes:
            if size > 1_500_000 and round_number >= big_rounds:
                continue
            info = logs[size]
            progress(f"export: round {round_number + 1}/{rounds} {size:>9,} floor")
            floor = run_measured([sys.executable, str(floor_script), str(info.path), info.run_id],
                                 cwd=workdir, env=env, log=workdir / "floor.log")
            if int(floor.stdout.split()[-1]) != info.events:
                raise RuntimeError(f"floor read {floor.stdout!r} rows, expected {info.events}")
            out = workdir / f"export-{size}.json"
            out.unlink(missing_ok=True)
            progress(f"export: round {round_number + 1}/{rounds} {size:>9,} export")
            export = run_measured([sys.executable, "-m", "recorder", "export", "--db",
                                   str(info.path), "--out", str(out), "--run-id", info.run_id],
                                  cwd=workdir, env=env, log=workdir / "export.log")
            said = re.search(r"(\d+) cases, (\d+) events", export.stdout)
            if said and (int(said[1]), int(said[2])) != (info.cases, info.events):
                raise RuntimeError(f"export said {export.stdout!r}, expected {info.cases} "
                                   f"cases and {info.events} events")
            output_bytes[size] = out.stat().st_size
            out.unlink()
            samples.setdefault((size, "floor"), []).append(floor)
            samples.setdefault((size, "export"), []).append(export)

    rows = []
    for size in sizes:
        info = logs[size]
        floors = samples[(size, "floor")]
        for name in ("floor", "export"):
            runs = samples[(size, name)]
            walls = [m.wall for m in runs]
            rows.append({
                "events": info.events,
                "cases": info.cases,
                "variant": name,
                "rounds": len(runs),
                "wall_s": summarize(walls),
                "cpu_s": summarize([m.cpu for m in runs]),
                "events_per_s": {"best": info.events / min(walls),
                                 "median": info.events / statistics.median(walls)},
                "us_per_event": statistics.median(walls) / info.events * 1e6,
                "peak_rss_mb": max(m.rss_mb for m in runs),
                "vs_floor": _paired(runs, floors, "wall"),
                "output_mb": output_bytes[size] / 1e6 if name == "export" else None,
                "samples_wall_s": walls,
            })
    return {"rows": rows, "startup_s": summarize(startup)}


# -- 3. append throughput ---------------------------------------------------------------


def _sample_events(count: int, source: str) -> list[Any]:
    """``count`` typical per-case events (start, three phases, finish), ready to emit."""
    from recorder.events.model import CaseFinished, CaseStarted, PhaseFinished

    now = "2026-01-01T00:00:00.000000+00:00"
    events: list[Any] = []
    case = 0
    while len(events) < count:
        case_id = f"tests/test_append.py::test_{source}_{case}"
        events.append(CaseStarted(case_id=case_id, started_at=now, suite="tests/test_append.py",
                                  name=f"test_{source}_{case}", file="tests/test_append.py",
                                  line=case + 1, worker=source))
        for phase in ("setup", "call", "teardown"):
            events.append(PhaseFinished(case_id=case_id, phase=phase, outcome="passed",
                                        started_at=now, stopped_at=now, duration=0.0001))
        events.append(CaseFinished(case_id=case_id, status="passed", duration=0.0003,
                                   stopped_at=now))
        case += 1
    return events[:count]


def _append_worker(mode: str, db: str, run_id: str, source: str, count: int,
                   barrier: Any, results: Any) -> None:
    """One writer process: see :func:`bench_append` for the modes."""
    import uuid

    from recorder.events.model import StoredEvent
    from recorder.store.emitter import Emitter
    from recorder.store.sqlite import EventStore

    def utc_now() -> str:
        return dt.datetime.now(dt.UTC).isoformat()

    store = EventStore.create(db)
    events = _sample_events(count, source)
    latencies: list[float] = []
    clock = time.perf_counter
    if mode == "emit":
        emitter = Emitter(store, run_id, source)
        barrier.wait()
        started = clock()
        for event in events:
            before = clock()
            emitter.emit(event)
            latencies.append(clock() - before)
        finished = clock()
    elif mode == "batched":
        stored = [StoredEvent(event_id=str(uuid.uuid4()), run_id=run_id, source=source,
                              source_seq=n, recorded_at=utc_now(), event=event)
                  for n, event in enumerate(events, start=1)]
        barrier.wait()
        started = clock()
        for first in range(0, len(stored), 1000):
            store.append(stored[first:first + 1000])
        finished = clock()
    elif mode == "raw":
        from recorder.events import codec

        rows = [(str(uuid.uuid4()), run_id, *codec.type_and_version(event), source, n,
                 utc_now(), codec.encode(event)) for n, event in enumerate(events, start=1)]
        # The store's own connection, so its pragmas (synchronous, ...) apply; this is
        # the cost of the commit alone, without envelope, encoding or locking.
        connection = store._connection
        sql = ("INSERT INTO events (event_id, run_id, type, version, source, source_seq,"
               " recorded_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        barrier.wait()
        started = clock()
        for row in rows:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(sql, row)
            connection.execute("COMMIT")
        finished = clock()
    else:
        raise ValueError(mode)
    store.close()
    latencies.sort()
    results.put({
        "source": source, "started": started, "finished": finished, "count": count,
        "p50_us": latencies[len(latencies) // 2] * 1e6 if latencies else None,
        "p99_us": latencies[int(len(latencies) * 0.99)] * 1e6 if latencies else None,
        "over_1ms": sum(1 for x in latencies if x >= 0.001),
    })


def bench_append(workdir: Path, per_writer: int, batched_events: int,
                 rounds: int) -> dict[str, Any]:
    configs = [
        ("emit, 1 writer", "emit", 1, per_writer),
        ("emit, 2 writers", "emit", 2, per_writer),
        ("emit, 4 writers", "emit", 4, per_writer),
        ("raw commit/row on the store's connection, 1 writer", "raw", 1, per_writer),
        ("batched append (1000/txn), 1 writer", "batched", 1, batched_events),
    ]
    context = multiprocessing.get_context("spawn")
    samples: dict[str, list[dict[str, Any]]] = {}
    for round_number in range(rounds):
        for label, mode, writers, count in configs:
            progress(f"append: round {round_number + 1}/{rounds} {label}")
            db = workdir / "append.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.rmtree(f"{db}.journal", ignore_errors=True)
            barrier = context.Barrier(writers)
            results = context.Queue()
            processes = [
                context.Process(target=_append_worker, args=(
                    mode, str(db), "append-run", f"w{k}", count, barrier, results))
                for k in range(writers)
            ]
            for process in processes:
                process.start()
            reports = [results.get(timeout=600) for _ in processes]
            for process in processes:
                process.join()
                if process.exitcode != 0:
                    raise RuntimeError(f"append writer exited {process.exitcode} ({label})")
            EventStore.open_existing(db).close()  # moves the writers' journals in
            with sqlite3.connect(db) as connection:
                (stored,) = connection.execute("SELECT COUNT(*) FROM events").fetchone()
            if stored != writers * count:
                raise RuntimeError(f"{label}: {stored} rows stored, expected {writers * count}")
            span = max(r["finished"] for r in reports) - min(r["started"] for r in reports)
            samples.setdefault(label, []).append({
                "events_per_s": writers * count / span,
                "p50_us": statistics.median(r["p50_us"] for r in reports)
                if reports[0]["p50_us"] is not None else None,
                "p99_us": max(r["p99_us"] for r in reports)
                if reports[0]["p99_us"] is not None else None,
                "over_1ms_pct": 100 * sum(r["over_1ms"] for r in reports) / (writers * count),
            })
    rows = []
    for label, mode, writers, count in configs:
        runs = samples[label]
        rates = [r["events_per_s"] for r in runs]
        rows.append({
            "config": label, "mode": mode, "writers": writers, "events": writers * count,
            "events_per_s": {"best": max(rates), "median": statistics.median(rates)},
            "us_per_event": 1e6 / statistics.median(rates),
            "p50_us": statistics.median(r["p50_us"] for r in runs) if mode == "emit" else None,
            "p99_us": statistics.median(r["p99_us"] for r in runs) if mode == "emit" else None,
            "over_1ms_pct": statistics.median(r["over_1ms_pct"] for r in runs)
            if mode == "emit" else None,
            "samples_events_per_s": rates,
        })
    return {"rounds": rounds, "rows": rows}


# -- reporting ---------------------------------------------------------------------------


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def collect_meta(argv: Sequence[str]) -> dict[str, Any]:
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": (f"PYTHONPATH={shlex.quote(os.environ['PYTHONPATH'])} "
                    if os.environ.get("PYTHONPATH") else "") + shlex.join(
            [os.path.relpath(sys.executable, REPO)
             if sys.executable.startswith(str(REPO)) else sys.executable,
             os.path.relpath(__file__, REPO), *argv]),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "recorder_source": str(Path(recorder.__file__).parent),
        "git_dirty": None if status is None else bool(status),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average_start": os.getloadavg(),
        "versions": {name: _version(name) for name in (
            "recorder", "pytest", "pytest-xdist", "pytest-reportlog", "pytest-json-report",
            "attrs", "cattrs", "sqlite-utils", "jsonschema")},
    }


def _pct(ratio: float) -> str:
    return f"{(ratio - 1) * 100:+.1f}%"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    lines = [line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += [line(r) for r in rows]
    return "\n".join(lines)


def render(results: dict[str, Any]) -> str:
    meta = results["meta"]
    parts = [
        "# recorder benchmarks",
        "",
        f"- date: {meta['date']}",
        f"- command: `{meta['command']}`",
        f"- recorder measured: {meta['recorder_source']}; repository at "
        f"{meta['git_commit']}{' (uncommitted changes)' if meta['git_dirty'] else ''}",
        f"- machine: "
        f"Python {meta['python']}, SQLite {meta['sqlite']}, {meta['cpus']} CPUs, "
        f"load average {meta['load_average_start'][0]:.2f} at start, "
        f"{meta['load_average_end'][0]:.2f} at end",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items() if v),
        "",
    ]
    if "overhead" in results:
        overhead = results["overhead"]
        parts += [
            f"## Recording overhead: {overhead['tests']:,} generated tests, "
            f"{overhead['rounds']} interleaved rounds",
            "",
            "Wall and CPU (user+sys, children included) seconds of the whole pytest process. "
            "'vs bare' and 'vs reportlog' are the median of per-round ratios "
            "(ratio of the minimums in brackets).",
            "",
            _table(
                ["mode", "variant", "wall min", "wall median", "ms/test", "wall vs bare",
                 "CPU median", "CPU vs bare", "wall vs reportlog"],
                [[r["mode"], r["variant"], f"{r['wall_s']['min']:.2f} s",
                  f"{r['wall_s']['median']:.2f} s", f"{r['ms_per_test']:.3f}",
                  f"{_pct(r['wall_vs_bare']['median_of_ratios'])} "
                  f"({_pct(r['wall_vs_bare']['ratio_of_mins'])})",
                  f"{r['cpu_s']['median']:.2f} s",
                  f"{_pct(r['cpu_vs_bare']['median_of_ratios'])} "
                  f"({_pct(r['cpu_vs_bare']['ratio_of_mins'])})",
                  f"{_pct(r['wall_vs_reportlog']['median_of_ratios'])}"]
                 for r in overhead["rows"]],
            ),
            "",
            "Recorded: " + "; ".join(
                f"{mode}: {c['events']:,} events from {', '.join(c['sources'])}"
                for mode, c in overhead["recorded"].items()),
            "",
        ]
    if "export" in results:
        parts += [
            "## Export: `recorder export` vs floor (sqlite3 read + json.loads per payload)",
            "",
            _table(
                ["events", "cases", "variant", "rounds", "wall min", "wall median",
                 "events/s (median)", "us/event", "peak RSS", "vs floor", "output"],
                [[f"{r['events']:,}", f"{r['cases']:,}", r["variant"], str(r["rounds"]),
                  f"{r['wall_s']['min']:.2f} s", f"{r['wall_s']['median']:.2f} s",
                  f"{r['events_per_s']['median']:,.0f}", f"{r['us_per_event']:.2f}",
                  f"{r['peak_rss_mb']:,.0f} MB",
                  f"{r['vs_floor']['median_of_ratios']:.2f}x",
                  f"{r['output_mb']:.0f} MB" if r["output_mb"] is not None else ""]
                 for r in results["export"]["rows"]],
            ),
            "",
            f"Fixed cost in every export: `python -m recorder export --help` takes "
            f"{results['export']['startup_s']['median']:.2f} s (median; start-up and imports).",
            "",
        ]
    if "append" in results:
        parts += [
            f"## Append throughput ({results['append']['rounds']} interleaved rounds)",
            "",
            "Each writer is its own process and source; 'emit' makes every event durable with "
            "its own journal write through `Emitter.emit`, as the pytest plugin does (moving "
            "the journals into SQLite afterwards is not timed). Latency is per `emit` call "
            "(p99: worst writer). 'raw commit/row' is what every emit cost before journals: "
            "one SQLite transaction per event.",
            "",
            _table(
                ["config", "events", "events/s (median)", "events/s (best)", "us/event",
                 "emit p50", "emit p99", "emits >= 1 ms"],
                [[r["config"], f"{r['events']:,}", f"{r['events_per_s']['median']:,.0f}",
                  f"{r['events_per_s']['best']:,.0f}", f"{r['us_per_event']:.1f}",
                  f"{r['p50_us']:.0f} us" if r["p50_us"] is not None else "",
                  f"{r['p99_us']:.0f} us" if r["p99_us"] is not None else "",
                  f"{r['over_1ms_pct']:.1f}%" if r["over_1ms_pct"] is not None else ""]
                 for r in results["append"]["rows"]],
            ),
            "",
        ]
    checks = targets(results)
    if checks:
        parts += ["## Targets (issue 14)", "",
                  _table(["target", "measured", "met"],
                         [[t, m, "yes" if ok else "NO"] for t, m, ok in checks]), ""]
    return "\n".join(parts)


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    checks = []
    if "overhead" in results:
        rows = {(r["mode"], r["variant"]): r for r in results["overhead"]["rows"]}
        for mode in ("serial", "-n 2"):
            recorder = rows.get((mode, "recorder"))
            if recorder is None:
                continue
            wall = recorder["wall_vs_bare"]["median_of_ratios"]
            if mode == "serial":
                checks.append((f"recording ({mode}) <= {TARGET_OVERHEAD:.0%} over bare pytest "
                               "(wall)", _pct(wall), wall <= 1 + TARGET_OVERHEAD))
            for peer in ("reportlog", "junitxml"):
                other = rows.get((mode, peer))
                if other is None:
                    continue
                ratio = recorder["wall_vs_bare"]["median_of_ratios"] / other["wall_vs_bare"][
                    "median_of_ratios"]
                checks.append((f"recording ({mode}) faster than {peer} (wall, vs bare)",
                               f"{_pct(wall)} vs {_pct(other['wall_vs_bare']['median_of_ratios'])}",
                               ratio < 1.0))
    if "export" in results:
        exports = [r for r in results["export"]["rows"] if r["variant"] == "export"]
        startup = results["export"].get("startup_s", {}).get("median", 0.0)
        for row in exports:
            if row["events"] < 90_000 or row["events"] > 1_500_000:
                continue
            label = f"{row['events']:,} events"
            rate = row["events"] / max(row["wall_s"]["median"] - startup, 1e-9)
            checks.append((f"export {label} >= {TARGET_EVENTS_PER_S:,} events/s after start-up",
                           f"{rate:,.0f}", rate >= TARGET_EVENTS_PER_S))
            ratio = row["vs_floor"]["median_of_ratios"]
            checks.append((f"export {label} <= {TARGET_FLOOR_RATIO}x floor", f"{ratio:.2f}x",
                           ratio <= TARGET_FLOOR_RATIO))
        main = min(exports, key=lambda r: abs(r["events"] - 1_000_000))
        checks.append((f"export {main['events']:,} events peak RSS <= {TARGET_RSS_MB} MB",
                       f"{main['peak_rss_mb']:,.0f} MB", main["peak_rss_mb"] <= TARGET_RSS_MB))
        # Linear: the marginal cost per event between consecutive sizes stays the same
        # (start-up is a fixed cost, so whole-run us/event falls a little with size).
        marginal = [
            (b["wall_s"]["median"] - a["wall_s"]["median"]) / (b["events"] - a["events"]) * 1e6
            for a, b in itertools.pairwise(exports)
        ]
        if marginal:
            label = " / ".join(f"{m:.2f}" for m in marginal) + " us per extra event"
            spans = ", ".join(f"{a['events'] / 1e6:g}M->{b['events'] / 1e6:g}M"
                              for a, b in itertools.pairwise(exports))
            checks.append((f"export cost linear in events ({spans}: marginal cost within "
                           "1.25x)", label, max(marginal) <= 1.25 * min(marginal)))
    return checks


# -- main ----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true",
                      help="small sizes for a smoke run: 1,000 tests, 100k events, 3 rounds")
    size.add_argument("--full", action="store_true",
                      help="also export 3M events (measured in --big-rounds rounds)")
    parser.add_argument("--only", action="append", choices=SECTIONS,
                        help="run only this section (repeatable)")
    parser.add_argument("--tests", type=int, help="size of the generated suite (default 10,000)")
    parser.add_argument("--rounds", type=int, help="rounds per section (default 5 for "
                        "overhead, 3 for export and append)")
    parser.add_argument("--no-xdist", action="store_true", help="skip the -n 2 runs")
    parser.add_argument("--export-sizes", type=lambda s: [int(x) for x in s.split(",")],
                        help="comma-separated event counts (default 100000,1000000)")
    parser.add_argument("--big-rounds", type=int, default=1,
                        help="rounds for export sizes above 1.5M events (default 1)")
    parser.add_argument("--append-events", type=int,
                        help="events per writer for emit (default 10,000)")
    parser.add_argument("--workdir", type=Path,
                        help="keep generated suites and logs here and reuse them "
                        "(default: a temporary directory, removed afterwards)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    parser.add_argument("--markdown", type=Path, metavar="FILE",
                        help="also write the tables as Markdown")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    sections = args.only or list(SECTIONS)
    n_tests = args.tests or (1_000 if args.quick else 10_000)
    sizes = args.export_sizes or ([100_000] if args.quick else
                                  [100_000, 1_000_000] + ([3_000_000] if args.full else []))
    per_writer = args.append_events or (2_000 if args.quick else 10_000)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="recorder-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"meta": collect_meta(argv)}
    try:
        if "overhead" in sections:
            results["overhead"] = bench_overhead(workdir, n_tests, args.rounds or (
                3 if args.quick else 5), xdist=not args.no_xdist)
        if "export" in sections:
            results["export"] = bench_export(workdir, sizes, args.rounds or 3, args.big_rounds)
        if "append" in sections:
            results["append"] = bench_append(workdir, per_writer, per_writer * 10,
                                             args.rounds or 3)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    results["meta"]["load_average_end"] = os.getloadavg()
    text = render(results)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
