"""Case rows are a projection of the run document: they agree with it for any document
the projector can fold, survive the trip through Parquet, and fingerprint failures by
what they are, not by numbers or line numbers that move."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from recorder.document.projector import project
from recorder.history.parquet import write_parquet
from recorder.history.rows import (
    COLUMNS,
    FILE_COLUMNS,
    MESSAGE_LIMIT,
    case_rows,
    fingerprint,
    normalize_message,
    top_frame,
)
from tests.strategies import event_logs, interleavings, stamp

STATUSES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed", "flaky",
            "incomplete", "not_run")


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    return project(draw(interleavings(stamp(draw(event_logs())))))


def all_cases(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [case for suite in document["suites"] for case in suite["cases"]]


@given(document=documents())
def test_case_rows_agree_with_the_document(document: dict[str, Any]) -> None:
    rows = list(case_rows(document))
    summary = document["summary"]
    assert len(rows) == summary["total"]
    counted = Counter(row["status"] for row in rows)
    assert {status: counted[status] for status in STATUSES} == \
        {status: summary[status] for status in STATUSES}
    cases = all_cases(document)
    assert [row["case_id"] for row in rows] == [case["id"] for case in cases]
    git, ci = document["environment"]["git"], document["environment"]["ci"]
    for row, case in zip(rows, cases, strict=True):
        assert set(row) == set(COLUMNS)
        assert (row["run_id"], row["project"], row["started_at"], row["branch"],
                row["commit"], row["ci_url"], row["run_status"]) == (
            document["run_id"], document["project"], document["started_at"],
            git["branch"], git["commit"], ci["url"], document["status"])
        assert (row["duration"], row["attempts"], row["suite"], row["file"]) == (
            case["duration"], len(case["attempts"]), case["suite"], case["file"])
        failures = [case["failure"]] + [a["failure"] for a in reversed(case["attempts"])]
        failure = next((f for f in failures if f), None)
        assert row["failure_type"] == (failure["type"] if failure else None)
        assert (row["failure_fingerprint"] is None) == (failure is None)
        if failure:
            assert len(row["failure_message"]) <= MESSAGE_LIMIT
            assert failure["message"].startswith(row["failure_message"].removesuffix("…"))


@settings(max_examples=8)
@given(document=documents())
def test_case_rows_survive_parquet(document: dict[str, Any], tmp_path_factory: Any) -> None:
    path = Path(tmp_path_factory.mktemp("rows")) / "cases.parquet"
    rows = list(case_rows(document))
    assert write_parquet(rows, path, partition_keys=True) == len(rows)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    read = con.execute(f"SELECT * REPLACE (epoch_us(started_at) AS started_at, "
                       f"CAST(date AS VARCHAR) AS date) FROM '{path}'")
    names = [column[0] for column in read.description]
    assert names == list(COLUMNS)
    stored = [dict(zip(names, row, strict=True)) for row in read.fetchall()]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    for row in rows:
        if row["started_at"]:
            moment = datetime.fromisoformat(row["started_at"])
            row["started_at"] = (moment - epoch) // timedelta(microseconds=1)
    assert stored == rows


def test_layout_files_leave_the_partition_keys_to_the_path(tmp_path: Path) -> None:
    rows = [{name: None for name in COLUMNS} | {"case_id": "t::a", "status": "passed"}]
    write_parquet(rows, tmp_path / "run.parquet", partition_keys=False)
    names = [c[0] for c in duckdb.sql(f"DESCRIBE SELECT * FROM '{tmp_path}/run.parquet'"
                                      ).fetchall()]
    assert names == list(FILE_COLUMNS) and "project" not in names and "date" not in names


PYTEST_TRACEBACK = """def test_total():
        basket = make()
>       assert basket.total() == 5.0
E       AssertionError: total was 5.4 at 0x7f3a2b

test_shop.py:{line}: AssertionError"""

NATIVE_TRACEBACK = """Traceback (most recent call last):
  File "shop/app.py", line {line}, in checkout
    raise TimeoutError(f"gave up after {{n}} s")
TimeoutError: gave up after 30 s"""


def failure(message: str, traceback: str, kind: str = "AssertionError") -> dict[str, str]:
    return {"type": kind, "message": message, "traceback": traceback}


def test_the_same_failure_has_the_same_fingerprint_across_runs() -> None:
    first = failure("total was 5.4 at 0x7f3a2b", PYTEST_TRACEBACK.format(line=43))
    moved = failure("total was 5.41 at 0x55aa10", PYTEST_TRACEBACK.format(line=61))
    assert fingerprint(first) == fingerprint(moved)
    assert top_frame(first["traceback"]) == "test_shop.py::test_total"
    assert top_frame(NATIVE_TRACEBACK.format(line=7)) == "shop/app.py::checkout"
    assert normalize_message("id 123e4567-e89b-12d3-a456-426614174000  took\n 2.5 s") == \
        "id <uuid> took <n> s"


def test_a_different_failure_has_a_different_fingerprint() -> None:
    base = failure("total was 5.4", PYTEST_TRACEBACK.format(line=43))
    assert fingerprint(base) != fingerprint({**base, "type": "ValueError"})
    assert fingerprint(base) != fingerprint({**base, "message": "basket empty"})
    assert fingerprint(base) != fingerprint(
        {**base, "traceback": NATIVE_TRACEBACK.format(line=7)})
