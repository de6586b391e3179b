#!/usr/bin/env python3
"""Conformance harness: real projects' test suites, recorded and checked against pytest.

For each suite (a pinned sdist fetched with ``pip download --no-binary :all: --no-deps``)
and each mode (serial, ``-n 2``, ``--reruns 1``) it runs pytest once with both the
recorder plugin (``--recorder-db``) and pytest-reportlog (``--report-log``), exports the
run document, and compares

* every case's final status in the document with the status derived from reportlog's
  records (the mapping is ``reportlog_statuses`` below and in README.md), and
* the document's summary counts with pytest's closing line (``N passed, M failed ...``).

It prints one table row per suite x mode and exits 1 on any difference that is not in
``--allow-known``. Everything it fetches, builds and writes goes under ``--work``
(default ``$TMPDIR/recorder-conformance/``, outside the repository); nothing of the
suites is committed.

Usage: ``python3 testing/conformance/run.py [--suite NAME ...] [--mode MODE ...]``
(see ``--help``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
#: Outside this repository on purpose: a suite without a pytest config of its own
#: (more-itertools, sqlite-utils) would otherwise find the repository's pyproject.toml
#: above its source, and run with this repository as rootdir and its addopts.
DEFAULT_WORK = Path(tempfile.gettempdir()) / "recorder-conformance"

#: The plugins every suite venv gets besides its own test requirements.
HARNESS_PLUGINS = ("pytest-reportlog==1.0.0", "pytest-xdist==3.8.0", "pytest-rerunfailures==16.7")


@dataclass(frozen=True)
class Suite:
    """One project's test suite at a pinned version."""

    name: str
    package: str
    version: str
    #: Test requirements (from the project's own ``tests``/``dev`` dependency group).
    requirements: tuple[str, ...]
    #: pytest arguments, run from the unpacked source directory.
    args: tuple[str, ...]
    #: Extra environment for pytest.
    env: Mapping[str, str] = field(default_factory=dict)
    #: Install the project editable (needed when tests import it from the source tree).
    editable: bool = True
    #: A directory of this repository to run instead of a fetched sdist (no install).
    local: Path | None = None


#: Smallest first. Versions: the newest release of each whose suite runs on Python 3.11
#: with pytest 9 (none of them caps pytest); requirements are their test groups, less
#: linters, type checkers and coverage.
SUITES: dict[str, Suite] = {
    s.name: s
    for s in (
        Suite("pluggy", "pluggy", "1.7.0", ("pytest-benchmark",), ("testing",)),
        Suite("more-itertools", "more-itertools", "11.2.1", (),
              ("--doctest-modules", "more_itertools", "tests")),
        Suite("attrs", "attrs", "26.1.0",
              ("cloudpickle", "hypothesis", "pympler", "psutil"), ("tests",),
              editable=False),
        Suite("click", "click", "8.5.1", (), ("tests",)),
        Suite("sqlite-utils", "sqlite-utils", "4.2.1", ("cogapp", "hypothesis"), ("tests",)),
        # Not a project: hand-written edge cases that fail on purpose (not in the default set).
        Suite("edge", "edge", "0", (), ("test_edge.py",), local=Path(__file__).parent / "edge"),
    )
}
DEFAULT_SUITES = ("pluggy", "more-itertools", "attrs", "click", "sqlite-utils")

MODES: dict[str, tuple[str, ...]] = {
    "serial": (),
    "xdist": ("--numprocesses=2",),
    "reruns": ("--reruns=1",),
}

#: Documented systematic differences; ``--allow-known`` takes these names.
KNOWN: dict[str, str] = {
    "teardown-error-counted-twice": (
        "pytest's closing line counts each failed report, so a case whose teardown failed "
        "is counted twice: for its call (passed, failed, ...) and as an error; the "
        "document counts the case once, as error (the body passed) or failed."
    ),
    "subtest-failures-counted": (
        "pytest 9 counts every failed subtest as one 'failed' besides its case's own "
        "report (a unittest subTest case whose call passed adds a 'passed'); the "
        "document counts the case once, as failed."
    ),
    "rerun-counted-per-phase": (
        "pytest-rerunfailures counts one 'rerun' per retried phase, so an attempt whose "
        "call and teardown both failed counts 2; the document counts attempts."
    ),
}

