"""Run documents written to files: the run JSON, CTRF and JUnit XML (the format table
in :mod:`recorder.export.formats`), written atomically."""
