"""``export --out`` never destroys its target (issue 12 item 2): the event store, a
directory, a special file or an SQLite database are refused before anything is
written; a symlink is written through; an existing file keeps its mode."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from recorder.export.atomic import write_atomically
from recorder.store.journal import journal_dir
from tests.support import assert_one_line_error, record_run, run_cli


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "test-results.db"
    record_run(path)
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_out_equal_to_the_database_is_refused_and_the_database_kept(db: Path) -> None:
    """Regression (issue 12): --out equal to --db replaced the database with JSON (exit
    0, every run gone)."""
    run_cli("verify", "--db", str(db))  # journals in, so the file is the whole store
    before = _digest(db)
    for out in (db, db.with_name(db.name + "-wal"), journal_dir(db),
                journal_dir(db) / "run.json"):
        assert_one_line_error(run_cli("export", "--db", str(db), "--out", str(out)), 7,
                              "an input of this command", "pass another --out")
    assert _digest(db) == before
    assert run_cli("export", "--db", str(db), "--out", str(db.parent / "ok.json")
                   ).returncode == 0


def test_a_symlink_to_the_database_is_refused(db: Path) -> None:
    """The check follows symlinks: another name for the database is the database."""
    link = db.parent / "innocent.json"
    link.symlink_to(db)
    assert_one_line_error(run_cli("export", "--db", str(db), "--out", str(link)), 7,
                          "an input of this command")
    assert link.is_symlink()


def test_special_files_and_directories_are_refused_not_replaced(db: Path) -> None:
    """Regression (issue 12): a FIFO, a character device and /dev/full were replaced by
    regular files (as root); a directory is refused too."""
    fifo = db.parent / "fifo"
    os.mkfifo(fifo)
    for out, why in ((fifo, "not a regular file"), (Path("/dev/full"), "not a regular file"),
                     (Path("/dev/null"), "not a regular file"), (db.parent, "a directory")):
        assert_one_line_error(run_cli("export", "--db", str(db), "--out", str(out)), 7, why)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_another_sqlite_database_is_never_replaced(db: Path, tmp_path: Path) -> None:
    """An export never overwrites an SQLite file, even one that is not its input."""
    other = tmp_path / "other.db"
    record_run(other)
    before = _digest(other)
    assert_one_line_error(run_cli("export", "--db", str(db), "--out", str(other)), 7,
                          "SQLite database")
    assert _digest(other) == before


def test_a_symlink_is_written_through_and_stays_a_symlink(db: Path, tmp_path: Path) -> None:
    """A symlinked --out replaces the file it points to; the link itself is kept."""
    target = tmp_path / "reports" / "real.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(target)
    assert run_cli("export", "--db", str(db), "--out", str(link)).returncode == 0
    assert link.is_symlink() and link.resolve() == target
    assert json.loads(target.read_text())["run_id"] == "run-a"


def test_an_existing_file_keeps_its_mode(db: Path, tmp_path: Path) -> None:
    """Regression (issue 12): every export forced mode 0644 on the file it replaced."""
    out = tmp_path / "run.json"
    out.write_text("{}")
    out.chmod(0o600)
    assert run_cli("export", "--db", str(db), "--out", str(out)).returncode == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert json.loads(out.read_text())["run_id"] == "run-a"


def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path: Path) -> None:
    """A new output is created as open() would create it: 0666 less the umask."""
    previous = os.umask(0o027)
    try:
        write_atomically(tmp_path / "new.json", [b"{}\n"])
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640


def test_a_fifo_or_directory_as_the_database_is_refused_not_waited_on(
        tmp_path: Path, db: Path, pytester: pytest.Pytester) -> None:
    """Regression (issue 12): the same rules for every command that writes a file:
    SQLite blocked forever opening a FIFO given as --recorder-db, --into or --db."""
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    for args in (["merge", "--into", str(fifo), str(db)], ["merge", "--into", str(tmp_path),
                                                           str(db)],
                 ["export", "--db", str(fifo)], ["verify", "--db", str(fifo)]):
        assert_one_line_error(run_cli(*args), 2, "not an event database")
    pytester.makepyfile("def test_ok(): pass")
    result = pytester.runpytest_subprocess(f"--recorder-db={fifo}", timeout=60)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "is a FIFO, device or socket, not an event database" in result.stderr.str()
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_report_never_overwrites_its_input(db: Path, tmp_path: Path) -> None:
    """``recorder report`` writes through the same rules: its --db or --json input is
    refused as --out."""
    document = tmp_path / "run.json"
    assert run_cli("export", "--db", str(db), "--out", str(document)).returncode == 0
    before = _digest(document)
    assert_one_line_error(run_cli("report", "--json", str(document), "--out", str(document)),
                          7, "an input of this command")
    assert_one_line_error(run_cli("report", "--db", str(db), "--out", str(db)), 7,
                          "an input of this command")
    assert _digest(document) == before
