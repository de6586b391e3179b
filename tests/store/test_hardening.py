"""Hostile tests and unlucky faults (issue 12): a forked child, a signal in the middle
of a write, a full disk, a deleted journal folder and two processes claiming one
source never lose a recorded event, never poison the database, and never end pytest
in an INTERNALERROR."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from recorder.errors import InvalidInputError, RecorderWarning
from recorder.events.model import CaseStarted
from recorder.export.run_json import fold_run
from recorder.store import journal
from recorder.store.emitter import Emitter
from recorder.store.journal import journal_dir, pending_journals
from recorder.store.sqlite import EventStore
from recorder.store.verify import verify_database
from tests.support import assert_one_line_error, run_cli

TIMESTAMP = "2026-11-23T10:00:00+00:00"


def case(n: int) -> CaseStarted:
    return CaseStarted(case_id=f"t.py::test_{n}", started_at=TIMESTAMP)


def stored(db: Path) -> list[tuple[str, int]]:
    with EventStore.open_existing(db) as store:
        return [(e.source, e.source_seq) for e in store.iter_events("run")]


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["status"] for s in document["suites"] for c in s["cases"]}


# -- forks -------------------------------------------------------------------------

FORKING_SUITE = '''
import os
import recorder

def test_forks():
    with recorder.step("before"):
        pass
    pid = os.fork()
    if pid == 0:
        with recorder.step("in the child"):  # the child inherited the emitter
            pass
        os._exit(0)
    assert os.waitpid(pid, 0)[1] == 0
    with recorder.step("after"):
        pass

def test_next():
    pass
'''


def test_a_forked_child_never_writes_as_its_parent(pytester: pytest.Pytester) -> None:
    """Regression (issue 12): the child reused the parent's event ids and source_seq, so
    the parent's later events were silently dropped and a passing run read as failed."""
    pytester.makepyfile(test_forking=FORKING_SUITE)
    db = pytester.path / "events.db"
    result = pytester.runpytest_subprocess("--recorder-db", str(db), "-W",
                                           "always::recorder.errors.RecorderWarning")
    assert result.ret == 0
    assert verify_database(db).ok
    document = fold_run(db)
    assert document["status"] == "passed" and document["exit_status"] == 0
    assert statuses(document) == {"test_forks": "passed", "test_next": "passed"}
    forks = next(c for s in document["suites"] for c in s["cases"] if c["name"] == "test_forks")
    assert [step["name"] for step in forks["steps"]] == ["before", "after"]


def test_a_different_event_under_a_stored_event_id_is_refused(tmp_path: Path) -> None:
    """Two different events claiming one event id (or one source_seq) are named, never
    silently dropped."""
    db = tmp_path / "events.db"
    with EventStore.create(db) as store:
        Emitter(store, "run", "main").emit(case(1))
    with EventStore.open_existing(db) as store:
        [event_id] = [event.event_id for event in store.iter_events("run")]
    forged = journal_dir(db) / "main-forged-1-cafecafe.jsonl"
    forged.write_text(f'["{event_id}","run","case.started",1,"main",1,"{TIMESTAMP}",'
                      '"{\\"case_id\\":\\"t.py::other\\",\\"started_at\\":\\"' + TIMESTAMP
                      + '\\"}"]\n')
    with pytest.raises(InvalidInputError, match="two different events claim the same event id"):
        EventStore.open_existing(db)
    result = run_cli("verify", "--db", str(db))
    assert_one_line_error(result, 4, "main-forged-1-cafecafe.jsonl", "move the file aside")


SIGTERM_IN_CHILD_SUITE = '''
import multiprocessing, time

def sleep_forever(ready):
    ready.set()
    time.sleep(600)

def test_terminates_a_forked_child():
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    child = context.Process(target=sleep_forever, args=(ready,))
    child.start()
    assert ready.wait(60)
    child.terminate()
    child.join(60)
    assert child.exitcode == -15
'''


def test_a_forked_child_dies_of_sigterm_as_usual(pytester: pytest.Pytester) -> None:
    """Regression (issue 12): the plugin's SIGTERM handler, inherited by a forked child,
    made Process.terminate() exit 1 with a KeyboardInterrupt traceback."""
    pytester.makepyfile(test_child=SIGTERM_IN_CHILD_SUITE)
    result = pytester.runpytest_subprocess("--recorder-db", str(pytester.path / "e.db"))
    result.assert_outcomes(passed=1)
    assert "KeyboardInterrupt" not in result.stderr.str()


# -- signals and faults in the middle of a write ---------------------------------------


class FaultyWrite:
    """Replaces ``os.write`` for journal writes: writes ``keep`` bytes, then raises."""

    def __init__(self, raise_: BaseException, keep: int | None) -> None:
        self.raise_, self.keep, self.armed = raise_, keep, True
        self.real = os.write

    def __call__(self, fd: int, data: bytes) -> int:
        if not self.armed or not os.readlink(f"/proc/self/fd/{fd}").endswith(".jsonl"):
            return self.real(fd, data)
        self.armed = False
        if self.keep:
            self.real(fd, bytes(data)[: self.keep if self.keep > 0 else len(data)])
        raise self.raise_


