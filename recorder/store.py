"""The event store: one append-only ``events`` table in a SQLite file.

Rows are never updated or deleted (triggers refuse both). ``seq`` is the global
order; ``event_id`` is unique, so appending the same event twice is a no-op;
``(run_id, source, source_seq)`` is unique too, so two different events can never
claim the same place in a source's sequence. The database runs in WAL mode with a
busy timeout so several processes (xdist workers, shards) can append at once.
``PRAGMA user_version`` holds the store version; a newer database is refused.

Emitters do not write here directly while tests run: they append to journals (see
:mod:`recorder.journal`), which :meth:`EventStore.create` and
:meth:`EventStore.open_existing` move into the table first.

Backend errors are turned into :mod:`recorder.errors` exceptions here, once.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import attrs
import sqlite_utils

from recorder import codec
from recorder.errors import (
    CorruptDatabaseError,
    InputNotFoundError,
    InvalidInputError,
    MalformedEventError,
    NewerStoreError,
    OutputError,
    RunNotFoundError,
    UnknownEventError,
)
from recorder.events import StoredEvent
from recorder.journal import JournalRow, JournalWriter, pending_journals, read_journal

STORE_VERSION = 1
T = TypeVar("T")
BUSY_TIMEOUT_MS = 30_000

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

_INSERT = (
    "INSERT INTO events (event_id, run_id, type, version, source, source_seq, recorded_at,"
    " payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING"
)

_COLUMNS = "seq, event_id, run_id, type, version, source, source_seq, recorded_at, payload"
#: A raw stored row, in the order of :data:`_COLUMNS`.
Row = tuple[int, str, str, str, int, str, int, str, str]


@attrs.frozen
class RunInfo:
    run_id: str
    events: int
    first_seq: int
    last_seq: int


class EventStore:
    """A connection to one SQLite event log. Use :meth:`create` to write and
    :meth:`open_existing` to read; both are context managers."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._connection = connection
        self.db = sqlite_utils.Database(connection)
        self._lock = threading.Lock()
        self._journals: list[JournalWriter] = []

    # -- opening -----------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path) -> EventStore:
        """Open ``path`` for appending, creating the file and its table if needed."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = _connect(path)
        except (OSError, sqlite3.Error) as error:
            raise OutputError(
                f"cannot open event database {path} for writing ({error}): "
                "choose a writable path for --recorder-db"
            ) from error
        store = cls(path, connection)
        store._check_version()
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
        try:
            connection = _connect(path)
        except sqlite3.Error as error:
            raise _corrupt(path, error) from error
        store = cls(path, connection)
        store._check_version()
        if "events" not in store._table_names():
            store.close()
            raise InvalidInputError(
                f"{path} is a SQLite database but holds no recorder events table: "
                "pass the file written by --recorder-db"
            )
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

    def _table_names(self) -> list[str]:
        try:
            return self.db.table_names()
        except sqlite3.DatabaseError as error:
            raise _corrupt(self.path, error) from error

    def _check_version(self) -> None:
        try:
            version = self._connection.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as error:
            self.close()
            raise _corrupt(self.path, error) from error
        if version > STORE_VERSION:
            self.close()
            raise NewerStoreError(
                f"{self.path} was written by a newer recorder (store version {version}, "
                f"this recorder reads up to {STORE_VERSION}): upgrade recorder"
            )

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
            _retry_when_locked(create)

    # -- writing -----------------------------------------------------------------

    def open_journal(self, source: str) -> JournalWriter:
        """A journal for one emitting process; closed with this store."""
        journal = JournalWriter(self.path, source)
        self._journals.append(journal)
        return journal

    def ingest_journals(self) -> int:
        """Move every journal's events into the table; delete the finished journals.

        Each journal goes in as one transaction, so a crash here loses nothing (the
        journal is only deleted after its commit) and a re-run changes nothing."""
        ingested = 0
        for path in pending_journals(self.path):
            rows, finished = read_journal(path)
            if rows:
                self._insert(rows, f"journal {path}")
                ingested += len(rows)
            if finished:
                path.unlink(missing_ok=True)
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
            except sqlite3.IntegrityError as error:
                raise InvalidInputError(
                    f"cannot append {what} to {self.path}: {error} (two different events "
                    "claim the same run, source and source_seq)"
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
        rows = self._query("SELECT MAX(source_seq) AS last FROM events"
                           " WHERE run_id = ? AND source = ?", [run_id, source])
        return int(next(iter(rows))["last"] or 0)

    def count(self, run_id: str) -> int:
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


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                 check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _retry_when_locked(lambda: connection.execute("PRAGMA journal_mode = WAL"))
    # Every commit is handed to the OS before it returns, so a killed process loses
    # nothing; only an OS crash or power loss (which ends a CI machine anyway) can lose
    # or damage recent writes. Not syncing keeps a commit at ~24 us instead of ~42 us.
    connection.execute("PRAGMA synchronous = OFF")
    return connection


def _retry_when_locked(action: Callable[[], T]) -> T:
    """Run ``action``, retrying while another process holds the lock during a
    journal-mode or schema change (SQLite's busy handler does not cover those)."""
    for attempt in range(60):
        try:
            return action()
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            time.sleep(min(0.01 * (attempt + 1), 0.25))
    return action()


def _corrupt(path: Path, error: Exception) -> CorruptDatabaseError:
    return CorruptDatabaseError(
        f"{path} is not a readable SQLite database ({error}): pass the file written by "
        "--recorder-db, or record the run again"
    )
