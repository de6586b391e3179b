"""The ``phase.finished`` shortcut past cattrs gives exactly what cattrs gives, or
steps aside: on valid payloads, on damaged ones and on ones with extra keys."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from recorder.events import codec, fast_decode
from recorder.events.model import PhaseFinished
from tests.strategies import EVENT_STRATEGIES

_FIELDS = ("case_id", "phase", "outcome", "started_at", "stopped_at", "duration", "attempt",
           "failure", "reason", "xfail_reason", "stdout", "stderr", "log")
_ODD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                        st.text(max_size=5), st.lists(st.integers(), max_size=2),
                        st.sampled_from(["setup", "call", "failed", "skipped"]),
                        st.fixed_dictionaries({"type": st.text(max_size=3),
                                               "message": st.text(max_size=3)}))


def _payload(event: PhaseFinished) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(codec.encode(event))
    return payload


@st.composite
def damaged_payloads(draw: st.DrawFn) -> dict[str, Any]:
    payload = _payload(draw(EVENT_STRATEGIES["phase.finished"]))
    for name in draw(st.lists(st.sampled_from((*_FIELDS, "failure.type", "extra")),
                              max_size=3)):
        action = draw(st.sampled_from(("drop", "replace")))
        if name == "failure.type" and isinstance(payload.get("failure"), dict):
            target, key = payload["failure"], "type"
        else:
            target, key = payload, name.split(".")[0]
        if action == "drop":
            target.pop(key, None)
        else:
            target[key] = draw(_ODD_VALUES)
    return payload


def _slow(payload: dict[str, Any]) -> PhaseFinished | Exception:
    try:
        event = codec.structure(PhaseFinished.TYPE, PhaseFinished.VERSION, payload)
    except Exception as error:  # noqa: BLE001 - the shortcut must then step aside
        return error
    assert isinstance(event, PhaseFinished)
    return event


@given(EVENT_STRATEGIES["phase.finished"])
def test_the_shortcut_takes_every_well_formed_payload(event: PhaseFinished) -> None:
    fast = fast_decode.phase_finished(_payload(event))
    assert fast is not None
    # repr tells 1 from 1.0 and shows NaN, which == does not compare equal
    assert repr(fast) == repr(_slow(_payload(event)))


@given(damaged_payloads())
def test_the_shortcut_agrees_with_cattrs_or_steps_aside(payload: dict[str, Any]) -> None:
    fast = fast_decode.phase_finished(payload)
    slow = _slow(payload)
    if fast is not None:
        assert not isinstance(slow, Exception), slow
        assert repr(fast) == repr(slow)


def test_a_damaged_payload_still_gets_the_precise_error() -> None:
    payload = {"case_id": "t.py::a", "phase": "call", "outcome": "passed",
               "started_at": "x", "stopped_at": "y"}  # no duration
    assert fast_decode.phase_finished(payload) is None
    try:
        codec.decode(PhaseFinished.TYPE, 1, json.dumps(payload), where="event seq 7")
    except Exception as error:  # noqa: BLE001
        assert "event seq 7" in str(error) and "duration" in str(error)
    else:
        raise AssertionError("a payload without its duration was accepted")


def test_a_value_outside_the_literals_is_left_to_cattrs() -> None:
    good = {"case_id": "t.py::a", "phase": "call", "outcome": "passed",
            "started_at": "x", "stopped_at": "y", "duration": 1}
    assert fast_decode.phase_finished(good) is not None
    for key, value in (("phase", "failed"), ("outcome", "call"), ("attempt", True),
                       ("duration", "1"), ("stdout", None)):
        assert fast_decode.phase_finished({**good, key: value}) is None, key
    for key, value in (("phase", "failed"), ("outcome", "call")):
        assert isinstance(_slow({**good, key: value}), Exception), key
