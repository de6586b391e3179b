"""The event vocabulary: small, immutable, past-tense facts about a test run.

These attrs classes carry data only. Turning them into JSON and back is the job of
:mod:`recorder.events.codec`; storing them is the job of :mod:`recorder.store.sqlite`.

Timestamps are ISO 8601 strings in UTC with an explicit ``+00:00`` offset. Durations
are seconds measured by the emitting process with a monotonic clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal, TypeAlias

import attrs

PhaseName: TypeAlias = Literal["setup", "call", "teardown"]
PhaseOutcome: TypeAlias = Literal["passed", "failed", "skipped"]
AttemptStatus: TypeAlias = Literal["passed", "failed", "error", "skipped", "xfailed", "xpassed"]
StepStatus: TypeAlias = Literal["passed", "failed", "skipped"]
SubtestStatus: TypeAlias = Literal["passed", "failed", "skipped", "xfailed"]


#: Turns a payload of one version into the next version's shape.
Upcaster: TypeAlias = Callable[[dict[str, Any]], dict[str, Any]]


class Versioned:
    """What every event class declares next to its fields (the eventsourcing way): its
    stored ``TYPE`` tag, its current schema ``VERSION``, and ``UPCASTERS``, ``{n: f}``
    where ``f`` turns a version-``n`` payload into version ``n + 1``'s shape. Bumping a
    version means adding its upcaster here, on the class; stored rows are never
    rewritten."""

    __slots__ = ()
    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    UPCASTERS: ClassVar[Mapping[int, Upcaster]] = {}


@attrs.frozen
class GitInfo:
    commit: str | None = None
    branch: str | None = None
    dirty: bool | None = None


@attrs.frozen
class CIInfo:
    provider: str | None = None
    run_id: str | None = None
    job: str | None = None
    url: str | None = None


@attrs.frozen
class Environment:
    host: str | None = None
    os: str | None = None
    python: str | None = None
    python_implementation: str | None = None
    git: GitInfo = attrs.field(factory=GitInfo)
    ci: CIInfo = attrs.field(factory=CIInfo)


@attrs.frozen
class Failure:
    """An exception as plain data: its type name, message and (bounded) traceback."""

    type: str
    message: str
    traceback: str = ""


@attrs.frozen
class Property:
    """A ``record_property`` / ``record_testsuite_property`` pair, its value as text."""

    name: str
    value: str


@attrs.frozen
class CollectionError:
    nodeid: str
    message: str


@attrs.frozen
class RunStarted(Versioned):
    TYPE: ClassVar[str] = "run.started"
    VERSION: ClassVar[int] = 1

    project: str
    started_at: str
    tool: str = "pytest"
    tool_version: str = ""
    recorder_version: str = ""
    environment: Environment = attrs.field(factory=Environment)
    labels: dict[str, str] = attrs.field(factory=dict)
    shard: str | None = None
    arguments: tuple[str, ...] = ()


@attrs.frozen
class CollectionFinished(Versioned):
    """Collection ended; ``case_ids`` are the cases that will run, in order."""

    TYPE: ClassVar[str] = "collection.finished"
    VERSION: ClassVar[int] = 1


    collected: int
    case_ids: tuple[str, ...] = ()
    errors: tuple[CollectionError, ...] = ()
    deselected: int = 0


@attrs.frozen
class CaseStarted(Versioned):
    """One attempt of a case is about to run; committed before its body runs."""

    TYPE: ClassVar[str] = "case.started"
    VERSION: ClassVar[int] = 1


    case_id: str
    started_at: str
    attempt: int = 1
    suite: str = ""
    name: str = ""
    file: str | None = None
    line: int | None = None
    parameters: dict[str, str] = attrs.field(factory=dict)
    markers: tuple[str, ...] = ()
    worker: str | None = None


@attrs.frozen
class PhaseFinished(Versioned):
    TYPE: ClassVar[str] = "phase.finished"
    VERSION: ClassVar[int] = 1

    case_id: str
    phase: PhaseName
    outcome: PhaseOutcome
    started_at: str
    stopped_at: str
    duration: float
    attempt: int = 1
    failure: Failure | None = None
    reason: str | None = None
    xfail_reason: str | None = None
    stdout: str = ""
    stderr: str = ""
    log: str = ""


@attrs.frozen
class StepStarted(Versioned):
    TYPE: ClassVar[str] = "step.started"
    VERSION: ClassVar[int] = 1

    case_id: str
    step_id: int
    name: str
    started_at: str
    attempt: int = 1
    parent_id: int | None = None


@attrs.frozen
class StepFinished(Versioned):
    TYPE: ClassVar[str] = "step.finished"
    VERSION: ClassVar[int] = 1

    case_id: str
    step_id: int
    status: StepStatus
    duration: float
    attempt: int = 1
    failure: Failure | None = None


@attrs.frozen
class CaseFinished(Versioned):
    TYPE: ClassVar[str] = "case.finished"
    VERSION: ClassVar[int] = 1

    case_id: str
    status: AttemptStatus
    duration: float
    stopped_at: str
    attempt: int = 1
    reason: str | None = None
    properties: tuple[Property, ...] = ()


@attrs.frozen
class SubtestFinished(Versioned):
    """A subtest (unittest ``subTest``, pytest's ``subtests`` fixture) inside a case ended;
    ``message`` and ``parameters`` are what the test passed to it."""

    TYPE: ClassVar[str] = "subtest.finished"
    VERSION: ClassVar[int] = 1

    case_id: str
    status: SubtestStatus
    started_at: str
    duration: float
    attempt: int = 1
    message: str | None = None
    parameters: dict[str, str] = attrs.field(factory=dict)
    failure: Failure | None = None
    reason: str | None = None


@attrs.frozen
class WarningRecorded(Versioned):
    """A warning pytest reported for a case (``pytest_warning_recorded``)."""

    TYPE: ClassVar[str] = "warning.recorded"
    VERSION: ClassVar[int] = 1

    case_id: str
    category: str
    message: str
    attempt: int = 1
    filename: str | None = None
    lineno: int | None = None


@attrs.frozen
class PropertyRecorded(Versioned):
    """A run-wide property (``record_testsuite_property``)."""

    TYPE: ClassVar[str] = "property.recorded"
    VERSION: ClassVar[int] = 1

    name: str
    value: str


@attrs.frozen
class CaseCrashed(Versioned):
    """The process running a case died (xdist reports it from the controller)."""

    TYPE: ClassVar[str] = "case.crashed"
    VERSION: ClassVar[int] = 1


    case_id: str
    worker: str
    message: str
    crashed_at: str


@attrs.frozen
class RunFinished(Versioned):
    """The run ended. ``interrupted`` is true for Ctrl-C, SIGTERM and similar."""

    TYPE: ClassVar[str] = "run.finished"
    VERSION: ClassVar[int] = 1


    exit_status: int
    finished_at: str
    duration: float
    interrupted: bool = False
    reason: str | None = None


Event: TypeAlias = (
    RunStarted
    | CollectionFinished
    | CaseStarted
    | PhaseFinished
    | StepStarted
    | StepFinished
    | CaseFinished
    | SubtestFinished
    | WarningRecorded
    | PropertyRecorded
    | CaseCrashed
    | RunFinished
)

#: Each event class by its stored ``type`` tag.
EVENT_TYPES: dict[str, type[Event]] = {
    cls.TYPE: cls
    for cls in (RunStarted, CollectionFinished, CaseStarted, PhaseFinished, StepStarted,
                StepFinished, CaseFinished, SubtestFinished, WarningRecorded, PropertyRecorded,
                CaseCrashed, RunFinished)
}

TYPE_OF: dict[type[Event], str] = {cls: name for name, cls in EVENT_TYPES.items()}


@attrs.frozen
class StoredEvent:
    """An event with its envelope: identity, run, emitting source and position.

    ``seq`` is the global order assigned by the store (``None`` before storage);
    ``source_seq`` counts 1, 2, 3, ... per ``source`` within a run, so a gap proves
    a lost event.
    """

    event_id: str
    run_id: str
    source: str
    source_seq: int
    recorded_at: str
    event: Event
    seq: int | None = None

    @property
    def type(self) -> str:
        return TYPE_OF[type(self.event)]
