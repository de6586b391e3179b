"""Telling a current event store from its header, without sqlite3: only a store this
recorder created passes; everything else goes the way of a full open (and its errors)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from recorder.store.header import is_current_store
from recorder.store.sqlite import EventStore
from tests.support import record_run


def test_a_store_this_recorder_made_is_current(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    record_run(db)
    assert is_current_store(db)
    EventStore.open_existing(db).close()  # its journals moved in: still current
    assert is_current_store(db)


def _sqlite_file(path: Path, script: str) -> Path:
    connection = sqlite3.connect(path)
    connection.executescript(script)
    connection.close()
    return path


def test_anything_else_is_not(tmp_path: Path) -> None:
    (tmp_path / "empty.db").write_bytes(b"")
    (tmp_path / "text.db").write_text("not a database\n" * 20)
    (tmp_path / "folder.db").mkdir()
    record_run(tmp_path / "ours.db")
    data = (tmp_path / "ours.db").read_bytes()
    (tmp_path / "newer.db").write_bytes(data[:60] + (2).to_bytes(4, "big") + data[64:])
    (tmp_path / "odd-page-size.db").write_bytes(data[:16] + b"\x00\x07" + data[18:])
    (tmp_path / "cut.db").write_bytes(data[:99])
    candidates = [
        tmp_path / "missing.db", tmp_path / "empty.db", tmp_path / "text.db",
        tmp_path / "folder.db", tmp_path / "newer.db", tmp_path / "odd-page-size.db",
        tmp_path / "cut.db",
        _sqlite_file(tmp_path / "table-less.db", "PRAGMA user_version = 1;"),
        _sqlite_file(tmp_path / "foreign.db", "CREATE TABLE events (id INTEGER PRIMARY KEY);"),
        _sqlite_file(tmp_path / "foreign-v1.db", "PRAGMA user_version = 1;"
                     "CREATE TABLE events (id INTEGER PRIMARY KEY);"),
    ]
    assert [path.name for path in candidates if is_current_store(path)] == []
    assert is_current_store(tmp_path / "ours.db")
