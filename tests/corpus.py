"""Where the shared reference corpus is: ``../shared/corpus`` beside the repository.

It is data under other licenses, so it is read in place and never copied here. A
worktree sits one level deeper than the main checkout, so the parents are searched;
where no corpus is found (a user's clone) the tests that need it are skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def find_corpus(*parts: str) -> Path | None:
    """``shared/corpus/<parts>`` from the nearest parent of the repository that has it."""
    for parent in REPO.parents:
        candidate = parent.joinpath("shared", "corpus", *parts)
        if candidate.exists():
            return candidate
    return None


def corpus_path(*parts: str) -> Path:
    """Like :func:`find_corpus`, but skips the calling test when there is none."""
    found = find_corpus(*parts)
    if found is not None:
        return found
    pytest.skip(f"the shared corpus ({'/'.join(('shared', 'corpus', *parts))} beside the "
                "repository) is not here; it is only needed for the conformance tests")
