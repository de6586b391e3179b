"""The "which run" options that ``summary`` and ``report`` share: an exported document
(``--json``) or an event database folded on the spot (``--db`` and ``--run-id``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from recorder.cli.defaults import DEFAULT_DB, DEFAULT_OUT
from recorder.errors import UsageError

if TYPE_CHECKING:
    from recorder.document import Document


def add_run_source_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_argument_group("which run (give --json or --db)")
    source.add_argument("--json", metavar="FILE",
                        help=f"an exported run document (e.g. {DEFAULT_OUT})")
    source.add_argument("--db", metavar="PATH",
                        help=f"an event database written by --recorder-db (e.g. {DEFAULT_DB})")
    source.add_argument("--run-id", metavar="ID",
                        help="with --db: which run (default: the latest run in the database)")


def load_run(args: argparse.Namespace, *, purpose: str) -> Document:
    """The run the options name; ``purpose`` ("summarize", "report") words the error
    when neither is given. A log with gaps is folded anyway (the document lists them)."""
    from recorder.document.reader import load_document
    from recorder.export.run_json import fold_run
    from recorder.report.progress import progress_reporter

    if args.json and args.db:
        raise UsageError("give either --json FILE or --db PATH, not both")
    if args.json:
        if args.run_id:
            raise UsageError("--run-id picks a run in --db PATH; an exported --json "
                             "document holds one run already")
        return load_document(args.json)
    if args.db:
        with progress_reporter("Folding events") as progress:
            return fold_run(args.db, args.run_id, allow_gaps=True, progress=progress)
    raise UsageError(f"say which run to {purpose}: --json FILE (an exported document, "
                     f"e.g. {DEFAULT_OUT}) or --db PATH (e.g. {DEFAULT_DB})")