COUNT_KEYS = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")


# --------------------------------------------------------------------------- reportlog

Report = dict[str, Any]


@dataclass
class Attempt:
    """One run of a case: its TestReports (setup, call, teardown, or ``rerun`` in place
    of the phase that failed) and the SubTestReports of its call."""

    reports: list[Report] = field(default_factory=list)
    subtests: list[Report] = field(default_factory=list)

    def phase(self, when: str) -> Report | None:
        found = [r for r in self.reports if r["when"] == when]
        return found[-1] if found else None


@dataclass
class ReportlogCase:
    """One case's records, split into attempts: each ``setup`` report starts one.

    SubTestReports belong to the attempt of the next ``call`` report: pytest writes them
    between setup and call, pytest-rerunfailures (which holds reports back) before the
    attempt's setup.
    """

    attempts: list[Attempt] = field(default_factory=list)
    pending_subtests: list[Report] = field(default_factory=list)

    def add(self, record: Report) -> None:
        if record["when"] == "setup" or not self.attempts:
            self.attempts.append(Attempt())
        attempt = self.attempts[-1]
        attempt.reports.append(record)
        if record["when"] == "call":
            attempt.subtests.extend(self.pending_subtests)
            self.pending_subtests.clear()

    def add_subtest(self, record: Report) -> None:
        self.pending_subtests.append(record)


def attempt_status(attempt: Attempt) -> str:
    """Our status for one attempt, from its reportlog records (first rule that applies):

    1. a ``rerun`` outcome (the attempt failed and was retried): ``failed`` when the call
       was retried, else ``error``;
    2. a failed ``setup``: ``error``;
    3. a failed ``call`` (``[XPASS(strict)]`` included): ``failed``;
    4. a failed SubTestReport (pytest 9 exits 1 for it): ``failed``;
    5. a failed ``teardown``: ``error``;
    6. ``wasxfail`` on the call (else the setup): ``xfailed`` if skipped, ``xpassed`` if passed;
    7. a skipped call or setup: ``skipped``;
    8. otherwise ``passed``.
    """
    for report in attempt.reports:
        if report["outcome"] == "rerun":
            return "failed" if report["when"] == "call" else "error"
    setup, call, teardown = (attempt.phase(w) for w in ("setup", "call", "teardown"))
    if setup is not None and setup["outcome"] == "failed":
        return "error"
    if call is not None and call["outcome"] == "failed":
        return "failed"
    if any(sub["outcome"] == "failed" for sub in attempt.subtests):
        return "failed"
    if teardown is not None and teardown["outcome"] == "failed":
        return "error"
    for phase in (call, setup):
        if phase is None:
            continue
        if "wasxfail" in phase:
            return "xfailed" if phase["outcome"] == "skipped" else "xpassed"
        if phase["outcome"] == "skipped":
            return "skipped"
    return "passed"


def case_status(attempts: Sequence[str]) -> str:
    """The last attempt's status, ``flaky`` when a pass follows a failing attempt."""
    final = attempts[-1]
    if final == "passed" and any(s in ("failed", "error") for s in attempts[:-1]):
        return "flaky"
    return final


def pytest_categories(case: ReportlogCase) -> tuple[Counter[str], set[str]]:
    """What pytest's closing line counts for this case (its terminal reporter counts
    reports, not cases), and the KNOWN differences that make it differ from one count
    of the case's status."""
    final = case.attempts[-1]
    counts: Counter[str] = Counter()
    why: set[str] = set()
    for report in final.reports:
        outcome, when = report["outcome"], report["when"]
        if outcome == "failed":
            counts["error" if when != "call" else "failed"] += 1
        elif outcome == "skipped":
            counts["xfailed" if "wasxfail" in report else "skipped"] += 1
        elif outcome == "passed" and when == "call":
            counts["xpassed" if "wasxfail" in report else "passed"] += 1
    if sum(counts.values()) > 1:
        why.add("teardown-error-counted-twice")
    failed_subtests = sum(1 for sub in final.subtests if sub["outcome"] == "failed")
    if failed_subtests:
        counts["failed"] += failed_subtests
        why.add("subtest-failures-counted")
    reruns = [r for a in case.attempts for r in a.reports if r["outcome"] == "rerun"]
    counts["rerun"] = len(reruns)
    if len(reruns) > len(case.attempts) - 1:
        why.add("rerun-counted-per-phase")
    return counts, why


