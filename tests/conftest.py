"""Shared test setup: Hypothesis profiles, and isolation from any recording that
the outer pytest run (testing/run-all-tests.sh) may be doing."""

from __future__ import annotations

import os

import pytest
import sqlite_utils  # noqa: F401
from hypothesis import HealthCheck, settings

# pytester unloads, after each test, the modules first imported during it. sqlite-utils
# imports numpy when it is installed, and numpy cannot be loaded twice in one process (the
# Spark test needs it later), so both are loaded here, once, before any test.

settings.register_profile("dev", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
# CI: 100 examples per property (about 100 s for all of them on this 2-core machine,
# 200 s at 200 examples, which took the suite past 6 minutes). HYPOTHESIS_PROFILE=thorough
# runs 500 for a deeper look.
settings.register_profile("ci", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(autouse=True)
def _no_inherited_recording(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pytest sessions started by a test must not record into the outer run."""
    for name in ("RECORDER_DB", "RECORDER_RUN_ID", "RECORDER_PROJECT"):
        monkeypatch.delenv(name, raising=False)
