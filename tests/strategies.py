"""Hypothesis strategies for plausible event logs.

A generated log is a dict ``source -> [events in that source's order]``: the main
process starts the run and collects, every source runs some cases (each case attempt
is ``case.started``, phases, nested steps, ``case.finished``), and any source may be
cut short, as when a process is killed.
"""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import strategies as st

from recorder.events.model import (
    CaseCrashed,
    CaseFinished,
    CaseStarted,
    CIInfo,
    CollectionError,
    CollectionFinished,
    Environment,
    Event,
    Failure,
    GitInfo,
    PhaseFinished,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    StoredEvent,
)

RUN_ID = "run-1"
TIMESTAMP = "2026-11-23T10:00:00+00:00"
ATTEMPT_STATUSES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")

texts = st.text(max_size=20)
durations = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)
failures = st.builds(Failure, type=texts, message=texts, traceback=texts)
optional_text = st.none() | texts

environments = st.builds(
    Environment,
    host=optional_text, os=optional_text, python=optional_text,
    python_implementation=optional_text,
    git=st.builds(GitInfo, commit=optional_text, branch=optional_text,
                  dirty=st.none() | st.booleans()),
    ci=st.builds(CIInfo, provider=optional_text, run_id=optional_text, job=optional_text,
                 url=optional_text),
)

run_started = st.builds(
    RunStarted, project=texts, started_at=st.just(TIMESTAMP), tool=texts, tool_version=texts,
    recorder_version=texts, environment=environments,
    labels=st.dictionaries(texts, texts, max_size=3), shard=optional_text,
    arguments=st.lists(texts, max_size=3).map(tuple),
)
run_finished = st.builds(
    RunFinished, exit_status=st.integers(0, 5), finished_at=st.just(TIMESTAMP),
    duration=durations, interrupted=st.booleans(), reason=optional_text,
)
case_ids = st.sampled_from([f"tests/test_{m}.py::{k}test_{n}" for m in "ab"
                            for k in ("", "TestK::") for n in range(6)])


@st.composite
def steps_of(draw: Any, case_id: str, attempt: int) -> list[Event]:
    """A well-nested sequence of step events (possibly left open at the end)."""
    events: list[Event] = []
    open_steps: list[int] = []
    next_id = 1
    for _ in range(draw(st.integers(0, 6))):
        if open_steps and draw(st.booleans()):
            step_id = open_steps.pop()
            status = draw(st.sampled_from(["passed", "failed", "skipped"]))
            events.append(StepFinished(case_id=case_id, attempt=attempt, step_id=step_id,
                                       status=status,
                                       duration=draw(durations),
                                       failure=draw(st.none() | failures)))
        else:
            events.append(StepStarted(case_id=case_id, attempt=attempt, step_id=next_id,
                                      parent_id=open_steps[-1] if open_steps else None,
                                      name=draw(texts), started_at=TIMESTAMP))
            open_steps.append(next_id)
            next_id += 1
    return events


@st.composite
def attempt_events(draw: Any, case_id: str, attempt: int, worker: str | None) -> list[Event]:
    events: list[Event] = [CaseStarted(case_id=case_id, attempt=attempt, started_at=TIMESTAMP,
                                       worker=worker, line=draw(st.none() | st.integers(1, 999)),
                                       parameters=draw(st.dictionaries(texts, texts, max_size=2)),
                                       markers=tuple(draw(st.lists(texts, max_size=2))))]
    events.extend(draw(steps_of(case_id, attempt)))
    for phase in draw(st.lists(st.sampled_from(["setup", "call", "teardown"]), unique=True)):
        outcome = draw(st.sampled_from(["passed", "failed", "skipped"]))
        events.append(PhaseFinished(
            case_id=case_id, attempt=attempt, phase=phase, outcome=outcome,
            started_at=TIMESTAMP, stopped_at=TIMESTAMP, duration=draw(durations),
            failure=draw(failures) if outcome == "failed" else None,
            reason=draw(optional_text), stdout=draw(texts),
        ))
    events.append(CaseFinished(case_id=case_id, attempt=attempt,
                               status=draw(st.sampled_from(ATTEMPT_STATUSES)),
                               duration=draw(durations), stopped_at=TIMESTAMP,
                               reason=draw(optional_text)))
    return events


