"""The write path's encoder: byte for byte what cattrs + orjson wrote, for every event."""

from __future__ import annotations

import json
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recorder.events import codec, encoding
from recorder.events.model import EVENT_TYPES, Event, Failure, PhaseFinished
from recorder.events.text import valid_data
from tests.strategies import odd_event as _attrs_strategy


def _cattrs_encode(event: Event) -> str:
    """How the codec encoded before the write path dropped cattrs."""
    payload = codec.converter().unstructure(event)
    try:
        return orjson.dumps(payload).decode()
    except TypeError:
        try:
            return orjson.dumps(valid_data(payload)).decode()
        except TypeError:
            return json.dumps(valid_data(payload), separators=(",", ":"))


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_the_encoder_writes_what_cattrs_wrote(type_name: str) -> None:
    @given(_attrs_strategy(EVENT_TYPES[type_name]))
    def same_text(event: Event) -> None:
        assert codec.encode(event) == _cattrs_encode(event)

    same_text()


def test_defaults_are_left_out_and_nested_values_kept_whole() -> None:
    phase = PhaseFinished(case_id="t", phase="call", outcome="failed", started_at="a",
                          stopped_at="b", duration=0.5, failure=Failure(type="E", message="m"))
    assert encoding.unstructure(phase) == {
        "case_id": "t", "phase": "call", "outcome": "failed", "started_at": "a",
        "stopped_at": "b", "duration": 0.5,
        "failure": {"type": "E", "message": "m", "traceback": ""}}


def test_lone_surrogates_become_replacement_characters() -> None:
    phase = PhaseFinished(case_id="t\udc80", phase="call", outcome="passed", started_at="a",
                          stopped_at="b", duration=0.0, stdout="\ud83d\ude00")
    assert json.loads(codec.encode(phase))["case_id"] == "t\ufffd"
    assert json.loads(codec.encode(phase))["stdout"] == "\U0001f600"


def _fields(event: Event) -> dict[str, Any]:
    return {field.name: getattr(event, field.name) for field in attrs.fields(type(event))}


@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_the_builder_gives_the_model_paths_payload(type_name: str) -> None:
    """The recording hot path builds payloads from keyword arguments, without the attrs
    object: the same dict, and the same text, as encoding the event; factory-default
    fields left out give what their default gives."""
    cls = EVENT_TYPES[type_name]
    build = encoding.builder(cls)
    factory_fields = [field.name for field in attrs.fields(cls)
                      if isinstance(field.default, attrs.Factory)]  # type: ignore[arg-type]

    @given(_attrs_strategy(cls), st.sets(st.sampled_from(factory_fields or [""])))
    def same_payload(event: Event, left_out: set[str]) -> None:
        payload = build(**_fields(event))
        assert payload == encoding.unstructure(event)
        assert list(payload) == list(encoding.unstructure(event))  # the order of keys too
        assert codec.encode_payload(payload) == codec.encode(event)
        kept = {name: value for name, value in _fields(event).items() if name not in left_out}
        defaults = cls(**kept)  # type: ignore[arg-type]
        assert codec.encode_payload(build(**kept)) == codec.encode(defaults)

    same_payload()


def test_the_builder_refuses_what_the_model_refuses() -> None:
    build = encoding.builder(PhaseFinished)
    with pytest.raises(TypeError):
        build(case_id="t", phase="call", outcome="passed", started_at="a",  # type: ignore[call-arg]
              stopped_at="b", duration=0.0, colour="red")
    with pytest.raises(TypeError):
        build(case_id="t", phase="call")  # type: ignore[call-arg]
