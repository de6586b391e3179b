"""The run document as JUnit XML, valid against Jenkins' ``junit-10.xsd``.

One ``<testsuite>`` per document suite, one ``<testcase>`` per case, with
``classname`` and ``name`` the case id split at its last ``::`` (so
``classname + "::" + name`` is the case id again; an id without ``::`` is the
``name`` alone, with no ``classname``). Every status can be read back from the XML:

==========  ==============================================================
status      the ``<testcase>`` holds
==========  ==============================================================
passed      nothing
failed      ``<failure type message>traceback</failure>``
error       ``<error type message>traceback</error>``
skipped     ``<skipped type="pytest.skip" message=reason/>``
xfailed     ``<skipped type="pytest.xfail" message=reason/>`` (pytest's own)
xpassed     nothing, and its suite has ``<property name="recorder.xpassed"
            value=case id/>`` (junit-10.xsd allows no properties on a case)
flaky       nothing but one ``<flakyFailure>``/``<flakyError>`` per earlier
            failing attempt (Surefire's convention)
incomplete  ``<error type="recorder.incomplete" message=...>``
not_run     ``<skipped type="recorder.not_run" message=.../>``
==========  ==============================================================

Attempts, as Surefire writes them: a case whose final attempt failed (or errored, or
is incomplete) is its first failing attempt's ``<failure>``/``<error>`` followed by a
``<rerunFailure>``/``<rerunError>`` for each later failing attempt, the final one last;
any other case is its final result with a ``<flakyFailure>``/``<flakyError>`` for each
earlier failing attempt. Attempts that neither failed nor errored before the final one
are not written (JUnit has no element for them). Suite ``<properties>`` carry the run
(``recorder.run_id``, ``recorder.run_status``, git, CI, labels as ``label.KEY``).
Counts: ``failures`` are failed cases, ``errors`` error and incomplete ones,
``skipped`` skipped, xfailed and not_run ones.

junit-10.xsd allows no ``file`` or ``line`` on a test case. No ``file`` is written on
the suite either: readers (ours included) put a suite's file in front of the case id,
and ``classname`` starts with the file already. Characters that XML 1.0 forbids
(control characters, lone surrogates, U+FFFE/U+FFFF) are removed. The output is
deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import attrs

from recorder.document import Document

XFAIL_TYPE = "pytest.xfail"
SKIP_TYPE = "pytest.skip"
INCOMPLETE_TYPE = "recorder.incomplete"
NOT_RUN_TYPE = "recorder.not_run"
XPASSED_PROPERTY = "recorder.xpassed"

_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_FAILING = ("failed", "error")
#: An earlier attempt that never finished (its worker crashed) is an error attempt: a pass
#: after it is flaky, as in the document.
_EARLIER_FAILING = (*_FAILING, "incomplete")
_INDENT = "  "


def clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold."""
    return _FORBIDDEN.sub("", text)


def _text(value: str) -> str:
    # \r is written as a reference: a parser would turn a literal one into \n.
    return (clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _attribute(value: str) -> str:
    return (_text(value).replace('"', "&quot;").replace("\n", "&#10;")
            .replace("\t", "&#9;"))


def _open(name: str, attributes: dict[str, str | None], *, empty: bool = False) -> str:
    written = "".join(f' {key}="{_attribute(value)}"' for key, value in attributes.items()
                      if value is not None)
    return f"<{name}{written}{'/' if empty else ''}>"


def _element(name: str, attributes: dict[str, str | None], text: str = "") -> str:
    if not text:
        return _open(name, attributes, empty=True)
    return f"{_open(name, attributes)}{_text(text)}</{name}>"


def _seconds(value: float | None) -> str:
    # Three decimals and no exponent: the only shape SUREFIRE_TIME accepts.
    return f"{value or 0.0:.3f}"


def render_junit_xml(document: Document) -> bytes:
    """The whole document as JUnit XML bytes (UTF-8)."""
    head = {key: value for key, value in document.items() if key != "suites"}
    return b"".join(iter_junit_xml(head, document["suites"]))


def iter_junit_xml(head: Document, suites: Iterable[Document]) -> Iterator[bytes]:
    """The same bytes as :func:`render_junit_xml`, one suite per chunk; ``head`` is the
    document without its suites."""
    summary = head["summary"]
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + _open("testsuites", {
            "name": head["project"] or head["run_id"] or "recorder",
            "tests": str(summary["total"]),
            "failures": str(summary["failed"]),
            "errors": str(summary["error"] + summary["incomplete"]),
            "time": _seconds(head["duration"]),
        })
        + "\n"
    ).encode()
    run_properties = _run_properties(head)
    host = head["environment"]["host"]
    for suite in suites:
        yield _suite(suite, run_properties, host).encode()
    yield b"</testsuites>\n"


