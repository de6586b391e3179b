"""Reading an event store that cannot be written (a read-only folder), that holds an
unreadable journal, or whose run is still being recorded (issue 12 items 10-12)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from recorder.events.model import CaseStarted, RunStarted
from recorder.store.emitter import Emitter
from recorder.store.journal import journal_dir
from recorder.store.sqlite import EventStore
from tests.support import (
    TIMESTAMP,
    assert_one_error_line,
    record_run,
    run_cli,
    run_cli_on_read_only_folder,
)


def test_a_database_in_a_read_only_folder_is_read_not_reported_corrupt(
        tmp_path: Path) -> None:
    """Regression (issue 12): a valid database in a read-only folder was reported as
    corrupt, because SQLite's WAL mode wants to create a -shm file next to it."""
    folder = tmp_path / "artifact"
    folder.mkdir()
    record_run(folder / "test-results.db")
    EventStore.open_existing(folder / "test-results.db").close()  # journal taken in
    before = sorted(p.name for p in folder.iterdir())
    out = tmp_path / "run.json"
    exported = run_cli_on_read_only_folder(folder, "export", "--db",
                                           str(folder / "test-results.db"), "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(out.read_text())["summary"]["passed"] == 1
    verified = run_cli_on_read_only_folder(folder, "verify", "--db",
                                           str(folder / "test-results.db"))
    assert verified.returncode == 0, verified.stderr
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing added


def test_a_read_only_store_with_unmerged_journal_events_is_refused_in_one_line(
        tmp_path: Path) -> None:
    """A read-only store cannot take its pending journal in: exporting it would miss
    events, so it is refused, naming the journal and what to do."""
    folder = tmp_path / "artifact"
    folder.mkdir()
    db = folder / "test-results.db"
    record_run(db)
    store = EventStore.create(db)
    Emitter(store, "run-a", "late").emit(CaseStarted(case_id="t.py::test_b",
                                                     started_at=TIMESTAMP))
    store.close()  # the journal stays: nobody has read the database since
    result = run_cli_on_read_only_folder(folder, "export", "--db", str(db), "--out",
                                         str(tmp_path / "run.json"))
    assert result.returncode == 7
    assert_one_error_line(result.stderr, "read-only folder", "1 event(s) not yet in it",
                          "copy the database")
    assert not (tmp_path / "run.json").exists()
    assert run_cli("export", "--db", str(db), "--out", str(tmp_path / "run.json")
                   ).returncode == 0  # once writable, nothing was lost
    assert json.loads((tmp_path / "run.json").read_text())["summary"]["total"] == 2


def test_an_unreadable_journal_is_one_error_line_for_export_and_pytest(
        tmp_path: Path, pytester: pytest.Pytester) -> None:
    """Regression (issue 12): an unreadable journal gave a traceback (export) and an
    INTERNALERROR (pytest). Simulated for real, also as root: a directory stands where
    the journal file should be, so reading it fails with EISDIR."""
    db = tmp_path / "test-results.db"
    record_run(db)
    journal_dir(db).mkdir(exist_ok=True)
    (journal_dir(db) / "main-0badc0de-1-00000000.jsonl").mkdir()
    result = run_cli("export", "--db", str(db), "--out", str(tmp_path / "run.json"))
    assert result.returncode == 3
    assert_one_error_line(result.stderr, "cannot read the event journal", "Is a directory",
                          "move it out of the journal folder")
    pytester.makepyfile("def test_ok(): pass")
    # Continuing a run opens the store, which moves the waiting journals in first.
    recorded = pytester.runpytest_subprocess(f"--recorder-db={db}", "--recorder-run-id=run-a")
    assert recorded.ret == pytest.ExitCode.USAGE_ERROR
    assert "INTERNALERROR" not in recorded.stdout.str() + recorded.stderr.str()
    assert "cannot read the event journal" in recorded.stderr.str()
    # A new run leaves the waiting journals alone (readers take them in run order): it
    # records into its own journal; the export still names the unreadable one.
    fresh = pytester.runpytest_subprocess(f"--recorder-db={db}")
    assert fresh.ret == pytest.ExitCode.OK
    assert "INTERNALERROR" not in fresh.stdout.str() + fresh.stderr.str()
    result = run_cli("export", "--db", str(db), "--out", str(tmp_path / "run.json"))
    assert result.returncode == 3


def test_a_live_run_exports_as_still_running_not_killed(tmp_path: Path) -> None:
    """Regression (issue 12): a run still being recorded exported as "killed or
    crashed"; its writer holds its journal's lock, so the document says it is running."""
    db = tmp_path / "test-results.db"
    with EventStore.create(db) as store:
        Emitter(store, "live", "main").emit(RunStarted(project="p", started_at=TIMESTAMP))
        out = tmp_path / "live.json"
        result = run_cli("export", "--db", str(db), "--out", str(out))  # writer alive
        assert result.returncode == 0, result.stderr
        reason = json.loads(out.read_text())["interruption"]["reason"]
        assert reason.startswith("still running") and "main" in reason
    run_cli("export", "--db", str(db), "--out", str(out))  # the writer has closed now
    assert "killed or crashed" in json.loads(out.read_text())["interruption"]["reason"]


def test_the_read_only_helper_really_cannot_write(tmp_path: Path) -> None:
    """The read-only condition the tests above rely on is real: a write there fails."""
    folder = tmp_path / "artifact"
    folder.mkdir()
    if sys.platform != "linux":
        pytest.fail("these tests need Linux namespaces or permission bits")
    script = f"open({str(folder / 'x')!r}, 'w')"
    done = subprocess.run(["unshare", "-rm", "sh", "-c",
                           'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && '
                           'exec "$@"', str(folder), sys.executable, "-c", script],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "Read-only file system" in done.stderr
