"""A test that needs a missing tool (Chromium, Java, node, the SeaweedFS binary) skips on
a developer's machine but fails in CI, so CI never passes a check that did not run."""

from __future__ import annotations

import pytest

from tests.support import REPO

TEST_FILE = """
from tests.support import unavailable

def test_needs_a_tool():
    unavailable("the frobnicator is not installed")
"""


@pytest.mark.parametrize(("ci", "outcome"), [("", "skipped"), ("true", "failed")])
def test_a_missing_tool_skips_only_outside_ci(pytester: pytest.Pytester,
                                              monkeypatch: pytest.MonkeyPatch,
                                              ci: str, outcome: str) -> None:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makepyfile(test_tool=TEST_FILE)
    result = pytester.runpytest_subprocess("-p", "no:recorder", "-p", "no:cacheprovider",
                                           "-rs")
    result.assert_outcomes(**{outcome: 1})
    result.stdout.fnmatch_lines(["*the frobnicator is not installed*"])
    if ci:
        result.stdout.fnmatch_lines(["*CI runs every test*"])
