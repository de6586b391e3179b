"""The run summary as GitHub-flavoured markdown, for ``$GITHUB_STEP_SUMMARY``.

The same selection as the terminal summary (:mod:`recorder.report.terminal`): header, counts
with a bar, suites, every failed and errored case (collapsible, with its message and
the end of its traceback), flaky and incomplete cases, collection errors and the
slowest cases. A pure function returning a string.

GitHub caps a step summary at 1 MiB, so tracebacks share a budget
(:data:`TRACEBACK_BUDGET`) and at most ``max_failures`` failures get details; the
rest are still named, one line each.
"""

from __future__ import annotations

import html
import re

from recorder.document import Document
from recorder.document.status import CASE_STATUSES
from recorder.report import selection as s

BAR_WIDTH = 20
MAX_FAILURES = 100
TRACEBACK_LINES = 40
TRACEBACK_CHARS = 4000
#: Characters of traceback all failures together may show.
TRACEBACK_BUDGET = 200_000

RUN_ICONS = {"passed": "\u2705", "failed": "\u274c", "interrupted": "\u26a0\ufe0f",
             "empty": "\u2796"}


def render_markdown(
    document: Document,
    *,
    slowest: int = s.SLOWEST,
    max_suites: int = 50,
    max_failures: int = MAX_FAILURES,
) -> str:
    """The summary of one run document as GitHub-flavoured markdown."""
    sections = [
        _header(document),
        _interruption(document),
        _gaps(document),
        _results(document),
        _suites(document, max_suites),
        _failures(document, max_failures),
        _flaky(document),
        _incomplete(document),
        _collection_errors(document),
        _slowest(document, slowest),
        _footer(document),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


# -- escaping ------------------------------------------------------------------------


def code(text: str, *, table: bool = False) -> str:
    """``text`` as an inline code span (with ``|`` escaped when it sits in a ``table``)."""
    text = s.clean(text).replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or longest else text
    span = f"{fence}{padded}{fence}"
    return span.replace("|", "\\|") if table else span


def cell(text: str) -> str:
    """Plain ``text`` escaped for a table cell or a paragraph."""
    text = s.clean(text).replace("\n", " ")
    text = re.sub(r"([\\`*_{}\[\]<>#|~!])", r"\\\1", text)
    return text


def fenced(text: str, language: str = "text") -> str:
    """``text`` in a fenced code block whose fence no line inside can close."""
    text = s.clean(text)
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def tag(text: str) -> str:
    """``text`` escaped for raw HTML (``<summary>``, ``<code>``)."""
    return html.escape(s.clean(text).replace("\n", " "), quote=False)


# -- sections --------------------------------------------------------------------------


def _header(document: Document) -> str:
    status = document["status"]
    env = document["environment"]
    git, ci = env["git"], env["ci"]
    project = f" \u00b7 {cell(document['project'])}" if document.get("project") else ""
    rows = [("Run", code(document["run_id"] or "unknown", table=True)),
            ("Started", s.format_timestamp(document["started_at"])),
            ("Duration", _duration(document["duration"])
             + (" (the run did not record its end)" if document["duration"] is None else ""))]
    if git.get("commit"):
        rows.append(("Commit", code(s.short_commit(git["commit"]) or "", table=True)
                     + (" + uncommitted changes" if git.get("dirty") else "")))
    if git.get("branch"):
        rows.append(("Branch", code(git["branch"], table=True)))
    ci_text = s.ci_description(ci)
    if ci.get("url"):
        rows.append(("CI", f"[{cell(ci_text or 'job')}]({_url(ci['url'])})"))
    elif ci_text:
        rows.append(("CI", cell(ci_text)))
    lines = [f"## {RUN_ICONS.get(status, '')} Test run {status}{project}", "",
             "| | |", "| :-- | :-- |"]
    lines += [f"| **{name}** | {value} |" for name, value in rows]
    return "\n".join(lines)


def _duration(seconds: float | None) -> str:
    return html.escape(s.format_duration(seconds), quote=False)


def _url(url: str) -> str:
    return s.clean(url).replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _interruption(document: Document) -> str | None:
    if document["status"] != "interrupted":
        return None
    reason = (document.get("interruption") or {}).get("reason") or "interrupted"
    lines = ["> [!CAUTION]",
             f"> **This run was interrupted**: {cell(reason)}. These results are partial."]
    running = s.cases_with_status(document, "incomplete")
    if running:
        lines.append(">")
        lines.append("> Was running (incomplete):")
        for case in running[:s.MAX_LISTED_INCOMPLETE]:
            step = s.deepest_step(case, "incomplete")
            lines.append(f"> - {code(case['id'])} at {code(s.location(case))}"
                         + (f", in step {code(step)}" if step else ""))
        if len(running) > s.MAX_LISTED_INCOMPLETE:
            lines.append(f"> - ... and {len(running) - s.MAX_LISTED_INCOMPLETE} more")
    else:
        lines.append(">")
        lines.append("> No case was running when it stopped.")
    not_run = document["summary"]["not_run"]
    collected = document["collection"].get("collected")
    lines.append(">")
    lines.append(f"> **Never ran: {not_run}{f' of {collected} collected' if collected else ''} "
                 f"case{'s' if (collected or not_run) != 1 else ''}.**")
    return "\n".join(lines)


def _gaps(document: Document) -> str | None:
    missing = s.event_log_gaps(document)
    if not missing:
        return None
    return (f"> [!WARNING]\n> The event log is missing {s.plural(missing, 'event')}; "
            "the counts below may be wrong.")


def _results(document: Document) -> str:
    summary = document["summary"]
    total = summary["total"]
    duration = (f" in {_duration(summary['duration'])}"
                if summary["duration"] is not None else "")
    head = f"**{s.plural(total, 'case')}**{duration}: {s.counts_phrase(summary)}"
    if not total:
        collected = document["collection"].get("collected")
        return ("**No test cases were recorded"
                + (" (none were collected)" if collected == 0 else "") + ".**")
    lines = [head, "", "| Status | Cases | Share | |", "| :-- | --: | --: | :-- |"]
    for status in CASE_STATUSES:
        count = summary[status]
        if not count:
            continue
        share = 100 * count / total
        filled = max(1, round(BAR_WIDTH * count / total))
        bar = "\u2588" * filled + "\u2591" * (BAR_WIDTH - filled)
        lines.append(f"| {s.status_label(status)} | {count} | "
                     f"{'<1' if share < 1 else f'{share:.0f}'}% | `{bar}` |")
    return "\n".join(lines)


def _suites(document: Document, max_suites: int) -> str | None:
    if not document["suites"]:
        return None
    chosen, left_out = s.picked_suites(document, max_suites)
    lines = ["### Suites", "", "| Suite | Cases | Failed | Duration |",
             "| :-- | --: | --: | --: |"]
    for suite in chosen:
        failed = s.failure_count(suite["counts"])
        lines.append(f"| {code(suite['id'], table=True)} | {suite['counts']['total']} | "
                     f"{f'**{failed}**' if failed else '0'} | "
                     f"{_duration(suite['duration'])} |")
    if left_out:
        lines.append(f"| _... {left_out} more suites without failures_ | | | |")
    return "\n".join(lines)


def _failures(document: Document, max_failures: int) -> str | None:
    failing = s.failing_cases(document)
    if not failing:
        return None
    lines = [f"### Failures ({len(failing)})"]
    budget = TRACEBACK_BUDGET
    for case in failing[:max_failures]:
        failure = case.get("failure")
        headline = s.failure_headline(failure)
        summary_line = (f"<b>{case['status'].upper()}</b> <code>{tag(case['id'])}</code>"
                        + (f": {tag(headline)}" if headline else ""))
        where = f"{code(s.location(case))}, {s.failing_phase(case)}"
        site = s.failure_site(failure)
        if site and site != s.location(case):
            where += f" at {code(site)}"
        step = s.deepest_step(case, "failed")
        if step:
            where += f", in step {code(step)}"
        body = [f"<details><summary>{summary_line}</summary>", "", where + "."]
        traceback = (failure or {}).get("traceback") or ""
        message = s.failure_text(failure, max_lines=20, max_chars=2000)
        if message and (not traceback.strip() or budget <= 0):
            body += ["", fenced(message)]
        if traceback.strip():
            if budget > 0:
                shown = s.cut_text(traceback, TRACEBACK_LINES, min(TRACEBACK_CHARS, budget),
                                   tail=True)
                budget -= len(shown)
                body += ["", fenced(shown, "python")]
            else:
                body += ["", "_Traceback left out to keep this summary small; "
                         "see the run document._"]
        body += ["", "</details>"]
        lines += ["", "\n".join(body)]
    if len(failing) > max_failures:
        lines += ["", f"... and {len(failing) - max_failures} more:", ""]
        lines += [f"- {code(case['id'])} at {code(s.location(case))}: "
                  f"{cell(s.failure_headline(case.get('failure')))}"
                  for case in failing[max_failures:]]
    return "\n".join(lines)


def _flaky(document: Document) -> str | None:
    cases = s.cases_with_status(document, "flaky")
    if not cases:
        return None
    lines = [f"### Flaky ({len(cases)})", "",
             "| Case | Location | Attempts | First failure |", "| :-- | :-- | --: | :-- |"]
    for case in cases:
        first = s.first_failure(case)
        reason = (f"attempt {first[0]}: {cell(s.failure_headline(first[1]))}"
                  if first and first[1] else "")
        lines.append(f"| {code(case['id'], table=True)} | {code(s.location(case), table=True)} | "
                     f"{len(case['attempts'])} | {reason} |")
    return "\n".join(lines)


def _incomplete(document: Document) -> str | None:
    cases = s.cases_with_status(document, "incomplete")
    if not cases:
        return None
    lines = [f"### Incomplete ({len(cases)}): started, never finished", "",
             "| Case | Location | Worker | Was in step | Crash |",
             "| :-- | :-- | :-- | :-- | :-- |"]
    for case in cases:
        step = s.deepest_step(case, "incomplete")
        crash = s.failure_headline(case.get("failure"))
        lines.append(f"| {code(case['id'], table=True)} | {code(s.location(case), table=True)} | "
                     f"{cell(case.get('worker') or '')} | "
                     f"{code(step, table=True) if step else ''} | {cell(crash)} |")
    return "\n".join(lines)


def _collection_errors(document: Document) -> str | None:
    errors = document["collection"]["errors"]
    if not errors:
        return None
    lines = [f"### Collection errors ({len(errors)})"]
    for error in errors:
        point = s.one_line(s.collection_error_text(error["message"], 1))
        lines += ["", f"<details><summary><b>ERROR</b> <code>{tag(error['nodeid'])}</code>: "
                  f"{tag(point)}</summary>", "",
                  fenced(s.cut_text(error["message"], TRACEBACK_LINES, TRACEBACK_CHARS,
                                    tail=True)),
                  "", "</details>"]
    return "\n".join(lines)


def _slowest(document: Document, count: int) -> str | None:
    cases = s.slowest_cases(document, count)
    if not cases:
        return None
    lines = [f"### Slowest {s.plural(len(cases), 'case')}", "",
             "| Duration | Status | Case | Slowest steps |", "| --: | :-- | :-- | :-- |"]
    for case in cases:
        steps = "<br>".join(f"{_duration(step['duration'])} {code(path, table=True)}"
                            for path, step in s.slowest_steps(case))
        lines.append(f"| {_duration(case['duration'])} | "
                     f"{s.status_label(case['status'])} | {code(case['id'], table=True)} | "
                     f"{steps} |")
    return "\n".join(lines)


def _footer(document: Document) -> str:
    log = document.get("event_log") or {}
    tool = document.get("tool") or {}
    parts = [f"recorder {tool.get('recorder_version') or ''}".strip()]
    if "events" in log:
        parts.append(f"{s.plural(log['events'], 'event')}")
    if log.get("digest"):
        parts.append(f"log {log['digest'][:19]}")
    return f"<sub>{tag(' · '.join(parts))}</sub>"
