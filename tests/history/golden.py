"""Hand-made run documents for golden histories: each run is a few lines saying which
test had which outcome, and the documents are valid against the real schema."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from recorder.document.schema import validate_document
from recorder.history.parquet import write_run_file

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TRACEBACK = ("def {name}():\n>       assert value == 1\nE       AssertionError: {message}\n\n"
             "{file}:12: AssertionError")


def failure(message: str = "assert 2 == 1", *, kind: str = "AssertionError",
            case_id: str = "test_a.py::test_x", phase: str = "call") -> dict[str, str]:
    file, _, name = case_id.partition("::")
    return {"phase": phase, "type": kind, "message": message,
            "traceback": TRACEBACK.format(name=name, message=message, file=file)}


def case(case_id: str, status: str = "passed", duration: float = 0.01, *,
         message: str = "assert 2 == 1", kind: str = "AssertionError",
         started_at: str | None = None) -> dict[str, Any]:
    file, _, name = case_id.partition("::")
    failed = status in ("failed", "error")
    fail = failure(message, kind=kind, case_id=case_id,
                   phase="setup" if status == "error" else "call") if failed else None
    attempt = {"attempt": 1, "status": "passed" if status == "flaky" else status,
               "started_at": started_at, "duration": duration, "worker": None,
               "failure": fail}
    attempts = [attempt]
    if status == "flaky":
        attempts = [{**attempt, "status": "failed",
                     "failure": failure(message, kind=kind, case_id=case_id)},
                    {**attempt, "attempt": 2}]
    return {"id": case_id, "name": name, "suite": file, "file": file, "line": 10,
            "parameters": {}, "markers": [], "status": status, "started_at": started_at,
            "duration": duration, "worker": None, "reason": None, "failure": fail,
            "phases": [], "steps": [], "attempts": attempts}


def document(run_id: str, index: int, cases: Mapping[str, Any], *, project: str = "shop",
             commit: str | None = None, branch: str = "main",
             started_at: datetime | None = None) -> dict[str, Any]:
    """Run ``run_id``, started ``index`` hours after T0; ``cases`` maps a test id to a
    status, or to (status, duration), or to a dict of :func:`case` arguments."""
    moment = started_at or T0 + timedelta(hours=index)
    stamp = moment.isoformat()
    built = []
    for case_id, spec in cases.items():
        if isinstance(spec, str):
            built.append(case(case_id, spec, started_at=stamp))
        elif isinstance(spec, tuple):
            built.append(case(case_id, spec[0], spec[1], started_at=stamp))
        else:
            built.append(case(case_id, started_at=stamp, **spec))
    suites: dict[str, list[dict[str, Any]]] = {}
    for item in built:
        suites.setdefault(item["suite"], []).append(item)
    statuses = [item["status"] for item in built]
    summary = {s: statuses.count(s) for s in ("passed", "failed", "error", "skipped",
                                               "xfailed", "xpassed", "flaky", "incomplete",
                                               "not_run")}
    failed = summary["failed"] + summary["error"] > 0
    doc = {
        "schema_version": "1.0", "run_id": run_id, "project": project,
        "status": "failed" if failed else "passed", "started_at": stamp,
        "finished_at": (moment + timedelta(seconds=30)).isoformat(), "duration": 30.0,
        "exit_status": 1 if failed else 0, "interruption": None,
        "tool": {"name": "pytest", "version": "9.0", "recorder_version": "0.1.0"},
        "environment": {"host": "ci", "os": "Linux", "python": "3.11",
                        "python_implementation": "CPython",
                        "git": {"commit": commit or f"commit-{index:03d}", "branch": branch,
                                "dirty": False},
                        "ci": {"provider": "github", "run_id": str(index), "job": "test",
                               "url": f"https://ci.example/runs/{run_id}"}},
        "labels": {}, "shard": None, "arguments": [],
        "collection": {"collected": len(built), "errors": []},
        "summary": {"total": len(built), **summary, "duration": 30.0},
        "suites": [{"id": name, "file": name, "duration": 1.0,
                    "counts": {"total": len(items),
                               **{s: sum(1 for i in items if i["status"] == s)
                                  for s in summary}},
                    "cases": items} for name, items in suites.items()],
        "event_log": {"events": 1, "sources": [], "gaps": [], "digest": "sha256:" + "0" * 64},
    }
    validate_document(doc, source=run_id)
    return doc


def store(documents: list[dict[str, Any]], root: Path) -> Path:
    """Write each document's case rows into the history layout below ``root``."""
    for doc in documents:
        write_run_file(doc, root)
    return root


# -- the golden history ------------------------------------------------------------

TESTS = ["stable", "retried", "same_commit", "flipper", "regressed", "broken", "slow",
         "known"]
INFRA_RUN = 7


def tid(name: str) -> str:
    return f"test_shop.py::test_{name}"


def golden_runs() -> list[dict[str, Any]]:
    """Eleven runs: r00..r09 on main (r07 an infrastructure failure: everything
    errors), then r10 on a feature branch the next day (only broken fails there).
    Per test, on main:

    - stable: always passes; slow: passes, 0.1 s in r00-r04 and 0.5 s from r05 on
    - retried: status flaky (failed, passed on retry) in r03
    - same_commit: fails in r04, passes in r05, both on commit c-same
    - flipper: fails in the odd runs (r01 r03 r05 r09), passes in the even ones
    - regressed: passes r00-r05, fails from r06 on
    - broken: fails in every run
    - known: fails in r02 ("timeout after 30 s"), passes, fails again in r09 with the
      same failure ("timeout after 45 s"), so that failure is not new
    """
    runs = []
    for index in range(10):
        if index == INFRA_RUN:
            cases: dict[str, Any] = {
                tid(name): {"status": "error", "kind": "ConnectionError",
                            "message": "database at 10.0.0.7 unavailable"}
                for name in TESTS}
        else:
            cases = {
                tid("stable"): "passed",
                tid("retried"): "flaky" if index == 3 else "passed",
                tid("same_commit"): "failed" if index == 4 else "passed",
                tid("flipper"): "failed" if index % 2 else "passed",
                tid("regressed"): "failed" if index >= 6 else "passed",
                tid("broken"): "failed",
                tid("slow"): ("passed", 0.1 if index < 5 else 0.5),
                tid("known"): ({"status": "failed", "message": "timeout after 30 s"}
                               if index == 2 else
                               {"status": "failed", "message": "timeout after 45 s"}
                               if index == 9 else "passed"),
            }
        commit = "c-same" if index in (4, 5) else None
        runs.append(document(f"r{index:02d}", index, cases, commit=commit))
    feature = ({tid(name): "passed" for name in TESTS}
               | {tid("broken"): "failed", tid("slow"): ("passed", 0.5)})
    runs.append(document("r10", 20, feature, branch="feature"))  # the next day, 05:00
    return runs
