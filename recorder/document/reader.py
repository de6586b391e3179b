"""Reading an exported run document back: the one reader every consumer (summary,
upload, later history) uses, so a bad file gets the same message and exit code in all.

A 2.x document stores its cases in the compacted shape (:mod:`recorder.document.shape`);
the reader validates the file as written and hands back the full form, so consumers see
the same document whatever the schema_version."""

from __future__ import annotations

import json
import re
from pathlib import Path

from recorder.document import Document
from recorder.document.schema import validate_document
from recorder.document.shape import expand_document
from recorder.errors import InputNotFoundError, InvalidDocumentError
from recorder.events.text import valid_data

#: How a lone surrogate looks in JSON text (``\udc80``): only then is the document's
#: text made valid (:mod:`recorder.events.text`), so that printing it cannot fail.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def read_document(path: str | Path) -> tuple[bytes, Document]:
    """The exact bytes of the run document at ``path`` and its validated content
    (in the full form: a 2.x document's cases expanded).

    A missing or unreadable file is :class:`InputNotFoundError` (exit 3); a file that is
    not UTF-8 JSON, or fails the schema, is :class:`InvalidDocumentError` (exit 4)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise InputNotFoundError(
            f"run document {path} does not exist: export it first with 'recorder export'"
        ) from error
    except OSError as error:
        raise InputNotFoundError(
            f"cannot read run document {path} ({error.strerror or error})"
        ) from error
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
        validate_document(document, source=str(path))
        if _SURROGATE_ESCAPE.search(data):
            document = valid_data(document)
        document = expand_document(document)
    except ValueError as error:
        raise InvalidDocumentError(
            f"{path} is not valid UTF-8 JSON ({error}): export it again with 'recorder export'"
        ) from error
    except RecursionError as error:
        raise InvalidDocumentError(
            f"{path} is nested too deeply to be a run document: export it again with "
            "'recorder export'"
        ) from error
    return data, document


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def load_document(path: str | Path) -> Document:
    """The validated run document at ``path`` (see :func:`read_document`)."""
    return read_document(path)[1]
