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
  by this module with exponential backoff, a bounded number of times; botocore's own
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
No message produced here contains a secret.
"""

from __future__ import annotations

import base64
import gzip as gzip_module
import hashlib
import ipaddress
import json
import random
import re
import time
import zlib
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

import attrs

from recorder.errors import (
    AccessDeniedError,
    BucketError,
    DigestMismatchError,
    EndpointError,
    InputNotFoundError,
    IntegrityError,
    InvalidDocumentError,
    NoCredentialsError,
    ObjectConflictError,
    UploadError,
    UsageError,
)
from recorder.projector import Document
from recorder.schema import validate_document

DOCUMENT_NAME = "test-run-results.json"
CONTENT_TYPE = "application/json"
MAX_KEY_BYTES = 1024

THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
    "RequestThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "SlowDown",
})
TRANSIENT_CODES = frozenset({
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalError",
    "ServiceUnavailable", "ConditionalRequestConflict",
})
TRANSIENT_STATUSES = frozenset({409, 429, 500, 502, 503, 504})
CREDENTIAL_CODES = frozenset({
    "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
    "TokenRefreshRequired", "InvalidSecurity", "AuthorizationHeaderMalformed",
})
DENIED_CODES = frozenset({"AccessDenied", "AllAccessDisabled", "AccountProblem", "403"})
BUCKET_CODES = frozenset({"NoSuchBucket", "InvalidBucketName", "PermanentRedirect", "301"})
DIGEST_CODES = frozenset({"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch"})

T = TypeVar("T")


@attrs.frozen
class RetryPolicy:
    """Up to ``retries`` more attempts after the first; the n-th wait is drawn from
    [wait * 2**(n-1) / 2, wait * 2**(n-1)] and capped at ``max_wait`` seconds."""

    retries: int = 4
    wait: float = 1.0
    max_wait: float = 20.0

    def __attrs_post_init__(self) -> None:
        if self.retries < 0 or self.wait < 0 or self.max_wait < 0:
            raise UsageError(
                f"retries ({self.retries}) and waits ({self.wait}, {self.max_wait}) "
                "must not be negative: pass --retries 0 or more, --retry-wait 0 or more"
            )

    def delay(self, retry: int) -> float:
        ceiling = min(self.max_wait, self.wait * 2 ** (retry - 1))
        return random.uniform(ceiling / 2, ceiling)


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


@attrs.frozen
class Payload:
    """The bytes to store, and what the document itself was before encoding."""

    body: bytes
    content_encoding: str | None
    document: bytes
    sha256: bytes = attrs.field(init=False)

    @sha256.default
    def _digest(self) -> bytes:
        return hashlib.sha256(self.body).digest()


# -- inputs -------------------------------------------------------------------------

_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why ``name`` breaks the S3 bucket naming rules, or None if it follows them."""
    if not 3 <= len(name) <= 63:
        return "must be 3 to 63 characters long"
    if not _BUCKET_CHARS.match(name):
        return ("may hold only lowercase letters, digits, dots and hyphens, and must "
                "begin and end with a letter or digit")
    if ".." in name:
        return "must not contain two adjacent dots"
    if _is_ip_address(name):
        return "must not be formatted as an IP address"
    for prefix in _RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"must not start with the reserved prefix {prefix!r}"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"must not end with the reserved suffix {suffix!r}"
    return None


