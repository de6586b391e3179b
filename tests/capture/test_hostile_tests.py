"""What a test's own text and structure cannot do to the recording (issue 12 items 1
and 10): lone surrogates and steps nested hundreds deep still export and summarize."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from recorder.document.case_view import MAX_STEP_DEPTH
from recorder.document.reader import load_document
from recorder.events.codec import decode, encode
from recorder.events.model import CaseStarted, Failure, PhaseFinished
from recorder.events.text import valid_text
from tests.support import TIMESTAMP, insert_raw, record_run, run_cli

HOSTILE_SUITE = '''
import contextlib
import recorder

def test_surrogate():
    name = b"caf\\xe9.txt".decode("utf-8", "surrogateescape")
    print(f"opening {name}")
    with recorder.step(f"read {name}"):
        raise ValueError(f"bad {name} \\udc80")

def test_deep_steps():
    with contextlib.ExitStack() as stack:
        for depth in range(200):
            stack.enter_context(recorder.step(f"level {depth}"))
'''


def _record(pytester: pytest.Pytester) -> Path:
    pytester.makepyfile(test_hostile=HOSTILE_SUITE)
    db = pytester.path / "test-results.db"
    # pytest prints the surrogate-escaped bytes as they are: read its output as bytes
    result = subprocess.run([sys.executable, "-m", "pytest", f"--recorder-db={db}", "-p",
                             "no:cacheprovider"], cwd=pytester.path, capture_output=True,
                            timeout=120)
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, result.stdout
    return db


def test_lone_surrogates_in_a_test_still_export_and_summarize(
        pytester: pytest.Pytester) -> None:
    """Regression (issue 12): ``raise ValueError("bad \\udc80")`` gave a TypeError
    traceback from rendering.py and no document; ``summary --markdown`` and ``--db``
    raised UnicodeEncodeError."""
    db = _record(pytester)
    out = pytester.path / "run.json"
    exported = run_cli("export", "--db", str(db), "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    document = load_document(out)
    (case,) = [c for s in document["suites"] for c in s["cases"] if c["name"] == "test_surrogate"]
    text = json.dumps(case, ensure_ascii=False)
    assert "bad caf\ufffd.txt \ufffd" in text and "opening caf" in text  # pytest writes ?
    for args in (["--db", str(db)], ["--db", str(db), "--markdown"],
                 ["--json", str(out), "--markdown"], ["--json", str(out)]):
        summary = run_cli("summary", *args)
        assert summary.returncode == 0 and "Traceback" not in summary.stderr, summary.stderr
        assert "test_surrogate" in summary.stdout


def test_steps_nested_200_deep_are_kept_flat_below_the_depth_limit(
        pytester: pytest.Pytester) -> None:
    """Regression (issue 12): steps nested 200 deep broke the export (orjson "Recursion
    limit reached"); below MAX_STEP_DEPTH they are listed flat, named by their path."""
    db = _record(pytester)
    out = pytester.path / "run.json"
    exported = run_cli("export", "--db", str(db), "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    document = load_document(out)
    (case,) = [c for s in document["suites"] for c in s["cases"] if c["name"] == "test_deep_steps"]
    steps, depth = case["steps"], 0
    while steps and steps[0]["steps"]:
        steps, depth = steps[0]["steps"], depth + 1
    assert depth == MAX_STEP_DEPTH  # the flat list sits one level below the limit
    names = [step["name"] for step in steps]
    assert len(names) == 200 - MAX_STEP_DEPTH  # every step is kept
    assert names[0] == f"level {MAX_STEP_DEPTH}"
    assert names[-1].endswith("level 198 > level 199")
    assert run_cli("summary", "--json", str(out), "--markdown").returncode == 0


def test_the_codec_makes_every_text_field_valid_and_keeps_the_rest() -> None:
    """Lone surrogates become U+FFFD, pairs become their character, NUL, controls and
    bidi marks stay, in every string of a payload (nested ones included)."""
    event = PhaseFinished(
        case_id="t.py::test_\udc80", phase="call", outcome="failed", started_at=TIMESTAMP,
        stopped_at=TIMESTAMP, duration=0.1,
        failure=Failure(type="E\ud800", message="\ud83d\ude00 \x00\x1b[2J\u202e", traceback=""),
        stdout="\udcff" * 3)
    decoded = decode("phase.finished", 1, encode(event))
    assert isinstance(decoded, PhaseFinished) and decoded.failure is not None
    assert decoded.case_id == "t.py::test_\ufffd"
    assert decoded.failure.type == "E\ufffd"
    assert decoded.failure.message == "\U0001f600 \x00\x1b[2J\u202e"
    assert decoded.stdout == "\ufffd" * 3
    valid = CaseStarted(case_id="t.py::test_ok \u202e\x00", started_at=TIMESTAMP)
    assert decode("case.started", 1, encode(valid)) == valid
    assert valid_text("ok") == "ok"


def test_stored_rows_with_escaped_surrogates_are_made_valid_when_read() -> None:
    """Rows written before the codec made text valid held ``\\udc80`` escapes: they are
    read, made valid, not refused."""
    decoded = decode("case.started", 1, '{"case_id":"t\\udc80","started_at":"' + TIMESTAMP + '"}')
    assert isinstance(decoded, CaseStarted) and decoded.case_id == "t\ufffd"


def test_a_database_holding_escaped_surrogates_still_summarizes(tmp_path: Path) -> None:
    """Regression (issue 12): rows stored before text was made valid (a ``\\udc80``
    escape in the payload) made ``summary --db`` and ``--markdown`` raise
    UnicodeEncodeError; they are read as U+FFFD."""
    db = tmp_path / "test-results.db"
    record_run(db)
    run_cli("verify", "--db", str(db))  # the journal into the table first
    insert_raw(db, "case.started", '{"case_id":"t.py::test_\\udc80","started_at":"'
               + TIMESTAMP + '"}', source_seq=5)
    for extra in ([], ["--markdown"]):
        summary = run_cli("summary", "--db", str(db), *extra)
        assert summary.returncode == 0, summary.stderr
        assert "test_\ufffd" in summary.stdout
