"""Every variant of the JUnit family, in small files of our own, maps to the statuses,
attempts, suites, names, output and times the README's mapping table promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder.ingest.junit_reader import seconds
from tests.ingest.ingest_support import cases, ingest, ingest_xml, write


def statuses(document: dict[str, object]) -> dict[tuple[str, str], str]:
    return {key: case["status"] for key, case in cases(document).items()}  # type: ignore[arg-type]


def test_a_testsuites_root_with_every_plain_result(tmp_path: Path) -> None:
    """No result is passed; failure, error and skipped map to their statuses."""
    document = ingest_xml(tmp_path, """<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="all" tests="4" time="1.5">
  <testsuite name="suite" tests="4">
    <testcase classname="pkg.A" name="passes" time="0.1"/>
    <testcase classname="pkg.A" name="fails" time="0.2">
      <failure message="expected 1" type="AssertionError">trace line 1
trace line 2</failure>
    </testcase>
    <testcase classname="pkg.A" name="errors" time="0.3">
      <error message="boom" type="IOError"/></testcase>
    <testcase classname="pkg.A" name="skips" time="0"><skipped message="not on linux"/></testcase>
  </testsuite>
</testsuites>""")
    assert statuses(document) == {("pkg.A", "passes"): "passed", ("pkg.A", "fails"): "failed",
                                  ("pkg.A", "errors"): "error", ("pkg.A", "skips"): "skipped"}
    failed = cases(document)[("pkg.A", "fails")]
    assert failed["failure"] == {"phase": "call", "type": "AssertionError",
                                 "message": "expected 1",
                                 "traceback": "trace line 1\ntrace line 2"}
    assert failed["duration"] == 0.2
    assert cases(document)[("pkg.A", "skips")]["reason"] == "not on linux"
    assert document["status"] == "failed"
    assert document["exit_status"] == 1
    assert document["duration"] == 1.5  # the root's declared time
    assert document["collection"] == {"collected": 4, "errors": []}
    assert document["tool"]["name"] == "junit"


def test_a_testsuite_root_and_nested_suites(tmp_path: Path) -> None:
    """A root <testsuite>, and cases at every depth; classname names the suite, else the
    innermost <testsuite>, else the file."""
    document = ingest_xml(tmp_path, """<testsuite name="outer" time="2">
  <testcase classname="Outer" name="top"/>
  <testsuite name="middle">
    <testsuite name="inner">
      <testcase name="deep"/>
    </testsuite>
    <testcase name="after inner"/>
  </testsuite>
</testsuite>""")
    assert set(cases(document)) == {("Outer", "top"), ("inner", "deep"),
                                    ("middle", "after inner")}
    assert document["summary"]["passed"] == 3
    assert document["status"] == "passed"
    assert document["exit_status"] == 0
    assert document["duration"] == 2.0

    bare = ingest_xml(tmp_path / "bare", "<testsuites><testsuite><testcase name='t'/>"
                      "</testsuite></testsuites>")
    assert set(cases(bare)) == {("report.xml", "t")}


def test_properties_at_every_level_and_output_on_cases_and_suites(tmp_path: Path) -> None:
    """Case properties become the case's parameters; suite and root properties and suite
    output are read past; case output is the call phase's stdout and stderr."""
    document = ingest_xml(tmp_path, """<testsuites>
  <properties><property name="root" value="r"/></properties>
  <testsuite name="s">
    <properties><property name="java.version" value="21"/></properties>
    <testcase classname="C" name="t">
      <properties>
        <property name="owner" value="team-a"/>
        <property name="note">written as text</property>
      </properties>
      <system-out>hello out</system-out>
      <system-err><![CDATA[hello <err>]]></system-err>
    </testcase>
    <system-out>suite output</system-out>
    <system-err>suite errors</system-err>
  </testsuite>
</testsuites>""")
    case = cases(document)[("C", "t")]
    assert case["parameters"] == {"owner": "team-a", "note": "written as text"}
    assert case["phases"][0]["stdout"] == "hello out"
    assert case["phases"][0]["stderr"] == "hello <err>"
    assert case["status"] == "passed"


