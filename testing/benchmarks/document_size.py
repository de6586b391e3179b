"""Bytes per trivial passing case in the run document, the full 1.x form against the
2.0 compacted case shape (recorder/document/shape.py), beside junitxml and pytest-reportlog for the
same run: ``python testing/benchmarks/document_size.py [N]``.

Each figure is (size of a run of N trivial tests - size of a run of 1) / (N - 1), so the
document's head is not counted. "2.0" is what ``recorder export`` writes (default and
--compact); "1.x" is the same document as the reader expands it to the full form, dumped
with the same options (the exporter's bytes for a 1.x document)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import orjson

from recorder.document.reader import load_document
from recorder.document.shape import compact_case, expand_case


def _run(folder: Path, count: int) -> dict[str, int]:
    folder.mkdir()
    (folder / "test_trivial.py").write_text(
        "".join(f"def test_{i}(): pass\n" for i in range(count)))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "-p", "no:xdist", "-p", "no:randomly", "--recorder-db", "r.db",
                    "--junitxml", "junit.xml", "--report-log", "log.jsonl",
                    "test_trivial.py"], cwd=folder, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    recorder = str(Path(sys.executable).with_name("recorder"))
    for name, extra in (("doc.json", []), ("compact.json", ["--compact"])):
        subprocess.run([recorder, "export", "--db", "r.db", "--out", name, *extra],
                       cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)
    # The reader validates the file as written and expands it to the full (1.x) form.
    full = load_document(folder / "doc.json")
    assert load_document(folder / "compact.json") == full
    on_disk = orjson.loads((folder / "doc.json").read_bytes())
    for suite, original in zip(on_disk["suites"], full["suites"], strict=True):
        assert [compact_case(c) for c in original["cases"]] == suite["cases"]
        assert [expand_case(c) for c in suite["cases"]] == original["cases"]
    return {
        "1.x default": len(orjson.dumps(full, option=orjson.OPT_INDENT_2)) + 1,
        "1.x --compact": len(orjson.dumps(full)) + 1,
        "2.0 default": (folder / "doc.json").stat().st_size,
        "2.0 --compact": (folder / "compact.json").stat().st_size,
        "junitxml": (folder / "junit.xml").stat().st_size,
        "pytest-reportlog": (folder / "log.jsonl").stat().st_size,
    }


def main(count: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        one, many = _run(Path(tmp) / "one", 1), _run(Path(tmp) / "many", count)
    per_case = {name: (many[name] - one[name]) / (count - 1) for name in many}
    print(json.dumps({"trivial_cases": count,
                      "bytes_per_case": {k: round(v) for k, v in per_case.items()},
                      "2.0_default_vs_1x": round(per_case["2.0 default"]
                                                   / per_case["1.x default"], 3)}, indent=2))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
