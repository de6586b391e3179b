"""CTRF export: valid against the CTRF schema (checked by the validator that passes all
of CTRF's own normative cases), with our statuses mapped as the README says."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given

from recorder.document.projector import project
from recorder.document.status import CASE_STATUSES
from recorder.export.ctrf import CTRF_STATUS, ctrf_report
from tests.corpus import corpus_path, find_corpus
from tests.export.statuses import CASE_OF, one_case_per_status
from tests.strategies import event_logs, stamp


def _normative_cases() -> list[Any]:
    """Every case of CTRF's test suite: (file, description, document, valid)."""
    root = find_corpus("ctrf", "tests")
    if root is None:  # one skipped case that says why, not pytest's "empty parameter set"
        return [pytest.param(None, None, id="corpus-absent", marks=pytest.mark.skip(
            reason="the shared corpus (shared/corpus/ctrf/tests beside the repository) is "
            "not here; it is only needed for the conformance tests"))]
    cases = []
    for path in sorted(root.rglob("*.test.json")):
        for number, test in enumerate(json.loads(path.read_text())["tests"]):
            if "dataPath" in test:  # relative to the file that names it
                data = json.loads((path.parent / test["dataPath"]).read_text())
            else:
                data = test["data"]
            cases.append(pytest.param(data, test["valid"],
                                      id=f"{path.name}#{number}: {test['description']}"))
    return cases


NORMATIVE = _normative_cases()


@pytest.fixture(scope="module")
def ctrf_validator() -> Any:
    schema = json.loads(corpus_path("ctrf", "ctrf.schema.json").read_text())
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def assert_valid(validator: Any, report: dict[str, Any]) -> None:
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
              for e in validator.iter_errors(report)]
    assert errors == []


def test_the_ctrf_test_suite_is_all_here() -> None:
    """CTRF's suite has 168 cases; a partial copy would weaken the check below."""
    corpus_path("ctrf", "tests")
    assert len(NORMATIVE) == 168
    assert sum(case.values[1] for case in NORMATIVE) == 19


@pytest.mark.parametrize(("document", "valid"), NORMATIVE)
def test_the_validator_agrees_with_every_normative_case(ctrf_validator: Any,
                                                        document: Any, valid: bool) -> None:
    """The validator we check our reports with accepts exactly CTRF's valid cases."""
    assert ctrf_validator.is_valid(document) is valid


@given(event_logs())
def test_reports_of_generated_runs_are_valid_ctrf(ctrf_validator: Any,
                                                  log: dict[str, list[Any]]) -> None:
    """Any run the projector can fold becomes a schema-valid CTRF report whose tests
    and counts match the document."""
    document = project([event for events in stamp(log).values() for event in events])
    report = ctrf_report(document)
    assert_valid(ctrf_validator, report)
    cases = [case for suite in document["suites"] for case in suite["cases"]]
    tests = report["results"]["tests"]
    assert [t["rawStatus"] for t in tests] == [c["status"] for c in cases]
    assert [t.get("testId") for t in tests] == [c["id"] or None for c in cases]
    ctrf_counts = Counter(CTRF_STATUS[c["status"]] for c in cases)
    summary = report["results"]["summary"]
    for status in ("passed", "failed", "skipped", "pending", "other"):
        assert summary[status] == ctrf_counts[status]
    assert summary["tests"] == len(cases)
    assert summary["flaky"] == sum(c["status"] == "flaky" for c in cases)
    assert report == ctrf_report(json.loads(json.dumps(document)))  # a pure function


@pytest.fixture(scope="module")
def statuses() -> dict[str, Any]:
    return one_case_per_status().document()


@pytest.fixture(scope="module")
def report(statuses: dict[str, Any]) -> dict[str, Any]:
    return ctrf_report(statuses)


def test_the_status_document_is_a_valid_report(ctrf_validator: Any,
                                               report: dict[str, Any]) -> None:
    assert_valid(ctrf_validator, report)


EXPECTED = {
    "passed": "passed", "failed": "failed", "error": "failed", "skipped": "skipped",
    "xfailed": "skipped", "xpassed": "passed", "flaky": "passed", "incomplete": "other",
    "not_run": "pending",
}


def test_every_status_has_a_mapping() -> None:
    assert set(EXPECTED) == set(CASE_STATUSES)


def ctrf_test(report: dict[str, Any], status: str) -> dict[str, Any]:
    return next(t for t in report["results"]["tests"] if t["testId"] == CASE_OF[status])


