"""Pytest reports as event data: statuses, failures, reasons and bounded output.

Anything that cannot be turned into a string cleanly becomes ``str()`` (or ``repr()``)
here, at the edge, so an odd object never crashes the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from recorder.events.bounds import CAPTURE_LIMIT, MESSAGE_LIMIT, TRACEBACK_LIMIT, bound, safe_str
from recorder.events.model import AttemptStatus, Failure


def captured(report: pytest.TestReport, kind: str) -> str:
    """What the phase ``report.when`` captured on ``kind`` (stdout, stderr, log)."""
    title = f"Captured {kind} {report.when}"
    text = "".join(content for name, content in report.sections if name == title)
    return bound(text, CAPTURE_LIMIT)


def failure_of(report: pytest.TestReport, call: pytest.CallInfo[Any] | None) -> Failure | None:
    if not report.failed:
        return None
    traceback = bound(safe_str(report.longreprtext), TRACEBACK_LIMIT)
    excinfo = call.excinfo if call is not None else None
    if excinfo is not None:
        return Failure(type=excinfo.typename,
                       message=bound(safe_str(excinfo.value), MESSAGE_LIMIT),
                       traceback=traceback)
    first_line = traceback.strip().splitlines()[0] if traceback.strip() else ""
    kind = "XPASS(strict)" if first_line.startswith("[XPASS(strict)]") else "Failure"
    return Failure(type=kind, message=bound(first_line, MESSAGE_LIMIT), traceback=traceback)


def skip_reason(report: pytest.TestReport) -> str | None:
    if not report.skipped or hasattr(report, "wasxfail"):
        return None
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = safe_str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return safe_str(longrepr) if longrepr else None


def xfail_reason(report: pytest.TestReport) -> str | None:
    reason = getattr(report, "wasxfail", None)
    return None if reason is None else safe_str(reason)


def attempt_status(reports: Sequence[pytest.TestReport]) -> tuple[AttemptStatus, str | None]:
    """The status of one attempt from its phase reports, and its skip or xfail reason.

    A failing body is ``failed``; a failing setup or teardown (with a body that did
    not fail) is ``error``; xfail and xpass are their own.
    """
    by_phase = {report.when: report for report in reports}
    setup, call, teardown = by_phase.get("setup"), by_phase.get("call"), by_phase.get("teardown")
    if setup is not None and setup.failed:
        return "error", None
    if call is not None and call.failed:
        return "failed", None
    if teardown is not None and teardown.failed:
        return "error", None
    for report in (call, setup):
        if report is None:
            continue
        if hasattr(report, "wasxfail"):
            return ("xfailed" if report.skipped else "xpassed"), xfail_reason(report)
        if report.skipped:
            return "skipped", skip_reason(report)
    return "passed", None
