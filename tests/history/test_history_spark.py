"""Spark (PySpark, local[2]) answers the golden history exactly as DuckDB does, from
the same layout with no conversion, before and after compaction."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# PySpark imports numpy. Import it at collection, before any in-process pytester run:
# those remove the modules first imported during the run, and numpy's C extension
# cannot be loaded a second time in one process.
import numpy  # noqa: F401
import pytest
from golden_checks import EXPECTED_FAILING_MAIN, EXPECTED_FLAKY, failing_summary, flaky_summary

from recorder.history.compact import compact
from recorder.history.location import parse_location
from recorder.history.questions import Options, failing_answer, flaky_answer
from recorder.history.reader import open_history
from tests.support import unavailable

if shutil.which("java") is None:
    unavailable("PySpark needs Java (17), which is not on this machine",
                allow_module_level=True)

from recorder.history import spark as history_spark  # noqa: E402

# A history of a few runs: the JVM's quick (C1) compiler, one shuffle partition and no
# adaptive re-planning take this module from about 43 s to about 20 s here. The answers
# do not depend on them.
SMALL_HISTORY = {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                 "spark.sql.adaptive.enabled": "false",
                 "spark.sql.shuffle.partitions": "1",
                 "spark.default.parallelism": "1"}


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = history_spark.session("local[2]", conf=SMALL_HISTORY)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def compacted_copy(golden_layout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the golden layout, compacted."""
    root = tmp_path_factory.mktemp("spark-compacted") / "history"
    shutil.copytree(golden_layout, root)
    compact(parse_location(str(root)))
    return root


@pytest.mark.parametrize("layout", ["per_run", "compacted"])
def test_spark_and_duckdb_give_the_same_flaky_and_failing_answers(
        layout: str, spark: Any, golden_layout: Path, compacted_copy: Path) -> None:
    root = golden_layout if layout == "per_run" else compacted_copy
    options = Options()
    main = Options(branch="main")
    duck = open_history(parse_location(str(root)))
    on_spark = history_spark.open_history(spark, root)
    duck_flaky, spark_flaky = flaky_answer(duck, options), flaky_answer(on_spark, options)
    assert spark_flaky == duck_flaky
    assert flaky_summary(spark_flaky) == EXPECTED_FLAKY
    duck_failing, spark_failing = failing_answer(duck, main), failing_answer(on_spark, main)
    assert spark_failing == duck_failing
    assert failing_summary(spark_failing) == EXPECTED_FAILING_MAIN
