"""A pytest suite with every outcome pytest can report, and the status each case must
get: shared by the plugin tests and the xdist/rerun tests."""

from __future__ import annotations

from typing import Any

MIXED_SUITE = '''
import logging
import sys

import pytest
import recorder


def test_passes():
    with recorder.step("outer"):
        with recorder.step("inner"):
            print("to stdout")
        with recorder.step("second"):
            pass


def test_fails():
    print("before the failure")
    sys.stderr.write("to stderr\\n")
    logging.getLogger("mixed").warning("logged")
    assert 1 + 1 == 3


@pytest.mark.skip(reason="not today")
def test_skipped():
    pass


def test_skips_inside():
    pytest.skip("decided at run time")


@pytest.mark.xfail(reason="known bug")
def test_xfails():
    assert False


@pytest.mark.xfail(reason="fixed already")
def test_xpasses():
    pass


@pytest.fixture
def broken_setup():
    raise RuntimeError("setup exploded")


@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown exploded")


def test_setup_error(broken_setup):
    pass


def test_teardown_error(broken_teardown):
    pass


def test_fails_and_teardown_errors(broken_teardown):
    assert False, "body failed"


@pytest.mark.parametrize("value", [1, "two"])
def test_parametrized(value):
    assert value


class TestGroup:
    def test_in_class(self):
        pass

    @recorder.step("decorated helper")
    def helper(self):
        raise ValueError("helper failed")

    def test_step_failure_propagates(self):
        with pytest.raises(ValueError):
            self.helper()
'''

EXPECTED = {
    "test_mixed.py::test_passes": "passed",
    "test_mixed.py::test_fails": "failed",
    "test_mixed.py::test_skipped": "skipped",
    "test_mixed.py::test_skips_inside": "skipped",
    "test_mixed.py::test_xfails": "xfailed",
    "test_mixed.py::test_xpasses": "xpassed",
    "test_mixed.py::test_setup_error": "error",
    "test_mixed.py::test_teardown_error": "error",
    "test_mixed.py::test_fails_and_teardown_errors": "failed",
    "test_mixed.py::test_parametrized[1]": "passed",
    "test_mixed.py::test_parametrized[two]": "passed",
    "test_mixed.py::TestGroup::test_in_class": "passed",
    "test_mixed.py::TestGroup::test_step_failure_propagates": "passed",
}


def cases(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {case["id"]: case for suite in document["suites"] for case in suite["cases"]}