@pytest.mark.parametrize("status", list(EXPECTED))
def test_each_status_maps_to_its_ctrf_status_and_keeps_ours_as_raw_status(
        report: dict[str, Any], status: str) -> None:
    test = ctrf_test(report, status)
    assert test["status"] == EXPECTED[status]
    assert test["rawStatus"] == status
    assert test.get("flaky", False) is (status == "flaky")


def test_a_flaky_case_lists_every_attempt(report: dict[str, Any]) -> None:
    test = ctrf_test(report, "flaky")
    assert test["retries"] == 1
    assert [(a["attempt"], a["status"], a["duration"]) for a in test["retryAttempts"]] == [
        (1, "failed", 300), (2, "passed", 200)]
    assert test["retryAttempts"][0]["message"] == "ConnectionResetError: peer went away"
    assert test["retryAttempts"][0]["extra"] == {"rawStatus": "failed"}


def test_a_case_run_once_has_no_retries(report: dict[str, Any]) -> None:
    assert "retries" not in ctrf_test(report, "failed")
    assert "retryAttempts" not in ctrf_test(report, "failed")


def test_failures_carry_message_trace_and_type(report: dict[str, Any]) -> None:
    test = ctrf_test(report, "error")
    assert test["message"] == "database is locked"
    assert "E       database is locked" in test["trace"]
    assert test["extra"]["failureType"] == "OperationalError"
    assert test["extra"]["failurePhase"] == "setup"
    crashed = ctrf_test(report, "incomplete")
    assert crashed["message"] == "worker gw1 crashed"
    assert crashed["threadId"] == "gw1"


def test_suite_path_file_line_and_timing(report: dict[str, Any]) -> None:
    test = ctrf_test(report, "failed")
    assert test["suite"] == ["tests/test_statuses.py", "TestAll"]
    assert test["filePath"] == "tests/test_statuses.py"
    assert test["line"] == 21
    assert test["name"] == "test_failed"
    assert test["duration"] == 500
    assert test["start"] == 1_795_428_000_000  # 2026-11-23T10:00:00Z
    assert test["stop"] == test["start"] + 500


def test_output_is_split_into_lines(report: dict[str, Any]) -> None:
    test = ctrf_test(report, "passed")
    assert test["stdout"] == ["hello", "world"]
    assert test["stderr"] == ["a warning"]
    assert test["extra"]["log"] == "INFO x\n"


def test_nested_steps_are_flattened_with_their_timings(report: dict[str, Any]) -> None:
    steps = ctrf_test(report, "passed")["steps"]
    assert [(s["name"], s["status"], s["extra"]["depth"], s["extra"]["duration"])
            for s in steps] == [("log in", "passed", 0, 100), ("type password", "passed", 1, 50),
                                ("pay", "other", 0, None)]
    assert steps[2]["extra"]["rawStatus"] == "incomplete"
    assert steps[0]["extra"]["start"] == 1_795_428_000_000


def test_summary_counts_and_run_times(report: dict[str, Any]) -> None:
    summary = report["results"]["summary"]
    assert {k: summary[k] for k in ("tests", "passed", "failed", "skipped", "pending",
                                    "other", "flaky", "suites")} == {
        "tests": 9, "passed": 3, "failed": 2, "skipped": 2, "pending": 1, "other": 1,
        "flaky": 1, "suites": 1}
    assert (summary["start"], summary["stop"], summary["duration"]) == (
        1_795_428_000_000, 1_795_428_001_000, 1500)
    assert summary["extra"]["recorderStatuses"]["not_run"] == 1


def test_environment_and_run_metadata(report: dict[str, Any]) -> None:
    environment = report["results"]["environment"]
    assert environment["commit"] == "0123abcd"
    assert environment["branchName"] == "main"
    assert environment["buildUrl"] == "https://ci.example.invalid/runs/7"
    assert environment["buildId"] == "4242"
    assert environment["appName"] == "shop"
    assert environment["extra"]["gitDirty"] is False
    assert report["runId"] == "run-statuses"
    assert report["results"]["extra"]["runStatus"] == "interrupted"
    assert report["results"]["extra"]["interruption"] == "stopped by SIGTERM"
    assert report["results"]["tool"] == {"name": "pytest", "version": "8.0"}


def test_the_report_id_follows_the_events(statuses: dict[str, Any]) -> None:
    """Same events, same reportId (a retransmission); other events, another one."""
    other = one_case_per_status()
    other.case("tests/test_more.py::test_more")
    assert ctrf_report(statuses)["reportId"] == ctrf_report(
        one_case_per_status().document())["reportId"]
    assert ctrf_report(statuses)["reportId"] != ctrf_report(other.document())["reportId"]

