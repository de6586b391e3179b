"""The emitter's journal lines: what it writes without building rows or events is byte
for byte what the model path (``StoredEvent`` -> ``encode_row`` -> ``orjson``) writes."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import attrs
import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from recorder.events import encoding
from recorder.events.model import Event
from recorder.store.emitter import Emitter
from recorder.store.journal import pending_journals
from recorder.store.sqlite import EventStore, encode_row
from tests.strategies import all_events

#: Envelope text as a user may give it (run ids, shard names): odd characters included.
envelope_text = st.text(st.characters(codec="utf-8") | st.sampled_from('"\\\x00\u2028\udc80'),
                        min_size=1, max_size=12)


def _journal_bytes(db: Path) -> bytes:
    return b"".join(path.read_bytes() for path in pending_journals(db))


def _fields(event: Event) -> dict[str, Any]:
    return {field.name: getattr(event, field.name) for field in attrs.fields(type(event))}


@settings(max_examples=30)
@given(run_id=envelope_text, source=envelope_text,
       batches=st.lists(st.lists(all_events, min_size=1, max_size=3), min_size=1, max_size=4))
def test_journal_lines_are_the_model_paths_rows(run_id: str, source: str,
                                                batches: list[list[Event]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "events.db"
        with EventStore.create(db) as store:
            model = Emitter(store, run_id, source)
            stored = [item for batch in batches for item in model.emit_together(*batch)]
            written = _journal_bytes(db)
        expected = b"".join(orjson.dumps(encode_row(item), option=orjson.OPT_APPEND_NEWLINE)
                            for item in stored)
        assert written == expected


@settings(max_examples=30)
@given(batches=st.lists(st.lists(all_events, min_size=1, max_size=3), min_size=1, max_size=4))
def test_emitting_payloads_writes_what_emitting_events_writes(
        batches: list[list[Event]]) -> None:
    """Apart from the event ids' random part and the recorded_at clock."""
    lines = []
    with tempfile.TemporaryDirectory() as scratch:
        for fast in (False, True):
            db = Path(scratch) / f"events-{fast}.db"
            with EventStore.create(db) as store:
                emitter = Emitter(store, "run-1", "main")
                for batch in batches:
                    if fast:
                        emitter.emit_payloads(*[
                            (type(event), encoding.builder(type(event))(**_fields(event)))
                            for event in batch])
                    else:
                        emitter.emit_together(*batch)
                rows = [orjson.loads(line) for line in _journal_bytes(db).splitlines()]
            lines.append([(row[0][-12:], *row[1:6], row[7]) for row in rows])
    assert lines[0] == lines[1]
    assert len(lines[0]) == sum(len(batch) for batch in batches)
