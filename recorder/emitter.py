"""The emitter: stamps events with their envelope and commits each one at once.

One emitter per process (``source``). ``source_seq`` counts 1, 2, 3, ... so a gap in
the log proves a lost event. Every :meth:`Emitter.emit` is its own committed
transaction: once it returns, a ``kill -9`` cannot lose the event.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from recorder.clock import utc_now
from recorder.events import Event, StoredEvent
from recorder.store import EventStore


def new_run_id() -> str:
    """A sortable, unique run id such as ``20261123T112423Z-3f2a9c1d``."""
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


class Emitter:
    """Appends one source's events to the store, in order, thread-safely."""

    def __init__(self, store: EventStore, run_id: str, source: str) -> None:
        self.store = store
        self.run_id = run_id
        self.source = source
        # Continue a source's sequence if it already has events in this run (a run id
        # reused on purpose, or a restarted worker), so source_seq stays gap-free.
        self._source_seq = store.last_source_seq(run_id, source)
        self._lock = threading.Lock()

    def emit(self, event: Event) -> StoredEvent:
        """Append ``event`` and commit it before returning."""
        return self.emit_together(event)[0]

    def emit_together(self, *events: Event) -> list[StoredEvent]:
        """Append ``events`` in one transaction: for facts that happen at the same
        moment (a teardown's outcome and the case's end), so one commit serves both."""
        with self._lock:
            recorded_at = utc_now()
            stored = []
            for event in events:
                self._source_seq += 1
                stored.append(StoredEvent(
                    event_id=str(uuid.uuid4()),
                    run_id=self.run_id,
                    source=self.source,
                    source_seq=self._source_seq,
                    recorded_at=recorded_at,
                    event=event,
                ))
            try:
                self.store.append(stored)
            except BaseException:
                self._source_seq -= len(events)  # nothing was stored: keep the sequence
                raise
            return stored