@dataclass
class Reportlog:
    cases: dict[str, ReportlogCase]
    collection_errors: list[str]
    exitstatus: int | None

    def statuses(self) -> dict[str, str]:
        return {
            nodeid: case_status([attempt_status(a) for a in case.attempts])
            for nodeid, case in self.cases.items() if case.attempts
        }

    def adjustments(self) -> tuple[Counter[str], set[str]]:
        """How pytest's closing line differs from one count per case of reportlog's
        status (flaky counted as passed), and the KNOWN names that explain it."""
        total: Counter[str] = Counter()
        why: set[str] = set()
        for status, case in zip(self.statuses().values(),
                                (c for c in self.cases.values() if c.attempts), strict=True):
            counts, reasons = pytest_categories(case)
            counts[{"flaky": "passed"}.get(status, status)] -= 1
            counts["rerun"] -= len(case.attempts) - 1
            total.update(counts)
            why |= reasons
        return Counter({k: n for k, n in total.items() if n}), why


def read_reportlog(path: Path) -> Reportlog:
    cases: dict[str, ReportlogCase] = {}
    collection_errors: list[str] = []
    exitstatus: int | None = None
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            kind = record.get("$report_type")
            if kind == "TestReport":
                cases.setdefault(record["nodeid"], ReportlogCase()).add(record)
            elif kind == "SubTestReport":
                cases.setdefault(record["nodeid"], ReportlogCase()).add_subtest(record)
            elif kind == "CollectReport" and record.get("outcome") == "failed":
                collection_errors.append(record["nodeid"])
            elif kind == "SessionFinish":
                exitstatus = record.get("exitstatus")
    return Reportlog(cases, collection_errors, exitstatus)


# --------------------------------------------------------------------------- pytest's line

CLOSING = re.compile(r"^=+ (?P<body>.*?) in [\d.]+s(?: \([^)]*\))? =+$")
PART = re.compile(r"^(?P<n>\d+) (?P<what>[a-z ]+?)$")
PLURALS = {"errors": "error", "warnings": "warning", "reruns": "rerun"}


def closing_counts(output: str) -> dict[str, int] | None:
    """Parse the last ``=== 3 failed, 10 passed, 1 warning in 0.12s ===`` line."""
    for line in reversed(output.splitlines()):
        match = CLOSING.match(line.strip())
        if match is None:
            continue
        counts: dict[str, int] = {}
        for part in match.group("body").split(", "):
            m = PART.match(part.strip())
            if m is None:
                continue
            what = m.group("what")
            counts[PLURALS.get(what, what)] = int(m.group("n"))
        return counts
    return None


# --------------------------------------------------------------------------- the document

_FULL_FORM = ("import json, sys; from recorder.document.reader import load_document; "
              "print(json.dumps(load_document(sys.argv[1])))")


def document_statuses(document: Mapping[str, Any]) -> dict[str, str]:
    return {case["id"]: case["status"]
            for suite in document["suites"] for case in suite["cases"]}


def bad_splits(document: Mapping[str, Any]) -> list[str]:
    """Cases whose suite and name are not pytest's: ``suite::name`` must give the id
    back, and the suite may not end inside a parameter's brackets (``test_x[::1]``)."""
    bad = []
    for suite in document["suites"]:
        for case in suite["cases"]:
            parent = case["suite"]
            if (f"{parent}::{case['name']}" != case["id"]
                    or parent.count("[") != parent.count("]")):
                bad.append(f"{case['id']} (suite {parent!r}, name {case['name']!r})")
    return bad