def test_file_line_timestamp_and_hostname(tmp_path: Path) -> None:
    """file and line come from the case (file also from its suite); start times from the
    case's timestamp, else its suite's (no offset means UTC); the host from hostname."""
    document = ingest_xml(tmp_path, """<testsuites>
  <testsuite name="s" timestamp="2026-01-02T03:04:05" hostname="ci-runner-7" file="spec/s.js">
    <testcase classname="C" name="inherits" time="1.5"/>
    <testcase classname="C" name="own" file="tests/test_own.py" line="42"
              timestamp="2026-01-02T04:00:00+01:00"/>
  </testsuite>
</testsuites>""")
    inherits, own = cases(document)[("C", "inherits")], cases(document)[("C", "own")]
    assert inherits["file"] == "spec/s.js"
    assert inherits["started_at"] == "2026-01-02T03:04:05+00:00"
    assert inherits["phases"][0]["stopped_at"] == "2026-01-02T03:04:06.500000+00:00"
    assert (own["file"], own["line"]) == ("tests/test_own.py", 42)
    assert own["started_at"] == "2026-01-02T03:00:00+00:00"
    assert document["environment"]["host"] == "ci-runner-7"
    assert document["started_at"] == "2026-01-02T03:00:00+00:00"
    assert document["finished_at"] == "2026-01-02T03:04:06.500000+00:00"


def test_several_results_in_one_case_take_the_most_severe(tmp_path: Path) -> None:
    """error beats failure beats skipped; several failures are one failure, texts joined."""
    document = ingest_xml(tmp_path, """<testsuite name="s">
  <testcase classname="C" name="all three"><skipped/><failure message="f">F</failure>
    <error message="e">E</error></testcase>
  <testcase classname="C" name="skip and fail"><skipped/><failure message="f">F</failure></testcase>
  <testcase classname="C" name="three failures"><failure message="first">one</failure>
    <failure message="second">two</failure><failure>three</failure></testcase>
</testsuite>""")
    assert statuses(document) == {("C", "all three"): "error", ("C", "skip and fail"): "failed",
                                  ("C", "three failures"): "failed"}
    assert cases(document)[("C", "all three")]["failure"]["message"] == "e"
    failure = cases(document)[("C", "three failures")]["failure"]
    assert (failure["message"], failure["traceback"]) == ("first", "one\ntwo\nthree")
    assert all(len(case["attempts"]) == 1 for case in cases(document).values())


def test_disabled_is_skipped_whatever_else_the_case_holds(tmp_path: Path) -> None:
    document = ingest_xml(tmp_path, """<testsuite name="s">
  <testcase name="off" status="disabled"/>
  <testcase name="off but failing" status="disabled"><failure message="x"/></testcase>
  <testcase name="run" status="run"/>
</testsuite>""")
    assert statuses(document) == {("s", "off"): "skipped", ("s", "off but failing"): "skipped",
                                  ("s", "run"): "passed"}
    assert cases(document)[("s", "off")]["reason"] == "disabled"


def test_pytest_xfail_is_xfailed(tmp_path: Path) -> None:
    document = ingest_xml(tmp_path, """<testsuites><testsuite name="pytest">
  <testcase classname="tests.test_x" name="test_known_bug" file="tests/test_x.py" line="9">
    <skipped type="pytest.xfail" message="bug 12"/></testcase>
  <testcase classname="tests.test_x" name="test_plain_skip">
    <skipped type="pytest.skip" message="no db">tests/test_x.py:20: no db</skipped></testcase>
</testsuite></testsuites>""")
    xfailed = cases(document)[("tests.test_x", "test_known_bug")]
    assert xfailed["status"] == "xfailed"
    assert xfailed["reason"] == "bug 12"
    assert xfailed["id"] == "tests/test_x.py::tests.test_x::test_known_bug"
    assert cases(document)[("tests.test_x", "test_plain_skip")]["status"] == "skipped"
    assert document["summary"]["xfailed"] == 1


def test_surefire_flaky_failures_then_a_pass_are_flaky(tmp_path: Path) -> None:
    """flakyFailure and flakyError are earlier attempts; the case itself passed last."""
    document = ingest_xml(tmp_path, """<testsuite name="com.example.FlakyTest">
  <testcase classname="com.example.FlakyTest" name="sometimes" time="0.3">
    <flakyFailure message="first run" type="java.lang.AssertionError">
      <stackTrace>at FlakyTest.java:10</stackTrace><system-out>run 1 out</system-out>
    </flakyFailure>
    <flakyError message="second run" type="java.io.IOException">
      <stackTrace>io</stackTrace></flakyError>
  </testcase>
</testsuite>""")
    case = cases(document)[("com.example.FlakyTest", "sometimes")]
    assert case["status"] == "flaky"
    assert [a["status"] for a in case["attempts"]] == ["failed", "error", "passed"]
    assert case["attempts"][0]["failure"]["message"] == "first run"
    assert case["attempts"][0]["failure"]["traceback"] == "at FlakyTest.java:10"
    assert case["duration"] == 0.3
    assert document["summary"]["flaky"] == 1
    assert document["status"] == "passed"


