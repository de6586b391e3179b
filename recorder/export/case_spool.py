"""Where an export keeps the cases it has rendered: their JSON bytes in an anonymous
temporary file, so memory holds only a handle per case (one integer: offset and length).

Each case is serialized once, as it will stand in the file (indented for its place in
its suite, or compact), and comes back as an ``orjson.Fragment`` that orjson writes
as it is (:func:`recorder.export.rendering.iter_json` then indents the suite around
it exactly as it would have indented the case itself). A case is checked against the
schema before it is spooled; the document's writer checks the rest of each suite."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import orjson

from recorder.document import Document
from recorder.document.schema import case_check

#: The extra indent of a case inside its suite's ``cases`` (the suite is serialized on
#: its own, then indented as a whole).
_CASE_INDENT = b"\n    "
#: A handle is ``offset << 40 | length``: a case's bytes are far below a terabyte.
_LENGTH_BITS = 40
_LENGTH_MASK = (1 << _LENGTH_BITS) - 1
#: How much :meth:`CaseSpool.fetch` reads at once of cases fetched in spooled order.
_READ_AHEAD = 1 << 16


class CaseSpool:
    """Spooled case bytes; ``invalid`` is set once a case fails the schema (the caller
    then writes the run the ordinary way, whose error names the case)."""

    def __init__(self, *, compact: bool) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._compact = compact
        self._valid = case_check()
        self._size = 0
        self._unflushed = False
        self.invalid = False
        # The bytes last read ahead, from file offset _window_start; where the previous
        # fetched case ended (cases fetched in the order they were spooled are read
        # ahead in big chunks; any other order, one case a read).
        self._window = b""
        self._window_start = 0
        self._next = -1

    def retire(self, case: Document) -> int:
        """Spool ``case``; its handle."""
        if not self.invalid and not self._valid(case):
            self.invalid = True
        if self._compact:
            data = orjson.dumps(case)
        else:
            data = orjson.dumps(case, option=orjson.OPT_INDENT_2).replace(b"\n", _CASE_INDENT)
        self._file.write(data)
        self._unflushed = True
        offset = self._size
        self._size += len(data)
        return offset << _LENGTH_BITS | len(data)

    def fetch(self, handle: int) -> Any:
        """The spooled case of ``handle``, for orjson to write as it is."""
        if self._unflushed:
            self._file.flush()
            self._unflushed = False
        offset, length = handle >> _LENGTH_BITS, handle & _LENGTH_MASK
        start = offset - self._window_start
        if 0 <= start and start + length <= len(self._window):
            data = self._window[start:start + length]
        elif offset == self._next:  # reading on in spooled order: read ahead
            self._window = os.pread(self._file.fileno(), max(length, _READ_AHEAD), offset)
            self._window_start = offset
            data = self._window[:length]
        else:
            data = os.pread(self._file.fileno(), length, offset)
        self._next = offset + length
        return orjson.Fragment(data)

    def close(self) -> None:
        self._file.close()