def document_reruns(document: Mapping[str, Any]) -> int:
    return sum(max(len(case.get("attempts") or []) - 1, 0)
               for suite in document["suites"] for case in suite["cases"])


# --------------------------------------------------------------------------- comparing

@dataclass
class Result:
    suite: str
    mode: str
    cases: int = 0
    matching: int = 0
    mismatches: list[tuple[str, str, str]] = field(default_factory=list)
    bad_splits: list[str] = field(default_factory=list)
    count_diffs: dict[str, tuple[int, int]] = field(default_factory=dict)
    known_used: set[str] = field(default_factory=set)
    unexplained: set[str] = field(default_factory=set)
    pytest_counts: dict[str, int] = field(default_factory=dict)
    doc_summary: dict[str, int] = field(default_factory=dict)
    run_status: str = ""
    exit_status: int | None = None
    pytest_exit: int | None = None
    seconds: float = 0.0
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return (self.problem is None and not self.mismatches and not self.count_diffs
                and not self.bad_splits)


def compare(result: Result, document: Mapping[str, Any], log: Reportlog,
            pytest_counts: Mapping[str, int], allowed: set[str]) -> None:
    ours = document_statuses(document)
    theirs = log.statuses()
    result.cases = len(set(ours) | set(theirs))
    for nodeid in sorted(set(ours) | set(theirs), key=lambda n: (n not in ours, n)):
        a, b = ours.get(nodeid, "(absent)"), theirs.get(nodeid, "(absent)")
        if a == b:
            result.matching += 1
        else:
            result.mismatches.append((nodeid, a, b))

    result.bad_splits = bad_splits(document)
    summary = document["summary"]
    result.doc_summary = {k: int(v) for k, v in summary.items() if isinstance(v, int)}
    expected = {k: int(summary[k]) for k in COUNT_KEYS}
    expected["passed"] += int(summary["flaky"])  # pytest counts a flaky case as passed
    expected["error"] += len(document["collection"]["errors"])
    expected["rerun"] = document_reruns(document)
    extra, why = log.adjustments()
    unexplained = why - allowed
    if not unexplained:
        for key, n in extra.items():
            expected[key] = expected.get(key, 0) + n
        result.known_used |= why
    for key in (*COUNT_KEYS, "rerun"):
        if expected.get(key, 0) != pytest_counts.get(key, 0):
            result.count_diffs[key] = (expected.get(key, 0), pytest_counts.get(key, 0))
    if result.count_diffs and unexplained:
        result.count_diffs["(known, not allowed)"] = (0, 0)
        result.unexplained |= unexplained
    result.run_status = str(document.get("status"))
    result.exit_status = document.get("exit_status")
    if result.exit_status != result.pytest_exit:
        result.count_diffs["exit_status"] = (int(result.exit_status or -1),
                                             int(result.pytest_exit or -1))
    if document.get("status") == "passed" and result.pytest_exit != 0:
        result.problem = f"document says passed, pytest exited {result.pytest_exit}"


# --------------------------------------------------------------------------- fetch, install, run