def test_surefire_reruns_that_all_fail_are_later_attempts(tmp_path: Path) -> None:
    """The <failure> is the first run; each rerunFailure/rerunError one more, in order."""
    document = ingest_xml(tmp_path, """<testsuite name="T">
  <testcase classname="T" name="always" time="0.1">
    <failure message="run 1" type="AssertionError">t1</failure>
    <system-out>first run output</system-out>
    <rerunFailure message="run 2" type="AssertionError"><stackTrace>t2</stackTrace></rerunFailure>
    <rerunError message="run 3" type="NullPointerException"><stackTrace>t3</stackTrace>
      <system-err>run 3 err</system-err></rerunError>
  </testcase>
  <testcase classname="T" name="reruns only">
    <rerunFailure message="r1"><stackTrace>x</stackTrace></rerunFailure>
  </testcase>
</testsuite>""")
    always = cases(document)[("T", "always")]
    assert [a["status"] for a in always["attempts"]] == ["failed", "failed", "error"]
    assert [a["failure"]["message"] for a in always["attempts"]] == ["run 1", "run 2", "run 3"]
    assert always["status"] == "error"
    assert always["phases"][0]["stderr"] == "run 3 err"
    only = cases(document)[("T", "reruns only")]
    assert [a["status"] for a in only["attempts"]] == ["failed"]


def test_repeated_classname_and_name_are_attempts_of_one_case(tmp_path: Path) -> None:
    """Go and web-test-runner write a rerun as the same (classname, name) again: fail
    then pass is flaky, pass then fail is failed; another classname is another case."""
    document = ingest_xml(tmp_path, """<testsuites><testsuite name="pkg">
  <testcase classname="pkg" name="TestRace" time="3.3"><failure message="Failed"/></testcase>
  <testcase classname="pkg" name="TestLater" time="1"/>
  <testcase classname="other" name="TestRace" time="1"><failure message="Failed"/></testcase>
  <testcase classname="pkg" name="TestRace" time="7.7"/>
  <testcase classname="pkg" name="TestLater" time="1"><failure message="now broken"/></testcase>
</testsuite></testsuites>""")
    race = cases(document)[("pkg", "TestRace")]
    assert race["status"] == "flaky"
    assert [(a["attempt"], a["status"]) for a in race["attempts"]] == [(1, "failed"), (2, "passed")]
    assert race["duration"] == 7.7
    assert cases(document)[("pkg", "TestLater")]["status"] == "failed"
    assert cases(document)[("other", "TestRace")]["status"] == "failed"
    assert document["summary"]["total"] == 3
    assert document["collection"]["collected"] == 3


def test_repeats_across_files_of_one_run_continue_the_attempts(tmp_path: Path) -> None:
    first = write(tmp_path, "a.xml", "<testsuite name='s'><testcase classname='C' name='t'>"
                  "<failure/></testcase></testsuite>")
    second = write(tmp_path, "b.xml", "<testsuite name='s'><testcase classname='C' name='t'/>"
                   "</testsuite>")
    _, document = ingest(tmp_path, first, second)
    assert cases(document)[("C", "t")]["status"] == "flaky"


def test_namespaced_elements_and_unnamed_cases(tmp_path: Path) -> None:
    """Tags in a default namespace read the same; a nameless <testcase> keeps its
    result under a name made from its position in the file instead of vanishing."""
    document = ingest_xml(tmp_path, """<testsuites xmlns="urn:example">
  <testsuite name="s"><testcase/><testcase><failure/></testcase></testsuite>
</testsuites>""")
    assert statuses(document) == {("s", "(unnamed testcase 1)"): "passed",
                                  ("s", "(unnamed testcase 2)"): "failed"}


