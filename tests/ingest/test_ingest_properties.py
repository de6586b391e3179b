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

from recorder.events import Environment, StoredEvent
from recorder.ingest.junit_reader import JUnitReader
from recorder.ingest.mapper import RunPlan, run_events
from recorder.projector import project
from tests.ingest.ingest_support import cases

RESULTS = ("failure", "error", "skipped", "xfail")
FAILING = ("failed", "error")

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn")),
               min_size=1, max_size=6)

testcase = st.fixed_dictionaries({
    "classname": st.sampled_from(["", "pkg.A", "pkg.B"]),
    "name": st.sampled_from(["t1", "t2", "t<3>&'\""]) | text,
    "results": st.lists(st.sampled_from(RESULTS), max_size=3),
    "disabled": st.booleans(),
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


def oracle(model: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """Each case's attempts, in order, written from the README's mapping table."""
    attempts: dict[tuple[str, str], list[str]] = {}
    for suite_model in model["suites"]:  # a nested suite still names its own cases
        for case in suite_model["cases"]:
            key = (case["classname"] or suite_model["name"], case["name"])
            runs = ["failed" if tag == "flakyFailure" else "error" for tag in case["earlier"]]
            results = case["results"]
            if results or not case["later"]:
                if case["disabled"]:
                    runs.append("skipped")
                elif "error" in results:
                    runs.append("error")
                elif "failure" in results:
                    runs.append("failed")
                elif results:
                    runs.append("xfailed" if results[0] == "xfail" else "skipped")
                else:
                    runs.append("passed")
            runs += ["failed" if tag == "rerunFailure" else "error" for tag in case["later"]]
            attempts.setdefault(key, []).extend(runs)
    return attempts


def final(runs: list[str]) -> str:
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
    found = cases(document)
    assert {key: [a["status"] for a in case["attempts"]] for key, case in found.items()} == expected
    assert {key: case["status"] for key, case in found.items()} == {
        key: final(runs) for key, runs in expected.items()}
    assert document["summary"]["total"] == document["collection"]["collected"] == len(expected)
    failing = any(final(runs) in FAILING for runs in expected.values())
    assert document["status"] == ("failed" if failing else "passed" if expected else "empty")
