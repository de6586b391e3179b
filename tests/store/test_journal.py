"""Journals: each emitting process appends to its own file, and readers move the
journals into the SQLite table: idempotently, never losing or inventing an event."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable
from pathlib import Path

import pytest

from recorder.errors import CorruptDatabaseError
from recorder.events.model import CaseStarted, RunStarted
from recorder.store import journal
from recorder.store.emitter import Emitter
from recorder.store.journal import JournalRow, ingest_journal, journal_dir, pending_journals
from recorder.store.sqlite import EventStore
from tests.support import assert_one_line_error, run_cli

TIMESTAMP = "2026-11-23T10:00:00+00:00"


def emit_cases(store: EventStore, count: int, source: str = "main") -> Emitter:
    emitter = Emitter(store, "run", source)
    emitter.emit(RunStarted(project="p", started_at=TIMESTAMP))
    for n in range(count):
        emitter.emit(CaseStarted(case_id=f"t.py::test_{n}", started_at=TIMESTAMP))
    return emitter


def stored_ids(db: Path) -> list[str]:
    with EventStore.open_existing(db) as store:
        return [event.event_id for event in store.iter_events("run")]


def test_a_live_journal_is_read_but_kept_until_its_writer_finishes(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    writer_store = EventStore.create(db)
    emitter = emit_cases(writer_store, 3)
    assert len(stored_ids(db)) == 4  # a reader sees everything emitted so far
    assert len(pending_journals(db)) == 1  # but leaves the live journal alone
    emitter.emit(CaseStarted(case_id="t.py::test_late", started_at=TIMESTAMP))
    assert len(stored_ids(db)) == 5  # re-reading the journal adds only what is new
    writer_store.close()
    assert len(stored_ids(db)) == 5
    assert pending_journals(db) == []


def test_a_line_cut_short_by_a_kill_is_not_an_event(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    with EventStore.create(db) as store:
        emit_cases(store, 2)
    journal_dir(db).mkdir(exist_ok=True)
    torn = journal_dir(db) / "gw0-1-deadbeef.jsonl"
    with EventStore.create(tmp_path / "other.db") as other:
        emitter = emit_cases(other, 1, source="gw0")
        del emitter
        [source_journal] = pending_journals(tmp_path / "other.db")
        complete = source_journal.read_bytes()
    torn.write_bytes(complete + complete.splitlines()[0][:40])  # killed mid-write
    assert len(stored_ids(db)) == 3 + 2
    assert pending_journals(db) == []


def test_a_damaged_journal_line_is_named_and_nothing_is_lost(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    with EventStore.create(db) as store:
        emit_cases(store, 1)
    journal = journal_dir(db) / "main-2-cafecafe.jsonl"
    journal.parent.mkdir(exist_ok=True)
    journal.write_bytes(b'["ok"]\n{not json\n')
    with pytest.raises(CorruptDatabaseError, match=r"main-2-cafecafe\.jsonl: line 1 "):
        EventStore.open_existing(db)
    out = tmp_path / "out.json"
    result = run_cli("export", "--db", str(db), "--out", str(out))
    assert_one_line_error(result, 4, "main-2-cafecafe.jsonl", "move the file aside")
    assert journal.exists() and not out.exists()


def test_a_normal_run_leaves_no_journal_once_exported(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_one="def test_a():\n    pass\n")
    db = pytester.path / "events.db"
    pytester.runpytest_subprocess("--recorder-db", str(db), "-n", "2")
    assert len(pending_journals(db)) == 3  # main, gw0, gw1: moved in by the next reader
    result = run_cli("export", "--db", str(db), "--out", str(pytester.path / "out.json"))
    assert result.returncode == 0, result.stderr
    assert pending_journals(db) == []


def test_a_journal_is_not_deleted_before_its_writer_locks_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression (issue 17): a reader that opened the store after a writer created its
    journal but before it took the lock deleted the journal, losing every event of it."""
    db = tmp_path / "events.db"
    EventStore.create(db).close()
    locking, reader_done = threading.Event(), threading.Event()
    writer: dict[str, int] = {}
    real_flock = fcntl.flock

    def slow_flock(fd: int, operation: int) -> None:
        if threading.get_ident() == writer.get("thread") and operation == fcntl.LOCK_EX:
            locking.set()  # the journal file exists; hold the window open for the reader
            assert reader_done.wait(30)
        real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", slow_flock)

    def write() -> None:
        writer["thread"] = threading.get_ident()
        with EventStore.create(db) as store:
            emitter = Emitter(store, "run", "gw0")
            for n in range(10):
                emitter.emit(CaseStarted(case_id=f"t.py::test_{n}", started_at=TIMESTAMP))

    thread = threading.Thread(target=write)
    thread.start()
    assert locking.wait(30)
    EventStore.open_existing(db).close()  # a concurrent reader ingests in the window
    reader_done.set()
    thread.join(30)
    assert len(stored_ids(db)) == 10
    assert pending_journals(db) == []


def journal_bytes(tmp_path: Path, name: str, count: int) -> bytes:
    """The journal a finished emitter of ``count`` cases leaves (read before ingesting)."""
    with EventStore.create(tmp_path / f"{name}.db") as store:
        emit_cases(store, count, source=name)
        [path] = pending_journals(tmp_path / f"{name}.db")
        return path.read_bytes()


