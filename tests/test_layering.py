"""The layers point one way: no module imports from a higher layer, the projector
imports no I/O library, the pytest plugin stays light until recording is turned on,
and the markdown summary needs no Rich."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "recorder"

#: Lowest first. A module may import from its own package and from lower layers only;
#: packages sharing a layer are siblings and must not import each other.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "clock", "redaction"}),        # foundation: used by every layer
    frozenset({"events"}),                              # the vocabulary
    frozenset({"store"}),                               # where events live
    frozenset({"capture", "ingest", "document"}),       # write events / fold them
    frozenset({"export", "report", "upload"}),          # consume documents
    frozenset({"history"}),                             # read back what upload stored
    frozenset({"demo"}),                                # a recorded run of the bundled suite
    frozenset({"cli"}),                                 # the thin command line
)
#: ``recorder/__init__.py`` is the public facade (``recorder.step``), ``__main__`` runs
#: the CLI: both sit on top.
FACADES = frozenset({"__init__", "__main__"})


def layer_of(unit: str) -> int:
    for rank, units in enumerate(LAYERS):
        if unit in units:
            return rank
    raise AssertionError(f"recorder.{unit} has no layer: add it to LAYERS in {__file__}")


def unit_of(dotted: str) -> str:
    """``recorder.store.sqlite`` -> ``store``."""
    return dotted.split(".")[1]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every ``recorder.*`` module imported by the file, with its line (TYPE_CHECKING
    imports included: they still tie the layers)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "recorder":
                found += [(node.lineno, f"recorder.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.startswith("recorder.")]


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def violations(path: Path, package: Path = PACKAGE) -> list[str]:
    relative = path.relative_to(package.parent).with_suffix("")
    parts = relative.parts
    if len(parts) == 2 and parts[1] in FACADES:
        return []
    here = parts[1]
    found = []
    for line, name in imported_modules(path):
        there = unit_of(name)
        if there == here or there == "__version__":
            continue
        if layer_of(there) >= layer_of(here):
            found.append(f"{path}:{line} ({here}, layer {layer_of(here)}) imports {name} "
                         f"({there}, layer {layer_of(there)})")
    return found


def test_every_module_has_a_layer() -> None:
    units = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in modules()}
    for unit in units - FACADES - {"py.typed"}:
        layer_of(unit)


def test_no_module_imports_from_its_own_or_a_higher_layer() -> None:
    found = [problem for path in modules() for problem in violations(path)]
    assert found == [], "\n".join(found)


def test_the_layer_check_catches_upward_and_sibling_imports(tmp_path: Path) -> None:
    """The check itself can fail: the store importing the projector (upward) and capture
    importing the projector (a sibling) are both reported; a downward import is not."""
    package = tmp_path / "recorder"
    (package / "store").mkdir(parents=True)
    (package / "capture").mkdir()
    upward = package / "store" / "bad.py"
    upward.write_text("from recorder.document.projector import project\n")
    sibling = package / "capture" / "bad.py"
    sibling.write_text("import recorder.document.projector\nfrom recorder.store import sqlite\n")
    assert len(violations(upward, package)) == 1
    assert [problem.split(" imports ")[1] for problem in violations(sibling, package)] == [
        "recorder.document.projector (document, layer 3)"]


def loaded(module: str, candidates: tuple[str, ...]) -> list[str]:
    """Which of ``candidates`` are in sys.modules after a fresh ``import module``."""
    code = (f"import sys, {module}\n"
            f"print(','.join(m for m in {candidates!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return [name for name in result.stdout.strip().split(",") if name]


IO_MODULES = ("sqlite3", "sqlite_utils", "boto3", "botocore", "rich", "pytest", "socket",
              "subprocess", "urllib.request", "http.client", "jsonschema_rs", "orjson")


def test_the_projector_imports_no_io_library() -> None:
    """Importing the projector (and all it needs) loads no I/O library (jsonschema_rs and
    orjson included: validating and serializing are the exporter's job)."""
    assert loaded("recorder.document.projector", IO_MODULES) == []


def test_the_plugin_loads_nothing_heavy_when_recording_is_off() -> None:
    """pytest imports recorder.capture.plugin in every session once recorder is installed;
    the store, SQLite and serialization libraries load only when recording is on."""
    heavy = ("sqlite3", "sqlite_utils", "orjson", "cattrs", "rich", "jsonschema_rs",
             "recorder.store.sqlite", "recorder.capture.session")
    assert loaded("recorder.capture.plugin", heavy) == []


#: What a recording process must not import: encoding an event needs neither cattrs
#: (decoding does) nor any reporting, validation or history library.
RECORDING_HEAVY = ("cattrs", "rich", "jsonschema_rs", "boto3", "duckdb", "sqlite_utils")


def test_the_plugin_loads_nothing_heavy_while_recording(tmp_path: Path) -> None:
    """With recording on, by the time a test body runs (the run's start, the collection
    and the case's start are already in the journal), no heavy module is loaded."""
    (tmp_path / "test_probe.py").write_text(
        "import sys\n"
        "def test_probe():\n"
        "    assert 'recorder.capture.session' in sys.modules  # recording is on\n"
        f"    heavy = [m for m in {RECORDING_HEAVY!r} if m in sys.modules]\n"
        "    open('loaded.txt', 'w').write(','.join(heavy) + '\\n')\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         "-n", "0", "--recorder-db", str(tmp_path / "events.db"), "test_probe.py"],
        cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "loaded.txt").read_text().split() == []
    assert list((tmp_path / "events.db.journal").glob("*.jsonl"))  # the events were written


#: What a recording under a new run id must not have loaded by the time a test body runs:
#: it writes its journal only (no SQLite), and builds its events as plain payloads
#: (recorder.events.payloads), so neither attrs nor the model is imported.
SQLITE_FREE_LATE = ("sqlite3", "recorder.store.sqlite", "recorder.store.connection",
                    "attr", "attrs", "recorder.events.model", "recorder.events.codec",
                    "recorder.events.encoding", *RECORDING_HEAVY)


@pytest.mark.parametrize("variant", ["new database", "store up to date", "journal waiting"])
def test_recording_under_a_new_run_id_loads_no_sqlite_and_no_attrs(
        tmp_path: Path, variant: str) -> None:
    """Each start-up case of startup.py: a database that does not exist yet (made from
    the bytes of an empty store), one whose journals were moved in (the usual
    record-then-export cycle), and one with an earlier run's journal still waiting (it
    stays; readers move journals in by their run's start). In each, by the time a test
    body runs, neither sqlite3 nor attrs nor the event model is loaded; the runs' events
    are then all there, in the order the runs started."""
    from recorder.store.sqlite import EventStore

    (tmp_path / "test_probe.py").write_text(
        "import sys\n"
        "def test_probe():\n"
        f"    late = [m for m in {SQLITE_FREE_LATE!r} if m in sys.modules]\n"
        "    open('loaded.txt', 'w').write(','.join(late) + '\\n')\n")
    db = tmp_path / "events.db"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
               "no:randomly", "-n", "0", "--recorder-db", str(db), "test_probe.py"]

    def record(order: str) -> list[str]:
        result = subprocess.run([*command, "--recorder-label", f"order={order}"],
                                cwd=tmp_path, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        return (tmp_path / "loaded.txt").read_text().split()

    runs = 1
    if variant != "new database":
        record("first")
        runs = 2
        if variant == "store up to date":
            EventStore.open_existing(db).close()  # as an export would: journals move in
        else:
            assert list((tmp_path / "events.db.journal").glob("*.jsonl"))  # waiting
    assert record("last") == []
    with EventStore.open_existing(db) as store:
        found = store.runs()
        counts = [store.count(run.run_id) for run in found]
        order = [next(store.iter_events(run.run_id)).event.labels["order"]  # type: ignore[union-attr]
                 for run in found]
    assert counts == [8] * runs  # every run whole
    assert order == ["first", "last"][2 - runs:]  # in the order they started


def test_the_markdown_summary_needs_no_rich() -> None:
    assert loaded("recorder.report.markdown", ("rich",)) == []


@pytest.mark.parametrize("module", ["recorder.report.selection", "recorder.document.status",
                                    "recorder.events.nodeid", "recorder.export.ctrf",
                                    "recorder.export.junit_xml", "recorder.report.html"])
def test_pure_helpers_load_no_io_library(module: str) -> None:
    assert loaded(module, IO_MODULES) == []


def test_no_test_module_imports_another() -> None:
    """Shared helpers live in support modules (tests/support.py and the like), so running
    one test module never collects or depends on another."""
    tests = Path(__file__).resolve().parent
    found = []
    for path in sorted(tests.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.relative_to(tests)} imports {name}" for name in names
                      if name.rpartition(".")[2].startswith("test_")]
    assert found == [], "\n".join(found)


HEAVY = ("rich", "cattrs", "jsonschema_rs", "boto3", "duckdb", "sqlite3", "sqlite_utils",
         "orjson", "pytest", "attrs")


def test_import_recorder_loads_nothing_heavy() -> None:
    """``import recorder`` (the CLI's and the plugin's first import) stays cheap;
    ``recorder.step`` loads the steps module on first use."""
    assert loaded("recorder", HEAVY) == []


def test_the_command_line_parser_loads_nothing_heavy() -> None:
    """``recorder --help`` and ``recorder COMMAND --help`` build every parser: each
    command imports what it needs when it runs, not when it registers."""
    code = ("import sys\nfrom recorder.cli import build_parser\nbuild_parser()\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert [name for name in result.stdout.strip().split(",") if name] == []


def test_recorder_step_still_resolves_lazily() -> None:
    result = subprocess.run([sys.executable, "-c", "import recorder\nfrom recorder import step\n"
                             "print(recorder.step is step, step.__module__)"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "recorder.capture.steps"]
