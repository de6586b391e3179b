"""The JSON export spools finished cases out of memory (recorder/document/retiring.py,
recorder/export/case_spool.py): for any log and any window, the file is byte for byte
the one the in-memory fold writes, indented and compact, and an event that names a
case already spooled sends the export back to the in-memory fold."""

from __future__ import annotations

import contextlib
import itertools
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recorder.document.projector import RunProjection
from recorder.document.retiring import RetiringProjection
from recorder.events.model import StoredEvent
from recorder.export import run_json
from recorder.export.case_spool import CaseSpool
from recorder.export.formats import FORMATS
from recorder.export.rendering import iter_json
from recorder.export.run_json import export_run
from recorder.store.sqlite import EventStore
from tests.strategies import event_logs, interleavings, stamp, with_gaps


@st.composite
def logs(draw: Any) -> list[StoredEvent]:
    return list(draw(interleavings(draw(with_gaps(stamp(draw(event_logs())))))))


def in_memory(events: list[StoredEvent], compact: bool) -> bytes:
    parts = RunProjection().apply_all(events).document_parts(on_disk=True)
    return b"".join(iter_json(parts, compact=compact))


@given(logs(), st.integers(0, 3))
def test_retired_cases_come_back_as_they_were_rendered(events: list[StoredEvent],
                                                       window: int) -> None:
    """The fold that retires cases gives the suites of the ordinary fold, unless an
    event named a case after it was retired (then it says so)."""
    spooled: list[Any] = []
    projection = RetiringProjection(retire=lambda case: spooled.append(case) or len(spooled) - 1,
                                    fetch=spooled.__getitem__, window=window)
    projection.apply_all(events)
    if projection.stale:
        return
    plain = RunProjection().apply_all(events)
    assert (list(projection.document_parts(on_disk=True).suites)
            == list(plain.document_parts(on_disk=True).suites))


@settings(max_examples=30)  # each example writes and exports a real database
@given(logs(), st.integers(0, 2), st.booleans())
def test_the_spooled_file_is_the_in_memory_one(events: list[StoredEvent], window: int,
                                               compact: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db, out = Path(folder) / "events.db", Path(folder) / "out.json"
        with EventStore.create(db) as store:
            store.append(events)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(run_json, "RETIRE_WINDOW", window)
            if not events:
                return
            export_run(db, out, compact=compact, allow_gaps=True)
        with EventStore.open_existing(db) as store:
            stored = list(store.iter_events(store.resolve_run_id(None)))
        assert out.read_bytes() == in_memory(stored, compact)


def test_a_late_event_for_a_spooled_case_folds_the_run_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A step that ends after its case was spooled (a thread the test left running)."""
    from recorder.events.model import (
        CaseFinished,
        CaseStarted,
        RunStarted,
        StepFinished,
        StepStarted,
    )
    from tests.strategies import RUN_ID

    counter = itertools.count(1)

    def stored(event: Any) -> StoredEvent:
        number = next(counter)
        return StoredEvent(event_id=f"e{number}", run_id=RUN_ID, source="main",
                           source_seq=number, recorded_at="2026-11-23T10:00:00+00:00",
                           event=event)

    at = "2026-11-23T10:00:00+00:00"
    events = [stored(RunStarted(project="p", started_at=at))]
    for n in range(3):
        case_id = f"t.py::test_{n}"
        events += [stored(CaseStarted(case_id=case_id, started_at=at)),
                   stored(StepStarted(case_id=case_id, step_id=1, name="s", started_at=at))]
        events.append(stored(CaseFinished(case_id=case_id, status="passed", duration=0.1,
                                          stopped_at=at)))
    events.append(stored(StepFinished(case_id="t.py::test_0", step_id=1, status="passed",
                                      duration=0.5)))
    db = tmp_path / "events.db"
    with EventStore.create(db) as store:
        store.append(events)
    folds: list[str] = []
    fold = run_json._fold

    def counting(*args: Any) -> Any:
        projection = fold(*args)
        folds.append(type(projection).__name__)
        return projection

    monkeypatch.setattr(run_json, "_fold", counting)
    monkeypatch.setattr(run_json, "RETIRE_WINDOW", 1)
    export_run(db, tmp_path / "out.json")
    assert folds == ["RetiringProjection", "RunProjection"]
    assert (tmp_path / "out.json").read_bytes() == in_memory(events, compact=False)
    assert b'"duration": 0.5' in (tmp_path / "out.json").read_bytes()


def test_the_json_format_is_the_one_spooled() -> None:
    assert run_json.FORMATS is FORMATS and "json" in FORMATS


@given(st.lists(st.dictionaries(st.text(max_size=3), st.one_of(
    st.text(max_size=20), st.integers(0, 90_000).map(lambda n: "\u00e9" * n)), max_size=4),
    min_size=1, max_size=12), st.data(), st.booleans())
def test_the_spool_gives_back_each_case_in_any_order(cases: list[dict[str, str]],
                                                      data: st.DataObject,
                                                      compact: bool) -> None:
    """Fetched in the order spooled (read ahead), in another order, or again, each case
    comes back as the bytes it was spooled as, cases larger than the read-ahead too."""
    with contextlib.closing(CaseSpool(compact=compact)) as spool:
        handles = [spool.retire(case) for case in cases]
        order = data.draw(st.sampled_from(["spooled", "shuffled", "repeats"]))
        if order == "spooled":
            picks = list(range(len(cases)))
        elif order == "shuffled":
            picks = data.draw(st.permutations(range(len(cases))))
        else:
            picks = data.draw(st.lists(st.integers(0, len(cases) - 1), max_size=30))
        for index in picks:
            expected = (orjson.dumps(cases[index]) if compact else orjson.dumps(
                cases[index], option=orjson.OPT_INDENT_2).replace(b"\n", b"\n    "))
            assert orjson.dumps(spool.fetch(handles[index])) == expected
