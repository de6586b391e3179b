"""The report in a real headless Chromium, opened from file:// with the network off:
for the bundled demo, a recorded xdist run with failures and retries, and a history of
32 runs. One browser for the module; each report is written once."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, Opened, chromium, chromium_missing
from histories import RUNS, TESTS, golden_history
from runs import demo_document, xdist_document

from recorder.report.html import render_report
from tests.support import unavailable

REPORTS = ("demo", "xdist", "history")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if (missing := chromium_missing()) is not None:
        unavailable(missing)
    with chromium() as opened:
        yield opened


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    tmp = tmp_path_factory.mktemp("reports")
    documents = {"demo": demo_document(tmp), "xdist": xdist_document(tmp)}
    made = {}
    for name in REPORTS:
        document = documents.get(name, documents["xdist"])
        path = tmp / f"{name}.html"
        path.write_bytes(render_report(document, golden_history() if name == "history" else None))
        made[name] = (path, document)
    return made


def failed_ids(document: dict[str, Any]) -> list[str]:
    return [case["id"] for suite in document["suites"] for case in suite["cases"]
            if case["status"] in ("failed", "error", "incomplete")]


def shown_rows(opened: Opened) -> list[str]:
    return opened.page.locator("#case-rows tr").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-status'))")


def test_the_xdist_run_is_what_the_report_tests_need(
        reports: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    """The recorded run has two workers, a failure, a flaky case and a case failing twice."""
    document = reports["xdist"][1]
    cases = {c["id"].rpartition("/")[2]: c for s in document["suites"] for c in s["cases"]}
    assert cases["test_xdist.py::test_flaky"]["status"] == "flaky"
    assert cases["test_xdist.py::test_fails"]["status"] == "failed"
    assert len(cases["test_xdist.py::test_always_fails_after_retry"]["attempts"]) == 2
    assert {c["worker"] for c in cases.values()} == {"gw0", "gw1"}


@pytest.mark.parametrize("name", REPORTS)
def test_the_report_opens_offline_without_errors_or_requests(
        browser: Browser, reports: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    path, document = reports[name]
    with browser.open(path) as opened:
        assert opened.errors() == []
        assert opened.outside_requests() == []
        assert opened.requests == [path.resolve().as_uri()]
        page_ids = opened.page.locator("article.case").evaluate_all(
            "els => els.map(e => e.getAttribute('data-case-id'))")
        assert failed_ids(document) and set(failed_ids(document)) <= set(page_ids)
        body = opened.page.locator("body").inner_text()
        assert all(case_id in body for case_id in failed_ids(document))
        box = opened.page.locator("#chart-timeline[data-rendered] .bk-Figure").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50


@pytest.mark.parametrize("name", REPORTS)
def test_filtering_by_status_and_searching_change_what_is_shown(
        browser: Browser, reports: dict[str, tuple[Path, dict[str, Any]]], name: str) -> None:
    path, document = reports[name]
    with browser.open(path) as opened:
        page = opened.page
        everything = shown_rows(opened)
        assert len(everything) == min(document["summary"]["total"], 100)
        page.locator("input[name=status][value=passed]").uncheck()
        without = shown_rows(opened)
        assert without and "passed" not in without and len(without) < len(everything)
        assert page.locator("article.case[data-status=failed]").first.is_visible()
        page.locator("input[name=status][value=failed]").uncheck()
        assert "failed" not in shown_rows(opened)
        assert not page.locator("article.case[data-status=failed]").first.is_visible()
        page.locator("input[name=status][value=passed]").check()
        page.locator("input[name=status][value=failed]").check()
        target = failed_ids(document)[0]
        page.fill("#search", target)
        assert shown_rows(opened) == [next(c["status"] for s in document["suites"]
                                           for c in s["cases"] if c["id"] == target)]
        assert target in page.locator("#case-rows").inner_text()


def test_the_status_filter_works_from_the_keyboard(
        browser: Browser, reports: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    with browser.open(reports["demo"][0]) as opened:
        page = opened.page
        page.locator("input[name=status][value=passed]").focus()
        page.keyboard.press("Space")
        assert "passed" not in shown_rows(opened)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.value") == "failed"
        traceback = page.locator("article.case details summary").first
        traceback.focus()
        page.keyboard.press("Enter")
        assert page.locator("article.case details").first.get_attribute("open") is not None


def test_the_history_charts_sparklines_and_strips_render(
        browser: Browser, reports: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    with browser.open(reports["history"][0]) as opened:
        page = opened.page
        for chart in ("#chart-pass-rate", "#chart-duration"):
            page.wait_for_selector(f"{chart}[data-rendered]", state="attached")
            box = page.locator(f"{chart} .bk-Figure").bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100
        sparks = page.locator(".spark[data-test]")
        assert sparks.count() == len(TESTS)
        sparks.first.scroll_into_view_if_needed()
        page.wait_for_selector(".spark[data-rendered]", state="attached")
        box = page.locator(".spark[data-rendered] .bk-Figure").first.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 10
        strip = page.locator("#history details").first
        assert not strip.locator("ol.strip").is_visible()
        strip.locator("summary").click()
        assert strip.locator("ol.strip li").count() == RUNS
        assert strip.locator("ol.strip").is_visible()
        assert opened.errors() == []


def test_the_first_screen_is_not_blank(
        browser: Browser, reports: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    from PIL import Image

    with browser.open(reports["history"][0]) as opened:
        shot = Image.open(io.BytesIO(opened.page.screenshot())).convert("RGB")
    colours = shot.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 20
    background = max(colours)[0]
    assert background < shot.width * shot.height * 0.95


def test_the_summary_and_failures_read_without_javascript(
        browser: Browser, reports: dict[str, tuple[Path, dict[str, Any]]]) -> None:
    path, document = reports["xdist"]
    context = browser.browser.new_context(offline=True, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(path.resolve().as_uri())
        text = page.locator("body").inner_text()
        assert "Test run FAILED" in text
        assert f"Results: {document['summary']['total']} cases" in text
        assert all(case_id in text for case_id in failed_ids(document))
        assert "arithmetic is broken" in text
        assert "needs JavaScript" in text
    finally:
        context.close()
