"""The terminal summary: a pure function from a run document to Rich renderables.

:mod:`recorder.report.selection` picks what to show; this module lays it out. Nothing
here reads files or prints: the CLI hands the renderable to a Console. Every string
taken from the document goes into a :class:`rich.text.Text` (never through markup)
after :func:`~recorder.report.selection.clean` has removed escape and control
characters, so a test name like ``test_x[a]`` or a message holding ANSI colours renders
as written.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from recorder.document import Document
from recorder.document.status import CASE_STATUSES, FAILING
from recorder.report.selection import (
    DETAIL_INDENT,
    MAX_LISTED_INCOMPLETE,
    MAX_SUITES,
    MESSAGE_LINES,
    SLOWEST,
    cases_with_status,
    ci_description,
    clean,
    collection_error_text,
    counts_phrase,
    deepest_step,
    event_log_gaps,
    failing_cases,
    failing_phase,
    failure_count,
    failure_headline,
    failure_site,
    failure_text,
    first_failure,
    format_duration,
    format_timestamp,
    location,
    picked_suites,
    plural,
    short_commit,
    slowest_cases,
    slowest_steps,
    status_label,
)

STATUS_STYLES = {
    "passed": "green",
    "failed": "bold red",
    "error": "bold red",
    "skipped": "yellow",
    "xfailed": "yellow",
    "xpassed": "yellow",
    "flaky": "magenta",
    "incomplete": "bold red",
    "not_run": "dim",
}
RUN_STYLES = {"passed": "bold green", "failed": "bold red", "interrupted": "bold red",
              "empty": "bold yellow"}


class ProportionBar:
    """A bar ``count / total`` of the width it is given (``#`` on ASCII-only consoles)."""

    def __init__(self, count: int, total: int, style: str = "") -> None:
        self.count, self.total, self.style = count, total, style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        filled = round(width * self.count / self.total) if self.total else 0
        if self.count and not filled:
            filled = 1
        full, empty = ("#", ".") if options.ascii_only else ("\u2588", "\u2591")
        yield Text.assemble((full * filled, self.style), (empty * (width - filled), "dim"))


def render_summary(
    document: Document,
    *,
    slowest: int = SLOWEST,
    max_suites: int = MAX_SUITES,
    message_lines: int = MESSAGE_LINES,
) -> RenderableType:
    """The whole summary of one run document, ready for ``Console.print``."""
    sections: list[RenderableType | None] = [
        header(document),
        interruption_banner(document),
        gaps_warning(document),
        results(document),
        suites_table(document, max_suites),
        failures(document, message_lines),
        flaky(document),
        incomplete(document),
        collection_errors(document, message_lines),
        slowest_table(document, slowest),
        verdict(document),
    ]
    parts: list[RenderableType] = []
    for section in sections:
        if section is not None:
            if parts:
                parts.append(Text())
            parts.append(section)
    return Group(*parts)


def header(document: Document) -> Panel:
    """Run id, status, start, duration, commit, branch and CI link, in a panel."""
    status = document["status"]
    env = document["environment"]
    git, ci = env["git"], env["ci"]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    run = Text(clean(document["run_id"] or "unknown"))
    if document.get("project"):
        run.append(f" (project {clean(document['project'])})", style="dim")
    grid.add_row("Run", run)
    grid.add_row("Started", format_timestamp(document["started_at"]))
    duration = format_duration(document["duration"])
    if document["duration"] is None:
        duration += " (the run did not record its end)"
    grid.add_row("Duration", duration)
    if git.get("commit"):
        commit = Text(short_commit(git["commit"]) or "")
        if git.get("dirty"):
            commit.append(" + uncommitted changes", style="yellow")
        grid.add_row("Commit", commit)
    if git.get("branch"):
        grid.add_row("Branch", clean(git["branch"]))
    ci_text = ci_description(ci)
    if ci_text or ci.get("url"):
        value = Text(ci_text)
        if ci.get("url"):
            url = clean(ci["url"])
            value.append(("\n" if ci_text else "") + url, style=f"link {url}")
        grid.add_row("CI", value)
    title = Text.assemble("Test run ", (status.upper(), RUN_STYLES.get(status, "bold")))
    return Panel(grid, title=title, title_align="left", box=box.ROUNDED,
                 border_style=RUN_STYLES.get(status, ""), expand=True)


def interruption_banner(document: Document) -> Panel | None:
    """For an interrupted run: a loud banner naming the cases that were running and
    how many never ran."""
    if document["status"] != "interrupted":
        return None
    reason = clean((document.get("interruption") or {}).get("reason") or "interrupted")
    lines: list[RenderableType] = [Text.assemble(
        ("RUN INTERRUPTED", "bold"), f": {reason}. These results are partial.")]
    running = cases_with_status(document, "incomplete")
    if running:
        lines.append(Text("Was running (incomplete):", style="bold"))
        for case in running[:MAX_LISTED_INCOMPLETE]:
            where = Text(f"at {location(case)}")
            step = deepest_step(case, "incomplete")
            if step:
                where.append(f", in step '{step}'")
            if case.get("failure"):
                where.append(f": {failure_headline(case['failure'])}")
            lines.append(Padding(Text(clean(case["id"]), style="bold"), (0, 0, 0, 2)))
            lines.append(Padding(where, (0, 0, 0, 4)))
        if len(running) > MAX_LISTED_INCOMPLETE:
            lines.append(Text(f"  ... and {len(running) - MAX_LISTED_INCOMPLETE} more"))
    else:
        lines.append(Text("No case was running when it stopped."))
    not_run = document["summary"]["not_run"]
    collected = document["collection"].get("collected")
    of = f" of {collected} collected" if collected else ""
    noun = "case" if (collected or not_run) == 1 else "cases"
    lines.append(Text(f"Never ran: {not_run}{of} {noun}.", style="bold" if not_run else ""))
    return Panel(Group(*lines), box=box.HEAVY, border_style="bold red", style="red",
                 expand=True)


def gaps_warning(document: Document) -> Text | None:
    missing = event_log_gaps(document)
    if not missing:
        return None
    sources = sorted({clean(gap["source"]) for gap in document["event_log"]["gaps"]})
    return Text(
        f"WARNING: the event log is missing {plural(missing, 'event')} "
        f"(from {', '.join(sources)}); the counts below may be wrong.",
        style="bold yellow",
    )


def results(document: Document) -> RenderableType:
    """The count per status, each with its share of the run as a bar."""
    summary = document["summary"]
    total = summary["total"]
    title = Text.assemble(("Results", "bold"), f"  {plural(total, 'case')}",
                          f" in {format_duration(summary['duration'])}"
                          if summary["duration"] is not None else "")
    if not total:
        collected = document["collection"].get("collected")
        note = ("No test cases were recorded"
                + (" (none were collected)" if collected == 0 else "") + ".")
        return Group(title, Text(note, style="yellow"))
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True, min_width=10)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True, min_width=4)
    grid.add_column(ratio=1)
    for status in CASE_STATUSES:
        count = summary[status]
        if not count:
            continue
        style = STATUS_STYLES[status]
        share = 100 * count / total
        grid.add_row(Text(status_label(status), style=style), str(count),
                     "<1%" if share < 1 else f"{share:.0f}%",
                     ProportionBar(count, total, style))
    return Group(title, grid)


