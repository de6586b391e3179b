"""Property tests: the run document is a faithful, deterministic fold of the events."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from recorder.document.projector import _HANDLERS, RunProjection, project
from recorder.document.schema import validate_document
from recorder.document.status import CASE_STATUSES
from recorder.events.model import (
    EVENT_TYPES,
    CaseCrashed,
    CaseFinished,
    CaseStarted,
    CollectionFinished,
    Event,
    PhaseFinished,
    PropertyRecorded,
    RunFinished,
    RunStarted,
    StoredEvent,
    SubtestFinished,
)
from recorder.export.rendering import iter_json, render_json
from tests.strategies import CASES, event_logs, interleavings, stamp, with_gaps

#: What a case's attempt can say about it when it ends (DESIGN.md, "The run document").
UNSUCCESSFUL = {"failed", "error", "incomplete"}


def expected_statuses(events: list[StoredEvent]) -> dict[str, str]:
    """The oracle, from DESIGN.md's definitions: an attempt is one run of a case, started by
    its ``case.started``; a case's attempts happened in the order they started; the final
    attempt's ``case.finished`` status is the case's, ``incomplete`` if it never finished,
    ``flaky`` if it passed after an attempt that failed, errored or never finished; a case
    with no attempt is ``incomplete`` if its worker's crash names it, ``not_run`` if it
    was only collected."""
    started: dict[tuple[str, str, int], str] = {}  # (case, source, number) -> started_at
    ended: dict[tuple[str, str, int], str] = {}
    mentioned: set[tuple[str, str, int]] = set()
    collected: set[str] = set()
    crashed: set[str] = set()
    for stored in events:
        event: Event = stored.event
        if isinstance(event, CollectionFinished):
            collected.update(event.case_ids)
        elif isinstance(event, CaseCrashed):
            crashed.add(event.case_id)
        elif isinstance(event, RunStarted | RunFinished | PropertyRecorded):
            continue
        else:
            attempt = (event.case_id, stored.source, event.attempt)
            mentioned.add(attempt)
            if isinstance(event, CaseStarted):
                started[attempt] = event.started_at
            elif isinstance(event, CaseFinished):
                ended[attempt] = event.status
    # The generator never loses a case.started alone: each attempt seen has its start.
    assert mentioned <= started.keys()
    by_case: dict[str, list[tuple[str, str]]] = {}
    for attempt, started_at in started.items():
        by_case.setdefault(attempt[0], []).append((started_at, ended.get(attempt, "incomplete")))
    statuses = {}
    for case_id, attempts in by_case.items():
        in_time_order = [status for _, status in sorted(attempts, key=lambda pair: pair[0])]
        final = in_time_order[-1]
        if final == "passed" and UNSUCCESSFUL & set(in_time_order[:-1]):
            final = "flaky"
        statuses[case_id] = final
    for case_id in crashed - statuses.keys():
        statuses[case_id] = "incomplete"
    for case_id in collected - statuses.keys():
        statuses[case_id] = "not_run"
    return statuses


def expected_run(events: list[StoredEvent], statuses: dict[str, str]) -> dict[str, Any]:
    """Run status, exit status and interruption from the definitions: a run without its
    ``run.finished``, or whose finish says it was interrupted, is ``interrupted``; a
    finished run is ``failed`` when a case failed, errored or never finished, collection
    failed or pytest's exit status says so; ``empty`` with no cases; else ``passed``."""
    finish = next((e.event for e in events if isinstance(e.event, RunFinished)), None)
    collection_errors = any(e.event.errors for e in events
                            if isinstance(e.event, CollectionFinished))
    if not events:
        status = "empty"
    elif finish is None or finish.interrupted:
        status = "interrupted"
    elif (UNSUCCESSFUL & set(statuses.values()) or collection_errors
          or finish.exit_status not in (0, 5)):
        status = "failed"
    elif not statuses:
        status = "empty"
    else:
        status = "passed" if finish.exit_status == 0 else "failed"
    interruption = None
    if status == "interrupted":
        interruption = {"reason": "the run stopped without recording its end (killed or crashed)"
                        if finish is None else finish.reason or "interrupted"}
    return {"status": status, "exit_status": None if finish is None else finish.exit_status,
            "interruption": interruption}


def expected_gaps(events: list[StoredEvent]) -> list[dict[str, Any]]:
    """Each run of ``source_seq`` values missing below a source's highest one."""
    seen: dict[str, set[int]] = {}
    for stored in events:
        seen.setdefault(stored.source, set()).add(stored.source_seq)
    gaps = []
    for source in sorted(seen):
        missing = sorted(set(range(1, max(seen[source]) + 1)) - seen[source])
        for number in missing:
            if gaps and gaps[-1]["source"] == source and gaps[-1]["to"] == number - 1:
                gaps[-1]["to"] = number
            else:
                gaps.append({"source": source, "from": number, "to": number})
    return gaps


def document_cases(document: dict[str, Any]) -> dict[str, str]:
    return {case["id"]: case["status"] for suite in document["suites"] for case in suite["cases"]}


@st.composite
def logs_and_order(draw: Any) -> tuple[dict[str, list[StoredEvent]], list[StoredEvent]]:
    stamped = draw(with_gaps(stamp(draw(event_logs()))))
    return stamped, draw(interleavings(stamped))


