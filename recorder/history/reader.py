"""Open a history: find its files (or documents), pick one project and the days from
``--since`` on, and put DuckDB over them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from recorder.document.shape import expand_document
from recorder.errors import RunNotFoundError, UsageError
from recorder.history.duck import DuckEngine
from recorder.history.layout import Day, group_days, select_days
from recorder.history.location import (
    Location,
    local_documents,
    local_layout_files,
    s3_bucket,
    s3_layout_files,
    s3_settings,
)
from recorder.history.questions import History
from recorder.history.rows import Row, case_rows


def layout_days(location: Location, bucket: Any = None) -> dict[tuple[str, str], Day]:
    paths = (s3_layout_files(location, bucket) if location.is_s3
             else local_layout_files(location.root))  # type: ignore[arg-type]
    return group_days(paths)


def one_project(projects: set[str], wanted: str | None, source: str) -> str | None:
    if wanted is not None or len(projects) <= 1:
        return wanted
    listed = ", ".join(sorted(projects)[:10])
    raise UsageError(f"{source} holds runs of {len(projects)} projects ({listed}): choose "
                     "one with --project")


def open_history(location: Location, *, project: str | None = None,
                 since: date | None = None) -> History:
    """A :class:`History` over ``location`` for one project, from ``since`` on."""
    bucket = s3_bucket(location) if location.is_s3 else None
    days = layout_days(location, bucket)
    if days or location.is_s3:
        chosen = one_project({name for name, _ in days}, project, location.text)
        urls = [location.url(path) for day in select_days(days, project=chosen, since=since)
                for path in day.files()]
        if not urls:
            raise RunNotFoundError(_empty(location, project, since))
        s3 = s3_settings(location, bucket) if location.is_s3 else None
        engine = DuckEngine.over_files(urls, s3)
        return History(engine, location.text)
    rows = list(_document_rows(location))
    chosen = one_project({str(row["project"]) for row in rows}, project, location.text)
    kept = [row for row in rows
            if (chosen is None or row["project"] == chosen)
            and (since is None or (row["date"] or "") >= since.isoformat())]
    if not kept:
        raise RunNotFoundError(_empty(location, project, since))
    return History(DuckEngine.over_rows(kept), location.text)


def _empty(location: Location, project: str | None, since: date | None) -> str:
    filters = [f"project {project!r}" if project else "", f"since {since}" if since else ""]
    what = " and ".join(part for part in filters if part)
    return (f"{location.text} holds no runs{' for ' + what if what else ''}: check --from "
            "(uploads go to PREFIX/cases/...), --project and --since")


def _document_rows(location: Location) -> Iterator[Row]:
    assert location.root is not None
    for path in local_documents(location.root):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        if isinstance(document, dict) and "suites" in document and "run_id" in document:
            yield from case_rows(expand_document(document))
