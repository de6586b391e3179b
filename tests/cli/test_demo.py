"""``recorder demo``: the README's main command records, exports and summarizes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_demo_records_exports_and_summarizes_the_sample_suite(tmp_path: Path) -> None:
    db, out = tmp_path / "demo.db", tmp_path / "demo.json"
    result = subprocess.run([sys.executable, "-m", "recorder", "demo", "-q", "--db", str(db),
                             "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    document = json.loads(out.read_text())
    assert document["project"] == "demo-shop"
    assert document["summary"]["failed"] == 1 and document["summary"]["error"] == 1
    assert "Test run FAILED" in result.stdout
    assert "test_shop.py::test_discount_code_applies" in result.stdout
    assert "Traceback" not in result.stderr


def test_demo_records_a_new_run_each_time(tmp_path: Path) -> None:
    db, out = tmp_path / "demo.db", tmp_path / "demo.json"
    for _ in range(2):
        subprocess.run([sys.executable, "-m", "recorder", "demo", "-q", "--db", str(db),
                        "--out", str(out)], capture_output=True, check=True)
    runs = subprocess.run([sys.executable, "-m", "recorder", "runs", "--db", str(db)],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(runs) == 2
    assert json.loads(out.read_text())["run_id"] == runs[-1].split("\t")[0]
