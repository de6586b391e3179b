"""Where the commands look and write when not told: the team's ``testing/reports/``
layout. The library takes every path explicitly; only the CLI has defaults."""

from __future__ import annotations

from pathlib import Path

DEFAULT_DB = Path("testing/reports/test-results.db")
DEFAULT_OUT = Path("testing/reports/test-run-results.json")
DEFAULT_REPORT = Path("testing/reports/report.html")
