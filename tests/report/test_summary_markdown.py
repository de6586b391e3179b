"""The markdown summary for ``$GITHUB_STEP_SUMMARY``: same content, GitHub-flavoured."""

from __future__ import annotations

import re
from typing import Any

import pytest
from markdown_it import MarkdownIt

from recorder.report.markdown import TRACEBACK_BUDGET, code, fenced, render_markdown
from tests.report.documents import (
    RunBuilder,
    empty_run,
    failure,
    interrupted_run,
    mixed_run,
)


def to_html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def table_rows(markdown: str) -> list[list[str]]:
    """Every table row of the rendered markdown, as its cells' text."""
    html = to_html(markdown)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)]


@pytest.fixture(scope="module")
def mixed() -> str:
    return render_markdown(mixed_run().document(), slowest=10)


def test_header_is_a_table_with_commit_branch_and_ci_link(mixed: str) -> None:
    assert mixed.startswith("## \u274c Test run failed \u00b7 shop\n")
    assert "| **Run** | `run-1` |" in mixed
    assert "| **Started** | 2026-11-23 10:00:00 UTC |" in mixed
    assert "| **Duration** | 6.25 s |" in mixed
    assert "| **Commit** | `0123456789ab` + uncommitted changes |" in mixed
    assert "| **Branch** | `feature/cart` |" in mixed
    assert ("| **CI** | [github-actions run 4242, job tests]"
            "(https://github.com/acme/shop/actions/runs/4242) |") in mixed


def test_counts_table_has_a_row_and_bar_per_status(mixed: str) -> None:
    assert "**9 cases** in 6.25 s: 3 passed, 2 failed, 1 error, 1 skipped, 1 xfailed, " \
           "1 flaky" in mixed
    assert "| passed | 3 | 33% | `\u2588\u2588\u2588\u2588\u2588\u2588\u2588" in mixed
    assert "| error | 1 | 11% | `\u2588\u2588\u2591" in mixed
    assert "| xpassed |" not in mixed


def test_every_failure_is_a_collapsible_details_block(mixed: str) -> None:
    """Each failed or errored case gets a <details> with id, headline, location and
    the end of its traceback."""
    assert "### Failures (3)" in mixed
    blocks = re.findall(r"<details><summary>(.*?)</summary>\n\n(.*?)\n\n</details>", mixed,
                        flags=re.S)
    summaries = [summary for summary, _ in blocks]
    assert summaries == [
        "<b>FAILED</b> <code>tests/test_shop.py::test_total</code>: "
        "AssertionError: assert 2 == 3",
        "<b>ERROR</b> <code>tests/test_db.py::test_migrate</code>: "
        "OperationalError: database is locked",
        "<b>FAILED</b> <code>tests/test_i18n.py::test_grüße_名前</code>: "
        "AssertionError: assert 'Grüße' == 'Grüsse'",
    ]
    body = blocks[1][1]
    assert body.startswith("`tests/test_db.py:7`, error in setup at `tests/conftest.py:44`.")
    assert "```python\n>       assert cart.total == 3" in body
    assert body.endswith("tests/conftest.py:44: OperationalError\n```")


def test_tables_keep_their_columns_and_names_survive_escaping(mixed: str) -> None:
    """Names with brackets, percent signs and non-ASCII keep every table row intact."""
    rows = table_rows(mixed)
    assert rows, "no tables rendered"
    for row in rows:
        assert len(row) in (2, 4, 5), row
    cells = [cell for row in rows for cell in row]
    assert "<code>tests/test_shop.py::test_discount[10%-[bold]]</code>" in cells
    assert "<code>tests/test_i18n.py::test_grüße_名前</code>" in cells


