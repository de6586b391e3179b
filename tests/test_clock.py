"""The recorder's wall clock writes exactly what ``datetime.now(UTC).isoformat()`` would."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from recorder.clock import format_utc_ns, utc_now

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LAST_NS = int((dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC) - EPOCH).total_seconds()) \
    * 10**9


@given(st.integers(min_value=0, max_value=LAST_NS)
       | st.integers(min_value=0, max_value=10**6).map(lambda second: second * 10**9))
def test_formatting_matches_isoformat(ns: int) -> None:
    """Microseconds rounded down, as ``datetime.now`` does; none written when zero."""
    expected = (EPOCH + dt.timedelta(microseconds=ns // 1000)).isoformat()
    assert format_utc_ns(ns) == expected
    assert format_utc_ns(ns - ns % 1000 + 999) == expected  # the same microsecond


def test_now_is_now() -> None:
    before = dt.datetime.now(dt.UTC)
    now = dt.datetime.fromisoformat(utc_now())
    assert before <= now <= dt.datetime.now(dt.UTC)
