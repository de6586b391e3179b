"""What a run summary shows, as plain data: failed and errored cases with where they
failed, flaky and incomplete cases, the slowest cases with their slowest steps, and
every string from the document cleaned of escape and control characters and cut to a
few lines. Pure: no Rich, no I/O. :mod:`recorder.report.terminal` lays this out for a
terminal and :mod:`recorder.report.markdown` for GitHub."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from recorder.document import Document
from recorder.document.status import CASE_STATUSES, FAILING

#: Defaults shared by the terminal and markdown renderings.
SLOWEST = 5
SLOWEST_STEPS = 3
MESSAGE_LINES = 6
MESSAGE_CHARS = 320
MAX_SUITES = 25
MAX_LISTED_INCOMPLETE = 10
DETAIL_INDENT = 4

#: Every cut text ends with a marker starting with this, saying how much was left out.
CUT_MARKER = "[... "

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n|[\x85\u2028\u2029]")
_SITE = re.compile(r"^(?P<path>\S.*?):(?P<line>\d+): \S")




def clean(text: str) -> str:
    """``text`` without ANSI escape sequences or control characters; tabs expanded,
    and every line break a plain ``\\n``."""
    text = _ANSI.sub("", _LINE_BREAKS.sub("\n", text)).expandtabs(4)
    return _CONTROL.sub("", text)


def cut_text(text: str, max_lines: int = MESSAGE_LINES, max_chars: int = MESSAGE_CHARS,
             *, tail: bool = False) -> str:
    """``text`` cleaned and cut to ``max_lines`` lines and ``max_chars`` characters.

    What was left out is named by a marker (``[... 12 more lines]`` or ``[... 4500
    more characters]``). With ``tail`` the last lines are kept instead of the first,
    which suits tracebacks (their end says where it failed).
    """
    lines = clean(text).rstrip().split("\n")
    if tail:
        lines.reverse()
    kept: list[str] = []
    used = 0
    cut_chars = 0
    for index, line in enumerate(lines[:max_lines]):
        room = max(max_chars - used, 0)
        if len(line) > room:
            shown = line[len(line) - room:] if tail else line[:room]
            cut_chars = len(line) - len(shown) + sum(len(rest) + 1 for rest in lines[index + 1:])
            if shown or not kept:
                kept.append(shown)
            break
        kept.append(line)
        used += len(line) + 1
    if cut_chars:
        marker = f"{CUT_MARKER}{cut_chars} more characters]"
        kept[-1] = f"{marker} {kept[-1]}" if tail else f"{kept[-1]} {marker}"
    elif len(lines) > len(kept):
        more = len(lines) - len(kept)
        kept.append(f"{CUT_MARKER}{more} more line{'s' if more != 1 else ''}"
                    f"{' above' if tail else ''}]")
    if tail:
        kept.reverse()
    return "\n".join(kept)


def one_line(text: str, max_chars: int = 200) -> str:
    """The first non-blank line of ``text``, cleaned and cut to ``max_chars``."""
    first = next((line.strip() for line in clean(text).splitlines() if line.strip()), "")
    if len(first) > max_chars:
        return f"{first[:max_chars]} {CUT_MARKER}{len(first) - max_chars} more characters]"
    return first


def format_duration(seconds: float | None) -> str:
    """``0.056`` -> ``56 ms``; ``83.2`` -> ``1 min 23 s``; None -> ``unknown``."""
    if seconds is None:
        return "unknown"
    if seconds < 0.0005:
        return "<1 ms"
    if seconds < 0.9995:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 59.995:
        return f"{seconds:.2f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_timestamp(value: str | None) -> str:
    """An ISO timestamp as ``2026-11-23 11:30:14 UTC`` (its own offset if not UTC)."""
    if not value:
        return "unknown"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return clean(value)
    offset = moment.utcoffset()
    zone = "UTC" if offset is not None and not offset else moment.strftime("%z") or "local"
    return f"{moment:%Y-%m-%d %H:%M:%S} {zone}"


def status_label(status: str) -> str:
    return status.replace("_", " ")


def all_cases(document: Document) -> Iterator[Document]:
    for suite in document["suites"]:
        yield from suite["cases"]


def location(case: Document) -> str:
    """Where the case is defined: ``file:line``, or the file, or its id."""
    file = case.get("file") or case["id"].partition("::")[0]
    line = case.get("line")
    return clean(f"{file}:{line}" if line else file)


def failure_site(failure: Document | None) -> str | None:
    """Where it failed (``path:line``), read from the traceback's last line."""
    if not failure:
        return None
    for line in reversed(clean(failure.get("traceback") or "").splitlines()):
        if line.strip():
            match = _SITE.match(line)
            return f"{match['path']}:{match['line']}" if match else None
    return None


