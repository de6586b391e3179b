"""Text made valid where it enters the recorder: once, and only when it needs it.

Python strings may hold lone surrogates (``b"caf\\xe9".decode(errors="surrogateescape")``,
an f-string over a file name, ``"\\udc80"`` typed in a test). UTF-8 cannot encode them, so
orjson, SQLite's JSON and a terminal all refuse them. :func:`valid_text` pairs
surrogates that form a character and replaces each lone one with U+FFFD; everything
else (NUL, control and bidi characters, any other code point) is kept as it is.
"""

from __future__ import annotations

from typing import Any

REPLACEMENT = "\ufffd"


def valid_text(text: str) -> str:
    """``text`` as valid Unicode: surrogate pairs joined, lone surrogates as U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def valid_data(value: Any) -> Any:
    """``value`` (plain JSON-ready data) with every string, keys included, made valid."""
    if isinstance(value, str):
        return valid_text(value)
    if isinstance(value, dict):
        return {valid_text(key) if isinstance(key, str) else key: valid_data(item)
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [valid_data(item) for item in value]
    return value
