"""``recorder export --format {json,ctrf,junit}``: the same fold, validation, atomic write
and one-line errors for every format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from recorder.errors import UsageError
from recorder.export.formats import FORMATS, export_format
from recorder.export.run_json import export_run
from tests.support import assert_one_line_error, insert_raw, record_run, run_cli


def test_each_format_has_its_own_default_file(tmp_path: Path) -> None:
    """Without --out, ctrf and junit do not overwrite the JSON document."""
    record_run(tmp_path / "testing" / "reports" / "test-results.db")
    for name in ("json", "ctrf", "junit"):
        result = run_cli("export", "--format", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    reports = tmp_path / "testing" / "reports"
    assert json.loads((reports / "test-run-results.json").read_text())["run_id"] == "run-a"
    assert json.loads((reports / "ctrf-report.json").read_text())["runId"] == "run-a"
    assert ET.parse(reports / "junit.xml").getroot().get("tests") == "1"


def test_export_ctrf_and_junit_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    record_run(db)
    ctrf, junit = tmp_path / "out" / "ctrf.json", tmp_path / "out" / "junit.xml"
    result = run_cli("export", "--db", str(db), "--out", str(ctrf), "--format", "ctrf")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"to {ctrf} as ctrf")
    report = json.loads(ctrf.read_text())
    assert report["results"]["summary"]["passed"] == 1
    assert report["results"]["tests"][0]["testId"] == "t.py::test_a"
    result = run_cli("export", "--db", str(db), "--out", str(junit), "--format", "junit")
    assert result.returncode == 0, result.stderr
    case = ET.parse(junit).getroot().find("testsuite/testcase")
    assert case is not None and (case.get("classname"), case.get("name")) == ("t.py", "test_a")


def test_compact_ctrf_is_one_line_of_the_same_report(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    record_run(db)
    indented, compact = tmp_path / "a.json", tmp_path / "b.json"
    export_run(db, indented, format="ctrf")
    export_run(db, compact, format="ctrf", compact=True)
    assert compact.read_bytes().count(b"\n") == 1
    assert json.loads(compact.read_bytes()) == json.loads(indented.read_bytes())


def test_compact_junit_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "events.db"
    record_run(db)
    out = tmp_path / "junit.xml"
    result = run_cli("export", "--db", str(db), "--out", str(out), "--format", "junit",
                     "--compact")
    assert_one_line_error(result, 2, "--compact", "--format junit")
    assert not out.exists()


@pytest.mark.parametrize("name", ["ctrf", "junit"])
def test_a_failed_export_leaves_no_file_in_any_format(tmp_path: Path, name: str) -> None:
    """A log with a gap is refused before anything is written; the old file stays."""
    db = tmp_path / "events.db"
    record_run(db)
    insert_raw(db, "run.finished", '{"exit_status": 0, "finished_at": "2026-11-23T10:00:00'
               '+00:00", "duration": 1.0}', source_seq=9)
    out = tmp_path / f"report.{name}"
    out.write_text("previous")
    result = run_cli("export", "--db", str(db), "--out", str(out), "--format", name)
    assert_one_line_error(result, 4, "missing events", "--allow-gaps")
    assert out.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_missing_database_is_one_line_for_every_format(tmp_path: Path) -> None:
    result = run_cli("export", "--db", str(tmp_path / "nope.db"), "--out",
                     str(tmp_path / "x.xml"), "--format", "junit")
    assert_one_line_error(result, 3, "nope.db", "does not exist")
    assert not (tmp_path / "x.xml").exists()


def test_the_library_refuses_unknown_formats() -> None:
    with pytest.raises(UsageError, match="unknown export format 'yaml': choose one of json"):
        export_format("yaml")
    assert list(FORMATS) == ["json", "ctrf", "junit"]
