"""Rendering the fold's records into the document's JSON-ready parts: a case's phases,
steps and failure, a crashed or never-run case, the environment, the interruption.
Pure, like the projector that calls it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from recorder.document import Document
from recorder.document.records import Attempt, Step
from recorder.document.status import CASE_STATUSES
from recorder.events.durations import possible_duration
from recorder.events.model import (
    CaseCrashed,
    Failure,
    RunFinished,
    RunStarted,
)
from recorder.events.nodeid import file_of, split_nodeid


def count_statuses(statuses: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(CASE_STATUSES, 0)
    total = 0
    for status in statuses:
        counts[status] += 1
        total += 1
    return {"total": total, **counts}


def crash_failure(crash: CaseCrashed) -> Document:
    return {"phase": "call", "type": "WorkerCrashed", "message": crash.message, "traceback": ""}


def crashed_case(crash: CaseCrashed) -> Document:
    """A case known only from its worker's crash report (its start was never stored)."""
    case = not_run_case(crash.case_id)
    case.update(status="incomplete", worker=crash.worker, reason=crash.message,
                failure=crash_failure(crash))
    return case


def not_run_case(case_id: str) -> Document:
    suite, name = split_nodeid(case_id)
    return {
        "id": case_id,
        "name": name,
        "suite": suite,
        "file": file_of(case_id),
        "line": None,
        "parameters": {},
        "markers": [],
        "status": "not_run",
        "started_at": None,
        "duration": 0.0,
        "worker": None,
        "reason": None,
        "failure": None,
        "phases": [],
        "steps": [],
        "subtests": [],
        "warnings": [],
        "properties": [],
        "attempts": [],
    }


def attempt_duration(attempt: Attempt) -> float:
    """The attempt's own duration; the sum of its phases' when it never finished or its
    recorded duration was impossible (the projector notes that)."""
    if attempt.finished is not None and attempt.finished.duration is not None:
        return attempt.finished.duration
    return sum(phase.duration for _, phase in attempt.phases() if phase.duration is not None)


def phase_failure(failure: Failure | None, phase: str) -> Document | None:
    if failure is None:
        return None
    return {
        "phase": phase,
        "type": failure.type,
        "message": failure.message,
        "traceback": failure.traceback,
    }


def plain_failure(failure: Failure | None) -> Document | None:
    if failure is None:
        return None
    return {"type": failure.type, "message": failure.message, "traceback": failure.traceback}


def attempt_failure(attempt: Attempt) -> Document | None:
    for name, phase in attempt.phases():
        if phase.outcome == "failed":
            return phase_failure(phase.failure, name) or phase_failure(Failure("Failure", ""), name)
    return None


def render_phases(attempt: Attempt) -> list[Document]:
    return [
        {
            "name": name,
            "outcome": phase.outcome,
            "started_at": phase.started_at,
            "stopped_at": phase.stopped_at,
            "duration": phase.duration,
            "reason": phase.reason,
            "failure": phase_failure(phase.failure, name),
            "stdout": phase.stdout,
            "stderr": phase.stderr,
            "log": phase.log,
        }
        for name, phase in attempt.phases()
    ]


#: How deep steps nest in the document. JSON parsers give up at a few hundred levels
#: (orjson at 255), so a step deeper than this is listed flat under its ancestor at
#: this depth, named by its path from there (``"inner > innermost"``): nothing is lost.
MAX_STEP_DEPTH = 32


def render_steps(attempt: Attempt) -> list[Document]:
    steps = attempt.steps
    if not steps:
        return []
    children: dict[int | None, list[Step]] = {}
    for step_id in sorted(steps):
        step = steps[step_id]
        parent = step.started.parent_id
        children.setdefault(parent if parent in steps else None, []).append(step)

    def render(step: Step, depth: int, name: str) -> Document:
        below = children.get(step.started.step_id, [])
        if depth < MAX_STEP_DEPTH:
            nested = [render(child, depth + 1, child.started.name) for child in below]
        else:
            nested = [_render_step(child, path, []) for child, path in _flattened(below,
                                                                                   children)]
        return _render_step(step, name, nested)

    return [render(step, 1, step.started.name) for step in children.get(None, [])]


