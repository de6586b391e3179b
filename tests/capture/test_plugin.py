"""The pytest plugin, run on real pytest sessions with pytester, read back through
the exported document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from recorder.document.reader import load_document
from recorder.export.run_json import export_run, fold_run
from recorder.store.sqlite import EventStore
from tests.capture.mixed_suite import EXPECTED, MIXED_SUITE, cases
from tests.support import assert_one_line_error, run_cli

pytest_plugins = ["pytester"]

@pytest.fixture
def mixed_run(pytester: pytest.Pytester) -> tuple[pytest.RunResult, dict[str, Any], Path]:
    pytester.makepyfile(test_mixed=MIXED_SUITE)
    db = pytester.path / "events.db"
    result = pytester.runpytest("--recorder-db", str(db), "--recorder-label", "team=qa",
                                "--recorder-project", "demo")
    out = pytester.path / "out.json"
    export_run(db, out)
    return result, load_document(out), db


def test_every_case_status_matches_what_pytest_reported(mixed_run: Any) -> None:
    """Each case has the status pytest's own outcome implies, and the counts agree."""
    result, document, _ = mixed_run
    assert {case_id: case["status"] for case_id, case in cases(document).items()} == EXPECTED
    outcomes = result.parseoutcomes()
    summary = document["summary"]
    assert summary["failed"] == outcomes["failed"]
    assert summary["error"] + 1 == outcomes["errors"]  # pytest counts a failed body's
    assert summary["skipped"] == outcomes["skipped"]  # teardown error separately
    assert summary["xfailed"] == outcomes["xfailed"]
    assert summary["xpassed"] == outcomes["xpassed"]
    assert summary["total"] == len(EXPECTED)
    assert document["status"] == "failed"
    assert document["exit_status"] == 1


def test_cases_keep_collection_order_and_suites(mixed_run: Any) -> None:
    _, document, _ = mixed_run
    assert [case["id"] for case in cases(document).values()] == list(EXPECTED)
    assert [suite["id"] for suite in document["suites"]] == ["test_mixed.py",
                                                           "test_mixed.py::TestGroup"]


def test_phases_carry_outcomes_failures_and_output(mixed_run: Any) -> None:
    _, document, _ = mixed_run
    failed = cases(document)["test_mixed.py::test_fails"]
    assert [phase["name"] for phase in failed["phases"]] == ["setup", "call", "teardown"]
    call = failed["phases"][1]
    assert call["outcome"] == "failed"
    assert call["failure"]["type"] == "AssertionError"
    assert "assert (1 + 1) == 3" in call["failure"]["traceback"]
    assert call["stdout"] == "before the failure\n"
    assert call["stderr"] == "to stderr\n"
    assert "logged" in call["log"]
    assert failed["failure"]["phase"] == "call"
    assert failed["line"] == MIXED_SUITE.strip().splitlines().index("def test_fails():") + 1
    setup_error = cases(document)["test_mixed.py::test_setup_error"]
    assert setup_error["failure"]["phase"] == "setup"
    assert setup_error["failure"]["message"] == "setup exploded"
    teardown = cases(document)["test_mixed.py::test_teardown_error"]
    assert teardown["failure"]["phase"] == "teardown"
    assert cases(document)["test_mixed.py::test_skipped"]["reason"] == "not today"
    assert cases(document)["test_mixed.py::test_skips_inside"]["reason"] == "decided at run time"
    assert cases(document)["test_mixed.py::test_xfails"]["reason"] == "known bug"
    for case in cases(document).values():
        assert case["duration"] >= sum(p["duration"] for p in case["phases"]) * 0.5


def test_steps_are_nested_timed_and_carry_failures(mixed_run: Any) -> None:
    _, document, _ = mixed_run
    steps = cases(document)["test_mixed.py::test_passes"]["steps"]
    assert [(s["name"], [c["name"] for c in s["steps"]]) for s in steps] == [
        ("outer", ["inner", "second"])
    ]
    assert all(s["status"] == "passed" and s["duration"] >= 0 for s in steps)
    decorated = cases(document)["test_mixed.py::TestGroup::test_step_failure_propagates"]["steps"]
    assert decorated[0]["name"] == "decorated helper"
    assert decorated[0]["status"] == "failed"
    assert decorated[0]["failure"]["type"] == "ValueError"
    assert decorated[0]["failure"]["message"] == "helper failed"


