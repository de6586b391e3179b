"""The event store: one append-only ``events`` table in a SQLite file.

Rows are never updated or deleted (triggers refuse both). ``seq`` is the global
order; ``event_id`` is unique, so appending the same event twice is a no-op;
``(run_id, source, source_seq)`` is unique too, so two different events can never
claim the same place in a source's sequence. The database runs in WAL mode with a
busy timeout so several processes (xdist workers, shards) can append at once.
``PRAGMA user_version`` holds the store version; a newer database is refused.

Emitters do not write here directly while tests run: they append to journals (see
:mod:`recorder.store.journal`), which :meth:`EventStore.create` and
:meth:`EventStore.open_existing` move into the table first.

Backend errors are turned into :mod:`recorder.errors` exceptions here, once.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from recorder.errors import (
    CorruptDatabaseError,
    DatabaseLockedError,
    InputNotFoundError,
    InvalidInputError,
    MalformedEventError,
    NewerStoreError,
    OutputError,
    RunNotFoundError,
    UnknownEventError,
    UsageError,
)
from recorder.events import codec
from recorder.events.model import StoredEvent
from recorder.store.journal import JournalRow, JournalWriter, ingest_journal, pending_journals
from recorder.store.source import RunInfo

if TYPE_CHECKING:
    import sqlite_utils

STORE_VERSION = 1
T = TypeVar("T")
#: How long any command waits, in all, for another process's lock on the database.
DEFAULT_LOCK_TIMEOUT_S = 30.0
LOCK_TIMEOUT_ENV = "RECORDER_LOCK_TIMEOUT"

_SCHEMA = """
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
_INSERT = (
    "INSERT INTO events (event_id, run_id, type, version, source, source_seq, recorded_at,"
    " payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO UPDATE SET seq = seq"
    " WHERE (events.run_id, events.type, events.version, events.source, events.source_seq,"
    " events.recorded_at, events.payload) IS NOT (excluded.run_id, excluded.type,"
    " excluded.version, excluded.source, excluded.source_seq, excluded.recorded_at,"
    " excluded.payload)"
)

_COLUMNS = "seq, event_id, run_id, type, version, source, source_seq, recorded_at, payload"
#: A raw stored row, in the order of :data:`_COLUMNS`.
Row = tuple[int, str, str, str, int, str, int, str, str]


