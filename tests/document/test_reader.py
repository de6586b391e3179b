"""One reader of a run document: ``recorder summary`` and ``recorder upload`` name a
bad file the same way, with the same exit code (a non-UTF-8 file once exited 3 in one
and 4 in the other)."""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder.document.reader import load_document, read_document
from recorder.errors import InputNotFoundError, InvalidDocumentError
from recorder.export.run_json import export_run
from tests.support import assert_one_line_error, record_run, run_cli

#: Loopback, and never contacted: the document is refused before any client exists.
UNUSED_ENDPOINT = "http://127.0.0.1:9"


def both_commands(path: Path) -> list[list[str]]:
    return [["summary", "--json", str(path)],
            ["upload", str(path), "--bucket", "some-bucket", "--endpoint-url", UNUSED_ENDPOINT]]


@pytest.mark.parametrize("command", [0, 1], ids=["summary", "upload"])
def test_a_non_utf8_document_is_invalid_input_in_every_command(tmp_path: Path,
                                                               command: int) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"project": "caf\xe9"}'.encode("latin-1"))
    result = run_cli(*both_commands(path)[command])
    assert_one_line_error(result, 4, str(path), "not valid UTF-8 JSON", "recorder export")
    assert result.stdout == ""


@pytest.mark.parametrize("command", [0, 1], ids=["summary", "upload"])
def test_a_missing_document_is_input_not_found_in_every_command(tmp_path: Path,
                                                                command: int) -> None:
    path = tmp_path / "missing.json"
    result = run_cli(*both_commands(path)[command])
    assert_one_line_error(result, 3, str(path), "does not exist", "recorder export")


def test_the_reader_returns_the_exact_bytes_and_the_validated_document(tmp_path: Path) -> None:
    record_run(tmp_path / "events.db")
    out = tmp_path / "run.json"
    export_run(tmp_path / "events.db", out)
    data, document = read_document(out)
    assert data == out.read_bytes()
    assert document == load_document(out)
    assert document["run_id"] == "run-a"


def test_a_document_failing_its_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"schema_version": "1.0"}', encoding="utf-8")
    with pytest.raises(InvalidDocumentError, match="bad.json"):
        load_document(path)
    with pytest.raises(InputNotFoundError):
        load_document(tmp_path / "nope.json")
