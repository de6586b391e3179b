"""The history part of the report: trend charts (drawn by the script from the page's
data; their containers and a text summary are here), the flaky table with its
evidence, failing-since with the commit range to look at, slow regressions, and every
test's pass rate with a sparkline and, one click away, its outcome strip over the runs.
Everything but the charts reads without JavaScript."""

from __future__ import annotations

from typing import Any

from recorder.document.status import FAILING
from recorder.report.html.history_view import HistoryView
from recorder.report.html.markup import (
    STATUS_SYMBOLS,
    badge,
    link,
    percent,
    seconds,
    short,
    table,
    text,
)


def _chart(chart_id: str, label: str) -> str:
    return (f'<figure class="chart"><div class="chart-box" id="{chart_id}" role="img" '
            f'aria-label="{text(label)}"></div><figcaption>{text(label)}</figcaption></figure>')


def trends(history: HistoryView) -> str:
    runs = history.run_items()
    if not runs:
        return "<p>The history holds no runs.</p>"
    latest = runs[-1]
    failed = sum(1 for run in runs if run.get("status") in ("failed", "interrupted"))
    summary = (f"<p>{len(runs)} runs, from <code>{text(runs[0]['run_id'])}</code> to "
               f"<code>{text(latest['run_id'])}</code>; {failed} of them failed or were "
               "interrupted.</p>")
    return (summary + '<div class="charts">'
            + _chart("chart-pass-rate", "Pass rate per run (oldest left)")
            + _chart("chart-duration", "Run duration per run, seconds (oldest left)")
            + "</div>")


def _evidence(items: list[dict[str, Any]]) -> str:
    links = []
    for item in items:
        status = item.get("status") or ""
        label = f"{STATUS_SYMBOLS.get(status, '?')} {status} {item['run_id']}"
        if item.get("commit"):
            label += f" @ {str(item['commit'])[:8]}"
        links.append(f"<li>{link(item.get('ci_url'), label)}</li>")
    return f'<ul class="evidence">{"".join(links)}</ul>' if links else "&ndash;"


def flaky_table(history: HistoryView) -> str:
    items = history.flaky.get("flaky", [])
    rows = [[f"<code>{text(i['id'])}</code>", str(i["runs"]),
             f"{i['flips']} ({percent(i.get('flip_rate'))})",
             str(i.get("same_commit_disagreements", 0)), str(i.get("retried_passes", 0)),
             _evidence(i.get("evidence", []))] for i in items]
    if not rows:
        return "<h3>Flaky tests</h3><p>No flaky test in the window.</p>"
    broken = history.flaky.get("broken", [])
    note = (f"<p>Always failing (broken, not flaky): {', '.join(text(b['id']) for b in broken)}"
            "</p>") if broken else ""
    return ("<h3>Flaky tests</h3>" + table(
        ["Test", "Runs", "Flips (rate)", "Same-commit disagreements", "Passed on retry",
         "Evidence (CI runs)"], rows, caption=f"{len(rows)} flaky tests, worst first",
        numeric=frozenset({1, 2, 3, 4})) + note)


def failing_table(history: HistoryView) -> str:
    items = history.failing.get("failing", [])
    if not items:
        return "<h3>Failing now</h3><p>Nothing fails in the latest run.</p>"
    rows = []
    for i in items:
        since = f"<code>{text(i['since_run_id'])}</code> @ {short(i.get('since_commit'))}"
        if i.get("last_pass_run_id"):
            last = (f"<code>{text(i['last_pass_run_id'])}</code> @ "
                    f"{short(i.get('last_pass_commit'))}")
            commits = (f"<code>{short(i.get('last_pass_commit'))}..{short(i.get('since_commit'))}"
                       "</code>")
        else:
            last, commits = "never in the window", "&ndash;"
        fingerprint = text(i.get("fingerprint") or "")
        new = ' <span class="tag">new</span>' if i.get("new") else ""
        rows.append([f"<code>{text(i['id'])}</code>", str(i["failing_runs"]), since, last,
                     commits, fingerprint + new])
    return ("<h3>Failing now, and since when</h3>" + table(
        ["Test", "Failing runs", "Failing since", "Last pass", "Commit range", "Failure"], rows,
        caption=f"{len(rows)} tests failing in the latest run", numeric=frozenset({1})))


def slow_table(history: HistoryView) -> str:
    items = [i for i in history.slow.get("slow", []) if (i.get("change") or 0) > 0]
    if not items:
        return "<h3>Slow regressions</h3><p>No test got slower.</p>"
    rows = [[f"<code>{text(i['id'])}</code>", str(i["runs"]), seconds(i.get("p50")),
             seconds(i.get("p95")), seconds(i.get("baseline_p50")), seconds(i.get("recent_p50")),
             f"{i['change'] * 100:+.0f}%"] for i in items]
    return ("<h3>Slow regressions</h3>" + table(
        ["Test", "Runs", "p50", "p95", "Baseline p50", "Recent p50", "Change"], rows,
        caption="Recent p50 against the baseline p50, biggest change first",
        numeric=frozenset({1, 2, 3, 4, 5, 6})))


def _strip(outcomes: list[dict[str, Any]]) -> str:
    cells = "".join(
        f'<li class="s-{text(o.get("status") or "")}" title="{text(o["run_id"])}: '
        f'{text(o.get("status") or "")}"><span aria-hidden="true">'
        f'{STATUS_SYMBOLS.get(o.get("status") or "", "?")}</span>'
        f'<span class="sr">{text(o["run_id"])} {text(o.get("status") or "")}</span></li>'
        for o in outcomes)
    failed = sum(1 for o in outcomes if o.get("status") in FAILING)
    return (f'<p>{len(outcomes)} runs, {failed} failed, oldest first:</p>'
            f'<ol class="strip">{cells}</ol>')


def tests_table(history: HistoryView) -> str:
    items = history.tests.get("tests", [])
    if not items:
        return ""
    rows = []
    for index, i in enumerate(items):
        outcomes = history.outcomes.get(i["id"], [])
        spark = (f'<div class="spark" data-test="{text(i["id"])}" role="img" '
                 f'aria-label="duration over {len(outcomes)} runs"></div>') if outcomes else ""
        name = (f'<details id="test-{index}"><summary><code>{text(i["id"])}</code></summary>'
                f"{_strip(outcomes)}</details>") if outcomes else f"<code>{text(i['id'])}</code>"
        rows.append([name, str(i["runs"]), str(i.get("passed", 0)), str(i.get("failed", 0)),
                     str(i.get("flaky", 0)), percent(i.get("pass_rate")), spark])
    return ("<h3>Tests</h3><p>Open a test to see its outcome in every run.</p>" + table(
        ["Test", "Runs", "Passed", "Failed", "Flaky", "Pass rate", "Duration trend"], rows,
        caption=f"{len(rows)} tests, lowest pass rate first",
        numeric=frozenset({1, 2, 3, 4, 5}), css="tests"))


def history_section(history: HistoryView) -> str:
    source = f" from <code>{text(history.source)}</code>" if history.source else ""
    legend = " ".join(badge(status) for status in ("passed", "failed", "error", "flaky",
                                                     "skipped"))
    return (f'<section id="history" aria-labelledby="history-h"><h2 id="history-h">History'
            f"{source}</h2>{trends(history)}{flaky_table(history)}{failing_table(history)}"
            f"{slow_table(history)}{tests_table(history)}<p class=legend>{legend}</p></section>")
