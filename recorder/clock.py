"""Wall-clock timestamps as ISO 8601 UTC strings with an explicit offset."""

from __future__ import annotations

import datetime as dt


def utc_now() -> str:
    """The current time, e.g. ``2026-11-23T11:24:23.123456+00:00``."""
    return dt.datetime.now(dt.UTC).isoformat()


def utc_from_epoch(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()
