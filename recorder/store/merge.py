"""Merge shard databases into one run: CI splits a suite over machines (pytest-split,
matrix jobs), each records its own database, and the merge makes them one run.

Each shard's latest run is copied into the output database under one run id, every
event with its payload unchanged and a new envelope:

- **source**: ``<shard>/<source>``, where ``<shard>`` is the name the shard recorded
  (``--recorder-shard``), else ``shard-`` and 8 hex digits of a hash of the shard's
  first event id (unique to that recording, as event ids are; the run id is not, since
  matrix jobs often share one). A
  source already named after its shard (``a``, ``a/gw0``: what ``--recorder-shard a``
  records) keeps its name, so merging gives the sources that recording all shards into
  one database would have. Each shard stays its own source, ``source_seq`` is kept, and
  the document's event-log digest still ties it to the events.
- **event id**: a UUID derived from the merged run id, the new source and the original
  event id: unique, and the same on every merge, so merging a shard again (or the same
  shard twice) adds nothing, and the order of the inputs does not matter.
- **run id**: ``--run-id``, else the run id every shard shares, else ``merged-`` and 12
  hex digits of a hash of the shards' run ids. Pass the same ``--run-id`` to merge shards
  into one run over several calls.

Every input is read and decoded before anything is written; a new output database is
built beside its final name and renamed into place, and an existing one receives all
events in one transaction, so a failed merge leaves no partial output.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

import attrs

from recorder.errors import (
    CorruptDatabaseError,
    InputNotFoundError,
    InvalidInputError,
    OutputError,
    UsageError,
)
from recorder.events.model import RunStarted
from recorder.store.connection import refuse_special_file
from recorder.store.journal import JournalRow
from recorder.store.sqlite import EventStore, Row, decode_row

_EVENT_NAMESPACE = uuid.UUID("7d1f4c1e-5b8a-4f3e-9c2d-6a0b8e9f1d23")


@attrs.frozen
class MergeResult:
    """What a merge did: the run, where, from how many shards, how many events the
    shards hold and how many of them were new to the output."""

    run_id: str
    into: Path
    shards: int
    events: int
    added: int


@attrs.frozen
class _Shard:
    path: Path
    run_id: str
    shard_names: frozenset[str]
    first_event_id: str
    rows: list[Row]


def merge_shards(into: str | Path, inputs: Sequence[str | Path],
                 run_id: str | None = None) -> MergeResult:
    """Merge the latest run of each database in ``inputs`` into ``into`` as one run."""
    into = Path(into)
    paths = [Path(path) for path in inputs]
    if not paths:
        raise UsageError("no shard databases to merge: name at least one IN.db")
    if run_id is not None and not run_id.strip():
        raise UsageError("--run-id is empty: pass a run id, or leave it out")
    _refuse_into_among_inputs(into, paths)
    refuse_special_file(into)  # SQLite would hang on a FIFO
    shards = [_read_shard(path) for path in paths]
    target = run_id or _default_run_id(shards)
    rows = _rewrite_all(shards, target)
    if into.exists():
        added = _append_existing(into, rows, target)
    else:
        added = _create_new(into, rows)
    return MergeResult(run_id=target, into=into, shards=len({shard.first_event_id
                                                             for shard in shards}),
                       events=len({row[0] for row in rows}), added=added)


def _refuse_into_among_inputs(into: Path, paths: list[Path]) -> None:
    for path in paths:
        same = path.resolve() == into.resolve()
        if not same and path.exists() and into.exists():
            same = os.path.samefile(path, into)
        if same:
            raise UsageError(f"--into {into} is also an input ({path}): merge into a new "
                             "file, or into a database that is not one of the shards")


def _require_events_table(path: Path, role: str) -> None:
    """Refuse a file that is not a recorder database before opening it for writing,
    which would switch even a foreign SQLite file to WAL mode."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            found = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                                       " AND name = 'events'").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise CorruptDatabaseError(
            f"{path} is not a readable SQLite database ({error}): pass {role}") from error
    if found is None:
        raise InvalidInputError(
            f"{path} is a SQLite database but holds no recorder events table: pass {role}")


