"""How the projector folds a run that several shards started and finished (each shard
its own source): wall-time duration, combined exit status, the interrupted shard's
reason, and every shard's collected cases."""

from __future__ import annotations

from typing import Any

import pytest

from recorder.document.projector import project
from recorder.events.model import CollectionFinished, Event, RunFinished, RunStarted, StoredEvent


def shard(source: str, started: str, finished: str | None, duration: float,
          exit_status: int = 0, case_ids: tuple[str, ...] = (), *,
          interrupted: bool = False, reason: str | None = None) -> list[StoredEvent]:
    events: list[Event] = [
        RunStarted(project="p", started_at=f"2026-11-23T10:00:{started}+00:00", shard=source),
        CollectionFinished(collected=len(case_ids), case_ids=case_ids),
    ]
    if finished is not None:
        events.append(RunFinished(exit_status=exit_status, duration=duration,
                                  finished_at=f"2026-11-23T10:00:{finished}+00:00",
                                  interrupted=interrupted, reason=reason))
    return [StoredEvent(f"{source}-{n}", "run", source, n, "now", event)
            for n, event in enumerate(events, start=1)]


def fold(*shards: list[StoredEvent]) -> dict[str, Any]:
    return project([event for events in shards for event in events])


def test_a_sharded_run_lasts_from_the_first_start_to_the_last_finish() -> None:
    document = fold(shard("a", "00", "05", 5.0), shard("b", "02", "09", 7.0))
    assert document["duration"] == document["summary"]["duration"] == 9.0
    assert (document["started_at"], document["finished_at"]) == (
        "2026-11-23T10:00:00+00:00", "2026-11-23T10:00:09+00:00")


def test_a_sharded_run_is_no_single_shard() -> None:
    assert fold(shard("a", "00", "05", 5.0), shard("b", "02", "09", 7.0))["shard"] is None
    assert fold(shard("a", "00", "05", 5.0))["shard"] == "a"


def test_skewed_clocks_never_make_it_shorter_than_its_longest_shard() -> None:
    assert fold(shard("a", "00", "01", 30.0), shard("b", "00", "02", 2.0))["duration"] == 30.0


def test_one_source_keeps_its_own_monotonic_duration() -> None:
    assert fold(shard("main", "00", "09", 1.25))["duration"] == 1.25


@pytest.mark.parametrize(("statuses", "combined"), [
    ((0, 1), 1), ((1, 0), 1), ((5, 0), 0), ((5, 5), 5), ((0, 0), 0), ((2, 1), 2), ((5, 3), 3),
])
def test_shards_exit_statuses_combine_into_the_first_failing_one(
        statuses: tuple[int, int], combined: int) -> None:
    document = fold(shard("a", "00", "01", 1.0, statuses[0]),
                    shard("b", "00", "01", 1.0, statuses[1]))
    assert document["exit_status"] == combined


def test_an_interrupted_shard_interrupts_the_run_and_gives_the_reason() -> None:
    document = fold(shard("a", "00", "01", 1.0),
                    shard("b", "00", "03", 3.0, 2, interrupted=True, reason="stopped by SIGTERM"))
    assert document["status"] == "interrupted"
    assert document["interruption"] == {"reason": "stopped by SIGTERM"}


def test_a_shard_that_never_finished_interrupts_the_run() -> None:
    document = fold(shard("a", "00", "01", 1.0), shard("b", "00", None, 0.0))
    assert document["status"] == "interrupted"
    assert document["duration"] == 1.0


def test_shards_collected_cases_add_up() -> None:
    document = fold(shard("a", "00", "01", 1.0, case_ids=("t.py::a", "t.py::b")),
                    shard("b", "00", "01", 1.0, case_ids=("t.py::c",)))
    assert document["collection"]["collected"] == 3
    assert document["summary"]["not_run"] == 3


def test_workers_that_each_collect_everything_count_it_once() -> None:
    everything = ("t.py::a", "t.py::b")
    document = fold(shard("main", "00", "01", 1.0, case_ids=everything),
                    [StoredEvent("gw0-1", "run", "gw0", 1, "now",
                                 CollectionFinished(collected=2, case_ids=everything))])
    assert document["collection"]["collected"] == 2
