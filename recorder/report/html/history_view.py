"""The history the report shows, as the plain JSON-ready dicts ``recorder history``
prints (issue 18): ``runs``, ``flaky``, ``failing``, ``slow`` and ``tests`` answers,
each the whole object (``{"runs": [...], "window": ...}``), plus ``outcomes``, each
test's status and duration run by run, for the sparklines and outcome strips."""

from __future__ import annotations

from typing import Any

import attrs

Answer = dict[str, Any]
#: One test's outcome in one run: ``{"run_id", "status", "duration"}``.
Outcome = dict[str, Any]


@attrs.frozen
class HistoryView:
    runs: Answer = attrs.field(factory=lambda: {"runs": []})
    flaky: Answer = attrs.field(factory=lambda: {"flaky": []})
    failing: Answer = attrs.field(factory=lambda: {"failing": []})
    slow: Answer = attrs.field(factory=lambda: {"slow": []})
    tests: Answer = attrs.field(factory=lambda: {"tests": []})
    #: test id -> its outcomes, oldest run first (the runs of the window it ran in).
    outcomes: dict[str, list[Outcome]] = attrs.field(factory=dict)
    #: where the history was read from, shown in the section's heading.
    source: str = ""

    def run_items(self) -> list[Answer]:
        """The runs oldest first (``recorder history runs`` lists the newest first)."""
        items = list(self.runs.get("runs", []))
        return sorted(items, key=lambda run: (run.get("started_at") or "", run["run_id"]))
