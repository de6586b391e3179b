"""Event payloads as plain data, without attrs: the vocabulary of a recording process.

A recording pytest process only ever writes events, so it should not pay for importing
attrs and building the model's eighteen frozen classes (about 15 ms of a session's
start-up). Each event type here is a :class:`Kind`: its stored ``TYPE`` tag, its
``VERSION``, and its fields as a table of names and defaults, the same as the attrs
class in :mod:`recorder.events.model` declares (tests/events/test_payloads.py holds the
two to each other, field by field). Calling a kind with the fields as keyword arguments
returns the payload :func:`recorder.events.encoding.builder` builds for the model class:
fields in declaration order, a field equal to its default left out, nested values
(failures, the environment, properties, collection errors) as plain dicts of all their
fields. Nested values are given as dicts already (:func:`failure`, :func:`environment`),
or as the model's attrs objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from recorder.events.text import valid_data

Payload = dict[str, Any]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


class _Missing:
    """A factory-default field the caller left out (its default is left out too)."""

    def __repr__(self) -> str:
        return "MISSING"


#: A field without a default.
REQUIRED: Any = _Required()
_MISSING = _Missing()


class Factory:
    """A default made fresh for each event (the model's ``attrs.field(factory=...)``)."""

    __slots__ = ("factory",)

    def __init__(self, factory: Callable[[], Any]) -> None:
        self.factory = factory


#: ``(name, default, nested)``: ``default`` is :data:`REQUIRED`, a value or a
#: :class:`Factory`; ``nested`` says the value goes in through :func:`plain`.
Field = tuple[str, Any, bool]


def plain(value: Any) -> Any:
    """A nested value as plain data: attrs instances (told without importing attrs) as
    dicts of all their fields, tuples as lists, dicts copied."""
    fields = getattr(type(value), "__attrs_attrs__", None)
    if fields is not None:
        return {field.name: plain(getattr(value, field.name)) for field in fields}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


class Kind:
    """One event type: ``kind(**fields)`` is its payload (see the module docstring)."""

    __slots__ = ("TYPE", "VERSION", "fields", "_build")

    def __init__(self, type_name: str, version: int, fields: tuple[Field, ...]) -> None:
        self.TYPE = type_name
        self.VERSION = version
        self.fields = fields
        self._build: Callable[..., Payload] | None = None

    def __call__(self, **values: Any) -> Payload:
        return self.builder()(**values)

    def builder(self) -> Callable[..., Payload]:
        """The compiled function that ``kind(**fields)`` calls: for the hot path (several
        events a test), which calls it directly, without packing the fields twice."""
        build = self._build
        if build is None:
            build = self._build = _generate(self)
        return build

    def __repr__(self) -> str:
        return f"Kind({self.TYPE!r})"


def _generate(kind: Kind) -> Callable[..., Payload]:
    """The kind's builder, compiled on first use (:func:`compile_encoder`)."""
    return compile_encoder(kind.fields, f"payload builder for {kind.TYPE}", as_builder=True)


def compile_encoder(fields: tuple[Field, ...], label: str, *,
                    as_builder: bool) -> Callable[..., Payload]:
    """A function that builds a payload from ``fields``, compiled from Python source (as
    cattrs compiles its converters): a builder takes the fields as keyword arguments; an
    encoder takes an object ``e`` that has them as attributes (the model's events, for
    :mod:`recorder.events.encoding`). Fields go in declaration order; one equal to its
    default is left out (a :class:`Factory` default compared with a fresh
    ``factory()``; a factory field a builder's caller leaves out is left out too)."""
    namespace: dict[str, Any] = {"plain": plain, "MISSING": _MISSING}
    literal: list[str] = []  # the leading fields without a default
    statements: list[str] = []
    parameters: list[str] = []
    for index, (name, default, nested) in enumerate(fields):
        given = name if as_builder else f"e.{name}"
        value = f"plain({given})" if nested else given
        if default is REQUIRED:
            parameters.append(name)
            if statements:
                statements.append(f"    payload[{name!r}] = {value}\n")
            else:
                literal.append(f"{name!r}: {value}")
            continue
        constant = f"d{index}"
        if isinstance(default, Factory):
            namespace[constant] = default.factory
            parameters.append(f"{name}=MISSING")
            test = f"{given} != {constant}()"
            if as_builder:
                test = f"{given} is not MISSING and {test}"
        else:
            namespace[constant] = default
            parameters.append(f"{name}={constant}")
            test = f"{given} != {constant}"
        statements.append(f"    if {test}:\n        payload[{name!r}] = {value}\n")
    signature = f"*, {', '.join(parameters)}" if as_builder else "e"
    source = (f"def encode({signature}):\n    payload = {{{', '.join(literal)}}}\n"
              f"{''.join(statements)}    return payload\n")
    exec(compile(source, f"<recorder {label}>", "exec"), namespace)  # noqa: S102
    encode: Callable[..., Payload] = namespace["encode"]
    return encode


# -- nested values ---------------------------------------------------------------------


def failure(type: str, message: str, traceback: str = "") -> Payload:  # noqa: A002
    """A failure as the model's ``Failure`` is stored."""
    return {"type": type, "message": message, "traceback": traceback}


def git_info(commit: str | None = None, branch: str | None = None,
             dirty: bool | None = None) -> Payload:
    return {"commit": commit, "branch": branch, "dirty": dirty}


def ci_info(provider: str | None = None, run_id: str | None = None, job: str | None = None,
            url: str | None = None) -> Payload:
    return {"provider": provider, "run_id": run_id, "job": job, "url": url}


def environment(host: str | None = None, os: str | None = None,  # noqa: A002
                python: str | None = None, python_implementation: str | None = None,
                git: Payload | None = None, ci: Payload | None = None) -> Payload:
    """An environment as the model's ``Environment`` is stored."""
    return {"host": host, "os": os, "python": python,
            "python_implementation": python_implementation,
            "git": git_info() if git is None else git, "ci": ci_info() if ci is None else ci}


def prop(name: str, value: str) -> Payload:
    """A ``record_property`` pair as the model's ``Property`` is stored."""
    return {"name": name, "value": value}


def collection_error(nodeid: str, message: str) -> Payload:
    return {"nodeid": nodeid, "message": message}


# -- the event types (recorder.events.model declares the same fields) -----------------

_ = REQUIRED

RUN_STARTED = Kind("run.started", 1, (
    ("project", _, False), ("started_at", _, False), ("tool", "pytest", False),
    ("tool_version", "", False), ("recorder_version", "", False),
    ("environment", Factory(environment), True), ("labels", Factory(dict), False),
    ("shard", None, False), ("arguments", (), False)))
COLLECTION_FINISHED = Kind("collection.finished", 1, (
    ("collected", _, False), ("case_ids", (), False), ("errors", (), True),
    ("deselected", 0, False)))
CASE_STARTED = Kind("case.started", 1, (
    ("case_id", _, False), ("started_at", _, False), ("attempt", 1, False),
    ("suite", "", False), ("name", "", False), ("file", None, False), ("line", None, False),
    ("parameters", Factory(dict), False), ("markers", (), False), ("worker", None, False)))
PHASE_FINISHED = Kind("phase.finished", 1, (
    ("case_id", _, False), ("phase", _, False), ("outcome", _, False),
    ("started_at", _, False), ("stopped_at", _, False), ("duration", _, False),
    ("attempt", 1, False), ("failure", None, True), ("reason", None, False),
    ("xfail_reason", None, False), ("stdout", "", False), ("stderr", "", False),
    ("log", "", False)))
STEP_STARTED = Kind("step.started", 1, (
    ("case_id", _, False), ("step_id", _, False), ("name", _, False),
    ("started_at", _, False), ("attempt", 1, False), ("parent_id", None, False)))
STEP_FINISHED = Kind("step.finished", 1, (
    ("case_id", _, False), ("step_id", _, False), ("status", _, False),
    ("duration", _, False), ("attempt", 1, False), ("failure", None, True)))
CASE_FINISHED = Kind("case.finished", 1, (
    ("case_id", _, False), ("status", _, False), ("duration", _, False),
    ("stopped_at", _, False), ("attempt", 1, False), ("reason", None, False),
    ("properties", (), True)))
SUBTEST_FINISHED = Kind("subtest.finished", 1, (
    ("case_id", _, False), ("status", _, False), ("started_at", _, False),
    ("duration", _, False), ("attempt", 1, False), ("message", None, False),
    ("parameters", Factory(dict), False), ("failure", None, True), ("reason", None, False)))
WARNING_RECORDED = Kind("warning.recorded", 1, (
    ("case_id", _, False), ("category", _, False), ("message", _, False),
    ("attempt", 1, False), ("filename", None, False), ("lineno", None, False)))
PROPERTY_RECORDED = Kind("property.recorded", 1, (
    ("name", _, False), ("value", _, False)))
CASE_CRASHED = Kind("case.crashed", 1, (
    ("case_id", _, False), ("worker", _, False), ("message", _, False),
    ("crashed_at", _, False)))
RUN_FINISHED = Kind("run.finished", 1, (
    ("exit_status", _, False), ("finished_at", _, False), ("duration", _, False),
    ("interrupted", False, False), ("reason", None, False)))

del _



def plain_phase_finished(case_id: str, attempt: int, phase: str, outcome: str,
                         started_at: str, stopped_at: str, duration: float) -> Payload:
    """What ``PHASE_FINISHED(...)`` builds for a phase with every other field at its
    default (no failure, reasons or output: most phases), with plain positional
    arguments: the recording's hot path (tests/events/test_payloads.py holds the two
    equal)."""
    payload = {"case_id": case_id, "phase": phase, "outcome": outcome,
               "started_at": started_at, "stopped_at": stopped_at, "duration": duration}
    if attempt != 1:
        payload["attempt"] = attempt
    return payload


def plain_case_finished(case_id: str, attempt: int, status: str, duration: float,
                        stopped_at: str) -> Payload:
    """What ``CASE_FINISHED(...)`` builds for a case without a reason or properties."""
    payload = {"case_id": case_id, "status": status, "duration": duration,
               "stopped_at": stopped_at}
    if attempt != 1:
        payload["attempt"] = attempt
    return payload


#: Every kind by its stored ``type`` tag (the keys of the model's ``EVENT_TYPES``).
KINDS: dict[str, Kind] = {kind.TYPE: kind for kind in (
    RUN_STARTED, COLLECTION_FINISHED, CASE_STARTED, PHASE_FINISHED, STEP_STARTED,
    STEP_FINISHED, CASE_FINISHED, SUBTEST_FINISHED, WARNING_RECORDED, PROPERTY_RECORDED,
    CASE_CRASHED, RUN_FINISHED)}


def encode_payload(payload: Payload) -> str:
    """A payload as compact JSON text, every string in it valid Unicode.

    This is where text enters the log, so this is where it is made valid, once: a lone
    surrogate (odd captured output, a file name decoded with ``surrogateescape``)
    becomes U+FFFD (:func:`recorder.events.text.valid_text`). The check costs nothing
    for valid text: orjson refuses the payload only when some string is invalid."""
    try:
        return orjson.dumps(payload).decode()
    except TypeError:  # a string UTF-8 cannot encode; or an integer beyond 64 bits
        try:
            return orjson.dumps(valid_data(payload)).decode()
        except TypeError:
            import json

            return json.dumps(valid_data(payload), separators=(",", ":"))
