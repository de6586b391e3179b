"""``recorder demo``: record the bundled sample suite, export it and summarize it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from recorder.errors import RecorderError
from recorder.export.run_json import ExportResult, export_run
from recorder.store.emitter import new_run_id

SUITE = Path(__file__).with_name("test_shop.py")


def run_demo(db_path: str | Path, out_path: str | Path, *, quiet: bool = False) -> ExportResult:
    """Run the sample suite under pytest with recording into ``db_path`` (a new run),
    then export it to ``out_path``. The suite fails on purpose; that is not an error."""
    db_path, out_path = Path(db_path).absolute(), Path(out_path).absolute()
    run_id = new_run_id()
    with tempfile.TemporaryDirectory(prefix="recorder-demo-") as workdir:
        shutil.copy(SUITE, Path(workdir) / "test_shop.py")
        (Path(workdir) / "pytest.ini").write_text("[pytest]\n")
        completed = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
             "--recorder-db", str(db_path), "--recorder-run-id", run_id,
             "--recorder-project", "demo-shop", "test_shop.py"],
            cwd=workdir, check=False,
            stdout=subprocess.DEVNULL if quiet else None,
        )
    if completed.returncode not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise RecorderError(
            f"the sample suite did not run (pytest exited {completed.returncode}): run "
            "'recorder demo' without -q to see pytest's output"
        )
    return export_run(db_path, out_path, run_id)
