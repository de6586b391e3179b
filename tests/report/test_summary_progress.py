"""The fold progress bar: on an interactive terminal after about a second, and
nothing at all when piped or on a dumb terminal."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from recorder.export import run_json as exporter
from recorder.export.run_json import fold_run
from recorder.report.progress import SHOW_AFTER_SECONDS, progress_reporter
from recorder.store.sqlite import EventStore
from tests.report.documents import mixed_run


def terminal(**environ: str) -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=80,
                   _environ={"TERM": "xterm-256color", **environ})


def test_by_default_a_fold_quicker_than_the_delay_draws_nothing() -> None:
    """With the default delay (about a second), progress reported at once draws nothing."""
    assert 0.5 <= SHOW_AFTER_SECONDS <= 2
    console = terminal()
    with progress_reporter("Folding events", console) as progress:
        assert progress is not None
        progress(50, 100)
        progress(100, 100)
    assert console.file.getvalue() == ""  # type: ignore[attr-defined]


def test_piped_output_gets_no_callback_and_no_output() -> None:
    console = Console(file=io.StringIO())
    assert not console.is_terminal
    with progress_reporter("Folding events", console) as progress:
        assert progress is None
    assert console.file.getvalue() == ""  # type: ignore[attr-defined]


def test_dumb_terminal_gets_no_progress() -> None:
    console = terminal(TERM="dumb")
    with progress_reporter("Folding events", console, show_after=0) as progress:
        assert progress is None
    assert console.file.getvalue() == ""  # type: ignore[attr-defined]


def test_quick_folds_draw_nothing() -> None:
    """Before ``show_after`` seconds have passed the callback draws nothing."""
    console = terminal()
    with progress_reporter("Folding events", console, show_after=3600) as progress:
        assert progress is not None
        for done in range(0, 101, 10):
            progress(done, 100)
    assert console.file.getvalue() == ""  # type: ignore[attr-defined]


def test_slow_folds_draw_a_bar_of_events_folded() -> None:
    console = terminal()
    with progress_reporter("Folding events", console, show_after=0) as progress:
        assert progress is not None
        progress(40, 100)
    drawn = console.file.getvalue()  # type: ignore[attr-defined]
    output = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)
    assert "Folding events" in output
    assert "40/100 events" in output


def test_fold_run_reports_progress_up_to_the_total(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    run = mixed_run()
    with EventStore.create(tmp_path / "e.db") as store:
        store.append(run.events)
    monkeypatch.setattr(exporter, "PROGRESS_EVERY", 10)
    calls: list[tuple[int, int]] = []
    fold_run(tmp_path / "e.db", progress=lambda done, total: calls.append((done, total)))
    total = len(run.events)
    assert calls[-1] == (total, total)
    assert [done for done, _ in calls[:-1]] == list(range(10, total + 1, 10))
    assert {seen for _, seen in calls} == {total}
