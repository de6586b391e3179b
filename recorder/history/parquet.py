"""Write case rows as Parquet, with DuckDB (no pyarrow: DuckDB is already the reader,
and one engine means one set of types)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from recorder.errors import OutputError
from recorder.history.duck import _literal, connect, read_rows_sql, write_rows_ndjson
from recorder.history.rows import COLUMNS, FILE_COLUMNS, Row

CONTENT_TYPE = "application/vnd.apache.parquet"


def write_parquet(rows: Iterable[Row], path: str | Path, *, partition_keys: bool) -> int:
    """Write ``rows`` to ``path`` atomically (a temporary sibling renamed into place);
    the number of rows. ``partition_keys=False`` leaves out ``project`` and ``date``,
    as a file in the history layout must (its path holds them)."""
    path = Path(path)
    columns: Mapping[str, str] = COLUMNS if partition_keys else FILE_COLUMNS
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                             dir=path.parent)
        os.close(handle)
    except OSError as error:
        raise OutputError(f"cannot write {path} ({error.strerror or error}): choose a "
                          "writable --out") from error
    try:
        with tempfile.TemporaryDirectory(prefix="recorder-rows-") as scratch:
            source = Path(scratch) / "rows.ndjson"
            count = write_rows_ndjson(rows, source)
            con = connect()
            # One thread: the same rows always give the same bytes, so uploading a run
            # twice finds an identical object ("already uploaded").
            con.execute("SET threads = 1")
            names = ", ".join(f'"{name}"' for name in columns)
            con.execute(f"COPY (SELECT {names} FROM {read_rows_sql(source, COLUMNS)}) "
                        f"TO {_literal(temporary)} (FORMAT parquet)")
            con.close()
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OutputError(f"cannot write {path} ({error.strerror or error}): choose a "
                              "writable --out") from error
        raise
    return count


def write_run_file(document: dict[str, Any], root: str | Path) -> Path:
    """Store ``document``'s case rows in the history layout below the folder ``root``
    (``cases/project=P/date=D/<run_id>.parquet``); the file's path."""
    from recorder.history.layout import run_file
    from recorder.history.rows import case_rows, layout_place

    project, day, run_id = layout_place(document)
    path = Path(root) / run_file(project, day, run_id)
    write_parquet(case_rows(document), path, partition_keys=False)
    return path
