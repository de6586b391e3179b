"""Small pieces of markup shared by the report's sections: escaping, status badges
(a symbol and a word as well as a colour, so status is never told by colour alone),
links that are only ever ``http(s)`` or in-page anchors, and durations."""

from __future__ import annotations

import hashlib
from html import escape

from recorder.report.selection import clean, format_duration, status_label

#: Status -> (symbol, CSS class). Colours (report.css) follow the Okabe-Ito palette,
#: which stays distinct for the common kinds of colour blindness.
STATUS_SYMBOLS: dict[str, str] = {
    "passed": "\u2713",      # ✓
    "failed": "\u2717",      # ✗
    "error": "\u26a0",       # ⚠
    "skipped": "\u21b7",     # ↷
    "xfailed": "\u2298",     # ⊘
    "xpassed": "\u2605",     # ★
    "flaky": "\u223f",       # ∿
    "incomplete": "\u2026",  # …
    "not_run": "\u25cb",     # ○
    "interrupted": "\u26a0",
    "empty": "\u25cb",
}


def text(value: object) -> str:
    """``value`` as escaped text, cleaned of control characters and escape codes."""
    return escape(clean(str(value)), quote=True)


def badge(status: str, *, label: str | None = None) -> str:
    symbol = STATUS_SYMBOLS.get(status, "?")
    word = label if label is not None else status_label(status)
    return (f'<span class="badge s-{text(status)}"><span aria-hidden="true">{symbol}</span> '
            f"{text(word)}</span>")


def anchor(case_id: str) -> str:
    """The in-page id of a case's entry: stable for the same case id."""
    return "case-" + hashlib.sha256(case_id.encode("utf-8")).hexdigest()[:16]


def safe_url(url: object) -> str | None:
    """``url`` if it is an http(s) link (never ``javascript:`` or a relative path)."""
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return url
    return None


def link(url: object, label: str) -> str:
    """An external link (opens as a plain link; nothing is fetched) or just the label."""
    href = safe_url(url)
    if href is None:
        return text(label)
    return f'<a href="{escape(href, quote=True)}" rel="noopener noreferrer">{text(label)}</a>'


def seconds(value: float | None) -> str:
    return text(format_duration(value))


def percent(value: float | None) -> str:
    return "&ndash;" if value is None else f"{value * 100:.0f}%"


def short(commit: object, width: int = 10) -> str:
    return text(str(commit)[:width]) if commit else "&ndash;"


def table(headers: list[str], rows: list[list[str]], *, caption: str,
          numeric: frozenset[int] = frozenset(), css: str = "") -> str:
    """A table with a caption and column headers; cells are markup already."""
    head = "".join(f'<th scope="col"{" class=num" if i in numeric else ""}>{text(h)}</th>'
                   for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{cell}</td>'
                         for i, cell in enumerate(row)) + "</tr>"
        for row in rows)
    klass = f' class="{css}"' if css else ""
    return (f"<table{klass}><caption>{text(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")
