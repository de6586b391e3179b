"""Run documents for the report tests: the bundled demo, a real xdist run with failures
and retries recorded by the plugin, and a generated run of any size."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from recorder.demo import run_demo
from recorder.document.reader import load_document
from recorder.export.run_json import export_run

XDIST_SUITE = '''
import os
from pathlib import Path
import recorder

def test_passes():
    with recorder.step("outer"):
        with recorder.step("inner"):
            pass

def test_fails():
    print("some captured output")
    assert 1 + 1 == 3, "arithmetic is broken"

def test_flaky(tmp_path_factory):
    marker = Path(os.environ["FLAKY_MARKER"])
    if not marker.exists():
        marker.write_text("failed once")
        raise AssertionError("first attempt fails")

def test_always_fails_after_retry():
    raise RuntimeError("no luck </script> <b>bold</b>")
'''


def demo_document(tmp: Path) -> dict[str, Any]:
    return load_document(run_demo(tmp / "demo.db", tmp / "demo.json", quiet=True).path)


def xdist_document(tmp: Path) -> dict[str, Any]:
    """A real pytest -n 2 --reruns 1 run: one failure, one flaky case, one case that fails
    both attempts, and several passing ones spread over two workers."""
    tmp = tmp.resolve()
    suite = tmp / "suite"
    suite.mkdir()
    (suite / "test_xdist.py").write_text(XDIST_SUITE)
    for index in range(12):
        (suite / f"test_more_{index}.py").write_text(
            "import time\n\ndef test_a():\n    time.sleep(0.01)\n\ndef test_b():\n    pass\n")
    (suite / "pytest.ini").write_text("[pytest]\n")
    db = tmp / "xdist.db"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
         "--reruns", "1", "--recorder-db", str(db), "--recorder-project", "xdist-shop"],
        cwd=suite, check=False, capture_output=True, timeout=300,
        env={**_env(), "FLAKY_MARKER": str(tmp / "flaky-marker")})
    out = tmp / "xdist.json"
    export_run(db, out)
    return load_document(out)


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("RECORDER_")}