def suites_table(document: Document, max_suites: int = MAX_SUITES) -> RenderableType | None:
    """Cases, failures and duration per suite."""
    if not document["suites"]:
        return None
    chosen, left_out = picked_suites(document, max_suites)
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, show_edge=False,
                  title=Text("Suites", style="bold"), title_justify="left")
    table.add_column("Suite", overflow="fold", ratio=1)
    table.add_column("Cases", justify="right", no_wrap=True)
    table.add_column("Failed", justify="right", no_wrap=True)
    table.add_column("Duration", justify="right", no_wrap=True)
    for suite in chosen:
        failed = failure_count(suite["counts"])
        table.add_row(Text(clean(suite["id"])), str(suite["counts"]["total"]),
                      Text(str(failed), style="bold red" if failed else "green"),
                      format_duration(suite["duration"]),
                      style="red" if failed else None)
    if left_out:
        table.add_row(Text(f"... {left_out} more suites without failures", style="dim"),
                      "", "", "")
    return table


def _case_block(label: str, style: str, case: Document, details: list[Text]) -> RenderableType:
    """``LABEL case-id`` on one line, its details indented below."""
    title = Text.assemble((label, style), " ", (clean(case["id"]), "bold"))
    body = Text("\n").join(details)
    return Group(title, Padding(body, (0, 0, 0, DETAIL_INDENT), expand=False))


