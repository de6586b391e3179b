"""Per-process journals: how emitters append events cheaply and crash-safely.

While tests run, each emitting process appends its events to its own file in
``<database>.journal/``, one JSON line per event, written with a single ``write()``
before the emit returns. The data is then in the operating system's hands, exactly
as a SQLite commit with ``synchronous=OFF`` would be, so a ``kill -9`` loses nothing
that was emitted; but a write costs about 2 µs where a SQLite commit costs about 20,
and processes never contend for a lock.

Whoever opens the database next (``recorder export``, ``verify``, ``summary --db``,
the next recording) first moves the journals into the append-only ``events`` table in
one transaction per journal, idempotently (``event_id`` is unique), and deletes each
journal whose writer has finished.

The protocol, and the invariant it keeps: **a reader deletes a journal only when it
holds the journal's lock, has committed every complete line of that very file, and the
path still names that file.** It follows from these rules:

1. A writer creates its journal under a temporary name (``*.creating``, which readers
   never touch), takes an exclusive ``flock`` on it, and only then renames it to its
   final ``*.jsonl`` name. So every file a reader can find under a final name is locked
   by its writer, or was: an unlocked final-name journal belongs to a writer that has
   closed it or died, and will never be written again.
2. A writer never unlocks without closing, and never reopens a journal (each process
   makes a fresh, uniquely named one), so once a reader holds the lock nobody can append
   to the file.
3. A reader opens the journal, tries for the exclusive lock without waiting, reads it,
   and commits its complete lines. Only if it got the lock, and ``fstat`` of its
   descriptor is the file the path names now, does it unlink the path, still holding
   the lock. A reader that did not get the lock (the writer is alive, or another reader
   is ingesting it) commits what it read and leaves the file.
4. A line is an event only once its terminating newline is written: the last, partial
   line of a live journal is read again later; that of a finished journal (its writer
   was killed mid-write) was never emitted and is dropped with the file.

A writer killed between creating and renaming its file leaves an empty ``*.creating``
file behind; it holds no event, and readers leave it alone (they cannot tell it from a
writer that has not taken its lock yet).
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from recorder.errors import CorruptDatabaseError, OutputError

SUFFIX = ".jsonl"
CREATING_SUFFIX = ".creating"

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
        creating = self.path.with_name(self.path.name + CREATING_SUFFIX)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(creating, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL,
                               0o644)
        except OSError as error:
            raise OutputError(
                f"cannot write the event journal {self.path} ({error.strerror or error}): "
                "choose a writable path for --recorder-db"
            ) from error
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            os.rename(creating, self.path)  # visible to readers only now, locked
        except BaseException:
            os.close(self._fd)
            creating.unlink(missing_ok=True)
            raise

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


def ingest_journal(path: Path, commit: Callable[[list[JournalRow]], None]) -> int:
    """Hand the complete rows of the journal at ``path`` to ``commit``, then delete the
    journal if its writer has finished (the protocol in this module's docstring).

    Returns the number of rows handed over. ``commit`` must make them durable before it
    returns; if it raises, the journal is kept."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:  # another reader ingested and removed it just now
        return 0
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finished = True
        except BlockingIOError:  # its writer is alive, or another reader holds it
            finished = False
        with os.fdopen(os.dup(fd), "rb") as stream:
            data = stream.read()
        rows = [_parse(line, path, number) for number, line in _complete(data.split(b"\n"))]
        if rows:
            commit(rows)
        if finished and _names(path, fd):
            path.unlink()
        return len(rows)
    finally:
        os.close(fd)  # releases our lock, after the unlink


def _names(path: Path, fd: int) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        current = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino)


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
