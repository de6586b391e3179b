"""``recorder demo``: record the bundled sample suite, export it and summarize it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from recorder.exporter import ExportResult, export_run

SUITE = Path(__file__).with_name("test_shop.py")


def run_demo(db_path: str | Path, out_path: str | Path, *, quiet: bool = False) -> ExportResult:
    """Run the sample suite under pytest with recording into ``db_path`` (a new run),
    then export it to ``out_path``. The suite fails on purpose; that is not an error."""
    db_path, out_path = Path(db_path).absolute(), Path(out_path).absolute()
    with tempfile.TemporaryDirectory(prefix="recorder-demo-") as workdir:
        shutil.copy(SUITE, Path(workdir) / "test_shop.py")
        (Path(workdir) / "pytest.ini").write_text("[pytest]\n")
        subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
             "--recorder-db", str(db_path), "--recorder-project", "demo-shop", "test_shop.py"],
            cwd=workdir, check=False,
            stdout=subprocess.DEVNULL if quiet else None,
        )
    return export_run(db_path, out_path)
