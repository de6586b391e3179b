"""Import hygiene: the projector is pure (it imports nothing that does I/O), and the
pytest plugin stays light until recording is turned on."""

from __future__ import annotations

import subprocess
import sys

IO_MODULES = ("sqlite3", "sqlite_utils", "boto3", "botocore", "rich", "pytest", "socket",
              "subprocess", "urllib.request", "http.client", "jsonschema")


def test_projector_imports_no_io_library() -> None:
    """Importing recorder.document.projector (and all it needs) loads no I/O library."""
    code = (
        "import sys, recorder.document.projector\n"
        f"print(','.join(m for m in {IO_MODULES!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    loaded = [name for name in result.stdout.strip().split(",") if name]
    assert loaded == [], f"recorder.document.projector pulled in I/O modules: {loaded}"


def test_the_plugin_loads_nothing_heavy_when_recording_is_off() -> None:
    """pytest imports recorder.capture.plugin in every session once recorder is installed; the
    store, SQLite and serialization libraries load only when recording is on."""
    code = (
        "import sys, recorder.capture.plugin\n"
        "heavy = ('sqlite3', 'sqlite_utils', 'orjson', 'cattrs', 'rich', 'jsonschema_rs',"
        " 'recorder.store.sqlite', 'recorder.capture.session')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == ""
