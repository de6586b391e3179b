"""Pytest reports as event data: statuses, failures, reasons and bounded output.

Anything that cannot be turned into a string cleanly becomes ``str()`` (or ``repr()``)
here, at the edge, so an odd object never crashes the run.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest

from recorder.events.bounds import CAPTURE_LIMIT, MESSAGE_LIMIT, TRACEBACK_LIMIT, bound, safe_str
from recorder.events.payloads import Payload, prop
from recorder.events.payloads import failure as failure_data

if TYPE_CHECKING:  # the literal types only: a recording process does not import the model
    from recorder.events.model import AttemptStatus, SubtestStatus


def captured(report: pytest.TestReport, kind: str) -> str:
    """What the phase ``report.when`` captured on ``kind`` (stdout, stderr, log)."""
    title = f"Captured {kind} {report.when}"
    text = "".join(content for name, content in report.sections if name == title)
    return bound(text, CAPTURE_LIMIT)


def captured_streams(report: pytest.TestReport) -> tuple[str, str, str]:
    """:func:`captured` stdout, stderr and log of the phase, in one look when there are
    none (most phases)."""
    if not report.sections:
        return "", "", ""
    return captured(report, "stdout"), captured(report, "stderr"), captured(report, "log")


def failure_of(report: pytest.TestReport, call: pytest.CallInfo[Any] | None) -> Payload | None:
    """The phase's failure as plain data (the model's ``Failure`` fields), or None."""
    if not report.failed:
        return None
    traceback = bound(safe_str(report.longreprtext), TRACEBACK_LIMIT)
    excinfo = call.excinfo if call is not None else None
    if excinfo is not None:
        return failure_data(type=excinfo.typename,
                       message=bound(_message_of(excinfo.value), MESSAGE_LIMIT),
                       traceback=traceback)
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and getattr(crash, "message", None):  # a subtest's report
        text = safe_str(crash.message)
        kind, separator, message = text.partition(": ")
        if separator and kind.replace(".", "").isidentifier():
            return failure_data(type=kind, message=bound(message, MESSAGE_LIMIT),
                                traceback=traceback)
        # pytest ends the traceback with "path:line: ExceptionType"
        last = traceback.strip().splitlines()[-1] if traceback.strip() else ""
        kind = last.rpartition(": ")[2]
        return failure_data(type=kind if kind.replace(".", "").isidentifier() else "Failure",
                       message=bound(text, MESSAGE_LIMIT), traceback=traceback)
    first_line = traceback.strip().splitlines()[0] if traceback.strip() else ""
    kind = "XPASS(strict)" if first_line.startswith("[XPASS(strict)]") else "Failure"
    return failure_data(type=kind, message=bound(first_line, MESSAGE_LIMIT), traceback=traceback)


def _message_of(error: BaseException) -> str:
    """The exception's text; for a doctest failure, what was expected and what came out
    (the exception's own ``str()`` is only ``<DocTest ...>``)."""
    kind = type(error).__name__
    if kind == "DocTestFailure":
        want, got = safe_str(error.example.want), safe_str(error.got)  # type: ignore[attr-defined]
        return f"Expected:\n{textwrap.indent(want, '    ')}Got:\n{textwrap.indent(got, '    ')}"
    if kind == "MultipleDoctestFailures":
        return "\n".join(_message_of(failure) for failure in error.failures)  # type: ignore[attr-defined]
    if kind == "UnexpectedException":
        _, value, _ = error.exc_info  # type: ignore[attr-defined]
        return f"{type(value).__name__}: {safe_str(value)}"
    return safe_str(error)


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


def is_subtest_report(report: pytest.TestReport) -> bool:
    """A subtest's report (pytest 9's ``SubtestReport``, pytest-subtests' ``SubTestReport``)."""
    context = getattr(report, "context", None)
    return hasattr(context, "msg") and hasattr(context, "kwargs")


def subtest_status(report: pytest.TestReport) -> SubtestStatus:
    if hasattr(report, "wasxfail"):
        return "xfailed"
    if report.failed:
        return "failed"
    return "skipped" if report.skipped else "passed"


def subtest_parameters(report: pytest.TestReport) -> dict[str, str]:
    kwargs = getattr(getattr(report, "context", None), "kwargs", None) or {}
    return {safe_str(name): bound(safe_str(value), 1_000) for name, value in kwargs.items()}


def subtest_message(report: pytest.TestReport) -> str | None:
    message = getattr(getattr(report, "context", None), "msg", None)
    return None if message is None else bound(safe_str(message), MESSAGE_LIMIT)


def user_properties(report: pytest.TestReport) -> tuple[Payload, ...]:
    """``record_property`` pairs (``item.user_properties``), values as bounded text, as
    plain data (the model's ``Property`` fields)."""
    pairs = getattr(report, "user_properties", None) or ()
    return tuple(prop(name=safe_str(name), value=bound(safe_str(value), MESSAGE_LIMIT))
                 for name, value in pairs)


def attempt_status(reports: Sequence[pytest.TestReport],
                   failed_subtests: int = 0) -> tuple[AttemptStatus, str | None]:
    """The status of one attempt from its phase reports, and its skip or xfail reason.

    A failing body (or a failing subtest in it) is ``failed``; a failing setup or
    teardown (with a body that did not fail) is ``error``; xfail and xpass are their own.
    """
    by_phase = {report.when: report for report in reports}
    setup, call, teardown = by_phase.get("setup"), by_phase.get("call"), by_phase.get("teardown")
    if setup is not None and setup.failed:
        return "error", None
    if call is not None and (call.failed or failed_subtests):
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
