"""Property: any JUnit document Hypothesis writes ingests to the per-case statuses and
attempts that an oracle derives from the XML by the README's definitions alone."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from hypothesis import given
from hypothesis import strategies as st

from recorder.document.projector import project
from recorder.events.model import Environment, StoredEvent
from recorder.ingest.junit_reader import JUnitReader
from recorder.ingest.mapper import RunPlan, run_events

RESULTS = ("failure", "error", "skipped", "xfail", "incomplete", "not_run")
FAILING = ("failed", "error")

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn")),
               min_size=1, max_size=6)

testcase = st.fixed_dictionaries({
    "classname": st.sampled_from(["", "pkg.A", "pkg.B"]),
    "name": st.sampled_from(["t1", "t2", "t<3>&'\""]) | text,
    "results": st.lists(st.sampled_from(RESULTS), max_size=3),
    "disabled": st.booleans(),
    "named_xpassed": st.booleans(),
    "earlier": st.lists(st.sampled_from(["flakyFailure", "flakyError"]), max_size=2),
    "later": st.lists(st.sampled_from(["rerunFailure", "rerunError"]), max_size=2),
    "time": st.none() | st.floats(0, 1e4).map(lambda t: f"{t:,.3f}"),
    "message": text,
})
suite = st.fixed_dictionaries({"name": st.sampled_from(["s1", "s2"]),
                               "cases": st.lists(testcase, max_size=6)})
report = st.fixed_dictionaries({"root_is_testsuites": st.booleans(),
                                "suites": st.lists(suite, min_size=1, max_size=3)})


def to_xml(model: dict[str, Any]) -> bytes:
    suites = []
    for suite_model in model["suites"]:
        element = ElementTree.Element("testsuite", name=suite_model["name"])
        marked = [case_id(case, suite_model) for case in suite_model["cases"]
                  if case["named_xpassed"]]
        if marked:  # as recorder's own JUnit export names xpassed cases
            properties = ElementTree.SubElement(element, "properties")
            for value in marked:
                ElementTree.SubElement(properties, "property", name="recorder.xpassed",
                                       value=value)
        for case in suite_model["cases"]:
            child = ElementTree.SubElement(element, "testcase", name=case["name"])
            if case["classname"]:
                child.set("classname", case["classname"])
            if case["disabled"]:
                child.set("status", "disabled")
            if case["time"] is not None:
                child.set("time", case["time"])
            for tag in case["earlier"]:
                ElementTree.SubElement(child, tag, message=case["message"])
            for result in case["results"]:
                if result == "xfail":
                    ElementTree.SubElement(child, "skipped", type="pytest.xfail")
                elif result == "incomplete":
                    ElementTree.SubElement(child, "error", type="recorder.incomplete")
                elif result == "not_run":
                    ElementTree.SubElement(child, "skipped", type="recorder.not_run")
                else:
                    ElementTree.SubElement(child, result, message=case["message"])
            for tag in case["later"]:
                ElementTree.SubElement(child, tag, message=case["message"])
        suites.append(element)
    if model["root_is_testsuites"]:
        root = ElementTree.Element("testsuites")
        root.extend(suites)
    else:  # a root <testsuite> holding the others
        root, *rest = suites
        root.extend(rest)
    return ElementTree.tostring(root, encoding="utf-8")


def case_id(case: dict[str, Any], suite_model: dict[str, Any]) -> str:
    """The README's id: ``SUITE::NAME``, the suite its classname, else its suite's name."""
    return f"{case['classname'] or suite_model['name']}::{case['name']}"


def oracle(model: dict[str, Any]) -> dict[str, list[str]]:
    """Each case's attempts, in order, written from the README's mapping table."""
    attempts: dict[str, list[str]] = {}
    for suite_model in model["suites"]:  # a nested suite still names its own cases
        marked = {case_id(case, suite_model) for case in suite_model["cases"]
                  if case["named_xpassed"]}
        for case in suite_model["cases"]:
            key = case_id(case, suite_model)
            runs = attempts.setdefault(key, [])
            results = case["results"]
            if "not_run" in results:
                continue
            runs += ["failed" if tag == "flakyFailure" else "error" for tag in case["earlier"]]
            errors = [result for result in results if result in ("error", "incomplete")]
            skips = [result for result in results if result in ("skipped", "xfail")]
            if results or not case["later"]:
                if case["disabled"]:
                    runs.append("skipped")
                elif errors:
                    runs.append("incomplete" if errors[0] == "incomplete" else "error")
                elif "failure" in results:
                    runs.append("failed")
                elif skips:
                    runs.append("xfailed" if skips[0] == "xfail" else "skipped")
                else:
                    runs.append("xpassed" if key in marked else "passed")
            runs += ["failed" if tag == "rerunFailure" else "error" for tag in case["later"]]
    return attempts


def final(runs: list[str]) -> str:
    if not runs:
        return "not_run"
    if runs[-1] == "passed" and any(run in FAILING for run in runs[:-1]):
        return "flaky"
    return runs[-1]


def fold(path: Path) -> dict[str, Any]:
    """Read, map and fold one file: the pipeline without the store (tested elsewhere)."""
    reader = JUnitReader(path)
    records = list(reader.cases())
    assert reader.summary is not None
    plan = RunPlan(project="p", ingested_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                   environment=Environment())
    events = run_events(plan, [reader.summary], [], records)
    return project(StoredEvent(f"e{n}", "run", "junit", n, "2026-01-01T00:00:00+00:00", event)
                   for n, event in enumerate(events, start=1))


@given(report)
def test_generated_reports_ingest_to_the_oracles_statuses(model: dict[str, Any]) -> None:
    expected = oracle(model)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "report.xml"
        path.write_bytes(to_xml(model))
        document = fold(path)
    found = {case["id"]: case for suite in document["suites"] for case in suite["cases"]}
    assert {key: [a["status"] for a in case["attempts"]] for key, case in found.items()} == expected
    assert {key: case["status"] for key, case in found.items()} == {
        key: final(runs) for key, runs in expected.items()}
    assert document["summary"]["total"] == document["collection"]["collected"] == len(expected)
    failing = any(final(runs) in (*FAILING, "incomplete") for runs in expected.values())
    assert document["status"] == ("failed" if failing else "passed" if expected else "empty")
    unfinished = any(final(runs) == "not_run" for runs in expected.values())
    assert document["exit_status"] == (1 if failing or unfinished else 0)
