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
    StoredEvent,
)
from recorder.export.rendering import iter_json, render_json
from tests.strategies import event_logs, interleavings, stamp


def expected_statuses(events: list[StoredEvent]) -> dict[str, str]:
    """A direct oracle: each case's status from its final attempt in the log."""
    attempts: dict[str, dict[tuple[int, str], str]] = {}
    collected: set[str] = set()
    crashed: set[str] = set()
    for stored in events:
        event: Event = stored.event
        if isinstance(event, CaseStarted):
            attempts.setdefault(event.case_id, {})[(event.attempt, stored.source)] = "incomplete"
        elif isinstance(event, CaseFinished):
            attempts.setdefault(event.case_id, {})[(event.attempt, stored.source)] = event.status
        elif isinstance(event, CollectionFinished):
            collected.update(event.case_ids)
        elif isinstance(event, CaseCrashed):
            crashed.add(event.case_id)
    statuses = {}
    for case_id, by_attempt in attempts.items():
        ordered = [by_attempt[key] for key in sorted(by_attempt)]
        final = ordered[-1]
        if final == "passed" and {"failed", "error"} & set(ordered[:-1]):
            final = "flaky"
        statuses[case_id] = final
    for case_id in crashed - attempts.keys():
        statuses[case_id] = "incomplete"
    for case_id in collected - attempts.keys() - crashed:
        statuses[case_id] = "not_run"
    return statuses


def document_cases(document: dict[str, Any]) -> dict[str, str]:
    return {case["id"]: case["status"] for suite in document["suites"] for case in suite["cases"]}


@st.composite
def logs_and_order(draw: Any) -> tuple[dict[str, list[StoredEvent]], list[StoredEvent]]:
    stamped = stamp(draw(event_logs()))
    return stamped, draw(interleavings(stamped))


@given(logs_and_order())
def test_projection_matches_the_events(log_and_order: Any) -> None:
    """Each case appears once with its final attempt's status; counts add up."""
    _, events = log_and_order
    document = project(events)
    expected = expected_statuses(events)
    assert document_cases(document) == expected
    counts = Counter(expected.values())
    summary = document["summary"]
    assert summary["total"] == len(expected)
    for status in CASE_STATUSES:
        assert summary[status] == counts[status], status
    assert document["event_log"]["events"] == len(events)


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
            final = case["attempts"][-1]["attempt"]
            started = {
                e.event.step_id
                for e in events
                if type(e.event).__name__ == "StepStarted"
                and e.event.case_id == case["id"]
                and e.event.attempt == final
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
