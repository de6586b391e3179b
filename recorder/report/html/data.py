"""The data the page's script draws from, as compact JSON embedded in the page: every
case (for the filtered, paged case list), every attempt placed on its worker's lane
(the timeline), and the history's series (trend charts, sparklines). Pure."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from recorder.document import Document
from recorder.document.status import CASE_STATUSES, FAILING
from recorder.report.html.history_view import HistoryView
from recorder.report.html.markup import anchor
from recorder.report.selection import all_cases

#: Statuses a case entry is written for in the page (failures, flaky): the list links them.
LINKED = frozenset({"failed", "error", "incomplete", "flaky"})
#: Pass-rate numerator and denominator statuses (skipped and not-run cases count in neither).
PASSING = ("passed", "flaky", "xfailed", "xpassed")
COUNTED_FAILING = ("failed", "error", "incomplete")


def _moment(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def case_rows(document: Document) -> dict[str, Any]:
    """Columns of the case list: the case id as its suite (an index into ``suites``, or
    -1) and the rest of the id after ``::``, status index, duration (ms), anchor (or "").
    Ids share their suite's prefix, so this keeps a 20,000-case page well under 5 MB."""
    suites: list[str] = []
    suite_index, names, statuses, durations, anchors = [], [], [], [], []
    for suite in document["suites"]:
        prefix = suite["id"] + "::"
        index = len(suites)
        suites.append(suite["id"])
        for case in suite["cases"]:
            case_id = case["id"]
            inside = case_id.startswith(prefix)
            suite_index.append(index if inside else -1)
            names.append(case_id[len(prefix):] if inside else case_id)
            statuses.append(CASE_STATUSES.index(case["status"]))
            duration = case.get("duration")
            durations.append(None if duration is None else round(duration * 1000, 1))
            anchors.append(anchor(case_id) if case["status"] in LINKED else "")
    return {"statuses": list(CASE_STATUSES), "suites": suites, "sx": suite_index,
            "n": names, "st": statuses, "ms": durations, "a": anchors}


def timeline(document: Document) -> dict[str, Any]:
    """Every attempt that has a start time, on its worker's lane: start offset from the
    run's start and duration, in seconds; its case (index into the case list); status."""
    origin = _moment(document.get("started_at"))
    workers: list[str] = []
    lane: dict[str, int] = {}
    w, start, length, case_index, status = [], [], [], [], []
    for index, case in enumerate(all_cases(document)):
        for attempt in case.get("attempts", []):
            began = _moment(attempt.get("started_at"))
            if began is None:
                continue
            origin = began if origin is None else origin
            worker = attempt.get("worker") or case.get("worker") or "main"
            if worker not in lane:
                lane[worker] = len(workers)
                workers.append(worker)
            w.append(lane[worker])
            start.append(round(began - origin, 4))
            length.append(round(attempt.get("duration") or 0.0, 4))
            case_index.append(index)
            status.append(CASE_STATUSES.index(attempt["status"])
                          if attempt["status"] in CASE_STATUSES else 0)
    order = sorted(range(len(workers)), key=lambda i: workers[i])
    rank = {old: new for new, old in enumerate(order)}
    return {"workers": [workers[i] for i in order], "w": [rank[i] for i in w], "s": start,
            "d": length, "c": case_index, "st": status}


def _pass_rate(counts: dict[str, Any]) -> float | None:
    good = sum(int(counts.get(name) or 0) for name in PASSING)
    bad = sum(int(counts.get(name) or 0) for name in COUNTED_FAILING)
    return round(good / (good + bad), 4) if good + bad else None


def history_series(history: HistoryView) -> dict[str, Any]:
    runs = history.run_items()
    tests: dict[str, Any] = {}
    for test_id, outcomes in sorted(history.outcomes.items()):
        tests[test_id] = {
            "d": [o.get("duration") for o in outcomes],
            "f": [1 if o.get("status") in FAILING else 0 for o in outcomes],
            "r": [o.get("run_id") for o in outcomes],
        }
    return {
        "runs": [run["run_id"] for run in runs],
        "commits": [(run.get("commit") or "")[:10] for run in runs],
        "pass_rate": [_pass_rate(run.get("counts") or {}) for run in runs],
        "duration": [run.get("duration") for run in runs],
        "failed": [sum(int((run.get("counts") or {}).get(n) or 0) for n in COUNTED_FAILING)
                   for run in runs],
        "tests": tests,
    }


def page_data(document: Document, history: HistoryView | None) -> bytes:
    """The JSON embedded in the page, safe inside ``<script>``: every ``<`` (which can
    only be inside a string) is written as ``\\u003c``."""
    data: dict[str, Any] = {"cases": case_rows(document), "timeline": timeline(document)}
    if history is not None:
        data["history"] = history_series(history)
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                         allow_nan=False)
    return encoded.replace("<", "\\u003c").encode("utf-8")
