"""The fold's state, record by record: only what the document needs, in small slotted
records, with the strings that repeat across cases (suites, files, workers, outcomes)
interned by the projector, so a 1,000,000-event log fits in a few hundred megabytes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import attrs

from recorder.events.model import (
    Failure,
    Property,
    StepFinished,
    StepStarted,
    SubtestFinished,
    WarningRecorded,
)

PHASE_ORDER = ("setup", "call", "teardown")


@attrs.define
class Start:
    started_at: str
    suite: str
    name: str
    file: str | None
    line: int | None
    parameters: dict[str, str]
    markers: tuple[str, ...]
    worker: str | None


@attrs.define
class Phase:
    outcome: str
    started_at: str
    stopped_at: str
    duration: float | None
    reason: str | None
    failure: Failure | None
    stdout: str
    stderr: str
    log: str


@attrs.define
class End:
    status: str
    duration: float | None
    reason: str | None
    properties: tuple[Property, ...] = ()


@attrs.define
class Step:
    started: StepStarted
    finished: StepFinished | None = None


@attrs.define
class Attempt:
    number: int
    source: str
    started: Start | None = None
    finished: End | None = None
    setup: Phase | None = None
    call: Phase | None = None
    teardown: Phase | None = None
    steps: dict[int, Step] | None = None
    subtests: list[SubtestFinished] | None = None
    warnings: list[WarningRecorded] | None = None

    @property
    def status(self) -> str:
        return self.finished.status if self.finished is not None else "incomplete"

    def order_key(self) -> tuple[str, int, str]:
        """Attempts of a case are ordered run-wide, by when they started (reruns of a
        crashed case may run on another worker, whose own attempt count starts again at
        1); the number and source only break ties. An attempt whose start was lost goes
        by its first phase's start."""
        if self.started is not None:
            moment = self.started.started_at
        else:
            moment = min((phase.started_at for _, phase in self.phases()), default="")
        return moment, self.number, self.source

    def phases(self) -> Iterator[tuple[str, Phase]]:
        for name in PHASE_ORDER:
            phase = getattr(self, name)
            if phase is not None:
                yield name, phase


@attrs.define
class SourceProgress:
    """What one emitting source has contributed: which ``source_seq`` ranges, and a
    running digest of its events in its own order."""

    ranges: list[list[int]] = attrs.Factory(list)
    events: int = 0
    digest: Any = attrs.Factory(hashlib.sha256)
    #: Lines not yet hashed into ``digest`` (hashed in chunks: see :meth:`flush`).
    pending: list[str] = attrs.Factory(list)

    def flush(self) -> None:
        """Hash the pending lines into ``digest``."""
        if self.pending:
            self.digest.update("".join(self.pending).encode())
            self.pending.clear()

    def hexdigest(self) -> str:
        """The digest of every line so far."""
        self.flush()
        return str(self.digest.hexdigest())

    def add(self, source_seq: int) -> bool:
        """Record ``source_seq``; False if it was seen already (a duplicate)."""
        ranges = self.ranges
        if ranges and ranges[-1][1] + 1 == source_seq:
            ranges[-1][1] = source_seq
            return True
        for low, high in ranges:
            if low <= source_seq <= high:
                return False
        ranges.append([source_seq, source_seq])
        ranges.sort()
        self._merge()
        return True

    def _merge(self) -> None:
        merged: list[list[int]] = []
        for low, high in self.ranges:
            if merged and merged[-1][1] + 1 >= low:
                merged[-1][1] = max(merged[-1][1], high)
            else:
                merged.append([low, high])
        self.ranges = merged

    def gaps(self) -> list[tuple[int, int]]:
        gaps: list[tuple[int, int]] = []
        expected = 1
        for low, high in self.ranges:
            if low > expected:
                gaps.append((expected, low - 1))
            expected = high + 1
        return gaps