def failure_headline(failure: Document | None) -> str:
    """``AssertionError: assert 1 == 2`` (type and first line of the message)."""
    if not failure:
        return ""
    message = one_line(failure.get("message") or "")
    kind = clean(failure.get("type") or "")
    if not message:
        return kind
    if not kind or message.startswith(kind):
        return message
    return f"{kind}: {message}"


def failure_text(failure: Document | None, max_lines: int = MESSAGE_LINES,
                 max_chars: int = MESSAGE_CHARS) -> str:
    """The failure's type and the first lines of its message, cut with a marker."""
    if not failure:
        return ""
    message = (failure.get("message") or "").strip()
    kind = failure.get("type") or ""
    text = message if not kind or message.startswith(kind) else f"{kind}: {message}"
    return cut_text(text.rstrip(": "), max_lines, max_chars)


def flat_steps(steps: Iterable[Document], prefix: str = "") -> Iterator[tuple[str, Document]]:
    """Every step, depth first, with its path (``outer > inner``)."""
    for step in steps:
        path = f"{prefix} > {clean(step['name'])}" if prefix else clean(step["name"])
        yield path, step
        yield from flat_steps(step.get("steps", []), path)


def slowest_steps(case: Document, count: int = SLOWEST_STEPS) -> list[tuple[str, Document]]:
    """The case's ``count`` slowest finished steps, slowest first."""
    timed = [(path, step) for path, step in flat_steps(case["steps"])
             if step.get("duration") is not None]
    timed.sort(key=lambda item: -item[1]["duration"])
    return timed[:count]


def deepest_step(case: Document, status: str) -> str | None:
    """The path of the innermost step with ``status`` (the step a case failed or hung in)."""
    found = None
    for path, step in flat_steps(case["steps"]):
        if step["status"] == status:
            found = path
    return found


def failing_cases(document: Document) -> list[Document]:
    """Failed and errored cases, in run order."""
    return [case for case in all_cases(document) if case["status"] in FAILING]


def cases_with_status(document: Document, status: str) -> list[Document]:
    return [case for case in all_cases(document) if case["status"] == status]


def slowest_cases(document: Document, count: int = SLOWEST) -> list[Document]:
    """The ``count`` slowest cases that ran, slowest first (ties in run order)."""
    ran = [case for case in all_cases(document) if case["attempts"]]
    ran.sort(key=lambda case: -case["duration"])
    return ran[:max(count, 0)]


def first_failure(case: Document) -> tuple[int, Document | None] | None:
    """For a flaky case: the first failing attempt's number and failure."""
    for attempt in case["attempts"]:
        if attempt["status"] in FAILING:
            return attempt["attempt"], attempt.get("failure")
    return None


def failing_phase(case: Document) -> str:
    """``failed in call`` / ``error in setup``."""
    failure = case.get("failure")
    phase = failure["phase"] if failure else None
    return f"{case['status']} in {phase}" if phase else case["status"]


def failure_count(counts: Document) -> int:
    return int(counts["failed"] + counts["error"] + counts["incomplete"])


def counts_phrase(summary: Document) -> str:
    """``4 passed, 1 failed, 2 error`` (statuses with a count only)."""
    parts = [f"{summary[status]} {status_label(status)}" for status in CASE_STATUSES
             if summary.get(status)]
    return ", ".join(parts) or "no cases"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def short_commit(commit: str | None) -> str | None:
    return clean(commit[:12]) if commit else None


def picked_suites(document: Document, limit: int = MAX_SUITES) -> tuple[list[Document], int]:
    """Up to ``limit`` suites, those with failures first kept, in run order; and how
    many were left out."""
    suites = document["suites"]
    if len(suites) <= limit:
        return list(suites), 0
    failing = {id(s) for s in suites if failure_count(s["counts"])}
    room = max(limit - len(failing), 0)
    chosen = []
    for suite in suites:
        if id(suite) in failing:
            chosen.append(suite)
        elif room:
            chosen.append(suite)
            room -= 1
    return chosen, len(suites) - len(chosen)


def collection_error_text(message: str, max_lines: int = MESSAGE_LINES,
                          max_chars: int = MESSAGE_CHARS) -> str:
    """A collection error cut to its point: pytest's ``E`` lines if there are any."""
    lines = clean(message).splitlines()
    pointed = [line[1:].strip() for line in lines if line.startswith("E ")]
    return cut_text("\n".join(pointed) if pointed else message, max_lines, max_chars)


def event_log_gaps(document: Document) -> int:
    """How many events the log is known to be missing."""
    gaps = document.get("event_log", {}).get("gaps", [])
    return sum(gap["to"] - gap["from"] + 1 for gap in gaps)


def ci_description(ci: Document) -> str:
    """``github-actions run 123, job test`` from whichever parts are known."""
    parts = []
    if ci.get("provider"):
        parts.append(clean(ci["provider"]))
    if ci.get("run_id"):
        parts.append(f"run {clean(ci['run_id'])}")
    text = " ".join(parts)
    if ci.get("job"):
        text += f"{', ' if text else ''}job {clean(ci['job'])}"
    return text
