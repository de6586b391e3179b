"""Documents and options built to break ``recorder upload`` get one ``Error:`` line and a
distinct exit code, never a traceback or a secret (issue 12 items 10, 12, 13)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from upload_support import BUCKET, clean_env

from recorder.upload.layout import bucket_name_problem
from recorder.upload.retry import RetryPolicy
from tests.support import assert_one_error_line, assert_one_line_error, run_cli

FAKE_KEYS = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-a-real-secret"}


def _upload(path: Path, *extra: str) -> tuple[int, str]:
    result = run_cli("upload", str(path), "--bucket", BUCKET, "--endpoint-url",
                     "http://127.0.0.1:9", *extra, env=clean_env(**FAKE_KEYS))
    return result.returncode, result.stderr


def test_a_document_nested_100000_deep_is_one_error_line(tmp_path: Path,
                                                         base_document: dict) -> None:
    """Regression (issue 12): a document nested 100,000 levels deep gave a RecursionError
    traceback from ``summary --json`` and ``upload``."""
    text = json.dumps(base_document)[:-1] + ', "deep": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = tmp_path / "deep.json"
    path.write_text(text)
    code, stderr = _upload(path)
    assert code == 4
    assert_one_error_line(stderr, "nested too deeply")
    assert_one_line_error(run_cli("summary", "--json", str(path)), 4, "nested too deeply")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_or_infinity_in_a_document_is_refused(
        make_document: Callable[..., Path], constant: str) -> None:
    """Regression (issue 12): a document with NaN in a number field was uploaded."""
    path = make_document()
    text = path.read_text()
    path.write_text(text.replace('"duration": 0.2', f'"duration": {constant}', 1))
    assert constant in path.read_text()
    code, stderr = _upload(path)
    assert code == 4
    assert_one_error_line(stderr, f"{constant.lstrip('-')} is not a JSON number")


def test_a_start_before_year_1_in_utc_is_one_error_line(
        make_document: Callable[..., Path]) -> None:
    """Regression (issue 12): ``started_at`` 0001-01-01T00:00:00+05:00 (before year 1 in
    UTC) gave an OverflowError traceback while building the key."""
    path = make_document(started_at="0001-01-01T00:00:00+05:00")
    code, stderr = _upload(path)
    assert code == 4
    assert_one_error_line(stderr, "0001-01-01T00:00:00+05:00", "has no date in UTC",
                          "pass --key")


def test_a_bucket_name_with_a_trailing_newline_is_refused() -> None:
    """Regression (issue 12): the bucket-name check used ``$``, which accepts "b\\n"."""
    assert bucket_name_problem("bucket\n") is not None
    assert bucket_name_problem("bucket") is None


def test_a_huge_retry_count_waits_no_more_than_the_cap() -> None:
    """Regression (issue 12): ``--retries 1100 --retry-wait 0`` raised OverflowError
    (2 ** 1099 is no float); every wait is now within [0, max_wait]."""
    assert RetryPolicy(retries=1100, wait=0).delay(1100) == 0
    assert 10 <= RetryPolicy(retries=1100, wait=1).delay(1100) <= 20
    for bad in ("nan", "inf"):
        assert_one_line_error(run_cli("upload", "x.json", "--bucket", BUCKET, "--retry-wait",
                                      bad), 2, "finite")


def test_the_endpoint_password_never_appears_in_the_connection_error(
        make_document: Callable[..., Path], dead_endpoint: str) -> None:
    """Regression (issue 12): ``--endpoint-url http://alice:s3cr3tPW@127.0.0.1:9`` printed
    the password in the connection error. Also the ``--retries 1100 --retry-wait 0``
    probe: every retry is made and the end is one line."""
    path = make_document()
    endpoint = dead_endpoint.replace("http://", "http://alice:s3cr3tPW@")
    started = time.monotonic()
    result = run_cli("upload", str(path), "--bucket", BUCKET, "--endpoint-url", endpoint,
                     "--retries", "1100", "--retry-wait", "0", env=clean_env(**FAKE_KEYS))
    assert time.monotonic() - started < 100
    assert result.returncode == 13
    assert_one_error_line(result.stderr, "after 1101 attempts", absent=("s3cr3tPW", "alice"))
    assert "s3cr3tPW" not in result.stdout
