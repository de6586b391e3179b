"""Whether a file already is an event store of this version, told from its SQLite
header, without importing sqlite3.

A recording under a new run id writes only its journal while tests run (the events
are durable there); what it needs from the database up front is the proof that
``--recorder-db`` names a store it may append to. The first 100 bytes of a SQLite file
say it is one (the magic string), give its page size (bytes 16-17) and hold
``PRAGMA user_version`` (bytes 60-63, big endian), which is ``STORE_VERSION`` only in a
store this recorder created whole (:func:`recorder.store.connection.create_database_file`
writes it with the schema, before the file gets its name); the first page holds the
schema's text, so the ``events`` table is there too. Anything else (no file yet, an
empty, damaged or foreign file, a newer store, one that is not writable) is opened with
SQLite as before, which gives the one-line error.

A store that does not exist yet is made without sqlite3 too: :func:`create_store_file`
writes the bytes SQLite writes for a new, empty store (:data:`_EMPTY_STORE`, what
:func:`recorder.store.connection.create_database_file` makes; tests/store/test_header.py
holds the two to each other) under a temporary name and links it to its name, as
``create_database_file`` does.
"""

from __future__ import annotations

import os
import stat
import uuid
import zlib
from pathlib import Path

#: The store version this recorder writes (``PRAGMA user_version``).
STORE_VERSION = 1

_MAGIC = b"SQLite format 3\x00"
_PAGE_SIZE = slice(16, 18)
_USER_VERSION = slice(60, 64)
#: How SQLite keeps the events table's CREATE statement (recorder.store.connection.SCHEMA).
_EVENTS_TABLE = b"CREATE TABLE events (\n    seq INTEGER PRIMARY KEY AUTOINCREMENT,"


def is_current_store(path: Path) -> bool:
    """``path`` is a regular, writable SQLite file in a writable folder whose header
    says it is an event store of :data:`STORE_VERSION`."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            return False
        with open(path, "rb") as file:
            header = file.read(100)
            if len(header) < 100 or not header.startswith(_MAGIC) or \
                    int.from_bytes(header[_USER_VERSION], "big") != STORE_VERSION:
                return False
            page_size = int.from_bytes(header[_PAGE_SIZE], "big")
            page_size = 65536 if page_size == 1 else page_size  # how SQLite writes 64 KiB
            if not 512 <= page_size <= 65536:
                return False
            first_page = header + file.read(page_size - 100)
    except OSError:
        return False
    return _EVENTS_TABLE in first_page


def create_store_file(path: Path) -> bool:
    """Make a new, empty event store at ``path`` from :data:`_EMPTY_STORE`, without
    sqlite3; False (and nothing made) if ``path`` exists, or its folder cannot be made
    or written: then SQLite opens it, and says what is wrong."""
    try:
        os.lstat(path)
        return False
    except FileNotFoundError:
        pass
    except OSError:
        return False
    creating = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.creating")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(creating, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            data = empty_store()
            if os.write(fd, data) != len(data):
                return False
        finally:
            os.close(fd)
        try:
            os.link(creating, path)
        except FileExistsError:  # another process created it first: use theirs
            pass
    except OSError:
        return False
    finally:
        try:
            creating.unlink()
        except OSError:
            pass
    return is_current_store(path)


def empty_store() -> bytes:
    """The bytes of a new, empty event store (SQLite format 3, WAL mode, the schema and
    ``user_version`` of :data:`STORE_VERSION`)."""
    return zlib.decompress(bytes.fromhex(_EMPTY_STORE))


#: zlib-compressed hex of what ``create_database_file`` writes (SQLite 3.40.1; the file
#: format is SQLite's stable format 3, which every later SQLite reads and writes).
_EMPTY_STORE = (
    "78daeddacb6eda40140660e300895029d92194cdd90584db34adba6917ad0953649518628c5456968b279155"
    "62135fa2d25d22f535fa427d873e47971d18d34282a2485d35fd3f696ccdcc3933c7dca491189c74fd84d369"
    "189dbb09bd5076155555de12298aa28a5650fed8122dbfd2cf65ed2eaaf2749c2b577e2ac5475f94c7cf2adf"
    "2bdfca3fca9ae80000000000c07fe4eaa0b8bdf7b2b673bd9744fed9198ff8250f92d889f8691a73c7e3139e"
    "7039766431dd66645b46a7c32cda14482df6ae67316ab32e13a13d338b2ab558c7306920868f6cb27463c0ea"
    "7aab67d91aedcb0872234eee74ca03ef49184c66af966bf831c92dbcfdc66b6266fbeaa07057c5e9d473ef55"
    "b10c5c563cecb7f5bfad385be356c5fd7cb1da6ce64689fb71c2e38b8938ea3931bf487930bed92d2c4bd65b"
    "5d463726eb817bce35d16b5c7fca6d576bb5dcd7c3c59ab2207955d756c84aad974810996498369bbf167dcb"
    "38d6ad11bd6723d28776cf3045de31336d6d11bac8737c8f6cf6c126b327dab0dba5a1699c0c990c89d2e056"
    "809c496653be69fc9247b11f06bf6b589f8dc3341a6fcc9333ce6af9eb01111f8791c73d471c9e37e44fddd9"
    "247437962a1f88eaf261b46c2b6d65cb46a9d1dc2a56dfd4728a1f78fc73f69eb869122efa4ef6a97a2eeff9"
    "a67a8fe043799f9fe577e6dfc2f2fcb28b5f230000000000008087ac84f33f00000000000000ceff00000000"
    "000000f0cfc3ffff010000000000001ebe5f4dea24b6"
)
