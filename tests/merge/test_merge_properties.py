"""Merging shards equals the unsplit run, case by case: a Hypothesis property over
generated runs, recorded with the real store and emitter into real databases."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from recorder.export.run_json import fold_run
from recorder.store.merge import merge_shards
from tests.merge.shards import case_ids_of, record, split
from tests.strategies import event_logs


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {case["id"]: case["status"] for suite in document["suites"]
            for case in suite["cases"]}


@st.composite
def split_runs(draw: Any) -> tuple[Any, dict[str, int], int, list[str | None], bool]:
    log = draw(event_logs())
    shards = draw(st.integers(1, 4))
    owner = {case_id: draw(st.integers(0, shards - 1)) for case_id in sorted(case_ids_of(log))}
    named = draw(st.booleans())
    names: list[str | None] = [f"shard-{i}" if named else None for i in range(shards)]
    shared_run_id = draw(st.booleans())
    return log, owner, shards, names, shared_run_id


@given(split_runs())
def test_merged_shards_give_every_case_the_status_of_the_unsplit_run(run: Any) -> None:
    log, owner, shards, names, shared_run_id = run
    assume(any(log.values()))
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        record(root / "whole.db", log, "whole")
        whole = fold_run(root / "whole.db", allow_gaps=True)
        inputs = []
        for index, part in enumerate(split(log, owner, shards, names)):
            if not part:  # a shard that recorded nothing leaves no database to merge
                continue
            path = root / f"shard-{index}.db"
            record(path, part, "ci-42" if shared_run_id else f"shard-run-{index}")
            inputs.append(path)
        result = merge_shards(root / "merged.db", inputs)
        merged = fold_run(root / "merged.db", result.run_id, allow_gaps=True)
    assert statuses(merged) == statuses(whole)
    assert merged["summary"] == {**whole["summary"], "duration": merged["summary"]["duration"]}
    assert merged["status"] == whole["status"]
    assert [s["source"] for s in merged["event_log"]["sources"]] == sorted(
        {s["source"] for s in merged["event_log"]["sources"]})
    assert len(merged["event_log"]["sources"]) == sum(
        len(part) for part in split(log, owner, shards, names))
