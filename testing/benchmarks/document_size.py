"""Bytes per trivial passing case in the run document, 1.x form against the compacted
case shape (recorder/document/shape.py), beside junitxml and pytest-reportlog for the
same run: ``python testing/benchmarks/document_size.py [N]``.

Each figure is (size of a run of N trivial tests - size of a run of 1) / (N - 1), so the
document's head is not counted. The compacted figures re-serialize the exported document
with every case passed through ``compact_case`` exactly as the default (indent-2) and
--compact forms write it."""

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
    subprocess.run([str(Path(sys.executable).with_name("recorder")), "export", "--db", "r.db",
                    "--out", "doc.json"], cwd=folder, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    document = load_document(folder / "doc.json")
    compacted = {**document, "suites": [{**suite, "cases": [compact_case(c) for c in
                                                            suite["cases"]]}
                                        for suite in document["suites"]]}
    for suite, original in zip(compacted["suites"], document["suites"], strict=True):
        assert [expand_case(c) for c in suite["cases"]] == original["cases"]
    return {
        "1.x default": len(orjson.dumps(document, option=orjson.OPT_INDENT_2)) + 1,
        "1.x --compact": len(orjson.dumps(document)) + 1,
        "shape default": len(orjson.dumps(compacted, option=orjson.OPT_INDENT_2)) + 1,
        "shape --compact": len(orjson.dumps(compacted)) + 1,
        "junitxml": (folder / "junit.xml").stat().st_size,
        "pytest-reportlog": (folder / "log.jsonl").stat().st_size,
    }


def main(count: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        one, many = _run(Path(tmp) / "one", 1), _run(Path(tmp) / "many", count)
    per_case = {name: (many[name] - one[name]) / (count - 1) for name in many}
    print(json.dumps({"trivial_cases": count,
                      "bytes_per_case": {k: round(v) for k, v in per_case.items()},
                      "shape_default_vs_1x": round(per_case["shape default"]
                                                   / per_case["1.x default"], 3)}, indent=2))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
