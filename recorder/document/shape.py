"""The on-disk shape of a case: the full form the projector renders, without what a
reader can rebuild exactly. Pure; :func:`expand_case` undoes :func:`compact_case`.

What is left out (each rule is checked while compacting, so nothing is lost):

- a field equal to its default (:data:`CASE_DEFAULTS`, :data:`PHASE_DEFAULTS`);
- ``name``, ``suite`` and ``file`` when :mod:`recorder.events.nodeid` derives them
  from the id;
- ``attempts`` when it is the single attempt 1 that repeats the case's status,
  started_at, duration, worker and failure (an empty list is written out);
- a phase's ``name`` when it is the next of setup, call, teardown after the previous
  phase (the first: setup);
- a phase's ``started_at`` (``stopped_at``) when it is the case's ``started_at`` (the
  phase's ``started_at``) plus a whole number of microseconds, written as ``start_us``
  (``stop_us``) and only when formatting that sum gives back the very same string.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from recorder.document import Document
from recorder.events.nodeid import file_of, split_nodeid

CASE_DEFAULTS: dict[str, Any] = {
    "line": None, "parameters": {}, "markers": [], "started_at": None, "worker": None,
    "reason": None, "failure": None, "phases": [], "steps": [], "subtests": [],
    "warnings": [], "properties": [],
}
PHASE_DEFAULTS: dict[str, Any] = {
    "outcome": "passed", "reason": None, "failure": None, "stdout": "", "stderr": "", "log": "",
}
PHASE_ORDER = ("setup", "call", "teardown")
_MICROSECOND = dt.timedelta(microseconds=1)


def _same(value: Any, default: Any) -> bool:
    """Equal and of the same JSON type (``0`` is not ``False``, ``0.0`` not ``0``)."""
    return type(value) is type(default) and value == default


def _derived(case_id: str) -> Document:
    suite, name = split_nodeid(case_id)
    return {"name": name, "suite": suite, "file": file_of(case_id)}


def _implied_attempt(case: Document) -> Document:
    return {"attempt": 1, "status": case.get("status"), "started_at": case.get("started_at"),
            "duration": case.get("duration"), "worker": case.get("worker"),
            "failure": case.get("failure")}


def parsed_stamp(stamp: Any) -> dt.datetime | None:
    """``stamp`` as ``datetime.fromisoformat`` reads it; None if it is not such a string."""
    if not isinstance(stamp, str):
        return None
    try:
        return dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None


def offset_us(base: dt.datetime | None, stamp: str, moment: dt.datetime | None) -> int | None:
    """``stamp`` (parsed: ``moment``) as whole microseconds after ``base``, if adding them
    back (as :func:`_add_us` does from ``base``'s text) rebuilds ``stamp`` exactly."""
    if base is None or moment is None:
        return None
    try:
        offset = (moment - base) // _MICROSECOND
        rebuilt = (base + offset * _MICROSECOND).isoformat()
    except (TypeError, OverflowError):  # naive against aware; beyond year 9999
        return None
    return offset if rebuilt == stamp else None


def _add_us(base: str, offset: int) -> str | None:
    try:
        return (dt.datetime.fromisoformat(base) + offset * _MICROSECOND).isoformat()
    except (ValueError, OverflowError):
        return None


def compact_case(case: Document) -> Document:
    """The on-disk form of one full-form case (see the module's rules)."""
    out: Document = {}
    case_id = case.get("id")
    derived = _derived(case_id) if isinstance(case_id, str) else {}
    implied = _implied_attempt(case)
    for key, value in case.items():
        if key in derived and _same(value, derived[key]):
            continue
        if key in CASE_DEFAULTS and _same(value, CASE_DEFAULTS[key]):
            continue
        if key == "attempts":
            if isinstance(value, list) and len(value) == 1 and same_dict(value[0], implied):
                continue
        if key == "phases" and isinstance(value, list):
            value = _compact_phases(value, parsed_stamp(case.get("started_at")))
        out[key] = value
    # Absent must mean "the default", so keys the full form lacks stay recorded as absent.
    missing = [key for key in (*derived, *CASE_DEFAULTS, "attempts") if key not in case]
    if missing:
        out["absent"] = sorted(set(missing))
    return out


def same_dict(value: Any, expected: Document) -> bool:
    """``value`` is a dict with ``expected``'s keys, in its order, each value equal and of
    the same JSON type."""
    return (isinstance(value, dict) and list(value) == list(expected)
            and all(_same(value[key], expected[key]) for key in expected))


def _compact_phases(phases: list[Any], case_start: dt.datetime | None) -> list[Any]:
    out: list[Any] = []
    previous: str | None = None
    for phase in phases:
        if not isinstance(phase, dict) or any(k in phase for k in ("start_us", "stop_us",
                                                                   "absent")):
            out.append(phase)  # not a projector phase: written as it is
            previous = phase.get("name") if isinstance(phase, dict) else None
            continue
        expected_name = _next_phase(previous)
        started = parsed_stamp(phase.get("started_at"))
        compact: Document = {}
        for key, value in phase.items():
            if key == "name" and expected_name is not None and _same(value, expected_name):
                continue
            if key in PHASE_DEFAULTS and _same(value, PHASE_DEFAULTS[key]):
                continue
            if key == "started_at" and (
                    offset := offset_us(case_start, value, started)) is not None:
                compact["start_us"] = offset
                continue
            if key == "stopped_at" and (
                    offset := offset_us(started, value, parsed_stamp(value))) is not None:
                compact["stop_us"] = offset
                continue
            compact[key] = value
        missing = [k for k in ("name", *PHASE_DEFAULTS) if k not in phase]
        if missing:
            compact["absent"] = missing
        out.append(compact)
        previous = phase.get("name")
    return out


def _next_phase(previous: str | None) -> str | None:
    if previous is None:
        return PHASE_ORDER[0]
    if previous in PHASE_ORDER[:-1]:
        return PHASE_ORDER[PHASE_ORDER.index(previous) + 1]
    return None


def _expand_phase(phase: Document, previous: str | None, case_start: Any) -> Document:
    if "start_us" not in phase and "stop_us" not in phase and "absent" not in phase and \
            "name" in phase and all(k in phase for k in PHASE_DEFAULTS):
        return phase
    absent = set(phase.get("absent", ()))
    full: Document = {}
    if "name" not in absent:
        full["name"] = phase.get("name", _next_phase(previous))
    if "outcome" not in absent:
        full["outcome"] = phase.get("outcome", PHASE_DEFAULTS["outcome"])
    started = phase.get("started_at")
    if "start_us" in phase and isinstance(case_start, str):
        started = _add_us(case_start, phase["start_us"])
    if "started_at" in phase or "start_us" in phase:
        full["started_at"] = started
    if "stop_us" in phase and isinstance(started, str):
        full["stopped_at"] = _add_us(started, phase["stop_us"])
    elif "stopped_at" in phase:
        full["stopped_at"] = phase["stopped_at"]
    for key, value in phase.items():
        if key not in ("name", "outcome", "started_at", "stopped_at", "start_us", "stop_us",
                       "absent", *PHASE_DEFAULTS):
            full[key] = value
    for key in ("reason", "failure", "stdout", "stderr", "log"):
        if key not in absent:
            full[key] = phase.get(key, _copy(PHASE_DEFAULTS[key]))
    # The projector's key order: name, outcome, started_at, stopped_at, duration, ...
    order = ["name", "outcome", "started_at", "stopped_at", "duration", "reason", "failure",
             "stdout", "stderr", "log"]
    rest = [key for key in full if key not in order]
    return {key: full[key] for key in (*order, *rest) if key in full}


def _copy(value: Any) -> Any:
    return type(value)() if isinstance(value, dict | list) else value


#: The full form's key order (the projector's :meth:`_render_case`).
CASE_ORDER = ("id", "name", "suite", "file", "line", "parameters", "markers", "status",
              "started_at", "duration", "worker", "reason", "failure", "phases", "steps",
              "subtests", "warnings", "properties", "attempts")


def expand_case(case: Document) -> Document:
    """The full form of one on-disk case: every left-out field rebuilt."""
    absent = set(case.get("absent", ()))
    case_id = case.get("id")
    derived = _derived(case_id) if isinstance(case_id, str) else {}
    full: Document = {}
    for key in CASE_ORDER:
        if key in absent:
            continue
        if key in case:
            full[key] = case[key]
        elif key in derived:
            full[key] = derived[key]
        elif key in CASE_DEFAULTS:
            full[key] = _copy(CASE_DEFAULTS[key])
    for key, value in case.items():
        if key not in full and key != "absent" and key not in CASE_ORDER:
            full[key] = value
    if "attempts" not in case and "attempts" not in absent:
        full["attempts"] = [_implied_attempt(full)]
    if isinstance(full.get("phases"), list):
        phases, previous = [], None
        for phase in full["phases"]:
            expanded = (_expand_phase(phase, previous, full.get("started_at"))
                        if isinstance(phase, dict) else phase)
            phases.append(expanded)
            previous = expanded.get("name") if isinstance(expanded, dict) else None
        full["phases"] = phases
    return full


def compact_suite(suite: Document) -> Document:
    """``suite`` with each of its cases in the on-disk shape."""
    return _map_cases(compact_case, suite)


def expand_suite(suite: Document) -> Document:
    """``suite`` with each of its cases in the full form."""
    return _map_cases(expand_case, suite)


def _map_cases(change: Callable[[Document], Document], suite: Document) -> Document:
    cases = suite.get("cases")
    if not isinstance(cases, list):
        return suite
    return {**suite, "cases": [change(case) if isinstance(case, dict) else case
                               for case in cases]}


def expand_document(document: Document) -> Document:
    """A validated document in the full form: a 2.x document's cases expanded, a 1.x
    document as it is."""
    version = document.get("schema_version")
    suites = document.get("suites")
    if not isinstance(version, str) or not version.startswith("2.") or not isinstance(
            suites, list):
        return document
    return {**document, "suites": [expand_suite(suite) if isinstance(suite, dict) else suite
                                   for suite in suites]}
