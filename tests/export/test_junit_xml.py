"""JUnit XML export: valid against Jenkins' junit-10.xsd (checked with xmlschema), every
status readable from the XML by the convention recorder.export.junit_xml states, and
no character XML 1.0 forbids."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
import xmlschema
from hypothesis import given

from recorder.document.projector import project
from recorder.document.status import CASE_STATUSES
from recorder.export.junit_xml import iter_junit_xml, render_junit_xml
from tests.corpus import corpus_path
from tests.export.statuses import CASE_OF, one_case_per_status
from tests.report.documents import RunBuilder, failure
from tests.strategies import event_logs, stamp


@pytest.fixture(scope="module")
def junit_schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(
        str(corpus_path("junit", "schemas", "jenkins-xunit-junit-10.xsd")))


def assert_valid(schema: xmlschema.XMLSchema10, xml: bytes) -> None:
    errors = [f"{error.path}: {error.reason}" for error in schema.iter_errors(xml.decode())]
    assert errors == []


def read_statuses(xml: bytes) -> dict[str, str]:
    """Each case's status, read back from the XML by the module's stated convention
    (written here from that table, not from the writer's code)."""
    statuses = {}
    for suite in ET.fromstring(xml).iter("testsuite"):
        xpassed = {p.get("value") for p in suite.iter("property")
                   if p.get("name") == "recorder.xpassed"}
        for case in suite.iter("testcase"):
            classname, name = case.get("classname"), case.get("name") or ""
            case_id = f"{classname}::{name}" if classname is not None else name
            children = list(case)
            reruns = [c for c in children if c.tag in ("rerunFailure", "rerunError")]
            results = [c for c in children if c.tag in ("failure", "error", "skipped")]
            flakies = [c for c in children if c.tag in ("flakyFailure", "flakyError")]
            final = reruns[-1] if reruns else (results[0] if results else None)
            if final is None:
                status = "xpassed" if case_id in xpassed else "flaky" if flakies else "passed"
            elif final.get("type") == "recorder.incomplete":
                status = "incomplete"
            elif final.tag in ("failure", "rerunFailure"):
                status = "failed"
            elif final.tag in ("error", "rerunError"):
                status = "error"
            else:
                status = {"pytest.xfail": "xfailed", "recorder.not_run": "not_run"}.get(
                    final.get("type") or "", "skipped")
            statuses[case_id] = status
    return statuses


def document_statuses(document: dict[str, Any]) -> dict[str, str]:
    return {case["id"]: case["status"] for suite in document["suites"]
            for case in suite["cases"]}


@given(event_logs())
def test_exports_of_generated_runs_are_valid_and_keep_every_status(
        junit_schema: xmlschema.XMLSchema10, log: dict[str, list[Any]]) -> None:
    document = project([event for events in stamp(log).values() for event in events])
    xml = render_junit_xml(document)
    assert_valid(junit_schema, xml)
    assert read_statuses(xml) == document_statuses(document)
    head = {key: value for key, value in document.items() if key != "suites"}
    assert b"".join(iter_junit_xml(head, iter(document["suites"]))) == xml


@pytest.fixture(scope="module")
def statuses() -> dict[str, Any]:
    return one_case_per_status().document()


@pytest.fixture(scope="module")
def root(statuses: dict[str, Any]) -> ET.Element:
    return ET.fromstring(render_junit_xml(statuses))


def case_element(root: ET.Element, status: str) -> ET.Element:
    classname, _, name = CASE_OF[status].rpartition("::")
    return next(c for c in root.iter("testcase")
                if (c.get("classname"), c.get("name")) == (classname, name.replace("\x01", "")))


def test_the_status_document_is_valid(junit_schema: xmlschema.XMLSchema10,
                                      statuses: dict[str, Any]) -> None:
    assert_valid(junit_schema, render_junit_xml(statuses))


#: status -> the result children of its <testcase>: (tag, type attribute).
EXPECTED: dict[str, list[tuple[str, str | None]]] = {
    "passed": [],
    "failed": [("failure", "AssertionError")],
    "error": [("error", "OperationalError")],
    "skipped": [("skipped", "pytest.skip")],
    "xfailed": [("skipped", "pytest.xfail")],
    "xpassed": [],
    "flaky": [("flakyFailure", "ConnectionResetError")],
    "incomplete": [("error", "recorder.incomplete")],
    "not_run": [("skipped", "recorder.not_run")],
}


def test_every_status_has_an_expectation() -> None:
    assert set(EXPECTED) == set(CASE_STATUSES)


@pytest.mark.parametrize("status", list(EXPECTED))
def test_each_status_has_its_result_element(root: ET.Element, status: str) -> None:
    results = [(c.tag, c.get("type")) for c in case_element(root, status)
               if not c.tag.startswith("system-")]
    assert results == EXPECTED[status]


def test_xpassed_is_named_in_its_suite_properties(root: ET.Element) -> None:
    values = [p.get("value") for p in root.iter("property")
              if p.get("name") == "recorder.xpassed"]
    assert values == [CASE_OF["xpassed"]]


def test_failures_keep_message_and_traceback(root: ET.Element) -> None:
    element = case_element(root, "failed").find("failure")
    assert element is not None
    assert element.get("message") == "assert 2 == 3"
    assert "E       assert 2 == 3" in (element.text or "")
    flaky = case_element(root, "flaky").find("flakyFailure")
    assert flaky is not None
    assert flaky.get("message") == "ConnectionResetError: peer went away"
    assert "peer went away" in (flaky.findtext("stackTrace") or "")
    crashed = case_element(root, "incomplete").find("error")
    assert crashed is not None and crashed.get("message") == "worker gw1 crashed"


def test_counts_time_and_run_properties(root: ET.Element) -> None:
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "time")} == {
        "tests": "9", "failures": "1", "errors": "2", "time": "1.500"}
    suite = root.find("testsuite")
    assert suite is not None
    assert {k: suite.get(k) for k in ("name", "tests", "failures", "errors", "skipped")} == {
        "name": "tests/test_statuses.py::TestAll", "tests": "9", "failures": "1",
        "errors": "2", "skipped": "3"}
    assert suite.get("hostname") == "ci-1"
    assert suite.get("timestamp") == "2026-11-23T10:00:00+00:00"
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["recorder.run_id"] == "run-statuses"
    assert properties["recorder.run_status"] == "interrupted"
    assert properties["git.commit"] == "0123abcd"
    assert properties["ci.url"] == "https://ci.example.invalid/runs/7"
    assert case_element(root, "failed").get("time") == "0.500"


