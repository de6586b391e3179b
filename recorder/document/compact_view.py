"""A case rendered straight into its on-disk form (:mod:`recorder.document.shape`), from
the fold's records, without building the full form first.

:func:`compact_case_view` gives exactly ``compact_case(full)`` for the full form the
projector renders (``RunProjection._render_case``), key order included; a Hypothesis
property holds it to that. Pure, like the projector."""

from __future__ import annotations

from typing import Any

from recorder.document import Document
from recorder.document.case_view import (
    attempt_duration,
    attempt_failure,
    crash_failure,
    crashed_case,
    not_run_case,
    phase_failure,
    render_properties,
    render_steps,
    render_subtests,
    render_warnings,
)
from recorder.document.records import Attempt
from recorder.document.shape import _offset_us, _parsed, _same_dict, compact_case
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
    if status == "incomplete" and crash is not None:
        failure, reason = crash_failure(crash), crash.message
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
    steps = render_steps(final)
    if steps:
        out["steps"] = steps
    subtests = render_subtests(final)
    if subtests:
        out["subtests"] = subtests
    warnings = render_warnings(final)
    if warnings:
        out["warnings"] = warnings
    properties = render_properties(final)
    if properties:
        out["properties"] = properties
    rendered = [
        {
            "attempt": attempt.number,
            "status": attempt.status,
            "started_at": attempt.started.started_at if attempt.started else None,
            "duration": attempt_duration(attempt),
            "worker": attempt.started.worker if attempt.started else None,
            "failure": attempt_failure(attempt),
        }
        for attempt in ordered
    ]
    if len(rendered) != 1 or not _same_dict(rendered[0], {
            "attempt": 1, "status": status, "started_at": started_at, "duration": duration,
            "worker": worker, "failure": failure}):
        out["attempts"] = rendered
    return out


def _compact_phases(attempt: Attempt, case_started_at: str | None) -> list[Document]:
    """``shape._compact_phases(render_phases(attempt), ...)``, without the full form."""
    case_start = _parsed(case_started_at)
    out: list[Document] = []
    previous: str | None = None
    for name, phase in attempt.phases():
        compact: Document = {}
        if name != _NEXT_PHASE[previous]:
            compact["name"] = name
        if phase.outcome != "passed":
            compact["outcome"] = phase.outcome
        started_at = phase.started_at
        started = _parsed(started_at)
        offset = _offset_us(case_start, started_at, started)
        if offset is None:
            compact["started_at"] = started_at
        else:
            compact["start_us"] = offset
        stopped_at = phase.stopped_at
        offset = _offset_us(started, stopped_at, _parsed(stopped_at))
        if offset is None:
            compact["stopped_at"] = stopped_at
        else:
            compact["stop_us"] = offset
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
