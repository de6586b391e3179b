"""Upload an exported run document to S3-compatible object storage.

One document becomes one object, written once and never overwritten:

- The key is partitioned Hive-style so query engines read the history in place:
  ``{prefix}/project={project}/date={YYYY-MM-DD}/run_id={run_id}/test-run-results.json``
  (the run's start date in UTC).
- The body goes up in a single ``PutObject`` with a SHA-256 checksum that the server
  verifies (``x-amz-checksum-sha256``) and ``If-None-Match: *``, so an existing
  object is never replaced. When the key exists, its content is compared: the same
  content is success ("already uploaded"), different content is
  :class:`~recorder.errors.ObjectConflictError`.
- After the write, ``HeadObject`` must report the same SHA-256 and size (a ``GET``
  and a local hash when the server keeps no checksum).
- Transient failures (throttling, 5xx, timeouts, dropped connections) are retried
  with exponential backoff (:mod:`recorder.upload.retry`), a bounded number of times; botocore's own
  retries are off so the count given is the count honoured. Retrying is safe because
  the write is conditional: a retried ``PutObject`` that already landed gets 412 and
  ends in the "already uploaded" comparison.
- Large documents: ``gzip=True`` stores the document compressed with
  ``Content-Encoding: gzip`` under ``...json.gz``, still one ``PutObject`` with the
  same checksum, conditional-create and verify guarantees (multipart would give a
  composite checksum, not the document's SHA-256, and is not needed below S3's
  5 GB single-PUT limit; JSON documents shrink about tenfold).

boto3 is imported lazily: the rest of ``recorder`` works without the ``upload``
extra. Credentials come from boto3's standard chain (environment, profiles, instance
roles); ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3`` are honoured by boto3 itself.
No message produced here contains a secret."""

from __future__ import annotations

import gzip as gzip_module
import hashlib
import time
import zlib
from pathlib import Path
from typing import Any

import attrs

from recorder.document.reader import read_document
from recorder.errors import (
    ChecksumMismatchError,
    ObjectConflictError,
)
from recorder.upload.digest import check_sha256, ensure_expected_digest
from recorder.upload.layout import check_key, object_key, object_metadata, validate_bucket_name
from recorder.upload.payload import Payload, b64, make_payload
from recorder.upload.retry import RetryPolicy
from recorder.upload.s3 import Bucket, make_client, redact_url


@attrs.frozen
class UploadResult:
    url: str
    bucket: str
    key: str
    endpoint_url: str | None
    size: int
    sha256: str
    document_sha256: str
    content_encoding: str | None
    already_uploaded: bool
    retries: int
    elapsed: float

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def upload_document(
    path: str | Path,
    bucket: str,
    *,
    prefix: str = "",
    key: str | None = None,
    endpoint_url: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    gzip: bool = False,
    retry: RetryPolicy | None = None,
    timeout: float = 60.0,
    expect_sha256: str | None = None,
) -> UploadResult:
    """Validate the run document at ``path`` and store it once in ``bucket``; with
    ``expect_sha256``, refuse (before any request) a document with another SHA-256."""
    started = time.monotonic()
    validate_bucket_name(bucket)
    expected = check_sha256(expect_sha256) if expect_sha256 is not None else None
    data, document = read_document(path)
    if expected is not None:
        ensure_expected_digest(data, expected, source=str(path))
    key = check_key(key if key is not None
                    else object_key(document, prefix=prefix, gzip=gzip, source=str(path)))
    payload = make_payload(data, gzip=gzip)
    document_sha256 = hashlib.sha256(data).hexdigest()
    client = make_client(endpoint_url=endpoint_url, region=region, profile=profile,
                         timeout=timeout)
    target = Bucket(client, bucket, retry or RetryPolicy())
    created = target.put_new(key, payload, object_metadata(document, document_sha256))
    if created:
        verify_stored(target, key, payload)
    else:
        ensure_same_content(target, key, payload, source=str(path))
    return UploadResult(
        url=f"s3://{bucket}/{key}", bucket=bucket, key=key,
        endpoint_url=redact_url(str(client.meta.endpoint_url)), size=len(payload.body),
        sha256=payload.sha256.hex(), document_sha256=document_sha256,
        content_encoding=payload.content_encoding, already_uploaded=not created,
        retries=target.retries_used, elapsed=time.monotonic() - started,
    )


def verify_stored(target: Bucket, key: str, payload: Payload) -> None:
    """The object just written must report our SHA-256 and size."""
    head = target.head(key)
    stored_checksum = head.get("ChecksumSHA256")
    if stored_checksum is None:
        body, _ = target.get(key)
        stored_checksum = b64(hashlib.sha256(body).digest())
        size = len(body)
    else:
        size = int(head.get("ContentLength", -1))
    expected = b64(payload.sha256)
    if stored_checksum != expected or size != len(payload.body):
        raise ChecksumMismatchError(
            f"s3://{target.name}/{key} does not match what was sent (sha256 {stored_checksum}, "
            f"{size} bytes; expected {expected}, {len(payload.body)} bytes): delete the "
            "object and upload again"
        )


def ensure_same_content(target: Bucket, key: str, payload: Payload, *, source: str) -> None:
    """The existing object at ``key`` must hold the same document as ``payload``."""
    stored, encoding = target.get(key)
    if stored == payload.body or _decoded(stored, encoding) == payload.document:
        return
    raise ObjectConflictError(
        f"s3://{target.name}/{key} already exists with different content than {source}; "
        "history is never overwritten: upload under another --key or --prefix"
    )


def _decoded(stored: bytes, encoding: str | None) -> bytes | None:
    if (encoding or "").lower() != "gzip":
        return stored
    try:
        return gzip_module.decompress(stored)
    except (OSError, EOFError, zlib.error):
        return None
