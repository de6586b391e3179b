"""Run documents written to files: the run JSON (and, later, CTRF and JUnit XML)."""