def test_a_reader_deletes_only_the_journal_file_it_read(tmp_path: Path) -> None:
    """If the path names another file by the time the reader has committed, that file
    is not the one it read, and is left alone."""
    first, second = journal_bytes(tmp_path, "a", 1), journal_bytes(tmp_path, "b", 2)
    path = tmp_path / "gw0-1-cafecafe.jsonl"
    path.write_bytes(first)
    committed: list[JournalRow] = []

    def commit_then_replace(rows: list[JournalRow]) -> None:
        committed.extend(rows)
        (tmp_path / "next").write_bytes(second)
        os.replace(tmp_path / "next", path)

    assert ingest_journal(path, commit_then_replace) == 2
    assert path.read_bytes() == second
    assert [row[0] for row in committed] == [line.split(b'"')[1].decode()
                                             for line in first.splitlines()]


@pytest.mark.parametrize("chunk", [1, 7, 100, 1 << 20])
def test_a_journal_is_read_a_chunk_at_a_time(tmp_path: Path, chunk: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines cut by a chunk's end are joined, a cut-off last line is not an event, and
    the rows are those of the whole file read at once."""
    data = journal_bytes(tmp_path, "a", 5)
    path = tmp_path / "gw0-1-cafecafe.jsonl"
    path.write_bytes(data + data.splitlines(keepends=True)[1][:-9])  # a torn last line
    monkeypatch.setattr(journal, "CHUNK", chunk)
    committed: list[JournalRow] = []
    assert ingest_journal(path, committed.extend) == 6
    assert [row[0] for row in committed] == [line.split(b'"')[1].decode()
                                             for line in data.splitlines()]
    assert not path.exists()


def test_a_journal_is_kept_when_its_commit_stops_short(tmp_path: Path) -> None:
    """A reader deletes a journal only once every complete line of it was committed."""
    path = tmp_path / "gw0-1-cafecafe.jsonl"
    path.write_bytes(journal_bytes(tmp_path, "a", 3))

    def first_two(rows: Iterable[JournalRow]) -> None:
        next(iter(rows)), next(iter(rows))

    ingest_journal(path, first_two)
    assert path.exists()


def test_a_journal_is_kept_when_its_commit_fails(tmp_path: Path) -> None:
    path = tmp_path / "gw0-1-cafecafe.jsonl"
    path.write_bytes(journal_bytes(tmp_path, "a", 1))

    def failing_commit(rows: list[JournalRow]) -> None:
        raise OSError("disk on fire")

    with pytest.raises(OSError, match="disk on fire"):
        ingest_journal(path, failing_commit)
    assert path.exists()


def test_a_journal_under_its_final_name_is_already_locked(tmp_path: Path) -> None:
    """Readers only ever see a journal whose writer holds (or held) its lock."""
    db = tmp_path / "events.db"
    with EventStore.create(db) as store:
        emit_cases(store, 1)
        [path] = pending_journals(db)
        fd = os.open(path, os.O_RDONLY)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        assert not list(path.parent.glob("*.creating"))


def test_journals_go_in_by_their_runs_start_not_by_name_nor_when(tmp_path: Path) -> None:
    """A run that started later gets its seq later, though its journal's name sorts
    first and both are moved in together (a new run no longer moves the waiting
    journals in at its start); a run's own sources keep their name order, and a journal
    an older recorder named without a stamp goes in first."""
    db = tmp_path / "events.db"
    EventStore.create(db).close()
    started = RunStarted(project="p", started_at="2026-01-01T00:00:00+00:00")
    late = Emitter.for_new_run(db, "late", "a", stamp=2_000)
    early_main = Emitter.for_new_run(db, "early", "main", stamp=1_000)
    early_worker = Emitter.for_new_run(db, "early", "gw0", stamp=1_000)
    for emitter in (late, early_main, early_worker):
        emitter.emit(started)
        emitter.close()
    legacy = journal_dir(db) / "zzz-0badc0de-1-0123abcd.jsonl"
    legacy.write_bytes(b'["legacy-1","old","run.started",1,"zzz",1,"2026-01-01T00:00:00+00:00",'
                       b'"{\\"project\\":\\"p\\",\\"started_at\\":\\"x\\"}"]\n')
    assert [journal.journal_stamp(path) for path in pending_journals(db)] == [
        0, 1_000, 1_000, 2_000]
    with EventStore.open_existing(db) as store:
        assert [(run.run_id, run.first_seq) for run in store.runs()] == [
            ("old", 1), ("early", 2), ("late", 4)]
        assert [event.source for event in store.iter_events("early")] == ["gw0", "main"]


def test_a_relocated_journal_keeps_its_runs_stamp(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    emitter = Emitter.for_new_run(db, "run", "main", stamp=1_234)
    import shutil

    shutil.rmtree(journal_dir(db))
    with pytest.warns(Warning, match="recreated"):
        emitter.emit(RunStarted(project="p", started_at="2026-01-01T00:00:00+00:00"))
    emitter.close()
    assert [journal.journal_stamp(path) for path in pending_journals(db)] == [1_234]


def test_a_run_s_start_stamp_comes_from_the_real_clock_under_freezegun() -> None:
    """A conftest that freezes time before recording starts must not stamp its run in
    2000, which would move its journals in before every earlier run's."""
    from freezegun import freeze_time

    from recorder.store.journal import new_stamp

    with freeze_time("2000-01-01"):
        stamp = new_stamp()
    assert stamp > 1_700_000_000 * 10**9  # after 2023-11