def failures(document: Document, message_lines: int = MESSAGE_LINES) -> RenderableType | None:
    """Every failed and errored case: where it is, where it failed, and its message."""
    failing = failing_cases(document)
    if not failing:
        return None
    blocks: list[RenderableType] = [Text(f"Failures ({len(failing)})", style="bold red")]
    for case in failing:
        where = Text(location(case), style="cyan")
        where.append(f"  {failing_phase(case)}")
        site = failure_site(case.get("failure"))
        if site and site != location(case):
            where.append(" at ")
            where.append(site, style="cyan")
        details = [where]
        step = deepest_step(case, "failed")
        if step:
            details.append(Text(f"in step '{step}'"))
        message = failure_text(case.get("failure"), message_lines)
        if message:
            details.append(Text(message, style="red"))
        blocks.append(_case_block(case["status"].upper(), STATUS_STYLES[case["status"]],
                                  case, details))
    return Group(*blocks)


def flaky(document: Document) -> RenderableType | None:
    """Cases that failed, then passed on a retry."""
    cases = cases_with_status(document, "flaky")
    if not cases:
        return None
    blocks: list[RenderableType] = [Text(f"Flaky ({len(cases)})", style="bold magenta")]
    for case in cases:
        attempts = len(case["attempts"])
        failed = sum(1 for attempt in case["attempts"] if attempt["status"] in FAILING)
        line = Text(location(case), style="cyan")
        line.append(f"  passed on attempt {case['attempts'][-1]['attempt']} after "
                    f"{plural(failed, 'failure')} ({attempts} attempts)")
        details = [line]
        first = first_failure(case)
        if first and first[1]:
            details.append(Text(f"attempt {first[0]}: {failure_headline(first[1])}",
                                style="magenta"))
        blocks.append(_case_block("FLAKY", STATUS_STYLES["flaky"], case, details))
    return Group(*blocks)


def incomplete(document: Document) -> RenderableType | None:
    """Cases that started and never finished (killed run, crashed worker)."""
    cases = cases_with_status(document, "incomplete")
    if not cases:
        return None
    blocks: list[RenderableType] = [
        Text(f"Incomplete ({len(cases)}): started, never finished", style="bold red")
    ]
    for case in cases:
        line = Text(location(case), style="cyan")
        if case.get("started_at"):
            line.append(f"  started {format_timestamp(case['started_at'])}")
        if case.get("worker"):
            line.append(f" on worker {clean(case['worker'])}")
        details = [line]
        step = deepest_step(case, "incomplete")
        if step:
            details.append(Text(f"was in step '{step}'"))
        if case.get("failure"):
            details.append(Text(failure_headline(case["failure"]), style="red"))
        blocks.append(_case_block("INCOMPLETE", STATUS_STYLES["incomplete"], case, details))
    return Group(*blocks)


def collection_errors(document: Document,
                      message_lines: int = MESSAGE_LINES) -> RenderableType | None:
    errors = document["collection"]["errors"]
    if not errors:
        return None
    blocks: list[RenderableType] = [
        Text(f"Collection errors ({len(errors)})", style="bold red")
    ]
    for error in errors:
        title = Text.assemble(("ERROR", "bold red"), " ", (clean(error["nodeid"]), "bold"))
        body = Text(collection_error_text(error["message"], message_lines), style="red")
        blocks.append(Group(title, Padding(body, (0, 0, 0, DETAIL_INDENT), expand=False)))
    return Group(*blocks)


def slowest_table(document: Document, count: int = SLOWEST) -> RenderableType | None:
    """The ``count`` slowest cases, each with its slowest steps."""
    cases = slowest_cases(document, count)
    if not cases:
        return None
    table = Table(box=box.SIMPLE_HEAD, expand=True, pad_edge=False, show_edge=False,
                  title=Text(f"Slowest {plural(len(cases), 'case')}", style="bold"),
                  title_justify="left")
    table.add_column("Duration", justify="right", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Case, and its slowest steps", overflow="fold", ratio=1)
    for case in cases:
        cell = Text(clean(case["id"]))
        for path, step in slowest_steps(case):
            cell.append(f"\n  {format_duration(step['duration'])}  {path}", style="dim")
        status = case["status"]
        table.add_row(format_duration(case["duration"]),
                      Text(status_label(status), style=STATUS_STYLES.get(status, "")), cell)
    return table


def verdict(document: Document) -> Text:
    """One closing line, for logs read from the bottom up."""
    status = document["status"]
    summary = document["summary"]
    text = Text(status.upper(), style=RUN_STYLES.get(status, "bold"))
    if summary["duration"] is not None:
        text.append(f" in {format_duration(summary['duration'])}")
    text.append(f": {counts_phrase(summary)}")
    errors = len(document["collection"]["errors"])
    if errors:
        text.append(f", {plural(errors, 'collection error')}", style="bold red")
    return text
