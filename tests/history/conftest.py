"""Golden histories: hand-made sequences of runs whose right answers are obvious."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from golden import document, store  # noqa: E402

TESTS = ["stable", "retried", "same_commit", "flipper", "regressed", "broken", "slow",
         "known"]
INFRA_RUN = 7


def tid(name: str) -> str:
    return f"test_shop.py::test_{name}"


def golden_runs() -> list[dict[str, Any]]:
    """Eleven runs: r00..r09 on main (r07 an infrastructure failure: everything
    errors), then r10 on a feature branch the next day (only broken fails there).
    Per test, on main:

    - stable: always passes; slow: passes, 0.1 s in r00-r04 and 0.5 s from r05 on
    - retried: status flaky (failed, passed on retry) in r03
    - same_commit: fails in r04, passes in r05, both on commit c-same
    - flipper: fails in the odd runs (r01 r03 r05 r09), passes in the even ones
    - regressed: passes r00-r05, fails from r06 on
    - broken: fails in every run
    - known: fails in r02 ("timeout after 30 s"), passes, fails again in r09 with the
      same failure ("timeout after 45 s"), so that failure is not new
    """
    runs = []
    for index in range(10):
        if index == INFRA_RUN:
            cases: dict[str, Any] = {
                tid(name): {"status": "error", "kind": "ConnectionError",
                            "message": "database at 10.0.0.7 unavailable"}
                for name in TESTS}
        else:
            cases = {
                tid("stable"): "passed",
                tid("retried"): "flaky" if index == 3 else "passed",
                tid("same_commit"): "failed" if index == 4 else "passed",
                tid("flipper"): "failed" if index % 2 else "passed",
                tid("regressed"): "failed" if index >= 6 else "passed",
                tid("broken"): "failed",
                tid("slow"): ("passed", 0.1 if index < 5 else 0.5),
                tid("known"): ({"status": "failed", "message": "timeout after 30 s"}
                               if index == 2 else
                               {"status": "failed", "message": "timeout after 45 s"}
                               if index == 9 else "passed"),
            }
        commit = "c-same" if index in (4, 5) else None
        runs.append(document(f"r{index:02d}", index, cases, commit=commit))
    feature = ({tid(name): "passed" for name in TESTS}
               | {tid("broken"): "failed", tid("slow"): ("passed", 0.5)})
    runs.append(document("r10", 20, feature, branch="feature"))  # the next day, 05:00
    return runs


@pytest.fixture(scope="session")
def golden_documents() -> list[dict[str, Any]]:
    return golden_runs()


@pytest.fixture(scope="session")
def golden_layout(golden_documents: list[dict[str, Any]],
                  tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden history in the upload layout (one Parquet file per run)."""
    return store(golden_documents, tmp_path_factory.mktemp("golden-layout"))
