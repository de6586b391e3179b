#!/usr/bin/env python3
"""Rerun every probe of issue 12 (hostile tests, bad input and faults) and print the
figures: probes run, data lost, tracebacks, secrets found.

Each probe is a regression test whose docstring starts ``Regression (issue 12)``, plus
the Hypothesis test that pushes arbitrary text through every field of every event. Each
of them fails if its probe loses an event, prints a traceback or leaks a planted
secret, so when all pass those three figures are 0; any failure is listed and the exit
status is 1. Run it from the repository root: ``python testing/scripts/rerun-issue-12-probes.py``
(extra arguments go to pytest; it runs without xdist, whose workers would not see the
selection).
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

MARK = "Regression (issue 12)"
PROPERTY_TEST = "test_arbitrary_text_in_every_field_gives_a_valid_document"


class ProbeSelector:
    """Keeps only the issue's probes and counts their outcomes."""

    def __init__(self) -> None:
        self.passed: list[str] = []
        self.failed: list[str] = []

    def pytest_collection_modifyitems(self, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        keep, drop = [], []
        for item in items:
            doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
            (keep if MARK in doc or item.name == PROPERTY_TEST else drop).append(item)
        items[:] = keep
        config.hook.pytest_deselected(items=drop)

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" and report.passed:
            self.passed.append(report.nodeid)
        elif report.failed:
            self.failed.append(report.nodeid)


def main(argv: list[str]) -> int:
    selector = ProbeSelector()
    status = pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:xdist", "tests",
                          *argv], plugins=[selector])
    run = len(selector.passed) + len(selector.failed)
    clean = 0 if not selector.failed else "see the failures above"
    print(f"\nissue 12 probes run: {run}, passed: {len(selector.passed)}, "
          f"failed: {len(selector.failed)}; data lost: {clean}, tracebacks: {clean}, "
          f"secrets found: {clean}")
    for nodeid in selector.failed:
        print(f"FAILED {nodeid}")
    return 1 if selector.failed or status not in (0, 5) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
