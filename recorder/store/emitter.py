"""The emitter: stamps events with their envelope and makes each one durable at once.

One emitter per process (``source``). ``source_seq`` counts 1, 2, 3, ... so a gap in
the log proves a lost event. Each :meth:`Emitter.emit` is written to the process's
journal (see :mod:`recorder.store.journal`) before it returns: from then on a ``kill -9``
cannot lose the event. The journal is moved into the SQLite table by the next reader.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from recorder.clock import utc_now
from recorder.errors import ConcurrentSourceError, RecorderWarning
from recorder.events.payloads import Kind, encode_payload
from recorder.events.text import valid_text
from recorder.store.journal import JournalWriteError, JournalWriter

if TYPE_CHECKING:
    # Not imported while recording: the hooks emit payloads (recorder.events.payloads),
    # so neither attrs nor the model is loaded; a new run id never needs sqlite3.
    from recorder.events.model import Event, StoredEvent
    from recorder.store.sqlite import EventStore

Payload = dict[str, Any]

#: A journal line: the event id's head and hex counter, the kind's constant text
#: (:meth:`Emitter._kind_line`), ``source_seq``, ``recorded_at`` and the payload.
_LINE = b'%s%012x%s%d,"%s",%s]\n'


#: How many forks this process is from the one that imported this module: one more in
#: every child (``os.fork``, ``multiprocessing``'s fork start, ``pty.fork``, a C fork that
#: calls ``PyOS_AfterFork_Child`` all run the ``after_in_child`` hooks). An emitter
#: compares it with its own instead of asking ``getpid()`` at every write.
_forks = [0]


def _forked() -> None:
    _forks[0] += 1


os.register_at_fork(after_in_child=_forked)


def new_run_id() -> str:
    """A sortable, unique run id such as ``20261123T112423Z-3f2a9c1d``."""
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


class Emitter:
    """Appends one source's events, in order, thread-safely, to its own journal."""

    def __init__(self, store: EventStore, run_id: str, source: str,
                 stamp: int | None = None) -> None:
        run_id, source = valid_text(run_id), valid_text(source)
        self._start(store.open_journal(source, run_id, stamp), store.path, run_id, source)
        # Continue a source's sequence if it already has events in this run (a run id
        # reused on purpose, or a restarted worker), so source_seq stays gap-free.
        self._source_seq = store.last_source_seq(run_id, source)

    @classmethod
    def for_new_run(cls, database: Path, run_id: str, source: str,
                    stamp: int | None = None) -> Emitter:
        """An emitter for a run id made just now (:func:`new_run_id`), so that no
        source of it has events yet: it opens its journal without the database (nor
        sqlite3), and its sequence starts at 1. The next reader moves the journal in,
        after any journal of a run that started earlier (``stamp``, see
        :class:`~recorder.store.journal.JournalWriter`)."""
        emitter = cls.__new__(cls)
        run_id, source = valid_text(run_id), valid_text(source)
        emitter._start(JournalWriter(database, source, run_id, stamp), database, run_id,
                       source)
        emitter._source_seq = 0
        return emitter

    def _start(self, journal: JournalWriter, database: Path, run_id: str, source: str) -> None:
        self.run_id = run_id  # the envelope's text, made valid once
        self.source = source
        self._journal = journal
        self.stamp = journal.stamp  # when the run started: its other processes share it
        others = journal.others_alive()
        if others:
            journal.close()
            raise ConcurrentSourceError(
                f"run {run_id!r} is already being recorded as source {source!r} by process "
                f"{others[0]} into {database}: give each concurrent process its own "
                "--recorder-shard (or its own --recorder-run-id)"
            )
        # Event ids: a random version-4 UUID whose last 48 bits count this emitter's
        # events. Unique like uuid4(), without a system call per event.
        random_part = uuid.uuid4()
        self._id_prefix = str(random_part)[:24]
        self._line_head = f'["{self._id_prefix}'.encode()
        self._line_middle = (orjson.dumps(run_id), orjson.dumps(source))
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._forks = _forks[0]
        self.lost = 0  # events that could not be written (disk full): the gaps show them
        self._warned: set[str] = set()
        self._kind_lines: dict[object, bytes] = {}  # _kind_line, by kind

    def emit(self, event: Event) -> StoredEvent:
        """Append ``event``; it is durable when this returns."""
        return self.emit_together(event)[0]

    def emit_together(self, *events: Event) -> list[StoredEvent]:
        """Append ``events`` with one write: for facts that happen at the same moment
        (a teardown's outcome and the case's end).

        Never raises for a failed write (a test run must not die of a full disk): the
        events are lost, their ``source_seq`` stays taken so the gap proves it, and one
        :class:`RecorderWarning` says so. A process forked from the one that opened the
        emitter is not this source: its events are dropped, with one warning."""
        from recorder.events import codec
        from recorder.events.model import TYPE_OF, StoredEvent

        first, recorded_at = self._append([
            (TYPE_OF[type(event)], event.VERSION, codec.encode(event)) for event in events])
        return [StoredEvent(
            event_id=f"{self._id_prefix}{seq:012x}",
            run_id=self.run_id,
            source=self.source,
            source_seq=seq,
            recorded_at=recorded_at,
            event=event,
        ) for seq, event in enumerate(events, start=first)]

    def emit_payloads(self, *events: tuple[Kind | type[Event], Payload],
                      recorded_at: str | None = None) -> None:
        """Append events given as ``(kind, payload)`` pairs, each payload what the
        :class:`~recorder.events.payloads.Kind` (or
        :func:`recorder.events.encoding.builder` for the model class) builds: what
        :meth:`emit_together` writes for the same events, without building them (the
        recording path, which imports neither attrs nor the model). The same durability
        and failure rules.

        ``recorded_at``: the time the caller read for these events (an event's own
        ``started_at`` or ``stopped_at``), so the clock is read once per event, not again
        for the envelope; by default the emitter reads it."""
        if len(events) == 1:
            kind, payload = events[0]
            self.emit_one(kind, payload, recorded_at)
            return
        texts = [self._encoded(kind, payload) for kind, payload in events]
        with self._lock:
            if recorded_at is None:
                recorded_at = utc_now()
            head, at = self._line_head, recorded_at.encode()
            first = self._source_seq + 1
            self._write(b"".join([_LINE % (head, seq, middle, seq, at, text)
                                  for seq, (middle, text) in enumerate(texts, start=first)]),
                        len(texts))

    def emit_one(self, kind: Kind | type[Event], payload: Payload,
                 recorded_at: str | None = None) -> None:
        """:meth:`emit_payloads` of one event (most emits), without packing it."""
        middle, text = self._encoded(kind, payload)
        with self._lock:
            seq = self._source_seq + 1
            if recorded_at is None:
                recorded_at = utc_now()
            self._write(_LINE % (self._line_head, seq, middle, seq, recorded_at.encode(),
                                 text), 1)

    def _encoded(self, kind: Kind | type[Event], payload: Payload) -> tuple[bytes, bytes]:
        """The kind's constant line text (:meth:`_kind_line`, kept per kind) and the
        payload as the JSON string the journal line holds."""
        try:
            text = orjson.dumps(orjson.dumps(payload).decode())
        except TypeError:  # a lone surrogate, or an integer beyond 64 bits
            text = orjson.dumps(encode_payload(payload))
        middle = self._kind_lines.get(kind)
        if middle is None:
            middle = self._kind_lines[kind] = self._kind_line(kind.TYPE, kind.VERSION)
        return middle, text

    def _kind_line(self, type_name: str, version: int) -> bytes:
        """The constant text of a line of this kind between the event id's counter and
        ``source_seq``: ``",{run_id},"{type}",{version},{source},``."""
        return b'",%s,"%s",%d,%s,' % (self._line_middle[0], type_name.encode(), version,
                                        self._line_middle[1])

    def _append(self, encoded: list[tuple[str, int, str]]) -> tuple[int, str]:
        """Write ``(type, version, payload text)`` events as journal lines with one
        write; returns the first ``source_seq`` and the ``recorded_at`` they got."""
        with self._lock:
            recorded_at = utc_now()
            first = self._source_seq + 1
            head, at = self._line_head, recorded_at.encode()
            data = b"".join([
                _LINE % (head, seq, self._kind_line(type_name, version), seq, at,
                         orjson.dumps(payload))
                for seq, (type_name, version, payload) in enumerate(encoded, start=first)])
            self._write(data, len(encoded))
            return first, recorded_at

    def _write(self, data: bytes, count: int) -> None:
        """Write ``count`` events' lines (``data``), the lock held; their ``source_seq``
        are taken from then on, written or lost.

        Each line is byte for byte orjson.dumps(row, option=OPT_APPEND_NEWLINE) of the
        row (event_id, run_id, type, version, source, source_seq, recorded_at, payload):
        the envelope's constant text is encoded once per kind (:meth:`_kind_line`); the
        id's hex counter and recorded_at are plain ASCII."""
        if _forks[0] != self._forks and os.getpid() != self._pid:
            self._warn_once("fork", f"recorder: events emitted in process {os.getpid()},"
                            f" forked from the recording process {self._pid}, are not "
                            "recorded (only the process that ran the test records it)")
            return
        journal = self._journal
        size = journal.size
        try:
            journal.append(data)
        except JournalWriteError as error:
            self._source_seq += count
            self.lost += count
            self._warn_once("write", f"recorder: {error.strerror}; {self.lost} event(s) "
                            "lost so far, the tests go on (export shows the gap)")
            return
        except BaseException:
            if journal.size != size:  # written before the interruption
                self._source_seq += count
            raise
        self._source_seq += count
        if journal.relocated:
            journal.relocated = False
            self._warn_once("relocated", f"recorder: the journal folder was deleted "
                            f"during the run; recreated it as {journal.path}, "
                            "nothing was lost")

    def close(self) -> None:
        """Close this emitter's journal: the next reader moves it in and deletes it.
        (A store closes the journals it opened, too.)"""
        self._journal.close()

    def _warn_once(self, kind: str, message: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            warnings.warn(RecorderWarning(message), stacklevel=3)
