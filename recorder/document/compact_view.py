"""A case rendered straight into its on-disk form (:mod:`recorder.document.shape`), from
the fold's records, without building the full form first.

:func:`compact_case_view` gives exactly ``compact_case(full)`` for the full form the
projector renders (:func:`recorder.document.case_view.render_case`), key order
included; a Hypothesis property holds it to that. Pure, like the projector."""

from __future__ import annotations

import datetime as dt
import re
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
from recorder.events.nodeid import split_nodeid

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
    ordered: list[Attempt] | None
    if len(attempts) == 1:  # the common case: no sort, and the start is the attempt's own
        (final,) = attempts.values()
        ordered = None
        started = final.started
    else:
        ordered = sorted(attempts.values(), key=Attempt.order_key)
        final = ordered[-1]
        started = next((a.started for a in reversed(ordered) if a.started), None)
    setup, call, teardown = final.setup, final.call, final.teardown
    if ((setup is not None and setup.outcome == "failed")
            or (call is not None and call.outcome == "failed")
            or (teardown is not None and teardown.outcome == "failed")):
        failure = attempt_failure(final)
    else:
        failure = None  # what attempt_failure gives when no phase failed
    finished = final.finished
    reason = finished.reason if finished is not None else None
    overridden = False
    if status == "incomplete" and crash is not None:
        failure, reason, overridden = crash_failure(crash), crash.message, True
    derived_suite, derived_name = split_nodeid(case_id)
    derived_file = case_id.partition("::")[0]  # file_of(case_id)

    out: Document = {"id": case_id}
    if started is not None:
        name = started.name or derived_name
        if name != derived_name:
            out["name"] = name
        if suite != derived_suite:
            out["suite"] = suite
        file = started.file
        if file is None or file != derived_file:
            out["file"] = file
        if started.line is not None:
            out["line"] = started.line
        if started.parameters:
            out["parameters"] = dict(started.parameters)
        if started.markers:
            out["markers"] = list(started.markers)
    elif suite != derived_suite:
        out["suite"] = suite
    out["status"] = status
    final_start = final.started
    started_at = final_start.started_at if final_start is not None else None
    if started_at is not None:
        out["started_at"] = started_at
    out["duration"] = duration
    worker = final_start.worker if final_start is not None else None
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
    if finished is not None and finished.properties:
        out["properties"] = render_properties(final)
    if ordered is None and final.number == 1 and not overridden and final.status == status:
        # The one attempt repeats the case (its duration and failure are the case's own):
        # left out, as compact_case leaves out an attempt it can rebuild.
        return out
    rendered = render_attempts(ordered if ordered is not None else (final,))
    if len(rendered) != 1 or not same_dict(rendered[0], {
            "attempt": 1, "status": status, "started_at": started_at, "duration": duration,
            "worker": worker, "failure": failure}):
        out["attempts"] = rendered
    return out


def _compact_phases(attempt: Attempt, case_started_at: str | None) -> list[Document]:
    """``shape._compact_phases(render_phases(attempt), ...)``, without the full form."""
    case_start = parsed_stamp(case_started_at)
    case_us = _base_us(case_started_at, case_start) if case_start is not None else None
    case_hour = case_started_at[:14] if case_us is not None else None  # type: ignore[index]
    out: list[Document] = []
    previous: str | None = None
    # The last timestamp read and its microseconds into the hour (a phase mostly starts
    # when the one before it stopped): read once.
    last_stamp: str | None = None
    last_us: int | None = None
    for name, phase in (("setup", attempt.setup), ("call", attempt.call),
                        ("teardown", attempt.teardown)):
        if phase is None:
            continue
        started_at = phase.started_at
        stopped_at = phase.stopped_at
        start_us: int | None = None
        if case_hour is not None and started_at[:14] == case_hour:
            if started_at == last_stamp:
                start_us = last_us
            else:
                start_us = _hour_us(started_at)
        if start_us is not None:  # the common case, in plain arithmetic
            if stopped_at[:14] == started_at[:14]:
                stop_us = last_us = _hour_us(stopped_at)
                last_stamp = stopped_at
            else:
                stop_us = None
            if (name == _NEXT_PHASE[previous] and phase.outcome == "passed"
                    and phase.reason is None and phase.failure is None and phase.stdout == ""
                    and phase.stderr == "" and phase.log == "" and stop_us is not None):
                out.append({"start_us": start_us - case_us,  # type: ignore[operator]
                            "stop_us": stop_us - start_us, "duration": phase.duration})
                previous = name
                continue
            compact = _named(name, previous, phase.outcome)
            compact["start_us"] = start_us - case_us  # type: ignore[operator]
            if stop_us is not None:
                compact["stop_us"] = stop_us - start_us
            else:
                _stop_offset(compact, parsed_stamp(started_at), stopped_at)
        else:
            compact = _named(name, previous, phase.outcome)
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


def _named(name: str, previous: str | None, outcome: str) -> Document:
    """A compact phase's first keys: its name unless it is the expected next one, its
    outcome unless passed."""
    compact: Document = {}
    if name != _NEXT_PHASE[previous]:
        compact["name"] = name
    if outcome != "passed":
        compact["outcome"] = outcome
    return compact


def _stop_offset(compact: Document, started: dt.datetime | None, stopped_at: str) -> None:
    offset = offset_us(started, stopped_at, parsed_stamp(stopped_at))
    if offset is None:
        compact["stopped_at"] = stopped_at
    else:
        compact["stop_us"] = offset


# The offsets of timestamps as the recorder writes them (``datetime.isoformat`` of a UTC
# time: ``2026-01-01T10:00:00.123456+00:00``) that share the hour of the timestamp they
# are counted from come from their digits; any other goes the way shape.py defines.


#: ``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00`` in ASCII digits: minutes, seconds, fraction.
_BASE_LAYOUT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:([0-9]{2}):([0-9]{2})"
                          r"(?:\.([0-9]{6}))?\+00:00")


def _base_us(stamp: Any, parsed: dt.datetime) -> int | None:
    """Microseconds into its hour of a valid (``parsed``) timestamp laid out
    ``YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00``; None for any other layout."""
    found = _BASE_LAYOUT.fullmatch(stamp)
    if found is None:
        return None
    minutes, seconds, fraction = found.groups()
    return (int(minutes) * 60 + int(seconds)) * 1_000_000 + (int(fraction) if fraction else 0)


def _hour_us(stamp: str) -> int | None:
    """Microseconds into its hour of ``stamp``, if it is ``isoformat``'s very text of a
    UTC time with microseconds (``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``, the fraction not
    all zeros, which ``isoformat`` would leave out). Only the minutes, seconds and
    fraction are read: the caller has checked that ``stamp`` shares its first 14
    characters (up to the hour) with a valid timestamp, so adding this stamp's offset
    from that one to it formats back to ``stamp``."""
    if (len(stamp) != 32 or stamp[26:] != "+00:00" or stamp[16] != ":" or stamp[19] != "."):
        return None
    digits = stamp[14:16] + stamp[17:19] + stamp[20:26]  # MMSSffffff
    if (not digits.isascii() or not digits.isdigit() or digits[4:] == "000000"
            or digits[:2] > "59" or digits[2:4] > "59"):
        return None
    number = int(digits)
    return number // 100_000_000 * 60_000_000 + number % 100_000_000
