"""Store a run's case rows beside its uploaded document: ``recorder upload`` calls
:func:`upload_case_rows` after the document is stored.

The object goes to ``{prefix}/cases/project=P/date=D/<run_id>.parquet`` with the same
guarantees as the document: one conditional ``PutObject`` (``If-None-Match: *``) with a
server-checked SHA-256, verified after the write; an identical existing object is
"already uploaded", a different one is a conflict. The Parquet bytes are deterministic,
so uploading the same document twice finds its own object."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import attrs

from recorder.document import Document
from recorder.history.layout import run_file
from recorder.history.parquet import CONTENT_TYPE, write_parquet
from recorder.history.rows import case_rows, layout_place


@attrs.frozen
class CasesUpload:
    url: str
    key: str
    rows: int
    size: int
    already_uploaded: bool

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def case_rows_key(document: Document, prefix: str = "") -> str:
    return "/".join(part for part in (prefix.strip("/"), run_file(*layout_place(document)))
                    if part)


def upload_case_rows(document: Document, bucket: Any, *, prefix: str = "") -> CasesUpload:
    """Store ``document``'s case rows as Parquet in ``bucket`` (a
    :class:`recorder.upload.Bucket`)."""
    import botocore.exceptions as bce

    from recorder.upload.document import ensure_same_content, verify_stored
    from recorder.upload.payload import make_payload

    key = case_rows_key(document, prefix)
    with tempfile.TemporaryDirectory(prefix="recorder-cases-") as scratch:
        path = Path(scratch) / "cases.parquet"
        rows = write_parquet(case_rows(document), path, partition_keys=False)
        payload = make_payload(path.read_bytes(), gzip=False)
    params = {"Bucket": bucket.name, "Key": key, "Body": payload.body, "IfNoneMatch": "*",
              "ChecksumSHA256": _b64(payload.sha256), "ContentType": CONTENT_TYPE,
              "Metadata": {"run-id": str(document.get("run_id"))}}
    try:
        bucket.call(f"PUT s3://{bucket.name}/{key}",
                    lambda: bucket.client.put_object(**params), passthrough={412})
        created = True
    except bce.ClientError:
        created = False
    if created:
        verify_stored(bucket, key, payload)
    else:
        ensure_same_content(bucket, key, payload, source=f"the case rows of run "
                                                         f"{document.get('run_id')}")
    return CasesUpload(url=f"s3://{bucket.name}/{key}", key=key, rows=rows,
                       size=len(payload.body), already_uploaded=not created)


def _b64(digest: bytes) -> str:
    import base64

    return base64.b64encode(digest).decode("ascii")


def upload_run_case_rows(path: str | Path, bucket: str, *, prefix: str = "",
                         endpoint_url: str | None = None, region: str | None = None,
                         profile: str | None = None, retry: Any = None,
                         timeout: float = 60.0) -> CasesUpload:
    """Read the run document at ``path`` and store its case rows in ``bucket``."""
    from recorder.document.reader import read_document
    from recorder.upload.retry import RetryPolicy
    from recorder.upload.s3 import Bucket, make_client

    _, document = read_document(path)
    client = make_client(endpoint_url=endpoint_url, region=region, profile=profile,
                         timeout=timeout)
    return upload_case_rows(document, Bucket(client, bucket, retry or RetryPolicy()),
                            prefix=prefix)
