"""``recorder export``: write one run's document as JSON, CTRF or JUnit XML."""

from __future__ import annotations

import argparse
import sys

from recorder.cli.defaults import DEFAULT_DB
from recorder.export.formats import FORMATS

#: The case rows are written by the history package (DuckDB), not by the format table.
DEFAULT_CASES_OUT = "testing/reports/test-run-cases.parquet"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export",
        help="fold a run's events into one JSON document (or CTRF, JUnit XML)",
        description="Fold one run's events into its run document, validate it against "
        "schemas/run.schema.json and write it atomically, as the document itself or as "
        "a CTRF report or JUnit XML.",
    )
    add_export_arguments(parser)
    parser.set_defaults(handler=run)


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=str(DEFAULT_DB), metavar="PATH",
                        help=f"event database written by --recorder-db (default: {DEFAULT_DB})")
    parser.add_argument("--out", default=None, metavar="FILE",
                        help="where to write it (default: " + ", ".join(
                            f"{f.default_out} for {f.name}" for f in FORMATS.values())
                        + f", {DEFAULT_CASES_OUT} for cases)")
    parser.add_argument("--format", default="json", choices=[*FORMATS, "cases"],
                        help="what to write: " + "; ".join(
                            f"{f.name}, {f.summary}" for f in FORMATS.values())
                        + "; cases, one row per case as Parquet, the rows 'recorder history' "
                        "reads (default: json)")
    parser.add_argument("--run-id", default=None, metavar="ID",
                        help="which run to export (default: the latest run in the database)")
    parser.add_argument("--allow-gaps", action="store_true",
                        help="export even if events are missing; the document lists the gaps")
    parser.add_argument("--compact", action="store_true",
                        help="write JSON on one line (for Athena and Trino, whose "
                        "JSON readers want one object per line; json and ctrf only)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing on success")


def run(args: argparse.Namespace) -> int:
    if args.format == "cases":
        return export_cases(args)
    from recorder.export.run_json import export_run
    from recorder.report.progress import progress_reporter

    with progress_reporter("Folding events") as progress:
        out = args.out or FORMATS[args.format].default_out
        result = export_run(args.db, out, args.run_id, allow_gaps=args.allow_gaps,
                            progress=progress, compact=args.compact, format=args.format)
    if not args.quiet:
        print(
            f"Exported run {result.run_id} ({result.head['status']}, "
            f"{result.head['summary']['total']} cases, {result.event_log['events']} events) "
            f"to {result.path}" + ("" if args.format == "json" else f" as {args.format}"),
            file=sys.stdout,
        )
    return 0


def export_cases(args: argparse.Namespace) -> int:
    from recorder.errors import UsageError
    from recorder.export.run_json import fold_run
    from recorder.history.parquet import write_parquet
    from recorder.history.rows import case_rows
    from recorder.report.progress import progress_reporter

    if args.compact:
        raise UsageError("--compact does not apply to --format cases: drop it")
    out = args.out or DEFAULT_CASES_OUT
    with progress_reporter("Folding events") as progress:
        document = fold_run(args.db, args.run_id, allow_gaps=args.allow_gaps, progress=progress)
    rows = write_parquet(case_rows(document), out, partition_keys=True)
    if not args.quiet:
        print(f"Exported {rows} case rows of run {document['run_id']} to {out}")
    return 0
