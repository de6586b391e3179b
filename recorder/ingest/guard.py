"""Refuse a DOCTYPE before anything is parsed: no entity is ever declared, so none is
ever expanded (billion laughs) or fetched (XXE).

Entity declarations can only appear inside a DOCTYPE, and a DOCTYPE can only appear
before the root element. So a document whose prolog has no DOCTYPE declares no
entities; any ``&name;`` beyond the five predefined ones is then an "undefined entity"
error in the parser. The prolog is read by expat itself (BOMs, encodings, comments and
processing instructions handled as the real parse will see them) and the scan stops at
the root element's start tag.
"""

from __future__ import annotations

import pyexpat
from typing import BinaryIO

_CHUNK = 16 * 1024


class DoctypeRefused(Exception):
    """The document declares a DOCTYPE (and so possibly entities)."""


class PrologError(Exception):
    """The document is not well-formed before (or instead of) its root element."""


class _RootReached(Exception):
    pass


def check_prolog(stream: BinaryIO) -> None:
    """Read ``stream`` up to its root element; raise if it declares a DOCTYPE."""
    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_: object) -> None:
        raise DoctypeRefused

    def root(*_: object) -> None:
        raise _RootReached

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse  # unreachable without a DOCTYPE; kept as a second lock
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = root
    try:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _RootReached:
        return
    except pyexpat.ExpatError as error:
        raise PrologError(pyexpat.ErrorString(error.code) + _position(error)) from error
    raise PrologError("no element found")  # pragma: no cover - expat raises first


def _position(error: pyexpat.ExpatError) -> str:
    return f": line {error.lineno}, column {error.offset + 1}"