def validate_bucket_name(name: str) -> None:
    """Raise :class:`BucketError` if ``name`` is not a valid S3 bucket name."""
    problem = bucket_name_problem(name)
    if problem is not None:
        raise BucketError(
            f"bucket name {name!r} is invalid: it {problem}; pass the bucket's real name "
            "with --bucket"
        )


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def read_document(path: str | Path) -> tuple[bytes, Document]:
    """The exact bytes of the run document at ``path`` and its validated content."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise InputNotFoundError(
            f"run document {path} does not exist: export it first with 'recorder export'"
        ) from error
    except OSError as error:
        raise InputNotFoundError(
            f"cannot read run document {path} ({error.strerror or error})"
        ) from error
    try:
        document = json.loads(data.decode("utf-8"))
    except ValueError as error:
        raise InvalidDocumentError(
            f"{path} is not valid UTF-8 JSON ({error}): export it again with 'recorder export'"
        ) from error
    validate_document(document, source=str(path))
    return data, document


def object_key(document: Document, *, prefix: str = "", gzip: bool = False,
               source: str = "the run document") -> str:
    """The default key: ``{prefix}/project=../date=../run_id=../test-run-results.json``."""
    project = _required_text(document, "project", source)
    run_id = _required_text(document, "run_id", source)
    started_at = _required_text(document, "started_at", source)
    try:
        moment = datetime.fromisoformat(started_at)
    except ValueError as error:
        raise InvalidDocumentError(
            f"{source} has started_at {started_at!r}, not an ISO timestamp: pass --key"
        ) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    day = moment.astimezone(UTC).date().isoformat()
    name = DOCUMENT_NAME + (".gz" if gzip else "")
    parts = [prefix.strip("/"), f"project={_partition_value(project)}", f"date={day}",
             f"run_id={_partition_value(run_id)}", name]
    return "/".join(part for part in parts if part)


def _required_text(document: Document, field: str, source: str) -> str:
    value = document.get(field)
    if not isinstance(value, str) or not value:
        raise InvalidDocumentError(
            f"{source} has no {field}, so the default key cannot be built: "
            "choose one with --key"
        )
    return value


def _partition_value(value: str) -> str:
    """Escape what would break a ``name=value`` path segment (``/``, ``=``, ``%``, ...)."""
    return quote(value, safe="._-~+@:,")


def check_key(key: str) -> str:
    """``key`` without leading slashes; rejects an empty or over-long key."""
    key = key.lstrip("/")
    if not key or len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise UsageError(
            f"object key {key!r} must be 1 to {MAX_KEY_BYTES} bytes long: "
            "pass a shorter --key or --prefix"
        )
    return key


def object_metadata(document: Document, document_sha256: str) -> dict[str, str]:
    """User metadata (``x-amz-meta-*``); null fields are left out."""
    git = (document.get("environment") or {}).get("git") or {}
    fields = {
        "run-id": document.get("run_id"),
        "status": document.get("status"),
        "commit": git.get("commit"),
        "branch": git.get("branch"),
        "schema-version": document.get("schema_version"),
        "document-sha256": document_sha256,
    }
    return {name: _header_safe(str(value)) for name, value in fields.items()
            if value is not None}


def _header_safe(value: str) -> str:
    if value.isascii() and value.isprintable():
        return value
    return quote(value, safe=" /:-_.@+,=")


def make_payload(data: bytes, *, gzip: bool) -> Payload:
    if not gzip:
        return Payload(body=data, content_encoding=None, document=data)
    body = gzip_module.compress(data, compresslevel=6, mtime=0)
    return Payload(body=body, content_encoding="gzip", document=data)


# -- the client ---------------------------------------------------------------------


def _import_boto3() -> Any:
    try:
        import boto3
    except ImportError as error:
        raise UploadError(
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


# -- talking to the bucket ----------------------------------------------------------


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
                if _status(error) in passthrough:
                    raise
                if not _transient_client_error(error):
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
        code, status = _code(error), _status(error)
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
            return IntegrityError(
                f"{where} rejected {what}: the body did not match its checksum ({code}); "
                "the data was corrupted in transit, upload again"
            )
        return UploadError(f"{what} failed at {where}: {code} (HTTP {status})")

    def put_new(self, key: str, payload: Payload, metadata: dict[str, str]) -> bool:
        """Create ``key``; False (nothing written) if the key already exists."""
        import botocore.exceptions as bce

        params: dict[str, Any] = {
            "Bucket": self.name, "Key": key, "Body": payload.body, "IfNoneMatch": "*",
            "ChecksumSHA256": _b64(payload.sha256), "ContentType": CONTENT_TYPE,
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


def _code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code") or _status(error))


def _status(error: Any) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _transient_client_error(error: Any) -> bool:
    code = _code(error)
    return (code in THROTTLING_CODES or code in TRANSIENT_CODES
            or _status(error) in TRANSIENT_STATUSES)


def _describe(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return f"{_code(error)}, HTTP {_status(error)}"
    return f"{type(error).__name__}: {error}"


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


# -- the upload ---------------------------------------------------------------------


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


_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def check_sha256(value: str) -> str:
    """``value`` as lowercase hex; rejects anything but 64 hex digits."""
    digest = value.strip().lower()
    if not _SHA256_HEX.match(digest):
        raise UsageError(
            f"--expect-sha256 {value!r} is not a SHA-256: pass 64 hex digits, as printed "
            "by 'sha256sum FILE'"
        )
    return digest


def ensure_expected_digest(data: bytes, expected: str, *, source: str) -> None:
    """The bytes about to be uploaded must be the ones whose digest was published."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise DigestMismatchError(
            f"{source} has SHA-256 {actual}, not the expected {expected}: it changed after "
            "the test job published its digest; upload the document that job produced"
        )


def verify_stored(target: Bucket, key: str, payload: Payload) -> None:
    """The object just written must report our SHA-256 and size."""
    head = target.head(key)
    stored_checksum = head.get("ChecksumSHA256")
    if stored_checksum is None:
        body, _ = target.get(key)
        stored_checksum = _b64(hashlib.sha256(body).digest())
        size = len(body)
    else:
        size = int(head.get("ContentLength", -1))
    expected = _b64(payload.sha256)
    if stored_checksum != expected or size != len(payload.body):
        raise IntegrityError(
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
