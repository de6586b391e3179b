"""The run's sections as HTML that reads without JavaScript: the status banner (an
interrupted run names the cases and steps that were running, as the terminal summary
does), the counts, the suites, every failure with its traceback and output, flaky
cases with their attempts, collection errors and the slowest cases with their steps.
What to show comes from :mod:`recorder.report.selection`; this module only lays it out."""

from __future__ import annotations

from recorder.document import Document
from recorder.document.status import CASE_STATUSES
from recorder.report import selection as s
from recorder.report.html.markup import anchor, badge, link, seconds, short, table, text

#: How many slowest cases get their step trees.
SLOWEST_CASES = 10


def banner(document: Document) -> str:
    status = document["status"]
    env = document.get("environment") or {}
    git = env.get("git") or {}
    ci = env.get("ci") or {}
    facts = [("Run", text(document["run_id"])), ("Project", text(document.get("project") or ""))]
    facts.append(("Started", text(s.format_timestamp(document.get("started_at")))))
    facts.append(("Duration", seconds(document.get("duration"))))
    if git.get("commit"):
        dirty = " (dirty)" if git.get("dirty") else ""
        facts.append(("Commit", f"<code>{short(git['commit'], 12)}</code>{dirty}"))
    if git.get("branch"):
        facts.append(("Branch", text(git["branch"])))
    if ci.get("url") or ci.get("provider"):
        facts.append(("CI", link(ci.get("url"), s.ci_description(ci) or "CI run")))
    rows = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in facts)
    verdict = text(s.counts_phrase(document["summary"]))
    return (f'<header class="banner run-{text(status)}" id="top">'
            f'<h1>{badge(status, label=f"Test run {status.upper()}")} '
            f'<span class="project">{text(document.get("project") or "")}</span></h1>'
            f'<p class="verdict">{verdict}</p><dl class="facts">{rows}</dl>'
            f"{interruption(document)}</header>")


def interruption(document: Document) -> str:
    if document["status"] != "interrupted":
        return ""
    reason = (document.get("interruption") or {}).get("reason") or "interrupted"
    parts = [f'<div class="interrupted" role="alert"><p><strong>Run interrupted</strong>: '
             f"{text(reason)}. These results are partial.</p>"]
    running = s.cases_with_status(document, "incomplete")
    if running:
        items = []
        for case in running[:s.MAX_LISTED_INCOMPLETE]:
            where = f"at {text(s.location(case))}"
            step = s.deepest_step(case, "incomplete")
            if step:
                where += f", in step <q>{text(step)}</q>"
            if case.get("failure"):
                where += f": {text(s.failure_headline(case['failure']))}"
            items.append(f'<li><a href="#{anchor(case["id"])}"><code>{text(case["id"])}'
                         f"</code></a> {where}</li>")
        more = len(running) - s.MAX_LISTED_INCOMPLETE
        if more > 0:
            items.append(f"<li>and {more} more</li>")
        parts.append(f"<p>Was running (incomplete):</p><ul>{''.join(items)}</ul>")
    else:
        parts.append("<p>No case was running when it stopped.</p>")
    not_run = document["summary"]["not_run"]
    parts.append(f"<p>{text(s.plural(not_run, 'case'))} never ran.</p></div>")
    return "".join(parts)


def counts(document: Document) -> str:
    summary = document["summary"]
    total = summary["total"] or 1
    rows = []
    for status in CASE_STATUSES:
        count = summary.get(status, 0)
        share = count / total
        filled = f'<span class="bar s-{status}" style="width:{share * 100:.1f}%"></span>'
        rows.append([badge(status), str(count), f"{share * 100:.0f}%",
                     f'<span class="track" aria-hidden="true">{filled}</span>'])
    return ('<section id="results" aria-labelledby="results-h"><h2 id="results-h">Results: '
            f"{text(s.plural(summary['total'], 'case'))} in {seconds(summary.get('duration'))}"
            "</h2>" + table(["Status", "Cases", "Share", ""], rows, caption="Cases per status",
                             numeric=frozenset({1, 2}), css="counts") + "</section>")


def suites(document: Document) -> str:
    rows = []
    for suite in document["suites"]:
        c = suite["counts"]
        failed = s.failure_count(c)
        rows.append([f"<code>{text(suite['id'])}</code>", str(c["total"]),
                     f"{badge('failed', label=str(failed))}" if failed else "0",
                     str(c.get("flaky", 0)), str(c.get("skipped", 0)),
                     seconds(suite.get("duration"))])
    if not rows:
        return ""
    return ('<section id="suites" aria-labelledby="suites-h"><h2 id="suites-h">Suites</h2>'
            + table(["Suite", "Cases", "Failed", "Flaky", "Skipped", "Duration"], rows,
                    caption=f"{len(rows)} suites", numeric=frozenset({1, 2, 3, 4, 5}))
            + "</section>")


