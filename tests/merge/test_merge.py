"""``recorder merge``: shards recorded by real pytest runs become one run; merging is
idempotent and order-free; bad inputs get one line and leave no output behind."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import attrs
import pytest

from recorder.export.rendering import render_json
from recorder.export.run_json import fold_run
from recorder.store.merge import merge_shards
from recorder.store.sqlite import EventStore
from tests.export.statuses import one_case_per_status
from tests.merge.shards import record
from tests.support import assert_one_line_error, run_cli

SUITE = '''
import pytest

reruns = {"count": 0}

def test_passes():
    print("hello")

def test_fails():
    assert 1 == 2

@pytest.fixture
def broken():
    raise RuntimeError("no database")

def test_errors(broken):
    pass

def test_skips():
    pytest.skip("not today")

@pytest.mark.xfail(reason="known bug")
def test_xfails():
    assert False

@pytest.mark.xfail(reason="fixed?")
def test_xpasses():
    pass

@pytest.mark.flaky(reruns=1)
def test_flaky():
    reruns["count"] += 1
    assert reruns["count"] > 1
'''
SHARD_OF = {"test_passes": 0, "test_fails": 1, "test_errors": 0, "test_skips": 1,
            "test_xfails": 0, "test_xpasses": 1, "test_flaky": 0}


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {case["id"]: case["status"] for suite in document["suites"]
            for case in suite["cases"]}


@pytest.fixture
def pytest_shards(pytester: pytest.Pytester) -> tuple[Path, list[Path]]:
    """The suite run whole, and in two shards (each with its own run id and shard name,
    as two matrix jobs would record it)."""
    pytester.makepyfile(test_suite=SUITE)
    whole = pytester.path / "whole.db"
    pytester.runpytest("--recorder-db", str(whole), "-p", "no:randomly")
    shards = []
    for index in (0, 1):
        names = " or ".join(name for name, shard in SHARD_OF.items() if shard == index)
        db = pytester.path / f"shard-{index}" / "test-results.db"
        pytester.runpytest("--recorder-db", str(db), "--recorder-shard", f"part-{index}",
                           "-k", names)
        shards.append(db)
    return whole, shards


def test_merging_pytest_shards_gives_the_unsplit_run(pytest_shards: tuple[Path, list[Path]],
                                                    tmp_path: Path) -> None:
    whole, shards = pytest_shards
    result = merge_shards(tmp_path / "merged.db", shards)
    merged = fold_run(tmp_path / "merged.db")
    unsplit = fold_run(whole)
    assert statuses(merged) == statuses(unsplit)
    assert set(statuses(merged).values()) == {"passed", "failed", "error", "skipped",
                                              "xfailed", "xpassed", "flaky"}
    assert merged["run_id"] == result.run_id and result.run_id.startswith("merged-")
    assert merged["status"] == "failed"
    assert merged["exit_status"] == 1
    assert merged["collection"]["collected"] == 7
    assert [s["source"] for s in merged["event_log"]["sources"]] == ["part-0", "part-1"]
    assert merged["event_log"]["gaps"] == []
    starts = [fold_run(db)["started_at"] for db in shards]
    ends = [fold_run(db)["finished_at"] for db in shards]
    assert merged["started_at"] == min(starts) and merged["finished_at"] == max(ends)


def test_the_cli_prints_the_merged_run_id_last(pytest_shards: tuple[Path, list[Path]],
                                               tmp_path: Path) -> None:
    _, shards = pytest_shards
    out = tmp_path / "out" / "merged.db"
    result = run_cli("merge", "--into", str(out), *map(str, shards), "--run-id", "ci-7")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "ci-7"
    assert lines[0].startswith("Merged 2 shard(s) (") and f"into {out} as run ci-7" in lines[0]
    exported = run_cli("export", "--db", str(out), "--out", str(tmp_path / "doc.json"))
    assert exported.returncode == 0, exported.stderr


@pytest.fixture
def unnamed_shards(tmp_path: Path) -> list[Path]:
    """Three shards recorded under one shared run id, without shard names (each
    source is ``main``, as matrix jobs with RECORDER_RUN_ID and no --recorder-shard)."""
    run = one_case_per_status()
    by_case: dict[str, list[Any]] = {}
    run_level = []
    for stored in run.events:
        case_id = getattr(stored.event, "case_id", None)
        (by_case.setdefault(case_id, []) if case_id else run_level).append(stored.event)
    paths = []
    ids = sorted(by_case)
    for index in range(3):
        events = [e for case_id in ids[index::3] for e in by_case[case_id]]
        path = tmp_path / f"shard{index}.db"
        record(path, {"main": run_level[:2] + events + run_level[2:]}, "ci-42")
        paths.append(path)
    return paths


def document_of(db: Path, run_id: str | None = None) -> bytes:
    return render_json(fold_run(db, run_id))


def test_merging_the_same_shards_again_changes_nothing(unnamed_shards: list[Path],
                                                       tmp_path: Path) -> None:
    out = tmp_path / "merged.db"
    first = merge_shards(out, unnamed_shards)
    assert first.run_id == "ci-42" and first.added == first.events > 0
    before = document_of(out)
    again = merge_shards(out, unnamed_shards)
    assert again.added == 0
    assert document_of(out) == before
    with EventStore.open_existing(out) as store:
        assert store.count("ci-42") == first.events


def test_a_shard_named_twice_counts_once(unnamed_shards: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / "copy-of-shard0.db"
    shutil.copy(unnamed_shards[0], copy)
    once = merge_shards(tmp_path / "once.db", [unnamed_shards[0]])
    twice = merge_shards(tmp_path / "twice.db", [unnamed_shards[0], unnamed_shards[0], copy])
    assert twice.shards == 1 and twice.events == once.events
    assert document_of(tmp_path / "twice.db") == document_of(tmp_path / "once.db")


def test_the_order_of_the_shards_does_not_matter(unnamed_shards: list[Path],
                                                 tmp_path: Path) -> None:
    a, b, c = unnamed_shards
    merge_shards(tmp_path / "abc.db", [a, b, c])
    merge_shards(tmp_path / "cab.db", [c, a, b])
    assert document_of(tmp_path / "abc.db") == document_of(tmp_path / "cab.db")


def test_shards_merged_one_call_at_a_time_equal_one_merge(unnamed_shards: list[Path],
                                                          tmp_path: Path) -> None:
    for shard in unnamed_shards:
        merge_shards(tmp_path / "step.db", [shard], run_id="nightly")
    merge_shards(tmp_path / "all.db", list(reversed(unnamed_shards)), run_id="nightly")
    assert document_of(tmp_path / "step.db") == document_of(tmp_path / "all.db")
    merged = fold_run(tmp_path / "all.db")
    assert merged["summary"]["total"] == 9
    assert len(merged["event_log"]["sources"]) == 3
    assert all(s["source"].startswith("shard-") and s["source"].endswith("/main")
               for s in merged["event_log"]["sources"])


def test_shards_with_their_own_run_ids_get_a_merged_run_id(tmp_path: Path) -> None:
    """Derived from the shards' run ids, so the same shards give it in any order."""
    run = one_case_per_status()
    record(tmp_path / "a.db", {"main": [e.event for e in run.events[:3]]}, "run-a")
    record(tmp_path / "b.db", {"main": [e.event for e in run.events[:2]]}, "run-b")
    result = merge_shards(tmp_path / "m.db", [tmp_path / "b.db", tmp_path / "a.db"])
    assert result.run_id.startswith("merged-")
    assert result.run_id == merge_shards(tmp_path / "n.db", [tmp_path / "a.db",
                                                             tmp_path / "b.db"]).run_id
    assert result.run_id != merge_shards(tmp_path / "o.db", [tmp_path / "a.db"]).run_id


