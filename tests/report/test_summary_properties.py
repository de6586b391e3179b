"""Any document the projector can fold renders: at every width, within the width,
without leaking control characters, and naming every failure."""

from __future__ import annotations

import io
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from recorder.document.projector import project
from recorder.report.markdown import render_markdown
from recorder.report.selection import CUT_MARKER, clean, cut_text, failing_cases
from recorder.report.terminal import render_summary
from tests.strategies import event_logs, interleavings, stamp

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    return project(draw(interleavings(stamp(draw(event_logs())))))


@given(document=documents(), width=st.integers(min_value=40, max_value=140))
def test_any_document_renders_within_the_width(document: dict[str, Any], width: int) -> None:
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(render_summary(document, slowest=5))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert not CONTROL.search(output)
    for line in output.splitlines():
        assert cell_len(line) <= width, line
    failing = failing_cases(document)
    if failing:
        assert f"Failures ({len(failing)})" in output


@given(document=documents())
def test_any_document_renders_as_markdown(document: dict[str, Any]) -> None:
    markdown = render_markdown(document)
    assert not CONTROL.search(markdown)
    failing = failing_cases(document)
    assert markdown.count("<details><summary><b>FAILED") + \
        markdown.count("<details><summary><b>ERROR</b> <code>") - \
        len(document["collection"]["errors"]) == len(failing)


@given(text=st.text(), max_lines=st.integers(1, 8), max_chars=st.integers(1, 200),
       tail=st.booleans())
def test_cut_text_keeps_a_bounded_part_and_marks_any_cut(text: str, max_lines: int,
                                                         max_chars: int, tail: bool) -> None:
    whole = clean(text).rstrip()
    cut = cut_text(text, max_lines, max_chars, tail=tail)
    if cut == whole:
        return
    assert CUT_MARKER in cut
    assert len(cut.splitlines()) <= max_lines + 1
    kept = re.sub(r" ?\[\.\.\. \d+ more [a-z ]+\] ?", "", cut)
    assert len(kept.strip("\n")) <= max_chars  # the text shown stays within the budget
    assert (whole.endswith(kept) if tail else whole.startswith(kept))
