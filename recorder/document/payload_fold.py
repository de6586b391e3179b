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

Pure, like the projector: the caller hands in the parser and the full decoder.
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
    CIInfo,
    CollectionError,
    CollectionFinished,
    Environment,
    Failure,
    GitInfo,
    PhaseFinished,
    Property,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    StoredEvent,
)

Payload = dict[str, Any]
#: ``(run_id, event_id, source, source_seq, payload)`` -> handled?
FastHandler = Callable[[RunProjection, str, str, str, int, Payload], bool]
#: A stored row as the store reads it: ``(seq, event_id, run_id, type, version, source,
#: source_seq, recorded_at, payload text)``.
Row = tuple[int, str, str, str, int, str, int, str, str]

_PHASES = frozenset(("setup", "call", "teardown"))
_PHASE_OUTCOMES = frozenset(("passed", "failed", "skipped"))
_ATTEMPT_STATUSES = frozenset(("passed", "failed", "error", "skipped", "xfailed", "xpassed"))
_STEP_STATUSES = frozenset(("passed", "failed", "skipped"))
_NAN = math.nan
_INF = math.inf  # a possible duration d is 0 <= d < inf (NaN is neither)
_ABSENT: Any = object()  # a key not in the payload (where None would be a value)


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


def _failure(value: Any) -> Failure:
    if type(value) is not dict:
        raise _Odd
    return Failure(_text(value, "type"), _text(value, "message"), _text(value, "traceback", ""))


def _optional_failure(payload: Payload) -> Failure | None:
    value = payload.get("failure")
    return None if value is None else _failure(value)


def _string_dict(value: Any) -> dict[str, str]:
    if type(value) is not dict or any(type(item) is not str for item in value.values()):
        raise _Odd
    return value


def _string_tuple(value: Any) -> tuple[str, ...]:
    if type(value) is not list or any(type(item) is not str for item in value):
        raise _Odd
    return tuple(value)


def _properties(value: Any) -> tuple[Property, ...]:
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
    get = payload.get
    case_id = get("case_id")
    started_at = get("started_at")
    attempt = get("attempt", 1)
    suite = get("suite", "")
    name = get("name", "")
    file = get("file")
    line = get("line")
    parameters = get("parameters", _ABSENT)
    markers = get("markers", _ABSENT)
    worker = get("worker")
    if (type(case_id) is not str or type(started_at) is not str or type(attempt) is not int
            or type(suite) is not str or type(name) is not str
            or (file is not None and type(file) is not str)
            or (line is not None and type(line) is not int)
            or (worker is not None and type(worker) is not str)):
        return False
    try:
        parameters = {} if parameters is _ABSENT else _string_dict(parameters)
        markers = () if markers is _ABSENT else _string_tuple(markers)
    except _Odd:
        return False
    if projection.admit(run_id, event_id, source, source_seq):
        projection._attempt(case_id, attempt, source).started = Start(
            started_at, intern(suite), name, None if file is None else intern(file), line,
            parameters, markers, None if worker is None else intern(worker))
    return True


def _phase_finished(projection: RunProjection, run_id: str, event_id: str, source: str,
                    source_seq: int, payload: Payload) -> bool:
    if len(payload) == 6:
        # Most payloads hold only the six required fields (the emitter leaves defaults
        # out): read with fewer lookups, under the same checks as below.
        try:
            case_id = payload["case_id"]
            phase = payload["phase"]
            outcome = payload["outcome"]
            started_at = payload["started_at"]
            stopped_at = payload["stopped_at"]
            duration = payload["duration"]
        except KeyError:
            pass  # another six: the general checks below
        else:
            if (type(case_id) is str and type(phase) is str and phase in _PHASES
                    and type(outcome) is str and outcome in _PHASE_OUTCOMES
                    and type(started_at) is str and type(stopped_at) is str
                    and type(duration) is float):
                if projection.admit(run_id, event_id, source, source_seq):
                    checked = (duration if 0.0 <= duration < _INF else
                               projection._check_duration(duration, f"{case_id} attempt 1 {phase}"))
                    setattr(projection._attempt(case_id, 1, source), phase,
                            Phase(intern(outcome), started_at, stopped_at, checked, None, None,
                                  "", "", ""))
                return True
    get = payload.get
    case_id = get("case_id")
    phase = get("phase")
    outcome = get("outcome")
    started_at = get("started_at")
    stopped_at = get("stopped_at")
    duration = get("duration", _ABSENT)
    attempt = get("attempt", 1)
    failure = get("failure")
    reason = get("reason")
    xfail_reason = get("xfail_reason")
    stdout = get("stdout", "")
    stderr = get("stderr", "")
    log = get("log", "")
    if (type(case_id) is not str or type(phase) is not str or phase not in _PHASES
            or type(outcome) is not str or outcome not in _PHASE_OUTCOMES
            or type(started_at) is not str or type(stopped_at) is not str
            or type(attempt) is not int or type(stdout) is not str
            or type(stderr) is not str or type(log) is not str
            or (reason is not None and type(reason) is not str)
            or (xfail_reason is not None and type(xfail_reason) is not str)):
        return False
    if type(duration) is not float:
        if duration is not None:
            return False
        duration = _NAN  # an impossible duration, written as null: read as the codec does
    if failure is not None:
        try:
            failure = _failure(failure)
        except _Odd:
            return False
    if projection.admit(run_id, event_id, source, source_seq):
        checked = duration if 0.0 <= duration < _INF else projection._check_duration(
            duration, f"{case_id} attempt {attempt} {phase}")
        setattr(projection._attempt(case_id, attempt, source), phase,
                Phase(intern(outcome), started_at, stopped_at, checked, reason, failure,
                      stdout, stderr, log))
    return True


