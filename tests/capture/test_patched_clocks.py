"""Tests that patch the clock (freezegun, ``mock.patch``) neither break nor fake the record;
an impossible duration already in a log is null with a note, and the run still exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder.events.model import CaseFinished, CaseStarted, PhaseFinished, RunFinished, RunStarted
from recorder.export.run_json import fold_run
from recorder.store.emitter import Emitter
from recorder.store.sqlite import EventStore
from recorder.store.verify import verify_database
from tests.support import TIMESTAMP, record_session, run_cli

pytest_plugins = ["pytester"]

PATCHED = """
import time
from unittest import mock

import pytest
from freezegun import freeze_time

import recorder


@pytest.fixture
def frozen():
    with freeze_time("2000-01-01"):
        yield


def test_frozen_time(frozen):
    with recorder.step("while frozen"):
        assert time.time() == 946684800.0


def test_perf_counter_patched():
    with mock.patch("time.perf_counter", return_value=mock.MagicMock()):
        with recorder.step("patched perf_counter"):
            pass


def test_time_patched(monkeypatch):
    monkeypatch.setattr(time, "time", lambda: -1.0)
    monkeypatch.setattr(time, "monotonic", lambda: float("nan"))
    with recorder.step("patched time"):
        pass
"""


def test_tests_that_patch_the_clock_pass_and_get_real_durations(
        pytester: pytest.Pytester) -> None:
    """Regression (issue 10): a freezegun fixture gave a teardown a duration of
    -946,681,262 s and made the run unexportable; ``mock.patch("time.perf_counter")``
    failed a passing test only when recording."""
    pytester.makepyfile(test_clocks=PATCHED)
    # In a process of its own: freezegun looks at every loaded module, and pytester's
    # in-process run would then unload modules (numpy) that cannot be loaded twice.
    result, document = record_session(pytester, subprocess=True)
    result.assert_outcomes(passed=3)
    assert document["status"] == "passed"
    assert document["notes"] == []
    for case in document["by_id"].values():
        assert case["status"] == "passed", case["id"]
        assert 0 <= case["duration"] < 60
        for phase in case["phases"]:
            assert 0 <= phase["duration"] < 60, (case["id"], phase)
            assert phase["started_at"].startswith(document["started_at"][:4])  # not 2000
        assert [step["status"] for step in case["steps"]] == ["passed"]
        assert 0 <= case["steps"][0]["duration"] < 60
    assert 0 <= document["duration"] < 600


def test_impossible_durations_are_null_with_a_note_and_verify_agrees(tmp_path: Path) -> None:
    """Regression (issue 10): NaN or infinite durations made the run unexportable while
    ``verify`` said ok; now both accept the run and the document says what it corrected."""
    db = tmp_path / "events.db"
    with EventStore.create(db) as store:
        emitter = Emitter(store, "run-a", "main")
        emitter.emit(RunStarted(project="p", started_at=TIMESTAMP))
        emitter.emit(CaseStarted(case_id="t.py::test_a", started_at=TIMESTAMP))
        for phase, duration in (("setup", float("nan")), ("call", 0.5),
                                ("teardown", -946_681_262.0)):
            emitter.emit(PhaseFinished(case_id="t.py::test_a", phase=phase, outcome="passed",
                                       started_at=TIMESTAMP, stopped_at=TIMESTAMP,
                                       duration=duration))
        emitter.emit(CaseFinished(case_id="t.py::test_a", status="passed",
                                  duration=float("inf"), stopped_at=TIMESTAMP))
        emitter.emit(RunFinished(exit_status=0, finished_at=TIMESTAMP, duration=float("nan")))
    assert verify_database(db).ok
    assert run_cli("verify", "--db", str(db)).returncode == 0
    exported = run_cli("export", "--db", str(db), "--out", str(tmp_path / "out.json"))
    assert exported.returncode == 0, exported.stderr
    document = fold_run(db)
    case = document["suites"][0]["cases"][0]
    assert [phase["duration"] for phase in case["phases"]] == [None, 0.5, None]
    assert case["duration"] == 0.5  # the phases it could time
    assert document["duration"] is None
    assert len(document["notes"]) == 4
    assert any("t.py::test_a attempt 1 teardown" in note for note in document["notes"])
