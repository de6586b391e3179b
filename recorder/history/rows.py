"""Case rows: one flat row per case of a run, a pure projection of the run document.

The rows are what the history is queried from (``recorder export --format cases``
writes them; ``recorder upload`` stores them as Parquet). Every value comes from the
document; nothing here does I/O."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

from recorder.document import Document
from recorder.errors import InvalidDocumentError

#: Column names and their SQL types, in file order. ``project`` and ``date`` are the
#: partition keys: a file in the history layout leaves them out (the path holds them).
COLUMNS: dict[str, str] = {
    "project": "VARCHAR",
    "run_id": "VARCHAR",
    "started_at": "TIMESTAMPTZ",
    "date": "DATE",
    "branch": "VARCHAR",
    "commit": "VARCHAR",
    "ci_provider": "VARCHAR",
    "ci_url": "VARCHAR",
    "shard": "VARCHAR",
    "run_status": "VARCHAR",
    "run_duration": "DOUBLE",
    "case_id": "VARCHAR",
    "suite": "VARCHAR",
    "name": "VARCHAR",
    "file": "VARCHAR",
    "status": "VARCHAR",
    "duration": "DOUBLE",
    "attempts": "INTEGER",
    "failure_type": "VARCHAR",
    "failure_message": "VARCHAR",
    "failure_fingerprint": "VARCHAR",
}
PARTITION_KEYS = ("project", "date")
FILE_COLUMNS = {name: kind for name, kind in COLUMNS.items() if name not in PARTITION_KEYS}

MESSAGE_LIMIT = 1000
FINGERPRINT_MESSAGE_LIMIT = 300

Row = dict[str, Any]


def case_rows(document: Document) -> Iterator[Row]:
    """One row per case of ``document``, in document order."""
    environment = document.get("environment") or {}
    git = environment.get("git") or {}
    ci = environment.get("ci") or {}
    started_at = document.get("started_at")
    run = {
        "project": document.get("project"),
        "run_id": document.get("run_id"),
        "started_at": started_at,
        "date": run_date(started_at),
        "branch": git.get("branch"),
        "commit": git.get("commit"),
        "ci_provider": ci.get("provider"),
        "ci_url": ci.get("url"),
        "shard": document.get("shard"),
        "run_status": document.get("status"),
        "run_duration": document.get("duration"),
    }
    for suite in document.get("suites") or []:
        for case in suite.get("cases") or []:
            failure = case_failure(case)
            yield {
                **run,
                "case_id": case["id"],
                "suite": case.get("suite"),
                "name": case.get("name"),
                "file": case.get("file"),
                "status": case["status"],
                "duration": float(case.get("duration") or 0.0),
                "attempts": len(case.get("attempts") or []),
                "failure_type": failure.get("type") if failure else None,
                "failure_message": (bound(failure.get("message") or "", MESSAGE_LIMIT)
                                    if failure else None),
                "failure_fingerprint": fingerprint(failure) if failure else None,
            }


def layout_place(document: Mapping[str, Any]) -> tuple[str, str, str]:
    """The run's project, UTC day and run id: where its rows go in the layout."""
    values = [document.get("project"), run_date(document.get("started_at")),
              document.get("run_id")]
    if not all(isinstance(value, str) and value for value in values):
        raise InvalidDocumentError(
            "the run document lacks project, started_at or run_id, so its case rows have "
            "no place in the history layout: export it again with 'recorder export'")
    return str(values[0]), str(values[1]), str(values[2])


def run_date(started_at: str | None) -> str | None:
    """The UTC calendar day of an ISO timestamp (the ``date=`` partition)."""
    if not started_at:
        return None
    moment = datetime.fromisoformat(started_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    day: date = moment.astimezone(UTC).date()
    return day.isoformat()


def case_failure(case: Document) -> Document | None:
    """The case's failure; for a case that passed on retry (``flaky``), the failure of
    its last failed attempt, which is what made it flaky."""
    if case.get("failure"):
        return dict(case["failure"])
    for attempt in reversed(case.get("attempts") or []):
        if attempt.get("failure"):
            return dict(attempt["failure"])
    return None


def bound(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_HEX = re.compile(r"0x[0-9a-fA-F]+")
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}\b")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SPACE = re.compile(r"\s+")


def normalize_message(message: str) -> str:
    """The message with what differs between two occurrences of the same failure
    (addresses, ids, numbers, spacing) replaced by placeholders."""
    text = _UUID.sub("<uuid>", message)
    text = _HEX.sub("<hex>", text)
    text = _NUMBER.sub("<n>", text)
    return _SPACE.sub(" ", text).strip()[:FINGERPRINT_MESSAGE_LIMIT]


# pytest's long form ends with "path.py:43: AssertionError"; the function is the last
# "def name(" above it. Python's own form has 'File "path.py", line 43, in name'.
_PYTEST_LOCATION = re.compile(r"^(?P<file>[^\s:][^:\n]*):\d+: ", re.M)
_PYTEST_DEF = re.compile(r"^\s*(?:async\s+)?def (?P<name>\w+)\(", re.M)
_NATIVE_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line \d+, in (?P<name>\S+)', re.M)


def top_frame(traceback: str) -> str:
    """Where the failure was raised, as ``file::function`` without the line number
    (which moves with every unrelated edit above it); empty if the text has none."""
    native = list(_NATIVE_FRAME.finditer(traceback))
    if native:
        last = native[-1]
        return f"{last['file']}::{last['name']}"
    locations = list(_PYTEST_LOCATION.finditer(traceback))
    if not locations:
        return ""
    last = locations[-1]
    functions = list(_PYTEST_DEF.finditer(traceback, 0, last.start()))
    name = functions[-1]["name"] if functions else ""
    return f"{last['file']}::{name}"


def fingerprint(failure: Document) -> str:
    """A short digest of failure type, normalized message and top frame: the same
    failure in two runs has the same fingerprint."""
    parts = (str(failure.get("type") or ""),
             normalize_message(str(failure.get("message") or "")),
             top_frame(str(failure.get("traceback") or "")))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]
