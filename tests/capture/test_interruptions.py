"""Killed, terminated and interrupted runs: what finished is kept, what was running is
``incomplete``, what never started is ``not_run``, and the log stays verifiable."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from recorder.export.run_json import fold_run
from recorder.store.verify import verify_database

pytest_plugins = ["pytester"]

PAUSING_SUITE = '''
import os, pathlib, time
import pytest

def pause(where):
    if os.environ.get("KILL_AT") == where:
        pathlib.Path(os.environ["KILL_MARK"]).write_text(where)
        time.sleep(60)

def test_first():
    pass

@pytest.fixture
def slow_fixture():
    pause("setup")
    yield

def test_in_setup(slow_fixture):
    pass

def test_in_body():
    pause("body")

def test_last():
    pass
'''

PAUSING_CONFTEST = '''
from test_pausing import pause

def pytest_runtest_logfinish(nodeid, location):
    if nodeid.endswith("test_first"):
        pause("between")
'''

CASES = ["test_first", "test_in_setup", "test_in_body", "test_last"]


def start_pytest(directory: Path, db: Path, *args: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--recorder-db",
         str(db), *args],
        cwd=directory, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=_default_signals,
    )


def _default_signals() -> None:
    """A shell that starts jobs in the background (a CI runner, ``cmd &``) makes them
    ignore SIGINT, and Python then installs no KeyboardInterrupt handler: pytest would
    sleep through the Ctrl-C this test sends. Give the child the default disposition."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def wait_for(path: Path, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, "pytest ended before reaching the kill point"
        assert time.monotonic() < deadline, "pytest never reached the kill point"
        time.sleep(0.02)


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {case["name"]: case["status"] for s in document["suites"] for case in s["cases"]}


def case_named(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for s in document["suites"] for c in s["cases"] if c["name"] == name)


def walk_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for step in steps for item in [step, *walk_steps(step.get("steps", []))]]


@pytest.fixture
def pausing_suite(pytester: pytest.Pytester) -> Path:
    pytester.makepyfile(test_pausing=PAUSING_SUITE)
    pytester.makeconftest(PAUSING_CONFTEST)
    return pytester.path


@pytest.mark.parametrize(
    ("kill_at", "expected"),
    [
        ("body", ["passed", "passed", "incomplete", "not_run"]),
        ("setup", ["passed", "incomplete", "not_run", "not_run"]),
        ("between", ["passed", "not_run", "not_run", "not_run"]),
    ],
)
def test_kill_9_keeps_everything_that_finished(pausing_suite: Path, kill_at: str,
                                                expected: list[str]) -> None:
    db, mark = pausing_suite / "events.db", pausing_suite / "mark"
    process = start_pytest(pausing_suite, db, KILL_AT=kill_at, KILL_MARK=str(mark))
    wait_for(mark, process)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    assert verify_database(db).ok
    document = fold_run(db)
    assert document["status"] == "interrupted"
    assert "killed or crashed" in document["interruption"]["reason"]
    assert statuses(document) == dict(zip(CASES, expected, strict=True))
    first = next(c for s in document["suites"] for c in s["cases"] if c["name"] == "test_first")
    assert [p["name"] for p in first["phases"]] == ["setup", "call", "teardown"]


@pytest.mark.parametrize(("sent", "reason"), [(signal.SIGTERM, "stopped by SIGTERM"),
                                              (signal.SIGINT, "interrupted by Ctrl-C")])
def test_sigterm_and_ctrl_c_record_the_end_of_the_run(pausing_suite: Path, sent: int,
                                                      reason: str) -> None:
    db, mark = pausing_suite / "events.db", pausing_suite / "mark"
    process = start_pytest(pausing_suite, db, KILL_AT="body", KILL_MARK=str(mark))
    wait_for(mark, process)
    process.send_signal(sent)
    assert process.wait(timeout=120) == pytest.ExitCode.INTERRUPTED

    document = fold_run(db)
    assert document["status"] == "interrupted"
    assert reason in document["interruption"]["reason"]
    assert document["exit_status"] == pytest.ExitCode.INTERRUPTED
    assert statuses(document) == {"test_first": "passed", "test_in_setup": "passed",
                                  "test_in_body": "incomplete", "test_last": "not_run"}


RANDOM_SUITE = '''
import os, pathlib, time
import pytest, recorder

def pause(n, where):
    if os.environ.get("KILL_AT") == f"{n}:{where}":
        pathlib.Path(os.environ["KILL_MARK"]).write_text(where)
        time.sleep(60)

@pytest.fixture
def resource(n):
    pause(n, "setup")
    yield
    pause(n, "teardown")

@pytest.mark.parametrize("n", range(40))
def test_case(n, resource):
    with recorder.step("work"):
        pause(n, "body")
        with recorder.step("inner"):
            pause(n, "step")
'''

RANDOM_CONFTEST = '''
from test_random import pause

def pytest_runtest_logfinish(nodeid, location):
    pause(int(nodeid.split("[")[1].rstrip("]")), "between")
'''

KILL_POINTS = ["setup", "body", "step", "teardown", "between"]


@pytest.mark.parametrize("workers", [0, 2])
def test_kill_9_at_random_moments_always_leaves_a_valid_log(pytester: pytest.Pytester,
                                                            workers: int) -> None:
    """A seeded loop of kills at random points of the run's progress (a case and a place
    in it, reached when the test itself says so, never after a wall-clock delay): every
    database verifies and exports, and says what was running."""
    pytester.makepyfile(test_random=RANDOM_SUITE)
    pytester.makeconftest(RANDOM_CONFTEST)
    chooser = random.Random(4)  # seeded: the same kill points on every run
    for attempt, where in enumerate([*KILL_POINTS, chooser.choice(KILL_POINTS)]):
        n = chooser.randrange(40)
        db, mark = pytester.path / f"events-{attempt}.db", pytester.path / f"mark-{attempt}"
        args = ["-n", str(workers)] if workers else []
        process = start_pytest(pytester.path, db, *args, KILL_AT=f"{n}:{where}",
                               KILL_MARK=str(mark))
        wait_for(mark, process)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

        report = verify_database(db)
        assert report.ok, report.problems
        document = fold_run(db)
        assert document["status"] == "interrupted", (n, where)
        counts = document["summary"]
        assert counts["total"] == 40
        assert counts["failed"] == counts["error"] == 0
        assert counts["incomplete"] <= max(workers, 1)
        if where in ("body", "step"):
            running = case_named(document, f"test_case[{n}]")
            open_steps = [step["name"] for step in walk_steps(running["steps"])
                          if step["status"] == "incomplete"]
            assert open_steps == (["work", "inner"] if where == "step" else ["work"])
        found = statuses(document)
        assert found[f"test_case[{n}]"] == ("passed" if where == "between" else "incomplete")
        if not workers:  # serial: everything before the kill point ran, nothing after it
            assert all(found[f"test_case[{m}]"] == "passed" for m in range(n))
            assert all(found[f"test_case[{m}]"] == "not_run" for m in range(n + 1, 40))
