"""Helpers for the ingest tests: write XML, ingest it, fold the run into its document."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from recorder.document.projector import project
from recorder.ingest import IngestResult, ingest_junit
from recorder.store.sqlite import EventStore

Document = dict[str, Any]


def write(directory: Path, name: str, xml: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(xml, encoding="utf-8")
    return path


def document_of(db: Path, run_id: str) -> Document:
    with EventStore.open_existing(db) as store:
        return project(store.iter_events(run_id))


def ingest(tmp_path: Path, *paths: Path, **options: Any) -> tuple[IngestResult, Document]:
    db = tmp_path / "events.db"
    result = ingest_junit(list(paths), db, **options)
    return result, document_of(db, result.run_id)


def ingest_xml(tmp_path: Path, xml: str) -> Document:
    """The document of a run made from one file holding ``xml``."""
    return ingest(tmp_path, write(tmp_path, "report.xml", xml))[1]


def cases(document: Document) -> dict[tuple[str, str], Document]:
    """Every case of ``document`` by (suite, name)."""
    return {(case["suite"], case["name"]): case
            for suite in document["suites"] for case in suite["cases"]}


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "recorder", *args], capture_output=True,
                          text=True, cwd=cwd)


def shared_corpus(*parts: str) -> Path | None:
    """``../shared/corpus/<parts>`` beside the repository (as CI lays it out), or under
    ``$RECORDER_SHARED_DIR`` (a git worktree elsewhere); None when absent, as on a
    user's clone. The corpus is data under other licenses: read here, never copied."""
    repo = Path(__file__).resolve().parents[2]
    override = os.environ.get("RECORDER_SHARED_DIR")
    for root in [*([Path(override)] if override else []), repo.parent / "shared"]:
        path = root.joinpath("corpus", *parts)
        if path.exists():
            return path
    return None
