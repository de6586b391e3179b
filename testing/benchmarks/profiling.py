#!/usr/bin/env python3
"""Profiles of recording and export, summarized as "where does the time go".

    .venv/bin/python testing/benchmarks/profiling.py [pytest] [xdist] [export]
        [--tests 2000] [--events 200000] [--out DIR]

Every scenario runs under ``py-spy record --idle`` (sampling from outside the process,
so calls are not taxed by a profiling hook; ``--idle`` keeps time spent waiting, such
as SQLite commits and lock waits, in the picture). Only main threads are counted:
pytest-rerunfailures, for one, keeps a socket server thread idle all run long.
py-spy shows no native frames: time inside a C call (``sqlite3`` ``executemany``,
``orjson.dumps``, ...) is the self time of the Python line that called it, so leaves
are listed with their line numbers.

- ``pytest``: a recorded, serial pytest run of ``--tests`` trivial tests: the share
  of the run spent in recorder code, by hook and by what it calls.
- ``xdist``: the same with ``-n 2``: per process, the share in recorder code and in
  the SQLite append (which includes waiting for the other worker's write lock).
- ``export``: ``recorder export`` of a generated log of ``--events`` events: the share
  of each stage (fetch, decode, fold, render, validate, serialize, write; each sample
  in exactly one) and the lines and functions with the most self time.

Raw profiles (collapsed stacks: open them in https://speedscope.app or feed them to
flamegraph.pl) are kept in ``--out`` (default ``testing/reports/profiles``, which git
ignores). To profile another copy of recorder, put it first on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from bench import clean_env  # noqa: E402

import recorder  # noqa: E402

RATE = "250"  # samples per second: enough, and py-spy's pauses cost little at this rate
Stack = list[str]
Samples = list[tuple[Stack, int]]

#: Export buckets, in the order they are printed. Each sample goes to exactly one
#: bucket (see :func:`export_bucket`), so the shares add up to 100%; the buckets work
#: for the whole-document exporter and for a streaming one alike.
EXPORT_BUCKETS = [
    "fetch rows (sqlite3 + row objects)",
    "decode: JSON parse of payloads",
    "decode: cattrs structure",
    "decode: envelope (decode_row, StoredEvent)",
    "fold: RunProjection.apply",
    "fold: loop in the exporter",
    "render the document (projector)",
    "validate (jsonschema)",
    "serialize JSON",
    "write file (incl. fsync)",
    "export_run's own lines (returning frees the fold state)",
    "import recorder's modules",
    "other recorder code",
    "outside recorder (start-up, imports, exit)",
]


def export_bucket(stack: Stack) -> str:
    """Which stage of an export the sample ``stack`` belongs to."""
    mine = [frame for frame in stack if is_recorder(frame)]
    if not mine:
        return EXPORT_BUCKETS[-1]
    if any(path(frame).endswith("schema.py") for frame in mine):
        return "validate (jsonschema)"
    innermost = mine[-1]
    where, name = path(innermost), function(innermost)
    if name == "<module>":
        return "import recorder's modules"
    if where.endswith("rendering.py") or name == "render_json":
        return "serialize JSON"
    if where.endswith("codec.py"):
        return "decode: cattrs structure" if name == "structure" else \
            "decode: JSON parse of payloads"
    if where.endswith("store/sqlite.py"):
        if name in ("decode_row", "decode_envelope"):
            return "decode: envelope (decode_row, StoredEvent)"
        if name in ("iter_rows", "iter_envelopes", "_row_batches", "iter_events", "_query"):
            return "fetch rows (sqlite3 + row objects)"
    if where.endswith("export/case_spool.py"):
        return "serialize JSON"
    # Cases rendered as they finish (recorder/document/retiring.py) are rendered from
    # inside the fold: what runs under compact_view is rendering.
    if any(path(frame).endswith("document/compact_view.py") for frame in mine):
        return "render the document (projector)"
    if where.endswith("document/payload_fold.py"):
        return ("fold: loop in the exporter" if name in ("fold_rows", "fold_envelopes")
                else "fold: RunProjection.apply")
    if where.endswith(("document/projector.py", "document/records.py", "document/case_view.py",
                       "document/retiring.py")):
        folding = any((function(f) in ("apply", "apply_all") and path(f).endswith("projector.py"))
                      or function(f) in ("fold_rows", "fold_envelopes") for f in mine)
        return "fold: RunProjection.apply" if folding else "render the document (projector)"
    if where.endswith("export/atomic.py") and name == "write_atomically":
        return "write file (incl. fsync)"
    if where.endswith("export/run_json.py"):
        if name in ("fold_run", "_fold", "fold_projection", "fold_source"):
            return "fold: loop in the exporter"
        if name in ("export_run", "_export"):
            return "export_run's own lines (returning frees the fold state)"
    return "other recorder code"


# -- py-spy stacks -------------------------------------------------------------------


def function(frame: str) -> str:
    """``"EventStore.append (recorder/store/sqlite.py:178)"`` -> ``"append"``."""
    return frame.partition(" (")[0].rpartition(".")[2]


def path(frame: str) -> str:
    """``"EventStore.append (recorder/store/sqlite.py:178)"`` -> ``"recorder/store/sqlite.py"``."""
    return frame.partition(" (")[2].rpartition(":")[0]


def is_recorder(frame: str) -> bool:
    return path(frame).startswith("recorder/")


def pyspy(out: Path, name: str, command: list[str], cwd: Path, *,
          subprocesses: bool = False) -> Samples:
    raw = out / f"{name}.raw"
    spy = [str(Path(sys.executable).parent / "py-spy"), "record", "--idle", "-r", RATE,
           "-f", "raw", "-o", str(raw), *(["--subprocesses"] if subprocesses else []), "--",
           *command]
    print(f"$ (cd {cwd} && {' '.join(spy)})", file=sys.stderr)
    subprocess.run(spy, cwd=cwd, env=clean_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    samples: Samples = []
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        python_frames = _python_only(frames)
        if python_frames and "_bootstrap" in python_frames[0]:
            continue  # a thread started by threading: not the one running the work
        samples.append((frames, int(count)))
    return samples


def count(samples: Samples, keep: Callable[[Stack], bool]) -> int:
    return sum(n for stack, n in samples if keep(stack))


def _pct(part: int, whole: int, rate: float = float(RATE)) -> str:
    return f"{part / rate:7.3f} s {100 * part / whole:5.1f}%"


def _print_top(title: str, counter: collections.Counter[str], whole: int, n: int) -> None:
    print(f"\n{title}")
    for label, samples in counter.most_common(n):
        print(f"  {_pct(samples, whole)}  {label}")


def _python_only(stack: Stack) -> Stack:
    return [frame for frame in stack if not frame.startswith("process ")]


# -- scenarios ---------------------------------------------------------------------------


def _fresh_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def profile_pytest(out: Path, n_tests: int) -> None:
    suite = generate.generate_suite(out / "suite-trivial", n_tests, trivial=True)
    db = out / "pytest-recorded.db"
    _fresh_db(db)
    samples = pyspy(out, "pytest-recorded", [
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--recorder-db",
        str(db), str(suite)], cwd=suite)
    total = count(samples, lambda s: True)

    def outermost_recorder(stack: Stack) -> str | None:
        return next((frame for frame in stack if is_recorder(frame)), None)

    imports = count(samples, lambda s: (outermost_recorder(s) or "").startswith("<module>"))
    hooks = [(stack, n) for stack, n in samples
             if (top := outermost_recorder(stack)) and not top.startswith("<module>")]
    in_recorder = count(hooks, lambda s: True)
    print(f"\n== recorded pytest run, {n_tests} trivial tests (py-spy, wall clock) ==")
    print(f"total {total / float(RATE):.3f} s; in recorder code {_pct(in_recorder, total)}"
          f" = {in_recorder / float(RATE) / n_tests * 1e6:.0f} us per test; importing "
          f"recorder {imports / float(RATE):.3f} s (paid by every pytest run once recorder "
          "is installed, recording or not)")
    by_entry: collections.Counter[str] = collections.Counter()
    for stack, n in hooks:
        top = outermost_recorder(stack)
        by_entry[function(top or "?")] += n
    _print_top("recorder entry points (inclusive):", by_entry, total, 8)
    inner: collections.Counter[str] = collections.Counter()
    names = ["emit", "append", "_row", "encode", "unstructure", "uuid4", "utc_now",
             "utc_from_epoch", "captured", "failure_of", "iter_markers", "split_nodeid",
             "_parameters", "activate_case"]
    for stack, n in hooks:
        seen = {function(frame) for frame in stack}
        for name in names:
            if name in seen:
                inner[name] += n
    _print_top("inside the hooks (inclusive, by function name):", inner, total, len(names))
    leaves: collections.Counter[str] = collections.Counter()
    for stack, n in hooks:
        leaves[stack[-1]] += n
    _print_top("self time under the hooks, by line (top 12):", leaves, total, 12)


def profile_xdist(out: Path, n_tests: int) -> None:
    suite = generate.generate_suite(out / "suite-trivial", n_tests, trivial=True)
    db = out / "pytest-xdist.db"
    _fresh_db(db)
    samples = pyspy(out, "pytest-xdist", [
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2",
        "--recorder-db", str(db), str(suite)], cwd=suite, subprocesses=True)
    per_process: dict[str, collections.Counter[str]] = collections.defaultdict(
        collections.Counter)
    for stack, n in samples:
        processes = [frame for frame in stack if frame.startswith("process ")]
        frames = _python_only(stack)
        label = "controller" if len(processes) == 1 else "worker " + processes[-1].split(":")[0]
        counts = per_process[label]
        counts["total"] += n
        if any(is_recorder(frame) for frame in frames):
            counts["recorder"] += n
            # No native frames: time in sqlite3 (and waiting for the write lock) is the
            # self time of the line in EventStore.append that called it.
            if frames and function(frames[-1]) == "append" and path(frames[-1]).endswith(
                    "store.py"):
                counts["sqlite"] += n
    print(f"\n== pytest -n 2, {n_tests} trivial tests (py-spy --idle, main thread of each "
          "process) ==")
    for label, counts in sorted(per_process.items()):
        whole = counts["total"]
        print(f"  {label:22} {whole / float(RATE):6.2f} s; in recorder "
              f"{100 * counts['recorder'] / whole:5.1f}%, of which in the SQLite call of "
              f"EventStore.append {100 * counts['sqlite'] / whole:5.1f}% of the process")


def profile_export(out: Path, n_events: int) -> None:
    info = generate.ensure_event_log(out / f"export-{n_events}.db", n_events)
    samples = pyspy(out, "export", [
        sys.executable, "-m", "recorder", "export", "--db", str(info.path), "--out",
        str(out / "export.json"), "--run-id", info.run_id], cwd=out)
    total = count(samples, lambda s: True)
    print(f"\n== recorder export, {info.events:,} events, {info.cases:,} cases "
          "(py-spy, wall clock) ==")
    print(f"total {total / float(RATE):.3f} s = {info.events / (total / float(RATE)):,.0f} "
          "events/s")
    buckets: collections.Counter[str] = collections.Counter()
    for stack, n in samples:
        buckets[export_bucket(_python_only(stack))] += n
    for bucket in EXPORT_BUCKETS:
        print(f"  {_pct(buckets[bucket], total)}  {bucket}")
    leaves: collections.Counter[str] = collections.Counter()
    for stack, n in samples:
        leaves[stack[-1]] += n
    _print_top("self time by line (top 20):", leaves, total, 20)
    by_function: collections.Counter[str] = collections.Counter()
    for stack, n in samples:
        by_function[stack[-1].rpartition(":")[0] + ")"] += n
    _print_top("self time by function (top 15):", by_function, total, 15)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help="pytest, xdist and/or export (default: all three)")
    parser.add_argument("--tests", type=int, default=2_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=REPO / "testing" / "reports" / "profiles")
    args = parser.parse_args(argv)
    scenarios = args.scenarios or ["pytest", "xdist", "export"]
    unknown = set(scenarios) - {"pytest", "xdist", "export"}
    if unknown:
        parser.error(f"unknown scenario {sorted(unknown)[0]!r}: choose pytest, xdist or export")
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"profiling the recorder in {Path(recorder.__file__).parent}")
    if "pytest" in scenarios:
        profile_pytest(args.out, args.tests)
    if "xdist" in scenarios:
        profile_xdist(args.out, args.tests)
    if "export" in scenarios:
        profile_export(args.out, args.events)
    print(f"\nraw profiles in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
