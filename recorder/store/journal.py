"""Per-process journals: how emitters append events cheaply and crash-safely.

While tests run, each emitting process appends its events to its own file in
``<database>.journal/``, one JSON line per event, written with a single ``write()``
before the emit returns. The data is then in the operating system's hands, exactly
as a SQLite commit with ``synchronous=OFF`` would be, so a ``kill -9`` loses nothing
that was emitted; but a write costs about 2 µs where a SQLite commit costs about 20,
and processes never contend for a lock.

Whoever opens the database next (``recorder export``, ``verify``, ``summary --db``,
the next recording) first moves the journals into the append-only ``events`` table in
one transaction, idempotently (``event_id`` is unique), and deletes each journal whose
writer has finished. A writer holds an exclusive ``flock`` on its journal for as long
as it lives, so a live journal is read but never deleted, and a partly written last
line (the writer was killed mid-write) is left for later or ignored.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from recorder.errors import CorruptDatabaseError, OutputError

SUFFIX = ".jsonl"

#: A journal line: the stored row without ``seq`` (assigned when ingested).
JournalRow = tuple[str, str, str, int, str, int, str, str]


def journal_dir(database: Path) -> Path:
    """Where the journals of ``database`` live: a sibling ``<name>.journal`` folder."""
    return database.with_name(database.name + ".journal")


class JournalWriter:
    """One process's append-only journal, locked for as long as it is open."""

    def __init__(self, database: Path, source: str) -> None:
        directory = journal_dir(database)
        safe_source = "".join(c if c.isalnum() or c in "-_" else "_" for c in source)
        self.path = directory / f"{safe_source}-{os.getpid()}-{uuid.uuid4().hex[:8]}{SUFFIX}"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as error:
            raise OutputError(
                f"cannot write the event journal {self.path} ({error.strerror or error}): "
                "choose a writable path for --recorder-db"
            ) from error
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def write(self, rows: Sequence[JournalRow]) -> None:
        """Append ``rows`` with one ``write()``; they survive this process being killed."""
        data = b"".join(orjson.dumps(row) + b"\n" for row in rows)
        written = os.write(self._fd, data)
        while written < len(data):  # regular files rarely write short, but may
            written += os.write(self._fd, data[written:])

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # releases the lock: readers may now ingest and delete it
            self._fd = -1


def pending_journals(database: Path) -> list[Path]:
    directory = journal_dir(database)
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"*{SUFFIX}"))


def read_journal(path: Path) -> tuple[list[JournalRow], bool]:
    """The complete rows of one journal, and whether its writer is finished.

    Only a finished journal may be deleted after ingesting. A live one may end in a
    line still being written; a finished one may end in a line cut short by a kill.
    Either way an unterminated last line is not an event that was emitted."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:  # another reader ingested and removed it just now
        return [], False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            finished = True
        except BlockingIOError:
            finished = False
        with os.fdopen(os.dup(fd), "rb") as stream:
            data = stream.read()
    finally:
        os.close(fd)
    lines = data.split(b"\n")
    return [_parse(line, path, number) for number, line in _complete(lines)], finished


def _complete(lines: list[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(lines[:-1], start=1):  # the last piece has no newline
        if line:
            yield number, line


def _parse(line: bytes, path: Path, number: int) -> JournalRow:
    try:
        row: Any = orjson.loads(line)
        event_id, run_id, type_name, version, source, source_seq, recorded_at, payload = row
        return (str(event_id), str(run_id), str(type_name), int(version), str(source),
                int(source_seq), str(recorded_at), str(payload))
    except (ValueError, TypeError) as error:
        raise CorruptDatabaseError(
            f"{path}: line {number} is not a journal entry ({error}); move the file aside "
            "to export what the database holds"
        ) from error
