"""A 50 MB run document uploads with the same guarantees, plain and with --gzip.

Slow (it builds and validates 50 MB of JSON): run it with
``python -m pytest tests/upload/test_upload_large.py -m slow -s`` to see the timings."""

from __future__ import annotations

import copy
import hashlib
import json
import time
from pathlib import Path

import pytest
from upload_support import BUCKET, Seaweed

from recorder.document import Document
from recorder.upload.document import upload_document
from recorder.upload.retry import RetryPolicy

TARGET_BYTES = 50 * 1024 * 1024


def large_document(base: Document, target: int = TARGET_BYTES) -> bytes:
    """``base`` with its case repeated (unique ids, varied output) to ``target`` bytes."""
    document = copy.deepcopy(base)
    document["run_id"] = f"large-{time.time_ns()}"
    template = document["suites"][0]["cases"][0]
    count = 1000
    while True:
        document["suites"][0]["cases"] = [repeated_case(template, i) for i in range(count)]
        data = (json.dumps(document, indent=2) + "\n").encode()
        if len(data) >= target:
            return data
        count = int(count * target / len(data) * 1.01) + 1


def repeated_case(template: Document, index: int) -> Document:
    case = copy.deepcopy(template)
    case["id"] = f"{template['id']}[{index}]"
    case["name"] = f"{template['name']}[{index}]"
    for phase in case["phases"]:
        if phase["name"] == "call":
            phase["stdout"] = "".join(f"step {index}.{line}: ok value={index * line}\n"
                                      for line in range(70))
    return case


@pytest.mark.slow
@pytest.mark.parametrize("gzip", [False, True], ids=["plain", "gzip"])
def test_fifty_megabyte_document_uploads_and_verifies(
        gzip: bool, seaweed: Seaweed, base_document: Document, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, record_property: pytest.RecordProperty) -> None:
    """50 MB: one verified PUT; the stored (decoded) bytes are the file's."""
    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "test-run-results.json"
    path.write_bytes(large_document(base_document))
    result = upload_document(path, BUCKET, endpoint_url=seaweed.endpoint,
                             prefix="large", gzip=gzip, retry=RetryPolicy(retries=2))
    stored = seaweed.client().head_object(Bucket=BUCKET, Key=result.key)
    assert stored["ContentLength"] == result.size
    assert result.document_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    mb = path.stat().st_size / 1024 / 1024
    line = (f"{mb:.1f} MB document, gzip={gzip}: stored {result.size / 1024 / 1024:.1f} MB "
            f"in {result.elapsed:.2f} s (validation and read included)")
    record_property("upload", line)
    print(line)