def _flattened(steps: list[Step], children: dict[int | None, list[Step]]
               ) -> Iterable[tuple[Step, str]]:
    """``steps`` and all their descendants in start order, each with its name path."""
    stack = [(step, step.started.name) for step in reversed(steps)]
    while stack:
        step, path = stack.pop()
        yield step, path
        stack.extend((child, f"{path} > {child.started.name}")
                     for child in reversed(children.get(step.started.step_id, [])))


def _render_step(step: Step, name: str, nested: list[Document]) -> Document:
    finished = step.finished
    return {
        "name": name,
        "status": finished.status if finished else "incomplete",
        "started_at": step.started.started_at,
        "duration": (finished.duration
                     if finished and possible_duration(finished.duration) else None),
        "failure": plain_failure(finished.failure) if finished else None,
        "steps": nested,
    }


def render_subtests(attempt: Attempt) -> list[Document]:
    return [
        {
            "message": subtest.message,
            "parameters": dict(subtest.parameters),
            "status": subtest.status,
            "started_at": subtest.started_at,
            "duration": subtest.duration if possible_duration(subtest.duration) else None,
            "reason": subtest.reason,
            "failure": plain_failure(subtest.failure),
        }
        for subtest in attempt.subtests or ()
    ]


def render_warnings(attempt: Attempt) -> list[Document]:
    return [
        {"category": warning.category, "message": warning.message,
         "filename": warning.filename, "lineno": warning.lineno}
        for warning in attempt.warnings or ()
    ]


def render_properties(attempt: Attempt) -> list[Document]:
    properties = attempt.finished.properties if attempt.finished is not None else ()
    return [{"name": prop.name, "value": prop.value} for prop in properties]


def render_case(case_id: str, status: str, duration: float, suite: str,
                attempts: dict[Any, Attempt] | None, crash: CaseCrashed | None) -> Document:
    """One case in the full form, from its attempts (and its worker's crash report, if
    any); ``status``, ``duration`` and ``suite`` are its outline (the projector's)."""
    if attempts is None:
        return crashed_case(crash) if crash is not None else not_run_case(case_id)
    ordered = sorted(attempts.values(), key=Attempt.order_key)
    final = ordered[-1]
    started = next((a.started for a in reversed(ordered) if a.started), None)
    failure = attempt_failure(final)
    reason = final.finished.reason if final.finished else None
    if status == "incomplete" and crash is not None:
        failure, reason = crash_failure(crash), crash.message
    return {
        "id": case_id,
        "name": started.name if started and started.name else split_nodeid(case_id)[1],
        "suite": suite,
        "file": started.file if started else file_of(case_id),
        "line": started.line if started else None,
        "parameters": dict(started.parameters) if started else {},
        "markers": list(started.markers) if started else [],
        "status": status,
        "started_at": final.started.started_at if final.started else None,
        "duration": duration,
        "worker": final.started.worker if final.started else None,
        "reason": reason,
        "failure": failure,
        "phases": render_phases(final),
        "steps": render_steps(final),
        "subtests": render_subtests(final),
        "warnings": render_warnings(final),
        "properties": render_properties(final),
        "attempts": render_attempts(ordered),
    }


def render_attempts(ordered: Iterable[Attempt]) -> list[Document]:
    """A case's ``attempts``, in the order given."""
    return [
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


def render_environment(started: RunStarted | None) -> Document:
    if started is None:
        return {"host": None, "os": None, "python": None, "python_implementation": None,
                "git": {"commit": None, "branch": None, "dirty": None},
                "ci": {"provider": None, "run_id": None, "job": None, "url": None}}
    env = started.environment
    return {
        "host": env.host,
        "os": env.os,
        "python": env.python,
        "python_implementation": env.python_implementation,
        "git": attrs.asdict(env.git),
        "ci": attrs.asdict(env.ci),
    }


def render_interruption(finished: RunFinished | None, live_sources: Iterable[str] = ()
                        ) -> Document:
    live = ", ".join(live_sources)
    if finished is None and live:
        return {"reason": f"still running: no end recorded yet, and the recording of {live} "
                "was alive when this was read"}
    if finished is None:
        return {"reason": "the run stopped without recording its end (killed or crashed)"}
    return {"reason": finished.reason or "interrupted"}
