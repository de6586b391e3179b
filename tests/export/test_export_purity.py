"""The CTRF and JUnit converters are pure functions of the document: importing them
loads no I/O library (the writing is the exporter's job)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.test_projector_purity import IO_MODULES


@pytest.mark.parametrize("module", ["recorder.export.ctrf", "recorder.export.junit_xml"])
def test_converters_import_no_io_library(module: str) -> None:
    code = (f"import sys, {module}\n"
            f"print(','.join(m for m in {IO_MODULES!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert [name for name in result.stdout.strip().split(",") if name] == []