@st.composite
def event_logs(draw: Any, max_sources: int = 3) -> dict[str, list[Event]]:
    """``source -> events`` for one run; each case id runs in exactly one source."""
    sources = ["main", *[f"gw{i}" for i in range(draw(st.integers(0, max_sources - 1)))]]
    ids = draw(st.lists(case_ids, unique=True, max_size=8))
    owner = {case_id: draw(st.sampled_from(sources)) for case_id in ids}
    log: dict[str, list[Event]] = {source: [] for source in sources}
    log["main"].append(draw(run_started))
    collected = draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
    errors = draw(st.lists(st.builds(CollectionError, nodeid=texts, message=texts), max_size=1))
    for source in sources:
        if source != "main" or len(sources) == 1:
            log[source].append(CollectionFinished(collected=len(collected),
                                                  case_ids=tuple(collected), errors=tuple(errors)))
    for case_id in ids:
        source = owner[case_id]
        worker = None if source == "main" else source
        for attempt in range(1, draw(st.integers(1, 3)) + 1):
            log[source].extend(draw(attempt_events(case_id, attempt, worker)))
    for case_id in draw(st.lists(st.sampled_from(ids), unique=True, max_size=2)) if ids else []:
        log["main"].append(CaseCrashed(case_id=case_id, worker=owner[case_id],
                                       message=f"worker {owner[case_id]} crashed",
                                       crashed_at=TIMESTAMP))
    if draw(st.booleans()):
        log["main"].append(draw(run_finished))
    for source in sources:  # a killed process loses the tail of its log
        if draw(st.integers(0, 3)) == 0:
            log[source] = log[source][: draw(st.integers(0, len(log[source])))]
    return log


def stamp(log: dict[str, list[Event]], run_id: str = RUN_ID) -> dict[str, list[StoredEvent]]:
    """Wrap each source's events in envelopes, numbering ``source_seq`` from 1."""
    return {
        source: [
            StoredEvent(event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run_id}/{source}/{index}")),
                        run_id=run_id, source=source, source_seq=index, recorded_at=TIMESTAMP,
                        event=event)
            for index, event in enumerate(events, start=1)
        ]
        for source, events in log.items()
    }


@st.composite
def interleavings(draw: Any, stamped: dict[str, list[StoredEvent]]) -> list[StoredEvent]:
    """One merge of the sources' lists that keeps each source's own order."""
    queues = {source: list(events) for source, events in stamped.items() if events}
    merged: list[StoredEvent] = []
    while queues:
        source = draw(st.sampled_from(sorted(queues)))
        merged.append(queues[source].pop(0))
        if not queues[source]:
            del queues[source]
    return merged


#: One strategy per event type; the round-trip test checks this covers the vocabulary.
EVENT_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "run.started": run_started,
    "run.finished": run_finished,
    "collection.finished": st.builds(
        CollectionFinished, collected=st.integers(0, 10),
        case_ids=st.lists(texts, max_size=3).map(tuple),
        errors=st.lists(st.builds(CollectionError, nodeid=texts, message=texts),
                        max_size=2).map(tuple)),
    **{
        name: case_ids.flatmap(lambda case_id: attempt_events(case_id, 1, "gw0")).map(
            lambda events, cls=cls: next(e for e in events if isinstance(e, cls)))
        for name, cls in (("case.started", CaseStarted), ("case.finished", CaseFinished))
    },
    "phase.finished": st.builds(
        PhaseFinished, case_id=texts, phase=st.sampled_from(["setup", "call", "teardown"]),
        outcome=st.sampled_from(["passed", "failed", "skipped"]), started_at=texts,
        stopped_at=texts, duration=durations, attempt=st.integers(1, 5),
        failure=st.none() | failures, reason=optional_text, xfail_reason=optional_text,
        stdout=texts, stderr=texts, log=texts),
    "step.started": st.builds(StepStarted, case_id=texts, step_id=st.integers(1, 99), name=texts,
                              started_at=texts, attempt=st.integers(1, 3),
                              parent_id=st.none() | st.integers(1, 99)),
    "case.crashed": st.builds(CaseCrashed, case_id=case_ids, worker=texts, message=texts,
                              crashed_at=texts),
    "step.finished": st.builds(StepFinished, case_id=texts, step_id=st.integers(1, 99),
                               status=st.sampled_from(["passed", "failed", "skipped"]),
                               duration=durations, attempt=st.integers(1, 3),
                               failure=st.none() | failures),
}
all_events = st.one_of(*EVENT_STRATEGIES.values())
