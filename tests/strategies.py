"""Hypothesis strategies for plausible event logs.

A generated log is a dict ``source -> [events in that source's order]``: the main
process starts the run and collects, every source runs some cases (each case attempt
is ``case.started``, phases, nested steps, ``case.finished``), and any source may be
cut short, as when a process is killed.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
import uuid
from typing import Any

import attrs
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
    Property,
    PropertyRecorded,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    StoredEvent,
    SubtestFinished,
    WarningRecorded,
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
#: Case ids with the suite and name pytest's item chain gives them (ids with ``::`` inside
#: a parameter included): the truth an oracle compares against, not a parse of the id.
CASES: dict[str, tuple[str, str]] = {
    **{f"tests/test_{m}.py::{k}test_{n}": (f"tests/test_{m}.py{'::' + k[:-2] if k else ''}",
                                           f"test_{n}")
       for m in "ab" for k in ("", "TestK::") for n in range(4)},
    "tests/test_a.py::test_x[::1]": ("tests/test_a.py", "test_x[::1]"),
    "tests/test_b.py::TestK::test_p[a::b]": ("tests/test_b.py::TestK", "test_p[a::b]"),
}
case_ids = st.sampled_from(sorted(CASES))
#: Worker names whose text order is not their numeric order ("gw10" < "gw2").
SOURCE_NAMES = ("main", "gw2", "gw10", "gw1")
#: Durations as a test that patched the clock, or a foreign emitter, may leave them.
impossible_durations = st.sampled_from([float("nan"), float("inf"), -946_681_262.0])
BASE_TIME = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def moment(tick: int) -> str:
    return (BASE_TIME + dt.timedelta(seconds=tick)).isoformat()


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
def attempt_events(draw: Any, case_id: str, attempt: int, worker: str | None,
                   started_at: str = TIMESTAMP, suite: str = "", name: str = "",
                   finished: bool = True, clock_faults: bool = True) -> list[Event]:
    """One attempt: its start, steps, subtests, warnings, phases and (if ``finished``)
    its end; a duration is now and then one no clock could give."""
    faulty = clock_faults and draw(st.integers(0, 9)) == 0
    some_duration = durations | impossible_durations if faulty else durations
    events: list[Event] = [CaseStarted(case_id=case_id, attempt=attempt, started_at=started_at,
                                       suite=suite, name=name,
                                       worker=worker, line=draw(st.none() | st.integers(1, 999)),
                                       parameters=draw(st.dictionaries(texts, texts, max_size=2)),
                                       markers=tuple(draw(st.lists(texts, max_size=2))))]
    events.extend(draw(steps_of(case_id, attempt)))
    events.extend(draw(st.lists(st.builds(
        SubtestFinished, case_id=st.just(case_id), attempt=st.just(attempt),
        status=st.sampled_from(["passed", "failed", "skipped", "xfailed"]),
        started_at=st.just(started_at), duration=some_duration, message=optional_text,
        parameters=st.dictionaries(texts, texts, max_size=2), failure=st.none() | failures,
        reason=optional_text), max_size=2)))
    events.extend(draw(st.lists(st.builds(
        WarningRecorded, case_id=st.just(case_id), attempt=st.just(attempt), category=texts,
        message=texts, filename=optional_text, lineno=st.none() | st.integers(1, 99)),
        max_size=1)))
    for phase in draw(st.lists(st.sampled_from(["setup", "call", "teardown"]), unique=True)):
        outcome = draw(st.sampled_from(["passed", "failed", "skipped"]))
        events.append(PhaseFinished(
            case_id=case_id, attempt=attempt, phase=phase, outcome=outcome,
            started_at=started_at, stopped_at=started_at, duration=draw(some_duration),
            failure=draw(failures) if outcome == "failed" else None,
            reason=draw(optional_text), stdout=draw(texts),
        ))
    if finished:
        events.append(CaseFinished(case_id=case_id, attempt=attempt,
                                   status=draw(st.sampled_from(ATTEMPT_STATUSES)),
                                   duration=draw(some_duration), stopped_at=started_at,
                                   reason=draw(optional_text),
                                   properties=tuple(draw(st.lists(properties, max_size=2)))))
    return events


properties = st.builds(Property, name=texts, value=texts)


@st.composite
def event_logs(draw: Any, max_sources: int = 4) -> dict[str, list[Event]]:
    """``source -> events`` for one run. A case's attempts (reruns, or a rerun after its
    worker crashed) may run on different sources, each numbering its own attempts from 1;
    they start one after another, later attempts at later times. A case's suite and name
    are recorded as pytest's item chain gives them, or left empty as old events did."""
    sources = list(SOURCE_NAMES[: draw(st.integers(1, max_sources))])
    ids = draw(st.lists(case_ids, unique=True, max_size=8))
    log: dict[str, list[Event]] = {source: [] for source in sources}
    log["main"].append(draw(run_started))
    collected = draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
    errors = draw(st.lists(st.builds(CollectionError, nodeid=texts, message=texts), max_size=1))
    for source in sources:
        if source != "main" or len(sources) == 1:
            log[source].append(CollectionFinished(collected=len(collected),
                                                  case_ids=tuple(collected), errors=tuple(errors),
                                                  deselected=draw(st.integers(0, 3))))
    tick = 0
    for case_id in ids:
        suite, name = CASES[case_id] if draw(st.booleans()) else ("", "")
        numbers: dict[str, int] = {}
        for _ in range(draw(st.integers(1, 3))):
            source = draw(st.sampled_from(sources))
            numbers[source] = numbers.get(source, 0) + 1
            tick += 1
            worker = None if source == "main" else source
            crashed = worker is not None and draw(st.integers(0, 4)) == 0
            log[source].extend(draw(attempt_events(case_id, numbers[source], worker,
                                                   moment(tick), suite, name,
                                                   finished=not crashed)))
            if crashed:
                log["main"].append(CaseCrashed(case_id=case_id, worker=source,
                                               message=f"worker {source} crashed",
                                               crashed_at=moment(tick)))
    log["main"].extend(draw(st.lists(st.builds(PropertyRecorded, name=texts, value=texts),
                                     max_size=2)))
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
def with_gaps(draw: Any, stamped: dict[str, list[StoredEvent]]) -> dict[str, list[StoredEvent]]:
    """Lose some events from the middle of a source's log (their ``source_seq`` leave a
    gap), never an attempt's ``case.started``."""
    kept: dict[str, list[StoredEvent]] = {}
    for source, events in stamped.items():
        kept[source] = [
            stored for index, stored in enumerate(events)
            if isinstance(stored.event, CaseStarted) or index in (0, len(events) - 1)
            or draw(st.integers(0, 9)) != 0
        ]
    return kept


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
        name: case_ids.flatmap(
            lambda case_id: attempt_events(case_id, 1, "gw0", clock_faults=False)).map(
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
    "subtest.finished": st.builds(
        SubtestFinished, case_id=texts, status=st.sampled_from(["passed", "failed", "skipped",
                                                                "xfailed"]),
        started_at=texts, duration=durations, attempt=st.integers(1, 3), message=optional_text,
        parameters=st.dictionaries(texts, texts, max_size=2), failure=st.none() | failures,
        reason=optional_text),
    "warning.recorded": st.builds(WarningRecorded, case_id=texts, category=texts, message=texts,
                                  attempt=st.integers(1, 3), filename=optional_text,
                                  lineno=st.none() | st.integers(0, 99)),
    "property.recorded": st.builds(PropertyRecorded, name=texts, value=texts),
    "step.finished": st.builds(StepFinished, case_id=texts, step_id=st.integers(1, 99),
                               status=st.sampled_from(["passed", "failed", "skipped"]),
                               duration=durations, attempt=st.integers(1, 3),
                               failure=st.none() | failures),
}
all_events = st.one_of(*EVENT_STRATEGIES.values())