class EventStore:
    """A connection to one SQLite event log. Use :meth:`create` to write and
    :meth:`open_existing` to read; both are context managers."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._connection = connection
        self._lock = threading.Lock()
        self._journals: list[JournalWriter] = []

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """A sqlite-utils view of the same connection, for the read-side queries. Built
        on first use: a recording process never needs it (importing sqlite-utils costs
        a pytest session tens of milliseconds)."""
        import sqlite_utils

        return sqlite_utils.Database(self._connection)

    # -- opening -----------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path) -> EventStore:
        """Open ``path`` for appending, creating the file and its table if needed.

        A new database appears under its name only once its schema is in it, so a kill
        while creating it leaves no half-made file. An existing file is checked,
        without writing to it, to be ours (or empty) before anything is written."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                _create_database_file(path)
        except (OSError, sqlite3.Error) as error:
            raise OutputError(
                f"cannot open event database {path} for writing ({error}): "
                "choose a writable path for --recorder-db"
            ) from error
        kind = _inspect(path)
        if kind == "foreign":
            raise _foreign(path)
        try:
            connection = _connect(path)
        except (OSError, sqlite3.Error) as error:
            raise OutputError(
                f"cannot open event database {path} for writing ({error}): "
                "choose a writable path for --recorder-db"
            ) from error
        store = cls(path, connection)
        if kind == "empty":  # a file made empty elsewhere, or left by a killed creation
            store._create_schema()
        store.ingest_journals()
        return store

    @classmethod
    def open_existing(cls, path: str | Path) -> EventStore:
        """Open an existing event log for reading; refuse missing or foreign files."""
        path = Path(path)
        if not path.is_file():
            raise InputNotFoundError(
                f"event database {path} does not exist: run the tests with "
                f"--recorder-db {path} first, or pass the right --db"
            )
        kind = _inspect(path)
        if kind == "foreign":
            raise _foreign(path)
        if kind == "empty":
            raise RunNotFoundError(
                f"{path} holds no runs recorded yet (its creation was cut short before "
                f"any event was written): record a run with --recorder-db {path}"
            )
        try:
            connection = _connect(path)
        except sqlite3.Error as error:
            raise _corrupt(path, error) from error
        store = cls(path, connection)
        try:
            store.ingest_journals()
        except BaseException:
            store.close()
            raise
        return store

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for journal in self._journals:
            journal.close()
        self._journals.clear()
        self._connection.close()

    def _create_schema(self) -> None:
        script = f"BEGIN IMMEDIATE;\n{_SCHEMA}\nPRAGMA user_version = {STORE_VERSION};\nCOMMIT;"

        def create() -> None:
            try:
                self._connection.executescript(script)
            except BaseException:
                if self._connection.in_transaction:
                    self._connection.execute("ROLLBACK")
                raise

        with self._lock:
            try:
                create()
            except sqlite3.OperationalError as error:
                raise _locked_or(self.path, error) from error

    # -- writing -----------------------------------------------------------------

    def open_journal(self, source: str, run_id: str = "") -> JournalWriter:
        """A journal for one emitting process; closed with this store."""
        journal = JournalWriter(self.path, source, run_id)
        self._journals.append(journal)
        return journal

    def ingest_journals(self) -> int:
        """Move every journal's events into the table; delete the finished journals.

        Each journal goes in as one transaction, so a crash here loses nothing (the
        journal is only deleted after its commit) and a re-run changes nothing."""
        ingested = 0
        for path in pending_journals(self.path):
            ingested += ingest_journal(path, functools.partial(self._insert,
                                                               what=f"journal {path}"))
        return ingested

    def append(self, events: Iterable[StoredEvent]) -> None:
        """Append ``events`` in one transaction; already-stored event ids are skipped."""
        self._insert([encode_row(stored) for stored in events], str(self.path))

    def append_rows(self, rows: list[JournalRow], what: str) -> None:
        """Append already-encoded rows (payloads kept byte for byte) in one transaction;
        ``what`` names their origin in errors. Already-stored event ids are skipped."""
        self._insert(rows, what)

    def _insert(self, rows: list[JournalRow], what: str) -> None:
        connection = self._connection
        with self._lock:
            try:
                if len(rows) == 1:  # autocommit: one statement is one transaction
                    connection.execute(_INSERT, rows[0])
                    return
                connection.execute("BEGIN IMMEDIATE")
                try:
                    connection.executemany(_INSERT, rows)
                    connection.execute("COMMIT")
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as error:
                raise _locked_or(self.path, error) from error
            except sqlite3.IntegrityError as error:
                raise InvalidInputError(
                    f"cannot append {what} to {self.path}: two different events claim the "
                    f"same event id, or the same run, source and source_seq ({error}); move "
                    "the file aside to export what the database holds"
                ) from error

    # -- reading -----------------------------------------------------------------

    def runs(self) -> list[RunInfo]:
        """Every run in the log, oldest first (by its first event)."""
        sql = (
            "SELECT run_id, COUNT(*) AS events, MIN(seq) AS first_seq, MAX(seq) AS last_seq"
            " FROM events GROUP BY run_id ORDER BY first_seq"
        )
        return [RunInfo(**row) for row in self._query(sql)]

    def resolve_run_id(self, run_id: str | None) -> str:
        """``run_id`` if the log holds it; the latest run when ``run_id`` is None."""
        if run_id is None:
            rows = list(
                self._query(
                    "SELECT run_id FROM events WHERE seq = (SELECT MAX(first)"
                    " FROM (SELECT MIN(seq) AS first FROM events GROUP BY run_id))"
                )
            )
            if not rows:
                raise RunNotFoundError(
                    f"{self.path} holds no runs yet: record one with --recorder-db {self.path}"
                )
            return str(rows[0]["run_id"])
        found = list(self._query("SELECT 1 FROM events WHERE run_id = ? LIMIT 1", [run_id]))
        if not found:
            known = ", ".join(run.run_id for run in self.runs()[-5:]) or "none"
            raise RunNotFoundError(
                f"run {run_id!r} is not in {self.path} (latest runs: {known}): "
                "list them with 'recorder runs --db PATH'"
            )
        return run_id

    def last_source_seq(self, run_id: str, source: str) -> int:
        """The highest ``source_seq`` stored for ``source`` in ``run_id`` (0 if none)."""
        try:  # on the recording path: plain sqlite3, no sqlite-utils
            (last,) = self._connection.execute(
                "SELECT MAX(source_seq) FROM events WHERE run_id = ? AND source = ?",
                [run_id, source]).fetchone()
        except sqlite3.OperationalError as error:
            raise _locked_or(self.path, error) from error
        except sqlite3.DatabaseError as error:
            raise _corrupt(self.path, error) from error
        return int(last or 0)

    def count(self, run_id: str) -> int:
        """How many events ``run_id`` has."""
        rows = self._query("SELECT COUNT(*) AS n FROM events WHERE run_id = ?", [run_id])
        return int(next(iter(rows))["n"])

    def iter_rows(self, run_id: str) -> Iterator[Row]:
        """The raw rows of one run as tuples (see :data:`Row`), in ``seq`` order, streamed."""
        try:
            # The run's seq range comes from the unique (run_id, source, source_seq)
            # index; the rows are then read in rowid (= seq) order, with no sort.
            first, last = self._connection.execute(
                "SELECT MIN(seq), MAX(seq) FROM events WHERE run_id = ?", [run_id]).fetchone()
            cursor = self._connection.execute(
                f"SELECT {_COLUMNS} FROM events WHERE seq BETWEEN ? AND ? AND +run_id = ?"
                " ORDER BY seq", [first, last, run_id])
            cursor.arraysize = 1000
            while batch := cursor.fetchmany():
                yield from batch
        except sqlite3.DatabaseError as error:
            raise _corrupt(self.path, error) from error

    def iter_events(self, run_id: str) -> Iterator[StoredEvent]:
        """The decoded events of one run, in ``seq`` order, streamed."""
        for row in self.iter_rows(run_id):
            yield decode_row(row, self.path)

    # -- checks (for recorder.store.verify) ---------------------------------------

    def integrity_problems(self) -> list[str]:
        """What SQLite's ``PRAGMA integrity_check`` reports, ``"ok"`` lines left out."""
        lines = [str(row[0]) for row in self._execute("PRAGMA integrity_check")]
        return [line for line in lines if line != "ok"]

    def trigger_names(self) -> set[str]:
        """The names of the triggers on the ``events`` table."""
        return {str(row[0]) for row in self._execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")}

    def source_counts(self, run_id: str) -> list[tuple[str, int, int, int]]:
        """``(source, events, first source_seq, last source_seq)`` per source of a run."""
        return [(row["source"], row["events"], row["first"], row["last"]) for row in self._query(
            "SELECT source, COUNT(*) AS events, MIN(source_seq) AS first,"
            " MAX(source_seq) AS last FROM events WHERE run_id = ? GROUP BY source"
            " ORDER BY source", [run_id])]

    def source_seq_gaps(self, run_id: str, source: str) -> list[tuple[int, int]]:
        """The missing ``source_seq`` ranges ``(low, high)`` of one source in a run."""
        rows = self._query(
            "SELECT previous + 1 AS low, source_seq - 1 AS high FROM ("
            " SELECT source_seq,"
            " COALESCE(LAG(source_seq) OVER (ORDER BY source_seq), 0) AS previous"
            " FROM events WHERE run_id = ? AND source = ?) WHERE source_seq > previous + 1",
            [run_id, source])
        return [(row["low"], row["high"]) for row in rows]

    def _execute(self, sql: str) -> list[Any]:
        try:
            return self._connection.execute(sql).fetchall()
        except sqlite3.DatabaseError as error:
            raise _corrupt(self.path, error) from error

    def _query(self, sql: str, params: list[Any] | None = None) -> Iterator[dict[str, Any]]:
        try:
            yield from self.db.query(sql, params or [])
        except sqlite3.DatabaseError as error:
            raise _corrupt(self.path, error) from error


def decode_row(row: Row, path: Path | str = "database") -> StoredEvent:
    """A stored row as a :class:`StoredEvent`; errors name the file and row."""
    seq, event_id, run_id, type_name, version, source, source_seq, recorded_at, payload = row
    try:
        event = codec.decode(type_name, version, payload)
    except (MalformedEventError, UnknownEventError) as error:
        # Name the row only when something is wrong: formatting it for every row
        # would cost more than parsing some payloads.
        located = f"{path}: event seq {seq}{error.message.removeprefix(codec.DEFAULT_WHERE)}"
        raise type(error)(located) from error
    return StoredEvent(event_id, run_id, source, source_seq, recorded_at, event, seq)


def encode_row(stored: StoredEvent) -> JournalRow:
    """The row to store for ``stored`` (everything but ``seq``)."""
    type_name, version = codec.type_and_version(stored.event)
    return (
        stored.event_id,
        stored.run_id,
        type_name,
        version,
        stored.source,
        stored.source_seq,
        stored.recorded_at,
        codec.encode(stored.event),
    )


def _create_database_file(path: Path) -> None:
    """Make a complete, empty event database at ``path`` atomically: the schema is
    written under a temporary name, which is then linked to ``path``."""
    creating = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.creating")
    try:
        connection = sqlite3.connect(creating, isolation_level=None)
        try:
            connection.executescript(
                f"BEGIN;\n{_SCHEMA}\nPRAGMA user_version = {STORE_VERSION};\nCOMMIT;")
            connection.execute("PRAGMA journal_mode = WAL")
        finally:
            connection.close()
        try:
            os.link(creating, path)
        except FileExistsError:  # another process created it first: use theirs
            pass
    finally:
        creating.unlink(missing_ok=True)


_Kind = Literal["ours", "empty", "foreign"]


def _inspect(path: Path) -> _Kind:
    """What ``path`` holds, decided read-only: our store, an empty SQLite file (no
    table at all), or something else. Newer stores and non-SQLite files are refused."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                     timeout=lock_timeout())
    except sqlite3.Error as error:
        raise _corrupt(path, error) from error
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        tables = {name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        raise _corrupt(path, error) from error
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


def _foreign(path: Path) -> InvalidInputError:
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


def _connect(path: Path) -> sqlite3.Connection:
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
                raise _locked_or(path, error) from error
            attempt += 1
            time.sleep(min(0.01 * attempt, 0.25, max(deadline - time.monotonic(), 0.0)))


def _is_lock_error(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _locked_or(path: Path, error: sqlite3.OperationalError) -> Exception:
    """The one-line error for a lock that outlasted the timeout; other errors as is."""
    if not _is_lock_error(error):
        return _corrupt(path, error)
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


def _corrupt(path: Path, error: Exception) -> CorruptDatabaseError:
    return CorruptDatabaseError(
        f"{path} is not a readable SQLite database ({error}): pass the file written by "
        "--recorder-db, or record the run again"
    )
