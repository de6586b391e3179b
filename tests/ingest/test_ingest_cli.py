"""An ingested run is a run like any other: ``export`` writes a document that validates
against the schema, ``verify`` finds the log whole, ``summary`` shows its counts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.ingest.ingest_support import run_cli, write

REPORT = """<testsuites><testsuite name="web" timestamp="2026-03-04T05:06:07">
  <testcase classname="cart" name="adds" time="0.1"/>
  <testcase classname="cart" name="fails" time="0.2"><failure message="no">trace</failure>
  </testcase>
  <testcase classname="cart" name="skips"><skipped message="later"/></testcase>
  <testcase classname="cart" name="retried"><flakyFailure message="first"/></testcase>
</testsuite></testsuites>"""


def test_export_verify_and_summary_read_an_ingested_run(tmp_path: Path) -> None:
    report = write(tmp_path, "report.xml", REPORT)
    db, out = tmp_path / "events.db", tmp_path / "run.json"
    ingested = run_cli("ingest", "junit", str(report), "--db", str(db), "--project", "web",
                       "--label", "team=shop", "--run-id", "web-1")
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stdout.splitlines()[-1] == "web-1"

    exported = run_cli("export", "--db", str(db), "--out", str(out))
    assert exported.returncode == 0, exported.stderr  # export validates against the schema
    document = json.loads(out.read_text())
    assert (document["run_id"], document["project"], document["labels"]) == (
        "web-1", "web", {"team": "shop"})
    assert {key: document["summary"][key] for key in ("total", "passed", "failed", "skipped",
                                                      "flaky")} == {
        "total": 4, "passed": 1, "failed": 1, "skipped": 1, "flaky": 1}
    assert document["started_at"] == "2026-03-04T05:06:07+00:00"

    verified = run_cli("verify", "--db", str(db))
    assert verified.returncode == 0, verified.stdout
    assert "junit" in verified.stdout

    summary = run_cli("summary", "--db", str(db), "--run-id", "web-1")
    assert summary.returncode == 0, summary.stderr
    assert "cart" in summary.stdout and "fails" in summary.stdout


def test_a_long_run_is_in_the_table_gap_free_when_ingest_returns(tmp_path: Path) -> None:
    """The journal is moved into the table as ingest goes (in pieces, so no reader ever
    holds a huge one): nothing is left in journals, and the source's sequence has no gap
    across the pieces."""
    cases = "".join(f'<testcase classname="c" name="t{n}"/>' for n in range(3_000))
    report = write(tmp_path, "report.xml", f"<testsuite name='s'>{cases}</testsuite>")
    db = tmp_path / "events.db"
    ingested = run_cli("ingest", "junit", str(report), "--db", str(db), "--run-id", "long")
    assert ingested.returncode == 0, ingested.stderr
    journals = db.with_name(db.name + ".journal")
    assert not journals.exists() or not any(journals.iterdir())
    with sqlite3.connect(db) as connection:  # the table itself, with no journal to move
        rows = connection.execute("SELECT COUNT(*), MIN(source_seq), MAX(source_seq) FROM events"
                                  " WHERE run_id = 'long'").fetchone()
    assert rows == (3 * 3_000 + 3, 1, 3 * 3_000 + 3)
    verified = run_cli("verify", "--db", str(db))
    assert verified.returncode == 0, verified.stdout
