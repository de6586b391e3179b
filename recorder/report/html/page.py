"""The whole page: the run's sections (readable without JavaScript), the timeline and
the filtered case list (drawn by the inlined script from the embedded data), and the
history when one is given. Pure and deterministic: the same document and history give
the same bytes; nothing in the page is fetched from anywhere."""

from __future__ import annotations

from recorder.document import Document
from recorder.document.status import CASE_STATUSES
from recorder.report.html import run_sections as run
from recorder.report.html.assets import bokeh_js, own_asset
from recorder.report.html.data import page_data
from recorder.report.html.history_sections import history_section
from recorder.report.html.history_view import HistoryView
from recorder.report.html.markup import STATUS_SYMBOLS, text
from recorder.report.selection import status_label

#: No request may leave the page: scripts and styles are inline, images data: only.
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; "
       "base-uri 'none'")


def _nav(document: Document, history: HistoryView | None) -> str:
    links = [("results", "Results"), ("suites", "Suites"), ("failures", "Failures")]
    if document["summary"].get("flaky"):
        links.append(("flaky", "Flaky"))
    links += [("slowest", "Slowest"), ("timeline", "Timeline"), ("cases", "All cases")]
    if history is not None:
        links.append(("history", "History"))
    items = "".join(f'<li><a href="#{anchor}">{label}</a></li>' for anchor, label in links)
    return f'<nav aria-label="Sections"><ul>{items}</ul></nav>'


def _timeline() -> str:
    return ('<section id="timeline" aria-labelledby="timeline-h"><h2 id="timeline-h">'
            "Timeline</h2><p>Which worker ran which case, and when (seconds from the run's "
            'start).</p><figure class="chart"><div class="chart-box tall" id="chart-timeline" '
            'role="img" aria-label="cases per worker over time"></div></figure>'
            "<noscript><p>The timeline is drawn by the page's script.</p></noscript></section>")


def _case_list(document: Document) -> str:
    summary = document["summary"]
    toggles = "".join(
        f'<label class="toggle s-{status}"><input type="checkbox" name="status" '
        f'value="{status}" checked> <span aria-hidden="true">{STATUS_SYMBOLS[status]}</span> '
        f"{status_label(status)} ({summary.get(status, 0)})</label>"
        for status in CASE_STATUSES if summary.get(status))
    return ('<section id="cases" aria-labelledby="cases-h"><h2 id="cases-h">All cases</h2>'
            '<form class="filters" role="search" onsubmit="return false">'
            f'<fieldset><legend>Show statuses</legend>{toggles}</fieldset>'
            '<label for="search">Search case ids</label> <input type="search" id="search" '
            'placeholder="e.g. test_checkout" autocomplete="off"></form>'
            '<p id="shown" aria-live="polite"></p>'
            '<table class="cases"><caption>Cases in run order</caption><thead><tr>'
            '<th scope="col">Status</th><th scope="col">Case</th>'
            '<th scope="col" class="num">Duration</th></tr></thead><tbody id="case-rows">'
            '</tbody></table><div class="pager"><button type="button" id="prev">Previous page'
            '</button> <button type="button" id="next">Next page</button></div>'
            "<noscript><p>The full, filterable case list needs JavaScript; the results, the "
            "failures and the slowest cases above are complete without it.</p></noscript>"
            "</section>")


def render_report(document: Document, history: HistoryView | None = None) -> bytes:
    """The HTML report of ``document`` (an exported run document), with the history
    section when ``history`` is given."""
    title = f"{document['status'].upper()} · {document.get('project') or ''} · {document['run_id']}"
    body = "".join([
        run.banner(document), _nav(document, history), '<main id="main">',
        run.counts(document), run.suites(document), run.failures(document),
        run.flaky(document), run.collection_errors(document), run.slowest(document),
        _timeline(), _case_list(document),
        history_section(history) if history is not None else "",
        "</main>",
    ])
    data = page_data(document, history).decode("utf-8")
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="recorder report">'
        f"<title>{text(title)}</title><style>{own_asset('report.css')}</style></head>"
        '<body><a class="skip" href="#main">Skip to the results</a>'
        f"{body}"
        f'<script type="application/json" id="report-data">{data}</script>'
        f"<script>{bokeh_js()}</script><script>{own_asset('report.js')}</script>"
        "</body></html>\n"
    )
    return page.encode("utf-8")
