"""The EventSource seam: the exporter folds whatever implements it, so a log that is not
SQLite (here a plain list) gives the same document as the same events in the store."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import assume, given, settings

from recorder.errors import RunNotFoundError
from recorder.events.model import StoredEvent
from recorder.export.run_json import fold_run, fold_source
from recorder.store.source import EventSource, RunInfo
from recorder.store.sqlite import EventStore
from tests.strategies import event_logs, interleavings, stamp


class ListSource:
    """The simplest EventSource: one run's events in a list, in the order given."""

    def __init__(self, events: list[StoredEvent]) -> None:
        self.events = events

    def runs(self) -> list[RunInfo]:
        run_ids = sorted({stored.run_id for stored in self.events})
        return [RunInfo(run_id, sum(1 for e in self.events if e.run_id == run_id), 0, 0)
                for run_id in run_ids]

    def resolve_run_id(self, run_id: str | None) -> str:
        known = [run.run_id for run in self.runs()]
        if run_id is None and known:
            return known[-1]
        if run_id in known:
            return run_id
        raise RunNotFoundError(f"run {run_id!r} is not in this list")

    def count(self, run_id: str) -> int:
        return sum(1 for stored in self.events if stored.run_id == run_id)

    def iter_events(self, run_id: str) -> Iterator[StoredEvent]:
        return (stored for stored in self.events if stored.run_id == run_id)


def test_the_sqlite_store_is_an_event_source(tmp_path: Path) -> None:
    """A new store is an empty EventSource (mypy checks the fit where export passes a
    store to fold_source)."""
    with EventStore.create(tmp_path / "e.db") as store:
        source: EventSource = store
        assert source.runs() == []


@settings(max_examples=15)
@given(data=event_logs().flatmap(lambda log: interleavings(stamp(log))))
def test_a_list_source_folds_to_the_same_document_as_the_store(data: list[StoredEvent]) -> None:
    """Same events, read through the protocol from a list or from SQLite: same document."""
    assume(data)
    with tempfile.TemporaryDirectory() as directory:
        db = Path(directory) / "events.db"
        with EventStore.create(db) as store:
            store.append(data)
            ordered = list(store.iter_events(data[0].run_id))
        from_store = fold_run(db, allow_gaps=True)
    progress: list[tuple[int, int]] = []
    from_list = fold_source(ListSource(ordered), progress=lambda d, t: progress.append((d, t)))
    assert from_list.document() == from_store
    assert progress[-1] == (len(ordered), len(ordered))


def test_a_source_without_the_run_refuses_it() -> None:
    with pytest.raises(RunNotFoundError):
        fold_source(ListSource([]), "nope")
