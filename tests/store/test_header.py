"""Telling a current event store from its header, without sqlite3: only a store this
recorder created passes; everything else goes the way of a full open (and its errors)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from recorder.store.connection import create_database_file, inspect
from recorder.store.header import create_store_file, empty_store, is_current_store
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


def _schema(path: Path) -> list[tuple[str, ...]]:
    connection = sqlite3.connect(path)
    try:
        return [*connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"
                                    " ORDER BY name"),
                *connection.execute("PRAGMA user_version"),
                *connection.execute("PRAGMA journal_mode"),
                *connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def test_a_store_made_without_sqlite_is_the_store_sqlite_makes(tmp_path: Path) -> None:
    """The bytes :func:`create_store_file` writes are a store as
    ``create_database_file`` makes it: the same schema, version and WAL mode, an
    intact file, byte for byte the same with this SQLite; it records and exports."""
    made, by_sqlite = tmp_path / "made.db", tmp_path / "sqlite.db"
    assert create_store_file(made)
    create_database_file(by_sqlite)
    assert _schema(made) == _schema(by_sqlite)
    assert _schema(made)[-1] == ("ok",)
    if sqlite3.sqlite_version == "3.40.1":  # the version that wrote the bytes
        assert made.read_bytes() == by_sqlite.read_bytes() == empty_store()
    assert is_current_store(made) and inspect(made) == "ours"
    record_run(made)
    with EventStore.open_existing(made) as store:
        assert [run.run_id for run in store.runs()] == ["run-a"]
        assert store.integrity_problems() == []


def test_a_store_is_made_only_where_nothing_is(tmp_path: Path) -> None:
    """An existing path (a file, a folder) is left alone, and so is a folder that
    cannot be written: SQLite then opens the path and gives the one-line error."""
    (tmp_path / "file.db").write_text("mine\n")
    (tmp_path / "folder.db").mkdir()
    assert not create_store_file(tmp_path / "file.db")
    assert not create_store_file(tmp_path / "folder.db")
    assert (tmp_path / "file.db").read_text() == "mine\n"
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    assert not create_store_file(blocked / "events.db")
    assert create_store_file(tmp_path / "deeper" / "events.db")  # folders made as SQLite's
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "deeper", "file.db", "folder.db", "not-a-folder"]  # no temporary file left
