"""pytest 9 subtests (unittest ``subTest`` and the ``subtests`` fixture), recorded inside
their case like steps, on real pytest sessions."""

from __future__ import annotations

import pytest

from tests.support import record_session

pytest_plugins = ["pytester"]

SUBTESTS = """
import unittest
import pytest


class TestNumbers(unittest.TestCase):
    def test_each(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertNotEqual(i, 1)


def test_fixture(subtests):
    with subtests.test(msg="adds"):
        assert 1 + 1 == 3
    with subtests.test(msg="later", kind="skip"):
        pytest.skip("not today")
    with subtests.test(msg="fine", n=3):
        pass


def test_all_pass(subtests):
    for n in range(2):
        with subtests.test(n=n):
            pass
"""


def test_a_failing_unittest_subtest_fails_its_case(pytester: pytest.Pytester) -> None:
    """Regression (issue 10): a failing unittest ``subTest`` was recorded as passed while
    pytest said failed and exited 1."""
    pytester.makepyfile(test_sub_suite=SUBTESTS)
    result, document = record_session(pytester)
    assert result.ret == 1
    case = document["by_id"]["test_sub_suite.py::TestNumbers::test_each"]
    assert case["status"] == "failed"
    assert case["failure"]["type"] == "AssertionError"
    assert case["failure"]["message"] == "1 == 1"
    assert [(s["parameters"], s["status"]) for s in case["subtests"]] == [
        ({"i": "0"}, "passed"), ({"i": "1"}, "failed"), ({"i": "2"}, "passed")]
    assert document["status"] == "failed"


def test_the_subtests_fixture_records_each_subtest_and_its_failure(
        pytester: pytest.Pytester) -> None:
    """Regression (issue 10): a failing case of the ``subtests`` fixture had
    ``failure: null`` and a passed call phase; skipped subtests are kept."""
    pytester.makepyfile(test_sub_suite=SUBTESTS)
    _, document = record_session(pytester)
    case = document["by_id"]["test_sub_suite.py::test_fixture"]
    assert case["status"] == "failed"
    assert case["failure"]["phase"] == "call"
    assert case["failure"]["type"] == "AssertionError"
    assert "assert (1 + 1) == 3" in case["failure"]["message"]
    assert [phase["outcome"] for phase in case["phases"]] == ["passed", "failed", "passed"]
    subtests = case["subtests"]
    assert [(s["message"], s["parameters"], s["status"]) for s in subtests] == [
        ("adds", {}, "failed"), ("later", {"kind": "'skip'"}, "skipped"),
        ("fine", {"n": "3"}, "passed")]
    assert subtests[1]["reason"] == "not today"
    assert subtests[0]["failure"]["type"] == "AssertionError"
    assert all(s["duration"] >= 0 for s in subtests)
    passing = document["by_id"]["test_sub_suite.py::test_all_pass"]
    assert passing["status"] == "passed"
    assert [s["status"] for s in passing["subtests"]] == ["passed", "passed"]


def test_failing_subtests_fail_every_rerun_attempt(pytester: pytest.Pytester) -> None:
    """Regression (issue 10): with ``--reruns 1`` both attempts of a case whose subtest
    failed were passed and the run was passed while pytest exited 1."""
    pytester.makepyfile(test_sub_suite=SUBTESTS)
    result, document = record_session(pytester, "-p", "rerunfailures", "--reruns", "1")
    assert result.ret == 1
    fixture = document["by_id"]["test_sub_suite.py::test_fixture"]
    assert fixture["status"] == "failed"
    assert [a["status"] for a in fixture["attempts"]] == ["failed", "failed"]
    # rerunfailures decides before pytest marks a unittest case with a failed subTest as
    # failed, so it runs that case once; the recorder still fails it.
    unittest_case = document["by_id"]["test_sub_suite.py::TestNumbers::test_each"]
    assert [a["status"] for a in unittest_case["attempts"]] == ["failed"]
    assert document["status"] == "failed"
    assert document["exit_status"] == 1
