"""``recorder demo``: record a sample run and show its summary."""

from __future__ import annotations

import argparse

from recorder.cli.summary import print_summary

DEFAULT_DEMO_DB = "testing/reports/demo-results.db"
DEFAULT_DEMO_OUT = "testing/reports/demo-run-results.json"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="record a sample test run, export it and show its summary",
        description="Run recorder's bundled sample suite (a pretend shop, with failures on "
        "purpose) under pytest with recording, export the run document and summarize it.",
    )
    parser.add_argument("--db", default=DEFAULT_DEMO_DB, metavar="PATH",
                        help=f"event database to record into (default: {DEFAULT_DEMO_DB})")
    parser.add_argument("--out", default=DEFAULT_DEMO_OUT, metavar="FILE",
                        help=f"where to write the document (default: {DEFAULT_DEMO_OUT})")
    parser.add_argument("--quiet", "-q", action="store_true", help="hide pytest's own output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from recorder.demo import run_demo
    from recorder.document.reader import load_document

    result = run_demo(args.db, args.out, quiet=args.quiet)
    print(f"\nRecorded run {result.run_id} into {args.db}; document: {result.path}\n")
    print_summary(load_document(result.path))
    return 0
