"""The SQLite event store: append-only, idempotent, ordered, and strict about what
it opens."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from recorder.errors import (
    CorruptDatabaseError,
    InputNotFoundError,
    InvalidInputError,
    NewerStoreError,
    RunNotFoundError,
)
from recorder.events.model import RunFinished, StoredEvent
from recorder.store.emitter import Emitter
from recorder.store.sqlite import STORE_VERSION, EventStore
from tests.strategies import TIMESTAMP, all_events


class StoreAgreesWithAList(RuleBasedStateMachine):
    """The store and a plain list receive the same appends (direct, repeated, or through
    an emitter's journal) and always agree; rewriting history always fails."""

    def __init__(self) -> None:
        super().__init__()
        self.directory = tempfile.TemporaryDirectory()
        self.store = EventStore.create(Path(self.directory.name) / "events.db")
        self.model: list[StoredEvent] = []
        self.next_seq: dict[tuple[str, str], int] = {}
        self.emitters: dict[str, Emitter] = {}

    def teardown(self) -> None:
        self.store.close()
        self.directory.cleanup()

    @rule(run_id=st.sampled_from(["r1", "r2"]), source=st.sampled_from(["main", "gw0"]),
          events=st.lists(all_events, min_size=1, max_size=4))
    def append_new_events(self, run_id: str, source: str, events: list) -> None:
        batch = []
        for event in events:
            seq = self.next_seq[(run_id, source)] = self.next_seq.get((run_id, source), 0) + 1
            batch.append(StoredEvent(event_id=f"{run_id}-{source}-{seq}", run_id=run_id,
                                     source=source, source_seq=seq, recorded_at=TIMESTAMP,
                                     event=event))
        self.store.append(batch)
        self.model.extend(batch)

    @rule(run_id=st.sampled_from(["r1", "r2"]), events=st.lists(all_events, min_size=1,
                                                                 max_size=3))
    def emit_through_a_journal(self, run_id: str, events: list) -> None:
        """The emitters' path: a journal line per event, moved into the table later."""
        emitter = self.emitters.get(run_id)
        if emitter is None:
            emitter = self.emitters[run_id] = Emitter(self.store, run_id, "journal")
        self.model.extend(emitter.emit_together(*events))

    @rule(data=st.data())
    def append_an_event_again(self, data: st.DataObject) -> None:
        if self.model:
            self.store.append([data.draw(st.sampled_from(self.model))])

    @rule(sql=st.sampled_from(["UPDATE events SET type = 'x'", "UPDATE events SET payload = '{}'",
                               "DELETE FROM events", "DELETE FROM events WHERE seq = 1"]))
    def rewriting_history_fails(self, sql: str) -> None:
        if not self.model:
            return
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            self.store._connection.execute(sql)

    @invariant()
    def store_equals_model(self) -> None:
        self.store.ingest_journals()
        for run_id in ("r1", "r2"):
            stored = [attrs_without_seq(e) for e in self.store.iter_events(run_id)]
            expected = [e for e in self.model if e.run_id == run_id]
            assert sorted(stored, key=by_identity) == sorted(expected, key=by_identity)
            for source in ("main", "gw0", "journal"):  # each source keeps its own order
                assert [e for e in stored if e.source == source] == \
                    [e for e in expected if e.source == source]


def by_identity(stored: StoredEvent) -> tuple[str, int]:
    return stored.source, stored.source_seq


def attrs_without_seq(stored: StoredEvent) -> StoredEvent:
    assert stored.seq is not None
    return StoredEvent(stored.event_id, stored.run_id, stored.source, stored.source_seq,
                       stored.recorded_at, stored.event)


TestStoreAgreesWithAList = StoreAgreesWithAList.TestCase


def make_event(run_id: str = "r1", seq: int = 1, event_id: str | None = None) -> StoredEvent:
    event = RunFinished(exit_status=0, finished_at=TIMESTAMP, duration=1.0)
    return StoredEvent(event_id=event_id or f"{run_id}-{seq}", run_id=run_id, source="main",
                       source_seq=seq, recorded_at=TIMESTAMP, event=event)


def test_two_events_cannot_claim_the_same_source_seq(tmp_path: Path) -> None:
    with EventStore.create(tmp_path / "e.db") as store:
        store.append([make_event(seq=1, event_id="a")])
        with pytest.raises(InvalidInputError, match="same run, source and source_seq"):
            store.append([make_event(seq=1, event_id="b")])


def test_the_latest_run_is_the_one_that_started_last(tmp_path: Path) -> None:
    with EventStore.create(tmp_path / "e.db") as store:
        store.append([make_event("old", 1), make_event("new", 1), make_event("old", 2)])
        assert store.resolve_run_id(None) == "new"
        assert [run.run_id for run in store.runs()] == ["old", "new"]


def test_unknown_run_id_lists_the_known_ones(tmp_path: Path) -> None:
    with EventStore.create(tmp_path / "e.db") as store:
        store.append([make_event("r1", 1)])
        with pytest.raises(RunNotFoundError, match=r"run 'nope' is not in .*latest runs: r1"):
            store.resolve_run_id("nope")


def test_an_empty_database_has_no_latest_run(tmp_path: Path) -> None:
    EventStore.create(tmp_path / "e.db").close()
    with EventStore.open_existing(tmp_path / "e.db") as store:
        with pytest.raises(RunNotFoundError, match="holds no runs yet"):
            store.resolve_run_id(None)


def test_database_is_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    with EventStore.create(tmp_path / "e.db") as store:
        assert store._connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._connection.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
        assert store._connection.execute("PRAGMA user_version").fetchone()[0] == STORE_VERSION


def test_missing_database_is_not_created_by_readers(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(InputNotFoundError, match=r"missing\.db does not exist.*--recorder-db"):
        EventStore.open_existing(missing)
    assert not missing.exists()


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are not the events you are looking for\n" * 100)
    with pytest.raises(CorruptDatabaseError, match=r"notes\.db is not a readable SQLite"):
        EventStore.open_existing(path)


def test_a_sqlite_file_without_events_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(InvalidInputError, match="no recorder events table"):
        EventStore.open_existing(path)


def test_a_newer_store_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    EventStore.create(path).close()
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {STORE_VERSION + 1}")
    connection.close()
    with pytest.raises(NewerStoreError, match="newer recorder.*upgrade recorder"):
        EventStore.open_existing(path)
    with pytest.raises(NewerStoreError):
        EventStore.create(path)


def test_a_batch_is_one_transaction(tmp_path: Path) -> None:
    """If one event of a batch cannot be stored, none of the batch is."""
    with EventStore.create(tmp_path / "e.db") as store:
        store.append([make_event(seq=2, event_id="taken")])
        with pytest.raises(InvalidInputError):
            store.append([make_event(seq=1, event_id="a"), make_event(seq=2, event_id="b")])
        assert [e.event_id for e in store.iter_events("r1")] == ["taken"]
