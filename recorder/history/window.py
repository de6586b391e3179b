"""Which runs a question looks at: the window (``--branch``, ``--since``, ``--last``)
and which of them are infrastructure failures. Pure: run summaries in, run ids out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from recorder.history.queries import FAIL_STATUSES, PASS_STATUSES

DEFAULT_INFRA_THRESHOLD = 0.5
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@attrs.frozen
class RunSummary:
    """One run as the ``runs`` query sees it (from its case rows)."""

    run_id: str
    started_at: datetime | None
    branch: str | None
    commit: str | None
    ci_url: str | None
    status: str | None
    duration: float | None
    counts: dict[str, int]

    @property
    def judged(self) -> int:
        """Cases with an outcome (passed or failed in some form)."""
        return sum(self.counts.get(s, 0) for s in PASS_STATUSES + FAIL_STATUSES)

    @property
    def failures(self) -> int:
        return sum(self.counts.get(s, 0) for s in FAIL_STATUSES)

    def is_infra_failure(self, threshold: float) -> bool:
        """More than ``threshold`` of the judged cases failed."""
        return self.judged > 0 and self.failures > threshold * self.judged

    def order(self) -> tuple[str, str]:
        return (self.started_at.isoformat() if self.started_at else "", self.run_id)

    @classmethod
    def from_row(cls, row: dict[str, Any], statuses: Iterable[str]) -> RunSummary:
        micros = row["started_us"]
        started = None if micros is None else EPOCH + timedelta(microseconds=int(micros))
        return cls(run_id=str(row["run_id"]), started_at=started,
                   branch=row["branch"], commit=row["commit"], ci_url=row["ci_url"],
                   status=row["status"], duration=row["duration"],
                   counts={s: int(row[s] or 0) for s in statuses} | {"total": int(row["total"])})


@attrs.frozen
class Window:
    """The chosen runs, oldest first."""

    runs: tuple[RunSummary, ...]
    infra_threshold: float

    def infra(self) -> set[str]:
        return {run.run_id for run in self.runs if run.is_infra_failure(self.infra_threshold)}

    def latest(self, branch: str | None) -> RunSummary | None:
        on_branch = [run for run in self.runs if branch is None or run.branch == branch]
        return on_branch[-1] if on_branch else None


def choose(runs: Sequence[RunSummary], *, branch: str | None = None, last: int | None = None,
           infra_threshold: float = DEFAULT_INFRA_THRESHOLD) -> Window:
    """The runs of ``branch`` (all branches when None), only the ``last`` ones if given,
    oldest first (by start time, then run id). ``--since`` is applied before, to files."""
    chosen = sorted((run for run in runs if branch is None or run.branch == branch),
                    key=RunSummary.order)
    if last is not None:
        chosen = chosen[-last:] if last > 0 else []
    return Window(runs=tuple(chosen), infra_threshold=infra_threshold)
