"""Transient failures are retried with backoff, exactly as many times as configured,
and a dead endpoint fails quickly with exit 13."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from upload_support import BUCKET, Seaweed

from recorder.cli import main
from recorder.errors import EndpointError
from recorder.upload.document import upload_document
from recorder.upload.retry import RetryPolicy

pytestmark = pytest.mark.usefixtures("as_admin")


def puts(proxy: Any) -> list[str]:
    return [request for request in proxy.requests if request.startswith("PUT ")]


def test_dead_endpoint_fails_after_the_configured_retries(
        make_document: Callable[..., Path], dead_endpoint: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Connection refused: 1 + --retries attempts, then exit 13, within a second."""
    started = time.monotonic()
    code = main(["upload", str(make_document()), "--bucket", BUCKET, "--endpoint-url",
                 dead_endpoint, "--retries", "2", "--retry-wait", "0.05"])
    elapsed = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 13
    assert "failed after 3 attempts" in err and dead_endpoint in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert elapsed < 5


def test_transient_503s_are_retried_until_success(
        seaweed: Seaweed, make_document: Callable[..., Path], flaky_proxy: Any) -> None:
    """Two SlowDown 503s, then the real server: the upload succeeds after 2 retries."""
    proxy = flaky_proxy("503", failures=2)
    path = make_document()
    result = upload_document(path, BUCKET, endpoint_url=proxy.endpoint,
                             retry=RetryPolicy(retries=3, wait=0.01))
    assert result.retries == 2 and not result.already_uploaded
    assert len(puts(proxy)) == 3
    stored = seaweed.client().get_object(Bucket=BUCKET, Key=result.key)["Body"].read()
    assert stored == path.read_bytes()


def test_retry_count_is_honoured_exactly(
        make_document: Callable[..., Path], flaky_proxy: Any) -> None:
    """With --retries 2 and a server that keeps failing, exactly 3 requests are sent."""
    proxy = flaky_proxy("503", failures=100)
    with pytest.raises(EndpointError, match=r"failed after 3 attempts .*SlowDown, HTTP 503"):
        upload_document(make_document(), BUCKET, endpoint_url=proxy.endpoint,
                        retry=RetryPolicy(retries=2, wait=0.01))
    assert len(proxy.requests) == 3


def test_zero_retries_means_one_attempt(
        make_document: Callable[..., Path], flaky_proxy: Any) -> None:
    """--retries 0 sends one request and gives up."""
    proxy = flaky_proxy("503", failures=1)
    with pytest.raises(EndpointError, match="failed after 1 attempt "):
        upload_document(make_document(), BUCKET, endpoint_url=proxy.endpoint,
                        retry=RetryPolicy(retries=0, wait=0.01))
    assert len(proxy.requests) == 1


def test_backoff_waits_grow_between_retries(
        make_document: Callable[..., Path], flaky_proxy: Any) -> None:
    """With --retry-wait 0.1 the three waits take at least 0.05 + 0.1 + 0.2 seconds."""
    proxy = flaky_proxy("503", failures=3)
    started = time.monotonic()
    upload_document(make_document(), BUCKET, endpoint_url=proxy.endpoint,
                    retry=RetryPolicy(retries=3, wait=0.1))
    assert time.monotonic() - started >= 0.35


def test_dropped_connections_are_retried(
        make_document: Callable[..., Path], flaky_proxy: Any) -> None:
    """A connection closed without an answer is retried."""
    proxy = flaky_proxy("drop", failures=2)
    result = upload_document(make_document(), BUCKET, endpoint_url=proxy.endpoint,
                             retry=RetryPolicy(retries=2, wait=0.01))
    assert result.retries == 2


def test_timeouts_are_retried(make_document: Callable[..., Path], flaky_proxy: Any) -> None:
    """A request that gets no answer within --timeout is retried."""
    proxy = flaky_proxy("hang", failures=1, hang_seconds=5)
    started = time.monotonic()
    result = upload_document(make_document(), BUCKET, endpoint_url=proxy.endpoint,
                             retry=RetryPolicy(retries=1, wait=0.01), timeout=0.5)
    assert result.retries == 1
    assert time.monotonic() - started < 4


def test_a_put_that_landed_but_lost_its_answer_is_safe_to_retry(
        seaweed: Seaweed, make_document: Callable[..., Path], flaky_proxy: Any) -> None:
    """The retried conditional PUT finds the object it wrote: success, one object."""
    proxy = flaky_proxy("lost-response", failures=1)
    path = make_document()
    result = upload_document(path, BUCKET, endpoint_url=proxy.endpoint,
                             retry=RetryPolicy(retries=2, wait=0.01))
    assert result.retries == 1 and result.already_uploaded
    stored = seaweed.client().get_object(Bucket=BUCKET, Key=result.key)["Body"].read()
    assert stored == path.read_bytes()
