"""``ingest_junit``: JUnit XML files in, one recorded run out.

Two phases. First every file is read completely into a :class:`RecordSpool` (a bad
file is rolled back out of it and listed as a problem). Then the run's events are
emitted through an :class:`~recorder.emitter.Emitter` and its journal, as the pytest
plugin's are, so export, summary and verify read the run like any other; the journal
is moved into the table as it goes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from recorder import __version__
from recorder.errors import InputNotFoundError, UsageError
from recorder.events.environment import detect_environment
from recorder.events.model import CollectionFinished, Event
from recorder.ingest.junit_reader import JUnitFileError, JUnitReader
from recorder.ingest.mapper import RunPlan, run_events
from recorder.ingest.records import FileProblem, FileSummary
from recorder.ingest.spool import RecordSpool
from recorder.store.emitter import Emitter, new_run_id
from recorder.store.sqlite import EventStore

SOURCE = "junit"
#: Events per journal write: one ``write()`` per batch instead of one per event.
_EMIT_BATCH = 600
#: Events per journal before it is moved into the table (see :func:`_emit_all`).
_JOURNAL_EVENTS = 6_000


@attrs.frozen
class IngestResult:
    """The run recorded: its id, how many cases (a rerun is one case), and per file
    what it held or why it could not be read."""

    run_id: str
    cases: int
    files: tuple[FileSummary, ...]
    problems: tuple[FileProblem, ...]

    @property
    def testcases(self) -> int:
        """``<testcase>`` elements read: more than :attr:`cases` when some are reruns."""
        return sum(summary.cases for summary in self.files)


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given; a directory means every ``*.xml`` under it, sorted. Each file
    once, in the order first named."""
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            members = sorted(member for member in path.rglob("*.xml") if member.is_file())
            if not members:
                raise InputNotFoundError(
                    f"{path} holds no *.xml files: pass the directory the JUnit reports "
                    "were written to, or the report files themselves")
        elif path.exists():
            members = [path]
        else:
            raise InputNotFoundError(
                f"{path} does not exist: pass JUnit XML files, or directories that hold them")
        for member in members:
            resolved = member.resolve()
            if resolved not in seen:
                seen.add(resolved)
                found.append(member)
    return found


def ingest_junit(paths: Sequence[str | Path], db: str | Path, *, run_id: str | None = None,
                 project: str | None = None, labels: dict[str, str] | None = None,
                 arguments: Sequence[str] = ()) -> IngestResult:
    """Record the JUnit reports at ``paths`` as one run in the event database ``db``."""
    files = expand_paths(paths)
    with EventStore.create(db) as store:
        if run_id is not None and store.count(run_id):
            raise UsageError(f"run {run_id!r} is already in {db}: choose a new --run-id, "
                             "or leave it out for a fresh one")
        run_id = run_id or new_run_id()
        with RecordSpool() as spool:
            summaries, problems = _read_all(files, spool)
            plan = RunPlan(
                project=project or Path.cwd().name,
                ingested_at=dt.datetime.now(dt.UTC),
                environment=attrs.evolve(detect_environment(), python=None,
                                         python_implementation=None),
                labels=dict(labels or {}),
                arguments=tuple(arguments),
                recorder_version=__version__,
            )
            cases = _emit_all(store, run_id, run_events(plan, summaries, problems, spool))
    return IngestResult(run_id, cases, tuple(summaries), tuple(problems))


def _emit_all(store: EventStore, run_id: str, events: Iterable[Event]) -> int:
    """Emit ``events`` in batches; return the number of cases collected.

    Every ``_JOURNAL_EVENTS`` the journal is closed and moved into the table, and a new
    one started (the emitter continues the source's sequence from the table). A reader
    moves a journal in one piece, so one journal of a 100 MB report (1M events, 470 MB)
    would cost the next command 2 GB; in pieces, neither this command nor the next one
    holds more than a few megabytes of it, and the database is complete on return."""
    emitter = Emitter(store, run_id, SOURCE)
    batch: list[Event] = []
    in_journal = 0
    cases = 0
    try:
        for event in events:
            if isinstance(event, CollectionFinished):
                cases = event.collected
            batch.append(event)
            if len(batch) >= _EMIT_BATCH:
                emitter.emit_together(*batch)
                in_journal += len(batch)
                batch.clear()
            if in_journal >= _JOURNAL_EVENTS:
                emitter.close()
                store.ingest_journals()
                emitter = Emitter(store, run_id, SOURCE)
                in_journal = 0
        if batch:
            emitter.emit_together(*batch)
    finally:
        emitter.close()
    store.ingest_journals()
    return cases


def _read_all(files: Sequence[Path],
              spool: RecordSpool) -> tuple[list[FileSummary], list[FileProblem]]:
    summaries: list[FileSummary] = []
    problems: list[FileProblem] = []
    for path in files:
        reader = JUnitReader(path)
        try:
            spool.add_file(reader.cases())
        except JUnitFileError as error:
            problems.append(FileProblem(str(path), error.message))
            continue
        assert reader.summary is not None  # set once its cases were read to the end
        summaries.append(reader.summary)
    return summaries, problems
