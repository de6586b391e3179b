"""Property tests: folding from the payload dicts (the export's fast path) gives exactly
what folding the attrs events gives (the oracle): the same document bytes for any
generated log, including rows it must hand to the full path (odd values, missing
fields, older or newer versions, payloads that are not objects or need the lenient
parser), and the very same error where the oracle refuses a row."""

from __future__ import annotations

import json
from typing import Any, ClassVar
from unittest import mock

import attrs
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from recorder.document import payload_fold
from recorder.document.payload_fold import FAST_HANDLERS, fold_envelopes, fold_rows
from recorder.document.projector import _HANDLERS, RunProjection
from recorder.errors import RecorderError
from recorder.events.model import EVENT_TYPES, CaseStarted
from recorder.export.rendering import render_json
from recorder.store.sqlite import decode_row, encode_row
from tests.strategies import event_logs, interleavings, stamp, with_gaps

Row = tuple[Any, ...]

#: Values a broken emitter might leave in any field; each is odd for some field.
ODD_VALUES = (None, 0, 1, -1, 2**70, 1.5, float("1e300"), True, False, "", "x", "passed",
              [], ["a"], [1], {}, {"a": 1}, {"a": "b"}, {"type": "T", "message": 1},
              {"git": {"dirty": 1}}, {"git": None}, {"ci": {"url": 1}}, {"host": 5},
              {"git": {"commit": "c", "dirty": True}, "ci": {"job": "j"}},
              [{"nodeid": "n", "message": 1}], [{"nodeid": "n", "message": "m"}], [None])
FIELDS = ("case_id", "started_at", "stopped_at", "attempt", "suite", "name", "file", "line",
          "parameters", "markers", "worker", "phase", "outcome", "duration", "failure",
          "reason", "xfail_reason", "stdout", "stderr", "log", "status", "properties",
          "step_id", "parent_id", "project", "tool", "tool_version", "recorder_version",
          "environment", "labels", "shard", "arguments", "exit_status", "finished_at",
          "interrupted", "collected", "case_ids", "errors", "deselected")


@st.composite
def rows_of_a_log(draw: Any) -> list[Row]:
    stamped = draw(with_gaps(stamp(draw(event_logs()))))
    return [(seq, *encode_row(stored))
            for seq, stored in enumerate(draw(interleavings(stamped)), start=1)]


@st.composite
def damaged(draw: Any, rows: list[Row]) -> list[Row]:
    """``rows`` with a few of them changed the way a broken emitter or an older (or
    newer) recorder might have written them."""
    rows = list(rows)
    for _ in range(draw(st.integers(0, 3)) if rows else 0):
        index = draw(st.integers(0, len(rows) - 1))
        seq, event_id, run_id, type_name, version, source, source_seq, at, text = rows[index]
        try:
            payload = json.loads(text)
        except ValueError:
            continue  # damaged already
        if not isinstance(payload, dict):
            continue
        how = draw(st.sampled_from(["set", "set", "set", "drop", "version", "text"]))
        if how == "set":
            payload[draw(st.sampled_from(FIELDS))] = draw(st.sampled_from(ODD_VALUES))
            text = json.dumps(payload)
        elif how == "drop" and payload:
            payload.pop(draw(st.sampled_from(sorted(payload))))
            text = json.dumps(payload)
        elif how == "version":
            version = draw(st.sampled_from([0, 2, 9]))
        elif how == "text":
            text = draw(st.sampled_from(["[]", "{oops", "null", '"text"',
                                         text[:-1] + ', "stdout": "\\ud800"}']))
        rows[index] = (seq, event_id, run_id, type_name, version, source, source_seq, at, text)
    return rows


def oracle(rows: list[Row]) -> Any:
    """The attrs path: every row decoded with cattrs, then folded."""
    projection = RunProjection()
    try:
        for row in rows:
            projection.apply(decode_row(row, "log.db"))
    except RecorderError as error:
        return type(error), str(error)
    return render_json(projection.document())


def fast(rows: list[Row]) -> Any:
    """The export's path: payload dicts, the attrs path only where the fast one declines;
    from whole rows (:func:`fold_rows`) and, for a log of one run, from the envelopes
    the exporter reads (:func:`fold_envelopes`), which must agree."""
    found = _fast_rows(rows)
    if len({row[2] for row in rows}) == 1:
        assert _fast_envelopes(rows) == found
    return found