def _output(case: Document) -> str:
    blocks = []
    for phase in case.get("phases", []):
        for stream in ("stdout", "stderr", "log"):
            value = phase.get(stream)
            if value:
                blocks.append(f"<h4>{text(phase['name'])} {stream}</h4>"
                              f"<pre>{text(value)}</pre>")
    if not blocks:
        return ""
    return f"<details><summary>Captured output</summary>{''.join(blocks)}</details>"


def _case_article(case: Document, detail: str) -> str:
    status = case["status"]
    return (f'<article class="case" id="{anchor(case["id"])}" data-status="{text(status)}" '
            f'data-case-id="{text(case["id"])}"><h3>{badge(status)} '
            f'<code>{text(case["id"])}</code></h3>{detail}</article>')


def _failure_detail(case: Document) -> str:
    failure = case.get("failure")
    where = text(s.location(case))
    site = s.failure_site(failure)
    parts = [f'<p class="where">{where} &middot; {text(s.failing_phase(case))}'
             f"{f' at {text(site)}' if site else ''}</p>"]
    step = s.deepest_step(case, "failed") or s.deepest_step(case, "incomplete")
    if step:
        parts.append(f'<p class="where">in step <q>{text(step)}</q></p>')
    if failure:
        message = s.failure_text(failure, max_lines=40, max_chars=8000)
        parts.append(f'<pre class="message">{text(message)}</pre>')
        if failure.get("traceback"):
            parts.append(f"<details><summary>Traceback</summary><pre>"
                         f"{text(failure['traceback'])}</pre></details>")
    parts.append(_output(case))
    return "".join(parts)


def failures(document: Document) -> str:
    failing = [case for case in s.all_cases(document)
               if case["status"] in ("failed", "error", "incomplete")]
    if not failing:
        return ('<section id="failures" aria-labelledby="failures-h"><h2 id="failures-h">'
                "Failures (0)</h2><p>No case failed.</p></section>")
    articles = "".join(_case_article(case, _failure_detail(case)) for case in failing)
    return (f'<section id="failures" aria-labelledby="failures-h"><h2 id="failures-h">'
            f"Failures ({len(failing)})</h2>{articles}</section>")


def flaky(document: Document) -> str:
    cases = s.cases_with_status(document, "flaky")
    if not cases:
        return ""
    articles = []
    for case in cases:
        rows = [[str(a["attempt"]), badge(a["status"]), seconds(a.get("duration")),
                 text(a.get("worker") or ""), text(s.failure_headline(a.get("failure")))]
                for a in case["attempts"]]
        detail = table(["Attempt", "Status", "Duration", "Worker", "Failure"], rows,
                       caption=f"{len(rows)} attempts", numeric=frozenset({0, 2}))
        articles.append(_case_article(case, detail))
    return (f'<section id="flaky" aria-labelledby="flaky-h"><h2 id="flaky-h">Flaky '
            f"({len(cases)})</h2><p>Failed, then passed on a retry.</p>{''.join(articles)}"
            "</section>")


def collection_errors(document: Document) -> str:
    errors = document["collection"].get("errors") or []
    if not errors:
        return ""
    items = "".join(f"<li><code>{text(e.get('nodeid') or '')}</code>"
                    f"<pre>{text(s.collection_error_text(e.get('message') or ''))}</pre></li>"
                    for e in errors)
    return (f'<section id="collection" aria-labelledby="collection-h"><h2 id="collection-h">'
            f"Collection errors ({len(errors)})</h2><ul>{items}</ul></section>")


def _step_tree(steps: list[Document]) -> str:
    if not steps:
        return ""
    items = "".join(
        f"<li>{badge(step['status'])} {text(step['name'])} "
        f"<span class=dur>{seconds(step.get('duration'))}</span>"
        f"{_step_tree(step.get('steps', []))}</li>" for step in steps)
    return f'<ul class="steps">{items}</ul>'


def slowest(document: Document, count: int = SLOWEST_CASES) -> str:
    cases = s.slowest_cases(document, count)
    if not cases:
        return ""
    items = "".join(
        f'<li data-status="{text(case["status"])}"><span class=dur>'
        f'{seconds(case["duration"])}</span> {badge(case["status"])} '
        f'<code>{text(case["id"])}</code>{_step_tree(case.get("steps", []))}</li>'
        for case in cases)
    return (f'<section id="slowest" aria-labelledby="slowest-h"><h2 id="slowest-h">Slowest '
            f"{len(cases)} cases</h2><ol class=slowest>{items}</ol></section>")
