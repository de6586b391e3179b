"""``recorder merge``: make one run of several shards' event databases."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "merge", help="merge shard databases (pytest-split, matrix jobs) into one run",
        description="Copy the latest run of each shard database into OUT.db as one run, "
        "each shard its own event source. Merging a shard again adds nothing, and the "
        "order of the inputs does not matter. Prints the merged run id as the last line.",
    )
    parser.add_argument("--into", required=True, metavar="OUT.db",
                        help="database to merge into (created if missing; must not be an input)")
    parser.add_argument("inputs", nargs="+", metavar="IN.db",
                        help="a shard's event database, as written by --recorder-db")
    parser.add_argument("--run-id", default=None, metavar="ID",
                        help="run id of the merged run (default: the run id the shards share, "
                        "else one derived from theirs); reuse it to add shards later")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from recorder.store.merge import merge_shards

    result = merge_shards(args.into, args.inputs, args.run_id)
    print(f"Merged {result.shards} shard(s) ({result.events} events, {result.added} new) "
          f"into {result.into} as run {result.run_id}")
    print(result.run_id)
    return 0
