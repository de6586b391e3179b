"""Opening the SQLite file of an event store safely: created whole or not at all,
recognised read-only before anything is written, never waited on for longer than
the lock timeout, never a FIFO or device, and read in place from a read-only folder.

A new database is built under a temporary name with its schema and then linked to its
name, so a kill while creating it leaves no half-made file. Whether an existing file is
ours is decided from a read-only connection. Every wait for another process's lock is
bounded, in all, by ``RECORDER_LOCK_TIMEOUT`` (30 s by default), then one line names the
file and the processes that have it open.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Literal, TypeVar

from recorder.errors import (
    CorruptDatabaseError,
    DatabaseLockedError,
    InvalidInputError,
    NewerStoreError,
    UsageError,
)
from recorder.store.header import STORE_VERSION as STORE_VERSION  # re-exported

T = TypeVar("T")

#: How long any command waits, in all, for another process's lock on the database.
DEFAULT_LOCK_TIMEOUT_S = 30.0
LOCK_TIMEOUT_ENV = "RECORDER_LOCK_TIMEOUT"

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    run_id TEXT NOT NULL,
    type TEXT NOT NULL,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    source_seq INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (run_id, source, source_seq)
);
CREATE TRIGGER IF NOT EXISTS events_refuse_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused'); END;
CREATE TRIGGER IF NOT EXISTS events_refuse_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE is refused'); END;
"""

# Appending an event already stored is a no-op; a *different* event under a stored
# event id is an attempted update, which the append-only trigger refuses.
def create_database_file(path: Path) -> None:
    """Make a complete, empty event database at ``path`` atomically: the schema is
    written under a temporary name, which is then linked to ``path``."""
    creating = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.creating")
    try:
        connection = sqlite3.connect(creating, isolation_level=None)
        try:
            connection.executescript(
                f"BEGIN;\n{SCHEMA}\nPRAGMA user_version = {STORE_VERSION};\nCOMMIT;")
            connection.execute("PRAGMA journal_mode = WAL")
        finally:
            connection.close()
        try:
            os.link(creating, path)
        except FileExistsError:  # another process created it first: use theirs
            pass
    finally:
        creating.unlink(missing_ok=True)


Kind = Literal["ours", "empty", "foreign"]


def inspect(path: Path) -> Kind:
    """What ``path`` holds, decided read-only: our store, an empty SQLite file (no
    table at all), or something else. Newer stores and non-SQLite files are refused."""
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True, timeout=lock_timeout())
    except sqlite3.Error as error:
        raise corrupt(path, error) from error
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise corrupt(path, error) from error
    finally:
        connection.close()
    if version > STORE_VERSION:
        raise NewerStoreError(
            f"{path} was written by a newer recorder (store version {version}, "
            f"this recorder reads up to {STORE_VERSION}): upgrade recorder"
        )
    if not tables and version == 0:
        return "empty"
    if version >= 1 and "events" in tables:
        return "ours"
    return "foreign"


def refuse_special_file(path: Path) -> None:
    """SQLite would block forever opening a FIFO, and cannot use a directory or a
    device: refuse them (symlinks followed) before it tries."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # missing (created later) or unreadable (reported when opened)
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO, device or socket"
        raise UsageError(f"{path} is {kind}, not an event database: pass the path of a "
                         "database file (or of a new one)")


def folder_writable(path: Path) -> bool:
    return os.access(path.resolve().parent, os.W_OK)


def read_only_uri(path: Path) -> str:
    """How to open ``path`` without writing. In WAL mode even a reader must create the
    ``-shm`` file; where its folder is read-only (a read-only mount, an unpacked
    artifact) and no ``-wal`` file exists, nothing can be writing it, so it is opened
    as immutable."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    if not folder_writable(path) and not path.with_name(path.name + "-wal").exists():
        uri += "&immutable=1"
    return uri


def connect_read_only(path: Path) -> sqlite3.Connection:
    """``path`` opened read-only (its folder is not writable), or a one-line error."""
    try:
        connection = sqlite3.connect(read_only_uri(path), uri=True, timeout=lock_timeout(),
                                     isolation_level=None, check_same_thread=False)
        connection.execute("SELECT count(*) FROM events").fetchone()
    except sqlite3.Error as error:
        raise CorruptDatabaseError(
            f"{path} is in a read-only folder and cannot be read there ({error}): copy "
            "it (with its -wal and -shm files, if any) to a writable place and read the copy"
        ) from error
    return connection


def foreign(path: Path) -> InvalidInputError:
    return InvalidInputError(
        f"{path} is a SQLite database but holds no recorder events table (it was left "
        "unchanged): pass the file written by --recorder-db, or choose a new path"
    )


def lock_timeout() -> float:
    """Seconds to wait for another process's lock: ``RECORDER_LOCK_TIMEOUT``, or 30."""
    text = os.environ.get(LOCK_TIMEOUT_ENV, "")
    if not text:
        return DEFAULT_LOCK_TIMEOUT_S
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86_400:
        raise UsageError(f"{LOCK_TIMEOUT_ENV}={text!r}: give a number of seconds "
                         "between 0 and 86400")
    return seconds


def connect(path: Path) -> sqlite3.Connection:
    timeout = lock_timeout()
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None,
                                 check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    _retry_when_locked(lambda: connection.execute("PRAGMA journal_mode = WAL"), path,
                       timeout)
    # Every commit is handed to the OS before it returns, so a killed process loses
    # nothing; only an OS crash or power loss (which ends a CI machine anyway) can lose
    # or damage recent writes. Not syncing keeps a commit at ~24 us instead of ~42 us.
    connection.execute("PRAGMA synchronous = OFF")
    return connection


def _retry_when_locked(action: Callable[[], T], path: Path, timeout: float) -> T:
    """Run ``action``, retrying while another process holds the lock during a
    journal-mode change (SQLite's busy handler does not cover it), for ``timeout``
    seconds in all."""
    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        try:
            return action()
        except sqlite3.OperationalError as error:
            if not _is_lock_error(error):
                raise
            if time.monotonic() >= deadline:
                raise locked_or(path, error) from error
            attempt += 1
            time.sleep(min(0.01 * attempt, 0.25, max(deadline - time.monotonic(), 0.0)))


def _is_lock_error(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def locked_or(path: Path, error: sqlite3.OperationalError) -> Exception:
    """The one-line error for a lock that outlasted the timeout; other errors as is."""
    if not _is_lock_error(error):
        return corrupt(path, error)
    holders = _processes_holding(path)
    held_by = f" (open in process {', '.join(map(str, holders))})" if holders else ""
    return DatabaseLockedError(
        f"{path} stayed locked by another connection for {lock_timeout():g} s{held_by}: "
        f"let it finish or stop it, or wait longer with {LOCK_TIMEOUT_ENV}=SECONDS"
    )


def _processes_holding(path: Path) -> list[int]:
    """The other processes that have ``path`` (or its WAL) open, where /proc tells."""
    names = {str(path.resolve()), f"{path.resolve()}-wal"}
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        if int(entry.name) == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in names for fd in (entry / "fd").iterdir()):
                found.append(int(entry.name))
        except OSError:
            continue
    return sorted(found)[:5]


def corrupt(path: Path, error: Exception) -> CorruptDatabaseError:
    return CorruptDatabaseError(
        f"{path} is not a readable SQLite database ({error}): pass the file written by "
        "--recorder-db, or record the run again"
    )
