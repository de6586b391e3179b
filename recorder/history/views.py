"""The history answers as a Rich table (terminal) or GitHub markdown. Pure: an answer
dict in, a renderable or a string out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

Answer = dict[str, Any]
Column = tuple[str, Callable[[Answer], str], bool]  # header, cell, right-aligned


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 0.001:
        return "<1 ms"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _change(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:+.0f}%"


def _short(commit: str | None) -> str:
    return (commit or "-")[:10]


def _evidence(item: Answer) -> str:
    return " ".join(e["run_id"] for e in item["evidence"][:3]) or "-"


TABLES: dict[str, tuple[str, list[Column]]] = {
    "flaky": ("flaky", [
        ("Test", lambda i: i["id"], False),
        ("Runs", lambda i: str(i["runs"]), True),
        ("Flips", lambda i: f"{i['flips']} ({_share(i['flip_rate'])})", True),
        ("Same commit", lambda i: str(i["same_commit_disagreements"]), True),
        ("Retried", lambda i: str(i["retried_passes"]), True),
        ("Latest evidence", _evidence, False),
    ]),
    "failing": ("failing", [
        ("Test", lambda i: i["id"], False),
        ("Failing runs", lambda i: str(i["failing_runs"]), True),
        ("Since", lambda i: f"{i['since_run_id']} @ {_short(i['since_commit'])}", False),
        ("Last pass", lambda i: (f"{i['last_pass_run_id']} @ {_short(i['last_pass_commit'])}"
                                 if i["last_pass_run_id"] else "never in window"), False),
        ("Failure", lambda i: f"{i['fingerprint'] or '-'}{' (new)' if i['new'] else ''}",
         False),
    ]),
    "slow": ("slow", [
        ("Test", lambda i: i["id"], False),
        ("Runs", lambda i: str(i["runs"]), True),
        ("p50", lambda i: _seconds(i["p50"]), True),
        ("p95", lambda i: _seconds(i["p95"]), True),
        ("Baseline p50", lambda i: _seconds(i["baseline_p50"]), True),
        ("Recent p50", lambda i: _seconds(i["recent_p50"]), True),
        ("Change", lambda i: _change(i["change"]), True),
    ]),
    "tests": ("tests", [
        ("Test", lambda i: i["id"], False),
        ("Runs", lambda i: str(i["runs"]), True),
        ("Passed", lambda i: str(i["passed"]), True),
        ("Failed", lambda i: str(i["failed"]), True),
        ("Flaky", lambda i: str(i["flaky"]), True),
        ("Pass rate", lambda i: _share(i["pass_rate"]), True),
    ]),
    "runs": ("runs", [
        ("Run", lambda i: i["run_id"] + (" (infra)" if i["infra_failure"] else ""), False),
        ("Started", lambda i: (i["started_at"] or "-").replace("T", " ")[:16], False),
        ("Status", lambda i: i["status"] or "-", False),
        ("Cases", lambda i: str(i["counts"]["total"]), True),
        ("Failed", lambda i: str(i["counts"]["failed"] + i["counts"]["error"]), True),
        ("Duration", lambda i: _seconds(i["duration"]), True),
        ("Commit", lambda i: _short(i["commit"]), False),
        ("Branch", lambda i: i["branch"] or "-", False),
        ("CI", lambda i: i["ci_url"] or "-", False),
    ]),
}


def headline(command: str, answer: Answer) -> str:
    window = answer["window"]
    span = f"{window['runs']} runs, {window['from'] or '?'} to {window['to'] or '?'}"
    key = TABLES[command][0]
    count = len(answer[key])
    extra = ""
    if command == "flaky":
        extra = (f"; {len(answer['broken'])} broken (always failing); "
                 f"{len(answer['infra_failures'])} infrastructure-failure runs left out")
    if command == "failing":
        extra = f"; latest run {answer['latest_run_id']} on branch {answer['branch'] or '-'}"
    return f"{count} {key} in {span}{extra}"


def render_table(command: str, answer: Answer) -> RenderableType:
    key, columns = TABLES[command]
    # CI links are too wide for a terminal table (they are in --json and --markdown).
    columns = [column for column in columns if column[0] != "CI"]
    table = Table(box=None, header_style="bold", pad_edge=False)
    last = len(columns) - 1
    widest = 24 if command != "runs" else None
    for index, (header, _, right) in enumerate(columns):
        # Test ids and the last column (links, evidence) fold; the short ones never wrap.
        table.add_column(header, justify="right" if right else "left", overflow="fold",
                         no_wrap=0 < index < last, min_width=widest if index == 0 else None)
    for item in answer[key]:
        table.add_row(*(Text(cell(item)) for _, cell, _ in columns))
    parts: list[RenderableType] = [Text(headline(command, answer), style="bold")]
    if answer[key]:
        parts.append(table)
    return Group(*parts)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(command: str, answer: Answer) -> str:
    key, columns = TABLES[command]
    lines = [f"### History: {headline(command, answer)}", ""]
    if answer[key]:
        lines.append("| " + " | ".join(header for header, _, _ in columns) + " |")
        lines.append("| " + " | ".join("--:" if right else ":--" for _, _, right in columns)
                     + " |")
        for item in answer[key]:
            lines.append("| " + " | ".join(_md(cell(item)) for _, cell, _ in columns) + " |")
    return "\n".join(lines) + "\n"
