"""Arbitrary text in every text field of every event (issue 12): all of Unicode with
lone surrogates, NUL, control and bidi characters and very long strings goes from the
emitter through the journal and the store to the exported document, the terminal and
markdown summaries and the upload's validation; the document is always valid, keeps
every character but lone surrogates, and any refusal is one line."""

from __future__ import annotations

import io
import itertools
import tempfile
from pathlib import Path
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from recorder.document.reader import read_document
from recorder.errors import RecorderError
from recorder.events.model import (
    CaseCrashed,
    CaseFinished,
    CaseStarted,
    CIInfo,
    CollectionError,
    CollectionFinished,
    Environment,
    Event,
    Failure,
    GitInfo,
    PhaseFinished,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
)
from recorder.events.text import valid_text
from recorder.export.run_json import export_run
from recorder.report.markdown import render_markdown
from recorder.report.terminal import render_summary
from recorder.store.emitter import Emitter
from recorder.store.sqlite import EventStore
from recorder.upload.layout import object_key
from tests.support import TIMESTAMP

#: Fields that are not free text: timestamps (checked as date-time) and enumerations.
NOT_FREE_TEXT = frozenset({"started_at", "stopped_at", "finished_at", "crashed_at", "phase",
                           "outcome", "status"})

hostile_characters = st.characters(codec=None, categories=None) | st.sampled_from(
    ["\x00", "\x1b", "\r", "\n", "\t", "\u202e", "\u2066", "\ufeff", "\udc80", "\ud800",
     "\udfff", "\U0010ffff", "\x7f", "\x85"])
hostile_texts = st.one_of(
    st.text(hostile_characters, max_size=40),
    st.text(hostile_characters, max_size=40),
    st.text(hostile_characters, max_size=40),
    st.builds(lambda char, count: char * count, hostile_characters,
              st.integers(1_000, 4_000)),  # a very long one, now and then
)

FAILURE = Failure(type="E", message="m", traceback="tb")
TEMPLATE: tuple[Event, ...] = (
    RunStarted(project="p", started_at=TIMESTAMP, tool="pytest", tool_version="8",
               recorder_version="0.1", shard="s", arguments=("-q", "x"), labels={"k": "v"},
               environment=Environment(host="h", os="o", python="3", python_implementation="c",
                                       git=GitInfo(commit="c", branch="b"),
                                       ci=CIInfo(provider="p", run_id="r", job="j", url="u"))),
    CollectionFinished(collected=2, case_ids=("case_id", "other_case"),
                       errors=(CollectionError(nodeid="n", message="m"),)),
    CaseStarted(case_id="case_id", started_at=TIMESTAMP, suite="s", name="n", file="f",
                line=3, parameters={"k": "v"}, markers=("m",), worker="w"),
    StepStarted(case_id="case_id", step_id=1, name="n", started_at=TIMESTAMP),
    StepFinished(case_id="case_id", step_id=1, status="failed", duration=0.1, failure=FAILURE),
    PhaseFinished(case_id="case_id", phase="call", outcome="failed", started_at=TIMESTAMP,
                  stopped_at=TIMESTAMP, duration=0.1, failure=FAILURE, reason="r",
                  xfail_reason="x", stdout="o", stderr="e", log="l"),
    CaseFinished(case_id="case_id", status="failed", duration=0.1, stopped_at=TIMESTAMP,
                 reason="r"),
    CaseStarted(case_id="other_case", started_at=TIMESTAMP, worker="w"),
    CaseCrashed(case_id="other_case", worker="w", message="m", crashed_at=TIMESTAMP),
    RunFinished(exit_status=1, finished_at=TIMESTAMP, duration=0.2, reason="r"),
)


def fill(value: Any, text_for: Any, name: str = "") -> Any:
    """``value`` with every free-text string (in nested records, tuples and dicts too)
    replaced by ``text_for(field name)``: the same field gets the same text everywhere,
    so a case's events still name one case."""
    if attrs.has(type(value)):
        return attrs.evolve(value, **{
            field.name: fill(getattr(value, field.name), text_for, field.name)
            for field in attrs.fields(type(value)) if field.name not in NOT_FREE_TEXT})
    if isinstance(value, str):  # a case id is the same case in every event
        return text_for(value if name in ("case_id", "case_ids") else f"{name}:{value}")
    if isinstance(value, tuple):
        return tuple(fill(item, text_for, name) for item in value)
    if isinstance(value, dict):
        return {fill(k, text_for, name + ".key"): fill(v, text_for, name) for k, v in value.items()}
    return value


def assert_one_line(error: RecorderError) -> None:
    assert "\n" not in str(error) and "\r" not in str(error), str(error)


@given(st.lists(hostile_texts, min_size=1, max_size=12), hostile_texts, hostile_texts)
def test_arbitrary_text_in_every_field_gives_a_valid_document(
        texts: list[str], run_id: str, source: str) -> None:
    """Emit, journal, store, export, validate, summarize (terminal and markdown) and
    build the upload key: a valid document keeping the text, or one-line errors."""
    assigned: dict[str, str] = {}
    pool = itertools.cycle(texts)

    def text_for(field: str) -> str:
        return assigned.setdefault(field, next(pool))

    events = [fill(event, text_for) for event in TEMPLATE]
    with tempfile.TemporaryDirectory() as folder:
        db, out = Path(folder) / "events.db", Path(folder) / "run.json"
        with EventStore.create(db) as store:
            emitter = Emitter(store, run_id, source)
            for event in events:
                emitter.emit(event)
        export_run(db, out)
        data, document = read_document(out)  # the reader summary and upload use
    assert document["run_id"] == valid_text(run_id)
    assert document["project"] == valid_text(events[0].project)
    case_ids = {valid_text(text_for(case)) for case in ("case_id", "other_case")}
    assert document["summary"]["total"] == len(case_ids)
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(render_summary(document))
    render_markdown(document).encode("utf-8")
    try:
        object_key(document, source="run.json")
    except RecorderError as error:
        assert_one_line(error)
    data.decode("utf-8")  # strict: no surrogate reached the file
