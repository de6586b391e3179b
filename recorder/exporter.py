"""Export: read a run's events from the store, fold them, validate the document and
write it atomically (a temporary file renamed into place, so a reader never sees a
half-written document and a failure leaves no file behind)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import attrs

from recorder.errors import EventLogGapError, InputNotFoundError, InvalidDocumentError, OutputError
from recorder.projector import Document, RunProjection
from recorder.schema import validate_document
from recorder.store import EventStore

DEFAULT_DB = Path("testing/reports/test-results.db")
DEFAULT_OUT = Path("testing/reports/test-run-results.json")

#: Called as ``progress(events_folded, events_total)`` while folding.
ProgressCallback = Callable[[int, int], None]
PROGRESS_EVERY = 10_000


@attrs.frozen
class ExportResult:
    run_id: str
    path: Path
    document: Document
    size: int


def fold_run(
    db_path: str | Path,
    run_id: str | None = None,
    *,
    allow_gaps: bool = False,
    progress: ProgressCallback | None = None,
) -> Document:
    """The run document of ``run_id`` (default: the latest run) in ``db_path``."""
    with EventStore.open_existing(db_path) as store:
        run_id = store.resolve_run_id(run_id)
        total = store.count(run_id) if progress else 0
        projection = RunProjection()
        for done, stored in enumerate(store.iter_events(run_id), start=1):
            projection.apply(stored)
            if progress and done % PROGRESS_EVERY == 0:
                progress(done, total)
        if progress:
            progress(total, total)
    document = projection.document()
    gaps = document["event_log"]["gaps"]
    if gaps and not allow_gaps:
        listed = ", ".join(f"{g['source']} {g['from']}..{g['to']}" for g in gaps[:5])
        raise EventLogGapError(
            f"{db_path}: run {run_id} is missing events (source_seq gaps: {listed}); "
            "check it with 'recorder verify', or export anyway with --allow-gaps"
        )
    return document


def render_json(document: Document) -> bytes:
    """The document as deterministic, human-readable JSON bytes."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_atomically(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary sibling and a rename."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent)
    except OSError as error:
        raise OutputError(
            f"cannot write {path} ({error.strerror or error}): choose a writable --out"
        ) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(
                f"cannot write {path} ({error.strerror or error}): choose a writable --out"
            ) from error
        raise


def export_run(
    db_path: str | Path,
    out_path: str | Path,
    run_id: str | None = None,
    *,
    allow_gaps: bool = False,
    progress: ProgressCallback | None = None,
) -> ExportResult:
    """Fold one run and write its validated document to ``out_path``."""
    document = fold_run(db_path, run_id, allow_gaps=allow_gaps, progress=progress)
    validate_document(document, source=f"the document folded from {db_path}")
    data = render_json(document)
    write_atomically(out_path, data)
    return ExportResult(run_id=document["run_id"], path=Path(out_path), document=document,
                        size=len(data))


def load_document(path: str | Path) -> Document:
    """Read and validate an exported run document."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise InputNotFoundError(
            f"run document {path} does not exist: export it first with 'recorder export'"
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise InputNotFoundError(f"cannot read run document {path} ({error})") from error
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InvalidDocumentError(
            f"{path} is not valid JSON ({error}): export it again with 'recorder export'"
        ) from error
    validate_document(document, source=str(path))
    return document  # type: ignore[no-any-return]
