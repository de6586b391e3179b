"""Recording event logs into real shard databases (the real store and emitter), and
splitting one run's log into shards the way pytest-split or matrix jobs would."""

from __future__ import annotations

from pathlib import Path

import attrs

from recorder.events.model import (
    CaseCrashed,
    CaseFinished,
    CaseStarted,
    CollectionFinished,
    Event,
    PhaseFinished,
    PropertyRecorded,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    SubtestFinished,
    WarningRecorded,
)
from recorder.store.emitter import Emitter
from recorder.store.sqlite import EventStore

Log = dict[str, list[Event]]
_CASE_EVENTS = (CaseStarted, PhaseFinished, StepStarted, StepFinished, CaseFinished,
                CaseCrashed, SubtestFinished, WarningRecorded)


def record(db: Path, log: Log, run_id: str) -> None:
    """Emit each source's events in its own order through a real emitter into ``db``,
    then open it once, as ``recorder export`` in a shard's job would, so the journals are
    in the database file (a copied ``.db`` without its ``.journal`` folder is whole)."""
    with EventStore.create(db) as store:
        for source, events in log.items():
            emitter = Emitter(store, run_id, source)
            for event in events:
                emitter.emit(event)
    EventStore.open_existing(db).close()


def split(log: Log, owner: dict[str, int], shards: int,
          names: list[str | None] | None = None) -> list[Log]:
    """``log`` cut into ``shards`` logs: each case's events go to its ``owner`` shard
    (in the same source, in order); every shard starts and finishes the run as the
    whole run did and collects only its own cases. ``names`` are the shard names each
    records in ``run.started`` (``--recorder-shard``), None for none."""
    names = names or [None] * shards
    parts: list[Log] = [{source: [] for source in log} for _ in range(shards)]
    for source, events in log.items():
        for event in events:
            if isinstance(event, _CASE_EVENTS):
                parts[owner[event.case_id]][source].append(event)
            elif isinstance(event, CollectionFinished):
                for index, part in enumerate(parts):
                    mine = tuple(c for c in event.case_ids if owner[c] == index)
                    part[source].append(attrs.evolve(event, collected=len(mine),
                                                     case_ids=mine))
            elif isinstance(event, RunStarted):
                for index, part in enumerate(parts):
                    part[source].append(attrs.evolve(event, shard=names[index]))
            elif isinstance(event, PropertyRecorded):  # run-wide: one shard records it
                parts[0][source].append(event)
            else:
                assert isinstance(event, RunFinished)
                for part in parts:
                    part[source].append(event)
    return [{source: events for source, events in part.items() if events} for part in parts]


def case_ids_of(log: Log) -> set[str]:
    ids: set[str] = set()
    for events in log.values():
        for event in events:
            if isinstance(event, _CASE_EVENTS):
                ids.add(event.case_id)
            elif isinstance(event, CollectionFinished):
                ids.update(event.case_ids)
    return ids
