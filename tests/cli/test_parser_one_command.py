"""The command line builds only the parser of the command named first: parsing then
gives exactly what the whole parser gives, values, help and errors alike."""

from __future__ import annotations

import contextlib
import io

import pytest

from recorder.cli import COMMAND_MODULES, build_parser

ARGUMENTS = [
    ["export", "--db", "x.db", "--format", "ctrf", "--compact"],
    ["export", "--format", "bogus"],
    ["export", "--bogus"],
    ["export", "--help"],
    ["export"],
    ["runs", "--db", "x.db"],
    ["verify", "--help"],
    ["summary", "--help"],
    ["history", "--help"],
    ["ingest", "--help"],
    ["upload", "--bogus", "1"],
    ["report", "--help"],
    ["merge", "--help"],
    ["demo", "--help"],
]


def _parsed(only: str | None, arguments: list[str]) -> tuple[object, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            namespace = vars(build_parser(only).parse_args(arguments))
            result: object = {key: value for key, value in namespace.items()
                              if key != "handler"}, namespace.get("handler")
        except SystemExit as exit_:
            result = ("exit", exit_.code)
    return result, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("arguments", ARGUMENTS, ids=" ".join)
def test_one_command_parses_as_the_whole_parser_does(arguments: list[str]) -> None:
    assert arguments[0] in COMMAND_MODULES
    assert _parsed(arguments[0], arguments) == _parsed(None, arguments)


def test_an_unknown_first_word_gets_the_whole_parser() -> None:
    """No command of that name: the whole parser, whose error lists the commands."""
    result, _, err = _parsed("frobnicate", ["frobnicate"])
    assert result == ("exit", 2)
    assert "invalid choice" in err and all(name in err for name in COMMAND_MODULES)
