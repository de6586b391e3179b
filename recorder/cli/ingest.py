"""``recorder ingest junit``: record JUnit XML reports from any harness as one run."""

from __future__ import annotations

import argparse
import os
import sys

from recorder.cli.defaults import DEFAULT_DB
from recorder.errors import InvalidInputError, UsageError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ingest", help="record test reports written by other harnesses (JUnit XML)",
        description="Record the reports of another test harness as one run in the event "
        "database, through the same journal as the pytest plugin.",
    )
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True,
                                    help="the report format: junit")
    junit = formats.add_parser(
        "junit", help="JUnit XML files (jest-junit, mocha, Surefire, Go, pytest, ...)",
        description="Read JUnit XML files (a directory means every *.xml under it) into one "
        "run; print its id as the last line. A file that cannot be read is named on stderr, "
        "listed in the run's collection errors, and makes the command exit 4; the other "
        "files are still recorded.",
    )
    junit.add_argument("paths", nargs="+", metavar="PATH",
                       help="JUnit XML files, or directories to search for *.xml")
    junit.add_argument("--db", default=str(DEFAULT_DB), metavar="PATH",
                       help=f"event database to append to (default: {DEFAULT_DB})")
    junit.add_argument("--run-id", default=None, metavar="ID",
                       help="id of the new run (default: a fresh, sortable id)")
    junit.add_argument("--project", default=None, metavar="NAME",
                       help="project name (default: $RECORDER_PROJECT, else the current "
                       "directory's name)")
    junit.add_argument("--label", action="append", default=[], metavar="K=V",
                       help="a label for the run; repeat for more")
    junit.set_defaults(handler=run)


def _labels(items: list[str]) -> dict[str, str]:
    labels = {}
    for item in items:
        key, separator, value = item.partition("=")
        if not separator or not key:
            raise UsageError(f"--label {item!r}: write it as KEY=VALUE")
        labels[key] = value
    return labels


def run(args: argparse.Namespace) -> int:
    from recorder.ingest import ingest_junit  # the parser stays quick to build

    result = ingest_junit(
        args.paths, args.db, run_id=args.run_id,
        project=args.project or os.environ.get("RECORDER_PROJECT") or None,
        labels=_labels(args.label), arguments=tuple(sys.argv[1:]),
    )
    for problem in result.problems:
        print(f"Error: {problem.message}", file=sys.stderr)
    failed = f", {len(result.problems)} could not be read" if result.problems else ""
    print(f"Ingested {result.cases} cases ({result.testcases} <testcase> elements) from "
          f"{len(result.files)} files{failed} into {args.db}")
    print(result.run_id)
    return InvalidInputError.exit_code if result.problems else 0