def _case_finished(projection: RunProjection, run_id: str, event_id: str, source: str,
                   source_seq: int, payload: Payload) -> bool:
    get = payload.get
    case_id = get("case_id")
    status = get("status")
    duration = get("duration", _ABSENT)
    stopped_at = get("stopped_at")
    attempt = get("attempt", 1)
    reason = get("reason")
    properties = get("properties", _ABSENT)
    if (type(case_id) is not str or type(status) is not str
            or status not in _ATTEMPT_STATUSES or type(stopped_at) is not str
            or type(attempt) is not int or (reason is not None and type(reason) is not str)):
        return False
    if type(duration) is not float:
        if duration is not None:
            return False
        duration = _NAN
    try:
        properties = () if properties is _ABSENT else _properties(properties)
    except _Odd:
        return False
    if projection.admit(run_id, event_id, source, source_seq):
        checked = duration if 0.0 <= duration < _INF else projection._check_duration(
            duration, f"{case_id} attempt {attempt}")
        projection._attempt(case_id, attempt, source).finished = End(
            intern(status), checked, reason, properties)
        projection._case_done(case_id)
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
            _duration(payload), _integer(payload, "attempt", 1), _optional_failure(payload))
    except _Odd:
        return False
    if projection.admit(run_id, event_id, source, source_seq):
        projection._on_step_finished(event, source)
    return True


def _optional_texts(payload: Payload, *keys: str) -> list[str | None]:
    values = [payload.get(key) for key in keys]
    if any(value is not None and type(value) is not str for value in values):
        raise _Odd
    return values


def _environment(payload: Payload) -> Environment:
    value = payload.get("environment", _ABSENT)
    if value is _ABSENT:
        return Environment()
    if type(value) is not dict:
        raise _Odd
    git, ci = value.get("git", _ABSENT), value.get("ci", _ABSENT)
    if git is _ABSENT:
        git_info = GitInfo()
    elif type(git) is dict:
        dirty = git.get("dirty")
        if dirty is not None and type(dirty) is not bool:
            raise _Odd
        commit, branch = _optional_texts(git, "commit", "branch")
        git_info = GitInfo(commit, branch, dirty)
    else:
        raise _Odd
    if ci is _ABSENT:
        ci_info = CIInfo()
    elif type(ci) is dict:
        provider, ci_run, job, url = _optional_texts(ci, "provider", "run_id", "job", "url")
        ci_info = CIInfo(provider, ci_run, job, url)
    else:
        raise _Odd
    host, system, python, implementation = _optional_texts(value, "host", "os", "python",
                                                           "python_implementation")
    return Environment(host, system, python, implementation, git_info, ci_info)


def _run_started(projection: RunProjection, run_id: str, event_id: str, source: str,
                 source_seq: int, payload: Payload) -> bool:
    try:
        labels = payload.get("labels", _ABSENT)
        arguments = payload.get("arguments", _ABSENT)
        event = RunStarted(
            _text(payload, "project"), _text(payload, "started_at"),
            _text(payload, "tool", "pytest"), _text(payload, "tool_version", ""),
            _text(payload, "recorder_version", ""), _environment(payload),
            {} if labels is _ABSENT else _string_dict(labels),
            _optional_text(payload, "shard"),
            () if arguments is _ABSENT else _string_tuple(arguments))
    except _Odd:
        return False
    if projection.admit(run_id, event_id, source, source_seq):
        projection._on_run_started(event, source)
    return True