def test_captured_output_goes_to_system_out_and_err(root: ET.Element) -> None:
    case = case_element(root, "passed")
    assert case.findtext("system-out") == "hello\nworld\n"
    assert case.findtext("system-err") == "a warning\nINFO x\n"


def test_a_case_that_failed_every_rerun_reads_as_surefire_writes_it(
        junit_schema: xmlschema.XMLSchema10) -> None:
    """First failure on top, each later attempt a rerun*, the final one last."""
    run = RunBuilder().start().collect(["t.py::test_x"])
    run.case("t.py::test_x", "failed", attempt=1, failure=failure("first", kind="E1"))
    run.case("t.py::test_x", "passed", attempt=2)  # dropped: no element for it
    run.case("t.py::test_x", "failed", attempt=3, failure=failure("third", kind="E3"))
    run.case("t.py::test_x", "error", attempt=4, phase="teardown",
             failure=failure("fourth", kind="E4"))
    xml = render_junit_xml(run.finish().document())
    assert_valid(junit_schema, xml)
    case = ET.fromstring(xml).find("testsuite/testcase")
    assert case is not None
    assert [(c.tag, c.get("type"), c.get("message")) for c in case] == [
        ("failure", "E1", "first"), ("rerunFailure", "E3", "third"),
        ("rerunError", "E4", "fourth")]
    assert read_statuses(xml) == {"t.py::test_x": "error"}


def test_characters_xml_forbids_are_removed(junit_schema: xmlschema.XMLSchema10) -> None:
    hostile = "nul\x00 esc\x1b[31m bell\x07 ffff\uffff fffe\ufffe lone\ud800 ok\t\r\n é 😀"
    run = RunBuilder().start(project="p\x0c").collect([f"t.py::test_{hostile}"])
    run.case(f"t.py::test_{hostile}", "failed",
             failure=failure(hostile, kind="E\x00", traceback=hostile))
    document = run.finish().document()
    xml = render_junit_xml(document)
    assert_valid(junit_schema, xml)
    case = ET.fromstring(xml).find("testsuite/testcase")
    assert case is not None
    kept = "nul esc[31m bell ffff fffe lone ok\t\r\n é 😀"
    assert case.get("name") == f"test_{kept}"
    element = case.find("failure")
    assert element is not None
    assert element.get("message") == kept  # \t, \r and \n survive in an attribute too
    assert element.text == kept
    assert element.get("type") == "E"


def test_rendering_is_deterministic(statuses: dict[str, Any]) -> None:
    assert render_junit_xml(statuses) == render_junit_xml(one_case_per_status().document())