def test_pipes_backticks_and_html_in_names_are_escaped() -> None:
    """A case id holding ``|``, a backtick and ``<tag>`` stays one table cell and one
    code span, and cannot inject HTML."""
    nasty = "t.py::test_x[a|b`c<script>]"
    run = RunBuilder().start().collect([nasty])
    run.case(nasty, "failed", failure=failure("x | y `z` <b>", traceback="```\nE x\n```"))
    markdown = render_markdown(run.finish().document())
    rows = table_rows(markdown)
    assert all(len(row) == 4 for row in rows[1:] if len(row) > 2)
    assert ["<code>t.py::test_x[a|b`c&lt;script&gt;]</code>"] == [
        cell for row in rows for cell in row if "test_x" in cell][:1]
    assert "<script>" not in to_html(markdown)
    assert "<summary><b>FAILED</b> <code>t.py::test_x[a|b`c&lt;script&gt;]</code>: " \
           "AssertionError: x | y `z` &lt;b&gt;</summary>" in markdown
    assert "````python\n```\nE x\n```\n````" in markdown


def test_flaky_and_slowest_tables(mixed: str) -> None:
    assert "### Flaky (1)" in mixed
    assert "| `tests/test_net.py::test_retry` | `tests/test_net.py:9` | 2 | attempt 1: " \
           "ConnectionResetError: peer went away |" in mixed
    assert "### Slowest 9 cases" in mixed
    assert "| 3.20 s | passed | `tests/test_shop.py::test_checkout` | 2.50 s `pay`<br>" \
           "2.10 s `pay > call bank`<br>400 ms `log in` |" in mixed
    assert "| &lt;1 ms | skipped |" in mixed


def test_interrupted_run_opens_with_a_caution_naming_the_incomplete_case() -> None:
    markdown = render_markdown(interrupted_run().document())
    assert markdown.startswith("## \u26a0\ufe0f Test run interrupted")
    caution = markdown.split("> [!CAUTION]\n", 1)[1].split("\n\n", 1)[0]
    assert "**This run was interrupted**: the run stopped without recording its end " \
           "(killed or crashed). These results are partial." in caution
    assert "> - `tests/test_api.py::test_upload` at `tests/test_api.py:40`, in step " \
           "`send > wait for ack`" in caution
    assert "> **Never ran: 2 of 4 collected cases.**" in caution
    assert "### Incomplete (1)" in markdown


def test_zero_case_run() -> None:
    markdown = render_markdown(empty_run().document())
    assert "Test run empty" in markdown
    assert "**No test cases were recorded (none were collected).**" in markdown
    assert "### Failures" not in markdown and "### Slowest" not in markdown


def test_size_stays_bounded_with_thousands_of_long_failures() -> None:
    """GitHub caps a step summary at 1 MiB: tracebacks share a budget, and failures
    past ``max_failures`` are listed one line each."""
    ids = [f"tests/test_big.py::test_{n:04}" for n in range(400)]
    run = RunBuilder().start().collect(ids)
    traceback = "\n".join(f"frame {n} " + "y" * 100 for n in range(200))
    for case_id in ids:
        run.case(case_id, "failed", failure=failure("z" * 3000, traceback=traceback))
    markdown = render_markdown(run.finish().document(), max_failures=150)
    assert len(markdown.encode()) < 1024 * 1024
    assert markdown.count("<details>") == 150
    assert "Traceback left out to keep this summary small" in markdown
    assert "... and 250 more:" in markdown
    for case_id in ids:
        assert case_id in markdown
    assert markdown.count("frame ") * 100 < TRACEBACK_BUDGET * 1.2


def test_collection_errors_are_collapsible() -> None:
    run = RunBuilder().start().collect(
        [], errors=[("tests/test_x.py",
                     "Traceback:\nE   ModuleNotFoundError: No module named 'nope'")])
    markdown = render_markdown(run.finish(2).document())
    assert "### Collection errors (1)" in markdown
    assert "<details><summary><b>ERROR</b> <code>tests/test_x.py</code>: ModuleNotFoundError: " \
           "No module named 'nope'</summary>" in markdown


def test_code_spans_and_fences_cannot_be_closed_by_their_content() -> None:
    assert code("a`b") == "`` a`b ``"
    assert code("a|b", table=True) == "`a\\|b`"
    assert code("a|b") == "`a|b`"
    assert fenced("x\n````\ny").startswith("`````text\n")


def test_markdown_is_deterministic(mixed: str) -> None:
    document: dict[str, Any] = mixed_run().document()
    assert render_markdown(document, slowest=10) == mixed
