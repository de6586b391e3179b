"""What users expect in the record besides statuses: warnings, ``record_property`` and
``record_testsuite_property``, the deselected count, doctest failures' text, and the
run's duration as pytest measures it."""

from __future__ import annotations

import re

import pytest

from tests.support import record_session

pytest_plugins = ["pytester"]


def test_warnings_properties_and_deselected_count_are_recorded(
        pytester: pytest.Pytester) -> None:
    """Regression (issue 10): per-case warnings, ``record_property`` and
    ``record_testsuite_property`` values and the deselected count were not recorded."""
    pytester.makepyfile(test_records="""
        import warnings

        def test_warns(record_property, record_testsuite_property):
            record_property("ticket", "SHOP-1")
            record_property("ticket", 2)
            record_testsuite_property("build", 42)
            warnings.warn("old api", DeprecationWarning)

        def test_quiet():
            pass

        def test_other():
            pass
    """)
    result, document = record_session(pytester, "-W", "always", "--deselect",
                                      "test_records.py::test_other")
    result.assert_outcomes(passed=2, deselected=1, warnings=1)
    case = document["by_id"]["test_records.py::test_warns"]
    assert case["properties"] == [{"name": "ticket", "value": "SHOP-1"},
                                  {"name": "ticket", "value": "2"}]
    [warning] = case["warnings"]
    assert (warning["category"], warning["message"]) == ("DeprecationWarning", "old api")
    assert warning["filename"].endswith("test_records.py")
    assert document["by_id"]["test_records.py::test_quiet"]["warnings"] == []
    assert document["properties"] == [{"name": "build", "value": "42"}]
    assert document["collection"]["deselected"] == 1


def test_a_doctest_failure_says_what_was_expected_and_what_came_out(
        pytester: pytest.Pytester) -> None:
    """Regression (issue 10): a doctest failure's message was ``<DocTest ...>``."""
    pytester.makepyfile(shop='''
        def total(prices):
            """
            >>> total([1, 2])
            4
            """
            return sum(prices)
    ''')
    _, document = record_session(pytester, "--doctest-modules")
    case = document["by_id"]["shop.py::shop.total"]
    assert case["status"] == "failed"
    assert case["failure"]["message"] == "Expected:\n    4\nGot:\n    3\n"


def test_the_run_lasts_as_long_as_pytest_says(pytester: pytest.Pytester) -> None:
    """Regression (issue 10): the run's duration was not pytest's session duration (0.12 s
    in the document for 1.40 s in pytest): it now spans the session, terminal summary
    included, on the recorder's own clock."""
    pytester.makepyfile(test_slow_summary="""
        def test_a():
            pass
    """)
    pytester.makeconftest("""
        import time

        def pytest_terminal_summary(terminalreporter):
            started = time.perf_counter()
            while time.perf_counter() - started < 0.3:  # a summary that takes a while
                pass
    """)
    result, document = record_session(pytester)
    shown = re.search(r"in ([0-9.]+)s", result.outlines[-1])
    assert shown is not None, result.outlines[-1]
    assert document["duration"] >= 0.3
    assert abs(document["duration"] - float(shown.group(1))) < 0.1
