"""The run document as a CTRF report (Common Test Report Format, https://ctrf.io).

:func:`ctrf_report` is a pure function of the document: the same document gives the
same report, key for key (even ``reportId`` and ``timestamp`` come from the document,
not from the clock). CTRF has five statuses where we have nine, so every test keeps
ours in ``rawStatus``:

=============  ===========  ===========================================
recorder       CTRF status  also
=============  ===========  ===========================================
passed         passed
failed         failed
error          failed       ``rawStatus: "error"``
skipped        skipped
xfailed        skipped      ``rawStatus: "xfailed"``
xpassed        passed       ``rawStatus: "xpassed"``
flaky          passed       ``flaky: true``, ``retries``, ``retryAttempts``
incomplete     other        ``rawStatus: "incomplete"``
not_run        pending      ``rawStatus: "not_run"``
=============  ===========  ===========================================

Times are integer milliseconds, as CTRF wants. CTRF steps are a flat list: nested steps
are listed depth first, with their depth, start and duration in the step's ``extra``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from recorder import __version__
from recorder.document import Document
from recorder.export.timestamps import epoch_millis, millis, parse_timestamp

#: The CTRF specification version this report follows (the spec's own "Version").
SPEC_VERSION = "0.0.0"

CTRF_STATUS: dict[str, str] = {
    "passed": "passed",
    "failed": "failed",
    "error": "failed",
    "skipped": "skipped",
    "xfailed": "skipped",
    "xpassed": "passed",
    "flaky": "passed",
    "incomplete": "other",
    "not_run": "pending",
}

_REPORT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/recorder/recorder/ctrf")


def ctrf_report(document: Document) -> Document:
    """The CTRF report of one run document."""
    tests = [_test(case) for suite in document["suites"] for case in suite["cases"]]
    report: Document = {
        "reportFormat": "CTRF",
        "specVersion": SPEC_VERSION,
        # Stable for the same events, different for different ones: what the spec asks.
        "reportId": str(uuid.uuid5(_REPORT_NAMESPACE, document["event_log"]["digest"])),
    }
    if document["run_id"]:
        report["runId"] = document["run_id"]
    moment = parse_timestamp(document["finished_at"] or document["started_at"])
    if moment is not None:
        report["timestamp"] = moment.isoformat()
    report["generatedBy"] = f"recorder {__version__}"
    results: Document = {
        "tool": _tool(document["tool"]),
        "summary": _summary(document, tests),
        "tests": tests,
    }
    environment = _environment(document)
    if environment:
        results["environment"] = environment
    results["extra"] = _run_extra(document)
    report["results"] = results
    return report


def _tool(tool: Document) -> Document:
    described: Document = {"name": tool["name"] or "unknown"}
    if tool["version"]:
        described["version"] = tool["version"]
    if tool["recorder_version"]:
        described["extra"] = {"recorderVersion": tool["recorder_version"]}
    return described


def _summary(document: Document, tests: list[Document]) -> Document:
    counts = dict.fromkeys(("passed", "failed", "skipped", "pending", "other"), 0)
    for test in tests:
        counts[test["status"]] += 1
    starts = [test["start"] for test in tests if "start" in test]
    stops = [test["stop"] for test in tests if "stop" in test]
    start = epoch_millis(document["started_at"])
    if start is None:
        start = min(starts, default=0)
    stop = epoch_millis(document["finished_at"])
    if stop is None:
        stop = max(stops, default=start + millis(document["duration"]))
    summary: Document = {
        "tests": len(tests),
        **counts,
        "flaky": document["summary"]["flaky"],
        "suites": len(document["suites"]),
        "start": start,
        "stop": stop,
    }
    if document["duration"] is not None:
        summary["duration"] = millis(document["duration"])
    statuses = {key: value for key, value in document["summary"].items() if key != "duration"}
    summary["extra"] = {"recorderStatuses": statuses}
    return summary


def _environment(document: Document) -> Document:
    env = document["environment"]
    git, ci = env["git"], env["ci"]
    fields = {
        "appName": document["project"],
        "buildId": ci["run_id"],
        "buildName": ci["job"],
        "buildUrl": ci["url"],
        "commit": git["commit"],
        "branchName": git["branch"],
        "osPlatform": env["os"],
        "shardId": document["shard"] or None,  # CTRF wants a non-empty shardId
    }
    environment: Document = {key: value for key, value in fields.items() if value is not None}
    extra = {
        "host": env["host"],
        "python": env["python"],
        "pythonImplementation": env["python_implementation"],
        "ciProvider": ci["provider"],
        "gitDirty": git["dirty"],
    }
    extra = {key: value for key, value in extra.items() if value is not None}
    if document["labels"]:
        extra["labels"] = dict(document["labels"])
    if extra:
        environment["extra"] = extra
    return environment


def _run_extra(document: Document) -> Document:
    extra: Document = {
        "runStatus": document["status"],
        "exitStatus": document["exit_status"],
        "eventLog": {"events": document["event_log"]["events"],
                     "digest": document["event_log"]["digest"]},
    }
    if document["interruption"] is not None:
        extra["interruption"] = document["interruption"]["reason"]
    if document["collection"]["errors"]:
        extra["collectionErrors"] = list(document["collection"]["errors"])
    return extra


def _test(case: Document) -> Document:
    status = case["status"]
    test: Document = {
        "name": case["name"] or case["id"] or "(unnamed)",
        "status": CTRF_STATUS[status],
        "rawStatus": status,
        "duration": millis(case["duration"]),
    }
    if case["id"]:
        test["testId"] = case["id"]
    start = epoch_millis(case["started_at"])
    if start is not None:
        test["start"] = start
        test["stop"] = start + test["duration"]
    if case["suite"]:
        test["suite"] = case["suite"].split("::")
    if case["file"] is not None:
        test["filePath"] = case["file"]
    if case["line"] is not None:
        test["line"] = case["line"]
    failure = case["failure"]
    message = failure["message"] if failure else case["reason"]
    if message:
        test["message"] = message
    if failure and failure["traceback"]:
        test["trace"] = failure["traceback"]
    if case["markers"]:
        test["tags"] = list(case["markers"])
    if case["parameters"]:
        test["parameters"] = dict(case["parameters"])
    if case["worker"]:
        test["threadId"] = case["worker"]
    if status == "flaky":
        test["flaky"] = True
    attempts = case["attempts"]
    if len(attempts) > 1:
        test["retries"] = len(attempts) - 1
        test["retryAttempts"] = [_attempt(attempt) for attempt in attempts]
    for stream in ("stdout", "stderr"):
        lines = "".join(phase[stream] for phase in case["phases"]).splitlines()
        if lines:
            test[stream] = lines
    steps = list(_steps(case["steps"], depth=0))
    if steps:
        test["steps"] = steps
    extra = _test_extra(case)
    if extra:
        test["extra"] = extra
    return test


def _attempt(attempt: Document) -> Document:
    described: Document = {
        "attempt": max(1, attempt["attempt"]),
        "status": CTRF_STATUS[attempt["status"]],
        "duration": millis(attempt["duration"]),
    }
    start = epoch_millis(attempt["started_at"])
    if start is not None:
        described["start"] = start
        described["stop"] = start + described["duration"]
    failure = attempt["failure"]
    if failure and failure["message"]:
        described["message"] = failure["message"]
    if failure and failure["traceback"]:
        described["trace"] = failure["traceback"]
    extra: Document = {"rawStatus": attempt["status"]}
    if attempt["worker"]:
        extra["worker"] = attempt["worker"]
    described["extra"] = extra
    return described


def _steps(steps: list[Document], depth: int) -> Iterator[Document]:
    for step in steps:
        extra: dict[str, Any] = {"rawStatus": step["status"], "depth": depth,
                                 "startedAt": step["started_at"]}
        start = epoch_millis(step["started_at"])
        if start is not None:
            extra["start"] = start
        extra["duration"] = None if step["duration"] is None else millis(step["duration"])
        if step["failure"]:
            extra["message"] = step["failure"]["message"]
        yield {"name": step["name"], "status": CTRF_STATUS[step["status"]], "extra": extra}
        yield from _steps(step["steps"], depth + 1)


def _test_extra(case: Document) -> Document:
    extra: Document = {}
    failure = case["failure"]
    if failure:
        extra["failureType"] = failure["type"]
        extra["failurePhase"] = failure["phase"]
    if failure and case["reason"]:
        extra["reason"] = case["reason"]
    log = "".join(phase["log"] for phase in case["phases"])
    if log:
        extra["log"] = log
    return extra
