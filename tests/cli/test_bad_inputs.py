"""Every kind of bad database or bad row gives a one-line error that names the file
(and the row), a distinct exit code, no traceback and no output file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from recorder.errors import InvalidInputError
from recorder.store.sqlite import STORE_VERSION, EventStore
from tests.support import assert_one_line_error, insert_raw, record_run, run_cli


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "events.db"
    record_run(path)
    return path


def export(db: Path, *extra: str) -> tuple[object, Path]:
    out = db.parent / "out.json"
    return run_cli("export", "--db", str(db), "--out", str(out), *extra), out


@pytest.mark.parametrize(
    ("type_name", "payload", "version", "fragments"),
    [
        ("case.started", "{not json", 1, ["payload is not valid JSON"]),
        ("case.started", '{"case_id": "x"}', 1, ["payload.started_at", "required field missing"]),
        ("case.started", '["a list"]', 1, ["payload is not a JSON object"]),
        ("case.teleported", "{}", 1, ["unknown type 'case.teleported'", "upgrade recorder"]),
        ("case.started", "{}", 99, ["version 99", "upgrade recorder"]),
    ],
    ids=["malformed-json", "fails-the-codec", "not-an-object", "unknown-type", "newer-version"],
)
def test_bad_rows_are_named_by_file_and_seq(db: Path, type_name: str, payload: str,
                                            version: int, fragments: list[str]) -> None:
    seq = insert_raw(db, type_name, payload, version=version)
    result, out = export(db)
    assert_one_line_error(result, 4, f"{db}: event seq {seq}", *fragments)
    assert not out.exists()
    verified = run_cli("verify", "--db", str(db))
    assert verified.returncode == 4
    assert f"event seq {seq}" in verified.stdout


def test_a_truncated_database(db: Path) -> None:
    for n in range(200):  # make the file span many pages, then cut it in half
        record_run(db, f"filler-{n}")
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    for leftover in (db.with_name("events.db-wal"), db.with_name("events.db-shm")):
        leftover.unlink(missing_ok=True)
    result, out = export(db)
    assert_one_line_error(result, 4, str(db), "not a readable SQLite database")
    assert not out.exists()


def test_a_database_from_a_newer_recorder(db: Path) -> None:
    connection = sqlite3.connect(db)
    connection.execute(f"PRAGMA user_version = {STORE_VERSION + 1}")
    connection.close()
    result, out = export(db)
    assert_one_line_error(result, 5, str(db), "newer recorder", "upgrade recorder")
    assert not out.exists()


def test_a_gap_is_refused_unless_allowed(db: Path) -> None:
    """A missing source_seq means a lost event: export says so, --allow-gaps records it."""
    insert_raw(db, "run.finished",
               '{"exit_status": 0, "finished_at": "2026-11-23T10:00:00+00:00", "duration": 1.0}',
               source_seq=9)
    result, out = export(db)
    assert_one_line_error(result, 4, "missing events", "main 5..8", "--allow-gaps")
    assert not out.exists()

    verified = run_cli("verify", "--db", str(db))
    assert verified.returncode == 4
    assert "source main is missing source_seq 5..8" in verified.stdout

    result, out = export(db, "--allow-gaps")
    assert result.returncode == 0, result.stderr
    gaps = json.loads(out.read_text())["event_log"]["gaps"]
    assert gaps == [{"source": "main", "from": 5, "to": 8}]


def test_a_healthy_database_verifies(db: Path) -> None:
    result = run_cli("verify", "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "run run-a: 4 events (main 4)" in result.stdout
    assert result.stdout.strip().endswith(": ok")


def test_verify_notices_a_missing_trigger(db: Path) -> None:
    connection = sqlite3.connect(db)
    connection.execute("DROP TRIGGER events_refuse_delete")
    connection.close()
    result = run_cli("verify", "--db", str(db))
    assert result.returncode == 4
    assert "append-only trigger events_refuse_delete is missing" in result.stdout


DIE_WHILE_CREATING = """
import os, sqlite3, sys
from recorder.store.sqlite import EventStore

class DiesBeforeTheSchema(sqlite3.Connection):
    def executescript(self, script):
        os._exit(9)  # as a kill -9 between creating the file and creating its table

real_connect = sqlite3.connect
sqlite3.connect = lambda *args, **kwargs: real_connect(*args, factory=DiesBeforeTheSchema,
                                                       **kwargs)
EventStore.create(sys.argv[1])
"""


def test_a_kill_while_creating_the_database_leaves_no_half_made_file(tmp_path: Path) -> None:
    """Regression (issue 10): a kill between creating the file and its table left a
    table-less WAL file that every command then called foreign."""
    db = tmp_path / "events.db"
    died = subprocess.run([sys.executable, "-c", DIE_WHILE_CREATING, str(db)])
    assert died.returncode == 9
    assert not db.exists()
    record_run(db)  # the next recording creates it whole
    result, out = export(db)
    assert result.returncode == 0, result.stderr  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["export", "verify", "runs", "summary"])
def test_a_table_less_file_left_by_a_killed_creation_means_no_runs_yet(
        tmp_path: Path, command: str) -> None:
    """Older recorders could leave an empty WAL-mode file: it holds no run, it is not
    foreign (exit 6, not 4)."""
    db = tmp_path / "events.db"
    sqlite3.connect(db).execute("PRAGMA journal_mode = WAL").connection.close()
    extra = ["--out", str(tmp_path / "out.json")] if command == "export" else []
    result = run_cli(command, "--db", str(db), *extra)
    assert_one_line_error(result, 6, str(db), "no runs recorded yet", "--recorder-db")
    assert not (tmp_path / "out.json").exists()
    record_run(db)  # and recording into it just works
    assert run_cli("runs", "--db", str(db)).returncode == 0


def test_a_foreign_database_with_its_own_events_table_is_left_unchanged(
        tmp_path: Path) -> None:
    """Regression (issue 12): another application's file got our triggers, WAL mode and
    user_version before it was refused, and its own DELETEs then failed."""
    db = tmp_path / "app.db"
    connection = sqlite3.connect(db)
    connection.executescript("CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT);"
                             "INSERT INTO events (what) VALUES ('login'), ('logout');")
    connection.close()
    before = db.read_bytes()
    for command in ("export", "verify", "runs"):
        extra = ["--out", str(tmp_path / "out.json")] if command == "export" else []
        assert_one_line_error(run_cli(command, "--db", str(db), *extra), 4,
                              str(db), "no recorder events table")
    with pytest.raises(InvalidInputError, match="left unchanged"):
        EventStore.create(db)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]
    connection = sqlite3.connect(db)
    with connection:
        connection.execute("DELETE FROM events WHERE what = 'login'")
    assert connection.execute("SELECT what FROM events").fetchall() == [("logout",)]
    connection.close()
