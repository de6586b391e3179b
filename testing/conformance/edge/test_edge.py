"""Hand-written edge cases for the conformance harness (``run.py --suite edge``).

Each case is one status or one shape that real suites rarely show; several fail on
purpose. The harness compares what the recorder makes of them with pytest-reportlog.
"""

from __future__ import annotations

import unittest
from collections.abc import Iterator

import pytest

_calls: dict[str, int] = {}


def test_passes() -> None:
    assert True


def test_fails() -> None:
    assert 1 == 2


def test_skips() -> None:
    pytest.skip("not here")


@pytest.mark.xfail(reason="known")
def test_xfails() -> None:
    raise ValueError("known")


@pytest.mark.xfail(reason="fixed already")
def test_xpasses() -> None:
    assert True


@pytest.mark.xfail(reason="strict", strict=True)
def test_xpasses_strict() -> None:
    assert True


@pytest.fixture
def broken_setup() -> Iterator[None]:
    raise RuntimeError("setup boom")
    yield


@pytest.fixture
def broken_teardown() -> Iterator[None]:
    yield
    raise RuntimeError("teardown boom")


def test_setup_error(broken_setup: None) -> None:
    assert True


def test_teardown_error_after_pass(broken_teardown: None) -> None:
    assert True


def test_teardown_error_after_fail(broken_teardown: None) -> None:
    assert 1 == 2


def test_fails_once_then_passes() -> None:
    """``failed`` without reruns (and under xdist), ``flaky`` with ``--reruns 1``."""
    _calls["once"] = _calls.get("once", 0) + 1
    assert _calls["once"] > 1


@pytest.mark.parametrize("address", ["::1", "a::b"])
def test_ids_with_colons(address: str) -> None:
    assert "::" in address


def test_subtests_fixture(subtests: pytest.Subtests) -> None:
    for i in range(3):
        with subtests.test(msg="third fails", i=i):
            assert i < 2


class TestUnittestSubTest(unittest.TestCase):
    def test_subtest_fails(self) -> None:
        for i in range(3):
            with self.subTest(i=i):
                self.assertLess(i, 2)
