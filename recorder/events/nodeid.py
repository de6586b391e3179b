"""Suite and name from a case id (a pytest nodeid or an ingested ``suite::name``)."""

from __future__ import annotations


def split_nodeid(case_id: str) -> tuple[str, str]:
    """``"tests/test_a.py::TestX::test_y[1]"`` -> ``("tests/test_a.py::TestX", "test_y[1]")``."""
    suite, separator, name = case_id.rpartition("::")
    if not separator:
        return case_id, case_id
    return suite, name


def file_of(case_id: str) -> str:
    """``"tests/test_a.py::TestX::test_y"`` -> ``"tests/test_a.py"``."""
    return case_id.partition("::")[0]