def _run_finished(projection: RunProjection, run_id: str, event_id: str, source: str,
                  source_seq: int, payload: Payload) -> bool:
    interrupted = payload.get("interrupted", False)
    if type(interrupted) is not bool:
        return False
    try:
        event = RunFinished(_integer(payload, "exit_status"), _text(payload, "finished_at"),
                            _duration(payload), interrupted, _optional_text(payload, "reason"))
    except _Odd:
        return False
    if projection.admit(run_id, event_id, source, source_seq):
        projection._on_run_finished(event, source)
    return True


def _collection_finished(projection: RunProjection, run_id: str, event_id: str,
                         source: str, source_seq: int, payload: Payload) -> bool:
    case_ids = payload.get("case_ids", _ABSENT)
    errors = payload.get("errors", _ABSENT)
    try:
        found: list[CollectionError] = []
        if errors is not _ABSENT:
            if type(errors) is not list:
                return False
            for error in errors:
                if type(error) is not dict:
                    return False
                found.append(CollectionError(_text(error, "nodeid"), _text(error, "message")))
        event = CollectionFinished(_integer(payload, "collected"),
                                   () if case_ids is _ABSENT else _string_tuple(case_ids),
                                   tuple(found), _integer(payload, "deselected", 0))
    except _Odd:
        return False
    if projection.admit(run_id, event_id, source, source_seq):
        projection._on_collection_finished(event, source)
    return True


#: ``type -> (the version its handler reads, the handler)``; a row of another version
#: goes the full way, where it is upcast.
FAST_HANDLERS: dict[str, tuple[int, FastHandler]] = {
    CaseStarted.TYPE: (CaseStarted.VERSION, _case_started),
    PhaseFinished.TYPE: (PhaseFinished.VERSION, _phase_finished),
    CaseFinished.TYPE: (CaseFinished.VERSION, _case_finished),
    StepStarted.TYPE: (StepStarted.VERSION, _step_started),
    StepFinished.TYPE: (StepFinished.VERSION, _step_finished),
    RunStarted.TYPE: (RunStarted.VERSION, _run_started),
    RunFinished.TYPE: (RunFinished.VERSION, _run_finished),
    CollectionFinished.TYPE: (CollectionFinished.VERSION, _collection_finished),
}


#: What :func:`fold_envelopes` reads of a row: ``(seq, event_id, type, version, source,
#: source_seq, payload text)``, all of one run.
Envelope = tuple[int, str, str, int, str, int, str]


def fold_envelopes(projection: RunProjection, run_id: str, envelopes: Iterable[Envelope],
                   loads: Callable[[str], Any], decode: Callable[[Envelope], StoredEvent]
                   ) -> int:
    """:func:`fold_rows` for rows of run ``run_id`` read without their run id and
    ``recorded_at`` (``decode(envelope)`` reads the full event where one is needed).
    The number of rows read."""
    handlers = FAST_HANDLERS
    apply = projection.apply
    count = 0
    for envelope in envelopes:
        count += 1
        _, event_id, type_name, version, source, source_seq, text = envelope
        entry = handlers.get(type_name)
        if entry is not None and entry[0] == version:
            try:
                payload = loads(text)
            except ValueError:
                payload = None
            if type(payload) is dict and entry[1](projection, run_id, event_id, source,
                                                  source_seq, payload):
                continue
        apply(decode(envelope))
    return count


def fold_rows(projection: RunProjection, rows: Iterable[Row],
              loads: Callable[[str], Any], decode: Callable[[Row], StoredEvent]) -> int:
    """Fold stored ``rows`` into ``projection``, each by its fast handler on
    ``loads(payload)`` when it has one that takes it, else ``decode(row)`` folded the
    full way (``loads`` raising ValueError sends the row that way too). The number of
    rows read."""
    handlers = FAST_HANDLERS
    apply = projection.apply
    count = 0
    for row in rows:
        count += 1
        entry = handlers.get(row[3])
        if entry is not None and entry[0] == row[4]:
            try:
                payload = loads(row[8])
            except ValueError:
                payload = None
            if type(payload) is dict and entry[1](projection, row[2], row[1], row[5], row[6],
                                                  payload):
                continue
        apply(decode(row))
    return count
