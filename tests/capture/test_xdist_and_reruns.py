"""Parallel runs (pytest-xdist), dying workers and reruns (pytest-rerunfailures)."""

from __future__ import annotations

from typing import Any

import pytest

from recorder.export.run_json import fold_run
from recorder.store.verify import verify_database
from tests.capture.mixed_suite import EXPECTED, MIXED_SUITE, cases

pytest_plugins = ["pytester"]


def test_xdist_records_every_case_once_with_its_worker(pytester: pytest.Pytester) -> None:
    """With -n 2 each case is recorded exactly once, by the worker that ran it."""
    pytester.makepyfile(test_mixed=MIXED_SUITE)
    db = pytester.path / "events.db"
    result = pytester.runpytest_subprocess("-n", "2", "--recorder-db", str(db))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    document = fold_run(db)
    recorded = cases(document)
    assert {case_id: case["status"] for case_id, case in recorded.items()} == EXPECTED
    assert {case["worker"] for case in recorded.values()} == {"gw0", "gw1"}
    assert all(len(case["attempts"]) == 1 for case in recorded.values())
    sources = {s["source"] for s in document["event_log"]["sources"]}
    assert sources == {"main", "gw0", "gw1"}
    steps = recorded["test_mixed.py::test_passes"]["steps"]
    assert [s["name"] for s in steps] == ["outer"]
    assert document["summary"]["failed"] == result.parseoutcomes()["failed"]
    assert verify_database(db).ok


def test_a_dying_worker_is_reported_and_the_run_goes_on(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_crash='''
import os

def test_before():
    pass

def test_kills_its_worker():
    os._exit(3)

def test_after_1():
    pass

def test_after_2():
    pass

def test_after_3():
    pass
''')
    db = pytester.path / "events.db"
    pytester.runpytest_subprocess("-n", "2", "--recorder-db", str(db))
    document = fold_run(db)
    recorded = cases(document)
    crashed = recorded["test_crash.py::test_kills_its_worker"]
    assert crashed["status"] == "incomplete"
    assert crashed["failure"]["type"] == "WorkerCrashed"
    assert "crashed while running 'test_crash.py::test_kills_its_worker'" in \
        crashed["failure"]["message"]
    others = {case_id: case["status"] for case_id, case in recorded.items() if case is not crashed}
    assert set(others.values()) == {"passed"} and len(others) == 4
    assert document["status"] == "failed"
    assert verify_database(db).ok


RERUN_SUITE = '''
import pathlib
import pytest

def test_flaky(tmp_path_factory):
    marker = pathlib.Path(__file__).with_name("ran-once")
    if not marker.exists():
        marker.write_text("x")
        assert False, "first attempt fails"

def test_always_fails():
    assert False, "every attempt fails"

def test_stable():
    pass
'''


@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_reruns_keep_every_attempt_and_flaky_is_counted(pytester: pytest.Pytester,
                                                        workers: list[str]) -> None:
    pytester.makepyfile(test_reruns=RERUN_SUITE)
    db = pytester.path / "events.db"
    pytester.runpytest_subprocess("--reruns", "2", "--recorder-db", str(db), *workers)
    document = fold_run(db)
    recorded: dict[str, Any] = cases(document)
    flaky = recorded["test_reruns.py::test_flaky"]
    assert flaky["status"] == "flaky"
    assert [a["status"] for a in flaky["attempts"]] == ["failed", "passed"]
    assert flaky["attempts"][0]["failure"]["message"].startswith("first attempt fails")
    failing = recorded["test_reruns.py::test_always_fails"]
    assert failing["status"] == "failed"
    assert [a["attempt"] for a in failing["attempts"]] == [1, 2, 3]
    assert recorded["test_reruns.py::test_stable"]["status"] == "passed"
    assert document["summary"]["flaky"] == 1
    assert document["summary"]["failed"] == 1
    assert verify_database(db).ok
