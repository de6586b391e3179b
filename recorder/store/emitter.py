"""The emitter: stamps events with their envelope and makes each one durable at once.

One emitter per process (``source``). ``source_seq`` counts 1, 2, 3, ... so a gap in
the log proves a lost event. Each :meth:`Emitter.emit` is written to the process's
journal (see :mod:`recorder.store.journal`) before it returns: from then on a ``kill -9``
cannot lose the event. The journal is moved into the SQLite table by the next reader.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from recorder.clock import utc_now
from recorder.events.model import Event, StoredEvent
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
        self._journal = store.open_journal(source)
        # Continue a source's sequence if it already has events in this run (a run id
        # reused on purpose, or a restarted worker), so source_seq stays gap-free.
        self._source_seq = store.last_source_seq(run_id, source)
        # Event ids: a random version-4 UUID whose last 48 bits count this emitter's
        # events. Unique like uuid4(), without a system call per event.
        random_part = uuid.uuid4()
        self._id_prefix = str(random_part)[:24]
        self._lock = threading.Lock()

    def emit(self, event: Event) -> StoredEvent:
        """Append ``event``; it is durable when this returns."""
        return self.emit_together(event)[0]

    def emit_together(self, *events: Event) -> list[StoredEvent]:
        """Append ``events`` with one write: for facts that happen at the same moment
        (a teardown's outcome and the case's end)."""
        with self._lock:
            recorded_at = utc_now()
            stored = []
            for event in events:
                self._source_seq += 1
                stored.append(StoredEvent(
                    event_id=f"{self._id_prefix}{self._source_seq:012x}",
                    run_id=self.run_id,
                    source=self.source,
                    source_seq=self._source_seq,
                    recorded_at=recorded_at,
                    event=event,
                ))
            try:
                self._journal.write([encode_row(item) for item in stored])
            except BaseException:
                self._source_seq -= len(events)  # nothing was written: keep the sequence
                raise
            return stored
