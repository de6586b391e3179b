"""Writing an output file atomically: a temporary sibling renamed into place, so a
reader never sees a half-written file and a failure leaves no file behind. Every
exported format goes through here."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from recorder.errors import OutputError


def write_atomically(path: str | Path, chunks: Iterable[bytes]) -> int:
    """Write ``chunks`` to ``path`` via a temporary sibling and a rename; the byte count.

    If anything fails (a chunk's producer included), no file is left behind and an
    existing ``path`` is untouched."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent)
    except OSError as error:
        raise OutputError(
            f"cannot write {path} ({error.strerror or error}): choose a writable --out"
        ) from error
    size = 0
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
                size += len(chunk)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(
                f"cannot write {path} ({error.strerror or error}): choose a writable --out"
            ) from error
        raise
    return size
