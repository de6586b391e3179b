"""Stream one JUnit XML file into :class:`~recorder.ingest.records.CaseRecord` s.

``iterparse`` hands over each ``<testcase>`` when its end tag is read; the element is
then dropped from its parent, so memory stays flat however large the file is. The
prolog is checked first (:mod:`recorder.ingest.guard`): a DOCTYPE is refused before
the parse that would act on it starts.

Accepted: a root ``<testsuites>`` or ``<testsuite>``, suites nested to any depth, and
``<testcase>`` elements under either. Bad files raise :class:`JUnitFileError`, one
line naming the file and the fix.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

import attrs

from recorder.errors import InvalidInputError
from recorder.events.bounds import bound
from recorder.ingest.guard import DoctypeRefused, PrologError, check_prolog
from recorder.ingest.outcomes import XPASSED_PROPERTY, attempts_of, local_name
from recorder.ingest.records import CaseRecord, FileSummary

_ROOTS = ("testsuites", "testsuite")
#: "1,234.5" and "12,345": commas that group thousands (Surefire, Java's NumberFormat).
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d*)?$")
PROPERTY_LIMIT = 1_000


class JUnitFileError(InvalidInputError):
    """A file given to ``recorder ingest junit`` that is not a readable JUnit report."""


def seconds(text: str | None) -> float:
    """A ``time`` attribute in seconds: ``"0.5"``, ``"1,234.5"`` (thousands grouped),
    ``"0,5"`` (a decimal comma). Missing or unreadable times are 0."""
    if not text:
        return 0.0
    text = text.strip()
    text = text.replace(",", "") if _GROUPED.match(text) else text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if math.isfinite(value) and value >= 0 else 0.0


def timestamp(text: str | None) -> dt.datetime | None:
    """An ISO 8601 ``timestamp`` attribute as UTC. JUnit writes local time without an
    offset; with no way to know the zone, such times are taken as UTC."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _written_id(case: ElementTree.Element) -> str:
    """The case id as our JUnit export splits it into ``classname`` and ``name``."""
    classname, name = case.get("classname"), case.get("name") or ""
    return f"{classname}::{name}" if classname else name


def _line(text: str | None) -> int | None:
    try:
        value = int(text) if text else None
    except ValueError:
        return None
    return value if value is not None and value > 0 else None


@attrs.define
class _Suite:
    """What a <testsuite> passes on to the cases in it (and to nested suites)."""

    name: str
    file: str | None
    started_at: dt.datetime | None
    xpassed: set[str] = attrs.Factory(set)  # case ids its recorder.xpassed properties name


def _suite(element: ElementTree.Element, outer: _Suite | None) -> _Suite:
    return _Suite(
        name=element.get("name") or (outer.name if outer else ""),
        file=element.get("file") or (outer.file if outer else None),
        started_at=timestamp(element.get("timestamp")) or (outer.started_at if outer else None),
    )


@attrs.define
class _Totals:
    """What one file adds up to, as its cases are read."""

    cases: int = 0
    declared: float | None = None  # the root's own time
    top_suites: float = 0.0
    case_times: float = 0.0
    earliest: dt.datetime | None = None
    latest: dt.datetime | None = None
    hostname: str | None = None

    def add(self, record: CaseRecord) -> None:
        self.cases += 1
        duration = sum(attempt.duration for attempt in record.attempts)
        self.case_times += duration
        if record.started_at is not None:
            end = record.started_at + dt.timedelta(seconds=duration)
            self.earliest = min(self.earliest or record.started_at, record.started_at)
            self.latest = max(self.latest or end, end)

    def summary(self, path: str) -> FileSummary:
        duration = self.declared if self.declared is not None else (
            self.top_suites or self.case_times)
        return FileSummary(path=path, cases=self.cases, duration=duration,
                           earliest=self.earliest, latest=self.latest, hostname=self.hostname)


