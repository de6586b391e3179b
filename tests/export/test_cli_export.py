"""``recorder export`` and ``testing/scripts/export-results.py``: success, and a
one-line error with a distinct exit code and no output file for every bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recorder.cli import main
from tests.support import REPO, TIMESTAMP, assert_one_line_error, record_run, run_cli


def test_export_writes_the_latest_run(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    record_run(db, "older")
    record_run(db, "newer")
    out = tmp_path / "reports" / "run.json"
    result = run_cli("export", "--db", str(db), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Exported run newer (passed, 1 cases, 4 events)" in result.stdout
    document = json.loads(out.read_text())
    assert document["run_id"] == "newer"
    assert document["summary"]["passed"] == 1


def test_export_of_a_named_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "events.db"
    record_run(db, "older")
    record_run(db, "newer")
    out = tmp_path / "run.json"
    assert main(["export", "--db", str(db), "--out", str(out), "--run-id", "older", "-q"]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text())["run_id"] == "older"


def test_compact_export_is_one_line_with_the_same_document(tmp_path: Path) -> None:
    """--compact writes one object on one line (Athena and Trino read one per line)."""
    db = tmp_path / "events.db"
    record_run(db)
    pretty, compact = tmp_path / "pretty.json", tmp_path / "compact.json"
    assert main(["export", "-q", "--db", str(db), "--out", str(pretty)]) == 0
    assert main(["export", "-q", "--compact", "--db", str(db), "--out", str(compact)]) == 0
    assert compact.read_text().count("\n") == 1
    assert json.loads(compact.read_text()) == json.loads(pretty.read_text())


def test_unknown_run_id(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    record_run(db)
    out = tmp_path / "run.json"
    result = run_cli("export", "--db", str(db), "--out", str(out), "--run-id", "nope")
    assert_one_line_error(result, 6, "run 'nope' is not in", "recorder runs")
    assert not out.exists()


def test_missing_database(tmp_path: Path) -> None:
    out = tmp_path / "run.json"
    result = run_cli("export", "--db", str(tmp_path / "none.db"), "--out", str(out))
    assert_one_line_error(result, 3, "none.db does not exist", "--recorder-db")
    assert not out.exists()
    assert not (tmp_path / "none.db").exists()


def test_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    db.write_bytes(b"\x00garbage" * 1000)
    out = tmp_path / "run.json"
    result = run_cli("export", "--db", str(db), "--out", str(out))
    assert_one_line_error(result, 4, "events.db is not a readable SQLite database")
    assert not out.exists()


def test_unwritable_output_directory(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    record_run(db)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores permissions: use a file as parent
            locked.chmod(0o700)
            out = tmp_path / "a-file" / "run.json"
            (tmp_path / "a-file").write_text("not a directory")
        else:
            out = locked / "run.json"
        result = run_cli("export", "--db", str(db), "--out", str(out))
        assert_one_line_error(result, 7, f"cannot write {out}", "--out")
        assert not out.exists()
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []


def test_a_failed_export_keeps_the_previous_document_intact(tmp_path: Path) -> None:
    """Export never leaves a half-written or clobbered file behind."""
    out = tmp_path / "run.json"
    out.write_text('{"previous": true}')
    result = run_cli("export", "--db", str(tmp_path / "none.db"), "--out", str(out))
    assert result.returncode == 3
    assert out.read_text() == '{"previous": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


def test_export_results_script_uses_the_team_defaults(tmp_path: Path) -> None:
    """testing/scripts/export-results.py reads testing/reports/test-results.db and
    writes testing/reports/test-run-results.json relative to where it runs."""
    reports = tmp_path / "testing" / "reports"
    record_run(reports / "test-results.db")
    result = subprocess.run([sys.executable, str(REPO / "testing/scripts/export-results.py")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((reports / "test-run-results.json").read_text())["run_id"] == "run-a"


def test_export_results_script_reports_errors_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(REPO / "testing/scripts/export-results.py"),
                             "--db", str(tmp_path / "missing.db")],
                            capture_output=True, text=True, cwd=tmp_path)
    assert_one_line_error(result, 3, "missing.db does not exist")


def test_usage_errors_exit_2() -> None:
    result = run_cli("export", "--no-such-option")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_the_file_holds_compacted_cases_that_read_back_as_the_full_document(
        tmp_path: Path) -> None:
    """Schema 2.0: the file leaves out what can be rebuilt; the reader gives back exactly
    the projector's full form, default and --compact alike (issue 14, target 4)."""
    from recorder.document.reader import load_document
    from recorder.document.schema import validate_document
    from recorder.export.run_json import fold_run

    db = tmp_path / "events.db"
    record_run(db)
    pretty, compact = tmp_path / "pretty.json", tmp_path / "compact.json"
    assert main(["export", "-q", "--db", str(db), "--out", str(pretty)]) == 0
    assert main(["export", "-q", "--compact", "--db", str(db), "--out", str(compact)]) == 0
    on_disk = json.loads(pretty.read_bytes())
    validate_document(on_disk)
    assert on_disk["schema_version"] == "2.0"
    assert on_disk["suites"][0]["cases"] == [
        {"id": "t.py::test_a", "file": None, "status": "passed", "started_at": TIMESTAMP,
         "duration": 0.1}]
    full = fold_run(db)
    assert load_document(pretty) == full == load_document(compact)
    assert full["suites"][0]["cases"][0]["attempts"][0]["status"] == "passed"
