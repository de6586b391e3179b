"""The docs stay true: every command is documented, and the README's test command is
the one CI runs."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from recorder.cli import COMMAND_MODULES, build_parser
from recorder.errors import RecorderError

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("name", COMMAND_MODULES)
def test_every_command_has_help_and_a_readme_section(name: str) -> None:
    parser = subcommands()[name]
    assert parser.description, f"recorder {name} has no description"
    for action in parser._actions:
        if action.dest != "help":
            assert action.help, f"recorder {name} {action.option_strings} has no help text"
    assert f"### `recorder {name}`" in README


def test_readme_opens_with_the_two_commands_and_ci_runs_the_second() -> None:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    main_job, tests = blocks[0], blocks[1]
    assert "recorder demo" in main_job
    assert "pytest" in tests
    ci_script = (REPO / ".ci" / "run").read_text()
    assert tests in ci_script.splitlines()


def test_readme_lists_every_exit_code() -> None:
    import recorder.errors as errors

    codes = {cls.exit_code for cls in vars(errors).values()
             if isinstance(cls, type) and issubclass(cls, RecorderError)}
    for code in codes - set(range(10, 16)):
        assert re.search(rf"^\| {code} \|", README, re.M), f"exit code {code} not in README"