@pytest.mark.parametrize(("keep", "written"), [(None, False), (30, False), (-1, True)],
                         ids=["before-the-write", "mid-write", "after-the-write"])
def test_a_signal_during_a_write_leaves_no_gap_and_no_conflict(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: int | None,
        written: bool) -> None:
    """Regression (issue 12): a SIGTERM between the write and the count rolled the
    sequence back after the event was written, so the next event took its slot."""
    db = tmp_path / "events.db"
    with EventStore.create(db) as store:
        emitter = Emitter(store, "run", "main")
        emitter.emit(case(1))
        monkeypatch.setattr(journal.os, "write", FaultyWrite(KeyboardInterrupt(), keep))
        with pytest.raises(KeyboardInterrupt):
            emitter.emit(case(2))
        monkeypatch.undo()
        emitter.emit(case(3))
    expected = 3 if written else 2
    assert stored(db) == [("main", n) for n in range(1, expected + 1)]
    assert verify_database(db).ok


def test_a_full_disk_loses_only_what_could_not_be_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (issue 12): a short write left half a line, later events were glued to
    it and every later open failed. Now the journal is cut back to its last complete
    line, one warning is given, recording goes on, and the gap proves the loss."""
    db = tmp_path / "events.db"
    with EventStore.create(db) as store:
        emitter = Emitter(store, "run", "main")
        emitter.emit(case(1))
        monkeypatch.setattr(journal.os, "write",
                            FaultyWrite(OSError(errno.ENOSPC, "No space left on device"), 25))
        with pytest.warns(RecorderWarning, match="No space left on device"):
            emitter.emit(case(2))
        monkeypatch.undo()
        emitter.emit(case(3))
    assert stored(db) == [("main", 1), ("main", 3)]
    report = verify_database(db)
    assert report.problems == ["run run: source main is missing source_seq 2..2"]
    out = tmp_path / "out.json"
    assert run_cli("export", "--db", str(db), "--out", str(out), "--allow-gaps").returncode == 0


DISK_FULL_CONFTEST = '''
import errno, os
real_write = os.write
state = {"journal_writes": 0}

def failing_write(fd, data):
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        target = ""
    if target.endswith(".jsonl"):
        state["journal_writes"] += 1
        if 4 <= state["journal_writes"] <= 6:  # the disk is full for a while
            real_write(fd, bytes(data)[:10])
            raise OSError(errno.ENOSPC, "No space left on device")
    return real_write(fd, data)

os.write = failing_write
'''


def test_a_full_disk_never_stops_the_tests(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(DISK_FULL_CONFTEST)
    pytester.makepyfile(test_many="import pytest\n\n@pytest.mark.parametrize('n', range(5))\n"
                                  "def test_n(n):\n    pass\n")
    db = pytester.path / "events.db"
    result = pytester.runpytest_subprocess("--recorder-db", str(db))
    result.assert_outcomes(passed=5)
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    result.stdout.fnmatch_lines(["*RecorderWarning: recorder: cannot append to *.jsonl: "
                                 "No space left on device; 1 event(s) lost so far*"])
    with EventStore.open_existing(db) as store:  # readable: nothing complete is skipped
        assert store.count(store.resolve_run_id(None)) > 10


# -- the journal folder and the source ------------------------------------------------

DELETING_SUITE = '''
import os, shutil

def test_before():
    pass

def test_deletes_the_journal_folder():
    shutil.rmtree(os.environ["JOURNAL_DIR"])

def test_after():
    pass
'''


def test_a_deleted_journal_folder_is_recreated_and_nothing_is_lost(
        pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (issue 12): deleting the journal folder mid-run lost every event."""
    db = pytester.path / "events.db"
    monkeypatch.setenv("JOURNAL_DIR", str(journal_dir(db)))
    pytester.makepyfile(test_deleting=DELETING_SUITE)
    result = pytester.runpytest_subprocess("--recorder-db", str(db))
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*journal folder was deleted*nothing was lost*"])
    assert verify_database(db).ok
    document = fold_run(db)
    assert document["status"] == "passed"
    assert set(statuses(document).values()) == {"passed"} and len(statuses(document)) == 3


WAITING_SUITE = '''
import os, pathlib, time

def test_waits():
    pathlib.Path(os.environ["MARK"]).write_text("started")
    go = pathlib.Path(os.environ["GO"])
    deadline = time.monotonic() + 60
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
'''


