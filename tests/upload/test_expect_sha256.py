"""``recorder upload --expect-sha256``: the CI upload job passes the digest the test job
published; a document changed since then is refused (exit 16) before any request, and
the unchanged one is uploaded."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from upload_support import BUCKET, Seaweed, upload_args

from recorder.cli import main
from tests.support import assert_one_error_line


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored_keys(seaweed: Seaweed, prefix: str) -> list[str]:
    listing = seaweed.client().list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


@pytest.fixture
def as_admin(monkeypatch: pytest.MonkeyPatch, seaweed: Seaweed) -> None:
    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("as_admin")
def test_a_document_changed_after_its_digest_was_published_is_refused(
        seaweed: Seaweed, make_document: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    """One byte changed after the digest was taken: exit 16, one Error line, no object."""
    path = make_document()
    published = sha256(path)
    path.write_bytes(path.read_bytes().replace(b'"passed"', b'"failed"', 1))
    code = main(upload_args(path, seaweed.endpoint, "--prefix", "digest-changed",
                            "--expect-sha256", published))
    out, err = capsys.readouterr()
    assert code == 16
    assert out == ""
    assert_one_error_line(err)
    assert published in err and sha256(path) in err
    assert stored_keys(seaweed, "digest-changed/") == []


@pytest.mark.usefixtures("as_admin")
def test_the_document_with_the_published_digest_is_uploaded(
        seaweed: Seaweed, make_document: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    """The digest matches (given in upper case, as some tools print it): stored as is."""
    path = make_document()
    code = main(upload_args(path, seaweed.endpoint, "--prefix", "digest-same",
                            "--expect-sha256", sha256(path).upper(), "--quiet"))
    out, _ = capsys.readouterr()
    assert code == 0
    key = out.strip().removeprefix(f"s3://{BUCKET}/")
    assert [k for k in stored_keys(seaweed, "digest-same/")
            if not k.startswith("digest-same/cases/")] == [key]
    assert seaweed.client().get_object(Bucket=BUCKET, Key=key)["Body"].read() == \
        path.read_bytes()


@pytest.mark.parametrize("value", ["", "abc", "g" * 64, "0" * 63, "0" * 65])
def test_a_value_that_is_not_a_sha256_is_a_usage_error(
        value: str, make_document: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    """Not 64 hex digits (an empty job output included): exit 2 naming the option."""
    path = make_document()
    code = main(upload_args(path, "http://127.0.0.1:9", "--expect-sha256", value))
    _, err = capsys.readouterr()
    assert code == 2
    assert_one_error_line(err)
    assert "--expect-sha256" in err
