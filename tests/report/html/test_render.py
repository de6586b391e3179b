"""The report page as bytes: what it holds, that it holds nothing from elsewhere, and
that the same input gives the same page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from histories import BREAKS_AT, CI, RUNS, TESTS, commit, golden_history, run_id

from recorder.report.html import HistoryView, render_report
from recorder.report.html.markup import anchor
from tests.report.documents import RunBuilder, empty_run, failure, interrupted_run, mixed_run


class Collector(HTMLParser):
    """Every start tag with its attributes, and the text of the page without scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._script = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._script += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._script -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._script:
            self.text.append(data)


def parse(page: bytes) -> Collector:
    collector = Collector()
    collector.feed(page.decode("utf-8"))
    return collector


def embedded(page: bytes) -> dict[str, Any]:
    match = re.search(rb'<script type="application/json" id="report-data">(.*?)</script>',
                      page, re.S)
    assert match
    return json.loads(match[1])


def case_ids(data: dict[str, Any]) -> list[str]:
    """The case ids back from the page's columns (suite index and the rest of the id)."""
    cases = data["cases"]
    return [f"{cases['suites'][s]}::{n}" if s >= 0 else n
            for s, n in zip(cases["sx"], cases["n"], strict=True)]


def test_the_same_document_gives_the_same_bytes() -> None:
    document = mixed_run().document()
    assert render_report(document) == render_report(mixed_run().document())
    history = golden_history()
    assert render_report(document, history) == render_report(document, golden_history())


def test_every_failure_is_in_the_page_with_its_message_and_a_collapsible_traceback() -> None:
    page = parse(render_report(mixed_run().document()))
    articles = {a["data-case-id"]: a for tag, a in page.tags
                if tag == "article" and a.get("data-status") in ("failed", "error")}
    assert set(articles) == {"tests/test_shop.py::test_total", "tests/test_db.py::test_migrate",
                             "tests/test_i18n.py::test_grüße_名前"}
    text = "".join(page.text)
    assert "assert 2 == 3" in text and "OperationalError: database is locked" in text
    assert "error in setup at tests/conftest.py:44" in text
    assert sum(1 for tag, _ in page.tags if tag == "details") >= 3


def test_status_is_told_by_a_symbol_and_a_word_not_colour_alone() -> None:
    page = render_report(mixed_run().document()).decode()
    assert '<span class="badge s-failed"><span aria-hidden="true">\u2717</span> failed</span>' \
        in page
    assert "\u223f</span> flaky" in page  # the retried case
    assert "Test run FAILED" in page


def test_the_page_loads_nothing_from_anywhere() -> None:
    """No element has a src, no stylesheet link, only in-page anchors and http(s) links
    to the CI run; the content security policy forbids every fetch."""
    page = render_report(mixed_run().document(), golden_history())
    tags = parse(page).tags
    assert not [t for t, a in tags if "src" in a or t in ("link", "img", "iframe", "object")]
    hrefs = [a["href"] or "" for t, a in tags if "href" in a]
    assert hrefs and all(h.startswith("#") or h.startswith(("https://github.com/", CI))
                         for h in hrefs)
    assert b"default-src 'none'" in page and b"connect-src 'none'" in page


def test_an_interrupted_run_names_the_case_and_step_that_were_running() -> None:
    text = "".join(parse(render_report(interrupted_run().document())).text)
    assert "Run interrupted" in text
    assert "tests/test_api.py::test_upload" in text
    assert "in step \u201c" not in text  # <q> marks the step, the text holds its path
    assert "send > wait for ack" in text
    assert "2 cases never ran" in text


def test_names_cannot_break_out_of_the_page() -> None:
    """Markup and a closing script tag in a case id and message stay text."""
    evil = "t.py::test_x[</script><script>alert(1)</script>]"
    run = RunBuilder().start(ci_url="javascript:alert(1)").collect([evil])
    run.case(evil, "failed", failure=failure("<img src=x onerror=alert(1)>"))
    page = render_report(run.finish().document())
    assert b"<script>alert(1)" not in page and b"<img src=x" not in page
    assert b'href="javascript:' not in page
    assert case_ids(embedded(page)) == [evil]


def test_the_embedded_data_lists_every_case_and_places_attempts_on_worker_lanes() -> None:
    run = RunBuilder().start().collect(["a.py::t1", "a.py::t2", "a.py::t3"])
    run.case("a.py::t1", worker="gw1", source="gw1")
    run.case("a.py::t2", "failed", worker="gw0", source="gw0", failure=failure("no"))
    run.case("a.py::t3", "failed", attempt=1, worker="gw0", source="gw0", failure=failure("x"))
    run.case("a.py::t3", "passed", attempt=2, worker="gw1", source="gw1")
    data = embedded(render_report(run.finish().document()))
    cases = data["cases"]
    assert case_ids(data) == ["a.py::t1", "a.py::t2", "a.py::t3"]
    assert cases["suites"] == ["a.py"] and cases["n"] == ["t1", "t2", "t3"]
    assert [cases["statuses"][i] for i in cases["st"]] == ["passed", "failed", "flaky"]
    assert cases["a"] == ["", anchor("a.py::t2"), anchor("a.py::t3")]
    timeline = data["timeline"]
    assert timeline["workers"] == ["gw0", "gw1"]
    lanes = zip(timeline["w"], timeline["c"], strict=True)
    assert [(timeline["workers"][w], c) for w, c in lanes] == [
        ("gw1", 0), ("gw0", 1), ("gw0", 2), ("gw1", 2)]


def test_an_empty_run_still_renders() -> None:
    page = render_report(empty_run().document()).decode()
    assert "Test run EMPTY" in page and "No case failed." in page


def test_the_history_section_shows_trends_flaky_failing_since_slow_and_strips() -> None:
    history = golden_history()
    page = render_report(mixed_run().document(), history)
    text = "".join(parse(page).text)
    assert "32 runs" in text
    # flaky, with evidence linked to the CI runs it happened in
    assert f'href="{CI}31"'.encode() in page
    assert "t.py::test_flaky" in text and "14 (45%)" in text
    # failing since run 21, and the commit range between the last pass and it
    assert run_id(BREAKS_AT) in text and run_id(BREAKS_AT - 1) in text
    assert f"{commit(BREAKS_AT - 1)[:10]}..{commit(BREAKS_AT)[:10]}" in text
    # the slow regression, not the unchanged one
    assert "+400%" in text and "+0%" not in text
    # one strip cell per run for every test, and a sparkline series per test
    assert page.count(b'<ol class="strip">') == len(TESTS)
    flaky_failures = len(range(3, RUNS + 1, 4))  # runs 3, 7, ..., 31
    assert page.count(b'<li class="s-failed" title="') == flaky_failures + RUNS - BREAKS_AT + 1
    series = embedded(page)["history"]
    assert len(series["runs"]) == RUNS and series["runs"][0] == run_id(1)
    assert series["tests"]["t.py::test_broken"]["f"] == [0] * 20 + [1] * 12
    assert series["pass_rate"][0] == 1.0 and series["pass_rate"][-1] == 0.75


def test_an_empty_history_says_so() -> None:
    text = "".join(parse(render_report(mixed_run().document(), HistoryView())).text)
    assert "The history holds no runs." in text