def test_parameters_markers_and_run_metadata(mixed_run: Any) -> None:
    _, document, _ = mixed_run
    parametrized = cases(document)["test_mixed.py::test_parametrized[two]"]
    assert parametrized["parameters"] == {"value": "two"}
    assert parametrized["markers"] == ["parametrize"]
    assert document["project"] == "demo"
    assert document["labels"] == {"team": "qa"}
    assert document["tool"]["name"] == "pytest"
    assert document["tool"]["version"] == pytest.__version__
    assert document["environment"]["python"]
    assert document["collection"]["collected"] == len(EXPECTED)


def test_two_exports_of_one_database_are_byte_identical(mixed_run: Any, tmp_path: Path) -> None:
    _, _, db = mixed_run
    export_run(db, tmp_path / "a.json")
    export_run(db, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_recording_is_off_without_a_database(pytester: pytest.Pytester) -> None:
    """No option, no env var, no ini: nothing is registered and no file appears."""
    pytester.makepyfile(test_plain="import recorder\n"
                        "def test_a():\n    with recorder.step('s'):\n        pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert not list(pytester.path.glob("*.db"))
    assert result.ret == 0


def test_env_var_and_ini_enable_recording(pytester: pytest.Pytester,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_one="def test_a():\n    pass\n")
    monkeypatch.setenv("RECORDER_DB", str(pytester.path / "from-env.db"))
    pytester.runpytest().assert_outcomes(passed=1)
    assert fold_run(pytester.path / "from-env.db")["summary"]["passed"] == 1
    monkeypatch.delenv("RECORDER_DB")
    pytester.makeini("[pytest]\nrecorder_db = reports/from-ini.db\n")
    pytester.runpytest().assert_outcomes(passed=1)
    assert fold_run(pytester.path / "reports/from-ini.db")["summary"]["passed"] == 1


def test_each_run_is_its_own_run_in_a_shared_database(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_one="def test_a():\n    pass\n")
    db = pytester.path / "shared.db"
    pytester.runpytest("--recorder-db", str(db), "--recorder-run-id", "first")
    pytester.runpytest("--recorder-db", str(db), "--recorder-run-id", "second")
    with EventStore.open_existing(db) as store:
        assert [run.run_id for run in store.runs()] == ["first", "second"]
    assert fold_run(db)["run_id"] == "second"
    assert fold_run(db, "first")["summary"]["total"] == 1


def test_case_start_is_durable_before_the_body_runs(pytester: pytest.Pytester) -> None:
    """While a test body runs, another process already sees the case as started."""
    db = pytester.path / "events.db"
    out = pytester.path / "during.json"
    pytester.makepyfile(test_peek=f'''
import subprocess, sys
from recorder.document.reader import load_document

def test_sees_itself():
    subprocess.run([sys.executable, "-m", "recorder", "export", "-q", "--db", {str(db)!r},
                    "--out", {str(out)!r}], check=True)
    [case] = load_document({str(out)!r})["suites"][0]["cases"]
    assert case["id"] == "test_peek.py::test_sees_itself"
    assert case["status"] == "incomplete"
    assert [phase["name"] for phase in case["phases"]] == ["setup"]
''')
    pytester.runpytest("--recorder-db", str(db)).assert_outcomes(passed=1)
    assert cases(fold_run(db))["test_peek.py::test_sees_itself"]["status"] == "passed"


def test_collection_errors_that_stop_the_session_make_a_failed_run(
    pytester: pytest.Pytester,
) -> None:
    """pytest refusing to run after a collection error is a failed run with every
    collected case not_run, not an interrupted one."""
    pytester.makepyfile(test_good="def test_a():\n    pass\n",
                        test_broken="import no_such_module_here\n")
    db = pytester.path / "events.db"
    assert pytester.runpytest("--recorder-db", str(db)).ret == pytest.ExitCode.INTERRUPTED
    document = fold_run(db)
    assert document["status"] == "failed"
    assert document["interruption"] is None
    assert document["summary"]["not_run"] == 1
    assert [e["nodeid"] for e in document["collection"]["errors"]] == ["test_broken.py"]


def test_pytest_exit_is_an_interrupted_run_with_its_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_exit="import pytest\n"
                        "def test_a():\n    pytest.exit('database is gone')\n"
                        "def test_b():\n    pass\n")
    db = pytester.path / "events.db"
    pytester.runpytest("--recorder-db", str(db))
    document = fold_run(db)
    assert document["status"] == "interrupted"
    assert document["interruption"]["reason"] == "stopped: database is gone"
    assert [c["status"] for c in document["suites"][0]["cases"]] == ["incomplete", "not_run"]


def test_collection_errors_are_recorded(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_good="def test_a():\n    pass\n",
                        test_broken="import no_such_module_here\n")
    db = pytester.path / "events.db"
    pytester.runpytest("--recorder-db", str(db), "--continue-on-collection-errors")
    document = fold_run(db)
    assert [e["nodeid"] for e in document["collection"]["errors"]] == ["test_broken.py"]
    assert "no_such_module_here" in document["collection"]["errors"][0]["message"]
    assert document["status"] == "failed"


def test_bad_label_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_one="def test_a():\n    pass\n")
    result = pytester.runpytest("--recorder-db", "x.db", "--recorder-label", "novalue")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--recorder-label 'novalue': write it as KEY=VALUE*"])


