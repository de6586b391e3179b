"""Bad input to ``recorder history`` gets one line naming the input and the fix, a
non-zero exit and no output; and nothing but a history command loads DuckDB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from golden import document, store

from recorder.cli import main


@pytest.fixture
def two_projects(tmp_path: Path) -> Path:
    store([document("a1", 0, {"t.py::a": "passed"}, project="alpha"),
           document("b1", 0, {"t.py::a": "passed"}, project="beta")], tmp_path)
    return tmp_path


def fails_cleanly(argv: list[str], code: int, words: str,
                  capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(argv) == code
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and words in lines[0], err


@pytest.mark.parametrize(("args", "code", "words"), [
    (["--from", "{missing}"], 3, "does not exist"),
    (["--from", "{empty}"], 6, "holds no runs"),
    (["--from", "https://example.com/x"], 2, "neither a local folder nor s3://"),
    (["--from", "s3://"], 2, "names no bucket"),
    (["--from", "{two}"], 2, "2 projects (alpha, beta): choose one with --project"),
    (["--from", "{two}", "--project", "gamma"], 6, "project 'gamma'"),
    (["--from", "{two}", "--project", "alpha", "--branch", "nope"], 6, "branch 'nope'"),
    (["--from", "{two}", "--project", "alpha", "--since", "2026-13-01"], 2,
     "--since '2026-13-01' is not a date"),
    (["--from", "{two}", "--project", "alpha", "--since", "2030-01-01"], 6,
     "since 2030-01-01"),
    (["--from", "{two}", "--project", "alpha", "--last", "0"], 2, "--last '0'"),
    (["--from", "{two}", "--project", "alpha", "--limit", "x"], 2, "--limit 'x'"),
    (["--from", "{two}", "--project", "alpha", "--infra-threshold", "2"], 2,
     "--infra-threshold '2'"),
])
def test_bad_input_fails_with_one_line(args: list[str], code: int, words: str,
                                       two_projects: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    argv = ["history", "flaky", *(arg.format(missing=tmp_path / "nowhere", empty=empty,
                                             two=two_projects) for arg in args)]
    fails_cleanly(argv, code, words, capsys)


def test_compact_of_an_empty_folder_fails_cleanly(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    fails_cleanly(["history", "compact", str(tmp_path)], 6, "no per-run case files", capsys)
    fails_cleanly(["history", "compact"], 2, "pass LOCATION", capsys)


def test_the_project_filter_picks_one_projects_runs(two_projects: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "runs", "--from", str(two_projects), "--project", "beta",
                 "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "| b1 |" in out and "a1" not in out
    assert out.startswith("### History: 1 runs in 1 runs")


def test_neither_import_recorder_nor_the_plugin_nor_the_cli_parser_loads_duckdb() -> None:
    code = ("import sys, recorder, recorder.capture.plugin, recorder.cli\n"
            "recorder.cli.build_parser()\n"
            "import recorder.history.questions, recorder.history.views\n"
            "loaded = [m for m in ('duckdb', 'pyspark', 'boto3') if m in sys.modules]\n"
            "assert not loaded, loaded\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_every_history_question_has_help_and_is_in_the_readme() -> None:
    import argparse

    from recorder.cli import build_parser

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    top = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    history = top.choices["history"]
    questions = next(a for a in history._actions if isinstance(a, argparse._SubParsersAction))
    assert set(questions.choices) == {"flaky", "failing", "slow", "tests", "runs", "compact"}
    for name, parser in questions.choices.items():
        assert parser.description, name
        for action in parser._actions:
            assert action.dest == "help" or action.help, (name, action.option_strings)
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in readme, (name, option)
        assert f"**{name}**" in readme or f"`{name}`" in readme, name
