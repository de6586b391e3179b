"""The projector: a pure fold from a run's events to its run document.

No I/O, no clock, no randomness: the same events give the same document, whatever
order the sources' events were interleaved in, however often an event is repeated,
and whether they were folded in one batch or several. :class:`RunProjection` holds
the fold's state; :meth:`RunProjection.apply` folds one event (one small handler per
event type), and :meth:`RunProjection.document` renders the JSON-ready document."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from sys import intern
from typing import Any

import attrs

from recorder.document import Document
from recorder.document.case_view import (
    attempt_duration,
    count_statuses,
    render_case,
    render_environment,
    render_interruption,
)
from recorder.document.compact_view import compact_case_view
from recorder.document.records import Attempt, End, Phase, SourceProgress, Start, Step
from recorder.document.status import case_status, primary_source, run_status
from recorder.events.durations import impossible_duration_note, possible_duration
from recorder.events.model import (
    CaseCrashed,
    CaseFinished,
    CaseStarted,
    CollectionFinished,
    PhaseFinished,
    PropertyRecorded,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    StoredEvent,
    SubtestFinished,
    WarningRecorded,
)
from recorder.events.nodeid import file_of, split_nodeid

SCHEMA_VERSION = "2.0"
#: How many envelope lines a source collects before they are hashed in one go (the
#: digest of the concatenation is the same however it is cut).
DIGEST_CHUNK = 512


@attrs.frozen
class DocumentParts:
    """A document split for streaming: ``{**head, "suites": [*suites], **tail}``.
    ``on_disk``: the suites' cases are in the on-disk shape already
    (:func:`recorder.document.shape.compact_case`), not the full form."""

    head: Document
    suites: Iterator[Document]
    tail: Document
    on_disk: bool = False


class RunProjection:
    """The state of the fold over one run's events."""

    def __init__(self, live_sources: Iterable[str] = ()) -> None:
        """``live_sources``: the sources whose writers were still alive when the events
        were read (a run with no end yet is then running, not killed)."""
        self.live_sources = tuple(sorted(live_sources))
        self.run_id: str | None = None
        self._run_started: dict[str, RunStarted] = {}
        self._run_finished: dict[str, RunFinished] = {}
        self._collections: dict[str, CollectionFinished] = {}
        self._cases: dict[str, dict[tuple[int, str], Attempt]] = {}
        self._sources: dict[str, SourceProgress] = {}
        self._crashes: dict[str, CaseCrashed] = {}
        self._properties: dict[str, list[PropertyRecorded]] = {}
        self._notes: set[str] = set()

    # -- folding -----------------------------------------------------------------

    def apply_all(self, events: Iterable[StoredEvent]) -> RunProjection:
        for stored in events:
            self.apply(stored)
        return self

    def apply(self, stored: StoredEvent) -> None:
        """Fold one stored event in; a repeated event changes nothing."""
        if not self.admit(stored.run_id, stored.event_id, stored.source, stored.source_seq):
            return
        event = stored.event
        handler = _HANDLERS.get(type(event))
        if handler is None:
            raise TypeError(f"no projector handler for {type(event).__name__}")
        handler(self, event, stored.source)

    def admit(self, run_id: str, event_id: str, source_name: str, source_seq: int) -> bool:
        """Count an event's envelope in; False if it was seen already (a repeat), which
        then changes nothing. Every event goes through here once before its handler."""
        if run_id != self.run_id:
            if self.run_id is not None:
                raise ValueError(
                    f"event {event_id} belongs to run {run_id!r}, "
                    f"not {self.run_id!r}: fold one run at a time"
                )
            self.run_id = run_id
        source = self._sources.get(source_name)
        if source is None:
            source = self._sources[source_name] = SourceProgress()
        # The hot path (the next event of a source, in order) stays inline.
        ranges = source.ranges
        if ranges and ranges[-1][1] + 1 == source_seq:
            ranges[-1][1] = source_seq
        elif not source.add(source_seq):
            return False
        source.events += 1
        pending = source.pending
        pending.append(f"{source_seq}\t{event_id}\n")
        if len(pending) >= DIGEST_CHUNK:
            source.flush()
        return True

    def _on_run_started(self, event: RunStarted, source: str) -> None:
        self._run_started[source] = event

    def _on_run_finished(self, event: RunFinished, source: str) -> None:
        self._check_duration(event.duration, f"the run's end from {source}")
        self._run_finished[source] = event

    def _check_duration(self, duration: float, what: str) -> float | None:
        """``duration``, or None (with a note) when no clock could have given it: a test
        that patched the clock, or a foreign emitter."""
        if possible_duration(duration):
            return duration
        self._notes.add(impossible_duration_note(what, duration))
        return None

    def _on_collection_finished(self, event: CollectionFinished, source: str) -> None:
        # Every source collects every case: the ids are kept once (interned), shared
        # with the cases' own.
        self._collections[source] = attrs.evolve(event,
                                                 case_ids=tuple(map(intern, event.case_ids)))

    def _on_case_started(self, event: CaseStarted, source: str) -> None:
        self._attempt(event.case_id, event.attempt, source).started = Start(
            event.started_at, intern(event.suite), event.name,
            None if event.file is None else intern(event.file), event.line,
            event.parameters, event.markers,
            None if event.worker is None else intern(event.worker),
        )

    def _on_phase_finished(self, event: PhaseFinished, source: str) -> None:
        duration = self._check_duration(
            event.duration, f"{event.case_id} attempt {event.attempt} {event.phase}")
        phase = Phase(intern(event.outcome), event.started_at, event.stopped_at, duration,
                       event.reason, event.failure, event.stdout, event.stderr, event.log)
        setattr(self._attempt(event.case_id, event.attempt, source), event.phase, phase)

    def _on_step_started(self, event: StepStarted, source: str) -> None:
        attempt = self._attempt(event.case_id, event.attempt, source)
        if attempt.steps is None:
            attempt.steps = {}
        attempt.steps[event.step_id] = Step(event)

    def _on_step_finished(self, event: StepFinished, source: str) -> None:
        steps = self._attempt(event.case_id, event.attempt, source).steps
        step = steps.get(event.step_id) if steps else None
        if step is not None:
            self._check_duration(event.duration, f"{event.case_id} attempt {event.attempt} "
                                 f"step {event.step_id}")
            step.finished = event

    def _on_subtest_finished(self, event: SubtestFinished, source: str) -> None:
        self._check_duration(event.duration, f"{event.case_id} attempt {event.attempt} subtest")
        attempt = self._attempt(event.case_id, event.attempt, source)
        if attempt.subtests is None:
            attempt.subtests = []
        attempt.subtests.append(event)

    def _on_warning_recorded(self, event: WarningRecorded, source: str) -> None:
        attempt = self._attempt(event.case_id, event.attempt, source)
        if attempt.warnings is None:
            attempt.warnings = []
        attempt.warnings.append(event)

    def _on_property_recorded(self, event: PropertyRecorded, source: str) -> None:
        self._properties.setdefault(source, []).append(event)

    def _on_case_finished(self, event: CaseFinished, source: str) -> None:
        duration = self._check_duration(event.duration,
                                        f"{event.case_id} attempt {event.attempt}")
        self._attempt(event.case_id, event.attempt, source).finished = End(
            intern(event.status), duration, event.reason, event.properties)
        self._case_done(event.case_id)

    def _case_done(self, case_id: str) -> None:
        """An attempt of ``case_id`` finished (a hook: see
        :class:`recorder.document.retiring.RetiringProjection`)."""

    def _touch(self, case_id: str) -> None:
        """An event names ``case_id`` without adding to its attempts (a hook)."""

    def _on_case_crashed(self, event: CaseCrashed, source: str) -> None:
        self._touch(event.case_id)
        known = self._crashes.get(event.case_id)
        if known is None or (event.crashed_at, event.worker) < (known.crashed_at, known.worker):
            self._crashes[event.case_id] = event

    def _attempt(self, case_id: str, number: int, source: str) -> Attempt:
        attempts = self._cases.get(case_id)
        if attempts is None:
            attempts = self._cases[intern(case_id)] = {}
        attempt = attempts.get((number, source))
        if attempt is None:
            attempt = attempts[(number, source)] = Attempt(number, source)
        return attempt

    # -- rendering ---------------------------------------------------------------

    def document(self) -> Document:
        """The run document for everything folded so far."""
        parts = self.document_parts()
        return {**parts.head, "suites": list(parts.suites), **parts.tail}

    def document_parts(self, *, on_disk: bool = False) -> DocumentParts:
        """The document in three parts, so a large one can be written suite by suite:
        the keys before ``suites``, the suites (rendered lazily, one at a time), and the
        keys after. Only each case's status, duration and suite are computed up front.
        ``on_disk`` renders each case straight into the shape the JSON file stores."""
        order = self._collection_order()
        unknown = len(order)
        index: list[tuple[int, str, str, str, float]] = []
        for case_id in self._case_ids() | order.keys():
            status, duration, suite = self._case_outline(case_id)
            index.append((order.get(case_id, unknown), case_id, suite, status, duration))
        index.sort()

        suite_ids: dict[str, list[tuple[int, str, str, str, float]]] = {}
        for entry in index:
            suite_ids.setdefault(entry[2], []).append(entry)

        counts = count_statuses(entry[3] for entry in index)
        started = self._first_started()
        interrupted = self._interrupted()
        collection_errors = [
            {"nodeid": error.nodeid, "message": error.message}
            for source in sorted(self._collections)
            for error in self._collections[source].errors
        ]
        status = run_status(interrupted=interrupted, counts=counts,
                            collection_errors=len(collection_errors),
                            exit_status=self._exit_status())

        run_duration = self._run_duration()
        head = {
            "schema_version": SCHEMA_VERSION,
            "run_id": self.run_id,
            "project": started.project if started else None,
            "status": status,
            "started_at": min((s.started_at for s in self._run_started.values()), default=None),
            "finished_at": max((f.finished_at for f in self._run_finished.values()), default=None),
            "duration": run_duration,
            "exit_status": self._exit_status(),
            "interruption": (render_interruption(self._interrupted_finish(),
                                                 self.live_sources) if interrupted
                             else None),
            "tool": {
                "name": started.tool if started else None,
                "version": started.tool_version if started else None,
                "recorder_version": started.recorder_version if started else None,
            },
            "environment": render_environment(started),
            "labels": dict(started.labels) if started else {},
            # A run that several shards started is the whole run, not one of them.
            "shard": started.shard if started and len(self._run_started) == 1 else None,
            "arguments": list(started.arguments) if started else [],
            "collection": {
                "collected": self._collected_count(),
                "deselected": max((c.deselected for c in self._collections.values()), default=0),
                "errors": collection_errors,
            },
            "properties": [{"name": p.name, "value": p.value}
                           for source in sorted(self._properties)
                           for p in self._properties[source]],
            "notes": sorted(self._notes),
            "summary": {**counts, "duration": run_duration},
        }

        render = self._case_renderer(on_disk)

        def suites() -> Iterator[Document]:
            for suite_id, entries in suite_ids.items():
                yield {
                    "id": suite_id,
                    "file": file_of(entries[0][1]),
                    "cases": [render(entry[1], entry[3], entry[4], entry[2])
                              for entry in entries],
                    "counts": count_statuses(entry[3] for entry in entries),
                    "duration": sum(entry[4] for entry in entries),
                }

        return DocumentParts(head=head, suites=suites(), tail={"event_log": self._event_log()},
                             on_disk=on_disk)

    def _case_ids(self) -> set[str]:
        """Every case the events name (the collected ones are added to these)."""
        return self._cases.keys() | self._crashes.keys()

    def _case_renderer(self, on_disk: bool) -> Callable[[str, str, float, str], Any]:
        """``render(case_id, status, duration, suite)``: the full form, or the on-disk one."""
        if not on_disk:
            return self._render_case
        cases, crashes = self._cases, self._crashes

        def render(case_id: str, status: str, duration: float, suite: str) -> Document:
            return compact_case_view(case_id, status, duration, suite, cases.get(case_id),
                                     crashes.get(case_id))

        return render

    def _first_started(self) -> RunStarted | None:
        primary = primary_source(self._run_started)
        return self._run_started[primary] if primary is not None else None

    def _primary_finished(self) -> RunFinished | None:
        primary = primary_source(self._run_finished)
        return self._run_finished[primary] if primary is not None else None

    def _interrupted_finish(self) -> RunFinished | None:
        """The end of the first source (by name) that was interrupted, else the primary."""
        for source in sorted(self._run_finished):
            if self._run_finished[source].interrupted:
                return self._run_finished[source]
        return self._primary_finished()

    def _exit_status(self) -> int | None:
        """One source's exit status; several shards' (each source that started the run
        and finished it) combine into the first that is neither 0 nor 5 (pytest's "no
        tests collected", which an empty shard says), else 0 if any is 0, else 5."""
        finished = self._primary_finished()
        if len(self._run_finished) < 2 or finished is None:
            return finished.exit_status if finished else None
        statuses = [self._run_finished[source].exit_status for source in sorted(self._run_finished)]
        failing = [status for status in statuses if status not in (0, 5)]
        return failing[0] if failing else min(statuses)

    def _run_duration(self) -> float | None:
        """The run's own monotonic duration; for shards (several sources started the run)
        the wall time from the first start to the last finish, since shards on different
        machines share no monotonic clock, and never less than the longest shard."""
        durations = [f.duration for f in self._run_finished.values()]
        if not all(possible_duration(duration) for duration in durations):
            return None
        longest = max(durations, default=None)
        if longest is None or len(self._run_started) < 2:
            return longest
        first = _seconds_since_epoch(min(s.started_at for s in self._run_started.values()))
        last = _seconds_since_epoch(max(f.finished_at for f in self._run_finished.values()))
        if first is None or last is None:
            return longest
        return max(longest, last - first)

    def _interrupted(self) -> bool:
        if not self._run_finished:
            return bool(self._sources)
        if any(source not in self._run_finished for source in self._run_started):
            return True
        return any(finished.interrupted for finished in self._run_finished.values())

    def _collection_order(self) -> dict[str, int]:
        """Each collected case's place: in the first source's (by name) order, then the
        cases only later sources collected."""
        collected = self._collected_ids()
        return dict(zip(collected, range(len(collected)), strict=True))

    def _collected_ids(self) -> dict[str, None]:
        """Every collected case once, in the order of :meth:`_collection_order`."""
        return dict.fromkeys(itertools.chain.from_iterable(
            self._collections[source].case_ids for source in sorted(self._collections)))

    def _collected_count(self) -> int | None:
        """xdist workers each collect every case, shards each their own: the count is
        the most any source collected, or the distinct cases all of them did if more."""
        if not self._collections:
            return None
        most = max(collection.collected for collection in self._collections.values())
        return max(most, len(self._collected_ids()))

    def _case_outline(self, case_id: str) -> tuple[str, float, str]:
        """A case's status, duration and suite, without rendering it."""
        attempts = self._cases.get(case_id)
        if attempts is None:
            status = "incomplete" if case_id in self._crashes else "not_run"
            return status, 0.0, split_nodeid(case_id)[0]
        if len(attempts) == 1:  # the common case: no sort (one attempt's status is its own)
            (final,) = attempts.values()
            start = final.started
            suite = start.suite if start is not None and start.suite else split_nodeid(case_id)[0]
            return final.status, attempt_duration(final), suite
        ordered = sorted(attempts.values(), key=Attempt.order_key)
        final = ordered[-1]
        status = case_status([attempt.status for attempt in ordered])
        started = next((a.started for a in reversed(ordered) if a.started), None)
        suite = started.suite if started and started.suite else split_nodeid(case_id)[0]
        return status, attempt_duration(final), suite

    def _render_case(self, case_id: str, status: str, duration: float, suite: str) -> Document:
        """Render one case in the full form; ``status``, ``duration`` and ``suite`` are
        its outline."""
        return render_case(case_id, status, duration, suite, self._cases.get(case_id),
                           self._crashes.get(case_id))

    def _event_log(self) -> Document:
        combined = hashlib.sha256()
        sources: list[Document] = []
        gaps: list[Document] = []
        for name in sorted(self._sources):
            source = self._sources[name]
            combined.update(f"{name}\t{source.hexdigest()}\n".encode())
            sources.append(
                {
                    "source": name,
                    "events": source.events,
                    "first_source_seq": source.ranges[0][0],
                    "last_source_seq": source.ranges[-1][1],
                }
            )
            gaps.extend({"source": name, "from": low, "to": high} for low, high in source.gaps())
        return {
            "events": sum(source.events for source in self._sources.values()),
            "sources": sources,
            "gaps": gaps,
            "digest": f"sha256:{combined.hexdigest()}",
        }


def project(events: Iterable[StoredEvent]) -> Document:
    """Fold ``events`` (one run's) into its run document."""
    return RunProjection().apply_all(events).document()




def _seconds_since_epoch(timestamp: str) -> float | None:
    try:
        moment = dt.datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()
_HANDLERS: dict[type, Callable[[RunProjection, Any, str], None]] = {
    RunStarted: RunProjection._on_run_started,
    RunFinished: RunProjection._on_run_finished,
    CollectionFinished: RunProjection._on_collection_finished,
    CaseStarted: RunProjection._on_case_started,
    PhaseFinished: RunProjection._on_phase_finished,
    StepStarted: RunProjection._on_step_started,
    StepFinished: RunProjection._on_step_finished,
    CaseFinished: RunProjection._on_case_finished,
    CaseCrashed: RunProjection._on_case_crashed,
    SubtestFinished: RunProjection._on_subtest_finished,
    WarningRecorded: RunProjection._on_warning_recorded,
    PropertyRecorded: RunProjection._on_property_recorded,
}
