"""Suite and name from a case id (a pytest nodeid or an ingested ``suite::name``).

Only a fallback: the plugin records suite and name from pytest's own item chain in
``case.started``; this parse serves events recorded before it did, and cases known only
by their id (collected, never run)."""

from __future__ import annotations


def split_nodeid(case_id: str) -> tuple[str, str]:
    """``"tests/test_a.py::TestX::test_y[1]"`` -> ``("tests/test_a.py::TestX", "test_y[1]")``.

    A parameter id may itself contain ``::`` (``test_x[::1]``): only separators before
    the parameter's ``[`` count."""
    head = case_id
    if case_id.endswith("]") and "[" in case_id:
        head = case_id[: case_id.index("[")]
    suite, separator, name = head.rpartition("::")
    if not separator:
        return case_id, case_id
    return suite, case_id[len(suite) + len(separator):]


def file_of(case_id: str) -> str:
    """``"tests/test_a.py::TestX::test_y"`` -> ``"tests/test_a.py"``."""
    return case_id.partition("::")[0]
