"""Writing an output file atomically: a temporary sibling renamed into place, so a
reader never sees a half-written file and a failure leaves no file behind. Every
exported format goes through here.

The target is checked first (:func:`check_output`), so a write never destroys what is
not an output: a directory, a special file (FIFO, device such as ``/dev/full``,
socket), an SQLite database, or any file of the event store being read (``protected``).
A symlink is written through: its target is replaced and the link stays. An existing
file keeps its permission bits; a new one gets those the umask allows."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from recorder.errors import OutputError

SQLITE_MAGIC = b"SQLite format 3\x00"
NEW_FILE_MODE = 0o666  # before the umask, as open() would create it


def check_output(path: str | Path, protected: Iterable[str | Path] = ()) -> Path:
    """The real file that writing ``path`` replaces (symlinks followed), or an
    :class:`OutputError` naming ``path`` if it must not be replaced.

    ``protected`` lists files and folders (with everything in them) that are inputs of
    this command, e.g. the event database and its journals."""
    path = Path(path)
    target = Path(os.path.realpath(path))
    try:
        found = os.stat(target)
    except FileNotFoundError:
        found = None
    except OSError as error:
        raise _cannot_write(path, error) from error
    for guarded in protected:
        if _is_within(target, found, Path(guarded)):
            raise OutputError(f"--out {path} would overwrite {guarded}, an input of this "
                              "command (the event store, or the document read): pass "
                              "another --out")
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise OutputError(f"--out {path} is a directory: pass a file name, e.g. "
                          f"{path / 'test-run-results.json'}")
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise OutputError(f"--out {path} is not a regular file (a FIFO, device or socket) "
                          "and would be replaced by one: pass a regular file's path")
    if found is not None and _starts_with(target, SQLITE_MAGIC):
        raise OutputError(f"--out {path} is an SQLite database (an event store?), which "
                          "an export never replaces: pass another --out")
    return target


def write_atomically(path: str | Path, chunks: Iterable[bytes], *,
                     protected: Iterable[str | Path] = ()) -> int:
    """Write ``chunks`` to ``path`` via a temporary sibling and a rename; the byte count.

    ``path`` is checked first (:func:`check_output`). If anything fails (a chunk's
    producer included), no file is left behind and an existing ``path`` is untouched."""
    path = Path(path)
    target = check_output(path, protected)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = NEW_FILE_MODE & ~_umask()
    except OSError as error:
        raise _cannot_write(path, error) from error
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=target.parent)
    except OSError as error:
        raise _cannot_write(path, error) from error
    size = 0
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
                size += len(chunk)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _cannot_write(path, error) from error
        raise
    return size


def _is_within(target: Path, found: os.stat_result | None, guarded: Path) -> bool:
    """Whether ``target`` is ``guarded`` (also through another name) or inside it."""
    real = Path(os.path.realpath(guarded))
    if target == real or real in target.parents:
        return True
    try:
        held = os.stat(real)
    except OSError:
        return False
    return found is not None and (found.st_dev, found.st_ino) == (held.st_dev, held.st_ino)


def _starts_with(path: Path, magic: bytes) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(len(magic)) == magic
    except OSError:
        return False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _cannot_write(path: Path, error: OSError) -> OutputError:
    return OutputError(f"cannot write {path} ({error.strerror or error}): choose a "
                       "writable --out")
