"""The bytes stored for a document: as is, or gzip-compressed (``Content-Encoding:
gzip``, deterministic: no timestamp in the header), with their SHA-256."""

from __future__ import annotations

import base64
import gzip as gzip_module
import hashlib

import attrs


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


def make_payload(data: bytes, *, gzip: bool) -> Payload:
    if not gzip:
        return Payload(body=data, content_encoding=None, document=data)
    body = gzip_module.compress(data, compresslevel=6, mtime=0)
    return Payload(body=body, content_encoding="gzip", document=data)


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")
