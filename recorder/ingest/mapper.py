"""Records in, events out: the same vocabulary the pytest plugin emits.

Pure (no clock, no I/O): the time of ingest comes in with the :class:`RunPlan`. Each
attempt becomes ``case.started``, one ``call`` ``phase.finished`` and ``case.finished``;
the run is framed by ``run.started``, ``collection.finished`` (the number of cases, and
each file that could not be read as a collection error) and ``run.finished``.

A case without attempts (``recorder.not_run``) is listed in ``collection.finished``
only, which the document reads as ``not_run``; an ``incomplete`` attempt has no
``case.finished``.

The same case id seen again (a repeated ``(classname, name)``, as Go and
web-test-runner write reruns) continues that case's attempt numbers, so the document
shows it once, with every attempt, and ``flaky`` when it failed and then passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence

import attrs

from recorder.events.model import (
    AttemptStatus,
    CaseFinished,
    CaseStarted,
    CollectionError,
    CollectionFinished,
    Environment,
    Event,
    PhaseFinished,
    PhaseOutcome,
    RunFinished,
    RunStarted,
)
from recorder.ingest.records import CaseRecord, FileProblem, FileSummary

TOOL = "junit"
_OUTCOME: dict[AttemptStatus, PhaseOutcome] = {
    "passed": "passed", "xpassed": "passed", "failed": "failed", "error": "failed",
    "skipped": "skipped", "xfailed": "skipped"}
_FAILING = frozenset({"failed", "error", "incomplete"})


@attrs.frozen
class RunPlan:
    """What the command line and the machine say about the run being ingested."""

    project: str
    ingested_at: dt.datetime
    environment: Environment
    labels: dict[str, str] = attrs.field(factory=dict)
    arguments: tuple[str, ...] = ()
    recorder_version: str = ""


def run_started(plan: RunPlan, files: Sequence[FileSummary]) -> RunStarted:
    starts = [summary.earliest for summary in files if summary.earliest is not None]
    host = next((summary.hostname for summary in files if summary.hostname), None)
    environment = plan.environment
    if host:
        environment = attrs.evolve(environment, host=host)
    return RunStarted(
        project=plan.project,
        started_at=min(starts, default=plan.ingested_at).isoformat(),
        tool=TOOL,
        recorder_version=plan.recorder_version,
        environment=environment,
        labels=dict(plan.labels),
        arguments=plan.arguments,
    )


def run_events(plan: RunPlan, files: Sequence[FileSummary], problems: Sequence[FileProblem],
               records: Iterable[CaseRecord]) -> Iterator[Event]:
    """Every event of the run, ``run.started`` first and ``run.finished`` last."""
    yield run_started(plan, files)
    attempts: dict[bytes, int] = {}  # a digest per case id: 16 bytes, not the whole id
    failing: set[bytes] = set()
    not_run: dict[str, bytes] = {}  # collected, never started: only these need their ids
    for record in records:
        case_id = record.case_id
        key = hashlib.blake2b(case_id.encode(), digest_size=16).digest()
        number = attempts.get(key, 0)
        attempts[key] = number + len(record.attempts)
        if not record.attempts:
            not_run[case_id] = key
            continue
        yield from _case_events(record, case_id, number, plan.ingested_at)
        if record.attempts[-1].status in _FAILING:
            failing.add(key)
        else:
            failing.discard(key)
    never_run = tuple(case_id for case_id, key in not_run.items() if not attempts[key])
    yield CollectionFinished(
        collected=len(attempts),
        case_ids=never_run,
        errors=tuple(CollectionError(nodeid=problem.path, message=problem.message)
                     for problem in problems))
    ends = [summary.latest for summary in files if summary.latest is not None]
    yield RunFinished(
        exit_status=1 if failing or problems or never_run else 0,
        finished_at=max(ends, default=plan.ingested_at).isoformat(),
        duration=sum(summary.duration for summary in files),
    )


def _case_events(record: CaseRecord, case_id: str, previous: int,
                 ingested_at: dt.datetime) -> Iterator[Event]:
    started = record.started_at or ingested_at
    started_at = started.isoformat()
    for number, attempt in enumerate(record.attempts, start=previous + 1):
        stopped_at = (started + dt.timedelta(seconds=attempt.duration)).isoformat()
        yield CaseStarted(case_id=case_id, started_at=started_at, attempt=number,
                          suite=record.suite, name=record.name, file=record.file,
                          line=record.line, parameters=record.properties)
        if attempt.status == "incomplete":  # started, never finished: no case.finished
            yield PhaseFinished(case_id=case_id, phase="call", outcome="failed",
                                started_at=started_at, stopped_at=stopped_at,
                                duration=attempt.duration, attempt=number,
                                failure=attempt.failure, stdout=attempt.stdout,
                                stderr=attempt.stderr)
            continue
        xfailed = attempt.status == "xfailed"
        yield PhaseFinished(
            case_id=case_id, phase="call", outcome=_OUTCOME[attempt.status],
            started_at=started_at, stopped_at=stopped_at, duration=attempt.duration,
            attempt=number, failure=attempt.failure,
            reason=None if xfailed else attempt.reason,
            xfail_reason=attempt.reason if xfailed else None,
            stdout=attempt.stdout, stderr=attempt.stderr)
        yield CaseFinished(case_id=case_id, status=attempt.status, duration=attempt.duration,
                           stopped_at=stopped_at, attempt=number, reason=attempt.reason)
