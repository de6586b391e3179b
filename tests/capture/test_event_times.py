"""One clock reading per event: an event's ``recorded_at`` is its own time, and the
times that name the same moment are one reading, so a recording reads the clock about
six times a test instead of fifteen. What the recorded events say (their order, their
outcomes, their statuses) does not depend on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from recorder.store.sqlite import EventStore

pytest_plugins = ["pytester"]

SUITE = """
import pytest
import recorder


def test_steps():
    with recorder.step("outer"):
        with recorder.step("inner"):
            pass


def test_fails():
    assert False


@pytest.mark.xfail(reason="known")
def test_xfails():
    assert False
"""


def _events(db: Path) -> list[tuple[str, Any]]:
    """``(recorded_at, event)`` of run ``r1``, in order."""
    with EventStore.create(db) as store:
        return [(stored.recorded_at, stored.event) for stored in store.iter_events("r1")]


def test_each_event_is_recorded_at_its_own_time(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_times=SUITE)
    db = pytester.path / "events.db"
    pytester.runpytest(f"--recorder-db={db}", "--recorder-run-id=r1")
    events = _events(db)
    by_case: dict[str, list[tuple[str, Any]]] = {}
    for item in events:
        case_id = getattr(item[1], "case_id", None)
        if case_id is not None:
            by_case.setdefault(case_id, []).append(item)
    assert len(by_case) == 3
    for case_events in by_case.values():
        started = next(e for _, e in case_events if type(e).__name__ == "CaseStarted")
        phases = [(at, e) for at, e in case_events if type(e).__name__ == "PhaseFinished"]
        finished = [(at, e) for at, e in case_events if type(e).__name__ == "CaseFinished"]
        assert [e.phase for _, e in phases] == ["setup", "call", "teardown"]
        # case.started: recorded at its start, which is also its setup phase's start
        assert next(at for at, e in case_events if e is started) == started.started_at
        assert phases[0][1].started_at == started.started_at
        for at, phase in phases:
            assert at == phase.stopped_at  # recorded when the phase stopped
            assert phase.started_at <= phase.stopped_at
            assert phase.duration >= 0
        # the case ends when its teardown does, in the same write
        ((at, end),) = finished
        assert at == end.stopped_at == phases[-1][1].stopped_at
        assert end.duration >= sum(phase.duration for _, phase in phases) * 0.999
        for at, step in case_events:
            if type(step).__name__ == "StepStarted":
                assert at == step.started_at
    statuses = {e.case_id: e.status for _, e in events if type(e).__name__ == "CaseFinished"}
    assert statuses == {"test_times.py::test_steps": "passed",
                        "test_times.py::test_fails": "failed",
                        "test_times.py::test_xfails": "xfailed"}
