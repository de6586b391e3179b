"""The terminal summary, rendered at fixed widths into a string console."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from recorder.report.selection import (
    CUT_MARKER,
    clean,
    cut_text,
    failure_site,
    format_duration,
    format_timestamp,
)
from recorder.report.terminal import render_summary
from tests.report.documents import (
    RunBuilder,
    empty_run,
    failure,
    interrupted_run,
    mixed_run,
)

WIDTHS = [80, 120]


def render(document: dict[str, Any], width: int = 80, **options: Any) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
    console.print(render_summary(document, **options))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    for line in output.splitlines():
        assert cell_len(line) <= width, f"line wider than {width}: {line!r}"
    return output


def squeeze(text: str) -> str:
    """``text`` with panel sides dropped and runs of spaces collapsed, so padding and
    wrapping do not matter."""
    return " ".join(text.replace("\u2503", " ").replace("\u2502", " ").split())


@pytest.fixture(scope="module")
def mixed() -> dict[str, Any]:
    return mixed_run().document()


@pytest.mark.parametrize("width", WIDTHS)
def test_header_names_run_status_start_duration_commit_branch_and_ci(
        mixed: dict[str, Any], width: int) -> None:
    """The header names the run, its status, start, duration, commit, branch and CI link."""
    output = render(mixed, width)
    assert "Test run FAILED" in output
    assert "run-1 (project shop)" in output
    assert "2026-11-23 10:00:00 UTC" in output
    assert "6.25 s" in output
    assert "0123456789ab + uncommitted changes" in output
    assert "0123456789abcdef" not in output
    assert "feature/cart" in output
    assert "github-actions run 4242, job tests" in output
    assert "https://github.com/acme/shop/actions/runs/4242" in output


@pytest.mark.parametrize("width", WIDTHS)
def test_counts_show_every_nonzero_status_with_share_and_bar(
        mixed: dict[str, Any], width: int) -> None:
    """Each status with cases gets a row: count, share of the run, and a bar."""
    output = render(mixed, width)
    rows = {line.split()[0]: line for line in output.splitlines()
            if line.split() and line.split()[0] in
            ("passed", "failed", "error", "skipped", "xfailed", "flaky", "xpassed")
            and "\u2588" in line}
    assert set(rows) == {"passed", "failed", "error", "skipped", "xfailed", "flaky"}
    assert rows["passed"].split()[1:3] == ["3", "33%"]
    assert rows["failed"].split()[1:3] == ["2", "22%"]
    assert rows["error"].split()[1:3] == ["1", "11%"]
    assert rows["passed"].count("\u2588") > rows["failed"].count("\u2588") \
        > rows["error"].count("\u2588") > 0
    assert "Results 9 cases in 6.25 s" in squeeze(output)


@pytest.mark.parametrize("width", WIDTHS)
def test_last_line_is_the_verdict(mixed: dict[str, Any], width: int) -> None:
    """Logs are read from the bottom: the last line gives the status, time and counts."""
    last = render(mixed, width).rstrip("\n").splitlines()[-1]
    assert last == "FAILED in 6.25 s: 3 passed, 2 failed, 1 error, 1 skipped, 1 xfailed, 1 flaky"


def test_bar_is_proportional_to_the_count() -> None:
    """A status holding three quarters of the cases fills three quarters of its bar."""
    run = RunBuilder().start().collect([f"t.py::test_{n}" for n in range(4)])
    for n in range(3):
        run.case(f"t.py::test_{n}")
    run.case("t.py::test_3", "skipped")
    output = render(run.finish(0).document(), 120)
    passed = next(line for line in output.splitlines() if line.startswith("passed"))
    filled, empty = passed.count("\u2588"), passed.count("\u2591")
    assert filled / (filled + empty) == pytest.approx(0.75, abs=0.02)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_failed_and_errored_case_is_listed_with_location_and_message(
        mixed: dict[str, Any], width: int) -> None:
    """Each failure shows its id, where it is defined, where it failed and its message."""
    output = squeeze(render(mixed, width))
    assert "Failures (3)" in output
    assert ("FAILED tests/test_shop.py::test_total tests/test_shop.py:20 failed in call at "
            "tests/test_shop.py:12 AssertionError: assert 2 == 3 + where 2 = cart.total") in output
    assert ("ERROR tests/test_db.py::test_migrate tests/test_db.py:7 error in setup at "
            "tests/conftest.py:44 OperationalError: database is locked") in output
    assert "FAILED tests/test_i18n.py::test_grüße_名前" in output


def test_many_failures_are_all_listed() -> None:
    """Every failed case is named, however many there are."""
    ids = [f"tests/test_bulk.py::test_{n:03}" for n in range(60)]
    run = RunBuilder().start().collect(ids)
    for case_id in ids:
        run.case(case_id, "failed", failure=failure(f"boom {case_id}"))
    output = render(run.finish().document(), 80)
    assert "Failures (60)" in output
    for case_id in ids:
        assert f"FAILED {case_id}\n" in output


@pytest.mark.parametrize("width", WIDTHS)
def test_flaky_case_shows_its_retry_and_first_failure(mixed: dict[str, Any], width: int) -> None:
    output = squeeze(render(mixed, width))
    assert ("FLAKY tests/test_net.py::test_retry tests/test_net.py:9 passed on attempt 2 "
            "after 1 failure (2 attempts) attempt 1: ConnectionResetError: peer went away"
            ) in output


@pytest.mark.parametrize("width", WIDTHS)
def test_suite_table_gives_cases_failures_and_duration(mixed: dict[str, Any], width: int) -> None:
    output = squeeze(render(mixed, width))
    assert "Suite Cases Failed Duration" in output
    assert "tests/test_shop.py 3 1 3.45 s" in output
    assert "tests/test_db.py 2 1 1.80 s" in output
    assert "tests/test_net.py 1 0 250 ms" in output


def test_suite_table_keeps_failing_suites_when_cut() -> None:
    """With more suites than fit, failing ones stay and the rest are counted."""
    run = RunBuilder().start()
    ids = [f"tests/test_{n:02}.py::test_x" for n in range(12)]
    run.collect(ids)
    for n, case_id in enumerate(ids):
        run.case(case_id, "failed" if n == 11 else "passed", failure=failure("no"))
    output = squeeze(render(run.finish().document(), 80, max_suites=4))
    assert "tests/test_11.py 1 1" in output
    assert "tests/test_00.py 1 0" in output
    assert "tests/test_04.py" not in output.split("Failures")[0]
    assert "... 8 more suites without failures" in output


@pytest.mark.parametrize("width", WIDTHS)
def test_slowest_cases_are_listed_slowest_first_with_their_slowest_steps(
        mixed: dict[str, Any], width: int) -> None:
    output = render(mixed, width, slowest=3)
    section = squeeze(output.split("Slowest")[1].split("FAILED in 6.25 s")[0])
    assert section.startswith("3 cases")
    assert section.index("test_checkout") < section.index("test_migrate") \
        < section.index("test_backup")
    assert "test_retry" not in section
    assert "3.20 s passed tests/test_shop.py::test_checkout 2.50 s pay 2.10 s pay > call bank " \
           "400 ms log in" in section
    assert "render receipt" not in section  # only the three slowest steps


def test_slowest_zero_leaves_the_section_out(mixed: dict[str, Any]) -> None:
    assert "Slowest" not in render(mixed, 80, slowest=0)


@pytest.mark.parametrize("width", WIDTHS)
def test_long_messages_are_cut_with_a_marker(width: int) -> None:
    """A huge one-line message and a many-line message both end in a marker saying
    how much was cut."""
    run = RunBuilder().start().collect(["t.py::test_wide", "t.py::test_tall"])
    run.case("t.py::test_wide", "failed", failure=failure("x" * 5000, kind="ValueError"))
    tall = "\n".join(f"line {n}" for n in range(40))
    run.case("t.py::test_tall", "failed", failure=failure(tall))
    output = render(run.finish().document(), width)
    assert output.count("x") < 600
    assert f"{CUT_MARKER}4" in output and "more characters]" in output
    assert "AssertionError: line 0" in output and "line 5" in output
    assert "line 6" not in output
    assert f"{CUT_MARKER}34 more lines]" in output


def test_zero_case_run_says_nothing_was_recorded() -> None:
    output = squeeze(render(empty_run().document(), 80))
    assert "Test run EMPTY" in output
    assert "Results 0 cases" in output
    assert "No test cases were recorded (none were collected)." in output
    assert "Failures" not in output and "Slowest" not in output and "Suites" not in output
    assert output.endswith("(none were collected). EMPTY in 300 ms: no cases")


@pytest.mark.parametrize("width", WIDTHS)
def test_interrupted_run_says_so_loudly_with_the_incomplete_case(width: int) -> None:
    """An interrupted run opens with a banner naming the case that was running, the
    step it was in, and how many cases never ran."""
    output = render(interrupted_run().document(), width)
    banner = squeeze(output.split("Results")[0])
    assert "Test run INTERRUPTED" in banner
    assert "RUN INTERRUPTED: the run stopped without recording its end (killed or crashed). " \
           "These results are partial." in banner
    assert "Was running (incomplete): tests/test_api.py::test_upload" in banner
    assert "at tests/test_api.py:40, in step 'send > wait for ack'" in banner
    assert "Never ran: 2 of 4 collected cases." in banner
    assert "Duration unknown (the run did not record its end)" in banner
    rest = squeeze(output.split("Results")[1])
    assert "incomplete 1 25%" in rest and "not run 2 50%" in rest
    assert "INCOMPLETE tests/test_api.py::test_upload" in rest
    assert rest.endswith(" INTERRUPTED: 1 passed, 1 incomplete, 2 not run")


def test_interrupted_between_cases_says_none_was_running() -> None:
    run = RunBuilder().start().collect(["t.py::test_a", "t.py::test_b"]).case("t.py::test_a")
    run.finish(2, interrupted=True, reason="KeyboardInterrupt")
    output = squeeze(render(run.document(), 80))
    assert "RUN INTERRUPTED: KeyboardInterrupt." in output
    assert "No case was running when it stopped." in output
    assert "Never ran: 1 of 2 collected cases." in output


def test_collection_errors_show_pytests_error_lines() -> None:
    message = ("ImportError while importing test module 'tests/test_x.py'.\nTraceback:\n"
               "tests/test_x.py:1: in <module>\n    import nope\n"
               "E   ModuleNotFoundError: No module named 'nope'")
    run = RunBuilder().start().collect([], errors=[("tests/test_x.py", message)])
    output = squeeze(render(run.finish(2).document(), 80))
    assert "Collection errors (1) ERROR tests/test_x.py ModuleNotFoundError: No module named " \
           "'nope'" in output
    assert "1 collection error" in output


def test_names_with_markup_brackets_and_non_ascii_render_as_written(
        mixed: dict[str, Any]) -> None:
    output = render(mixed, 80, slowest=10)
    assert "test_discount[10%-[bold]]" in output
    assert "test_grüße_名前" in output
    assert "assert 'Grüße' == 'Grüsse'" in output


def test_escape_sequences_in_messages_are_removed() -> None:
    """A message carrying ANSI colours or control characters cannot leak them."""
    run = RunBuilder().start().collect(["t.py::test_a"])
    run.case("t.py::test_a", "failed", failure=failure("\x1b[31mred\x1b[0m text\x07\r"))
    output = render(run.finish().document(), 80)
    assert "\x1b" not in output and "\x07" not in output
    assert "AssertionError: red text" in output


def test_event_log_gaps_are_warned_about() -> None:
    run = mixed_run()
    del run.events[5]
    document = run.document()
    assert "WARNING: the event log is missing 1 event (from main)" in squeeze(render(document))


def test_ascii_only_console_gets_ascii_bars(mixed: dict[str, Any]) -> None:
    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii", errors="replace")
    console = Console(file=stream, width=80, color_system=None)
    assert console.options.ascii_only
    document = mixed_run().document()
    console.print(render_summary(document))
    stream.flush()
    output = stream.buffer.getvalue().decode("ascii")  # type: ignore[attr-defined]
    assert "passed     3  33% #######" in output


def test_colours_follow_the_status_on_a_colour_terminal(mixed: dict[str, Any]) -> None:
    console = Console(file=io.StringIO(), width=80, force_terminal=True, color_system="standard")
    console.print(render_summary(mixed))
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b[1;31mFAILED\x1b[0m" in output


# -- the pieces -------------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "unknown"), (0.0001, "<1 ms"), (0.056, "56 ms"), (1.234, "1.23 s"),
    (0.9999, "1.00 s"), (59.999, "1 min 0 s"), (83.4, "1 min 23 s"), (7384, "2 h 03 min"),
])
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_timestamp_keeps_a_non_utc_offset() -> None:
    assert format_timestamp("2026-11-23T10:00:00+00:00") == "2026-11-23 10:00:00 UTC"
    assert format_timestamp("2026-11-23T11:00:00+01:00") == "2026-11-23 11:00:00 +0100"
    assert format_timestamp(None) == "unknown"


def test_cut_text_keeps_the_head_or_the_tail() -> None:
    text = "\n".join(f"l{n}" for n in range(10))
    assert cut_text(text, 3, 100) == "l0\nl1\nl2\n[... 7 more lines]"
    assert cut_text(text, 3, 100, tail=True) == "[... 7 more lines above]\nl7\nl8\nl9"
    assert cut_text("abcdef", 5, 4) == "abcd [... 2 more characters]"
    assert cut_text("short", 5, 100) == "short"


def test_failure_site_reads_the_traceback_end() -> None:
    assert failure_site({"traceback": "...\nE  x\n\ntests/a b.py:12: AssertionError\n"}) \
        == "tests/a b.py:12"
    assert failure_site({"traceback": ""}) is None
    assert failure_site(None) is None


def test_clean_strips_escapes_and_controls_but_keeps_text() -> None:
    assert clean("a\x1b[1;31mb\x1b[0m\tc\x00d\r\ne ü") == "ab  cd\ne ü"
