"""What a JUnit XML file says, as plain records: one per ``<testcase>`` element.

The reader (:mod:`recorder.ingest.junit_reader`) builds these; the mapper
(:mod:`recorder.ingest.mapper`) turns them into events. A record holds the attempts
that one element describes (Surefire's ``flakyFailure`` and ``rerunFailure`` are
earlier or later runs of the same case), in the order they ran.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, TypeAlias

import attrs

from recorder.events.model import AttemptStatus, Failure

#: An attempt's status as a report states it: ``incomplete`` is an attempt that started
#: and never finished (our own JUnit export writes it so).
RecordStatus: TypeAlias = AttemptStatus | Literal["incomplete"]


@attrs.frozen
class AttemptRecord:
    """One run of a case: its status, and what it failed with or printed."""

    status: RecordStatus
    duration: float = 0.0
    failure: Failure | None = None
    reason: str | None = None
    stdout: str = ""
    stderr: str = ""


@attrs.frozen
class CaseRecord:
    """One ``<testcase>`` element. ``suite`` and ``name`` are its XML attributes
    (``classname``, ``name``), with the fallbacks the README describes. No attempts
    means collected but never run (``not_run``)."""

    suite: str
    name: str
    attempts: tuple[AttemptRecord, ...]
    file: str | None = None
    line: int | None = None
    started_at: dt.datetime | None = None
    properties: dict[str, str] = attrs.field(factory=dict)

    @property
    def case_id(self) -> str:
        """The case's identity: the same id twice in one run means a rerun."""
        if self.file:
            return f"{self.file}::{self.suite}::{self.name}"
        return f"{self.suite}::{self.name}"


@attrs.frozen
class FileSummary:
    """What one file contributed, for the run's start, end and duration."""

    path: str
    cases: int
    duration: float
    earliest: dt.datetime | None = None
    latest: dt.datetime | None = None
    hostname: str | None = None


@attrs.frozen
class FileProblem:
    """A file that could not be ingested, and why (one line naming the file)."""

    path: str
    message: str
