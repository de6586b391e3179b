"""User-defined steps inside a test: ``with recorder.step("log in"): ...``.

A step records its start, its duration (the recorder's own monotonic clock) and its
status; an exception inside marks it ``failed`` (``skipped`` for pytest.skip) and
propagates. Steps nest. When no case is being recorded (recording disabled, or outside a
test) a step costs one context-variable lookup and records nothing, so test code can use
it anywhere.

The active case and the open step live in a :class:`~contextvars.ContextVar`, not a
global: a thread started with a copy of the test's context (``contextvars.copy_context()``,
``asyncio.to_thread``) records its steps into that test, nested under the step that was
open when the copy was made, even if they end after the test; a plain ``threading.Thread``
starts with an empty context and records nothing, rather than into whichever test happens
to be running by then. The pytest plugin sets the active case through
:func:`activate_case`.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from contextvars import ContextVar, Token
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

from recorder.clock import monotonic, utc_now
from recorder.events.bounds import MESSAGE_LIMIT, bound, safe_str
from recorder.events.payloads import STEP_FINISHED, STEP_STARTED, Kind, Payload, failure

if TYPE_CHECKING:
    from recorder.events.model import StepStatus


_step_started = STEP_STARTED.builder()
_step_finished = STEP_FINISHED.builder()


class EventSink(Protocol):
    def emit_payloads(self, *events: tuple[Kind, Payload],
                      recorded_at: str | None = None) -> object: ...


class CaseRecording:
    """The case attempt that steps are currently recorded into."""

    def __init__(self, emitter: EventSink, case_id: str, attempt: int) -> None:
        self.emitter = emitter
        self.case_id = case_id
        self.attempt = attempt
        self._step_ids = itertools.count(1)  # next() on a count is atomic: threads share it

    def next_step_id(self) -> int:
        return next(self._step_ids)


#: The case being recorded and the innermost open step's id in this context.
_current: ContextVar[tuple[CaseRecording, int | None] | None] = ContextVar(
    "recorder_current_step", default=None)


def activate_case(recording: CaseRecording | None) -> CaseRecording | None:
    """Make ``recording`` the case that steps record into (None: stop recording).

    Returns the one it replaces, so a pytest session started inside a recorded test
    (pytester) can hand recording back when it ends."""
    previous = _current.get()
    _current.set(None if recording is None else (recording, None))
    return None if previous is None else previous[0]


def active_case() -> CaseRecording | None:
    current = _current.get()
    return None if current is None else current[0]


class step(contextlib.ContextDecorator):
    """Record a named step: a context manager, or a decorator for a function."""

    def __init__(self, name: str) -> None:
        self.name = safe_str(name)
        self._entered: list[tuple[CaseRecording, int, float, Token[tuple[CaseRecording,
                                                                          int | None] | None]]] = []

    def _recreate_cm(self) -> step:
        return step(self.name)

    def __enter__(self) -> step:
        current = _current.get()
        if current is None:
            return self
        recording, parent = current
        step_id = recording.next_step_id()
        started_at = utc_now()  # the event's time and its recorded_at: one clock reading
        recording.emitter.emit_payloads((STEP_STARTED, _step_started(
            case_id=recording.case_id, attempt=recording.attempt, step_id=step_id,
            parent_id=parent, name=self.name, started_at=started_at)),
            recorded_at=started_at)
        token = _current.set((recording, step_id))
        self._entered.append((recording, step_id, monotonic(), token))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._entered:
            return
        recording, step_id, started, token = self._entered.pop()
        duration = monotonic() - started
        with contextlib.suppress(ValueError, RuntimeError):  # exited in another context
            _current.reset(token)
        status: StepStatus = "passed"
        failed = None
        if exc_type is not None:
            status = "skipped" if _is_skip(exc) else "failed"
            failed = failure(type=safe_str(getattr(exc_type, "__name__", exc_type)),
                             message=bound(safe_str(exc), MESSAGE_LIMIT))
        recording.emitter.emit_payloads((STEP_FINISHED, _step_finished(
            case_id=recording.case_id, attempt=recording.attempt, step_id=step_id,
            status=status, duration=duration, failure=failed)))


def _is_skip(exc: BaseException | None) -> bool:
    """pytest.skip() inside the step; its class's ``__module__`` varies between pytest
    versions (``builtins`` in pytest 9), so compare with the outcome class itself."""
    outcomes = sys.modules.get("_pytest.outcomes")
    return outcomes is not None and isinstance(exc, outcomes.Skipped)