def test_a_second_process_recording_the_same_run_and_source_is_refused(
        pytester: pytest.Pytester) -> None:
    """Regression (issue 12): two runs with one run id and no --recorder-shard both
    wrote source 'main' and poisoned the database for every later run."""
    pytester.makepyfile(test_waiting=WAITING_SUITE)
    db, mark, go = (pytester.path / name for name in ("events.db", "mark", "go"))
    args = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
            "--recorder-db", str(db), "--recorder-run-id", "shared-run"]
    env = {**os.environ, "MARK": str(mark), "GO": str(go)}
    first = subprocess.Popen(args, cwd=pytester.path, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    try:
        deadline_wait(mark, first)
        second = subprocess.run(args, cwd=pytester.path, env=env, capture_output=True,
                                text=True, timeout=120)
    finally:
        go.write_text("go")
        first.wait(timeout=120)
    assert first.returncode == 0
    assert second.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--recorder-shard" in second.stderr and "shared-run" in second.stderr
    assert verify_database(db).ok
    document = fold_run(db)
    assert document["status"] == "passed" and statuses(document) == {"test_waits": "passed"}
    assert pending_journals(db) == []


def deadline_wait(path: Path, process: subprocess.Popen[bytes]) -> None:
    import time
    deadline = time.monotonic() + 60
    while not path.exists():
        assert process.poll() is None, "the first run ended before its test started"
        assert time.monotonic() < deadline
        time.sleep(0.02)


# -- locks ----------------------------------------------------------------------------


def test_a_held_write_lock_gives_one_line_after_the_lock_timeout(tmp_path: Path) -> None:
    """Regression (issue 12): with another connection holding the write lock, pytest
    hung for minutes and export printed a 'database is locked' traceback."""
    import sqlite3
    db = tmp_path / "events.db"
    with EventStore.create(db) as store:
        Emitter(store, "run", "main").emit(case(1))  # leaves a journal to move in
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        env = {**os.environ, "RECORDER_LOCK_TIMEOUT": "1"}
        result = subprocess.run([sys.executable, "-m", "recorder", "export", "--db", str(db),
                                 "--out", str(tmp_path / "out.json")], capture_output=True,
                                text=True, env=env, timeout=120)
        assert_one_line_error(result, 8, str(db), "stayed locked", "RECORDER_LOCK_TIMEOUT",
                              f"process {os.getpid()}")
        assert not (tmp_path / "out.json").exists()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert stored(db) == [("main", 1)]  # and once the lock is gone, nothing was lost


def test_a_bad_lock_timeout_is_a_usage_error(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    EventStore.create(db).close()
    result = subprocess.run([sys.executable, "-m", "recorder", "runs", "--db", str(db)],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "RECORDER_LOCK_TIMEOUT": "soon"})
    assert_one_line_error(result, 2, "RECORDER_LOCK_TIMEOUT='soon'", "seconds")


def test_pytest_does_not_hang_on_a_locked_database(pytester: pytest.Pytester,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3
    db = pytester.path / "events.db"
    with EventStore.create(db) as store:
        Emitter(store, "run", "main").emit(case(1))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setenv("RECORDER_LOCK_TIMEOUT", "1")
    pytester.makepyfile(test_one="def test_a():\n    pass\n")
    try:
        # Continuing a run needs the store (its sources' last source_seq); a new run id
        # writes only its journal, so it records, lock or not.
        result = pytester.runpytest_subprocess("--recorder-db", str(db),
                                               "--recorder-run-id", "run", timeout=120)
        fresh = pytester.runpytest_subprocess("--recorder-db", str(db), timeout=120)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*{db} stayed locked by another connection for 1 s*"])
    assert "Traceback" not in result.stderr.str()
    assert fresh.ret == pytest.ExitCode.OK
    with EventStore.open_existing(db) as store:
        assert [run.events for run in store.runs()] == [1, 8]


# -- journal lines of the wrong shape ---------------------------------------------------

GOOD = ["id-1", "run", "case.started", 1, "main", 1, TIMESTAMP,
        '{"case_id":"t.py::x","started_at":"' + TIMESTAMP + '"}']


@pytest.mark.parametrize(("field", "value", "why"), [
    (7, {"case_id": "t.py::x"}, "field 8 is not text"),
    (2, "case.exploded", "unknown event type 'case.exploded'"),
    (5, 1e23, "field 6 is not a positive integer"),
    (5, 10**23, "field 6 is not a positive integer"),
    (3, True, "field 4 is not a positive integer"),
    (7, "[1, 2]", "the payload is not a JSON object"),
    (0, None, "field 1 is not text"),
])
def test_a_journal_line_of_the_wrong_shape_is_refused_before_it_is_committed(
        tmp_path: Path, field: int, value: object, why: str) -> None:
    """Regression (issue 12): a dict payload or an unknown type was committed for good,
    and a source_seq of 1e23 gave an OverflowError traceback."""
    import json
    db = tmp_path / "events.db"
    EventStore.create(db).close()
    bad = list(GOOD)
    bad[field] = value
    journal_file = journal_dir(db) / "main-0-1-cafecafe.jsonl"
    journal_file.parent.mkdir(exist_ok=True)
    journal_file.write_text(json.dumps(GOOD) + "\n" + json.dumps(bad) + "\n")
    result = run_cli("verify", "--db", str(db))
    assert_one_line_error(result, 4, "main-0-1-cafecafe.jsonl: line 2", why, "move the file")
    import sqlite3
    connection = sqlite3.connect(db)
    assert connection.execute("SELECT COUNT(*) FROM events").fetchone() == (0,)
    connection.close()
