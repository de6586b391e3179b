"""A temporary file that holds parsed records between reading and emitting.

Every file is read completely before any of its events is emitted (a file goes in
whole or not at all), yet a 100 MB report must not be held in memory: its records
are pickled to an anonymous temporary file, and a file that turns out to be broken
is cut off again with :meth:`RecordSpool.rollback`.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator

from recorder.ingest.records import CaseRecord

_BATCH = 1_000


class RecordSpool:
    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="recorder-ingest-")

    def __enter__(self) -> RecordSpool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._file.close()

    def add_file(self, records: Iterable[CaseRecord]) -> None:
        """Append all of ``records``; if reading them raises, append none of them."""
        start = self._file.tell()
        try:
            batch: list[CaseRecord] = []
            for record in records:
                batch.append(record)
                if len(batch) >= _BATCH:
                    pickle.dump(batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
                    batch = []
            if batch:
                pickle.dump(batch, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            self.rollback(start)
            raise

    def rollback(self, position: int) -> None:
        self._file.seek(position)
        self._file.truncate()

    def __iter__(self) -> Iterator[CaseRecord]:
        end = self._file.tell()
        self._file.seek(0)
        try:
            while self._file.tell() < end:
                yield from pickle.load(self._file)
        finally:
            self._file.seek(end)
