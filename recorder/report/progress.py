"""A progress bar for long folds: shown on an interactive terminal after about a
second, never when stderr is piped or the terminal is dumb (``TERM=dumb``), so logs
stay clean. It draws on stderr and vanishes when done, leaving stdout to the result."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Rich loads only when a bar may be drawn
    from rich.console import Console
    from rich.progress import Progress

SHOW_AFTER_SECONDS = 1.0


@contextlib.contextmanager
def progress_reporter(
    description: str, console: Console | None = None, show_after: float = SHOW_AFTER_SECONDS
) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a ``progress(done, total)`` callback, or None when not on a terminal.

    The bar appears at the first call made ``show_after`` seconds or more after entry,
    so quick folds show nothing at all.
    """
    if console is None and _not_a_terminal():
        yield None  # what Rich would decide, without the cost of importing it
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = console or Console(stderr=True)
    if not console.is_interactive:
        yield None
        return
    started = time.monotonic()
    bar: Progress | None = None
    task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if time.monotonic() - started < show_after:
                return
            bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TextColumn("events"), TimeElapsedColumn(), console=console,
                           transient=True)
            bar.start()
            task = bar.add_task(description, total=total)
        bar.update(task, completed=done, total=total)  # type: ignore[arg-type]

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


#: What makes Rich treat a stream that is not a terminal as one (or as interactive).
_RICH_OVERRIDES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


def _not_a_terminal() -> bool:
    """stderr is no terminal, and nothing tells Rich to treat it as one."""
    isatty = getattr(sys.stderr, "isatty", None)
    if isatty is not None and isatty():
        return False
    return not any(name in os.environ for name in _RICH_OVERRIDES)
