"""JUnit XML in: reports written by any harness become events in the log.

:mod:`~recorder.ingest.guard` refuses DOCTYPEs, :mod:`~recorder.ingest.junit_reader`
streams a file into :mod:`~recorder.ingest.records`, :mod:`~recorder.ingest.outcomes`
maps result elements to statuses, :mod:`~recorder.ingest.spool` holds the records of
the files read so far, :mod:`~recorder.ingest.mapper` turns records into events and
:mod:`~recorder.ingest.junit` runs it all into a store.
"""

from recorder.ingest.junit import IngestResult, expand_paths, ingest_junit

__all__ = ["IngestResult", "expand_paths", "ingest_junit"]
