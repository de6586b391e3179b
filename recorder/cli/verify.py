"""``recorder verify``: check an event database's integrity."""

from __future__ import annotations

import argparse

from recorder.cli.defaults import DEFAULT_DB
from recorder.errors import InvalidInputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "verify", help="check an event database: integrity, triggers, gaps, bad rows",
        description="Check SQLite integrity, the append-only triggers, gap-free source_seq "
        "per source, and that every event decodes. Exits 0 when all is well, 4 otherwise.",
    )
    parser.add_argument("--db", default=str(DEFAULT_DB), metavar="PATH",
                        help=f"event database (default: {DEFAULT_DB})")
    parser.add_argument("--run-id", default=None, metavar="ID",
                        help="check only this run (default: every run)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from recorder.store.verify import verify_database

    report = verify_database(args.db, args.run_id)
    for check in report.runs:
        sources = ", ".join(f"{s.source} {s.events}" for s in check.sources)
        print(f"run {check.run_id}: {check.events} events ({sources})")
    for problem in report.problems:
        print(f"problem: {problem}")
    if not report.ok:
        raise InvalidInputError(
            f"{args.db} failed verification with {len(report.problems)} problem(s) listed above: "
            "export with --allow-gaps to keep what is there, or record the run again"
        )
    print(f"{args.db}: ok")
    return 0
