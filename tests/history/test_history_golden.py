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


@pytest.mark.parametrize("command", ["flaky", "failing", "slow", "tests", "runs"])
def test_terminal_tables_fit_80_columns_and_markdown_is_a_table(
        command: str, golden_layout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    from rich.console import Console

    from recorder.history.views import render_markdown, render_table

    answer = asker(golden_layout, capsys)(command, *(["--branch", "main"]
                                                      if command == "failing" else []))
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(render_table(command, answer))
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert all(len(line) <= 80 for line in text.splitlines())
    key = {"flaky": "flaky", "failing": "failing", "slow": "slow", "tests": "tests",
           "runs": "runs"}[command]
    first = answer[key][0]
    name = first.get("id") or first["run_id"]
    assert name[:20] in text.replace("\n", "")
    markdown = render_markdown(command, answer)
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + len(answer[key]) and name in markdown


def test_the_readme_example_is_what_failing_prints(golden_layout: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["history", "failing", "--from", str(golden_layout), "--branch", "main",
                 "--markdown"]) == 0
    assert capsys.readouterr().out.strip() in readme
