"""``recorder upload``: store a run document in S3-compatible object storage."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from recorder.cli.defaults import DEFAULT_OUT
from recorder.upload.layout import DOCUMENT_NAME

if TYPE_CHECKING:
    from recorder.upload.document import UploadResult


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "upload",
        help="upload a run document to S3-compatible storage",
        description="Validate a run document and store it once in an S3 bucket (AWS S3, "
        "MinIO, SeaweedFS, R2, ...) with a server-verified SHA-256 checksum. An existing "
        "object is never overwritten: identical content succeeds as 'already uploaded', "
        "different content fails. Credentials come from boto3's chain (AWS_ACCESS_KEY_ID/"
        "AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance roles); AWS_ENDPOINT_URL is honoured.",
    )
    parser.add_argument("file", nargs="?", default=str(DEFAULT_OUT), metavar="FILE",
                        help=f"the run document (default: {DEFAULT_OUT})")
    parser.add_argument("--bucket", required=True, help="target bucket (must exist)")
    parser.add_argument("--prefix", default="", metavar="P",
                        help="key prefix before project=.../ (default: none)")
    parser.add_argument("--key", default=None, metavar="KEY",
                        help="exact object key, instead of {prefix}/project={project}/"
                        f"date={{YYYY-MM-DD}}/run_id={{run_id}}/{DOCUMENT_NAME}")
    parser.add_argument("--endpoint-url", default=None, metavar="URL",
                        help="S3 endpoint for non-AWS storage (default: AWS_ENDPOINT_URL, "
                        "else AWS S3)")
    parser.add_argument("--region", default=None, help="region (default: AWS_REGION / profile)")
    parser.add_argument("--profile", default=None, help="AWS profile (default: AWS_PROFILE)")
    parser.add_argument("--gzip", action="store_true",
                        help="store gzip-compressed with Content-Encoding: gzip, key ending "
                        ".json.gz (for large documents)")
    parser.add_argument("--retries", type=int, default=4, metavar="N",
                        help="retries after transient failures (throttling, 5xx, timeouts, "
                        "dropped connections) (default: 4)")
    parser.add_argument("--retry-wait", type=float, default=1.0, metavar="SECONDS",
                        help="first backoff, doubled on each retry, capped at 20 s "
                        "(default: 1.0)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="connect and read timeout per request (default: 60)")
    parser.add_argument("--expect-sha256", default=None, metavar="HEX",
                        help="refuse to upload (exit 16) unless the file's SHA-256 is HEX, "
                        "e.g. the digest the test job published")
    parser.add_argument("--no-cases", action="store_true",
                        help="do not also store the run's case rows (Parquet, for 'recorder "
                        "history') under PREFIX/cases/")
    parser.add_argument("--json", action="store_true",
                        help="print the result as one JSON object instead of the URL")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="print only the s3:// URL (or the JSON), no status line")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from recorder.upload.document import upload_document
    from recorder.upload.retry import RetryPolicy

    retry = RetryPolicy(retries=args.retries, wait=args.retry_wait)
    result = upload_document(
        args.file, args.bucket, prefix=args.prefix, key=args.key,
        endpoint_url=args.endpoint_url, region=args.region, profile=args.profile,
        gzip=args.gzip, retry=retry, timeout=args.timeout, expect_sha256=args.expect_sha256,
    )
    cases = None
    if not args.no_cases:
        from recorder.history.publish import upload_run_case_rows

        cases = upload_run_case_rows(
            args.file, args.bucket, prefix=args.prefix, endpoint_url=args.endpoint_url,
            region=args.region, profile=args.profile, retry=retry, timeout=args.timeout)
    if args.json:
        print(json.dumps({**result.to_dict(), "cases": cases.to_dict() if cases else None},
                         sort_keys=True))
    else:
        print(result.url)
    if not args.quiet:
        print(status_line(args.file, result), file=sys.stderr)
        if cases is not None:
            done = "already there" if cases.already_uploaded else "stored"
            print(f"Case rows ({cases.rows}) {done}: {cases.url}", file=sys.stderr)
    return 0


def status_line(source: str, result: UploadResult) -> str:
    if result.already_uploaded:
        return (f"Already uploaded: {result.url} holds the same content as {source}; "
                "nothing written")
    retried = f", {result.retries} retries" if result.retries else ""
    return (f"Uploaded {source} to {result.url} ({result.size} bytes, sha256 verified, "
            f"{result.elapsed:.2f} s{retried})")
