"""``recorder history compact``: one Parquet file per day, which readers prefer.

For every day whose per-run files are not all in a compacted file yet, write
``cases-compacted/project=P/date=D/runs-<N>-<digest>.parquet`` from exactly the per-run
files listed at the start (see :mod:`recorder.history.layout`). Nothing is deleted or
overwritten: a day that gains a run later gets a new file with a new name beside the
old one. Running it again with nothing new writes nothing, and a run uploaded while it
runs is simply left for the next compaction (readers still see it, per run)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import attrs

from recorder.errors import OutputError, RunNotFoundError
from recorder.history.duck import _literal, connect, import_duckdb, read_parquet_sql
from recorder.history.layout import compacted_file, select_days
from recorder.history.location import Location, s3_settings
from recorder.history.reader import layout_days


@attrs.frozen
class CompactResult:
    written: tuple[str, ...]   # paths below the root
    runs: int                  # runs in the files written
    up_to_date: int            # days already compacted

    def to_dict(self) -> dict[str, object]:
        return {"written": list(self.written), "runs": self.runs, "up_to_date": self.up_to_date}


def compact(location: Location, *, project: str | None = None) -> CompactResult:
    days = select_days(layout_days(location), project=project, since=None)
    if not any(day.runs for day in days):
        raise RunNotFoundError(f"{location.text} holds no per-run case files under cases/: "
                               "check --from (and --project); uploads write them there")
    pending = [day for day in days if day.runs and day.current_compacted() is None]
    written: list[str] = []
    runs = 0
    if not pending:
        return CompactResult(written=(), runs=0, up_to_date=len(days))
    con = connect(s3_settings(location) if location.is_s3 else None)
    try:
        for day in pending:
            target = compacted_file(day.project, day.date, day.runs)
            sources = [location.url(path) for path in sorted(day.runs.values())]
            _copy(con, sources, location, target)
            written.append(target)
            runs += len(day.runs)
    finally:
        con.close()
    return CompactResult(written=tuple(written), runs=runs,
                         up_to_date=len(days) - len(pending))


def _copy(con: Any, sources: list[str], location: Location, target: str) -> None:
    select = (f"SELECT * FROM {read_parquet_sql(sources)} "
              "ORDER BY started_at, run_id, case_id")
    if location.root is None:  # S3: the object appears whole when the upload completes
        url = location.url(target)
        try:
            con.execute(f"COPY ({select}) TO {_literal(url)} (FORMAT parquet)")
        except import_duckdb().Error as error:
            raise OutputError(f"cannot write {url} ({str(error).splitlines()[0]}): compact "
                              "needs credentials allowed s3:PutObject on the bucket") from error
        return
    final = Path(location.url(target))
    # Per process: two compactions at once each write their own, then rename the same
    # content into place.
    temporary = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY ({select}) TO {_literal(str(temporary))} (FORMAT parquet)")
        os.replace(temporary, final)
    except (OSError, import_duckdb().Error) as error:
        temporary.unlink(missing_ok=True)
        raise OutputError(f"cannot write {final} ({str(error).splitlines()[0]}): compact "
                          "needs write access to the history folder") from error
