"""The one exception family for user mistakes and bad input.

Every error a user can cause derives from :class:`RecorderError`. Its message is one
line that names the input and the fix; its ``exit_code`` is what the CLI exits with.
The CLI prints ``Error: <message>`` for these and never a traceback.

Exit codes (stable, documented in README.md):

====  ==========================================================
 1    tests failed (``testing/run-all-tests.sh`` only)
 2    usage error: bad options or arguments
 3    an input file is missing or unreadable
 4    an input is invalid: corrupt database, malformed event, a
      document that fails its schema, a log with gaps
 5    the database is newer than this recorder understands
 6    no such run, or the database holds no run
 7    the output could not be written
 8    the database stayed locked by another process too long
 10   upload: no credentials found
 11   upload: credentials rejected or access denied
 12   upload: no such bucket, or bad bucket name
 13   upload: endpoint unreachable, or retries exhausted
 14   upload: a different object already exists at the key
 15   upload: the stored object does not match the file
 16   upload: the document is not the one expected (--expect-sha256)
 17   upload: boto3 (the ``upload`` extra) is not installed
 18   report: bokeh (the ``report`` extra) is not installed
====  ==========================================================
"""

from __future__ import annotations


class RecorderError(Exception):
    """A user-facing error: one line naming the input and the fix."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(RecorderError):
    exit_code = 2


class ConcurrentSourceError(UsageError):
    """Two live processes would record the same source of the same run."""


class RecorderWarning(UserWarning):
    """Something went wrong while recording that the tests themselves survive."""


class InputNotFoundError(RecorderError):
    exit_code = 3


class InvalidInputError(RecorderError):
    exit_code = 4


class MalformedEventError(InvalidInputError):
    """A stored event whose payload cannot be decoded."""


class UnknownEventError(InvalidInputError):
    """An event type or version this recorder does not know (written by a newer one)."""


class CorruptDatabaseError(InvalidInputError):
    """The file is not a SQLite database, or it is damaged."""


class InvalidDocumentError(InvalidInputError):
    """A run document that does not validate against schemas/run.schema.json."""


class EventLogGapError(InvalidInputError):
    """The log is missing events (a gap in some source's ``source_seq``)."""


class NewerStoreError(RecorderError):
    exit_code = 5


class RunNotFoundError(RecorderError):
    exit_code = 6


class OutputError(RecorderError):
    exit_code = 7


class DatabaseLockedError(RecorderError):
    exit_code = 8


class UploadError(RecorderError):
    """Base for upload failures; subclasses set distinct exit codes."""

    exit_code = 13


class NoCredentialsError(UploadError):
    exit_code = 10


class AccessDeniedError(UploadError):
    exit_code = 11


class BucketError(UploadError):
    exit_code = 12


class EndpointError(UploadError):
    exit_code = 13


class ObjectConflictError(UploadError):
    exit_code = 14


class ChecksumMismatchError(UploadError):
    """The stored object's checksum or size differs from the document sent."""

    exit_code = 15


class DigestMismatchError(UploadError):
    """The document's SHA-256 is not the one its producer published (``--expect-sha256``)."""

    exit_code = 16


class MissingUploadExtraError(UploadError):
    """boto3 is not installed: ``pip install 'recorder[upload]'``."""

    exit_code = 17


class MissingReportExtraError(RecorderError):
    """bokeh, the report's charting library, is missing: ``pip install 'recorder[report]'``."""

    exit_code = 18
