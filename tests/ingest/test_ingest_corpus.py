"""Conformance with the shared JUnit corpus (``../shared/corpus/junit``): 75 files from
publish-unit-test-result-action with expected per-file counts and per-case results, and
30 files from three other reporters with the counts their own tests assert.

Read from ``../shared`` (data under other licenses, never copied here); skipped where
it is absent, as on a user's clone.

Deliberate differences, each pinned below:

* ``junit-xml/no-attributes.xml``: upstream drops the four ``<testcase/>`` elements that
  have neither name nor classname (and reports 4 tests only from suite counts). We keep
  them, named by position (``(unnamed testcase N)``): one is a failure and one an error,
  and dropping them would turn a failing run green.
* ``junit-xml/no-cases-but-tests.xml``: its suite *declares* tests=6 but holds no
  ``<testcase>``. We record cases, not declarations: 0 cases.
* ``xml/not-existing.xml``: upstream lists a missing file as a parse error. Our command
  refuses a missing path before recording anything (exit 3): a typo is a usage mistake,
  not a broken report.
* The two NUnit XXE files: upstream fails with "Entity 'xxe' not defined"; we refuse
  their DOCTYPE before parsing (the same outcome, no entity read, a clearer reason).
* ``xfailed`` counts as skipped and ``flaky`` as passed when comparing with tools that
  have neither status; dorny and mikepenz fold ``error`` into failed.
* extra ``flaky_success_first.xml`` (pass, then failure, then error of one test):
  mikepenz says "any pass wins"; we say the last attempt decides, as a rerun plugin
  does, so the case is ``error``.
* extra ``expectedRetries.xml`` has a raw ``<`` in an attribute: not well-formed XML.
  mikepenz's lenient parser reads 7 tests; we refuse the file, as every strict parser.
* extra ``CorruptTest.xml`` (truncated in CDATA): mikepenz reports 0 tests; we also
  record none of it, and name the file as broken.
* extra ``pulsar-test-report.xml`` (TestNG) and ``external/jest/jest-test-results.xml``
  repeat the same (classname, name) for distinct invocations; dorny counts elements
  (808, 4239). We read a repeat as a rerun of one case, as Go and web-test-runner write
  reruns (the issue's rule), so those files have fewer cases (670, 3982), every element
  an attempt.
"""

from __future__ import annotations

import collections
import csv
import json
from pathlib import Path
from typing import Any

import pytest

from recorder.errors import InputNotFoundError
from recorder.ingest import expand_paths, ingest_junit
from recorder.ingest.junit_reader import JUnitFileError, JUnitReader
from tests.ingest.ingest_support import document_of, run_cli, shared_corpus

CORPUS = shared_corpus("junit", "corpus")
EXTRA = shared_corpus("junit", "extra")
ABSENT = "the shared JUnit corpus (../shared/corpus/junit) is not beside this checkout"
RESULT = {"success": "passed", "failure": "failed", "error": "error", "skipped": "skipped",
          "disabled": "skipped"}
FAILING = ("failed", "error")


def manifest(folder: Path | None) -> list[dict[str, str]]:
    if folder is None:
        return []
    with (folder / "MANIFEST.tsv").open(newline="") as stream:
        return list(csv.DictReader(stream, delimiter="\t"))


def rows_or_skip(folder: Path | None) -> list[Any]:
    rows = manifest(folder)
    if not rows:
        return [pytest.param(None, marks=pytest.mark.skip(reason=ABSENT), id="corpus-absent")]
    return [pytest.param(row, id=row["path"]) for row in rows]


def expected_cases() -> dict[str, list[dict[str, Any]]]:
    by_path: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    assert CORPUS is not None
    with (CORPUS / "expected-cases.jsonl").open() as stream:
        for line in stream:
            case = json.loads(line)
            by_path[case["path"]].append(case)
    return by_path


def document_for(tmp_path: Path, path: Path) -> dict[str, Any]:
    db = tmp_path / "events.db"
    result = ingest_junit([path], db)
    assert result.problems == ()
    return document_of(db, result.run_id)


