"""``recorder history``: questions about many runs (flaky, failing, slow, tests, runs)
and ``compact``, over the uploaded history (a folder or ``s3://bucket/prefix``)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from recorder.errors import UsageError

QUESTIONS = {
    "flaky": ("tests whose outcome changes without a code change, with the evidence",
              "Tests that failed then passed in one run (retries), passed and failed on the "
              "same commit, or flipped at least --min-flips times on a branch. Runs where "
              "more than --infra-threshold of the judged cases failed are infrastructure "
              "failures and left out; tests that failed in every run are listed as broken."),
    "failing": ("tests failing in the latest run, failing since when",
                "Every test failing in the latest run of the branch (--branch, else the "
                "latest run's branch): the first run of its current failing streak, the "
                "last passing run before it, the commits between, how many runs it has "
                "failed, its failure fingerprint and whether that failure is new."),
    "slow": ("p50 / p95 durations per test, and which got slower",
             "Per test, the p50 and p95 duration of its passing runs in the window, and the "
             "p50 of its passing runs among the last --recent runs of the window against "
             "the p50 of its earlier passing runs (when each side has at least --min-runs). "
             "Regressions first."),
    "tests": ("pass rate per test",
              "Per test: runs, passed, failed and flaky counts and the pass rate "
              "passed / (passed + failed), lowest first (per branch with --branch)."),
    "runs": ("one line per run",
             "One line per run, newest first: status, counts, duration, commit, branch and "
             "CI link, with infrastructure failures marked."),
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "history",
        help="ask the uploaded history: flaky, failing, slow, tests, runs; compact it",
        description="Answer questions over many runs from the case rows stored by "
        "'recorder upload' (a local folder, or s3://BUCKET/PREFIX read in place by DuckDB), "
        "and compact them into day files. Needs the 'history' extra.",
    )
    commands = parser.add_subparsers(dest="history_command", metavar="QUESTION",
                                     required=True,
                                     help="flaky, failing, slow, tests, runs, or compact")
    for name, (summary, description) in QUESTIONS.items():
        question = commands.add_parser(name, help=summary, description=description)
        _add_source(question)
        _add_window(question)
        _add_output(question)
        _add_rules(question, name)
        question.set_defaults(handler=_answer, question=name)
    compact = commands.add_parser(
        "compact", help="write one Parquet file per day, which readers prefer",
        description="Write cases-compacted/project=P/date=D/runs-N-DIGEST.parquet for every "
        "day not compacted yet. Never deletes or overwrites an object; idempotent; safe "
        "while CI uploads (a run uploaded meanwhile is read per run until the next compact).")
    compact.add_argument("location", nargs="?", metavar="LOCATION",
                         help="the history (same as --from)")
    _add_source(compact, required=False)
    compact.add_argument("--json", action="store_true",
                         help="print the result as one JSON object")
    compact.set_defaults(handler=_compact)


def _add_source(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument("--from", dest="source", required=required, metavar="LOCATION",
                        help="a folder (the uploaded layout, or any folder of run "
                        "documents) or s3://BUCKET/PREFIX")
    parser.add_argument("--project", metavar="P",
                        help="which project (needed when the history holds several)")
    parser.add_argument("--endpoint-url", metavar="URL",
                        help="S3 endpoint for non-AWS storage (default: AWS_ENDPOINT_URL, "
                        "else AWS S3)")


def _add_window(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--branch", metavar="B", help="only runs of this branch")
    window = parser.add_mutually_exclusive_group()
    window.add_argument("--since", metavar="DATE",
                        help="only runs started on or after this UTC day (YYYY-MM-DD)")
    window.add_argument("--last", metavar="N", help="only the latest N runs")


def _add_output(parser: argparse.ArgumentParser) -> None:
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true",
                        help="print one JSON object on stdout")
    output.add_argument("--markdown", action="store_true",
                        help="print GitHub-flavoured markdown (e.g. for $GITHUB_STEP_SUMMARY)")


def _add_rules(parser: argparse.ArgumentParser, name: str) -> None:
    if name != "failing":
        parser.add_argument("--limit", metavar="N", default="50",
                            help="list at most N (default: 50; 0 for all)")
    if name in ("flaky", "runs"):
        parser.add_argument("--infra-threshold", metavar="FRACTION", default="0.5",
                            help="a run where more than this share of the judged cases "
                            "failed is an infrastructure failure (default: 0.5)")
    if name == "flaky":
        parser.add_argument("--min-flips", metavar="N", default="3",
                            help="flips on a branch that make a test flaky by themselves "
                            "(default: 3; a break and its fix are 2)")
    if name == "slow":
        parser.add_argument("--recent", metavar="N", default="5",
                            help="the last N runs of the window are 'recent', the earlier "
                            "ones the baseline (default: 5)")
        parser.add_argument("--min-runs", metavar="N", default="3",
                            help="passing runs a test needs on each side to be compared "
                            "(default: 3)")


def _integer(value: str, option: str, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise UsageError(f"{option} {value!r} is not a whole number of at least {minimum}: "
                         f"pass {option} {max(minimum, 1)} or more")
    return number


def _fraction(value: str, option: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise UsageError(f"{option} {value!r} is not a fraction between 0 and 1: pass e.g. "
                         f"{option} 0.5")
    return number


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--since {value!r} is not a date: pass a UTC day as YYYY-MM-DD, "
                         "e.g. --since 2026-11-01") from None


def _answer(args: argparse.Namespace) -> int:
    from recorder.history.location import parse_location
    from recorder.history.questions import ANSWERS, Options
    from recorder.history.reader import open_history

    defaults = Options()
    options = Options(
        branch=args.branch,
        last=_integer(args.last, "--last", 1) if args.last is not None else None,
        infra_threshold=(_fraction(args.infra_threshold, "--infra-threshold")
                         if hasattr(args, "infra_threshold") else defaults.infra_threshold),
        min_flips=(_integer(args.min_flips, "--min-flips", 1)
                   if hasattr(args, "min_flips") else defaults.min_flips),
        recent=_integer(args.recent, "--recent", 1) if hasattr(args, "recent")
        else defaults.recent,
        min_runs=_integer(args.min_runs, "--min-runs", 1) if hasattr(args, "min_runs")
        else defaults.min_runs,
        limit=_integer(args.limit, "--limit", 0) if hasattr(args, "limit") else 0,
    )
    since = _day(args.since)
    location = parse_location(args.source, endpoint_url=args.endpoint_url)
    history = open_history(location, project=args.project, since=since)
    answer = ANSWERS[args.question](history, options)
    _print(args, answer)
    return 0


def _print(args: argparse.Namespace, answer: dict[str, object]) -> None:
    if args.json:
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        return
    from recorder.history.views import render_markdown, render_table

    if args.markdown:
        sys.stdout.write(render_markdown(args.question, answer))
        return
    from rich.console import Console

    Console(highlight=False, emoji=False).print(render_table(args.question, answer))


def _compact(args: argparse.Namespace) -> int:
    from recorder.history.compact import compact
    from recorder.history.location import parse_location

    if args.location and args.source and args.location != args.source:
        raise UsageError("give the history once: LOCATION or --from, not both")
    text = args.location or args.source
    if not text:
        raise UsageError("compact needs the history: pass LOCATION (a folder or "
                         "s3://BUCKET/PREFIX)")
    result = compact(parse_location(text, endpoint_url=args.endpoint_url),
                     project=args.project)
    if args.json:
        sys.stdout.write(json.dumps(result.to_dict()) + "\n")
    else:
        sys.stdout.write(f"Compacted {len(result.written)} days ({result.runs} runs); "
                         f"{result.up_to_date} days were already compacted\n")
    return 0
