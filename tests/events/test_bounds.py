"""One message bound: a failing step keeps its message the way a failing test does
(head and tail around a marker, up to MESSAGE_LIMIT), where steps once cut at 4,000
characters and dropped the tail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import recorder
from recorder.capture.steps import CaseRecording, activate_case
from recorder.events import codec
from recorder.events.bounds import MESSAGE_LIMIT, bound
from recorder.events.model import Event, StepFinished
from recorder.events.payloads import Kind, Payload


class CollectingSink:
    """An EventSink that keeps what it is given, decoded as the export reads it."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def emit_payloads(self, *events: tuple[Kind, Payload],
                      recorded_at: str | None = None) -> object:
        for kind, payload in events:
            text = codec.encode_payload(payload)
            self.events.append(codec.decode(kind.TYPE, kind.VERSION, text))
        return None


@pytest.fixture
def sink() -> Iterator[CollectingSink]:
    collected = CollectingSink()
    previous = activate_case(CaseRecording(collected, "t.py::test_a", 1))
    yield collected
    activate_case(previous)


def finished_step(sink: CollectingSink) -> StepFinished:
    [finished] = [e for e in sink.events if isinstance(e, StepFinished)]
    return finished


def test_a_long_step_failure_keeps_head_and_tail_within_the_message_limit(
        sink: CollectingSink) -> None:
    message = "HEAD" + "x" * (3 * MESSAGE_LIMIT) + "TAIL"
    with pytest.raises(ValueError), recorder.step("s"):
        raise ValueError(message)
    failure = finished_step(sink).failure
    assert failure is not None
    assert failure.message == bound(message, MESSAGE_LIMIT)
    assert failure.message.startswith("HEAD") and failure.message.endswith("TAIL")
    assert "characters cut" in failure.message
    assert len(failure.message) < MESSAGE_LIMIT + 100


def test_a_step_failure_whose_str_raises_is_recorded_by_repr(sink: CollectingSink) -> None:
    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    with pytest.raises(Unprintable), recorder.step("s"):
        raise Unprintable()
    failure = finished_step(sink).failure
    assert failure is not None and "Unprintable" in failure.message


def test_short_text_is_kept_whole() -> None:
    assert bound("short", MESSAGE_LIMIT) == "short"
