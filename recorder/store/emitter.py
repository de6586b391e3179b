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

from recorder.clock import utc_now
from recorder.errors import ConcurrentSourceError, RecorderWarning
from recorder.events.model import Event, StoredEvent
from recorder.store.journal import JournalWriteError
from recorder.store.sqlite import EventStore, encode_row


def new_run_id() -> str:
    """A sortable, unique run id such as ``20261123T112423Z-3f2a9c1d``."""
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


class Emitter:
    """Appends one source's events, in order, thread-safely, to its own journal."""

    def __init__(self, store: EventStore, run_id: str, source: str) -> None:
        self.run_id = run_id
        self.source = source
        self._journal = store.open_journal(source, run_id)
        others = self._journal.others_alive()
        if others:
            self._journal.close()
            raise ConcurrentSourceError(
                f"run {run_id!r} is already being recorded as source {source!r} by process "
                f"{others[0]} into {store.path}: give each concurrent process its own "
                "--recorder-shard (or its own --recorder-run-id)"
            )
        # Continue a source's sequence if it already has events in this run (a run id
        # reused on purpose, or a restarted worker), so source_seq stays gap-free.
        self._source_seq = store.last_source_seq(run_id, source)
        # Event ids: a random version-4 UUID whose last 48 bits count this emitter's
        # events. Unique like uuid4(), without a system call per event.
        random_part = uuid.uuid4()
        self._id_prefix = str(random_part)[:24]
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self.lost = 0  # events that could not be written (disk full): the gaps show them
        self._warned: set[str] = set()

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
        with self._lock:
            recorded_at = utc_now()
            first = self._source_seq + 1
            stored = [StoredEvent(
                event_id=f"{self._id_prefix}{seq:012x}",
                run_id=self.run_id,
                source=self.source,
                source_seq=seq,
                recorded_at=recorded_at,
                event=event,
            ) for seq, event in enumerate(events, start=first)]
            if os.getpid() != self._pid:
                self._warn_once("fork", f"recorder: events emitted in process {os.getpid()},"
                                f" forked from the recording process {self._pid}, are not "
                                "recorded (only the process that ran the test records it)")
                return stored
            rows = [encode_row(item) for item in stored]
            size = self._journal.size
            try:
                self._journal.write(rows)
            except JournalWriteError as error:
                self._source_seq += len(events)
                self.lost += len(events)
                self._warn_once("write", f"recorder: {error.strerror}; {self.lost} event(s) "
                                "lost so far, the tests go on (export shows the gap)")
                return stored
            except BaseException:
                if self._journal.size != size:  # written before the interruption
                    self._source_seq += len(events)
                raise
            self._source_seq += len(events)
            if self._journal.relocated:
                self._journal.relocated = False
                self._warn_once("relocated", f"recorder: the journal folder was deleted "
                                f"during the run; recreated it as {self._journal.path}, "
                                "nothing was lost")
            return stored

    def close(self) -> None:
        """Close this emitter's journal: the next reader moves it in and deletes it."""
        self._journal.close()

    def _warn_once(self, kind: str, message: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            warnings.warn(RecorderWarning(message), stacklevel=3)
