"""The run document as JSON bytes: deterministic, two-space indented, UTF-8.

:func:`render_json` serializes a whole document; :func:`iter_json` produces the very
same bytes from :class:`~recorder.document.projector.DocumentParts` one suite at a time, so
exporting a huge run never holds the whole document (or its text) in memory.
orjson does the work: it is about 20 times faster than the stdlib here. Its output
matches ``json.dumps(indent=2, ensure_ascii=False)`` except that it writes floats in
the shortest form (``1e-05`` becomes ``0.00001``); either way it is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import orjson

from recorder.document import Document
from recorder.document.projector import DocumentParts

_INDENT = orjson.OPT_INDENT_2
_SUITES_SLOT = b'\n  "suites": [],\n'


def render_json(document: Document, *, compact: bool = False) -> bytes:
    """The whole document as JSON bytes, with a final newline; ``compact`` puts it all
    on one line (what Athena's and Trino's JSON readers need: one object per line)."""
    return orjson.dumps(document, option=0 if compact else _INDENT) + b"\n"


def iter_json(
    parts: DocumentParts,
    on_suite: Callable[[Document, int], None] | None = None,
    *,
    compact: bool = False,
) -> Iterator[bytes]:
    """The same bytes as ``render_json(document, compact=compact)``, in chunks of one
    suite each.

    ``on_suite(suite, index)`` sees every suite before it is serialized (to validate it).
    """
    if compact:
        yield from _iter_compact(parts, on_suite)
        return
    skeleton = orjson.dumps({**parts.head, "suites": [], **parts.tail}, option=_INDENT)
    # Top-level keys are indented by exactly two spaces, so this slot is unique.
    before, after = skeleton.split(_SUITES_SLOT)
    yield before + b'\n  "suites": ['
    first = True
    for index, suite in enumerate(parts.suites):
        if on_suite is not None:
            on_suite(suite, index)
        body = orjson.dumps(suite, option=_INDENT).replace(b"\n", b"\n    ")
        yield (b"\n    " if first else b",\n    ") + body
        first = False
    yield (b"]" if first else b"\n  ]") + b",\n" + after + b"\n"


def _iter_compact(
    parts: DocumentParts, on_suite: Callable[[Document, int], None] | None
) -> Iterator[bytes]:
    skeleton = orjson.dumps({**parts.head, "suites": [], **parts.tail})
    # Inside a JSON string the quotes would be escaped, so this only matches the key.
    before, after = skeleton.split(b'"suites":[]')
    yield before + b'"suites":['
    for index, suite in enumerate(parts.suites):
        if on_suite is not None:
            on_suite(suite, index)
        yield (b"," if index else b"") + orjson.dumps(suite)
    yield b"]" + after + b"\n"
