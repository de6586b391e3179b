"""User-defined steps inside a test: ``with recorder.step("log in"): ...``.

A step records its start, its duration (monotonic clock) and its status; an
exception inside marks it ``failed`` (``skipped`` for pytest.skip) and propagates.
Steps nest. When no case is being recorded (recording disabled, or outside a test)
a step costs one global lookup and records nothing, so test code can use it anywhere.

Steps are recorded for the thread that runs the test; the pytest plugin sets the
active case through :func:`activate_case`.
"""

from __future__ import annotations

import contextlib
import time
from types import TracebackType
from typing import Protocol

from recorder.clock import utc_now
from recorder.events.bounds import MESSAGE_LIMIT, bound, safe_str
from recorder.events.model import Event, Failure, StepFinished, StepStarted, StepStatus


class EventSink(Protocol):
    def emit(self, event: Event) -> object: ...


class CaseRecording:
    """The case attempt that steps are currently recorded into."""

    def __init__(self, emitter: EventSink, case_id: str, attempt: int) -> None:
        self.emitter = emitter
        self.case_id = case_id
        self.attempt = attempt
        self.stack: list[int] = []
        self._last_step_id = 0

    def next_step_id(self) -> int:
        self._last_step_id += 1
        return self._last_step_id


_active: CaseRecording | None = None


def activate_case(recording: CaseRecording | None) -> CaseRecording | None:
    """Make ``recording`` the case that steps record into (None: stop recording).

    Returns the one it replaces, so a pytest session started inside a recorded test
    (pytester) can hand recording back when it ends."""
    global _active
    previous, _active = _active, recording
    return previous


def active_case() -> CaseRecording | None:
    return _active


class step(contextlib.ContextDecorator):
    """Record a named step: a context manager, or a decorator for a function."""

    def __init__(self, name: str) -> None:
        self.name = str(name)
        self._entered: list[tuple[CaseRecording, int, float]] = []

    def _recreate_cm(self) -> step:
        return step(self.name)

    def __enter__(self) -> step:
        recording = _active
        if recording is None:
            return self
        step_id = recording.next_step_id()
        parent = recording.stack[-1] if recording.stack else None
        recording.emitter.emit(
            StepStarted(case_id=recording.case_id, attempt=recording.attempt, step_id=step_id,
                        parent_id=parent, name=self.name, started_at=utc_now())
        )
        recording.stack.append(step_id)
        self._entered.append((recording, step_id, time.perf_counter()))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._entered:
            return
        recording, step_id, started = self._entered.pop()
        duration = time.perf_counter() - started
        if recording.stack and recording.stack[-1] == step_id:
            recording.stack.pop()
        status: StepStatus = "passed"
        failure = None
        if exc_type is not None:
            status = "skipped" if _is_skip(exc_type) else "failed"
            failure = Failure(type=exc_type.__name__, message=bound(safe_str(exc), MESSAGE_LIMIT))
        recording.emitter.emit(
            StepFinished(case_id=recording.case_id, attempt=recording.attempt, step_id=step_id,
                         status=status, duration=duration, failure=failure)
        )


def _is_skip(exc_type: type[BaseException]) -> bool:
    return exc_type.__name__ == "Skipped" and exc_type.__module__.startswith("_pytest")
