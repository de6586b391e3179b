"""Property test: a case rendered straight into its on-disk shape is exactly
``compact_case`` of the full form the projector renders, key order included."""

from __future__ import annotations

from typing import Any

import attrs
import orjson
from hypothesis import given
from hypothesis import strategies as st

from recorder.document.projector import RunProjection
from recorder.document.shape import compact_suite
from recorder.events.model import CaseStarted, PhaseFinished, StoredEvent
from tests.strategies import event_logs, interleavings, stamp, with_gaps

#: Timestamps an offset may or may not rebuild exactly: whole seconds, microseconds,
#: other offsets, naive, the ends of the calendar, other spellings, not a time at all.
STAMPS = ("2026-11-23T10:00:00+00:00", "2026-11-23T10:00:00.000001+00:00",
          "2026-11-23T10:00:07.250000+00:00", "2026-11-23T09:59:59.999999+00:00",
          "2026-11-23T10:00:01.5+00:00", "2026-11-23T11:00:00.123456+01:00",
          "2026-11-23T10:00:00", "2026-11-23T10:00:00Z", "2026-11-23 10:00:00+00:00",
          "9999-12-31T23:59:59.999999+00:00", "0001-01-01T00:00:00+00:00", "garbage", "",
          "2026-11-23T10:59:59.999999+00:00", "2026-11-23T10:00:00.000000+00:00",
          "2026-11-23T10:00:60.000001+00:00", "2026-11-23T10:0\u0661:00.000001+00:00",
          "2026-W48-1T10:00:00+00:00", "2026-W48-1T10:00:01.000001+00:00",
          "2026-11-23T10:00:00,000001+00:00", "2026-02-30T10:00:00.000001+00:00")


@st.composite
def events_with_odd_times(draw: Any) -> list[StoredEvent]:
    stamped = draw(with_gaps(stamp(draw(event_logs()))))
    events = draw(interleavings(stamped))
    times = st.sampled_from(STAMPS)
    changed = []
    for stored in events:
        event = stored.event
        if isinstance(event, CaseStarted) and draw(st.booleans()):
            event = attrs.evolve(event, started_at=draw(times))
        elif isinstance(event, PhaseFinished):
            event = attrs.evolve(event, started_at=draw(times), stopped_at=draw(times))
        changed.append(attrs.evolve(stored, event=event))
    return changed


@given(events_with_odd_times())
def test_on_disk_cases_are_compact_case_of_the_full_form(events: list[StoredEvent]) -> None:
    projection = RunProjection().apply_all(events)
    full = [compact_suite(suite) for suite in projection.document_parts().suites]
    direct = list(projection.document_parts(on_disk=True).suites)
    assert orjson.dumps(direct) == orjson.dumps(full)
    assert direct == full