def all_cases(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [case for suite in document["suites"] for case in suite["cases"]]


def name_of(element: dict[str, Any]) -> str:
    """Upstream's name; the one nameless case it keeps (testcase6) is named by position."""
    return element["test_name"] or "(unnamed testcase 1)"


def final_status(attempts: list[str]) -> str:
    """The definition: the last attempt decides; failed-then-passed is flaky."""
    if attempts[-1] == "passed" and any(status in FAILING for status in attempts[:-1]):
        return "flaky"
    return attempts[-1]


@pytest.mark.parametrize("row", rows_or_skip(CORPUS))
def test_corpus_file(row: dict[str, str], tmp_path: Path) -> None:
    assert CORPUS is not None
    path = CORPUS / row["path"]
    if row["kind"] == "missing-file":
        with pytest.raises(InputNotFoundError, match="does not exist"):
            expand_paths([path])
        return
    if row["expected_outcome"] != "ok":
        with pytest.raises(JUnitFileError) as raised:
            list(JUnitReader(path).cases())
        if row["kind"] == "security-native-nunit":
            assert "declares a DOCTYPE" in raised.value.message
        return

    document = document_for(tmp_path, path)
    summary = document["summary"]
    ours = (summary["total"], summary["passed"] + summary["flaky"], summary["failed"],
            summary["error"], summary["skipped"] + summary["xfailed"])
    declared = tuple(int(row[key]) for key in ("tests", "passed", "failed", "errors", "skipped"))
    elements = expected_cases()[row["path"]]
    cases = all_cases(document)
    attempts = [(case["name"], attempt["status"]) for case in cases for attempt in case["attempts"]]

    if row["path"] == "junit-xml/no-attributes.xml":
        assert (elements, int(row["cases"])) == ([], 0)  # upstream dropped them
        assert sorted(attempts) == [(f"(unnamed testcase {n})", status) for n, status in
                                    enumerate(["passed", "skipped", "failed", "error"], 1)]
        assert ours == declared
        return
    if row["path"] == "junit-xml/no-cases-but-tests.xml":
        assert (elements, summary["total"], int(row["tests"])) == ([], 0, 6)
        return

    # Every <testcase> element is one attempt, with upstream's result for it.
    assert len(attempts) == int(row["cases"])
    assert collections.Counter(attempts) == collections.Counter(
        (name_of(element), RESULT[element["result"]]) for element in elements)
    # A classname, where there is one, is the suite.
    suites = collections.Counter((case["suite"], case["name"]) for case in cases
                                 for _ in case["attempts"])
    named = collections.Counter((element["class_name"], element["test_name"])
                                for element in elements if element["class_name"])
    assert named - suites == collections.Counter()
    # Failure messages of the final attempts are upstream's.
    assert collections.Counter(
        (case["name"], case["failure"]["message"] or None) for case in cases
        if case["status"] in FAILING) <= collections.Counter(
        (name_of(element), element["message"]) for element in elements
        if RESULT[element["result"]] in FAILING)
    # Per case: repeats of (classname, name) are attempts, and the last one decides.
    groups: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for element in elements:
        groups[(element["class_name"] or "", element["test_name"])].append(
            RESULT[element["result"]])
    assert collections.Counter(case["status"] for case in cases) == collections.Counter(
        final_status(statuses) for statuses in groups.values())
    # Per file: upstream's unique-test counts (error > failure > success > skipped over
    # repeats) agree with ours on every file of this corpus.
    assert ours == declared


@pytest.mark.parametrize("row", rows_or_skip(EXTRA))
def test_extra_file(row: dict[str, str], tmp_path: Path) -> None:
    assert EXTRA is not None
    path = EXTRA / row["path"]
    if not row["computed_cases"]:  # the two malformed files
        with pytest.raises(JUnitFileError, match="not well-formed XML"):
            list(JUnitReader(path).cases())
        return
    document = document_for(tmp_path, path)
    summary = document["summary"]
    ours = {"tests": summary["total"],
            "passed": summary["passed"] + summary["flaky"] + summary["xpassed"],
            "failed": summary["failed"] + summary["error"],
            "skipped": summary["skipped"] + summary["xfailed"]}
    asserted = {key: int(row[key]) for key in ours if row[key] != ""}
    differences = {
        "mikepenz-action-junit-report/flaky_retries/flaky_success_first.xml":
            {"tests": 1, "passed": 0, "failed": 1},
        "dorny-test-reporter/external/java/TEST-org.apache.pulsar.AddMissingPatchVersionTest.xml":
            {"tests": 1, "failed": 1, "passed": 0, "skipped": 0},
        "dorny-test-reporter/external/java/pulsar-test-report.xml":
            {"tests": 670, "passed": 663, "failed": 1, "skipped": 6},
        "dorny-test-reporter/external/jest/jest-test-results.xml":
            {"tests": 3982, "passed": 3950, "failed": 2, "skipped": 30},
    }
    assert {key: ours[key] for key in asserted} == {**asserted, **differences.get(row["path"], {})}
    # One attempt per <testcase> and per Surefire flaky*/rerun* element, except that a
    # case holding only rerun* elements has no run of its own.
    attempts = sum(len(case["attempts"]) for case in all_cases(document))
    assert attempts == sum(_attempts_written(case) for case in _testcases(path))
    assert len(_testcases(path)) == int(row["computed_cases"])
    assert summary["flaky"] >= (1 if int(row["computed_flaky_cases"]) else 0)


def _testcases(path: Path) -> list[list[str]]:
    """The child tags of every <testcase> in ``path``."""
    from xml.etree import ElementTree

    return [[child.tag for child in case] for case in ElementTree.parse(path).iter("testcase")]


def _attempts_written(tags: list[str]) -> int:
    flaky = sum(tag in ("flakyFailure", "flakyError") for tag in tags)
    reruns = sum(tag in ("rerunFailure", "rerunError") for tag in tags)
    own_result = any(tag in ("failure", "error", "skipped") for tag in tags)
    return flaky + reruns + (1 if own_result or not reruns else 0)


def test_the_whole_corpus_as_one_run(tmp_path: Path) -> None:
    """Every file of both folders in one command: the bad ones named, the rest in."""
    if CORPUS is None or EXTRA is None:
        pytest.skip(ABSENT)
    converted = [str(CORPUS / row["path"]) for row in manifest(CORPUS)
                 if row["path"].endswith(".junit-xml")]
    db = tmp_path / "events.db"
    result = run_cli("ingest", "junit", str(CORPUS), str(EXTRA), *converted, "--db", str(db))
    assert result.returncode == 4
    broken = [line.split(": ")[1] for line in result.stderr.splitlines()]
    expected_broken = [str(CORPUS / row["path"]) for row in manifest(CORPUS)
                       if row["expected_outcome"] != "ok" and row["kind"] != "missing-file"]
    expected_broken += [str(EXTRA / row["path"]) for row in manifest(EXTRA)
                        if not row["computed_cases"]]
    assert sorted(broken) == sorted(expected_broken)
    document = document_of(db, result.stdout.splitlines()[-1])
    assert sorted(error["nodeid"] for error in document["collection"]["errors"]) == sorted(broken)
    files = len(expand_paths([CORPUS, EXTRA, *converted]))
    assert f"from {files - len(broken)} files, {len(broken)} could not be read" in result.stdout
    assert document["status"] == "failed"
