"""``recorder.step`` inside real pytest sessions: skips, odd exceptions, threads."""

from __future__ import annotations

import pytest

from tests.support import record_session

pytest_plugins = ["pytester"]


def test_pytest_skip_inside_a_step_marks_the_step_skipped(pytester: pytest.Pytester) -> None:
    """Regression (issue 10): ``pytest.skip()`` inside a step marked the step failed
    (pytest 9's ``Skipped.__module__`` is ``builtins``)."""
    pytester.makepyfile(test_skip_step="""
        import pytest
        import recorder

        def test_skips():
            with recorder.step("outer"):
                with recorder.step("inner"):
                    pytest.skip("no network")
    """)
    _, document = record_session(pytester)
    case = document["by_id"]["test_skip_step.py::test_skips"]
    assert case["status"] == "skipped"
    outer = case["steps"][0]
    assert (outer["name"], outer["status"]) == ("outer", "skipped")
    assert (outer["steps"][0]["name"], outer["steps"][0]["status"]) == ("inner", "skipped")


def test_an_exception_whose_str_raises_fails_the_step_with_its_own_type(
        pytester: pytest.Pytester) -> None:
    """Regression (issue 10): an object whose ``__str__`` raises, as a step's name or as the
    exception leaving it, fails neither the step nor the test with an error from
    steps.py; the step fails with the test's own exception."""
    pytester.makepyfile(test_odd_error="""
        import recorder

        class Odd(Exception):
            def __str__(self):
                raise RuntimeError("no text for you")

        def test_odd():
            with recorder.step("odd"):
                raise Odd()

        def test_odd_name():
            with recorder.step(Odd()):
                pass
    """)
    result, document = record_session(pytester)
    case = document["by_id"]["test_odd_error.py::test_odd"]
    assert case["status"] == "failed"
    step = case["steps"][0]
    assert step["status"] == "failed"
    assert step["failure"]["type"] == "Odd"
    assert case["failure"]["type"] == "Odd"
    assert "recorder" not in step["failure"]["message"]
    named = document["by_id"]["test_odd_error.py::test_odd_name"]
    assert named["status"] == "passed"
    assert named["steps"][0]["status"] == "passed"


THREADS = """
import contextvars
import threading

import recorder

late = threading.Event()
plain_thread_may_run = threading.Event()
plain_thread_done = threading.Event()


def test_first():
    def plain():
        plain_thread_may_run.wait(30)
        with recorder.step("from a plain thread"):
            pass
        plain_thread_done.set()

    threading.Thread(target=plain, daemon=True).start()

    def worker(n):
        with recorder.step(f"in thread {n}"):
            with recorder.step(f"nested in thread {n}"):
                pass

    with recorder.step("parent"):
        threads = [threading.Thread(target=contextvars.copy_context().run, args=(worker, n))
                   for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def test_second():
    plain_thread_may_run.set()  # the plain thread now steps while this test runs
    assert plain_thread_done.wait(30)
    with recorder.step("own step"):
        pass
"""


def test_steps_in_threads_belong_to_the_test_that_started_them(
        pytester: pytest.Pytester) -> None:
    """Regression (issue 10): steps in other threads were attributed to whichever test ran
    next and mis-nested. Threads that run in a copy of the test's context record into that
    test, under the step open when they started, each nesting correctly; a plain thread
    (an empty context) records nothing, rather than into the next test."""
    pytester.makepyfile(test_threads=THREADS)
    result, document = record_session(pytester)
    result.assert_outcomes(passed=2)
    first = document["by_id"]["test_threads.py::test_first"]
    parent = first["steps"]
    assert [step["name"] for step in parent] == ["parent"]
    children = parent[0]["steps"]
    assert sorted(step["name"] for step in children) == [f"in thread {n}" for n in range(8)]
    for step in children:
        number = step["name"].removeprefix("in thread ")
        assert [inner["name"] for inner in step["steps"]] == [f"nested in thread {number}"]
    second = document["by_id"]["test_threads.py::test_second"]
    assert [step["name"] for step in second["steps"]] == ["own step"]
