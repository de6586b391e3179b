"""Attempts across workers, and the run status against the harness's exit status."""

from __future__ import annotations

from recorder.document.projector import project
from recorder.events.model import (
    CaseCrashed,
    CaseFinished,
    CaseStarted,
    Event,
    RunFinished,
    RunStarted,
    StoredEvent,
)

CASE = "tests/test_a.py::test_a"


def stored(log: dict[str, list[Event]]) -> list[StoredEvent]:
    return [StoredEvent(event_id=f"{source}-{n}", run_id="r", source=source, source_seq=n,
                        recorded_at="2026-11-23T10:00:00+00:00", event=event)
            for source, events in log.items() for n, event in enumerate(events, start=1)]


def test_a_crash_on_gw2_then_a_pass_on_gw10_is_flaky() -> None:
    """Regression (issue 10): attempts were ordered by (number, source name), so a case
    that crashed worker gw2 and then passed on gw10 was incomplete ("gw10" < "gw2")."""
    document = project(stored({
        "main": [RunStarted(project="p", started_at="2026-11-23T10:00:00+00:00"),
                 CaseCrashed(case_id=CASE, worker="gw2", message="worker gw2 crashed",
                             crashed_at="2026-11-23T10:00:02+00:00"),
                 RunFinished(exit_status=0, finished_at="2026-11-23T10:00:09+00:00",
                             duration=9.0)],
        "gw2": [CaseStarted(case_id=CASE, started_at="2026-11-23T10:00:01+00:00",
                            worker="gw2")],
        "gw10": [CaseStarted(case_id=CASE, started_at="2026-11-23T10:00:03+00:00",
                             worker="gw10"),
                 CaseFinished(case_id=CASE, status="passed", duration=0.1,
                              stopped_at="2026-11-23T10:00:04+00:00")],
    }))
    [case] = document["suites"][0]["cases"]
    assert case["status"] == "flaky"
    assert [(a["worker"], a["status"]) for a in case["attempts"]] == [
        ("gw2", "incomplete"), ("gw10", "passed")]
    assert case["worker"] == "gw10"


def test_a_run_whose_cases_all_passed_fails_when_pytest_exited_non_zero() -> None:
    """Regression (issue 10): the run status ignored the exit status, so a run pytest
    failed (a failure no case carried) was ``passed``."""
    document = project(stored({"main": [
        RunStarted(project="p", started_at="2026-11-23T10:00:00+00:00"),
        CaseStarted(case_id=CASE, started_at="2026-11-23T10:00:01+00:00"),
        CaseFinished(case_id=CASE, status="passed", duration=0.1,
                     stopped_at="2026-11-23T10:00:02+00:00"),
        RunFinished(exit_status=1, finished_at="2026-11-23T10:00:03+00:00", duration=3.0),
    ]}))
    assert document["summary"]["passed"] == 1
    assert document["status"] == "failed"
