"""A case rendered straight into its on-disk form (:mod:`recorder.document.shape`), from
the fold's records, without building the full form first.

:func:`compact_case_view` gives exactly ``compact_case(full)`` for the full form the
projector renders (:func:`recorder.document.case_view.render_case`), key order
included; a Hypothesis property holds it to that. Pure, like the projector."""

from __future__ import annotations

import datetime as dt
from typing import Any

from recorder.document import Document
from recorder.document.case_view import (
    attempt_failure,
    crash_failure,
    crashed_case,
    not_run_case,
    phase_failure,
    render_attempts,
    render_properties,
    render_steps,
    render_subtests,
    render_warnings,
)
from recorder.document.records import Attempt
from recorder.document.shape import compact_case, offset_us, parsed_stamp, same_dict
from recorder.events.model import CaseCrashed
from recorder.events.nodeid import file_of, split_nodeid

#: A phase's expected name after the previous one (:func:`recorder.document.shape._next_phase`).
_NEXT_PHASE: dict[str | None, str | None] = {None: "setup", "setup": "call",
                                             "call": "teardown", "teardown": None}


def compact_case_view(case_id: str, status: str, duration: float, suite: str,
                      attempts: dict[Any, Attempt] | None, crash: CaseCrashed | None
                      ) -> Document:
    """The on-disk form of one case; ``status``, ``duration`` and ``suite`` are its
    outline (``RunProjection._case_outline``)."""
    if attempts is None:
        return compact_case(crashed_case(crash) if crash is not None else not_run_case(case_id))
    if len(attempts) == 1:
        ordered = list(attempts.values())
    else:
        ordered = sorted(attempts.values(), key=Attempt.order_key)
    final = ordered[-1]
    started = next((a.started for a in reversed(ordered) if a.started), None)
    failure = attempt_failure(final)
    reason = final.finished.reason if final.finished else None
    overridden = False
    if status == "incomplete" and crash is not None:
        failure, reason, overridden = crash_failure(crash), crash.message, True
    derived_suite, derived_name = split_nodeid(case_id)

    out: Document = {"id": case_id}
    name = started.name if started and started.name else derived_name
    if name != derived_name:
        out["name"] = name
    if suite != derived_suite:
        out["suite"] = suite
    file = started.file if started else file_of(case_id)
    if file is None or file != file_of(case_id):
        out["file"] = file
    if started is not None:
        if started.line is not None:
            out["line"] = started.line
        if started.parameters:
            out["parameters"] = dict(started.parameters)
        if started.markers:
            out["markers"] = list(started.markers)
    out["status"] = status
    final_start = final.started
    started_at = final_start.started_at if final_start else None
    if started_at is not None:
        out["started_at"] = started_at
    out["duration"] = duration
    worker = final_start.worker if final_start else None
    if worker is not None:
        out["worker"] = worker
    if reason is not None:
        out["reason"] = reason
    if failure is not None:
        out["failure"] = failure
    phases = _compact_phases(final, started_at)
    if phases:
        out["phases"] = phases
    if final.steps:
        out["steps"] = render_steps(final)
    if final.subtests:
        out["subtests"] = render_subtests(final)
    if final.warnings:
        out["warnings"] = render_warnings(final)
    if final.finished is not None and final.finished.properties:
        out["properties"] = render_properties(final)
    if len(ordered) == 1 and final.number == 1 and not overridden and final.status == status:
        # The one attempt repeats the case (its duration and failure are the case's own):
        # left out, as compact_case leaves out an attempt it can rebuild.
        return out
    rendered = render_attempts(ordered)
    if len(rendered) != 1 or not same_dict(rendered[0], {
            "attempt": 1, "status": status, "started_at": started_at, "duration": duration,
            "worker": worker, "failure": failure}):
        out["attempts"] = rendered
    return out