def run(cmd: Sequence[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    printable = " ".join(str(c) for c in cmd)
    print(f"$ {printable}", file=sys.stderr, flush=True)
    return subprocess.run([str(c) for c in cmd], text=True, check=True, **kwargs)


def fetch(suite: Suite, work: Path, python: str) -> Path:
    """Download and unpack the suite's sdist; return the source directory."""
    if suite.local is not None:
        return suite.local
    sdists = work / "sdist"
    sdists.mkdir(parents=True, exist_ok=True)
    stem = suite.package.replace("-", "_")
    found = [p for p in sdists.glob("*.tar.gz")
             if p.name.lower().replace("-", "_").startswith(f"{stem}_{suite.version}.tar")]
    if not found:
        run([python, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps",
             "-d", sdists, f"{suite.package}=={suite.version}"])
        found = [p for p in sdists.glob("*.tar.gz")
                 if p.name.lower().replace("-", "_").startswith(f"{stem}_{suite.version}.tar")]
    if len(found) != 1:
        raise SystemExit(f"Error: expected one sdist of {suite.package} {suite.version} "
                         f"in {sdists}, found {[p.name for p in found]}")
    source = work / "src" / f"{suite.name}-{suite.version}"
    if not source.exists():
        unpack = work / "src" / ".unpack"
        shutil.rmtree(unpack, ignore_errors=True)
        unpack.mkdir(parents=True)
        with tarfile.open(found[0]) as archive:
            archive.extractall(unpack, filter="data")
        (top,) = list(unpack.iterdir())
        top.rename(source)
        unpack.rmdir()
    return source


def venv_for(suite: Suite, source: Path, work: Path, python: str, pytest_pin: str) -> Path:
    """A venv with the suite, its test requirements, this recorder and the peer plugins."""
    venv = work / "venvs" / f"{suite.name}-{suite.version}"
    marker = venv / ".conformance-installed"
    py = venv / "bin" / "python"
    installed = f"{pytest_pin}\n{REPO}\n"
    if marker.exists():
        if marker.read_text(encoding="utf-8") != installed:
            # A venv made for another checkout: point its editable recorder at this one,
            # or the run would measure that checkout's code.
            run([py, "-m", "pip", "install", "-q", "--no-deps", "-e", REPO])
            marker.write_text(installed, encoding="utf-8")
        return py
    shutil.rmtree(venv, ignore_errors=True)
    run([python, "-m", "venv", venv])
    project: list[str | Path] = ["-e", source] if suite.editable else [source]
    if suite.local is not None:
        project = []
    run([py, "-m", "pip", "install", "-q", *project, "-e", REPO, pytest_pin,
         *HARNESS_PLUGINS, *suite.requirements])
    marker.write_text(installed, encoding="utf-8")
    return py


def run_mode(suite: Suite, mode: str, source: Path, py: Path, work: Path,
             allowed: set[str], timeout: float) -> Result:
    result = Result(suite.name, mode)
    out = work / "runs" / f"{suite.name}-{suite.version}" / mode
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    db, log, doc = out / "events.db", out / "reportlog.jsonl", out / "document.json"
    run_id = f"conformance-{suite.name}-{mode}"
    # The ``=`` form for every option with a value: pytest picks the rootdir before
    # plugins register their options, so ``--report-log PATH`` (space form) makes PATH,
    # once it exists, a candidate rootdir; xdist workers, started after it exists, then
    # pick another rootdir and ini file than the controller (README.md, "Findings").
    cmd = [py, "-m", "pytest", *suite.args, *MODES[mode],
           f"--recorder-db={db}", f"--recorder-run-id={run_id}", f"--report-log={log}",
           "-p", "no:randomly", "-p", "no:cacheprovider"]
    env = {**os.environ, **suite.env, "PYTHONDONTWRITEBYTECODE": "1"}
    for name in ("RECORDER_DB", "RECORDER_RUN_ID", "RECORDER_PROJECT", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    (out / "command.txt").write_text(
        f"cd {source}\n" + " ".join(str(c) for c in cmd) + "\n", encoding="utf-8")
    print(f"$ (cd {source} && {' '.join(str(c) for c in cmd)})", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        proc = subprocess.run([str(c) for c in cmd], cwd=source, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        result.problem = f"pytest did not finish in {timeout:.0f} s"
        return result
    result.seconds = time.monotonic() - started
    result.pytest_exit = proc.returncode
    (out / "pytest.out").write_text(proc.stdout, encoding="utf-8")
    counts = closing_counts(proc.stdout)
    if counts is None:
        result.problem = f"no closing line in pytest's output (exit {proc.returncode})"
        return result
    result.pytest_counts = counts
    rootdir = re.search(r"^rootdir: (.*)$", proc.stdout, re.MULTILINE)
    if rootdir is None or Path(rootdir.group(1)).resolve() != source.resolve():
        result.problem = (f"pytest's rootdir is {rootdir.group(1) if rootdir else '?'}, "
                          f"not the suite's {source}: use a --work outside any pytest project")
        return result
    export = subprocess.run([str(py.parent / "recorder"), "export", "--db", str(db),
                             "--run-id", run_id, "--out", str(doc), "-q"],
                            text=True, capture_output=True, check=False)
    if export.returncode != 0:
        result.problem = f"recorder export exited {export.returncode}: {export.stderr.strip()}"
        return result
    # The file holds compacted cases (schema 2.x); recorder's own reader, in the suite's
    # venv, gives the full form this harness compares.
    expanded = subprocess.run([str(py), "-c", _FULL_FORM, str(doc)], text=True,
                              capture_output=True, check=False)
    if expanded.returncode != 0:
        result.problem = f"reading {doc} back failed: {expanded.stderr.strip()}"
        return result
    document = json.loads(expanded.stdout)
    compare(result, document, read_reportlog(log), counts, allowed)
    return result


# --------------------------------------------------------------------------- output

def describe_counts(result: Result) -> str:
    if not result.count_diffs:
        note = " (with " + ", ".join(sorted(result.known_used)) + ")" if result.known_used else ""
        return "agree" + note
    diffs = "; ".join(f"{k}: document {a} vs pytest {b}"
                      for k, (a, b) in result.count_diffs.items() if not k.startswith("("))
    if result.unexplained:
        diffs += " (explained by --allow-known " + ", ".join(sorted(result.unexplained)) + ")"
    return diffs


def print_table(results: Iterable[Result], show: int) -> None:
    rows = [("suite", "mode", "cases", "match", "mismatch", "bad split", "pytest line",
             "counts", "secs")]
    details: list[str] = []
    for r in results:
        line = ", ".join(f"{n} {k}" for k, n in r.pytest_counts.items())
        rows.append((r.suite, r.mode, str(r.cases), str(r.matching), str(len(r.mismatches)),
                     str(len(r.bad_splits)), line, r.problem or describe_counts(r),
                     f"{r.seconds:.0f}"))
        for text in r.bad_splits[:show]:
            details.append(f"  {r.suite}/{r.mode}: suite/name split: {text}")
        for nodeid, ours, theirs in r.mismatches[:show]:
            details.append(f"  {r.suite}/{r.mode}: {nodeid}: document {ours}, reportlog {theirs}")
        if len(r.mismatches) > show:
            details.append(f"  {r.suite}/{r.mode}: ... and {len(r.mismatches) - show} more")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if details:
        print("\nMismatching cases (document vs reportlog; suite/name splits):")
        print("\n".join(details))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--suite", action="append", choices=sorted(SUITES),
                        help="suite to run (repeatable; default: all but edge, smallest first)")
    parser.add_argument("--mode", action="append", choices=sorted(MODES),
                        help="mode to run (repeatable; default: serial, xdist, reruns)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help=f"cache and output directory (default: {DEFAULT_WORK})")
    parser.add_argument("--allow-known", action="append", default=[], choices=sorted(KNOWN),
                        help="a documented systematic difference to accept (repeatable)")
    parser.add_argument("--timeout", type=float, default=1800.0,
                        help="seconds one pytest run may take (default 1800)")
    parser.add_argument("--show", type=int, default=5,
                        help="mismatching case ids to print per row (default 5)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)

    import pytest  # the pytest this harness pins in every suite venv

    pytest_pin = f"pytest=={pytest.__version__}"
    python = sys.executable
    work: Path = args.work.resolve()
    allowed = set(args.allow_known)
    results: list[Result] = []
    for name in args.suite or DEFAULT_SUITES:
        suite = SUITES[name]
        source = fetch(suite, work, python)
        py = venv_for(suite, source, work, python, pytest_pin)
        for mode in args.mode or list(MODES):
            result = run_mode(suite, mode, source, py, work, allowed, args.timeout)
            results.append(result)
            print_table([result], args.show)
            sys.stdout.flush()
    print("\n== all ==")
    print_table(results, args.show)
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ | {"known_used": sorted(r.known_used)}
                                         for r in results], indent=2, default=str) + "\n",
                             encoding="utf-8")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
