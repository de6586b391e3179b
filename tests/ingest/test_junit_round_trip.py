"""JUnit XML written by ``recorder export --format junit`` reads back through
``recorder ingest junit`` with every case's status intact (issue 13, section 2)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from recorder.document.projector import project
from recorder.export.junit_xml import render_junit_xml
from recorder.export.run_json import fold_run
from recorder.ingest import ingest_junit
from tests.strategies import event_logs, stamp


def case_statuses(document: dict[str, Any]) -> dict[str, str]:
    return {case["id"]: case["status"] for suite in document["suites"] for case in suite["cases"]}


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(event_logs())
def test_export_to_junit_then_ingest_keeps_every_status(log: dict[str, list[Any]]) -> None:
    document = project(event for events in stamp(log).values() for event in events)
    with tempfile.TemporaryDirectory() as scratch:
        report, db = Path(scratch) / "junit.xml", Path(scratch) / "events.db"
        report.write_bytes(render_junit_xml(document))
        result = ingest_junit([report], db, run_id="round-trip")
        assert not result.problems
        ingested = fold_run(db, "round-trip")
    assert case_statuses(ingested) == case_statuses(document)
