"""LOCATION: a local folder or ``s3://bucket/prefix``, and what is found there.

A local folder holds the history layout (``cases/``, ``cases-compacted/``) or, failing
that, any run documents (``*.json``, searched recursively). On S3 the files are listed
with boto3 (credentials from its chain, errors translated as for ``recorder upload``)
and read by DuckDB's httpfs with the same credentials."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from recorder.errors import InputNotFoundError, NoCredentialsError, UsageError
from recorder.history.layout import CASES_ROOT, COMPACTED_ROOT, SUFFIX


@attrs.frozen
class S3Settings:
    """What DuckDB needs to read and write the bucket (never printed: holds secrets)."""

    key_id: str = attrs.field(repr=False)
    secret: str = attrs.field(repr=False)
    session_token: str | None = attrs.field(repr=False)
    region: str
    endpoint: str | None      # host:port, None for AWS itself
    use_ssl: bool


@attrs.frozen
class Location:
    """Where a history lives: ``root`` (a folder) or ``bucket`` and ``prefix``."""

    text: str
    root: Path | None = None
    bucket: str | None = None
    prefix: str = ""
    endpoint_url: str | None = None

    @property
    def is_s3(self) -> bool:
        return self.bucket is not None

    def url(self, relative: str) -> str:
        """The address DuckDB reads or writes for a path below the root."""
        if self.root is not None:
            return str(self.root / relative)
        return "/".join(part for part in (f"s3://{self.bucket}", self.prefix, relative)
                        if part)

    def key(self, relative: str) -> str:
        return "/".join(part for part in (self.prefix, relative) if part)


def parse_location(text: str, *, endpoint_url: str | None = None,
                   must_exist: bool = True) -> Location:
    """A :class:`Location` from ``--from``; a local folder must exist."""
    if text.startswith("s3://"):
        parts = urlsplit(text)
        bucket = parts.netloc
        if not bucket:
            raise UsageError(f"location {text!r} names no bucket: pass --from "
                             "s3://BUCKET/PREFIX or a local folder")
        from recorder.upload.layout import validate_bucket_name

        validate_bucket_name(bucket)
        return Location(text=text, bucket=bucket, prefix=parts.path.strip("/"),
                        endpoint_url=endpoint_url)
    if "://" in text:
        raise UsageError(f"location {text!r} is neither a local folder nor s3://: pass "
                         "--from s3://BUCKET/PREFIX or a folder")
    root = Path(text)
    if must_exist and not root.is_dir():
        raise InputNotFoundError(f"history folder {text} does not exist: pass --from a folder "
                                 "holding uploaded runs (or run documents), or s3://BUCKET/PREFIX")
    return Location(text=text, root=root, endpoint_url=endpoint_url)


def local_layout_files(root: Path) -> list[str]:
    """Every Parquet file below ``root``'s two case roots, as paths relative to it."""
    found: list[str] = []
    for top in (CASES_ROOT, COMPACTED_ROOT):
        base = root / top
        if base.is_dir():
            found.extend(path.relative_to(root).as_posix() for path in base.rglob("*" + SUFFIX)
                         if not path.name.startswith("."))
    return sorted(found)


def local_documents(root: Path) -> Iterator[Path]:
    """Every ``*.json`` file below ``root`` (run documents and anything else)."""
    yield from sorted(path for path in root.rglob("*.json") if path.is_file())


# -- S3 -------------------------------------------------------------------------------


def s3_bucket(location: Location) -> Any:
    """A :class:`recorder.upload.Bucket` for ``location``, credentials checked."""
    from recorder.upload.retry import RetryPolicy
    from recorder.upload.s3 import Bucket, make_client

    client = make_client(endpoint_url=location.endpoint_url, timeout=30.0)
    return Bucket(client, str(location.bucket), RetryPolicy(retries=2, wait=0.2))


def s3_layout_files(location: Location, bucket: Any = None) -> list[str]:
    """Every Parquet key below the two case roots, relative to the prefix."""
    bucket = bucket or s3_bucket(location)
    found: list[str] = []
    strip = len(location.prefix) + 1 if location.prefix else 0
    for top in (CASES_ROOT, COMPACTED_ROOT):
        prefix = location.key(top) + "/"
        token: str | None = None
        while True:
            params: dict[str, Any] = {"Bucket": bucket.name, "Prefix": prefix}
            if token:
                params["ContinuationToken"] = token
            page = bucket.call(f"LIST s3://{bucket.name}/{prefix}",
                               lambda p=params: bucket.client.list_objects_v2(**p))
            found.extend(item["Key"][strip:] for item in page.get("Contents", [])
                         if item["Key"].endswith(SUFFIX))
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                break
    return sorted(found)


def s3_settings(location: Location, bucket: Any = None) -> S3Settings:
    """Credentials from boto3's chain, and the endpoint boto3 would use."""
    import boto3

    client = (bucket or s3_bucket(location)).client  # checks that the chain has credentials
    credentials = boto3.Session().get_credentials()
    if credentials is None:
        raise NoCredentialsError("no AWS credentials found: set AWS_ACCESS_KEY_ID and "
                                 "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)")
    frozen = credentials.get_frozen_credentials()
    endpoint = urlsplit(str(client.meta.endpoint_url))
    host = endpoint.netloc.rsplit("@", 1)[-1]
    aws = host.endswith(".amazonaws.com")  # DuckDB's default endpoint; others need ENDPOINT
    return S3Settings(
        key_id=frozen.access_key, secret=frozen.secret_key, session_token=frozen.token,
        region=client.meta.region_name or "us-east-1",
        endpoint=None if aws else host, use_ssl=endpoint.scheme != "http",
    )
