"""The same history questions on Spark, for histories one machine cannot hold.

The queries are those of :mod:`recorder.history.queries`, rendered for Spark SQL; the
layout is read as it is, with no conversion (per-run and compacted files chosen as
DuckDB does). PySpark is imported only here (``pip install 'recorder[spark]'``)::

    from recorder.history import spark as history_spark
    session = history_spark.session()                  # local[2]; or your cluster's
    history = history_spark.open_history(session, "/data/history", project="shop")
    answer = history_spark.ANSWERS["flaky"](history, Options())

Its S3 connector (hadoop-aws) is not on PyPI; with it on the classpath, pass an
``s3a://bucket/prefix`` root and a list of files (README: "Spark")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from recorder.errors import RunNotFoundError, UsageError
from recorder.history.layout import CASES_ROOT, COMPACTED_ROOT, group_days, select_days
from recorder.history.location import local_layout_files
from recorder.history.queries import SPARK, Dialect
from recorder.history.questions import ANSWERS, History, Options
from recorder.history.reader import one_project

__all__ = ["ANSWERS", "Options", "SparkEngine", "open_history", "session"]


def session(master: str = "local[2]", app: str = "recorder-history",
            conf: Mapping[str, str] | None = None) -> Any:
    """A SparkSession set up as the history queries expect (UTC, string partitions);
    ``conf`` adds or overrides settings (for example a small history's tuning)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise UsageError("the Spark engine needs PySpark: pip install 'recorder[spark]'"
                         ) from error
    settings = {"spark.sql.session.timeZone": "UTC",
                "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
                "spark.sql.shuffle.partitions": "2",
                "spark.ui.enabled": "false",
                "spark.ui.showConsoleProgress": "false",
                **(conf or {})}
    builder = SparkSession.builder.master(master).appName(app)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


class SparkEngine:
    """An :class:`~recorder.history.engine.Engine` on a SparkSession."""

    dialect: Dialect = SPARK

    def __init__(self, spark: Any) -> None:
        self.spark = spark

    def use_files(self, root: str, per_run: Sequence[str], compacted: Sequence[str]) -> None:
        """``cases`` = the given files below ``root``'s two case roots."""
        frames = []
        for top, files in ((CASES_ROOT, per_run), (COMPACTED_ROOT, compacted)):
            if files:
                frames.append(self.spark.read.option("basePath", f"{root}/{top}")
                              .parquet(*files))
        cases = frames[0]
        for frame in frames[1:]:
            cases = cases.unionByName(frame)
        cases.createOrReplaceTempView("cases")

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        rows = self.spark.sql(sql, args=dict(params or {})).collect()
        return [row.asDict() for row in rows]

    def select_runs(self, runs: Sequence[tuple[str, int, bool, bool]]) -> None:
        frame = self.spark.createDataFrame(
            list(runs), "run_id string, seq int, infra boolean, recent boolean")
        frame.createOrReplaceTempView("selected")


def open_history(spark: Any, root: str | Path, *, project: str | None = None,
                 since: date | None = None) -> History:
    """A :class:`History` over the local history folder ``root``, on Spark."""
    root = Path(root)
    days = group_days(local_layout_files(root))
    chosen = one_project({name for name, _ in days}, project, str(root))
    per_run: list[str] = []
    compacted: list[str] = []
    for day in select_days(days, project=chosen, since=since):
        for path in day.files():
            (compacted if path.startswith(COMPACTED_ROOT + "/") else per_run).append(
                str(root / path))
    if not per_run and not compacted:
        raise RunNotFoundError(f"{root} holds no case rows: check the folder and --project")
    engine = SparkEngine(spark)
    engine.use_files(str(root), per_run, compacted)
    return History(engine, str(root))
