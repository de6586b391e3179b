"""A shortcut past cattrs for the most frequent event, ``phase.finished`` (over half
of a run's rows): a payload of the current version whose every field already has its
exact type is built directly. Anything else (a wrong type, a missing key, an unknown
literal) returns None and goes the general way (:func:`recorder.events.codec.structure`),
which converts or explains it, so the result never differs from cattrs'."""

from __future__ import annotations

import math
from typing import Any

from recorder.events.model import Failure, PhaseFinished

_PHASES = frozenset(("setup", "call", "teardown"))
_OUTCOMES = frozenset(("passed", "failed", "skipped"))
_MISSING = object()


def phase_finished(payload: Any) -> PhaseFinished | None:
    """``payload`` (version 1) as a :class:`PhaseFinished`, or None to take the slow way."""
    if type(payload) is not dict:
        return None
    get = payload.get
    case_id = get("case_id")
    phase = get("phase")
    outcome = get("outcome")
    started_at = get("started_at")
    stopped_at = get("stopped_at")
    duration = get("duration", _MISSING)
    if (type(case_id) is not str or type(started_at) is not str
            or type(stopped_at) is not str or type(phase) is not str
            or type(outcome) is not str or phase not in _PHASES or outcome not in _OUTCOMES):
        return None
    if duration is None:
        duration = math.nan
    elif type(duration) is float or type(duration) is int:
        duration = float(duration)
    else:
        return None
    attempt = get("attempt", 1)
    failure = get("failure")
    reason = get("reason")
    xfail_reason = get("xfail_reason")
    stdout = get("stdout", "")
    stderr = get("stderr", "")
    log = get("log", "")
    if (type(attempt) is not int or type(stdout) is not str or type(stderr) is not str
            or type(log) is not str or (reason is not None and type(reason) is not str)
            or (xfail_reason is not None and type(xfail_reason) is not str)):
        return None
    if failure is not None:
        failure = _failure(failure)
        if failure is None:
            return None
    return PhaseFinished(case_id, phase, outcome, started_at, stopped_at,  # type: ignore[arg-type]
                         duration, attempt, failure, reason, xfail_reason, stdout, stderr, log)


def _failure(data: Any) -> Failure | None:
    if type(data) is not dict:
        return None
    kind = data.get("type")
    message = data.get("message")
    traceback = data.get("traceback", "")
    if type(kind) is not str or type(message) is not str or type(traceback) is not str:
        return None
    return Failure(kind, message, traceback)