def _read_shard(path: Path) -> _Shard:
    if not path.is_file():
        raise InputNotFoundError(f"shard database {path} does not exist: pass the files the "
                                 "shards recorded with --recorder-db")
    _require_events_table(path, "the file a shard recorded with --recorder-db")
    with EventStore.open_existing(path) as store:
        run_id = store.resolve_run_id(None)
        rows = list(store.iter_rows(run_id))
    names: set[str] = set()
    started: list[tuple[str, str]] = []
    for row in rows:
        event = decode_row(row, path).event  # refuses malformed events before any write
        if isinstance(event, RunStarted):
            started.append((row[5], row[1]))
            if event.shard:
                names.add(event.shard)
    first = min(started)[1] if started else min(row[1] for row in rows)
    return _Shard(path, run_id, frozenset(names), first, rows)


def _default_run_id(shards: list[_Shard]) -> str:
    run_ids = sorted({shard.run_id for shard in shards})
    if len(run_ids) == 1:
        return run_ids[0]
    return "merged-" + hashlib.sha256("\n".join(run_ids).encode()).hexdigest()[:12]


def _label(shard: _Shard) -> str:
    if len(shard.shard_names) == 1:
        return next(iter(shard.shard_names))
    return "shard-" + hashlib.sha256(shard.first_event_id.encode()).hexdigest()[:8]


def _rewrite_all(shards: list[_Shard], target: str) -> list[JournalRow]:
    by_label: dict[str, list[_Shard]] = {}
    for shard in shards:
        label = _label(shard)
        copies = by_label.setdefault(label, [])
        if copies and copies[0].first_event_id != shard.first_event_id:
            raise InvalidInputError(
                f"{copies[0].path} and {shard.path} both record shard {label!r} of run "
                f"{target}, with different events: give each shard its own "
                "--recorder-shard NAME when recording")
        copies.append(shard)  # a copy of the same shard: its events are the same ones
    rows: list[JournalRow] = []
    for label in sorted(by_label):  # a fixed order: the inputs' order does not matter
        for shard in by_label[label]:
            rows.extend(_rewrite(row, label, target) for row in shard.rows)
    return rows


def _rewrite(row: Row, label: str, target: str) -> JournalRow:
    _seq, event_id, _run_id, type_name, version, source, source_seq, recorded_at, payload = row
    if source != label and not source.startswith(label + "/"):
        source = f"{label}/{source}"
    new_id = uuid.uuid5(_EVENT_NAMESPACE, f"{target}\n{source}\n{event_id}")
    return (str(new_id), target, type_name, version, source, source_seq, recorded_at, payload)


def _append_existing(into: Path, rows: list[JournalRow], target: str) -> int:
    _require_events_table(into, "a new file or a recorder database as --into")
    with EventStore.open_existing(into) as store:
        before = store.count(target)
        store.append_rows(rows, "the merged shards")
        return store.count(target) - before


def _create_new(into: Path, rows: list[JournalRow]) -> int:
    try:
        into.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{into.name}.", suffix=".tmp",
                                        dir=into.parent)
        os.close(handle)
        os.unlink(name)  # SQLite makes the file; mkstemp only reserved a unique name
    except OSError as error:
        raise OutputError(f"cannot write {into} ({error.strerror or error}): choose a "
                          "writable --into") from error
    temporary = Path(name)
    try:
        with EventStore.create(temporary) as store:
            store.append_rows(rows, "the merged shards")
            # Fold the write-ahead log into the file: only the file is renamed.
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(temporary, into)
    except OSError as error:
        raise OutputError(f"cannot write {into} ({error.strerror or error}): choose a "
                          "writable --into") from error
    finally:
        for leftover in (temporary, *(temporary.with_name(temporary.name + suffix)
                                      for suffix in ("-wal", "-shm"))):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        with contextlib.suppress(OSError):
            temporary.with_name(temporary.name + ".journal").rmdir()
    return len({row[0] for row in rows})