def _fast_rows(rows: list[Row]) -> Any:
    projection = RunProjection()
    try:
        fold_rows(projection, rows, orjson.loads, lambda row: decode_row(row, "log.db"))
    except RecorderError as error:
        return type(error), str(error)
    return render_json(projection.document())


def _fast_envelopes(rows: list[Row]) -> Any:
    by_seq = {row[0]: row for row in rows}
    envelopes = [(seq, event_id, type_name, version, source, source_seq, text)
                 for seq, event_id, _, type_name, version, source, source_seq, _, text in rows]
    projection = RunProjection()
    try:
        fold_envelopes(projection, rows[0][2], envelopes, orjson.loads,
                       lambda envelope: decode_row(by_seq[envelope[0]], "log.db"))
    except RecorderError as error:
        return type(error), str(error)
    return render_json(projection.document())


@given(rows_of_a_log().flatmap(damaged))
def test_the_fast_fold_gives_the_same_document_or_the_same_error(rows: list[Row]) -> None:
    """Whole logs, some with damaged rows (none, often): the same bytes or error."""
    assert fast(rows) == oracle(rows)


@attrs.frozen
class CaseStartedV2(CaseStarted):
    """``case.started`` as a later recorder might define it: version 2, whose upcaster
    turns a version-1 payload into its shape (here: the same fields)."""

    VERSION: ClassVar[int] = 2
    UPCASTERS: ClassVar[Any] = {1: dict}


@settings(max_examples=25)  # the same fold as above, three times: a smaller sample
@given(rows_of_a_log(), st.data())
def test_rows_of_an_older_version_are_upcast_the_full_way(rows: list[Row],
                                                          data: st.DataObject) -> None:
    """With ``case.started`` at version 2, its version-1 rows go through the upcaster and
    the current ones through the fast path; the document is the oracle's."""
    relabelled = [row[:4] + (2,) + row[5:] if row[3] == "case.started" and data.draw(
        st.booleans()) else row for row in rows]
    handler = FAST_HANDLERS["case.started"][1]
    with mock.patch.dict(EVENT_TYPES, {"case.started": CaseStartedV2}), \
            mock.patch.dict(_HANDLERS, {CaseStartedV2: _HANDLERS[CaseStarted]}), \
            mock.patch.dict(FAST_HANDLERS, {"case.started": (2, handler)}):
        assert fast(relabelled) == oracle(relabelled) == oracle(rows)


def test_each_fast_handler_reads_its_types_current_version() -> None:
    """Bumping an event's version must update its fast handler too (until then, every
    row of the new version would be folded the full way)."""
    for type_name, (version, handler) in FAST_HANDLERS.items():
        assert version == EVENT_TYPES[type_name].VERSION, type_name
        assert handler.__module__ == payload_fold.__name__


#: The six required fields of ``phase.finished``, which its handler reads the quick way
#: when a payload holds exactly six keys.
PHASE_REQUIRED = ("case_id", "phase", "outcome", "started_at", "stopped_at", "duration")


@given(rows_of_a_log(), st.data())
def test_six_key_phase_payloads_fold_as_the_oracle_does(rows: list[Row],
                                                          data: st.DataObject) -> None:
    """A ``phase.finished`` payload of exactly six keys is read the quick way only when
    they are the six required ones (each value still checked); any other six (a required
    one swapped for an optional one, or a value of another type) go the general way or
    the full one, with the oracle's document or error."""
    changed = []
    for row in rows:
        payload = json.loads(row[8]) if row[3] == "phase.finished" else None
        if isinstance(payload, dict) and data.draw(st.booleans()):
            payload = {key: payload[key] for key in PHASE_REQUIRED if key in payload}
            how = data.draw(st.sampled_from(["plain", "swap", "odd"]))
            if how == "swap":
                payload.pop(data.draw(st.sampled_from(PHASE_REQUIRED)), None)
                optional = data.draw(st.sampled_from(["attempt", "stdout", "reason", "log"]))
                payload[optional] = data.draw(st.sampled_from([2, "text", None, ""]))
            elif how == "odd":
                payload[data.draw(st.sampled_from(PHASE_REQUIRED))] = data.draw(
                    st.sampled_from(ODD_VALUES))
            row = (*row[:8], json.dumps(payload))
        changed.append(row)
    assert fast(changed) == oracle(changed)
