"""The published-digest check: the bytes about to be uploaded must be the ones the
test job published the SHA-256 of (``recorder upload --expect-sha256``)."""

from __future__ import annotations

import hashlib
import re

from recorder.errors import DigestMismatchError, UsageError

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def check_sha256(value: str) -> str:
    """``value`` as lowercase hex; rejects anything but 64 hex digits."""
    digest = value.strip().lower()
    if not _SHA256_HEX.fullmatch(digest):
        raise UsageError(
            f"--expect-sha256 {value!r} is not a SHA-256: pass 64 hex digits, as printed "
            "by 'sha256sum FILE'"
        )
    return digest


def ensure_expected_digest(data: bytes, expected: str, *, source: str) -> None:
    """Refuse ``data`` unless its SHA-256 is ``expected``."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise DigestMismatchError(
            f"{source} has SHA-256 {actual}, not the expected {expected}: it changed after "
            "the test job published its digest; upload the document that job produced"
        )
