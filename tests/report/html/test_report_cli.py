"""``recorder report`` on the command line: a page from a document or a database, and
for bad input one ``Error:`` line naming it, no traceback and no file."""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder.document.reader import load_document
from recorder.export.run_json import export_run
from recorder.report.html import render_report
from tests.support import assert_one_line_error, record_run, run_cli


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    db = tmp_path / "events.db"
    record_run(db, "run-a")
    return db


def test_writes_the_report_of_a_document(recorded: Path, tmp_path: Path) -> None:
    document = tmp_path / "run.json"
    export_run(recorded, document)
    out = tmp_path / "deep" / "report.html"
    result = run_cli("report", "--json", str(document), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == render_report(load_document(document))
    assert f"Wrote {out}" in result.stderr


def test_writes_the_same_report_from_the_database(recorded: Path, tmp_path: Path) -> None:
    document = tmp_path / "run.json"
    export_run(recorded, document)
    out = tmp_path / "report.html"
    result = run_cli("report", "--db", str(recorded), "--run-id", "run-a", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == render_report(load_document(document))


def test_a_missing_document_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run_cli("report", "--json", str(tmp_path / "nope.json"), "--out", str(out))
    assert_one_line_error(result, 3, "nope.json", "recorder export")
    assert not out.exists()


def test_an_invalid_document_exits_4_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"run_id": 1}')
    out = tmp_path / "report.html"
    assert_one_line_error(run_cli("report", "--json", str(bad), "--out", str(out)), 4,
                          "bad.json")
    assert not out.exists()


def test_an_unknown_run_id_exits_6(recorded: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run_cli("report", "--db", str(recorded), "--run-id", "run-zzz", "--out", str(out))
    assert_one_line_error(result, 6, "run-zzz")
    assert not out.exists()


def test_an_out_that_is_a_folder_exits_7_and_keeps_it(recorded: Path, tmp_path: Path) -> None:
    """An --out that cannot be written (here a folder, which even root cannot replace by
    a file) is named, and nothing is left behind."""
    folder = tmp_path / "folder"
    (folder / "keep").mkdir(parents=True)
    result = run_cli("report", "--db", str(recorded), "--out", str(folder))
    assert_one_line_error(result, 7, str(folder), "--out")
    assert (folder / "keep").is_dir()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".folder")] == []


def test_no_source_or_both_sources_are_usage_errors(recorded: Path, tmp_path: Path) -> None:
    assert_one_line_error(run_cli("report", "--out", str(tmp_path / "r.html")), 2, "--json")
    both = run_cli("report", "--json", "x.json", "--db", str(recorded))
    assert_one_line_error(both, 2, "not both")
    project = run_cli("report", "--db", str(recorded), "--project", "p")
    assert_one_line_error(project, 2, "--history")
