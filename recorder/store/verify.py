"""Integrity checks of an event database: SQLite's own check, the append-only
triggers, gap-free ``source_seq`` per source, and that every row decodes."""

from __future__ import annotations

from pathlib import Path

import attrs

from recorder.errors import CorruptDatabaseError, RecorderError
from recorder.store.sqlite import EventStore, decode_row

TRIGGERS = ("events_refuse_update", "events_refuse_delete")


@attrs.frozen
class SourceCheck:
    source: str
    events: int
    first_source_seq: int
    last_source_seq: int
    gaps: tuple[tuple[int, int], ...]


@attrs.frozen
class RunCheck:
    run_id: str
    events: int
    sources: tuple[SourceCheck, ...]
    bad_rows: tuple[str, ...]

    @property
    def problems(self) -> list[str]:
        found = [f"run {self.run_id}: source {s.source} is missing source_seq {low}..{high}"
                 for s in self.sources for low, high in s.gaps]
        found.extend(f"run {self.run_id}: {message}" for message in self.bad_rows)
        return found


@attrs.frozen
class VerifyReport:
    path: Path
    integrity: tuple[str, ...]
    missing_triggers: tuple[str, ...]
    runs: tuple[RunCheck, ...]

    @property
    def problems(self) -> list[str]:
        found = [f"SQLite integrity check: {line}" for line in self.integrity]
        found.extend(f"append-only trigger {name} is missing" for name in self.missing_triggers)
        for run in self.runs:
            found.extend(run.problems)
        return found

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_database(path: str | Path, run_id: str | None = None) -> VerifyReport:
    """Check the database at ``path`` (every run, or just ``run_id``)."""
    with EventStore.open_existing(path) as store:
        try:
            integrity = store.integrity_problems()
            triggers = store.trigger_names()
        except CorruptDatabaseError as error:
            cause = error.__cause__ or error
            raise CorruptDatabaseError(
                f"{path} is damaged ({cause}): record the run again") from cause
        run_ids = [store.resolve_run_id(run_id)] if run_id else [r.run_id for r in store.runs()]
        runs = tuple(_check_run(store, rid) for rid in run_ids)
    return VerifyReport(
        path=Path(path),
        integrity=tuple(integrity),
        missing_triggers=tuple(name for name in TRIGGERS if name not in triggers),
        runs=runs,
    )


def _check_run(store: EventStore, run_id: str) -> RunCheck:
    sources = [SourceCheck(source, events, first, last,
                           tuple(store.source_seq_gaps(run_id, source)))
               for source, events, first, last in store.source_counts(run_id)]
    bad_rows = []
    events = 0
    for row in store.iter_rows(run_id):
        events += 1
        try:
            decode_row(row, store.path)
        except RecorderError as error:
            bad_rows.append(str(error))
    return RunCheck(run_id=run_id, events=events, sources=tuple(sources), bad_rows=tuple(bad_rows))

