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
SQLite as before, which creates it or gives the one-line error.
"""

from __future__ import annotations

import os
import stat
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
