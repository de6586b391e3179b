"""The JUnit-to-status mapping: a ``<testcase>`` element's children become attempts.

=================================================  ==========================
what the ``<testcase>`` holds                        status of that attempt
=================================================  ==========================
no result element                                   passed
``<failure>``                                       failed
``<error>``                                         error
``<skipped>``                                       skipped
``<skipped type="pytest.xfail">``                   xfailed
``status="disabled"`` (whatever else it holds)      skipped
several of ``<error>``, ``<failure>``, ``<skipped>``  the most severe, in that order
``<flakyFailure>`` / ``<flakyError>``               an earlier failed / error attempt
``<rerunFailure>`` / ``<rerunError>``               a later failed / error attempt
``<error type="recorder.incomplete">``               incomplete (started, never finished;
                                                    also on a ``<rerunError>``)
``<skipped type="recorder.not_run">``                not_run (no attempt at all)
named in its suite's ``recorder.xpassed`` property  xpassed (when it passed)
=================================================  ==========================

The last three are how ``recorder export --format junit`` writes the statuses JUnit has
no element for, so a run exported to JUnit and ingested again keeps every status.

So Surefire's flaky test (``flakyFailure`` elements, no final failure) is failed
attempts followed by a passed one, which the document calls ``flaky``; a test that
failed all its reruns is its ``failure`` followed by each ``rerun*`` attempt.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

import attrs

from recorder.events.bounds import CAPTURE_LIMIT, MESSAGE_LIMIT, TRACEBACK_LIMIT, bound
from recorder.events.model import AttemptStatus, Failure
from recorder.ingest.records import AttemptRecord, RecordStatus

#: Result elements of the run the ``<testcase>`` itself describes, most severe first.
_SEVERITY: tuple[tuple[str, AttemptStatus], ...] = (
    ("error", "error"), ("failure", "failed"), ("skipped", "skipped"))
_EARLIER: dict[str, AttemptStatus] = {"flakyFailure": "failed", "flakyError": "error"}
_LATER: dict[str, AttemptStatus] = {"rerunFailure": "failed", "rerunError": "error"}
XFAIL_TYPE = "pytest.xfail"
INCOMPLETE_TYPE = "recorder.incomplete"
NOT_RUN_TYPE = "recorder.not_run"
XPASSED_PROPERTY = "recorder.xpassed"


def local_name(tag: str) -> str:
    """``{namespace}testcase`` -> ``testcase``."""
    return tag.rpartition("}")[2]


def attempts_of(case: Element, duration: float,
                xpassed: bool = False) -> tuple[AttemptRecord, ...]:
    """The attempts ``case`` describes, in the order they ran (``xpassed``: its suite
    names it as an unexpected pass)."""
    earlier: list[AttemptRecord] = []
    later: list[AttemptRecord] = []
    results: dict[str, list[Element]] = {}
    stdout, stderr = [], []
    for child in case:
        tag = local_name(child.tag)
        if tag in _EARLIER:
            earlier.append(_rerun(child, _EARLIER[tag]))
        elif tag in _LATER:
            later.append(_rerun(child, _LATER[tag]))
        elif tag == "system-out":
            stdout.append(child.text or "")
        elif tag == "system-err":
            stderr.append(child.text or "")
        else:
            results.setdefault(tag, []).append(child)
    output = _Output(bound("".join(stdout), CAPTURE_LIMIT), bound("".join(stderr), CAPTURE_LIMIT))
    if any(element.get("type") == NOT_RUN_TYPE for element in results.get("skipped", ())):
        return ()
    attempts = earlier
    if not later or any(tag in results for tag, _ in _SEVERITY):
        attempts.append(_primary(case, results, duration, output, xpassed))
    elif output.stdout or output.stderr:  # no run of its own: its output is the first rerun's
        later[0] = attrs.evolve(later[0], stdout=output.stdout or later[0].stdout,
                                stderr=output.stderr or later[0].stderr)
    attempts.extend(later)
    return tuple(attempts)


@attrs.frozen
class _Output:
    stdout: str
    stderr: str


def _primary(case: Element, results: dict[str, list[Element]], duration: float,
             output: _Output, xpassed: bool) -> AttemptRecord:
    def attempt(status: RecordStatus, failure: Failure | None = None,
                reason: str | None = None) -> AttemptRecord:
        return AttemptRecord(status, duration, failure, reason, output.stdout, output.stderr)

    if case.get("status") == "disabled":
        return attempt("skipped", reason="disabled")
    for tag, status in _SEVERITY:
        elements = results.get(tag)
        if not elements:
            continue
        first = elements[0]
        if status == "skipped":
            reason = first.get("message") or (first.text or "").strip() or None
            return attempt("xfailed" if first.get("type") == XFAIL_TYPE else "skipped",
                           reason=reason)
        if status == "error" and first.get("type") == INCOMPLETE_TYPE:
            return attempt("incomplete", failure=_failure(elements))
        return attempt(status, failure=_failure(elements))
    return attempt("xpassed" if xpassed else "passed")


def _failure(elements: list[Element]) -> Failure:
    """One failure from one or more result elements of the same kind (a case with
    three ``<failure>`` children failed once, in three ways: their texts are joined)."""
    first = elements[0]
    message = first.get("message") or ""
    texts = [_text(element) for element in elements]
    return Failure(type=first.get("type") or local_name(first.tag),
                   message=bound(message, MESSAGE_LIMIT),
                   traceback=bound("\n".join(text for text in texts if text), TRACEBACK_LIMIT))


def _rerun(element: Element, status: RecordStatus) -> AttemptRecord:
    stdout = stderr = ""
    for child in element:
        tag = local_name(child.tag)
        if tag == "system-out":
            stdout += child.text or ""
        elif tag == "system-err":
            stderr += child.text or ""
    if status == "error" and element.get("type") == INCOMPLETE_TYPE:
        status = "incomplete"  # a rerun that never finished (recorder's own export)
    return AttemptRecord(status, duration=0.0, failure=_failure([element]),
                         stdout=bound(stdout, CAPTURE_LIMIT), stderr=bound(stderr, CAPTURE_LIMIT))


def _text(element: Element) -> str:
    """A result element's details: Surefire's ``<stackTrace>`` child, else its text."""
    for child in element:
        if local_name(child.tag) == "stackTrace":
            return (child.text or "").strip()
    return (element.text or "").strip()
