"""Helpers shared by the test packages: running the CLI as a real process, asserting
the one-line ``Error: ...`` contract, and recording a small run. Test modules import
from here, never from each other."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest

from recorder.events.model import CaseFinished, CaseStarted, RunFinished, RunStarted
from recorder.store.emitter import Emitter
from recorder.store.sqlite import EventStore

REPO = Path(__file__).resolve().parents[1]
TIMESTAMP = "2026-11-23T10:00:00+00:00"


def in_ci() -> bool:
    """``CI`` is set, as ``.ci/run`` is run: every test must run there."""
    return bool(os.environ.get("CI"))


def unavailable(reason: str, *, allow_module_level: bool = False) -> NoReturn:
    """A tool the test needs is missing: skip here, but fail in CI, where a skip would
    pass a check that never ran (``.ci/run`` installs what the tests need)."""
    if in_ci():
        pytest.fail(f"{reason} (CI runs every test: install it, as .ci/run does)",
                    pytrace=False)
    pytest.skip(reason, allow_module_level=allow_module_level)


def run_cli(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None,
            **extra_env: str) -> subprocess.CompletedProcess[str]:
    """``python -m recorder ARGS`` as a process with piped output; ``env`` (default: this
    process's environment) plus ``extra_env``."""
    environment = {**(os.environ if env is None else env), **extra_env}
    return subprocess.run([sys.executable, "-m", "recorder", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, env=environment, timeout=120)


def assert_one_error_line(stderr: str, *fragments: str, absent: tuple[str, ...] = ()) -> str:
    """``stderr`` is one ``Error: ...`` line, no traceback, holding every fragment and
    none of ``absent`` (secrets); returns the line."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in lines[0], stderr
    for secret in absent:
        assert secret not in stderr
    return lines[0]


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int,
                          *fragments: str) -> None:
    """The process exited ``code`` with one ``Error: ...`` line holding ``fragments``."""
    assert result.returncode == code, result.stderr
    assert_one_error_line(result.stderr, *fragments)


def record_run(db: Path, run_id: str = "run-a") -> None:
    """A finished, passing run of one case, written through the real emitter."""
    with EventStore.create(db) as store:
        emitter = Emitter(store, run_id, "main")
        emitter.emit(RunStarted(project="p", started_at=TIMESTAMP))
        emitter.emit(CaseStarted(case_id="t.py::test_a", started_at=TIMESTAMP))
        emitter.emit(CaseFinished(case_id="t.py::test_a", status="passed", duration=0.1,
                                  stopped_at=TIMESTAMP))
        emitter.emit(RunFinished(exit_status=0, finished_at=TIMESTAMP, duration=0.2))


def insert_raw(db: Path, type_name: str, payload: str, *, version: int = 1,
               source_seq: int = 5) -> int:
    """Append a row behind the library's back, as a broken or newer emitter would."""
    connection = sqlite3.connect(db)
    with connection:
        cursor = connection.execute(
            "INSERT INTO events (event_id, run_id, type, version, source, source_seq,"
            " recorded_at, payload) VALUES (?, 'run-a', ?, ?, 'main', ?, 'now', ?)",
            (f"raw-{source_seq}", type_name, version, source_seq, payload))
    connection.close()
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def run_cli_on_read_only_folder(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m recorder ARGS`` with ``folder`` read-only for it, for real: as root
    (whom permission bits do not stop) a read-only bind mount in a private user and
    mount namespace (``unshare -rm``), otherwise plain permission bits."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return run_cli(*args)
        finally:
            folder.chmod(0o755)
    script = ('mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && '
              'exec "$@"')
    return subprocess.run(["unshare", "-rm", "sh", "-c", script, str(folder), sys.executable,
                           "-m", "recorder", *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def record_session(pytester: Any, *args: str, subprocess: bool = False,
                   run_id: str = "r1") -> tuple[Any, dict[str, Any]]:
    """Run a real pytest session recording into ``events.db`` in ``pytester``'s folder,
    and return its result and the exported run document (every case by id under
    ``"by_id"``)."""
    from recorder.export.run_json import export_run

    db = pytester.path / "events.db"
    run = pytester.runpytest_subprocess if subprocess else pytester.runpytest
    result = run(f"--recorder-db={db}", f"--recorder-run-id={run_id}", *args)
    out = pytester.path / f"{run_id}.json"
    export_run(db, out, run_id)
    from recorder.document.reader import load_document

    document = load_document(out)
    document["by_id"] = {case["id"]: case for suite in document["suites"]
                         for case in suite["cases"]}
    return result, document
