"""The status vocabulary of a run document, and the rules that give a case and a run
their status. The projector applies these rules; every reader of a document (summary,
markdown, exports) takes the vocabulary from here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

#: Case statuses in the order they are counted and shown.
CASE_STATUSES = (
    "passed",
    "failed",
    "error",
    "skipped",
    "xfailed",
    "xpassed",
    "flaky",
    "incomplete",
    "not_run",
)
#: Attempt statuses that make a run fail (and a later pass of the same case flaky).
FAILING = frozenset({"failed", "error"})
RUN_STATUSES = ("passed", "failed", "interrupted", "empty")


def case_status(attempt_statuses: Sequence[str]) -> str:
    """The final attempt's status, or ``flaky`` when it passed after one that failed,
    errored or never finished (its worker crashed and the case was run again)."""
    final = attempt_statuses[-1]
    if final == "passed" and any(status in FAILING or status == "incomplete"
                                 for status in attempt_statuses[:-1]):
        return "flaky"
    return final


def run_status(*, interrupted: bool, counts: Mapping[str, int], collection_errors: int,
               exit_status: int | None = None) -> str:
    """``interrupted`` without a clean finish; else ``failed`` if any case failed, errored
    or never finished, or collection failed, or the harness exited with a failing status
    (anything but 0, or 5 for "no tests"); else ``empty`` with no cases; else ``passed``.

    A finished run is therefore ``passed`` only when its exit status was 0: what the
    recorder saw never contradicts the harness (a failure it could not attribute to a
    case, such as a plugin's own check, still fails the run)."""
    if interrupted:
        return "interrupted"
    if counts["failed"] or counts["error"] or counts["incomplete"] or collection_errors:
        return "failed"
    if exit_status not in (None, 0, 5):
        return "failed"
    if counts["total"] == 0:
        return "empty"
    if exit_status == 5:  # cases recorded, yet the harness saw none: do not call it passed
        return "failed"
    return "passed"


def primary_source(sources: Iterable[str]) -> str | None:
    """The source whose ``run.started``/``run.finished`` describe the run when several
    sent one (shards): the lowest name, so the choice never depends on arrival order."""
    return min(sources, default=None)
