"""What a query engine must offer the history questions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from recorder.history.queries import Dialect


class Engine(Protocol):
    """Runs the SQL in :mod:`recorder.history.queries` over a relation ``cases``."""

    dialect: Dialect

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of ``sql`` (already rendered for :attr:`dialect`) as dicts."""
        ...

    def select_runs(self, runs: Sequence[tuple[str, int, bool, bool]]) -> None:
        """Make ``selected(run_id, seq, infra, recent)`` hold exactly ``runs``."""
        ...
