"""The read seam: what every consumer of an event log (export, summary, verify, and
later merge and ingest) needs from it. :class:`~recorder.store.sqlite.EventStore`
implements it; another backend, or an in-memory list of events, can too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import attrs

from recorder.events.model import StoredEvent


@attrs.frozen
class RunInfo:
    """One run in a log: its id, how many events it has, and its first and last ``seq``."""

    run_id: str
    events: int
    first_seq: int
    last_seq: int


class EventSource(Protocol):
    """A readable event log holding one or more runs."""

    def runs(self) -> list[RunInfo]:
        """Every run, oldest first (by its first event)."""
        ...

    def resolve_run_id(self, run_id: str | None) -> str:
        """``run_id`` if the log holds it, the latest run when None; raises
        :class:`~recorder.errors.RunNotFoundError` otherwise."""
        ...

    def count(self, run_id: str) -> int:
        """How many events ``run_id`` has."""
        ...

    def iter_events(self, run_id: str) -> Iterator[StoredEvent]:
        """The decoded events of ``run_id`` in global (``seq``) order, streamed."""
        ...
