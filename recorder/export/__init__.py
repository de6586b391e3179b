"""Formats derived from the run document: CTRF and JUnit XML (and the format table)."""
