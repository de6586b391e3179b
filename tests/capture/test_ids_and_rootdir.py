"""Case ids, suites and names as pytest itself gives them, whatever the ids contain and
however ``--recorder-db`` is written on the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from recorder.document.reader import load_document
from recorder.export.run_json import export_run
from tests.support import record_session

pytest_plugins = ["pytester"]


def test_ids_containing_double_colons_keep_their_suite_and_name(
        pytester: pytest.Pytester) -> None:
    """Regression (issue 10): ``test_x[::1]`` and ``test_p[a::b]`` were split into a bogus
    suite; suite and name now come from pytest's item chain."""
    pytester.makepyfile(test_colons="""
        import pytest

        @pytest.mark.parametrize("address", ["::1"])
        def test_x(address):
            pass

        class TestGroup:
            @pytest.mark.parametrize("pair", ["a::b"])
            def test_p(self, pair):
                pass
    """)
    _, document = record_session(pytester, "--deselect", "test_colons.py::nothing")
    x = document["by_id"]["test_colons.py::test_x[::1]"]
    p = document["by_id"]["test_colons.py::TestGroup::test_p[a::b]"]
    assert (x["suite"], x["name"]) == ("test_colons.py", "test_x[::1]")
    assert (p["suite"], p["name"]) == ("test_colons.py::TestGroup", "test_p[a::b]")
    assert [suite["id"] for suite in document["suites"]] == ["test_colons.py",
                                                           "test_colons.py::TestGroup"]


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_space_and_equals_forms_give_the_same_rootdir_ids_and_project(
        tmp_path: Path, workers: list[str]) -> None:
    """Regression (issue 10): with ``--recorder-db /outside/path.db`` (space form) and no
    config file, the second run (once the database existed) took the common ancestor of the
    tests and the database as rootdir: project and ids changed and ``--deselect`` stopped
    matching. Every form and every run now gives the same."""
    tests = tmp_path / "peers" / "odd"
    tests.mkdir(parents=True)
    (tests / "test_time.py").write_text("def test_kept():\n    pass\n\n"
                                        "def test_dropped():\n    assert False\n")
    db = tmp_path / "outside" / "path.db"
    forms = [["--recorder-db", str(db)], ["--recorder-db", str(db)]]
    if not workers:
        forms.append([f"--recorder-db={db}"])
    for number, form in enumerate(forms):
        result = _run(tests, *form, f"--recorder-run-id=r{number}", *workers,
                      "--deselect", "test_time.py::test_dropped")
        assert result.returncode == 0, result.stdout
    for number in range(len(forms)):
        out = tmp_path / f"r{number}.json"
        export_run(db, out, f"r{number}")
        document = load_document(out)
        assert document["project"] == "odd", number
        assert [case["id"] for suite in document["suites"] for case in suite["cases"]] == [
            "test_time.py::test_kept"], number
        assert document["collection"]["deselected"] == 1