# -- bad inputs --------------------------------------------------------------------------


def test_a_missing_shard_is_one_line_and_writes_nothing(unnamed_shards: list[Path],
                                                        tmp_path: Path) -> None:
    out = tmp_path / "merged.db"
    result = run_cli("merge", "--into", str(out), str(unnamed_shards[0]),
                     str(tmp_path / "absent.db"))
    assert_one_line_error(result, 3, "absent.db", "does not exist")
    assert sorted(p.name for p in tmp_path.iterdir() if "merged" in p.name) == []


@pytest.mark.parametrize("content", ["text", "sqlite"])
def test_a_file_that_is_not_a_recorder_database(unnamed_shards: list[Path], tmp_path: Path,
                                                content: str) -> None:
    bad = tmp_path / "bad.db"
    if content == "text":
        bad.write_text("these are not the events you are looking for\n" * 100)
    else:
        with sqlite3.connect(bad) as connection:
            connection.execute("CREATE TABLE notes (body TEXT)")
    before = bad.read_bytes()
    out = tmp_path / "merged.db"
    result = run_cli("merge", "--into", str(out), str(unnamed_shards[0]), str(bad))
    assert_one_line_error(result, 4, "bad.db")
    assert not out.exists()
    assert bad.read_bytes() == before  # not even switched to WAL mode
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_into_an_input_is_refused(unnamed_shards: list[Path]) -> None:
    before = unnamed_shards[1].read_bytes()
    result = run_cli("merge", "--into", str(unnamed_shards[1]), *map(str, unnamed_shards))
    assert_one_line_error(result, 2, "--into", "is also an input")
    assert unnamed_shards[1].read_bytes() == before
    link = unnamed_shards[0].with_name("alias.db")
    link.symlink_to(unnamed_shards[0])
    result = run_cli("merge", "--into", str(link), str(unnamed_shards[0]))
    assert_one_line_error(result, 2, "is also an input")


def test_merging_into_a_foreign_database_leaves_it_alone(unnamed_shards: list[Path],
                                                         tmp_path: Path) -> None:
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE users (name TEXT)")
    before = foreign.read_bytes()
    result = run_cli("merge", "--into", str(foreign), str(unnamed_shards[0]))
    assert_one_line_error(result, 4, "app.db", "no recorder events table")
    assert foreign.read_bytes() == before


def test_two_different_shards_with_one_name_are_refused(tmp_path: Path) -> None:
    """Two matrix jobs that both said --recorder-shard x cannot both be shard x."""
    shards = []
    for name in ("a", "b"):
        events = [stored.event for stored in one_case_per_status().events[:3]]
        events[0] = attrs.evolve(events[0], shard="x")  # as --recorder-shard x records it
        shards.append(tmp_path / f"{name}.db")
        record(shards[-1], {"x": events}, "ci-1")
    out = tmp_path / "merged.db"
    result = run_cli("merge", "--into", str(out), *map(str, shards))
    assert_one_line_error(result, 4, "both record shard 'x'", "--recorder-shard")
    assert not out.exists()
