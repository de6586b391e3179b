"""Upload the HTML report next to its run document: same key prefix, ``report.html``,
``text/html``, written once with the same conditional create, checksum and check after
the write as the document (:mod:`recorder.upload.document`)."""

from __future__ import annotations

import time
from pathlib import Path

from recorder.errors import InputNotFoundError, InvalidInputError
from recorder.upload.document import UploadResult, ensure_same_content, verify_stored
from recorder.upload.layout import check_key
from recorder.upload.payload import make_payload
from recorder.upload.retry import RetryPolicy
from recorder.upload.s3 import Bucket, make_client, redact_url

REPORT_NAME = "report.html"
REPORT_CONTENT_TYPE = "text/html; charset=utf-8"


def report_key(document_key: str) -> str:
    """``.../run_id=R/test-run-results.json`` -> ``.../run_id=R/report.html``."""
    folder, _, _ = document_key.rpartition("/")
    return check_key(f"{folder}/{REPORT_NAME}" if folder else REPORT_NAME)


def read_report(path: str | Path) -> bytes:
    """The report's bytes; a missing file or one that is not HTML is refused before
    anything is sent."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputNotFoundError(
            f"report {path} cannot be read ({error.strerror or error}): write it first with "
            "'recorder report --out FILE', or drop --report") from error
    if not data.lstrip()[:15].lower().startswith(b"<!doctype html"):
        raise InvalidInputError(f"report {path} is not an HTML page: pass the file "
                                "'recorder report' wrote")
    return data


def upload_report(data: bytes, bucket: str, key: str, *, source: str,
                  endpoint_url: str | None = None, region: str | None = None,
                  profile: str | None = None, retry: RetryPolicy | None = None,
                  timeout: float = 60.0) -> UploadResult:
    """Store the report ``data`` once at ``key`` in ``bucket``."""
    started = time.monotonic()
    payload = make_payload(data, gzip=False)
    client = make_client(endpoint_url=endpoint_url, region=region, profile=profile,
                         timeout=timeout)
    target = Bucket(client, bucket, retry or RetryPolicy())
    created = target.put_new(key, payload, {}, content_type=REPORT_CONTENT_TYPE)
    if created:
        verify_stored(target, key, payload)
    else:
        ensure_same_content(target, key, payload, source=source)
    return UploadResult(
        url=f"s3://{bucket}/{key}", bucket=bucket, key=key,
        endpoint_url=redact_url(str(client.meta.endpoint_url)), size=len(payload.body),
        sha256=payload.sha256.hex(), document_sha256=payload.sha256.hex(),
        content_encoding=None, already_uploaded=not created, retries=target.retries_used,
        elapsed=time.monotonic() - started)
