"""Cross-run history: case rows projected from run documents, stored as Parquet beside
the uploaded documents, and the questions asked of them (flaky, failing, slow, tests,
runs), answered in place by DuckDB or, at scale, by Spark.

Nothing here is imported by ``recorder`` itself or by the pytest plugin; DuckDB and
PySpark are imported only inside the functions that need them."""
