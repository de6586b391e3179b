"""Per-process journals: how emitters append events cheaply and crash-safely.

While tests run, each emitting process appends its events to its own file in
``<database>.journal/``, one JSON line per event, written with a single ``write()``
before the emit returns. The data is then in the operating system's hands, exactly
as a SQLite commit with ``synchronous=OFF`` would be, so a ``kill -9`` loses nothing
that was emitted; but a write costs about 2 µs where a SQLite commit costs about 20,
and processes never contend for a lock.

Whoever opens the database next (``recorder export``, ``verify``, ``summary --db``, a
recording that continues a given run id) first moves the journals into the append-only
``events`` table in one transaction per journal, idempotently (``event_id`` is unique),
and deletes each journal whose writer has finished. Journals go in by their run's start
stamp (in the file name), then by name (:func:`pending_journals`), so a run's events get
their ``seq`` after those of every run that started before it, however late its
journals are moved in: a recording under a new run id leaves the journals it finds
waiting where they are.

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
import hashlib
import itertools
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from recorder.clock import wall_ns
from recorder.errors import CorruptDatabaseError, InputNotFoundError, OutputError
from recorder.events.payloads import KINDS

SUFFIX = ".jsonl"
CREATING_SUFFIX = ".creating"

#: A journal line: the stored row without ``seq`` (assigned when ingested).
JournalRow = tuple[str, str, str, int, str, int, str, str]


def journal_dir(database: Path) -> Path:
    """Where the journals of ``database`` live: a sibling ``<name>.journal`` folder."""
    return database.with_name(database.name + ".journal")


class JournalWriteError(OSError):
    """A write to the journal failed (disk full, I/O error); the journal was cut back
    to its last complete line, so nothing that was written before is damaged."""


def new_stamp() -> int:
    """A run's start stamp: nanoseconds since the epoch, now, on the real clock (a
    conftest that freezes time must not move its run before earlier ones; see
    :class:`JournalWriter`)."""
    return wall_ns()


class JournalWriter:
    """One process's append-only journal, locked for as long as it is open.

    ``run_id`` and ``source`` are part of the file name, so a process can tell whether
    another live process is writing the same source of the same run. So is ``stamp``,
    when the run started (:func:`new_stamp`; every process of a run gets the same, an
    xdist worker its controller's): readers move journals in by stamp, then by name
    (:func:`pending_journals`), so a run's events get their ``seq`` after those of the
    runs that started before it, whenever the journals are moved in. A recording thus
    needs not move the journals it finds waiting in first."""

    def __init__(self, database: Path, source: str, run_id: str = "",
                 stamp: int | None = None) -> None:
        self.directory = journal_dir(database)
        self.prefix = f"{_safe(source)}-{_run_key(run_id)}-"
        self.stamp = new_stamp() if stamp is None else stamp
        self.path = self._new_path()
        self.relocated = False  # set when the journal had to be recreated (folder deleted)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._fd = _create_locked(self.path)
        except OSError as error:
            raise OutputError(
                f"cannot write the event journal {self.path} ({error.strerror or error}): "
                "choose a writable path for --recorder-db"
            ) from error
        self._size = 0  # bytes of complete lines written: only this process appends

    @property
    def size(self) -> int:
        """Bytes of complete lines in the journal."""
        return self._size

    def write(self, rows: Sequence[JournalRow]) -> None:
        """Append ``rows`` with one ``write()``; they survive this process being killed.

        All or nothing: on a failed or short write (disk full) the journal is cut back
        to its last complete line and :class:`JournalWriteError` is raised. If a signal
        handler raises while the write is in flight, the journal holds all the rows or
        none of them (:attr:`size` tells which), and the exception goes on."""
        self.append(b"".join([orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE)
                              for row in rows]))

    def append(self, data: bytes) -> None:
        """Append ``data``, complete journal lines (what :meth:`write` makes of rows),
        with one ``write()``; all or nothing, as :meth:`write`."""
        if os.fstat(self._fd).st_nlink == 0:  # someone deleted the journal (or its folder)
            self._relocate()
        expected = self._size + len(data)
        try:
            written = os.write(self._fd, data)
            while written < len(data):  # regular files rarely write short, but may
                written += os.write(self._fd, data[written:])
        except OSError as error:
            self._cut_back(expected)
            raise JournalWriteError(error.errno, f"cannot append to {self.path}: "
                                    f"{error.strerror or error}") from error
        except BaseException:  # e.g. KeyboardInterrupt from a SIGTERM handler
            self._size = self._cut_back(expected)
            raise
        self._size = expected

    def _cut_back(self, expected: int) -> int:
        """Keep the write if it is whole, else truncate to the last complete line."""
        if os.fstat(self._fd).st_size == expected:
            return expected
        os.ftruncate(self._fd, self._size)
        return self._size

    def _relocate(self) -> None:
        """The journal was unlinked under us: write what it held into a new one."""
        os.lseek(self._fd, 0, os.SEEK_SET)
        held = os.read(self._fd, self._size) if self._size else b""
        old_fd = self._fd
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self._new_path()
        self._fd = _create_locked(self.path)
        os.close(old_fd)
        if held:
            os.write(self._fd, held)
        self.relocated = True

    def _new_path(self) -> Path:
        """``{source}-{run key}-{pid}-{stamp, 16 hex digits}{8 random hex digits}.jsonl``."""
        return self.directory / (f"{self.prefix}{os.getpid()}-{self.stamp & _STAMP_MASK:016x}"
                                 f"{uuid.uuid4().hex[:8]}{SUFFIX}")

    def others_alive(self) -> list[int]:
        """The pids of other live processes writing this journal's run and source."""
        alive = []
        for path in self.directory.glob(f"{self.prefix}*{SUFFIX}"):
            pid = _pid_of(path, self.prefix)
            if path == self.path or pid is None or pid == os.getpid() or not _running(pid):
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                alive.append(pid)
            finally:
                os.close(fd)
        return alive

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # releases the lock: readers may now ingest and delete it
            self._fd = -1


def _create_locked(path: Path) -> int:
    """Create the journal ``path``, visible under that name only once locked."""
    creating = path.with_name(path.name + CREATING_SUFFIX)
    fd = os.open(creating, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(creating, path)  # visible to readers only now, locked
    except BaseException:
        os.close(fd)
        creating.unlink(missing_ok=True)
        raise
    return fd


#: Longer source names are cut in journal file names (a file name holds 255 bytes).
_NAME_CHARS = 32


def _safe(source: str) -> str:
    """``source`` as the readable start of a file name: ASCII letters, digits and ``_``,
    cut (with a hash of the whole name) when long."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in source)
    if len(safe) <= _NAME_CHARS:
        return safe
    digest = hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=4)
    return f"{safe[:_NAME_CHARS]}_{digest.hexdigest()}"


def _run_key(run_id: str) -> str:
    return hashlib.blake2b(run_id.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


def _pid_of(path: Path, prefix: str) -> int | None:
    rest = path.name[len(prefix):]
    pid, _, _ = rest.partition("-")
    return int(pid) if pid.isdigit() else None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_STAMP_MASK = (1 << 64) - 1
_STAMPED = 24  # hex digits of a stamped name's last part; an older recorder wrote 8


def journal_stamp(path: Path) -> int:
    """The start stamp in a journal's name (:class:`JournalWriter`); 0 for a journal an
    older recorder named without one (it started before any stamped one)."""
    last = path.name.removesuffix(SUFFIX).rpartition("-")[2]
    if len(last) != _STAMPED:
        return 0
    try:
        return int(last[:16], 16)
    except ValueError:
        return 0


def pending_journals(database: Path) -> list[Path]:
    """The journals waiting to be moved in, in the order they go in: by the start stamp
    of their run, then by name (a run's sources in name order, as ever)."""
    directory = journal_dir(database)
    if not directory.is_dir():
        return []
    return sorted(directory.glob(f"*{SUFFIX}"), key=lambda path: (journal_stamp(path), path))


def live_sources(database: Path, run_id: str) -> list[str]:
    """The sources of ``run_id`` whose writers are alive: they hold their journal's lock
    (rule 1 above). A reader ingesting a journal holds it for a moment too."""
    key = _run_key(run_id)
    found = set()
    for path in pending_journals(database):
        parts = path.name.split("-")  # {source}-{run key}-{pid}-{random}.jsonl
        if len(parts) != 4 or parts[1] != key:
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            found.add(_source_in(fd) or parts[0])
        finally:
            os.close(fd)
    return sorted(found)


def _source_in(fd: int) -> str | None:
    """The source named by the journal's first line, if it has one."""
    line = os.pread(fd, 4096, 0).partition(b"\n")[0]
    try:
        row = orjson.loads(line)
    except ValueError:
        return None
    return row[4] if isinstance(row, list) and len(row) == 8 and isinstance(row[4], str) \
        else None


def ingest_journal(path: Path, commit: Callable[[Iterable[JournalRow]], None]) -> int:
    """Hand the complete rows of the journal at ``path`` to ``commit``, then delete the
    journal if its writer has finished (the protocol in this module's docstring).

    Returns the number of rows handed over. The rows are read and parsed as ``commit``
    iterates them (a journal is never held in memory whole); ``commit`` must make them
    all durable before it returns, or raise (then the journal is kept): a line that is
    not a journal entry raises from the iteration, before anything is committed if
    ``commit`` is one transaction. The journal is deleted only if ``commit`` took every
    complete line of it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:  # another reader ingested and removed it just now
        return 0
    except OSError as error:
        raise _unreadable(path, error) from error
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finished = True
        except BlockingIOError:  # its writer is alive, or another reader holds it
            finished = False
        reader = _JournalReader(path, fd)
        rows = iter(reader)
        first = next(rows, None)
        if first is not None:
            commit(itertools.chain((first,), rows))
        if finished and reader.done and _names(path, fd):
            path.unlink()
        return reader.count
    finally:
        os.close(fd)  # releases our lock, after the unlink


def read_journal(path: Path) -> list[JournalRow]:
    """The complete rows of the journal at ``path``, read without locking or deleting."""
    return list(iter_journal(path))


def iter_journal(path: Path) -> Iterator[JournalRow]:
    """The complete rows of the journal at ``path``, streamed, without locking or
    deleting it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return
    except OSError as error:
        raise _unreadable(path, error) from error
    try:
        yield from _JournalReader(path, fd)
    finally:
        os.close(fd)


#: How much of a journal is read at a time.
CHUNK = 1 << 20


class _JournalReader:
    """The complete lines of an open journal as rows, read a chunk at a time from the
    start to the end of the file as it is then. ``done`` says every complete line was
    handed out; ``count`` how many rows were."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd
        self.count = 0
        self.done = False

    def __iter__(self) -> Iterator[JournalRow]:
        path, fd = self.path, self.fd
        offset = 0
        number = 0
        tail = b""
        while True:
            try:
                chunk = os.pread(fd, CHUNK, offset)
            except OSError as error:  # a directory in its place, an I/O error
                raise _unreadable(path, error) from error
            if not chunk:
                break
            offset += len(chunk)
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()  # the piece after the last newline: not (yet) a line
            for line in lines:
                number += 1
                if line:
                    self.count += 1
                    yield _parse(line, path, number)
        self.done = True

def _unreadable(path: Path, error: OSError) -> InputNotFoundError:
    return InputNotFoundError(
        f"cannot read the event journal {path} ({error.strerror or error}): make it a "
        "readable file again, or move it out of the journal folder to go on without it"
    )


def _names(path: Path, fd: int) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        current = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino)


_TEXT_FIELDS = (0, 1, 2, 4, 6, 7)  # event_id, run_id, type, source, recorded_at, payload
_MAX_INTEGER = 2**63 - 1  # what a SQLite INTEGER holds


def _parse(line: bytes, path: Path, number: int) -> JournalRow:
    """One journal line as a row, checked for shape before anything is committed: a
    line that is not what an emitter writes is refused, never stored for good."""
    try:
        row: Any = orjson.loads(line)
    except ValueError as error:
        raise _not_an_entry(path, number, str(error)) from error
    if not isinstance(row, list) or len(row) != 8:
        raise _not_an_entry(path, number, "expected a list of 8 fields")
    for index in _TEXT_FIELDS:
        if not isinstance(row[index], str):
            raise _not_an_entry(path, number, f"field {index + 1} is not text")
    for index in (3, 5):  # version, source_seq
        value = row[index]
        if type(value) is not int or not 1 <= value <= _MAX_INTEGER:
            raise _not_an_entry(path, number, f"field {index + 1} is not a positive integer")
    if row[2] not in KINDS:
        raise _not_an_entry(path, number, f"unknown event type {row[2]!r}; if a newer "
                            "recorder wrote it, upgrade recorder")
    payload = row[7]
    if not (payload.startswith("{") and payload.endswith("}")):
        raise _not_an_entry(path, number, "the payload is not a JSON object")
    return tuple(row)  # type: ignore[return-value,unused-ignore]


def _not_an_entry(path: Path, number: int, why: str) -> CorruptDatabaseError:
    return CorruptDatabaseError(
        f"{path}: line {number} is not a journal entry ({why}); move the file aside "
        "to export what the database holds"
    )
