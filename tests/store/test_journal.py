"""Journals: each emitting process appends to its own file, and readers move the
journals into the SQLite table: idempotently, never losing or inventing an event."""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder.errors import CorruptDatabaseError
from recorder.events.model import CaseStarted, RunStarted
from recorder.store.emitter import Emitter
from recorder.store.journal import journal_dir, pending_journals
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