class JUnitReader:
    """Reads one file; :meth:`cases` yields its records, :attr:`summary` is then set."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.summary: FileSummary | None = None

    def error(self, problem: str, fix: str) -> JUnitFileError:
        return JUnitFileError(f"{self.path}: {problem}: {fix}")

    def cases(self) -> Iterator[CaseRecord]:
        try:
            with self.path.open("rb") as stream:
                if not stream.read(1):
                    raise self.error("the file is empty", "pass a JUnit XML report (an empty "
                                     "file usually means the test run died before writing it)")
                stream.seek(0)
                self._check_prolog(stream)
                stream.seek(0)
                yield from self._parse(stream)
        except OSError as error:
            raise self.error(f"cannot be read ({error.strerror or error})",
                             "check the path and its permissions") from error
        except ElementTree.ParseError as error:
            raise self.error(f"is not well-formed XML ({error})",
                             "pass a complete JUnit XML report (a truncated file means its "
                             "writer was stopped)") from error

    def _check_prolog(self, stream: BinaryIO) -> None:
        try:
            check_prolog(stream)
        except DoctypeRefused:
            raise self.error("declares a DOCTYPE, which is refused (its entities could read "
                             "local files or expand without bound)",
                             "remove the DOCTYPE: JUnit reports need none") from None
        except PrologError as error:
            raise self.error(f"is not well-formed XML ({error})",
                             "pass a JUnit XML report") from None

    def _parse(self, stream: BinaryIO) -> Iterator[CaseRecord]:
        suites: list[_Suite] = []
        parents: list[ElementTree.Element] = []
        totals = _Totals()
        in_case = 0  # depth inside the <testcase> being read; 0 outside any
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            if event == "start":
                tag = local_name(element.tag)
                if not parents:
                    if tag not in _ROOTS:
                        raise self.error(f"its root element is <{tag}>, not <testsuites> or "
                                         "<testsuite>", "pass a JUnit XML report")
                    if element.get("time") is not None:
                        totals.declared = seconds(element.get("time"))
                parents.append(element)
                if in_case:
                    in_case += 1
                elif tag == "testcase":
                    in_case = 1
                elif tag == "testsuite":
                    suites.append(_suite(element, suites[-1] if suites else None))
                    totals.hostname = totals.hostname or element.get("hostname") or None
                    if len(parents) == 2:  # a top-level suite under <testsuites>
                        totals.top_suites += seconds(element.get("time"))
                continue
            parents.pop()
            if in_case > 1:
                in_case -= 1
                continue
            if in_case == 1:
                in_case = 0
                record = self._record(element, suites[-1] if suites else None, totals.cases + 1)
                totals.add(record)
                yield record
            elif local_name(element.tag) == "testsuite":
                suites.pop()
            elif (local_name(element.tag) == "properties" and suites
                  and local_name(parents[-1].tag) == "testsuite"):
                suites[-1].xpassed.update(
                    item.get("value") or "" for item in element
                    if item.get("name") == XPASSED_PROPERTY)
            if parents and local_name(parents[-1].tag) in _ROOTS:
                del parents[-1][:]  # done with this child of a suite: keep memory flat
        self.summary = totals.summary(str(self.path))

    def _record(self, case: ElementTree.Element, suite: _Suite | None,
                position: int) -> CaseRecord:
        # A <testcase> without a name is still a result (it may be a failure): it is
        # named by its position in the file rather than dropped.
        name = case.get("name") or f"(unnamed testcase {position})"
        suite_name = case.get("classname") or (suite.name if suite else "") or self.path.name
        properties: dict[str, str] = {}
        for child in case:
            if local_name(child.tag) == "properties":
                for item in child:
                    key = item.get("name")
                    if key:
                        value = item.get("value")
                        properties[key] = bound(value if value is not None else (item.text or ""),
                                                PROPERTY_LIMIT)
        record = CaseRecord(
            suite=suite_name,
            name=name,
            attempts=(),
            file=case.get("file") or (suite.file if suite else None),
            line=_line(case.get("line")),
            started_at=timestamp(case.get("timestamp")) or (suite.started_at if suite else None),
            properties=properties,
        )
        named_xpassed = suite is not None and bool(
            {record.case_id, _written_id(case)} & suite.xpassed)
        return attrs.evolve(record, attempts=attempts_of(case, seconds(case.get("time")),
                                                         xpassed=named_xpassed))