# -- any value of a model type, odd ones included (the encoders' properties) ------------

#: Text as tests and captured output produce it: any code point, lone surrogates, NUL.
odd_text = st.text(st.characters(codec="utf-8") | st.characters(categories=["Cs"])
                   | st.sampled_from("\x00\ufffd\U0001f600\u202e"), max_size=8)


def any_value_of(annotation: Any) -> st.SearchStrategy[Any]:
    """Any value of ``annotation``, odd ones included (huge integers, NaN, surrogates)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is typing.Union or origin is types.UnionType:
        return st.one_of([any_value_of(arg) for arg in args])
    if origin is tuple:
        return st.lists(any_value_of(args[0]), max_size=3).map(tuple)
    if origin is dict:
        return st.dictionaries(any_value_of(args[0]), any_value_of(args[1]), max_size=3)
    if attrs.has(annotation):
        return odd_event(annotation)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: odd_text, int: st.integers() | st.just(2**70), float: st.floats(),
        bool: st.booleans(), type(None): st.none()}
    return simple[annotation]


def odd_event(cls: type) -> st.SearchStrategy[Any]:
    """Instances of ``cls`` with every field drawn, each often left at its default."""
    attrs.resolve_types(cls)
    fields = {}
    for field in attrs.fields(cls):
        values = any_value_of(field.type)
        if field.default is not attrs.NOTHING:
            default = field.default
            factory = getattr(default, "factory", None)
            values = (st.builds(factory) if factory else st.just(default)) | values
        fields[field.name] = values
    return st.builds(cls, **fields)
