"""``recorder runs``: list the runs in an event database."""

from __future__ import annotations

import argparse

from recorder.cli.defaults import DEFAULT_DB


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "runs", help="list the runs in an event database",
        description="List the runs in an event database, oldest first, with their event counts.",
    )
    parser.add_argument("--db", default=str(DEFAULT_DB), metavar="PATH",
                        help=f"event database (default: {DEFAULT_DB})")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from recorder.store.sqlite import EventStore

    with EventStore.open_existing(args.db) as store:
        for info in store.runs():
            print(f"{info.run_id}\t{info.events} events")
    return 0
