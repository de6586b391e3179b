"""Which recorded durations are possible. A clock gives a finite, non-negative number of
seconds; anything else (a test froze or patched the clock, a foreign emitter wrote NaN)
is recorded in the document as null with a note, never as a number that makes the run
unexportable."""

from __future__ import annotations

import math


def possible_duration(seconds: object) -> bool:
    """True for a finite, non-negative number of seconds."""
    return (isinstance(seconds, int | float) and not isinstance(seconds, bool)
            and math.isfinite(seconds) and seconds >= 0)


def impossible_duration_note(what: str, seconds: object) -> str:
    return f"{what}: recorded duration {seconds!r} is impossible; shown as null"
