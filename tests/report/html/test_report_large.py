"""The issue-15 budget for a 20,000-case run: under 5 MB, open in headless Chromium in
under 2 s. Slow (about 25 s): run with -m slow."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from browser import chromium_missing

from tests.support import REPO, unavailable


@pytest.mark.slow
def test_a_20000_case_report_is_under_5_mb_and_opens_in_under_2_s() -> None:
    if (missing := chromium_missing()) is not None:
        unavailable(missing)
    result = subprocess.run(
        [sys.executable, str(REPO / "testing" / "benchmarks" / "report_bench.py"),
         "--cases", "20000", "--rounds", "3"],
        capture_output=True, text=True, check=True, timeout=600)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["cases"] >= 20_000
    assert figures["bytes"] < 5_000_000
    assert figures["chromium_open_median_s"] < 2.0
