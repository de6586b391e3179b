"""The on-disk case shape loses nothing: expand_case(compact_case(case)) == case."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from recorder.document.projector import project
from recorder.document.shape import compact_case, expand_case
from tests.strategies import event_logs, interleavings, stamp


@st.composite
def projected_cases(draw: Any) -> list[dict[str, Any]]:
    events = draw(interleavings(stamp(draw(event_logs()))))
    document = project(events)
    return [case for suite in document["suites"] for case in suite["cases"]]


@given(projected_cases())
def test_every_projected_case_round_trips(cases: list[dict[str, Any]]) -> None:
    for case in cases:
        assert expand_case(compact_case(case)) == case


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6)
stamps = st.sampled_from(["2026-12-02T14:18:14.557694+00:00", "2026-12-02T14:18:14+00:00",
                          "2026-12-02T14:18:14.557694", "2026-12-02T14:18:14.5+00:00",
                          "2026-12-02 14:18:14.557694+00:00", "2026-12-02T14:18:15.000001Z",
                          "", "nicht-datum-\u00e9"]) | st.text(max_size=8)
phase_keys = ["name", "outcome", "started_at", "stopped_at", "duration", "reason",
              "failure", "stdout", "stderr", "log"]
odd_phases = st.dictionaries(
    st.sampled_from(phase_keys),
    st.sampled_from(["setup", "call", "teardown", "passed", "", None, 0, False, [], {}])
    | stamps | json_values, max_size=10)
case_keys = ["id", "name", "suite", "file", "line", "parameters", "markers", "status",
             "started_at", "duration", "worker", "reason", "failure", "steps", "subtests",
             "warnings", "properties", "attempts", "extra-\u2603"]
odd_cases = st.dictionaries(
    st.sampled_from(case_keys),
    st.sampled_from(["a.py::t", "a.py", "t", "", None, 0, 0.0, False, [], {}]) | stamps
    | json_values, max_size=12,
).flatmap(lambda case: st.lists(odd_phases, max_size=4).map(
    lambda phases: {**case, "phases": phases}) | st.just(case))


@given(odd_cases)
def test_odd_values_round_trip(case: dict[str, Any]) -> None:
    """None versus a default, empty strings, unicode, foreign timestamps, missing keys."""
    assert expand_case(compact_case(case)) == case


def test_a_trivial_passing_case_keeps_only_what_differs() -> None:
    start = "2026-12-02T14:18:14.557694+00:00"
    phase = {"outcome": "passed", "reason": None, "failure": None, "stdout": "", "stderr": "",
             "log": "", "duration": 0.0003}
    case = {
        "id": "t.py::test_3", "name": "test_3", "suite": "t.py", "file": "t.py", "line": 4,
        "parameters": {}, "markers": [], "status": "passed", "started_at": start,
        "duration": 0.0016, "worker": None, "reason": None, "failure": None,
        "phases": [
            {"name": "setup", **phase, "started_at": "2026-12-02T14:18:14.557868+00:00",
             "stopped_at": "2026-12-02T14:18:14.558197+00:00"},
            {"name": "call", **phase, "started_at": "2026-12-02T14:18:14.558436+00:00",
             "stopped_at": "2026-12-02T14:18:14.558743+00:00"},
        ],
        "steps": [], "subtests": [], "warnings": [], "properties": [],
        "attempts": [{"attempt": 1, "status": "passed", "started_at": start, "duration": 0.0016,
                      "worker": None, "failure": None}],
    }
    compact = compact_case(case)
    assert compact == {
        "id": "t.py::test_3", "line": 4, "status": "passed", "started_at": start,
        "duration": 0.0016,
        "phases": [{"duration": 0.0003, "start_us": 174, "stop_us": 329},
                   {"duration": 0.0003, "start_us": 742, "stop_us": 307}],
    }
    assert expand_case(compact) == case


def test_only_a_2x_document_is_expanded() -> None:
    """A 1.x file holds the full form already: read as it is, even where a key is missing."""
    from recorder.document.shape import compact_suite, expand_document

    case = {"id": "t.py::test_a", "status": "passed", "duration": 0.1}
    old = {"schema_version": "1.1", "suites": [{"id": "t.py", "cases": [case]}]}
    assert expand_document(old) == old
    new = {**old, "schema_version": "2.0"}
    (expanded,) = expand_document(new)["suites"][0]["cases"]
    assert expanded["name"] == "test_a" and expanded["file"] == "t.py"
    assert expanded["attempts"] == [{"attempt": 1, "status": "passed", "started_at": None,
                                     "duration": 0.1, "worker": None, "failure": None}]
    assert compact_suite({"id": "t.py", "cases": [expanded]})["cases"] == [case]
