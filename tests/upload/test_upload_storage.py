"""``recorder.upload.s3`` against a real SeaweedFS: what is stored, its integrity, and
that history is never overwritten."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from upload_support import BUCKET, Seaweed

from recorder.errors import ChecksumMismatchError, ObjectConflictError
from recorder.upload.document import UploadResult, upload_document
from recorder.upload.retry import RetryPolicy

FAST = RetryPolicy(retries=2, wait=0.01)


def upload(path: Path, endpoint: str, **options: Any) -> UploadResult:
    options.setdefault("retry", FAST)
    return upload_document(path, BUCKET, endpoint_url=endpoint, **options)


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.mark.usefixtures("as_admin")
def test_stored_object_is_the_file_under_the_partitioned_key(
        seaweed: Seaweed, make_document: Callable[..., Path]) -> None:
    """The object holds the file's exact bytes, at the layout key, with type and metadata."""
    path = make_document()
    document = json.loads(path.read_bytes())
    document["environment"]["git"].update(commit="abc123", branch="feature/ü")
    path.write_text(json.dumps(document), encoding="utf-8")

    result = upload(path, seaweed.endpoint, prefix="/ci/history/")

    run_id = document["run_id"]
    assert result.key == (f"ci/history/project=upload-tests/date=2026-11-24/run_id={run_id}/"
                          "test-run-results.json")
    assert result.url == f"s3://{BUCKET}/{result.key}"
    assert not result.already_uploaded
    stored = seaweed.client().get_object(Bucket=BUCKET, Key=result.key)
    assert stored["Body"].read() == path.read_bytes()
    assert stored["ContentType"] == "application/json"
    assert stored["Metadata"] == {
        "run-id": run_id, "status": document["status"], "commit": "abc123",
        "branch": "feature/%C3%BC", "schema-version": document["schema_version"],
        "document-sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.size == path.stat().st_size


@pytest.mark.usefixtures("as_admin")
def test_empty_prefix_gives_a_key_without_leading_slash(
        seaweed: Seaweed, make_document: Callable[..., Path]) -> None:
    """Without a prefix the key starts at ``project=``."""
    result = upload(make_document(), seaweed.endpoint)
    assert result.key.startswith("project=upload-tests/date=2026-11-24/run_id=")


@pytest.mark.usefixtures("as_admin")
def test_upload_sends_the_documents_sha256_and_the_server_keeps_it(
        seaweed: Seaweed, make_document: Callable[..., Path]) -> None:
    """The SHA-256 of the file travels with the PUT and is what the server stored."""
    path = make_document()
    result = upload(path, seaweed.endpoint)
    head = seaweed.client().head_object(Bucket=BUCKET, Key=result.key, ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == sha256_b64(path.read_bytes())


def test_server_rejects_a_body_that_does_not_match_its_checksum(seaweed: Seaweed) -> None:
    """SeaweedFS verifies x-amz-checksum-sha256: a wrong one is refused, nothing stored."""
    client = seaweed.client()
    with pytest.raises(ClientError) as caught:
        client.put_object(Bucket=BUCKET, Key="checksum/wrong.json", Body=b"{}",
                          ChecksumSHA256=sha256_b64(b"something else"), IfNoneMatch="*")
    assert caught.value.response["Error"]["Code"] == "BadDigest"
    with pytest.raises(ClientError):
        client.head_object(Bucket=BUCKET, Key="checksum/wrong.json")


@pytest.mark.usefixtures("as_admin")
def test_body_corrupted_in_transit_is_refused_as_an_integrity_error(
        seaweed: Seaweed, make_document: Callable[..., Path], flaky_proxy: Any) -> None:
    """A byte flipped between client and server fails the upload (exit 15), stores nothing."""
    proxy = flaky_proxy("corrupt-put")
    with pytest.raises(ChecksumMismatchError) as caught:
        upload(make_document(), proxy.endpoint, key="corrupt/doc.json")
    assert caught.value.exit_code == 15
    with pytest.raises(ClientError):
        seaweed.client().head_object(Bucket=BUCKET, Key="corrupt/doc.json")


@pytest.mark.usefixtures("as_admin")
def test_a_stored_checksum_that_differs_after_the_write_fails_verification(
        make_document: Callable[..., Path], flaky_proxy: Any) -> None:
    """The check after the write compares the stored SHA-256 with the file's."""
    proxy = flaky_proxy("tamper-head")
    with pytest.raises(ChecksumMismatchError, match="does not match what was sent"):
        upload(make_document(), proxy.endpoint)


@pytest.mark.usefixtures("as_admin")
def test_identical_reupload_succeeds_as_already_uploaded(
        seaweed: Seaweed, make_document: Callable[..., Path]) -> None:
    """Uploading the same document twice writes once and reports the second as done."""
    path = make_document()
    first = upload(path, seaweed.endpoint)
    before = seaweed.client().head_object(Bucket=BUCKET, Key=first.key)
    second = upload(path, seaweed.endpoint)
    after = seaweed.client().head_object(Bucket=BUCKET, Key=first.key)
    assert (first.already_uploaded, second.already_uploaded) == (False, True)
    assert second.key == first.key
    assert after["LastModified"] == before["LastModified"]


@pytest.mark.usefixtures("as_admin")
def test_different_content_at_the_same_key_is_refused_and_history_kept(
        seaweed: Seaweed, make_document: Callable[..., Path]) -> None:
    """A second, different document for the same run never replaces the first."""
    path = make_document()
    first = upload(path, seaweed.endpoint)
    original = path.read_bytes()
    document = json.loads(original)
    document["status"] = "passed" if document["status"] != "passed" else "failed"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ObjectConflictError, match="already exists with different content"):
        upload(path, seaweed.endpoint)
    stored = seaweed.client().get_object(Bucket=BUCKET, Key=first.key)["Body"].read()
    assert stored == original


@pytest.mark.usefixtures("as_admin")
def test_gzip_stores_the_compressed_document_with_content_encoding(
        seaweed: Seaweed, make_document: Callable[..., Path]) -> None:
    """--gzip: key ends .json.gz, Content-Encoding gzip, decompressing gives the file."""
    path = make_document()
    result = upload(path, seaweed.endpoint, gzip=True)
    assert result.key.endswith("/test-run-results.json.gz")
    stored = seaweed.client().get_object(Bucket=BUCKET, Key=result.key)
    body = stored["Body"].read()
    assert stored["ContentEncoding"] == "gzip"
    assert stored["ContentType"] == "application/json"
    assert gzip.decompress(body) == path.read_bytes()
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert result.document_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert upload(path, seaweed.endpoint, gzip=True).already_uploaded


@pytest.mark.usefixtures("as_admin")
def test_same_document_compared_by_content_across_encodings(
        seaweed: Seaweed, make_document: Callable[..., Path]) -> None:
    """A gzip object at the key counts as the same document as the plain file."""
    path = make_document()
    upload(path, seaweed.endpoint, gzip=True, key="encodings/doc.json")
    assert upload(path, seaweed.endpoint, key="encodings/doc.json").already_uploaded
