"""``recorder report``: one self-contained HTML file of a run, with its history."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import TYPE_CHECKING, Any

from recorder.cli.defaults import DEFAULT_REPORT
from recorder.cli.run_source import add_run_source_arguments, load_run
from recorder.errors import UsageError

if TYPE_CHECKING:
    from recorder.report.html import HistoryView

#: The answers of ``recorder history`` the report shows.
QUESTIONS = ("runs", "flaky", "failing", "slow", "tests")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write one self-contained HTML report of a run (and its history)",
        description="Write one HTML file a person opens: the run's status, counts, suites, "
        "every failure with its traceback and output, flaky and slowest cases, a timeline "
        "per worker and a filterable list of every case; with --history, trend charts, "
        "flaky, failing and slow tests over the uploaded runs. The file needs no network: "
        "everything is inline.",
    )
    add_run_source_arguments(parser)
    parser.add_argument("--history", metavar="LOCATION",
                        help="add the history read from the uploaded runs: a folder or "
                        "s3://BUCKET/PREFIX, as for 'recorder history --from'")
    parser.add_argument("--project", metavar="P",
                        help="with --history: which project (default: the run's project)")
    parser.add_argument("--branch", metavar="B",
                        help="with --history: only runs of this branch (default: all)")
    parser.add_argument("--out", metavar="FILE", default=str(DEFAULT_REPORT),
                        help=f"where to write the report (default: {DEFAULT_REPORT})")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from recorder.export.atomic import write_atomically
    from recorder.report.html import render_report

    if (args.project or args.branch) and not args.history:
        raise UsageError("--project and --branch choose runs of --history LOCATION: give "
                         "--history too, or drop them")
    document = load_run(args, purpose="report")
    history = None
    if args.history:
        history = load_history(args.history, args.project or document.get("project"),
                               args.branch)
    size = write_atomically(args.out, [render_report(document, history)])
    print(f"Wrote {args.out} ({size} bytes)", file=sys.stderr)
    return 0


def load_history(location: str, project: str | None, branch: str | None) -> HistoryView:
    """The answers ``recorder history`` gives for ``location`` (the report's one
    connection to :mod:`recorder.history`), with each listed test's outcome per run."""
    from recorder.report.html import HistoryView

    try:
        locations = importlib.import_module("recorder.history.location")
        questions = importlib.import_module("recorder.history.questions")
        reader = importlib.import_module("recorder.history.reader")
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("recorder.history"):
            raise
        raise UsageError(f"--history {location}: this recorder has no history reader "
                         "(recorder.history); install one that has 'recorder history'") from error
    history = reader.open_history(locations.parse_location(location), project=project)
    options = questions.Options(branch=branch, limit=0)
    answers = {name: questions.ANSWERS[name](history, options) for name in QUESTIONS}
    test_ids = [item["id"] for item in answers["tests"]["tests"]]
    return HistoryView(runs=answers["runs"], flaky=answers["flaky"], failing=answers["failing"],
                       slow=answers["slow"], tests=answers["tests"],
                       outcomes=_outcomes(history, test_ids), source=location)


def _outcomes(history: Any, test_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each test's status and duration in every run of the window, oldest first (the
    window is the one the last answer selected)."""
    if not test_ids:
        return {}
    listed = ", ".join("'" + test_id.replace("'", "''") + "'" for test_id in test_ids)
    rows = history.run_query(
        "SELECT c.case_id, s.seq, c.run_id, c.status, c.duration FROM cases c "
        f"JOIN selected s ON s.run_id = c.run_id WHERE c.case_id IN ({listed}) "
        "ORDER BY c.case_id, s.seq")
    outcomes: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        outcomes.setdefault(row["case_id"], []).append(
            {"run_id": row["run_id"], "status": row["status"], "duration": row["duration"]})
    return outcomes
