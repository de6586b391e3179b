"""The ``recorder`` command line: a thin layer over the library.

Each subcommand lives in its own module in this package and exposes
``register(subparsers)``, which adds its parser and sets ``handler`` to a function
``(argparse.Namespace) -> int``. User errors (:class:`recorder.errors.RecorderError`)
are printed here, in one place, as a single ``Error: ...`` line without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from recorder import __version__
from recorder.errors import RecorderError

COMMAND_MODULES: tuple[str, ...] = ("demo", "export", "ingest", "merge", "runs", "verify",
                                     "summary", "report", "upload", "history")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only`` (a name in :data:`COMMAND_MODULES`), just
    that command under the same top level: what parsing ``recorder ONLY ...`` needs,
    without importing every other command's module (a few tens of milliseconds)."""
    parser = argparse.ArgumentParser(
        prog="recorder",
        description="Record test runs as events, export them as one JSON document, "
        "summarize and upload them.",
    )
    parser.add_argument("--version", action="version", version=f"recorder {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in (only,) if only in COMMAND_MODULES else COMMAND_MODULES:
        module = importlib.import_module(f"recorder.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    # A command named first is all the parser needs to know (--help and a bad command
    # name, which list every command, come with no command first).
    parser = build_parser(arguments[0] if arguments else None)
    args = parser.parse_args(arguments)
    try:
        return int(args.handler(args))
    except RecorderError as error:
        print(f"Error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("Error: interrupted", file=sys.stderr)
        return 130
