"""The projector's fast path: folding the hot event types straight from their decoded
payload dicts, without building attrs event objects.

An export spends most of its time on a few event types (``case.started``,
``phase.finished``, ``case.finished``, steps). For those, a handler here reads the
payload dict and updates :class:`~recorder.document.projector.RunProjection`'s state
exactly as the event's own handler would after cattrs had structured it. It accepts
only payloads that cattrs would structure to the very same values: the current
version, every required field present, each value exactly of its declared JSON type.
Anything else (an older version to upcast, a missing or odd field, a payload that is
not an object, every other event type) returns False before touching the state, and
the caller folds that row through the full path (cattrs, upcasting, the one-line error
for a malformed row), so behaviour and messages are unchanged.

Pure, like the projector: the caller parses the rows and decodes the fallbacks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from sys import intern
from typing import Any

from recorder.document.projector import RunProjection
from recorder.document.records import End, Phase, Start, Step
from recorder.events.model import (
    CaseFinished,
    CaseStarted,
    Failure,
    PhaseFinished,
    Property,
    StepFinished,
    StepStarted,
    StoredEvent,
)

Payload = dict[str, Any]
#: ``(run_id, event_id, source, source_seq, payload)`` -> handled?
FastHandler = Callable[[RunProjection, str, str, str, int, Payload], bool]
#: What the fold reads: ``(run_id, event_id, type, version, source, source_seq, payload,
#: row)``; ``payload`` is the parsed dict (None if it would not parse), ``row`` is what
#: ``decode`` turns into a :class:`StoredEvent` when the fast path declines.
PayloadRow = tuple[str, str, str, int, str, int, Any, Any]

_PHASES = frozenset(("setup", "call", "teardown"))
_PHASE_OUTCOMES = frozenset(("passed", "failed", "skipped"))
_ATTEMPT_STATUSES = frozenset(("passed", "failed", "error", "skipped", "xfailed", "xpassed"))
_STEP_STATUSES = frozenset(("passed", "failed", "skipped"))
_NAN = math.nan


class _Odd(Exception):
    """A value the fast path does not take: fold the row the full way."""


def _text(payload: Payload, key: str, default: Any = _Odd) -> Any:
    value = payload.get(key, default)
    if type(value) is not str:
        if value is _Odd or value is not default:
            raise _Odd
    return value


def _optional_text(payload: Payload, key: str) -> str | None:
    value = payload.get(key)
    if value is not None and type(value) is not str:
        raise _Odd
    return value


def _integer(payload: Payload, key: str, default: Any = _Odd) -> Any:
    value = payload.get(key, default)
    if type(value) is not int:
        if value is _Odd or value is not default:
            raise _Odd
    return value


def _duration(payload: Payload) -> float:
    """As the codec reads a duration: null (an impossible one, written by orjson) is NaN."""
    value = payload.get("duration", _Odd)
    if type(value) is float:
        return value
    if value is None:
        return _NAN
    raise _Odd


def _failure(payload: Payload) -> Failure | None:
    value = payload.get("failure")
    if value is None:
        return None
    if type(value) is not dict:
        raise _Odd
    return Failure(_text(value, "type"), _text(value, "message"), _text(value, "traceback", ""))


def _string_dict(payload: Payload, key: str) -> dict[str, str]:
    value = payload.get(key)
    if value is None and key not in payload:
        return {}
    if type(value) is not dict or any(type(item) is not str for item in value.values()):
        raise _Odd
    return value


def _string_list(payload: Payload, key: str) -> Any:
    value = payload.get(key)
    if value is None and key not in payload:
        return ()
    if type(value) is not list or any(type(item) is not str for item in value):
        raise _Odd
    return tuple(value)


def _properties(payload: Payload) -> tuple[Property, ...]:
    value = payload.get("properties")
    if value is None and "properties" not in payload:
        return ()
    if type(value) is not list:
        raise _Odd
    found = []
    for item in value:
        if type(item) is not dict:
            raise _Odd
        found.append(Property(_text(item, "name"), _text(item, "value")))
    return tuple(found)


def _case_started(projection: RunProjection, run_id: str, event_id: str, source: str,
                  source_seq: int, payload: Payload) -> bool:
    try:
        case_id = _text(payload, "case_id")
        started_at = _text(payload, "started_at")
        attempt = _integer(payload, "attempt", 1)
        suite = _text(payload, "suite", "")
        name = _text(payload, "name", "")
        file = _optional_text(payload, "file")
        line = _integer(payload, "line", None)
        parameters = _string_dict(payload, "parameters")
        markers = _string_list(payload, "markers")
        worker = _optional_text(payload, "worker")
    except _Odd:
        return False
    if projection.admit(run_id, event_id, source, source_seq):
        projection._attempt(case_id, attempt, source).started = Start(
            started_at, intern(suite), name, None if file is None else intern(file), line,
            parameters, markers, None if worker is None else intern(worker))
    return True


def _phase_finished(projection: RunProjection, run_id: str, event_id: str, source: str,
                    source_seq: int, payload: Payload) -> bool:
    try:
        case_id = _text(payload, "case_id")
        phase = _text(payload, "phase")
        outcome = _text(payload, "outcome")
        if phase not in _PHASES or outcome not in _PHASE_OUTCOMES:
            return False
        started_at = _text(payload, "started_at")
        stopped_at = _text(payload, "stopped_at")
        duration = _duration(payload)
        attempt = _integer(payload, "attempt", 1)
        failure = _failure(payload)
        reason = _optional_text(payload, "reason")
        _optional_text(payload, "xfail_reason")
        stdout = _text(payload, "stdout", "")
        stderr = _text(payload, "stderr", "")
        log = _text(payload, "log", "")
    except _Odd:
        return False
    if projection.admit(run_id, event_id, source, source_seq):
        checked = projection._check_duration(duration, f"{case_id} attempt {attempt} {phase}")
        setattr(projection._attempt(case_id, attempt, source), phase,
                Phase(intern(outcome), started_at, stopped_at, checked, reason, failure,
                      stdout, stderr, log))
    return True


def _case_finished(projection: RunProjection, run_id: str, event_id: str, source: str,
                   source_seq: int, payload: Payload) -> bool:
    try:
        case_id = _text(payload, "case_id")
        status = _text(payload, "status")
        if status not in _ATTEMPT_STATUSES:
            return False
        duration = _duration(payload)
        _text(payload, "stopped_at")
        attempt = _integer(payload, "attempt", 1)
        reason = _optional_text(payload, "reason")
        properties = _properties(payload)
    except _Odd:
        return False
    if projection.admit(run_id, event_id, source, source_seq):
        checked = projection._check_duration(duration, f"{case_id} attempt {attempt}")
        projection._attempt(case_id, attempt, source).finished = End(
            intern(status), checked, reason, properties)
    return True


def _step_started(projection: RunProjection, run_id: str, event_id: str, source: str,
                  source_seq: int, payload: Payload) -> bool:
    try:
        event = StepStarted(
            _text(payload, "case_id"), _integer(payload, "step_id"), _text(payload, "name"),
            _text(payload, "started_at"), _integer(payload, "attempt", 1),
            _integer(payload, "parent_id", None))
    except _Odd:
        return False
    if projection.admit(run_id, event_id, source, source_seq):
        attempt = projection._attempt(event.case_id, event.attempt, source)
        if attempt.steps is None:
            attempt.steps = {}
        attempt.steps[event.step_id] = Step(event)
    return True


def _step_finished(projection: RunProjection, run_id: str, event_id: str, source: str,
                   source_seq: int, payload: Payload) -> bool:
    try:
        status = _text(payload, "status")
        if status not in _STEP_STATUSES:
            return False
        event = StepFinished(
            _text(payload, "case_id"), _integer(payload, "step_id"), status,
            _duration(payload), _integer(payload, "attempt", 1), _failure(payload))
    except _Odd:
        return False
    if projection.admit(run_id, event_id, source, source_seq):
        projection._on_step_finished(event, source)
    return True


#: ``type -> (the version its handler reads, the handler)``; a row of another version
#: goes the full way, where it is upcast.
FAST_HANDLERS: dict[str, tuple[int, FastHandler]] = {
    CaseStarted.TYPE: (CaseStarted.VERSION, _case_started),
    PhaseFinished.TYPE: (PhaseFinished.VERSION, _phase_finished),
    CaseFinished.TYPE: (CaseFinished.VERSION, _case_finished),
    StepStarted.TYPE: (StepStarted.VERSION, _step_started),
    StepFinished.TYPE: (StepFinished.VERSION, _step_finished),
}


def fold_payloads(projection: RunProjection, rows: Iterable[PayloadRow],
                  decode: Callable[[Any], StoredEvent]) -> int:
    """Fold ``rows`` into ``projection``: each by its fast handler when it has one that
    takes it, else ``decode(row)`` folded the full way. The number of rows read."""
    handlers = FAST_HANDLERS
    apply = projection.apply
    count = 0
    for run_id, event_id, type_name, version, source, source_seq, payload, row in rows:
        count += 1
        entry = handlers.get(type_name)
        if (entry is not None and entry[0] == version and type(payload) is dict
                and entry[1](projection, run_id, event_id, source, source_seq, payload)):
            continue
        apply(decode(row))
    return count
