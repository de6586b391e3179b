"""testing/run-all-tests.sh writes the HTML report beside the run document, and the
GitHub step summary links to it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from recorder.document.reader import load_document
from recorder.report.html import render_report
from tests.support import REPO


def test_run_all_tests_writes_report_html_and_links_it_from_the_step_summary(
        tmp_path: Path) -> None:
    tests = tmp_path / "test_tiny.py"
    tests.write_text("def test_passes():\n    pass\n\ndef test_fails():\n    assert 1 == 2\n")
    out = tmp_path / "reports" / "test-run-results.json"
    summary = tmp_path / "step-summary.md"
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("AWS_", "RECORDER_", "GITHUB_"))}
    env.update(RECORDER_DB=str(tmp_path / "reports" / "test-results.db"),
               RECORDER_OUT=str(out), PYTHON=sys.executable,
               GITHUB_STEP_SUMMARY=str(summary), GITHUB_REPOSITORY="acme/shop",
               GITHUB_RUN_ID="77")
    result = subprocess.run([str(REPO / "testing" / "run-all-tests.sh"), str(tests), "-q",
                             "-p", "no:cacheprovider"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    report = out.parent / "report.html"
    assert report.read_bytes() == render_report(load_document(out))
    text = summary.read_text(encoding="utf-8")
    assert "HTML report: `report.html`" in text
    assert "(https://github.com/acme/shop/actions/runs/77#artifacts)" in text
