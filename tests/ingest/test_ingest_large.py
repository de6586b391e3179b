"""A 100 MB JUnit file streams: ``recorder ingest junit`` reads it with a peak RSS under
150 MB (measured on the child process with ``wait4``), and every case is recorded."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recorder.events.model import CaseFinished, CollectionFinished
from recorder.store.sqlite import EventStore

SIZE = 100 * 1024 * 1024
RSS_LIMIT_MB = 150
CASES_PER_SUITE = 1_000
TRACEBACK = "".join(f"  File \"src/app/module_{n}.py\", line {n * 7}, in handler_{n}\n"
                    f"    result = process(request, retries={n})\n" for n in range(20))


def write_large_report(path: Path, size: int) -> dict[str, int]:
    """A realistic report of about ``size`` bytes: mostly passes, some failures with
    tracebacks, skips, captured output, and reruns; returns the expected counts."""
    counts = {"total": 0, "passed": 0, "failed": 0, "skipped": 0, "flaky": 0, "elements": 0}
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<testsuites name="large">\n')
        suite = 0
        while out.tell() < size:
            suite += 1
            classname = f"tests.unit.package_{suite % 97}.test_module_{suite}"
            file = f"tests/unit/package_{suite % 97}/test_module_{suite}.py"
            out.write(f'<testsuite name="{classname}" tests="{CASES_PER_SUITE}" '
                      f'timestamp="2026-11-30T12:00:00" hostname="ci">\n')
            for n in range(CASES_PER_SUITE):
                attrs = (f'classname="{classname}" name="test_behaviour_{n}[param-{n % 13}]" '
                         f'file="{file}" line="{10 + n}" time="0.{n % 1000:03d}"')
                kind = n % 100
                if kind < 6:
                    out.write(f'<testcase {attrs}><failure message="AssertionError: {n} != 0" '
                              f'type="AssertionError">{TRACEBACK}</failure></testcase>\n')
                    counts["failed" if kind else "flaky"] += 1
                elif kind < 8:
                    out.write(f'<testcase {attrs}><skipped type="pytest.skip" '
                              f'message="needs a GPU"/></testcase>\n')
                    counts["skipped"] += 1
                elif kind < 10:
                    out.write(f"<testcase {attrs}><system-out>{'log line &amp; more ' * 25}"
                              "</system-out></testcase>\n")
                    counts["passed"] += 1
                else:
                    out.write(f"<testcase {attrs}/>\n")
                    counts["passed"] += 1
                counts["total"] += 1
                counts["elements"] += 1
            for n in range(0, CASES_PER_SUITE, 100):  # rerun the kind-0 failures: they pass
                out.write(f'<testcase classname="{classname}" name="test_behaviour_{n}'
                          f'[param-{n % 13}]" file="{file}" line="{10 + n}" time="0.5"/>\n')
                counts["elements"] += 1
            out.write("</testsuite>\n")
        out.write("</testsuites>\n")
    return counts


@pytest.mark.slow
def test_a_100_mb_file_ingests_in_flat_memory(tmp_path: Path) -> None:
    report = tmp_path / "large.xml"
    expected = write_large_report(report, SIZE)
    db = tmp_path / "events.db"
    started = time.perf_counter()
    with (tmp_path / "stdout").open("w+") as stdout, (tmp_path / "stderr").open("w+") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "recorder", "ingest", "junit",
                                    str(report), "--db", str(db)], stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)  # the rusage of this child alone
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    assert process.returncode == 0, (tmp_path / "stderr").read_text()
    peak_mb = usage.ru_maxrss / 1024
    print(f"\n{report.stat().st_size / 2**20:.0f} MB, {expected['elements']:,} testcase elements, "
          f"{expected['total']:,} cases: {seconds:.1f} s, "
          f"{expected['elements'] / seconds:,.0f} elements/s, peak RSS {peak_mb:.0f} MB")
    assert peak_mb < RSS_LIMIT_MB
    # Every attempt is in the log, already in the table. (Folding 1.06M events into a
    # document is the export's job; flaky reruns are proven on small files.)
    journals = db.with_name(db.name + ".journal")
    assert not journals.exists() or not any(journals.iterdir())
    run_id = (tmp_path / "stdout").read_text().splitlines()[-1]
    with EventStore.open_existing(db) as store:
        finished = collections.Counter(
            stored.event.status for stored in store.iter_events(run_id)
            if isinstance(stored.event, CaseFinished))
        collected = [stored.event.collected for stored in store.iter_events(run_id)
                     if isinstance(stored.event, CollectionFinished)]
    assert collected == [expected["total"]]
    assert finished == {"passed": expected["passed"] + expected["flaky"],
                        "failed": expected["failed"] + expected["flaky"],
                        "skipped": expected["skipped"]}
