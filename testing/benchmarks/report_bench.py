"""Size and render time of the HTML report of a large run (issue 15: a 20,000-case run
stays under 5 MB and renders in under 2 s in headless Chromium).

    .venv/bin/python testing/benchmarks/report_bench.py [--cases 20000] [--rounds 3]

Generates an -n 2-shaped run of that many cases (2% failing with tracebacks, 0.5%
flaky, 3% skipped, 10% with steps; testing/benchmarks/generate.py), exports it, renders
the report, then opens it from file:// in Debian's headless Chromium with the network
off, timing from navigation to the timeline chart drawn (the last thing the page
draws) and the first page of the case list shown. Prints one JSON line."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1] / "tests" / "report" / "html")]

from browser import chromium  # noqa: E402
from generate import _plan, generate_event_log  # noqa: E402

from recorder.document.reader import load_document  # noqa: E402
from recorder.export.run_json import export_run  # noqa: E402
from recorder.report.html import render_report  # noqa: E402


def events_for(cases: int, workers: int = 2) -> int:
    target = cases * 5
    while _plan(target, workers) < cases:
        target += 500
    return target


def measure(cases: int, rounds: int, workdir: Path) -> dict[str, object]:
    log = generate_event_log(workdir / "large.db", events_for(cases))
    export_run(log.path, workdir / "large.json", log.run_id)
    document = load_document(workdir / "large.json")
    started = time.perf_counter()
    page = render_report(document)
    render_seconds = time.perf_counter() - started
    out = workdir / "large.html"
    out.write_bytes(page)
    timings = []
    with chromium() as browser:
        for _ in range(rounds):
            with browser.open(out) as opened:
                assert opened.errors() == [], opened.errors()
                assert opened.page.locator("#case-rows tr").count() == 100
                timings.append(opened.load_seconds)
    return {"cases": document["summary"]["total"], "failed": document["summary"]["failed"],
            "bytes": len(page), "megabytes": round(len(page) / 1e6, 2),
            "python_render_s": round(render_seconds, 3),
            "chromium_open_s": [round(t, 3) for t in timings],
            "chromium_open_median_s": round(statistics.median(timings), 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recorder-report-bench-") as workdir:
        print(json.dumps(measure(args.cases, args.rounds, Path(workdir))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