def test_xml_entities_bom_and_astral_characters(tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    path.write_bytes("\ufeff<testsuite name='s'><testcase classname='C&amp;D' "
                     "name='t &lt;1&gt; &#x1F600; 😀'/></testsuite>".encode())
    _, document = ingest(tmp_path, path)
    assert set(cases(document)) == {("C&D", "t <1> 😀 😀")}


@pytest.mark.parametrize(("text", "expected"), [
    ("0.5", 0.5), ("1,234.5", 1234.5), ("12,345", 12345.0), ("0,5", 0.5), (" 2 ", 2.0),
    (None, 0.0), ("", 0.0), ("<<computed>>", 0.0), ("-1", 0.0), ("nan", 0.0), ("inf", 0.0),
])
def test_times_missing_grouped_or_odd(text: str | None, expected: float) -> None:
    assert seconds(text) == expected


def test_time_written_with_thousands_separators_reaches_the_document(tmp_path: Path) -> None:
    document = ingest_xml(tmp_path, """<testsuite name="s">
  <testcase classname="C" name="slow" time="1,234.5"/><testcase classname="C" name="untimed"/>
</testsuite>""")
    assert cases(document)[("C", "slow")]["duration"] == 1234.5
    assert cases(document)[("C", "untimed")]["duration"] == 0.0
    assert document["duration"] == 1234.5  # no declared time: the sum of the cases


def test_the_run_takes_project_labels_and_run_id(tmp_path: Path) -> None:
    path = write(tmp_path, "r.xml", "<testsuite name='s'><testcase name='t'/></testsuite>")
    result, document = ingest(tmp_path, path, run_id="ci-42", project="web",
                              labels={"branch": "main"})
    assert result.run_id == document["run_id"] == "ci-42"
    assert document["project"] == "web"
    assert document["labels"] == {"branch": "main"}
    assert document["environment"]["python"] is None  # the tests were not ours to see


def test_a_directory_means_its_xml_files_and_each_file_counts_once(tmp_path: Path) -> None:
    """Every *.xml under a directory, nested too, and nothing else; a file named again
    (directly, or inside a directory also named) is not read twice."""
    reports = tmp_path / "reports"
    first = write(reports, "a.xml", "<testsuite name='s'><testcase name='a'/></testsuite>")
    write(reports, "nested/b.xml", "<testsuite name='s'><testcase name='b'/></testsuite>")
    write(reports, "notes.txt", "not a report")
    result, document = ingest(tmp_path, reports, first, reports)
    assert [Path(summary.path).name for summary in result.files] == ["a.xml", "b.xml"]
    assert set(cases(document)) == {("s", "a"), ("s", "b")}
    assert all(len(case["attempts"]) == 1 for case in cases(document).values())
    assert (result.cases, result.testcases) == (2, 2)


def test_recorders_own_junit_export_markers_keep_every_status(tmp_path: Path) -> None:
    """What ``recorder export --format junit`` writes for the statuses JUnit lacks reads
    back as those statuses: xpassed (named in a suite property), incomplete (an error of
    type recorder.incomplete, with no end) and not_run (no attempt at all)."""
    document = ingest_xml(tmp_path, """<testsuites>
  <testsuite name="tests/test_all.py::TestAll" tests="4">
    <properties>
      <property name="recorder.run_id" value="r1"/>
      <property name="recorder.xpassed" value="tests/test_all.py::TestAll::test_xpassed"/>
    </properties>
    <testcase classname="tests/test_all.py::TestAll" name="test_xpassed" time="0.1"/>
    <testcase classname="tests/test_all.py::TestAll" name="test_passed" time="0.1"/>
    <testcase classname="tests/test_all.py::TestAll" name="test_incomplete" time="0.2">
      <error type="recorder.incomplete" message="worker gw1 crashed"/>
    </testcase>
    <testcase classname="tests/test_all.py::TestAll" name="test_not_run" time="0">
      <skipped type="recorder.not_run" message="not run: the run stopped first"/>
    </testcase>
  </testsuite>
</testsuites>""")
    by_id = {case["id"]: case for suite in document["suites"] for case in suite["cases"]}
    prefix = "tests/test_all.py::TestAll::"
    assert {case_id.removeprefix(prefix): case["status"] for case_id, case in by_id.items()} == {
        "test_xpassed": "xpassed", "test_passed": "passed", "test_incomplete": "incomplete",
        "test_not_run": "not_run"}
    assert by_id[prefix + "test_incomplete"]["failure"]["message"] == "worker gw1 crashed"
    assert by_id[prefix + "test_not_run"]["attempts"] == []
    assert document["summary"]["total"] == document["collection"]["collected"] == 4
    assert document["exit_status"] == 1
