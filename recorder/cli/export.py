"""``recorder export``: write one run's document as JSON."""

from __future__ import annotations

import argparse
import sys

from recorder.exporter import DEFAULT_DB, DEFAULT_OUT, export_run
from recorder.progress import progress_reporter

DEFAULT_CASES_OUT = "testing/reports/test-run-cases.parquet"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export",
        help="fold a run's events into one JSON document",
        description="Fold one run's events into its run document, validate it against "
        "schemas/run.schema.json and write it atomically.",
    )
    add_export_arguments(parser)
    parser.set_defaults(handler=run)


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=str(DEFAULT_DB), metavar="PATH",
                        help=f"event database written by --recorder-db (default: {DEFAULT_DB})")
    parser.add_argument("--out", default=str(DEFAULT_OUT), metavar="FILE",
                        help=f"where to write the document (default: {DEFAULT_OUT})")
    parser.add_argument("--run-id", default=None, metavar="ID",
                        help="which run to export (default: the latest run in the database)")
    parser.add_argument("--allow-gaps", action="store_true",
                        help="export even if events are missing; the document lists the gaps")
    parser.add_argument("--compact", action="store_true",
                        help="write the document on one line (for Athena and Trino, whose "
                        "JSON readers want one object per line)")
    parser.add_argument("--format", choices=("json", "cases"), default="json",
                        help="json: the run document; cases: one row per case as Parquet "
                        f"(default --out {DEFAULT_CASES_OUT}), the rows 'recorder history' reads")
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")


def run(args: argparse.Namespace) -> int:
    if args.format == "cases":
        return export_cases(args)
    with progress_reporter("Folding events") as progress:
        result = export_run(args.db, args.out, args.run_id, allow_gaps=args.allow_gaps,
                            progress=progress, compact=args.compact)
    if not args.quiet:
        print(
            f"Exported run {result.run_id} ({result.head['status']}, "
            f"{result.head['summary']['total']} cases, {result.event_log['events']} events) "
            f"to {result.path}",
            file=sys.stdout,
        )
    return 0


def export_cases(args: argparse.Namespace) -> int:
    from recorder.exporter import fold_run
    from recorder.history.parquet import write_parquet
    from recorder.history.rows import case_rows

    out = DEFAULT_CASES_OUT if args.out == str(DEFAULT_OUT) else args.out
    with progress_reporter("Folding events") as progress:
        document = fold_run(args.db, args.run_id, allow_gaps=args.allow_gaps, progress=progress)
    rows = write_parquet(case_rows(document), out, partition_keys=True)
    if not args.quiet:
        print(f"Exported {rows} case rows of run {document['run_id']} to {out}")
    return 0
