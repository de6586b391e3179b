"""The document's ISO 8601 timestamps as the integers and strings other formats want."""

from __future__ import annotations

import datetime as dt

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MILLISECOND = dt.timedelta(milliseconds=1)


def parse_timestamp(text: str | None) -> dt.datetime | None:
    """``text`` as an aware datetime (naive means UTC); None if absent or unreadable."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def epoch_millis(text: str | None) -> int | None:
    """Milliseconds since the Unix epoch, exactly (no float rounding), or None."""
    moment = parse_timestamp(text)
    return None if moment is None else (moment - _EPOCH) // _MILLISECOND


def millis(seconds: float | None) -> int:
    """A duration in seconds as whole milliseconds (0 when unknown)."""
    return 0 if seconds is None else int(round(seconds * 1000))
