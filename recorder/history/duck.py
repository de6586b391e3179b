"""The embedded engine: DuckDB over the Parquet files in place (local or S3).

DuckDB is imported here only, when a history command runs. Its S3 support (httpfs)
is loaded by path from the ``duckdb-extension-httpfs`` wheel, so nothing is downloaded
at run time; the two are pinned to the same version."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from recorder.errors import InputNotFoundError, UsageError
from recorder.history.location import S3Settings
from recorder.history.queries import DUCKDB, Dialect
from recorder.history.rows import COLUMNS, Row


def import_duckdb() -> Any:
    try:
        import duckdb
    except ImportError as error:
        raise UsageError("case rows are written and read with DuckDB, which is not installed: "
                         "pip install 'recorder[history]' (or upload with --no-cases)"
                         ) from error
    return duckdb


def httpfs_path(duckdb: Any) -> Path:
    try:
        import duckdb_extension_httpfs
    except ImportError as error:
        raise UsageError("reading s3:// needs the httpfs extension, which is not installed: "
                         "pip install 'recorder[history]'") from error
    base = Path(duckdb_extension_httpfs.__file__).parent / "extensions"
    path = base / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
    if not path.is_file():
        raise UsageError(f"duckdb {duckdb.__version__} has no matching httpfs extension in "
                         f"{base}: install the versions pinned by 'recorder[history]'")
    return path


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def connect(s3: S3Settings | None = None) -> Any:
    """A fresh in-memory DuckDB that never downloads extensions; with ``s3``, httpfs
    loaded and a secret for the bucket's endpoint and credentials."""
    duckdb = import_duckdb()
    con = duckdb.connect(config={"autoinstall_known_extensions": False,
                                 "autoload_known_extensions": False})
    con.execute("SET TimeZone = 'UTC'")
    # Every question reads the files twice (the runs, then the question): keep footers.
    con.execute("SET parquet_metadata_cache = true")
    if s3 is not None:
        con.execute(f"LOAD {_literal(str(httpfs_path(duckdb)))}")
        con.execute("SET enable_http_metadata_cache = true")
        options = [f"KEY_ID {_literal(s3.key_id)}", f"SECRET {_literal(s3.secret)}",
                   f"REGION {_literal(s3.region)}"]
        if s3.session_token:
            options.append(f"SESSION_TOKEN {_literal(s3.session_token)}")
        if s3.endpoint:
            options += [f"ENDPOINT {_literal(s3.endpoint)}", "URL_STYLE 'path'",
                        f"USE_SSL {'true' if s3.use_ssl else 'false'}"]
        con.execute(f"CREATE OR REPLACE TEMPORARY SECRET history (TYPE s3, {', '.join(options)})")
    return con


def read_parquet_sql(urls: Sequence[str]) -> str:
    listed = ", ".join(_literal(url) for url in urls)
    return f"read_parquet([{listed}], hive_partitioning = false)"


def read_rows_sql(path: Path, columns: Mapping[str, str]) -> str:
    spec = ", ".join(f"{_literal(name)}: {_literal(kind)}" for name, kind in columns.items())
    return (f"read_json({_literal(str(path))}, format = 'newline_delimited', "
            f"columns = {{{spec}}})")


def write_rows_ndjson(rows: Iterable[Row], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as stream:
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False))
            stream.write("\n")
            count += 1
    return count


class DuckEngine:
    """An :class:`~recorder.history.engine.Engine` on one DuckDB connection."""

    dialect: Dialect = DUCKDB

    def __init__(self, con: Any) -> None:
        self.con = con
        self._scratch = tempfile.TemporaryDirectory(prefix="recorder-history-")

    @classmethod
    def over_files(cls, urls: Sequence[str], s3: S3Settings | None = None) -> DuckEngine:
        engine = cls(connect(s3))
        engine.con.execute(f"CREATE VIEW cases AS SELECT * FROM {read_parquet_sql(urls)}")
        return engine

    @classmethod
    def over_rows(cls, rows: Iterable[Row]) -> DuckEngine:
        """Rows held in a table (for a folder of run documents)."""
        engine = cls(connect())
        path = Path(engine._scratch.name) / "rows.ndjson"
        write_rows_ndjson(rows, path)
        engine.con.execute(f"CREATE TABLE cases AS SELECT * FROM {read_rows_sql(path, COLUMNS)}")
        return engine

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        duckdb = import_duckdb()
        try:
            cursor = self.con.execute(sql, dict(params or {}))
        except duckdb.IOException as error:
            raise InputNotFoundError(
                f"cannot read the history's case rows ({str(error).splitlines()[0]}): check "
                "--from and --endpoint-url, and that the credentials may read the bucket"
            ) from error
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def select_runs(self, runs: Sequence[tuple[str, int, bool, bool]]) -> None:
        self.con.execute("CREATE OR REPLACE TEMP TABLE selected "
                         "(run_id VARCHAR, seq INTEGER, infra BOOLEAN, recent BOOLEAN)")
        # A VALUES list: binding long Python lists as parameters costs far more.
        for start in range(0, len(runs), 10_000):
            values = ", ".join(f"({_literal(run)}, {int(seq)}, {bool(infra)}, {bool(recent)})"
                               for run, seq, infra, recent in runs[start:start + 10_000])
            self.con.execute(f"INSERT INTO selected VALUES {values}")

    def close(self) -> None:
        self.con.close()
        self._scratch.cleanup()
