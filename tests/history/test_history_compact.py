"""``compact`` writes day files that readers prefer, never deletes or rewrites a file,
does nothing the second time, and a run uploaded after it is still seen exactly once."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from golden import document, store
from golden_checks import check_all

from recorder.cli import main
from recorder.history.layout import Day, compacted_file, group_days, run_file, runs_digest


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    return {path.relative_to(root).as_posix(): (hashlib.sha256(path.read_bytes()).hexdigest(),
                                                path.stat().st_mtime_ns)
            for path in root.rglob("*") if path.is_file()}


def run_compact(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["history", "compact", str(root), "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def ask(root: Path, capsys: pytest.CaptureFixture[str], command: str, *args: str
        ) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["history", command, "--from", str(root), "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.fixture
def history(golden_layout: Path, tmp_path: Path) -> Path:
    root = tmp_path / "history"
    shutil.copytree(golden_layout, root)
    return root


def test_compact_is_idempotent_and_never_touches_run_files(
        history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(history)
    first = run_compact(history, capsys)
    assert first["runs"] == 11 and first["up_to_date"] == 0
    assert sorted(first["written"]) == [
        compacted_file("shop", "2026-11-02", [f"r{i:02d}" for i in range(10)]),
        compacted_file("shop", "2026-11-03", ["r10"])]
    after = snapshot(history)
    assert {path: after[path] for path in before} == before
    assert run_compact(history, capsys) == {"written": [], "runs": 0, "up_to_date": 2}
    assert snapshot(history) == after
    assert not [p for p in history.rglob(".*")]  # no temporary file left behind


def test_readers_prefer_the_compacted_day_files(
        history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_compact(history, capsys)
    # Spoil every per-run file: answers still right, so only the day files were read.
    for path in (history / "cases").rglob("*.parquet"):
        path.write_bytes(b"not parquet")
    check_all(lambda command, *args: ask(history, capsys, command, *args))


def test_a_run_uploaded_after_compaction_is_seen_exactly_once(
        history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_compact(history, capsys)
    late = document("late", 12, {"test_shop.py::test_stable": "failed"})  # 2026-11-02 21:00
    store([late], history)
    runs = [run["run_id"] for run in ask(history, capsys, "runs", "--limit", "0")["runs"]]
    assert runs.count("late") == 1 and len(runs) == 12 and len(set(runs)) == 12
    second = run_compact(history, capsys)
    assert second["written"] == [compacted_file("shop", "2026-11-02",
                                                [f"r{i:02d}" for i in range(10)] + ["late"])]
    day_files = sorted(p.name for p in (history / "cases-compacted").rglob("*.parquet"))
    assert len(day_files) == 3  # the first file of that day is still there
    runs = [run["run_id"] for run in ask(history, capsys, "runs", "--limit", "0")["runs"]]
    assert sorted(runs) == sorted([f"r{i:02d}" for i in range(11)] + ["late"])
    tests = ask(history, capsys, "tests", "--limit", "0")["tests"]
    stable = next(item for item in tests if item["id"] == "test_shop.py::test_stable")
    assert (stable["runs"], stable["failed"]) == (12, 2)


def test_a_day_reads_per_run_files_unless_its_compacted_file_holds_exactly_them() -> None:
    ids = ["a", "b"]
    paths = [run_file("p", "2026-01-01", run_id) for run_id in ids]
    compacted = compacted_file("p", "2026-01-01", ids)
    day: Day = group_days([*paths, compacted])[("p", "2026-01-01")]
    assert day.files() == [compacted]
    late = run_file("p", "2026-01-01", "c")
    day = group_days([*paths, late, compacted])[("p", "2026-01-01")]
    assert day.files() == sorted([*paths, late])
    assert runs_digest(["b", "a"]) == runs_digest(ids)