def _run_properties(head: Document) -> list[tuple[str, str]]:
    env = head["environment"]
    candidates = [
        ("recorder.run_id", head["run_id"]),
        ("recorder.run_status", head["status"]),
        ("recorder.project", head["project"]),
        ("recorder.shard", head["shard"]),
        ("tool.name", head["tool"]["name"]),
        ("tool.version", head["tool"]["version"]),
        ("git.commit", env["git"]["commit"]),
        ("git.branch", env["git"]["branch"]),
        ("ci.provider", env["ci"]["provider"]),
        ("ci.run_id", env["ci"]["run_id"]),
        ("ci.url", env["ci"]["url"]),
    ]
    properties = [(name, value) for name, value in candidates if value is not None]
    properties.extend((f"label.{key}", value) for key, value in sorted(head["labels"].items()))
    return properties


def _suite(suite: Document, run_properties: list[tuple[str, str]], host: str | None) -> str:
    counts = suite["counts"]
    cases = suite["cases"]
    starts = [case["started_at"] for case in cases if case["started_at"]]
    lines = [_INDENT + _open("testsuite", {
        "name": suite["id"],
        "tests": str(counts["total"]),
        "failures": str(counts["failed"]),
        "errors": str(counts["error"] + counts["incomplete"]),
        "skipped": str(counts["skipped"] + counts["xfailed"] + counts["not_run"]),
        "time": _seconds(suite["duration"]),
        "timestamp": min(starts) if starts else None,
        "hostname": host,
    })]
    properties = run_properties + [(XPASSED_PROPERTY, case["id"]) for case in cases
                                   if case["status"] == "xpassed"]
    if properties:
        lines.append(_INDENT * 2 + "<properties>")
        lines.extend(_INDENT * 3 + _element("property", {"name": name, "value": value})
                     for name, value in properties)
        lines.append(_INDENT * 2 + "</properties>")
    lines.extend(_case(case) for case in cases)
    lines.append(_INDENT + "</testsuite>\n")
    return "\n".join(lines)


def _case(case: Document) -> str:
    classname, separator, name = case["id"].rpartition("::")
    opening = {"name": name if separator else case["id"],
               "classname": classname if separator else None,
               "time": _seconds(case["duration"])}
    children = list(_results(case))
    for stream, element in (("stdout", "system-out"), ("stderr", "system-err")):
        captured = "".join(phase[stream] for phase in case["phases"])
        if element == "system-err":
            captured += "".join(phase["log"] for phase in case["phases"])
        if captured:
            children.append(_element(element, {}, captured))
    prefix = _INDENT * 2
    if not children:
        return prefix + _open("testcase", opening, empty=True)
    inner = "".join(f"\n{prefix}{_INDENT}{child}" for child in children)
    return f"{prefix}{_open('testcase', opening)}{inner}\n{prefix}</testcase>"


@attrs.frozen
class _Result:
    """One run's result element: ``failure``, ``error`` or ``skipped``."""

    tag: str
    type: str | None
    message: str | None
    trace: str = ""

    def plain(self) -> str:
        return _element(self.tag, {"type": self.type, "message": self.message}, self.trace)

    def rerun(self, prefix: str) -> str:
        """As Surefire's ``flakyFailure``, ``rerunError``, ... (``prefix`` + kind)."""
        name = prefix + ("Failure" if self.tag == "failure" else "Error")
        inner = _element("stackTrace", {}, self.trace) if self.trace else ""
        return f"{_open(name, {'message': self.message, 'type': self.type or self.tag})}" \
               f"{inner}</{name}>"


def _results(case: Document) -> Iterator[str]:
    """The result elements, in Surefire's order: a case whose final attempt failed is its
    first failing attempt's ``<failure>``/``<error>`` followed by one ``rerun*`` per later
    failing attempt (the final one last); otherwise its final result, if any, and one
    ``flaky*`` per earlier failing attempt."""
    earlier = [_attempt_result(attempt) for attempt in case["attempts"][:-1]
               if attempt["status"] in _EARLIER_FAILING]
    final = _final_result(case)
    if final is not None and final.tag != "skipped" and earlier:
        first, *rest = earlier
        yield first.plain()
        yield from (result.rerun("rerun") for result in (*rest, final))
        return
    if final is not None:
        yield final.plain()
    yield from (result.rerun("flaky") for result in earlier)


def _attempt_result(attempt: Document) -> _Result:
    failure = attempt["failure"]
    return _Result("failure" if attempt["status"] == "failed" else "error",
                   failure["type"] if failure else None,
                   failure["message"] if failure else None,
                   failure["traceback"] if failure else "")


def _final_result(case: Document) -> _Result | None:
    status, failure, reason = case["status"], case["failure"], case["reason"]
    if status in _FAILING:
        return _Result("failure" if status == "failed" else "error",
                       failure["type"] if failure else None,
                       failure["message"] if failure else reason,
                       failure["traceback"] if failure else "")
    if status == "incomplete":
        message = (failure["message"] if failure else None) or reason
        return _Result("error", INCOMPLETE_TYPE,
                       message or "started, never finished (the run or its worker died)",
                       failure["traceback"] if failure else "")
    if status in ("skipped", "xfailed"):
        return _Result("skipped", SKIP_TYPE if status == "skipped" else XFAIL_TYPE, reason)
    if status == "not_run":
        return _Result("skipped", NOT_RUN_TYPE,
                       "not run: the run stopped before this case started")
    return None
