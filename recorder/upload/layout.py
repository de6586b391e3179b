"""Where a run document goes in object storage, in one place: the bucket-name rules
and the Hive-style key scheme
``{prefix}/project={project}/date={YYYY-MM-DD}/run_id={run_id}/test-run-results.json``
(the run's start date in UTC), and the object's user metadata."""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from urllib.parse import quote

from recorder.document import Document
from recorder.errors import (
    BucketError,
    InvalidDocumentError,
    UsageError,
)

DOCUMENT_NAME = "test-run-results.json"
MAX_KEY_BYTES = 1024


_BUCKET_CHARS = re.compile(r"\A[a-z0-9][a-z0-9.-]*[a-z0-9]\Z")  # \Z: no newline after
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")


_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why ``name`` breaks the S3 bucket naming rules, or None if it follows them."""
    if not 3 <= len(name) <= 63:
        return "must be 3 to 63 characters long"
    if not _BUCKET_CHARS.match(name):
        return ("may hold only lowercase letters, digits, dots and hyphens, and must "
                "begin and end with a letter or digit")
    if ".." in name:
        return "must not contain two adjacent dots"
    if _is_ip_address(name):
        return "must not be formatted as an IP address"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"must not start with the reserved prefix {prefix!r}"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"must not end with the reserved suffix {suffix!r}"
    return None


def validate_bucket_name(name: str) -> None:
    """Raise :class:`BucketError` if ``name`` is not a valid S3 bucket name."""
    problem = bucket_name_problem(name)
    if problem is not None:
        raise BucketError(
            f"bucket name {name!r} is invalid: it {problem}; pass the bucket's real name "
            "with --bucket"
        )


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def object_key(document: Document, *, prefix: str = "", gzip: bool = False,
               source: str = "the run document") -> str:
    """The default key: ``{prefix}/project=../date=../run_id=../test-run-results.json``."""
    project = _required_text(document, "project", source)
    run_id = _required_text(document, "run_id", source)
    started_at = _required_text(document, "started_at", source)
    try:
        moment = datetime.fromisoformat(started_at)
    except ValueError as error:
        raise InvalidDocumentError(
            f"{source} has started_at {started_at!r}, not an ISO timestamp: pass --key"
        ) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        day = moment.astimezone(UTC).date().isoformat()
    except OverflowError as error:  # 0001-01-01T00:00:00+05:00 is before year 1 in UTC
        raise InvalidDocumentError(
            f"{source} has started_at {started_at!r}, which has no date in UTC: pass --key"
        ) from error
    name = DOCUMENT_NAME + (".gz" if gzip else "")
    parts = [prefix.strip("/"), f"project={_partition_value(project)}", f"date={day}",
             f"run_id={_partition_value(run_id)}", name]
    return "/".join(part for part in parts if part)


def _required_text(document: Document, field: str, source: str) -> str:
    value = document.get(field)
    if not isinstance(value, str) or not value:
        raise InvalidDocumentError(
            f"{source} has no {field}, so the default key cannot be built: "
            "choose one with --key"
        )
    return value


def _partition_value(value: str) -> str:
    """Escape what would break a ``name=value`` path segment (``/``, ``=``, ``%``, ...)."""
    return quote(value, safe="._-~+@:,")


def check_key(key: str) -> str:
    """``key`` without leading slashes; rejects an empty or over-long key."""
    key = key.lstrip("/")
    if not key or len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise UsageError(
            f"object key {key!r} must be 1 to {MAX_KEY_BYTES} bytes long: "
            "pass a shorter --key or --prefix"
        )
    return key


def object_metadata(document: Document, document_sha256: str) -> dict[str, str]:
    """User metadata (``x-amz-meta-*``); null fields are left out."""
    git = (document.get("environment") or {}).get("git") or {}
    fields = {
        "run-id": document.get("run_id"),
        "status": document.get("status"),
        "commit": git.get("commit"),
        "branch": git.get("branch"),
        "schema-version": document.get("schema_version"),
        "document-sha256": document_sha256,
    }
    return {name: _header_safe(str(value)) for name, value in fields.items()
            if value is not None}


def _header_safe(value: str) -> str:
    if value.isascii() and value.isprintable():
        return value
    return quote(value, safe=" /:-_.@+,=")
