"""Several processes appending to one database at once lose nothing and duplicate
nothing, while other processes keep opening it (as every xdist worker does, and every
open moves journals in) and the CPU is oversubscribed. The default size runs in the
normal suite; ``-m slow`` runs a larger one."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from recorder.events.model import CaseFinished, CaseStarted, PhaseFinished, RunFinished, RunStarted
from recorder.export.run_json import fold_run
from recorder.store.emitter import Emitter
from recorder.store.sqlite import EventStore
from recorder.store.verify import verify_database

TIMESTAMP = "2026-11-23T10:00:00+00:00"
EVENTS_PER_CASE = 5


def write_cases(db: str, run_id: str, source: str, cases: int) -> None:
    """One emitting process: every event is its own write to the journal."""
    with EventStore.create(db) as store:
        emitter = Emitter(store, run_id, source)
        for n in range(cases):
            case_id = f"tests/test_{source}.py::test_{n}"
            emitter.emit(CaseStarted(case_id=case_id, started_at=TIMESTAMP, worker=source))
            for phase in ("setup", "call", "teardown"):
                emitter.emit(PhaseFinished(case_id=case_id, phase=phase, outcome="passed",
                                           started_at=TIMESTAMP, stopped_at=TIMESTAMP,
                                           duration=0.001))
            emitter.emit(CaseFinished(case_id=case_id, status="passed", duration=0.003,
                                      stopped_at=TIMESTAMP))


def keep_opening(db: str, stop: Any) -> None:
    """A reader that opens the store again and again, ingesting whatever is there."""
    while not stop.is_set():
        EventStore.open_existing(db).close()


def keep_busy(stop: Any) -> None:
    while not stop.is_set():
        pass


def stress(db: Path, writers: int, events_per_writer: int) -> float:
    cases = events_per_writer // EVENTS_PER_CASE
    with EventStore.create(db) as store:
        Emitter(store, "stress", "main").emit(RunStarted(project="p", started_at=TIMESTAMP))
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    background = [context.Process(target=keep_opening, args=(str(db), stop)),
                  context.Process(target=keep_busy, args=(stop,))]
    processes = [context.Process(target=write_cases, args=(str(db), "stress", f"gw{i}", cases))
                 for i in range(writers)]
    for process in background:
        process.start()
    started = time.perf_counter()
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=600)
        assert process.exitcode == 0
    elapsed = time.perf_counter() - started
    stop.set()
    for process in background:
        process.join(timeout=60)
        assert process.exitcode == 0
    with EventStore.create(db) as store:  # the emitter resumes main's sequence at 2
        Emitter(store, "stress", "main").emit(
            RunFinished(exit_status=0, finished_at=TIMESTAMP, duration=elapsed))

    total = writers * cases * EVENTS_PER_CASE
    report = verify_database(db)
    assert report.ok, report.problems
    [run] = report.runs
    assert run.events == total + 2
    assert {s.source: (s.events, s.first_source_seq, s.last_source_seq) for s in run.sources} == {
        **{f"gw{i}": (cases * EVENTS_PER_CASE, 1, cases * EVENTS_PER_CASE) for i in range(writers)},
        "main": (2, 1, 2),
    }
    document = fold_run(db)
    assert document["status"] == "passed"
    assert document["summary"]["total"] == document["summary"]["passed"] == writers * cases
    assert document["event_log"]["events"] == total + 2
    rate = total / elapsed
    print(f"\n{writers} writers, {total} events written one by one: {rate:,.0f} events/s")
    return rate


def test_four_writers_append_100k_events_without_loss(tmp_path: Path) -> None:
    stress(tmp_path / "stress.db", writers=4, events_per_writer=25_000)


@pytest.mark.slow
def test_four_writers_append_1m_events_without_loss(tmp_path: Path) -> None:
    stress(tmp_path / "stress.db", writers=4, events_per_writer=250_000)
