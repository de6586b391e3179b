"""``recorder summary``: from a document or a database, terminal manners, and
one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from recorder.cli import build_parser, main
from recorder.export.rendering import render_json
from recorder.store.sqlite import EventStore
from tests.report.documents import interrupted_run, mixed_run
from tests.support import assert_one_error_line, run_cli

ESCAPE = "\x1b"
COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-7]|9[0-7]|38;[0-9;]+)m")


@pytest.fixture
def document_file(tmp_path: Path) -> Path:
    path = tmp_path / "test-run-results.json"
    path.write_bytes(render_json(mixed_run().document()))
    return path


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "events.db"
    with EventStore.create(path) as store:
        store.append(interrupted_run().events)
    return path


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE",
                 "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def summarize(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["summary", *args]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def assert_one_line_error(capsys: pytest.CaptureFixture[str], args: list[str], code: int,
                          *fragments: str) -> None:
    assert main(["summary", *args]) == code
    captured = capsys.readouterr()
    assert_one_error_line(captured.err, *fragments)
    assert captured.out == ""


def test_summary_of_an_exported_document(capsys: pytest.CaptureFixture[str],
                                         document_file: Path) -> None:
    output = summarize(capsys, "--json", str(document_file))
    assert "Test run FAILED" in output
    assert "FAILED tests/test_shop.py::test_total" in output
    assert "Slowest 5 cases" in output
    assert max(len(line) for line in output.splitlines()) <= 80


def test_summary_folds_the_database_directly(capsys: pytest.CaptureFixture[str],
                                             database: Path) -> None:
    output = summarize(capsys, "--db", str(database))
    assert "RUN INTERRUPTED" in output
    assert "tests/test_api.py::test_upload" in output


def test_run_id_picks_a_run_in_the_database(capsys: pytest.CaptureFixture[str],
                                            database: Path) -> None:
    assert "run-1" in summarize(capsys, "--db", str(database), "--run-id", "run-1")
    assert_one_line_error(capsys, ["--db", str(database), "--run-id", "nope"], 6, "'nope'")


def test_slowest_and_width_options(capsys: pytest.CaptureFixture[str],
                                   document_file: Path) -> None:
    output = summarize(capsys, "--json", str(document_file), "--slowest", "2", "--width", "120")
    assert "Slowest 2 cases" in output
    assert max(len(line) for line in output.splitlines()) == 120
    narrow = summarize(capsys, "--json", str(document_file), "--width", "50")
    assert max(len(line) for line in narrow.splitlines()) <= 50


def test_columns_environment_sets_the_width_when_piped(
        capsys: pytest.CaptureFixture[str], document_file: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    output = summarize(capsys, "--json", str(document_file))
    assert max(len(line) for line in output.splitlines()) == 100


def test_markdown_option_prints_markdown(capsys: pytest.CaptureFixture[str],
                                         document_file: Path) -> None:
    output = summarize(capsys, "--json", str(document_file), "--markdown", "--slowest", "1")
    assert output.startswith("## \u274c Test run failed")
    assert "<details><summary><b>FAILED</b>" in output
    assert "### Slowest 1 case\n" in output
    assert ESCAPE not in output


def test_piped_output_carries_no_escape_codes(document_file: Path, database: Path) -> None:
    """With stdout and stderr pipes: no colour, no cursor codes, no progress bar."""
    from_json = run_cli("summary", "--json", str(document_file))
    from_db = run_cli("summary", "--db", str(database))
    for result in (from_json, from_db):
        assert result.returncode == 0, result.stderr
        assert ESCAPE not in result.stdout
        assert result.stderr == ""
    assert "FAILED tests/test_shop.py::test_total" in from_json.stdout
    assert "RUN INTERRUPTED" in from_db.stdout


@pytest.mark.parametrize("markdown", [[], ["--markdown"]])
def test_a_closed_pipe_ends_quietly(document_file: Path, markdown: list[str]) -> None:
    """``recorder summary | head -1``: the reader leaving early gives exit status 1
    and no traceback."""
    process = subprocess.Popen(
        [sys.executable, "-m", "recorder", "summary", "--json", str(document_file), *markdown],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait() == 1
    assert stderr == ""


def test_no_color_drops_colours_even_when_forced_to_a_terminal(document_file: Path) -> None:
    coloured = run_cli("summary", "--json", str(document_file), FORCE_COLOR="1")
    assert COLOUR.search(coloured.stdout), "FORCE_COLOR should colour the output"
    plain = run_cli("summary", "--json", str(document_file), FORCE_COLOR="1", NO_COLOR="1")
    assert plain.returncode == 0
    assert not COLOUR.search(plain.stdout)  # bold and such may stay: NO_COLOR is about colour
    assert "FAILED tests/test_shop.py::test_total" in re.sub(r"\x1b\[[0-9;]*m", "", plain.stdout)


def test_a_non_utf8_stdout_gets_replacements_not_a_traceback(document_file: Path) -> None:
    result = run_cli("summary", "--json", str(document_file), PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr
    assert "test_gr??e_??" in result.stdout
    assert "passed     3  33% ###" in result.stdout
    markdown = subprocess.run(
        [sys.executable, "-m", "recorder", "summary", "--json", str(document_file), "--markdown"],
        capture_output=True, env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert markdown.returncode == 0
    assert "test_grüße_名前".encode() in markdown.stdout


def test_missing_document_is_a_one_line_error_without_traceback(tmp_path: Path) -> None:
    result = run_cli("summary", "--json", str(tmp_path / "missing.json"))
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "missing.json does not exist" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_database_is_a_one_line_error(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    assert_one_line_error(capsys, ["--db", str(tmp_path / "none.db")], 3, "none.db")


def test_invalid_document_is_a_one_line_error(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"status": "odd"}))
    assert_one_line_error(capsys, ["--json", str(bad)], 4, "bad.json")


@pytest.mark.parametrize(("args", "fragments"), [
    ([], ("--json FILE", "--db PATH")),
    (["--json", "a.json", "--db", "b.db"], ("either --json FILE or --db PATH, not both",)),
    (["--json", "a.json", "--run-id", "x"], ("--run-id",)),
    (["--db", "b.db", "--slowest", "-1"], ("--slowest", "'-1'")),
    (["--db", "b.db", "--slowest", "many"], ("--slowest", "'many'")),
    (["--db", "b.db", "--width", "10"], ("--width", "at least 40")),
])
def test_usage_mistakes_are_one_line_errors(capsys: pytest.CaptureFixture[str],
                                            args: list[str], fragments: Any) -> None:
    assert_one_line_error(capsys, args, 2, *fragments)


def test_every_option_has_help() -> None:
    parser = build_parser()
    subparsers = next(action for action in parser._actions
                      if action.dest == "command")
    summary = subparsers.choices["summary"]  # type: ignore[attr-defined]
    text = summary.format_help()
    for option in ("--json", "--db", "--run-id", "--slowest", "--markdown", "--width"):
        assert option in text
    assert all(action.help for action in summary._actions)
