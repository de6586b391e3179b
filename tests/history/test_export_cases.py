"""``recorder export --format cases`` writes the run's case rows as Parquet: the same
rows as the exported document's, partition keys included (a lone file has no path)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from recorder.cli import main
from recorder.document.reader import load_document
from recorder.events.model import (
    CaseFinished,
    CaseStarted,
    Failure,
    PhaseFinished,
    RunFinished,
    RunStarted,
)
from recorder.export.run_json import export_run
from recorder.history.rows import COLUMNS, case_rows
from recorder.store.emitter import Emitter
from recorder.store.sqlite import EventStore

AT = "2026-11-23T23:30:00-02:00"


def record(db: Path) -> None:
    with EventStore.create(db) as store:
        emitter = Emitter(store, "run-cases", "main")
        emitter.emit(RunStarted(project="shop", started_at=AT))
        for case_id, status in (("t.py::test_ok", "passed"), ("t.py::test_bad", "failed")):
            emitter.emit(CaseStarted(case_id=case_id, started_at=AT))
            failure = (Failure(type="AssertionError", message="assert 1 == 2",
                               traceback="t.py:3: AssertionError")
                       if status == "failed" else None)
            emitter.emit(PhaseFinished(case_id=case_id, phase="call", started_at=AT,
                                       stopped_at=AT, duration=0.1, failure=failure,
                                       outcome="failed" if failure else "passed"))
            emitter.emit(CaseFinished(case_id=case_id, status=status, duration=0.1,
                                      stopped_at=AT))
        emitter.emit(RunFinished(exit_status=1, finished_at=AT, duration=0.3))


def test_export_format_cases_writes_the_documents_rows(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "events.db"
    record(db)
    out = tmp_path / "cases.parquet"
    assert main(["export", "--db", str(db), "--format", "cases", "--out", str(out)]) == 0
    assert "Exported 2 case rows of run run-cases" in capsys.readouterr().out
    export_run(db, tmp_path / "doc.json")
    expected = list(case_rows(load_document(tmp_path / "doc.json")))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    cursor = con.execute(f"SELECT * REPLACE (CAST(date AS VARCHAR) AS date, "
                         f"epoch_ms(started_at) AS started_at) FROM '{out}'")
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    assert names == list(COLUMNS)
    assert [row["case_id"] for row in rows] == [want["case_id"] for want in expected]
    by_id = {row["case_id"]: row for row in rows}
    assert by_id["t.py::test_bad"]["failure_type"] == "AssertionError"
    assert by_id["t.py::test_bad"]["failure_fingerprint"]
    assert by_id["t.py::test_ok"]["failure_fingerprint"] is None
    assert rows[0]["date"] == "2026-11-24"  # the UTC day of 23:30 at -02:00
    for row, want in zip(rows, expected, strict=True):
        assert {k: v for k, v in row.items() if k != "started_at"} == \
            {k: v for k, v in want.items() if k != "started_at"}


def test_export_format_cases_of_a_missing_database_fails_cleanly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cases.parquet"
    code = main(["export", "--db", str(tmp_path / "none.db"), "--format", "cases",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 3 and err.startswith("Error: ") and len(err.strip().splitlines()) == 1
    assert not out.exists()
