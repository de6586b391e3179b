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
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recorder.errors import (
    InputNotFoundError,
    InvalidInputError,
    MalformedEventError,
    OutputError,
    RunNotFoundError,
    UnknownEventError,
)
from recorder.events import codec
from recorder.events.model import StoredEvent
from recorder.store.connection import (
    SCHEMA,
    STORE_VERSION,
    connect,
    connect_read_only,
    corrupt,
    create_database_file,
    folder_writable,
    foreign,
    inspect,
    locked_or,
    refuse_special_file,
)
from recorder.store.journal import (
    JournalRow,
    JournalWriter,
    ingest_journal,
    iter_journal,
    journal_dir,
    live_sources,
    pending_journals,
)
from recorder.store.source import RunInfo

if TYPE_CHECKING:
    import sqlite_utils

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
_ENVELOPE_COLUMNS = "seq, event_id, type, version, source, source_seq, payload"
#: What a fold reads of each row of one run (:meth:`EventStore.iter_envelopes`): a
#: :data:`Row` without the run id (the run's own) and ``recorded_at`` (which only the
#: full event needs), in the order of :data:`_ENVELOPE_COLUMNS`.
Envelope = tuple[int, str, str, int, str, int, str]


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
        refuse_special_file(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                create_database_file(path)
        except (OSError, sqlite3.Error) as error:
            raise OutputError(
                f"cannot open event database {path} for writing ({error}): "
                "choose a writable path for --recorder-db"
            ) from error
        kind = inspect(path)
        if kind == "foreign":
            raise foreign(path)
        try:
            connection = connect(path)
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
        refuse_special_file(path)
        if not path.is_file():
            raise InputNotFoundError(
                f"event database {path} does not exist: run the tests with "
                f"--recorder-db {path} first, or pass the right --db"
            )
        kind = inspect(path)
        if kind == "foreign":
            raise foreign(path)
        if kind == "empty":
            raise RunNotFoundError(
                f"{path} holds no runs recorded yet (its creation was cut short before "
                f"any event was written): record a run with --recorder-db {path}"
            )
        read_only = False
        try:
            connection = connect(path)
        except sqlite3.Error as error:
            if folder_writable(path):
                raise corrupt(path, error) from error
            connection, read_only = connect_read_only(path), True
        store = cls(path, connection)
        try:
            if read_only:
                store._refuse_unmerged_journals()
            else:
                store.ingest_journals()
        except BaseException:
            store.close()
            raise
        return store

    def _refuse_unmerged_journals(self) -> None:
        """A read-only store cannot take its journals in: it is readable only if every
        journaled event is in the table already (otherwise the fold would miss some)."""
        for path in pending_journals(self.path):
            missing = sum(1 for row in iter_journal(path) if not self._connection.execute(
                "SELECT 1 FROM events WHERE event_id = ?", (row[0],)).fetchone())
            if missing:
                raise OutputError(
                    f"{self.path} is in a read-only folder and its journal {path} holds "
                    f"{missing} event(s) not yet in it: copy the database with its "
                    f"{journal_dir(self.path).name} folder to a writable place and read "
                    "the copy"
                )

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
        script = f"BEGIN IMMEDIATE;\n{SCHEMA}\nPRAGMA user_version = {STORE_VERSION};\nCOMMIT;"

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
                raise locked_or(self.path, error) from error

    # -- writing -----------------------------------------------------------------

    def open_journal(self, source: str, run_id: str = "",
                     stamp: int | None = None) -> JournalWriter:
        """A journal for one emitting process; closed with this store. ``stamp``: when
        its run started (:class:`~recorder.store.journal.JournalWriter`), default now."""
        journal = JournalWriter(self.path, source, run_id, stamp)
        self._journals.append(journal)
        return journal

    def live_sources(self, run_id: str) -> list[str]:
        """The sources of ``run_id`` still being recorded by a live process."""
        return live_sources(self.path, run_id)

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

    def _insert(self, rows: Iterable[JournalRow], what: str) -> None:
        """Insert ``rows`` (a list, or an iterator streamed in) in one transaction."""
        connection = self._connection
        with self._lock:
            try:
                if isinstance(rows, list) and len(rows) == 1:  # autocommit: one statement
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
                raise locked_or(self.path, error) from error
            except sqlite3.IntegrityError as error:
                raise InvalidInputError(
                    f"cannot append {what} to {self.path}: two different events claim the "
                    f"same event id, or the same run, source and source_seq ({error}); move "
                    "the file aside to export what the database holds"
                ) from error
            except sqlite3.DatabaseError as error:  # damaged pages: one line, not a traceback
                raise corrupt(self.path, error) from error

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
            raise locked_or(self.path, error) from error
        except sqlite3.DatabaseError as error:
            raise corrupt(self.path, error) from error
        return int(last or 0)

    def count(self, run_id: str) -> int:
        """How many events ``run_id`` has."""
        rows = self._query("SELECT COUNT(*) AS n FROM events WHERE run_id = ?", [run_id])
        return int(next(iter(rows))["n"])

    def iter_rows(self, run_id: str) -> Iterator[Row]:
        """The raw rows of one run as tuples (see :data:`Row`), in ``seq`` order, streamed."""
        for batch in self._row_batches(run_id):
            yield from batch

    def iter_envelopes(self, run_id: str) -> Iterator[Envelope]:
        """Like :meth:`iter_rows`, but each row without its run id and ``recorded_at``
        (see :data:`Envelope`): fewer objects to build for a fold. The full row is
        :meth:`decode_envelope`'s."""
        for batch in self._row_batches(run_id, _ENVELOPE_COLUMNS):
            yield from batch

    def decode_envelope(self, envelope: Envelope) -> StoredEvent:
        """The event of one row of :meth:`iter_envelopes` (read again in full, by its seq),
        as :meth:`decode` gives it."""
        try:
            row = self._connection.execute(f"SELECT {_COLUMNS} FROM events WHERE seq = ?",
                                           [envelope[0]]).fetchone()
        except sqlite3.DatabaseError as error:
            raise corrupt(self.path, error) from error
        return decode_row(row, self.path)

    def _row_batches(self, run_id: str, columns: str = _COLUMNS) -> Iterator[list[Any]]:
        try:
            # The run's seq range comes from the unique (run_id, source, source_seq)
            # index; the rows are then read in rowid (= seq) order, with no sort.
            first, last = self._connection.execute(
                "SELECT MIN(seq), MAX(seq) FROM events WHERE run_id = ?", [run_id]).fetchone()
            cursor = self._connection.execute(
                f"SELECT {columns} FROM events WHERE seq BETWEEN ? AND ? AND +run_id = ?"
                " ORDER BY seq", [first, last, run_id])
            cursor.arraysize = 1000
            while batch := cursor.fetchmany():
                yield batch
        except sqlite3.DatabaseError as error:
            raise corrupt(self.path, error) from error

    def iter_events(self, run_id: str) -> Iterator[StoredEvent]:
        """The decoded events of one run, in ``seq`` order, streamed."""
        for row in self.iter_rows(run_id):
            yield decode_row(row, self.path)

    def decode(self, row: Row) -> StoredEvent:
        """One row of :meth:`iter_rows` as its event; errors name this file and the row."""
        return decode_row(row, self.path)

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
            raise corrupt(self.path, error) from error

    def _query(self, sql: str, params: list[Any] | None = None) -> Iterator[dict[str, Any]]:
        """The rows of ``sql`` as dicts (what sqlite-utils' ``query`` gives, without
        importing it: it costs an export a quarter of a second of start-up)."""
        try:
            cursor = self._connection.execute(sql, params or [])
            names = [column[0] for column in cursor.description]
            for row in cursor:
                yield dict(zip(names, row, strict=True))
        except sqlite3.DatabaseError as error:
            raise corrupt(self.path, error) from error


def store_files(path: str | Path) -> tuple[Path, ...]:
    """Every file and folder that makes up the event store at ``path``: the database,
    SQLite's companions (``-wal``, ``-shm``, ``-journal``) and the journal folder."""
    path = Path(path)
    return (path, *(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm",
                                                                       "-journal")),
            journal_dir(path))


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