def _compact_phases(attempt: Attempt, case_started_at: str | None) -> list[Document]:
    """``shape._compact_phases(render_phases(attempt), ...)``, without the full form."""
    case_start = parsed_stamp(case_started_at)
    case_us = _base_us(case_started_at, case_start) if case_start is not None else None
    out: list[Document] = []
    previous: str | None = None
    for name, phase in attempt.phases():
        compact: Document = {}
        if name != _NEXT_PHASE[previous]:
            compact["name"] = name
        if phase.outcome != "passed":
            compact["outcome"] = phase.outcome
        started_at = phase.started_at
        stopped_at = phase.stopped_at
        start_us = None if case_us is None else _stamp_us(started_at, case_started_at)
        if start_us is not None:  # the common case, in plain arithmetic
            compact["start_us"] = start_us - case_us  # type: ignore[operator]
            stop_us = _stamp_us(stopped_at, started_at)
            if stop_us is not None:
                compact["stop_us"] = stop_us - start_us
            else:
                _stop_offset(compact, parsed_stamp(started_at), stopped_at)
        else:
            started = parsed_stamp(started_at)
            offset = offset_us(case_start, started_at, started)
            if offset is None:
                compact["started_at"] = started_at
            else:
                compact["start_us"] = offset
            _stop_offset(compact, started, stopped_at)
        compact["duration"] = phase.duration
        if phase.reason is not None:
            compact["reason"] = phase.reason
        if phase.failure is not None:
            compact["failure"] = phase_failure(phase.failure, name)
        if phase.stdout != "":
            compact["stdout"] = phase.stdout
        if phase.stderr != "":
            compact["stderr"] = phase.stderr
        if phase.log != "":
            compact["log"] = phase.log
        out.append(compact)
        previous = name
    return out


def _stop_offset(compact: Document, started: dt.datetime | None, stopped_at: str) -> None:
    offset = offset_us(started, stopped_at, parsed_stamp(stopped_at))
    if offset is None:
        compact["stopped_at"] = stopped_at
    else:
        compact["stop_us"] = offset


# The offsets of timestamps as the recorder writes them (``datetime.isoformat`` of a UTC
# time: ``2026-01-01T10:00:00.123456+00:00``) that share the hour of the timestamp they
# are counted from come from their digits; any other goes the way shape.py defines.


def _base_us(stamp: Any, parsed: dt.datetime) -> int | None:
    """Microseconds into its hour of a valid (``parsed``) timestamp laid out
    ``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00``; None for any other layout."""
    length = len(stamp)
    if length == 32 and stamp[19] == ".":
        fraction = stamp[20:26]
    elif length == 25:
        fraction = "0"
    else:
        return None
    if (stamp[length - 6:] != "+00:00" or stamp[4] != "-" or stamp[7] != "-"
            or stamp[10] != "T" or stamp[13] != ":" or stamp[16] != ":"
            or not stamp.isascii()
            or not (stamp[:4] + stamp[5:7] + stamp[8:10] + stamp[11:13] + stamp[14:16]
                    + stamp[17:19] + fraction).isdigit()):
        return None
    return (int(stamp[14:16]) * 60 + int(stamp[17:19])) * 1_000_000 + int(fraction)


def _stamp_us(stamp: str, base: Any) -> int | None:
    """Microseconds into the hour of ``stamp``, if it is ``isoformat``'s very text of a
    UTC time with microseconds in the hour of ``base`` (a timestamp :func:`_base_us`
    takes): then adding its offset from ``base`` to ``base`` formats back to it."""
    if (len(stamp) != 32 or stamp[:14] != base[:14] or stamp[26:] != "+00:00"
            or stamp[16] != ":" or stamp[19] != "."):
        return None
    digits = stamp[14:16] + stamp[17:19] + stamp[20:26]  # MMSSffffff
    if (not digits.isascii() or not digits.isdigit() or digits[4:] == "000000"
            or digits[:2] > "59" or digits[2:4] > "59"):
        return None
    number = int(digits)
    return number // 100_000_000 * 60_000_000 + number % 100_000_000
