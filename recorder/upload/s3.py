"""The S3 client: built from boto3's credential chain with botocore's own retries off,
every call retried by :mod:`recorder.upload.retry` and every failure translated into
a :mod:`recorder.errors` exception (no message contains a secret).

boto3 is imported lazily: the rest of ``recorder`` works without the ``upload`` extra."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from types import ModuleType
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import attrs

from recorder.errors import (
    AccessDeniedError,
    BucketError,
    ChecksumMismatchError,
    EndpointError,
    MissingUploadExtraError,
    NoCredentialsError,
    UploadError,
    UsageError,
)
from recorder.upload.payload import Payload, b64
from recorder.upload.retry import RetryPolicy, error_code, http_status, is_transient

CONTENT_TYPE = "application/json"
CREDENTIAL_CODES = frozenset({
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
    "TokenRefreshRequired", "InvalidSecurity", "AuthorizationHeaderMalformed",
})
DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "AccountProblem", "403"})


BUCKET_CODES = frozenset({"NoSuchBucket", "InvalidBucketName", "PermanentRedirect", "301"})
DIGEST_CODES = frozenset({"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch"})


T = TypeVar("T")


def _import_boto3() -> Any:
    try:
        import boto3
    except ImportError as error:
        raise MissingUploadExtraError(
            "uploading needs boto3, which is not installed: pip install 'recorder[upload]'"
        ) from error
    return boto3


def make_client(*, endpoint_url: str | None = None, region: str | None = None,
                profile: str | None = None, timeout: float = 60.0) -> Any:
    """An S3 client from boto3's credential chain, with botocore's retries off."""
    if not timeout > 0:
        raise UsageError(f"timeout {timeout} must be more than 0 seconds: pass --timeout 1 or more")
    boto3 = _import_boto3()
    import botocore.config
    import botocore.exceptions

    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except botocore.exceptions.ProfileNotFound as error:
        raise NoCredentialsError(
            f"AWS profile {profile or '(from AWS_PROFILE)'} does not exist: pass an "
            "existing --profile, or set AWS_PROFILE to one in ~/.aws/config"
        ) from error
    _require_credentials(session, botocore.exceptions)
    config = botocore.config.Config(
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=timeout,
        read_timeout=timeout,
        user_agent_extra="recorder-upload",
    )
    try:
        return session.client("s3", endpoint_url=endpoint_url, config=config)
    except ValueError as error:
        raise EndpointError(
            f"endpoint URL {redact_url(endpoint_url or '')!r} is invalid ({error}): "
            "pass --endpoint-url like http://127.0.0.1:8333 or https://s3.example.com"
        ) from error


def _require_credentials(session: Any, exceptions: ModuleType) -> None:
    try:
        credentials = session.get_credentials()
    except exceptions.BotoCoreError as error:
        raise NoCredentialsError(
            f"cannot load AWS credentials ({type(error).__name__}): check the AWS profile "
            "and credential files"
        ) from error
    if credentials is None or not credentials.access_key or not credentials.secret_key:
        raise NoCredentialsError(
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(or AWS_PROFILE, or run with an instance role)"
        )


def redact_url(url: str) -> str:
    """``url`` without any ``user:password@`` part."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


@attrs.define
class Bucket:
    """One bucket behind one client, every call retried and its errors translated."""

    client: Any
    name: str
    retry: RetryPolicy
    retries_used: int = 0

    @property
    def endpoint(self) -> str:
        return redact_url(str(self.client.meta.endpoint_url))

    def call(self, what: str, action: Callable[[], T], *, passthrough: Collection[int] = ()) -> T:
        """Run ``action`` with retries; a ClientError whose HTTP status is in
        ``passthrough`` is re-raised as is, every other failure as an UploadError."""
        import botocore.exceptions as bce

        attempt = 1
        while True:
            try:
                return action()
            except bce.ClientError as error:
                if http_status(error) in passthrough:
                    raise
                if not is_transient(error):
                    raise self._translate(what, error) from error
                failure: Exception = error
            except (bce.NoCredentialsError, bce.PartialCredentialsError) as error:
                raise NoCredentialsError(
                    f"no usable AWS credentials for {what} ({type(error).__name__}): set "
                    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
                ) from error
            except bce.SSLError as error:
                raise EndpointError(
                    f"TLS failed talking to {self.endpoint} for {what}: check --endpoint-url "
                    "(http or https) and the server's certificate"
                ) from error
            except (bce.ConnectionError, bce.HTTPClientError) as error:
                failure = error
            if attempt > self.retry.retries:
                raise self._gave_up(what, attempt, failure) from failure
            time.sleep(self.retry.delay(attempt))
            attempt += 1
            self.retries_used += 1

    def _gave_up(self, what: str, attempts: int, error: Exception) -> EndpointError:
        tries = f"{attempts} attempt" + ("s" if attempts != 1 else "")
        return EndpointError(
            f"{what} failed after {tries} at {self.endpoint} ({_describe(error)}): check "
            "--endpoint-url / AWS_ENDPOINT_URL and the network, or raise --retries"
        )

    def _translate(self, what: str, error: Any) -> UploadError:
        code, status = error_code(error), http_status(error)
        where = f"bucket {self.name} at {self.endpoint}"
        if code in CREDENTIAL_CODES:
            return AccessDeniedError(
                f"{where} rejected the credentials ({code}) for {what}: check "
                "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the profile) and --region"
            )
        if code in DENIED_CODES:
            return AccessDeniedError(
                f"access denied ({code}) for {what} in {where}: grant these credentials "
                "s3:PutObject and s3:GetObject on the bucket"
            )
        if code in BUCKET_CODES:
            return BucketError(
                f"{where} is unusable ({code}): check --bucket, --endpoint-url and --region, "
                "or create the bucket"
            )
        if code in DIGEST_CODES:
            return ChecksumMismatchError(
                f"{where} rejected {what}: the body did not match its checksum ({code}); "
                "the data was corrupted in transit, upload again"
            )
        return UploadError(f"{what} failed at {where}: {code} (HTTP {status})")

    def put_new(self, key: str, payload: Payload, metadata: dict[str, str],
                content_type: str = CONTENT_TYPE) -> bool:
        """Create ``key``; False (nothing written) if the key already exists."""
        import botocore.exceptions as bce

        params: dict[str, Any] = {
            "Bucket": self.name, "Key": key, "Body": payload.body, "IfNoneMatch": "*",
            "ChecksumSHA256": b64(payload.sha256), "ContentType": content_type,
            "Metadata": metadata,
        }
        if payload.content_encoding:
            params["ContentEncoding"] = payload.content_encoding
        try:
            self.call(f"PUT s3://{self.name}/{key}", lambda: self.client.put_object(**params),
                      passthrough={412})
        except bce.ClientError:
            return False
        return True

    def head(self, key: str) -> dict[str, Any]:
        return self.call(f"HEAD s3://{self.name}/{key}", lambda: self.client.head_object(
            Bucket=self.name, Key=key, ChecksumMode="ENABLED"))

    def get(self, key: str) -> tuple[bytes, str | None]:
        """The object's bytes as stored, and its Content-Encoding."""

        def fetch() -> tuple[bytes, str | None]:
            response = self.client.get_object(Bucket=self.name, Key=key)
            return response["Body"].read(), response.get("ContentEncoding")

        return self.call(f"GET s3://{self.name}/{key}", fetch)


def _describe(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return f"{error_code(error)}, HTTP {http_status(error)}"
    return f"{type(error).__name__}: {error}"
