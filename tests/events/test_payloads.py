"""The recording path's payload kinds (no attrs) against the model: the same fields,
defaults and nesting, and for any event the same payload, key order and text."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from recorder.events import codec, encoding, payloads
from recorder.events.model import EVENT_TYPES, Event, Failure, Property
from tests.strategies import odd_event


def test_every_event_type_has_a_kind() -> None:
    assert list(payloads.KINDS) == list(EVENT_TYPES)

@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_a_kind_declares_the_model_classes_fields(type_name: str) -> None:
    """Names in order, which have defaults and what they are, and which values nest
    (attrs values in the model, plain dicts here): a field added to the model but not to
    its kind (or the other way round) fails here."""
    cls, kind = EVENT_TYPES[type_name], payloads.KINDS[type_name]
    assert (kind.TYPE, kind.VERSION) == (cls.TYPE, cls.VERSION)
    attrs.resolve_types(cls)
    declared = []
    for field in attrs.fields(cls):
        if field.default is attrs.NOTHING:
            default: Any = payloads.REQUIRED
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            default = ("factory", payloads.plain(field.default.factory()))
        else:
            default = field.default
        declared.append((field.name, default, not encoding._as_is(field.type)))
    mine = [(name, ("factory", default.factory()) if isinstance(default, payloads.Factory)
             else default, nested) for name, default, nested in kind.fields]
    assert mine == declared

def _fields(event: Event) -> dict[str, Any]:
    """The event's fields as the recording path passes them: nested values as plain
    data (dicts; tuples of dicts)."""
    values = {}
    for field in attrs.fields(type(event)):
        value = getattr(event, field.name)
        if attrs.has(type(value)):
            value = payloads.plain(value)
        elif isinstance(value, tuple) and value and attrs.has(type(value[0])):
            value = tuple(payloads.plain(item) for item in value)
        values[field.name] = value
    return values

@pytest.mark.parametrize("type_name", sorted(EVENT_TYPES))
def test_a_kind_builds_the_model_paths_payload(type_name: str) -> None:
    """Given plain data, a kind builds what encoding the attrs event gives: the same
    dict, key order and text; factory-default fields left out give their default."""
    cls, kind = EVENT_TYPES[type_name], payloads.KINDS[type_name]
    factory_fields = [name for name, default, _ in kind.fields
                      if isinstance(default, payloads.Factory)]

    @given(odd_event(cls), st.sets(st.sampled_from(factory_fields or [""])))
    def same_payload(event: Event, left_out: set[str]) -> None:
        payload = kind(**_fields(event))
        expected = encoding.unstructure(event)
        assert payload == expected
        assert list(payload) == list(expected)
        assert payloads.encode_payload(payload) == codec.encode(event)
        kept = {name: value for name, value in _fields(event).items() if name not in left_out}
        model = {name: getattr(event, name) for name in kept}
        assert payloads.encode_payload(kind(**kept)) == codec.encode(cls(**model))

    same_payload()

def test_nested_values_as_the_model_stores_them() -> None:
    assert payloads.failure("E", "m") == payloads.plain(Failure(type="E", message="m"))
    assert payloads.prop("k", "v") == payloads.plain(Property(name="k", value="v"))
    from recorder.events.model import Environment

    assert payloads.environment() == payloads.plain(Environment())

def test_a_kind_refuses_what_the_model_refuses() -> None:
    with pytest.raises(TypeError):
        payloads.PHASE_FINISHED(case_id="t", phase="call", outcome="passed", started_at="a",
                                stopped_at="b", duration=0.0, colour="red")
    with pytest.raises(TypeError):
        payloads.PHASE_FINISHED(case_id="t", phase="call")

def test_the_payload_module_imports_no_attrs() -> None:
    import subprocess
    import sys

    code = ("import sys, recorder.events.payloads, recorder.events.environment, "
            "recorder.clock\nprint(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('attr', 'attrs') or m == 'recorder.events.model'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"



@given(attempt=st.integers(1, 3), outcome=st.sampled_from(["passed", "failed", "skipped"]),
       duration=st.floats(0, 1e6), text=st.text(max_size=20))
def test_the_plain_builders_build_what_the_kinds_build(attempt: int, outcome: str,
                                                       duration: float, text: str) -> None:
    """The hot path's positional builders: same keys, order and values as the kind's."""
    phase = payloads.plain_phase_finished(text, attempt, "call", outcome, "a", "b", duration)
    expected = payloads.PHASE_FINISHED(case_id=text, attempt=attempt, phase="call",
                                       outcome=outcome, started_at="a", stopped_at="b",
                                       duration=duration)
    assert list(phase.items()) == list(expected.items())
    case = payloads.plain_case_finished(text, attempt, outcome, duration, "b")
    expected = payloads.CASE_FINISHED(case_id=text, attempt=attempt, status=outcome,
                                      duration=duration, stopped_at="b")
    assert list(case.items()) == list(expected.items())
