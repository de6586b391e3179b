"""``recorder summary``: one run at a glance, in the terminal or as GitHub markdown."""

from __future__ import annotations

import argparse
import io
import os
import sys

from recorder.cli.defaults import DEFAULT_DB, DEFAULT_OUT
from recorder.document import Document
from recorder.errors import UsageError
from recorder.report.selection import SLOWEST

MIN_WIDTH = 40


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "summary",
        help="show one run: counts, failures with their location, slowest cases",
        description="Summarize one run: its status, the counts per status, each suite, "
        "every failed and errored case with where it failed, flaky and incomplete "
        "cases and the slowest cases. Read an exported document (--json) or fold the "
        "event database directly (--db).",
    )
    source = parser.add_argument_group("which run (give --json or --db)")
    source.add_argument("--json", metavar="FILE",
                        help=f"an exported run document (e.g. {DEFAULT_OUT})")
    source.add_argument("--db", metavar="PATH",
                        help=f"an event database written by --recorder-db (e.g. {DEFAULT_DB})")
    source.add_argument("--run-id", metavar="ID",
                        help="with --db: which run (default: the latest run in the database)")
    parser.add_argument("--slowest", metavar="N", default=str(SLOWEST),
                        help=f"how many of the slowest cases to list (default: {SLOWEST}; "
                        "0 for none)")
    parser.add_argument("--markdown", action="store_true",
                        help="print GitHub-flavoured markdown instead, e.g. to append to "
                        "$GITHUB_STEP_SUMMARY")
    parser.add_argument("--width", metavar="COLUMNS",
                        help="render for this many columns (default: the terminal's width, "
                        "or 80 when output is not a terminal)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    slowest = _number(args.slowest, "--slowest", minimum=0)
    width = _number(args.width, "--width", minimum=MIN_WIDTH) if args.width else None
    print_summary(_load(args), slowest=slowest, width=width, markdown=args.markdown)
    return 0


def print_summary(document: Document, *, slowest: int = SLOWEST, width: int | None = None,
                  markdown: bool = False) -> None:
    """Print ``document``'s summary on stdout (also used by ``recorder demo``)."""
    try:
        if markdown:
            from recorder.report.markdown import render_markdown

            _write_utf8(render_markdown(document, slowest=slowest))
        else:
            from rich.console import Console

            from recorder.report.terminal import render_summary

            _tolerate_unencodable(sys.stdout)
            console = Console(width=width, highlight=False, emoji=False)
            console.print(render_summary(document, slowest=slowest))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``recorder summary | head``): stop quietly with exit
        # status 1, as Rich itself does when a print hits a closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None


def _load(args: argparse.Namespace) -> Document:
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
    raise UsageError(f"say which run to summarize: --json FILE (an exported document, "
                     f"e.g. {DEFAULT_OUT}) or --db PATH (e.g. {DEFAULT_DB})")


def _number(value: str, option: str, *, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise UsageError(f"{option} takes a whole number of at least {minimum}, not {value!r}")
    return number


def _write_utf8(text: str) -> None:
    """Markdown goes out as UTF-8 whatever the locale: GitHub reads it as UTF-8."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def _tolerate_unencodable(stream: object) -> None:
    """On a non-UTF-8 terminal, show ``?`` for characters it cannot encode, not a
    traceback (Rich already falls back to ASCII boxes there)."""
    if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
        encoding = (stream.encoding or "").lower().replace("-", "")
        if encoding != "utf8":
            stream.reconfigure(errors="replace")