@given(logs_and_order(), st.randoms(use_true_random=False))
def test_projection_matches_the_events(log_and_order: Any, random: Any) -> None:
    """Each case appears once, in its suite, with the status its attempts give it in the
    order they started; counts add up; run status, exit status, interruption and gaps are
    what the log says, whatever order the events arrive in (even within a source)."""
    _, events = log_and_order
    events = list(events)
    random.shuffle(events)
    document = project(events)
    expected = expected_statuses(events)
    assert document_cases(document) == expected
    counts = Counter(expected.values())
    summary = document["summary"]
    assert summary["total"] == len(expected)
    for status in CASE_STATUSES:
        assert summary[status] == counts[status], status
    assert document["event_log"]["events"] == len(events)
    assert document["event_log"]["gaps"] == expected_gaps(events)
    run = expected_run(events, expected)
    assert {key: document[key] for key in run} == run
    for suite in document["suites"]:
        for case in suite["cases"]:
            assert (case["suite"], case["name"]) == CASES[case["id"]]
            assert suite["id"] == case["suite"]


@given(logs_and_order())
def test_a_finished_run_passes_only_with_exit_status_0(log_and_order: Any) -> None:
    """The document never contradicts the harness: ``passed`` implies exit status 0."""
    _, events = log_and_order
    document = project(events)
    if document["status"] == "passed":
        assert document["exit_status"] == 0


@given(logs_and_order())
def test_impossible_durations_become_null_with_a_note(log_and_order: Any) -> None:
    """A NaN, infinite or negative duration is null in the document, with a note, and the
    document still validates."""
    _, events = log_and_order
    document = project(events)
    validate_document(document)
    impossible = [e for e in events
                  if isinstance(e.event, PhaseFinished | CaseFinished | SubtestFinished)
                  and not (e.event.duration >= 0 and e.event.duration != float("inf"))]
    assert bool(document["notes"]) == bool(impossible)
    for suite in document["suites"]:
        for case in suite["cases"]:
            assert case["duration"] >= 0
            for phase in case["phases"]:
                assert phase["duration"] is None or phase["duration"] >= 0


@given(logs_and_order(), st.data())
def test_duplicated_events_change_nothing(log_and_order: Any, data: st.DataObject) -> None:
    """Re-delivering events (same event_id) gives a byte-identical document."""
    _, events = log_and_order
    with_duplicates = list(events)
    for _ in range(data.draw(st.integers(0, 10))):
        if not events:
            break
        index = data.draw(st.integers(0, len(events) - 1))
        original_position = with_duplicates.index(events[index])
        insert_at = data.draw(st.integers(original_position + 1, len(with_duplicates)))
        with_duplicates.insert(insert_at, events[index])
    assert render_json(project(with_duplicates)) == render_json(project(events))


@given(logs_and_order(), st.data())
def test_any_interleaving_of_sources_gives_the_same_document(
    log_and_order: Any, data: st.DataObject
) -> None:
    """Only each source's own order matters, not how sources were interleaved."""
    stamped, events = log_and_order
    other = data.draw(interleavings(stamped))
    assert render_json(project(other)) == render_json(project(events))


@given(logs_and_order(), st.data())
def test_incremental_fold_equals_batch_fold(log_and_order: Any, data: st.DataObject) -> None:
    """Folding a prefix, rendering, then folding the rest equals folding everything."""
    _, events = log_and_order
    cut = data.draw(st.integers(0, len(events)))
    projection = RunProjection().apply_all(events[:cut])
    projection.document()  # rendering mid-way must not disturb the state
    projection.apply_all(events[cut:])
    assert render_json(projection.document()) == render_json(project(events))


@given(logs_and_order())
def test_document_validates_against_the_schema(log_and_order: Any) -> None:
    """Every document the projector can produce validates against run.schema.json."""
    _, events = log_and_order
    document = project(events)
    validate_document(document)
    json.loads(render_json(document))


@given(logs_and_order())
def test_step_trees_hold_every_recorded_step(log_and_order: Any) -> None:
    """Every step started in a case's final attempt appears once in its step tree."""
    _, events = log_and_order
    document = project(events)

    def count(steps: list[dict[str, Any]]) -> int:
        return sum(1 + count(step["steps"]) for step in steps)

    for suite in document["suites"]:
        for case in suite["cases"]:
            if not case["attempts"]:
                assert case["steps"] == []
                continue
            final = case["attempts"][-1]
            source = final["worker"] or "main"  # the generator's workers are their sources
            started = {
                e.event.step_id
                for e in events
                if type(e.event).__name__ == "StepStarted"
                and e.event.case_id == case["id"]
                and e.event.attempt == final["attempt"] and e.source == source
            }
            assert count(case["steps"]) == len(started)


@given(logs_and_order())
def test_streamed_json_equals_the_whole_document(log_and_order: Any) -> None:
    """Writing suite by suite gives the very bytes of serializing the whole document,
    and they parse back to the document."""
    _, events = log_and_order
    projection = RunProjection().apply_all(events)
    document = projection.document()
    for compact in (False, True):
        whole = render_json(document, compact=compact)
        streamed = b"".join(iter_json(projection.document_parts(), compact=compact))
        assert streamed == whole
        assert json.loads(whole) == document
        assert (whole.count(b"\n") == 1) == compact


def test_every_event_type_has_a_projector_handler() -> None:
    assert set(_HANDLERS) == set(EVENT_TYPES.values())