def test_unwritable_database_path_is_a_usage_error(pytester: pytest.Pytester,
                                                   tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    pytester.makepyfile(test_one="def test_a():\n    pass\n")
    result = pytester.runpytest("--recorder-db", str(blocker / "events.db"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*cannot open event database*--recorder-db*"])


def test_a_store_damaged_past_its_header_loses_no_event(pytester: pytest.Pytester) -> None:
    """A new run id into a store whose header and schema look right opens only its
    journal (no SQL up front): damage deeper in the file surfaces at the next read as
    one line, non-zero, with every event of the run kept in its journal."""
    pytester.makepyfile(test_one="def test_a():\n    pass\n")
    db = pytester.path / "events.db"
    assert pytester.runpytest("--recorder-db", str(db)).ret == 0
    EventStore.open_existing(db).close()  # the journal moves in, as an export does
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = b"\xff" * (len(data) - page)  # every page but the first (the schema)
    db.write_bytes(bytes(data))
    assert pytester.runpytest("--recorder-db", str(db)).ret == 0
    [journal] = (pytester.path / "events.db.journal").glob("*.jsonl")
    assert len(journal.read_bytes().splitlines()) == 8  # run, collection, case, 3 phases...
    result = run_cli("export", "--db", str(db), "--out", str(pytester.path / "out.json"))
    assert_one_line_error(result, 4, str(db), "not a readable SQLite database")
    assert len(journal.read_bytes().splitlines()) == 8 and not (pytester.path / "out.json").exists()


def test_a_session_inside_a_recorded_test_hands_steps_back(pytester: pytest.Pytester) -> None:
    """A pytest run started by a recorded test (pytester) does not steal its steps."""
    inner_db = pytester.path / "inner.db"
    pytester.makepyfile(test_outer=f'''
import pytest
import recorder

def test_outer(pytester):
    pytester.makepyfile(test_inner="import recorder\\n"
                        "def test_inner():\\n"
                        "    with recorder.step('inner step'):\\n        pass\\n")
    with recorder.step("before"):
        pass
    pytester.runpytest("--recorder-db", {str(inner_db)!r}, "-p", "no:cacheprovider")
    with recorder.step("after"):
        pass
''')
    outer_db = pytester.path / "outer.db"
    pytester.runpytest_subprocess("-p", "pytester", "--recorder-db", str(outer_db)).assert_outcomes(
        passed=1)
    outer = cases(fold_run(outer_db))["test_outer.py::test_outer"]
    assert [step["name"] for step in outer["steps"]] == ["before", "after"]
    inner = cases(fold_run(inner_db))["test_inner.py::test_inner"]
    assert [step["name"] for step in inner["steps"]] == ["inner step"]


@pytest.mark.parametrize("kind", ["a folder", "a text file", "a foreign database",
                                  "a newer store", "under a file"])
def test_a_bad_database_path_is_one_usage_error_line_at_start_up(
        pytester: pytest.Pytester, kind: str) -> None:
    """A new run id writes only its journal (and makes a missing database without
    SQLite), but a path that cannot be a store is still refused before any test runs,
    in one line, and nothing is written beside it."""
    import sqlite3

    target = pytester.path / "events.db"
    if kind == "a folder":
        target.mkdir()
    elif kind == "a text file":
        target.write_text("not a database\n" * 100)
    elif kind == "a foreign database":
        connection = sqlite3.connect(target)
        connection.execute("CREATE TABLE mine (x)")
        connection.close()
    elif kind == "a newer store":
        connection = sqlite3.connect(target)
        connection.executescript("CREATE TABLE events (seq INTEGER);"
                                 "PRAGMA user_version = 99;")
        connection.close()
    else:
        (pytester.path / "file").write_text("x")
        target = pytester.path / "file" / "events.db"
    pytester.makepyfile(test_one="def test_a():\n    open('ran', 'w').close()\n")
    result = pytester.runpytest_subprocess("--recorder-db", str(target))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1 and str(target) in errors[0], result.stderr.str()
    assert "Traceback" not in result.stderr.str()
    assert not (pytester.path / "ran").exists()
    assert not list(target.parent.glob("*.journal")) and not list(  # nothing written
        target.parent.glob(".*creating"))
