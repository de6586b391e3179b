"""``recorder upload`` on the command line: the s3:// URL or JSON on success, and for
every failure one ``Error:`` line, a distinct exit code, no traceback, no secret."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from upload_support import ADMIN, BUCKET, READER, Seaweed, clean_env, upload_args

from recorder.cli import main
from tests.support import assert_one_error_line, run_cli


@pytest.mark.usefixtures("as_admin")
def test_prints_the_s3_url_and_a_status_line(
        seaweed: Seaweed, make_document: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    """Success: stdout is exactly the object's s3:// URL; stderr says it was verified."""
    path = make_document()
    assert main(upload_args(path, seaweed.endpoint, "--prefix", "cli")) == 0
    out, err = capsys.readouterr()
    url = out.strip()
    assert url.startswith(f"s3://{BUCKET}/cli/project=upload-tests/date=2026-11-24/run_id=")
    assert url.endswith("/test-run-results.json")
    assert "sha256 verified" in err
    key = url.removeprefix(f"s3://{BUCKET}/")
    stored = seaweed.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored == path.read_bytes()


@pytest.mark.usefixtures("as_admin")
def test_json_output_describes_the_object(
        seaweed: Seaweed, make_document: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints one object with url, key, size, sha256 and already_uploaded."""
    path = make_document()
    assert main(upload_args(path, seaweed.endpoint, "--json", "--quiet")) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert result["url"] == f"s3://{BUCKET}/{result['key']}"
    assert result["size"] == path.stat().st_size
    assert result["already_uploaded"] is False
    assert err == ""


@pytest.mark.usefixtures("as_admin")
def test_identical_reupload_exits_0_saying_already_uploaded(
        seaweed: Seaweed, make_document: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    """The same document twice: both succeed, the second says 'Already uploaded'."""
    path = make_document()
    assert main(upload_args(path, seaweed.endpoint)) == 0
    first_url = capsys.readouterr().out
    assert main(upload_args(path, seaweed.endpoint)) == 0
    out, err = capsys.readouterr()
    assert out == first_url
    assert err.startswith("Already uploaded: ")


@pytest.mark.usefixtures("as_admin")
def test_changed_document_for_the_same_run_exits_14(
        seaweed: Seaweed, make_document: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    """Different content at an existing key is refused with exit code 14."""
    path = make_document()
    assert main(upload_args(path, seaweed.endpoint)) == 0
    document = json.loads(path.read_text(encoding="utf-8"))
    document["labels"] = {"changed": "yes"}
    path.write_text(json.dumps(document), encoding="utf-8")
    capsys.readouterr()
    assert main(upload_args(path, seaweed.endpoint)) == 14
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "already exists with different content" in err


def test_wrong_secret_exits_11_without_printing_it(
        seaweed: Seaweed, make_document: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A rejected signature is exit 11, and neither secret appears in the output."""
    wrong = "wrong-secret-0d9a1f"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ADMIN[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)
    assert main(upload_args(make_document(), seaweed.endpoint)) == 11
    out, err = capsys.readouterr()
    assert out == ""
    assert_one_error_line(err, absent=(wrong, ADMIN[1],))
    assert "rejected the credentials (SignatureDoesNotMatch)" in err


def test_identity_without_write_permission_exits_11(
        seaweed: Seaweed, make_document: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Valid credentials that may not write are 'access denied', exit 11."""
    for name, value in seaweed.env(READER).items():
        monkeypatch.setenv(name, value)
    assert main(upload_args(make_document(), seaweed.endpoint)) == 11
    err = capsys.readouterr().err
    assert_one_error_line(err, absent=(READER[1],))
    assert "access denied (AccessDenied)" in err


def test_missing_credentials_exit_10(
        seaweed: Seaweed, make_document: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    """With no credentials anywhere, the upload stops before any request: exit 10."""
    assert main(upload_args(make_document(), seaweed.endpoint)) == 10
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "no AWS credentials found" in err


@pytest.mark.usefixtures("as_admin")
def test_missing_bucket_exits_12(
        seaweed: Seaweed, make_document: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    """A bucket that does not exist is exit 12 (and is not created)."""
    args = upload_args(make_document(), seaweed.endpoint)
    args[args.index(BUCKET)] = "no-such-bucket-here"
    assert main(args) == 12
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "NoSuchBucket" in err
    names = [b["Name"] for b in seaweed.client().list_buckets()["Buckets"]]
    assert "no-such-bucket-here" not in names


@pytest.mark.parametrize("name", ["Upper-Case", "ab", "under_score", "dash-last-",
                                  "two..dots", "192.168.5.4", "xn--punycode", "x" * 64,
                                  "name-s3alias"])
def test_bad_bucket_name_exits_12_before_any_request(
        name: str, make_document: Callable[..., Path], dead_endpoint: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Names breaking the S3 naming rules are refused up front with the rule broken."""
    args = upload_args(make_document(), dead_endpoint)
    args[args.index(BUCKET)] = name
    assert main(args) == 12
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert f"bucket name {name!r} is invalid" in err


def test_missing_file_exits_3(tmp_path: Path, dead_endpoint: str,
                              capsys: pytest.CaptureFixture[str]) -> None:
    """No document to upload is exit 3, naming the file."""
    missing = tmp_path / "test-run-results.json"
    assert main(upload_args(missing, dead_endpoint)) == 3
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert str(missing) in err


@pytest.mark.parametrize("content", [b"{not json", b'{"schema_version": "1.0"}', b"\xff\xfe"])
def test_invalid_file_exits_4(content: bytes, tmp_path: Path, dead_endpoint: str,
                              capsys: pytest.CaptureFixture[str]) -> None:
    """Not JSON, or not a run document: exit 4 before anything is sent."""
    path = tmp_path / "test-run-results.json"
    path.write_bytes(content)
    assert main(upload_args(path, dead_endpoint)) == 4
    assert_one_error_line(capsys.readouterr().err)


@pytest.mark.usefixtures("as_admin")
def test_aws_endpoint_url_is_honoured_without_the_option(
        seaweed: Seaweed, make_document: Callable[..., Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """boto3 reads AWS_ENDPOINT_URL itself: no --endpoint-url needed."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", seaweed.endpoint)
    path = make_document()
    assert main(["upload", str(path), "--bucket", BUCKET, "--json", "-q"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["endpoint_url"] == seaweed.endpoint


def test_installed_command_succeeds_and_fails_cleanly(
        seaweed: Seaweed, make_document: Callable[..., Path]) -> None:
    """As a real process: exit 0 with the URL, then exit 11 with one clean line."""
    path = make_document()
    ok = run_cli(*upload_args(path, seaweed.endpoint), env=clean_env(**seaweed.env()))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"s3://{BUCKET}/project=upload-tests/")
    bad_env = clean_env(**seaweed.env())
    bad_env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-77"
    failed = run_cli(*upload_args(make_document(), seaweed.endpoint), env=bad_env)
    assert failed.returncode == 11
    assert failed.stdout == ""
    assert_one_error_line(failed.stderr, absent=("not-the-secret-77", ADMIN[1],))


def test_without_boto3_the_error_says_how_to_install_it(
        make_document: Callable[..., Path], dead_endpoint: str) -> None:
    """The upload extra is optional: without boto3 a one-line error names the fix, with
    its own exit code (17), not the "endpoint unreachable" one."""
    code = ("import sys; sys.modules['boto3'] = None; from recorder.cli import main; "
            f"sys.exit(main({upload_args(make_document(), dead_endpoint)!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=clean_env(AWS_ACCESS_KEY_ID="a", AWS_SECRET_ACCESS_KEY="b"),
                            timeout=60)
    assert result.returncode == 17
    assert_one_error_line(result.stderr)
    assert "pip install 'recorder[upload]'" in result.stderr
