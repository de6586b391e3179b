"""Every history question answers the golden history right, read from the upload
layout and from a plain folder of run documents, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from golden_checks import (
    check_failing,
    check_flaky,
    check_runs,
    check_slow,
    check_tests,
)

from recorder.cli import main


def asker(location: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    def ask(command: str, *args: str) -> dict[str, Any]:
        capsys.readouterr()
        code = main(["history", command, "--from", str(location), "--json", *args])
        out, err = capsys.readouterr()
        assert code == 0, err
        return json.loads(out)  # type: ignore[no-any-return]
    return ask


@pytest.fixture
def documents_folder(golden_documents: list[dict[str, Any]], tmp_path: Path) -> Path:
    for doc in golden_documents:
        folder = tmp_path / doc["run_id"]
        folder.mkdir()
        (folder / "test-run-results.json").write_text(json.dumps(doc), encoding="utf-8")
    (tmp_path / "notes.json").write_text("[1, 2]", encoding="utf-8")  # not a document
    return tmp_path


@pytest.mark.parametrize("check", [check_flaky, check_failing, check_slow, check_tests,
                                   check_runs])
def test_golden_history_from_the_upload_layout(check: Any, golden_layout: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    check(asker(golden_layout, capsys))


@pytest.mark.parametrize("check", [check_flaky, check_failing, check_runs])
def test_golden_history_from_a_folder_of_documents(check: Any, documents_folder: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    check(asker(documents_folder, capsys))
