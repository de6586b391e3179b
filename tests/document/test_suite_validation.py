from __future__ import annotations

import pytest

from recorder.document.schema import validate_suite
from recorder.errors import InvalidDocumentError


def test_an_invalid_suite_is_refused_naming_its_index_and_source() -> None:
    with pytest.raises(InvalidDocumentError, match=r"^the export does not match .* at suites/3"):
        validate_suite({"name": 42}, 3, source="the export")
