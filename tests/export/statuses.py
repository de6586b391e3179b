"""A run with one case of every status, folded by the real projector from events.

Every exporter is checked against this one document, status by status."""

from __future__ import annotations

from typing import Any

from recorder.document.status import CASE_STATUSES
from recorder.events.model import CaseCrashed, PhaseFinished, RunFinished
from tests.report.documents import T0, T1, RunBuilder, failure

SUITE = "tests/test_statuses.py::TestAll"
CASE_OF: dict[str, str] = {status: f"{SUITE}::test_{status}" for status in CASE_STATUSES}
CASE_OF["incomplete"] = f"{SUITE}::test_incomplete[\x01 crashed]"


def one_case_per_status() -> RunBuilder:
    """passed, failed, error, skipped, xfailed, xpassed, flaky (failed, then passed),
    incomplete (its worker crashed), not_run (collected, never started); the run was
    stopped by SIGTERM."""
    run = RunBuilder(run_id="run-statuses").start(
        commit="0123abcd", branch="main", dirty=False,
        ci_url="https://ci.example.invalid/runs/7")
    run.collect(list(CASE_OF.values()))
    run.case(CASE_OF["passed"], duration=0.25, line=11,
             steps=[("log in", 0.1, [("type password", 0.05, ())]), ("pay", None, ())])
    run.case(CASE_OF["failed"], "failed", duration=0.5, line=21,
             failure=failure("assert 2 == 3"))
    run.case(CASE_OF["error"], "error", phase="setup", duration=0.1, line=31,
             failure=failure("database is locked", kind="OperationalError"))
    run.case(CASE_OF["skipped"], "skipped", line=41)
    run.case(CASE_OF["xfailed"], "xfailed", line=51)
    run.case(CASE_OF["xpassed"], "xpassed", line=61)
    run.case(CASE_OF["flaky"], "failed", duration=0.3, line=71, attempt=1,
             failure=failure("ConnectionResetError: peer went away",
                             kind="ConnectionResetError"))
    run.case(CASE_OF["flaky"], "passed", duration=0.2, line=71, attempt=2)
    run.case(CASE_OF["incomplete"], line=81, finished=False, worker="gw1", source="gw1")
    run.emit(PhaseFinished(case_id=CASE_OF["passed"], phase="teardown", outcome="passed",
                           started_at=T0, stopped_at=T1, duration=0.0,
                           stdout="hello\nworld\n", stderr="a warning\n", log="INFO x\n"))
    run.emit(CaseCrashed(case_id=CASE_OF["incomplete"], worker="gw1",
                         message="worker gw1 crashed", crashed_at=T1))
    run.emit(RunFinished(exit_status=2, finished_at=T1, duration=1.5, interrupted=True,
                         reason="stopped by SIGTERM"))
    return run


def case_named(document: dict[str, Any], case_id: str) -> dict[str, Any]:
    return next(case for suite in document["suites"] for case in suite["cases"]
                if case["id"] == case_id)

