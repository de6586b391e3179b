"""No secret in any output, document or database (issue 12 item 13): values of options
whose names look secret, and values shaped like known credentials, are stored as
``***``; users add their own patterns with the ``recorder_redact`` ini option."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recorder.redaction import REDACTED, Redactor
from recorder.store.journal import journal_dir
from tests.support import run_cli

#: Every secret planted below, each a realistic shape.
GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
SECRETS = {
    "password option": "hunter2",
    "token option": "tok-4f9a8b7c",
    "GitHub token": GITHUB_TOKEN,
    "fine-grained GitHub token": "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
    "AWS key id": "AKIAIOSFODNN7EXAMPLE",
    "Slack token": "xoxb-123456789012-abcdefABCDEF",
    "JWT": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    "URL password": "s3cr3tPW",
    "label with a secret name": "lbl-9d8c7b6a",
    "user pattern": "corp-314159",
    "CI server password": "gh0sTpw",
    "endpoint password": "endp0intPW",
}

CONFTEST = '''
def pytest_addoption(parser):
    parser.addoption("--db-password")
    parser.addoption("--api-token")
    parser.addoption("--note", action="append", default=[])
'''


def _plant(pytester: pytest.Pytester) -> tuple[Path, subprocess.CompletedProcess[bytes]]:
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\nrecorder_redact =\n    corp-[0-9]{6}\n")
    pytester.makepyfile("def test_ok(): pass\n")
    db = pytester.path / "test-results.db"
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r",
           "GITHUB_RUN_ID": "7", "GITHUB_SERVER_URL": "https://bob:gh0sTpw@github.example"}
    notes = [GITHUB_TOKEN, SECRETS["fine-grained GitHub token"], SECRETS["AWS key id"],
             SECRETS["Slack token"], SECRETS["JWT"], "https://alice:s3cr3tPW@host.example/x",
             "ticket corp-314159"]
    args = [sys.executable, "-m", "pytest", f"--recorder-db={db}", "-p", "no:cacheprovider",
            "--db-password=hunter2", "--api-token", "tok-4f9a8b7c",
            "--recorder-label", "deploy_key=lbl-9d8c7b6a"]
    for note in notes:
        args += ["--note", note]
    recorded = subprocess.run(args, cwd=pytester.path, env=env, capture_output=True,
                              timeout=120)
    assert recorded.returncode == 0, recorded.stdout
    return db, recorded


def _found(data: bytes) -> list[str]:
    return [what for what, secret in SECRETS.items() if secret.encode() in data]


def test_no_planted_secret_reaches_the_database_journals_document_or_any_output(
        pytester: pytest.Pytester) -> None:
    """Regression (issue 12): ``--db-password=hunter2 --api-token ghp_X`` were stored in
    ``arguments``, a ``GITHUB_SERVER_URL`` with credentials went into ``ci.url``, and
    the upload's connection error printed the endpoint's password."""
    db, recorded = _plant(pytester)
    journals = list(journal_dir(db).iterdir())
    assert journals  # the recording's journal, not yet taken in by any reader
    for journal in journals:
        assert _found(journal.read_bytes()) == [], journal
    out = pytester.path / "run.json"
    assert run_cli("export", "--db", str(db), "--out", str(out)).returncode == 0
    outputs = {
        "pytest output": recorded.stdout + recorded.stderr,
        "database": db.read_bytes() + b"".join(
            p.read_bytes() for p in db.parent.glob(db.name + "-*")),
        "document": out.read_bytes(),
    }
    for args in (["--json", str(out)], ["--json", str(out), "--markdown"], ["--db", str(db)]):
        summary = run_cli("summary", *args, "--width", "200")
        outputs[f"summary {args}"] = (summary.stdout + summary.stderr).encode()
    upload = run_cli("upload", str(out), "--bucket", "bucket", "--retries", "0",
                     "--endpoint-url", "http://alice:endp0intPW@127.0.0.1:9",
                     AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x",
                     AWS_EC2_METADATA_DISABLED="true")
    assert upload.returncode == 13 and upload.stderr.startswith("Error: ")
    outputs["upload error"] = (upload.stdout + upload.stderr).encode()
    leaks = {where: _found(data) for where, data in outputs.items() if _found(data)}
    assert leaks == {}
    document = out.read_text()
    assert '"--db-password=***"' in document and '"deploy_key": "***"' in document
    assert "https://***@github.example/o/r/actions/runs/7" in document
    assert "ticket ***" in document  # the user's pattern


def test_secret_named_options_are_redacted_and_everything_else_kept() -> None:
    """By name: ``--x-token V``, ``--password=V``, ``-o api_key=V``; the rest unchanged,
    including options that only look like values and ordinary words."""
    redactor = Redactor()
    assert redactor.arguments(
        ["--api-token", "v1", "--password=v2", "-o", "api_key=v3", "-k", "test_login",
         "--secret-flag", "--tb=short", "tests/test_auth.py"]) == [
        "--api-token", REDACTED, f"--password={REDACTED}", "-o", f"api_key={REDACTED}",
        "-k", "test_login", "--secret-flag", "--tb=short", "tests/test_auth.py"]


def test_a_bad_user_pattern_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """An ini pattern that is not a regular expression stops pytest with one line."""
    pytester.makeini("[pytest]\nrecorder_redact = corp-[0-9\n")
    pytester.makepyfile("def test_ok(): pass\n")
    result = pytester.runpytest_subprocess(f"--recorder-db={pytester.path / 'r.db'}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "recorder_redact pattern 'corp-[0-9' is not a regular expression" in \
        result.stderr.str()
