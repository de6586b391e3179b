"""``recorder report --history FOLDER`` through ``load_history``, the report's one
connection to ``recorder history``: 31 real run documents in a folder, one test that
flips and one that breaks at run 20, read back by the history reader and shown."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.report.documents import RunBuilder, failure
from tests.support import run_cli

pytest.importorskip("recorder.history.reader",
                    reason="recorder history (issue 18) is not merged on this branch yet")

IDS = ("t.py::test_stable", "t.py::test_flaky", "t.py::test_broken")
RUNS = 31
BREAKS_AT = 20


def write_history(folder: Path) -> Path:
    folder.mkdir()
    for n in range(1, RUNS + 1):
        run = RunBuilder(run_id=f"run-{n:02d}").start(
            project="p", commit=f"c{n:03d}", branch="main", ci_url=f"https://ci.example.invalid/{n}")
        run.collect(list(IDS))
        run.case(IDS[0])
        flips = n % 3 == 0
        run.case(IDS[1], "failed" if flips else "passed",
                 failure=failure("flip") if flips else None)
        broken = n >= BREAKS_AT
        run.case(IDS[2], "failed" if broken else "passed",
                 failure=failure("broke") if broken else None)
        document = run.finish().document()
        start = dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC) + dt.timedelta(days=n)
        document["started_at"] = start.isoformat()
        (folder / f"run-{n:02d}.json").write_text(json.dumps(document))
    return folder / f"run-{RUNS:02d}.json"


def test_the_report_shows_the_history_read_from_a_folder(tmp_path: Path) -> None:
    latest = write_history(tmp_path / "history")
    out = tmp_path / "report.html"
    result = run_cli("report", "--json", str(latest), "--history", str(tmp_path / "history"),
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert f"{RUNS} runs, from <code>run-01</code> to <code>run-{RUNS}</code>" in page
    assert "<code>run-20</code> @ c020" in page and "<code>run-19</code> @ c019" in page
    assert "t.py::test_flaky" in page.split("Flaky tests")[1].split("Failing now")[0]
    assert page.count('<ol class="strip">') == len(IDS)
    assert page.count('<li class="s-failed" title="run-') == (RUNS - BREAKS_AT + 1) + RUNS // 3
