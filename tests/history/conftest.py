"""Golden histories: hand-made sequences of runs whose right answers are obvious."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from golden import golden_runs, store  # noqa: E402


@pytest.fixture(scope="session")
def golden_documents() -> list[dict[str, Any]]:
    return golden_runs()


@pytest.fixture(scope="session")
def golden_layout(golden_documents: list[dict[str, Any]],
                  tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden history in the upload layout (one Parquet file per run)."""
    return store(golden_documents, tmp_path_factory.mktemp("golden-layout"))
