"""Run documents for the summary tests, folded by the real projector from events.

``RunBuilder`` emits the events a pytest run would (run started, collection, cases
with phases and nested steps, run finished) and folds them with
:func:`recorder.document.projector.project`, so every document here is one the exporter
could have written; :meth:`RunBuilder.document` also validates it against the schema.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import attrs

from recorder.document.projector import project
from recorder.document.schema import validate_document
from recorder.events.model import (
    CaseFinished,
    CaseStarted,
    CIInfo,
    CollectionError,
    CollectionFinished,
    Environment,
    Event,
    Failure,
    GitInfo,
    PhaseFinished,
    RunFinished,
    RunStarted,
    StepFinished,
    StepStarted,
    StoredEvent,
)

T0 = "2026-11-23T10:00:00+00:00"
T1 = "2026-11-23T10:00:01+00:00"

#: A step: (name, duration or None while still running, child steps).
Step = tuple[str, float | None, Sequence["Step"]]


@attrs.define
class RunBuilder:
    run_id: str = "run-1"
    events: list[StoredEvent] = attrs.Factory(list)
    _seq: dict[str, itertools.count[int]] = attrs.Factory(dict)
    _ids: itertools.count[int] = attrs.Factory(itertools.count)
    _case_ids: list[str] = attrs.Factory(list)

    def emit(self, event: Event, source: str = "main") -> None:
        counter = self._seq.setdefault(source, itertools.count(1))
        self.events.append(StoredEvent(
            event_id=f"e-{next(self._ids)}", run_id=self.run_id, source=source,
            source_seq=next(counter), recorded_at=T0, event=event))

    def start(self, project: str = "shop", *, commit: str | None = None,
              branch: str | None = None, dirty: bool | None = None,
              ci_url: str | None = None) -> RunBuilder:
        ci = CIInfo(provider="github-actions", run_id="4242", job="tests", url=ci_url) \
            if ci_url else CIInfo()
        self.emit(RunStarted(project=project, started_at=T0, tool_version="8.0",
                             environment=Environment(
                                 host="ci-1", python="3.12.1",
                                 git=GitInfo(commit=commit, branch=branch, dirty=dirty),
                                 ci=ci)))
        return self

    def collect(self, case_ids: Sequence[str],
                errors: Sequence[tuple[str, str]] = ()) -> RunBuilder:
        self._case_ids = list(case_ids)
        self.emit(CollectionFinished(
            collected=len(case_ids), case_ids=tuple(case_ids),
            errors=tuple(CollectionError(nodeid, message) for nodeid, message in errors)))
        return self

    def case(
        self,
        case_id: str,
        status: str = "passed",
        *,
        duration: float = 0.01,
        line: int | None = 10,
        failure: Failure | None = None,
        phase: str = "call",
        steps: Sequence[Step] = (),
        attempt: int = 1,
        worker: str | None = None,
        finished: bool = True,
        source: str = "main",
    ) -> RunBuilder:
        file = case_id.partition("::")[0]
        suite, _, name = case_id.rpartition("::")
        self.emit(CaseStarted(case_id=case_id, started_at=T0, attempt=attempt, suite=suite,
                              name=name, file=file, line=line, worker=worker), source)
        self._steps(case_id, attempt, steps, None, source)
        if not finished:
            return self
        outcomes = {"setup": "passed", "call": "passed", "teardown": "passed"}
        if status in ("failed", "error"):
            outcomes[phase] = "failed"
        elif status == "skipped":
            outcomes = {"setup": "skipped"}
        for name_, outcome in outcomes.items():
            self.emit(PhaseFinished(
                case_id=case_id, phase=name_, outcome=outcome,  # type: ignore[arg-type]
                started_at=T0, stopped_at=T1, duration=duration / len(outcomes),
                attempt=attempt, failure=failure if outcome == "failed" else None), source)
        self.emit(CaseFinished(case_id=case_id, status=status,  # type: ignore[arg-type]
                               duration=duration, stopped_at=T1, attempt=attempt), source)
        return self

    def _steps(self, case_id: str, attempt: int, steps: Sequence[Step], parent: int | None,
               source: str) -> None:
        for name, duration, children in steps:
            step_id = next(self._ids)
            self.emit(StepStarted(case_id=case_id, step_id=step_id, name=name, started_at=T0,
                                  attempt=attempt, parent_id=parent), source)
            self._steps(case_id, attempt, children, step_id, source)
            if duration is not None:
                self.emit(StepFinished(case_id=case_id, step_id=step_id, status="passed",
                                       duration=duration, attempt=attempt), source)

    def finish(self, exit_status: int = 1, duration: float = 2.5, *,
               interrupted: bool = False, reason: str | None = None) -> RunBuilder:
        self.emit(RunFinished(exit_status=exit_status, finished_at=T1, duration=duration,
                              interrupted=interrupted, reason=reason))
        return self

    def document(self) -> dict[str, Any]:
        document = project(self.events)
        validate_document(document, source="a test document")
        return document


def failure(message: str, kind: str = "AssertionError", site: str = "tests/test_shop.py:12",
            traceback: str | None = None) -> Failure:
    if traceback is None:
        traceback = f">       assert cart.total == 3\nE       {message}\n\n{site}: {kind}"
    return Failure(type=kind, message=message, traceback=traceback)


def mixed_run() -> RunBuilder:
    """A finished, failed run with one case of most statuses, steps, a flaky retry,
    non-ASCII names and a markup-like parameter."""
    ids = [
        "tests/test_shop.py::test_checkout",
        "tests/test_shop.py::test_total",
        "tests/test_shop.py::test_discount[10%-[bold]]",
        "tests/test_db.py::test_migrate",
        "tests/test_db.py::test_backup",
        "tests/test_i18n.py::test_grüße_名前",
        "tests/test_i18n.py::test_skip",
        "tests/test_i18n.py::test_known_bug",
        "tests/test_net.py::test_retry",
    ]
    run = RunBuilder().start(commit="0123456789abcdef0123", branch="feature/cart", dirty=True,
                             ci_url="https://github.com/acme/shop/actions/runs/4242")
    run.collect(ids)
    run.case(ids[0], duration=3.2, line=5,
             steps=[("log in", 0.4, ()),
                    ("pay", 2.5, [("call bank", 2.1, ()), ("render receipt", 0.3, ())])])
    run.case(ids[1], "failed", duration=0.2, line=20,
             failure=failure("assert 2 == 3\n +  where 2 = cart.total"))
    run.case(ids[2], duration=0.05, line=30)
    run.case(ids[3], "error", phase="setup", duration=1.1, line=7,
             failure=failure("database is locked", kind="OperationalError",
                             site="tests/conftest.py:44"))
    run.case(ids[4], duration=0.7, line=15)
    run.case(ids[5], "failed", duration=0.02, line=3,
             failure=failure("assert 'Grüße' == 'Grüsse'", site="tests/test_i18n.py:4"))
    run.case(ids[6], "skipped", duration=0.0, line=8)
    run.case(ids[7], "xfailed", duration=0.01, line=12)
    run.case(ids[8], "failed", duration=0.3, line=9, attempt=1,
             failure=failure("ConnectionResetError: peer went away",
                             kind="ConnectionResetError", site="tests/test_net.py:11"))
    run.case(ids[8], "passed", duration=0.25, line=9, attempt=2)
    return run.finish(exit_status=1, duration=6.25)


def interrupted_run() -> RunBuilder:
    """Killed while ``test_upload`` was inside step ``send > wait for ack``: no
    ``run.finished``, two cases never ran."""
    ids = [f"tests/test_api.py::test_{name}" for name in ("login", "upload", "list", "delete")]
    run = RunBuilder().start().collect(ids)
    run.case(ids[0], duration=0.4)
    run.case(ids[1], duration=0.0, finished=False, line=40,
             steps=[("prepare", 0.1, ()), ("send", None, [("wait for ack", None, ())])])
    return run


def empty_run() -> RunBuilder:
    return RunBuilder().start().collect([]).finish(exit_status=5, duration=0.3)
