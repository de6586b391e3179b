"""The hooks of a recording pytest process: pytest objects in, events out.

Registered by :mod:`recorder.capture.plugin` only when recording is on. Each process that runs
tests is one event ``source``; under xdist the controller records only the run's start
and end, and each worker its own cases.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import warnings
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from recorder import __version__
from recorder.capture.reports import (
    attempt_status,
    captured_streams,
    failure_of,
    is_subtest_report,
    skip_reason,
    subtest_message,
    subtest_parameters,
    subtest_status,
    user_properties,
    xfail_reason,
)
from recorder.capture.steps import CaseRecording, activate_case, active_case
from recorder.clock import monotonic, utc_now, utc_seconds_ago
from recorder.errors import RecorderError
from recorder.events.bounds import MESSAGE_LIMIT, bound, safe_str
from recorder.events.durations import possible_duration
from recorder.events.environment import environment_data
from recorder.events.nodeid import split_nodeid
from recorder.events.payloads import (
    CASE_CRASHED,
    CASE_FINISHED,
    CASE_STARTED,
    COLLECTION_FINISHED,
    PHASE_FINISHED,
    RUN_FINISHED,
    RUN_STARTED,
    SUBTEST_FINISHED,
    WARNING_RECORDED,
    Payload,
    collection_error,
    plain_case_finished,
    plain_phase_finished,
)
from recorder.redaction import Redactor
from recorder.store.emitter import Emitter
from recorder.store.header import create_store_file, is_current_store

if TYPE_CHECKING:  # imported only when the store is opened (see start_session)
    from recorder.store.sqlite import EventStore

#: The events are built straight as payloads (recorder.events.payloads): a recording
#: process imports neither attrs nor the model.
_case_started = CASE_STARTED.builder()
_phase_finished = PHASE_FINISHED.builder()
_case_finished = CASE_FINISHED.builder()
_TestReport = pytest.TestReport


def start_session(config: pytest.Config, path: Path, run_id: str, source: str, role: str,
                  shard: str | None, new_run: bool = False,
                  stamp: int | None = None) -> RecordingSession:
    """Open this process's journal (and the store); bad paths are pytest usage errors.

    ``new_run``: the run id was made just now, so no source of it has events yet. If
    the database is then already a store of this version (:mod:`recorder.store.header`),
    only the journal is opened: no sqlite3, no SQL, and the next reader (``export``,
    ``verify``, a recording that continues a given run id) moves it in. Journals an
    earlier run left waiting stay where they are too: readers move journals in by
    their run's start ``stamp`` (:func:`recorder.store.journal.pending_journals`), so
    the earlier run's events still get their ``seq`` first. A database that does not
    exist yet is made without SQLite (:func:`recorder.store.header.create_store_file`).
    Otherwise (a path that is not a store of this version, a folder that cannot be
    written, a run id given) the store is opened as always: created, checked, the
    waiting journals moved in, errors given here."""
    try:
        if new_run and (is_current_store(path) or create_store_file(path)):
            return RecordingSession(config, None,
                                    Emitter.for_new_run(path, run_id, source, stamp),
                                    role, shard, path)
        from recorder.store.sqlite import EventStore

        store = EventStore.create(path)
    except RecorderError as error:
        raise pytest.UsageError(str(error)) from error
    try:
        emitter = Emitter(store, run_id, source, stamp)
    except RecorderError as error:
        store.close()
        raise pytest.UsageError(str(error)) from error
    return RecordingSession(config, store, emitter, role, shard, path)


def _labels(config: pytest.Config, redactor: Redactor) -> dict[str, str]:
    labels = {}
    for item in config.getoption("recorder_label"):
        key, separator, value = item.partition("=")
        if not separator or not key:
            raise pytest.UsageError(f"--recorder-label {item!r}: write it as KEY=VALUE")
        labels[key] = redactor.mapping_value(key, value)
    return labels


def _redactor(config: pytest.Config) -> Redactor:
    """The built-in redaction rules plus the ``recorder_redact`` ini patterns."""
    patterns = [str(line) for line in config.getini("recorder_redact") if str(line).strip()]
    try:
        return Redactor(patterns)
    except re.error as error:
        raise pytest.UsageError(
            f"recorder_redact pattern {error.pattern!r} is not a regular expression "
            f"({error}): fix it in the ini file"
        ) from error


class RecordingSession:
    """The hooks of one recording process."""

    def __init__(self, config: pytest.Config, store: EventStore | None, emitter: Emitter,
                 role: str, shard: str | None, path: Path) -> None:
        self.config = config
        self.store = store
        self.emitter = emitter
        self.role = role  # "single", "controller" or "worker"
        self.runs_tests = role != "controller"
        self.owns_run = role != "worker"
        self.shard = shard
        self.path = path
        self.started = monotonic()
        self.collection_errors: list[Payload] = []
        self.deselected = 0
        self.attempts: dict[str, int] = {}
        self.phase_reports: dict[str, list[pytest.TestReport]] = {}
        self.case_started: dict[str, float] = {}
        # The recorder times phases itself, with its own clocks: a test that freezes or
        # patches time must not give its phases (pytest's ``report.duration``) fake times.
        self.phase_started: dict[str, tuple[str, float]] = {}
        self.in_call: set[str] = set()
        self.subtest_failures: dict[str, list[Payload]] = {}
        self.stop_signal: str | None = None
        self.stop_reason: str | None = None
        self.stopped_by_collection_errors = False
        self.outer_case: CaseRecording | None = None
        self.worker = emitter.source if role == "worker" else None
        self._previous_sigterm: Any = None


    def close(self) -> None:
        current = active_case()
        if current is not None and current.emitter is self.emitter:
            activate_case(self.outer_case)
        self._restore_sigterm()
        self.emitter.close()  # readers may now ingest the journal
        if self.store is not None:
            self.store.close()

    def _install_sigterm(self) -> None:
        """Turn SIGTERM (a CI timeout, ``kill``) into pytest's own interruption, so the
        run's end is recorded. Only if nobody else handles SIGTERM already."""
        if threading.current_thread() is not threading.main_thread():
            return
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return

        recording_pid = os.getpid()

        def interrupt(signum: int, frame: object) -> None:
            if os.getpid() != recording_pid:  # a forked child: die of the signal, as usual
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
                return
            self.stop_signal = signal.Signals(signum).name
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM kills at once
            raise KeyboardInterrupt(f"stopped by {self.stop_signal}")

        self._previous_sigterm = signal.signal(signal.SIGTERM, interrupt)

    def _restore_sigterm(self) -> None:
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None

    # -- run -----------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if not self.owns_run:
            return
        self.started = monotonic()  # the session's duration, as pytest measures it
        self._install_sigterm()
        config = self.config
        redactor = _redactor(config)
        project = (config.getoption("recorder_project") or os.environ.get("RECORDER_PROJECT")
                   or config.getini("recorder_project") or config.rootpath.name)
        self.emitter.emit_payloads((RUN_STARTED, RUN_STARTED(
            project=str(project),
            started_at=utc_now(),
            tool="pytest",
            tool_version=pytest.__version__,
            recorder_version=__version__,
            environment=environment_data(config.rootpath, redact=redactor.text),
            labels=_labels(config, redactor),
            shard=self.shard,
            arguments=tuple(redactor.arguments(
                [safe_str(arg) for arg in config.invocation_params.args])),
        )))

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """xdist controller: tell each worker where and under which run to record."""
        node.workerinput["recorder_db"] = str(self.path)
        node.workerinput["recorder_run_id"] = self.emitter.run_id
        node.workerinput["recorder_stamp"] = self.emitter.stamp  # the workers' journals
        # go in with this run's, after those of the runs that started before it
        if self.shard:
            node.workerinput["recorder_shard"] = self.shard

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session,
                             exitstatus: int) -> Generator[None, None, None]:
        """The run ends after every other plugin's sessionfinish, the terminal summary
        included, so its duration is the session duration pytest prints."""
        try:
            return (yield)
        finally:
            if self.owns_run:
                self._finish_run(exitstatus)

    def _finish_run(self, exitstatus: int) -> None:
        interrupted = int(exitstatus) == int(pytest.ExitCode.INTERRUPTED)
        reason = self.stop_reason
        if self.stopped_by_collection_errors:
            interrupted = False  # pytest's choice not to run: a failed run, not a killed one
        elif interrupted and reason is None:
            reason = "interrupted"
        self.emitter.emit_payloads((RUN_FINISHED, RUN_FINISHED(
            exit_status=int(exitstatus),
            finished_at=utc_now(),
            duration=monotonic() - self.started,
            interrupted=interrupted,
            reason=reason,
        )))

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """Why the session stopped early: a signal, Ctrl-C, pytest.exit() or pytest's
        refusal to run after collection errors (its ``Interrupted`` exception)."""
        if not self.owns_run:
            return
        message = safe_str(excinfo.value)
        if self.stop_signal:
            self.stop_reason = f"stopped by {self.stop_signal}"
        elif excinfo.typename == "Interrupted" and "during collection" in message:
            self.stopped_by_collection_errors = True
            self.stop_reason = f"not run: {message}"
        elif excinfo.typename == "KeyboardInterrupt":
            self.stop_reason = "interrupted by Ctrl-C (KeyboardInterrupt)"
        else:
            self.stop_reason = f"stopped: {message}" if message else "stopped"

    @pytest.hookimpl(optionalhook=True)
    def pytest_handlecrashitem(self, crashitem: str, report: Any, sched: Any) -> None:
        """xdist controller: a worker died while running ``crashitem``."""
        node = getattr(report, "node", None)
        worker = getattr(getattr(node, "gateway", None), "id", None) or "unknown worker"
        text = safe_str(getattr(report, "longreprtext", "") or "")
        # Drop xdist's "[gw0] linux -- Python ..." header; keep what happened.
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith("[")]
        message = bound("\n".join(lines), MESSAGE_LIMIT)
        self.emitter.emit_payloads((CASE_CRASHED, CASE_CRASHED(
            case_id=crashitem,
            worker=worker,
            message=message or f"worker {worker} crashed while running {crashitem}",
            crashed_at=utc_now(),
        )))

    # -- collection ------------------------------------------------------------------

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if self.runs_tests and report.failed:
            message = bound(safe_str(report.longreprtext), MESSAGE_LIMIT)
            self.collection_errors.append(collection_error(nodeid=report.nodeid, message=message))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if not self.runs_tests:
            return
        self.emitter.emit_payloads((COLLECTION_FINISHED, COLLECTION_FINISHED(
            collected=len(session.items),
            case_ids=tuple(item.nodeid for item in session.items),
            errors=tuple(self.collection_errors),
            deselected=self.deselected,
        )))

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)

    # -- cases -----------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        """Each attempt starts here, before any fixture: commit its start first."""
        if self.runs_tests:
            self._start_attempt(item)  # the setup phase starts with the attempt
        return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        # Subtests report through pytest_runtest_makereport while the body still runs.
        nodeid = item.nodeid
        self.in_call.add(nodeid)
        self.phase_started[nodeid] = (utc_now(), monotonic())
        try:
            return (yield)
        finally:
            self.in_call.discard(nodeid)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        """The teardown starts: a plain hook (no event is written here, only its start
        time kept), before pytest's own, which runs the finalizers."""
        self.phase_started[item.nodeid] = (utc_now(), monotonic())

    def _start_attempt(self, item: pytest.Item) -> None:
        nodeid = item.nodeid
        attempt = self.attempts.get(nodeid, 0) + 1
        self.attempts[nodeid] = attempt
        self.phase_reports[nodeid] = []
        self.subtest_failures[nodeid] = []
        # One reading of each clock: the attempt's start, its setup phase's, the event's.
        started_at, started = utc_now(), monotonic()
        self.case_started[nodeid] = started
        self.phase_started[nodeid] = (started_at, started)
        suite, name = _suite_and_name(item)
        path, line, _ = item.location
        self.emitter.emit_one(CASE_STARTED, _case_started(
            case_id=nodeid,
            attempt=attempt,
            started_at=started_at,
            suite=suite,
            name=name,
            file=path,
            line=None if line is None else line + 1,
            parameters=_parameters(item),
            markers=tuple(sorted({marker.name for marker in item.iter_markers()})),
            worker=self.worker,
        ), started_at)
        self.outer_case = activate_case(CaseRecording(self.emitter, nodeid, attempt))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[Any]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report: pytest.TestReport = yield
        if self.runs_tests:
            nodeid = item.nodeid
            if not (call.when == "call" and nodeid in self.in_call):
                self._record_phase(nodeid, report, call)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """A subtest ended (it reports while its case's body still runs)."""
        if type(report) is _TestReport or not self.runs_tests or not is_subtest_report(report):
            return  # a phase's own report (subtests report as subclasses of it)
        attempt = self.attempts.get(report.nodeid)
        if attempt is None:
            return
        failure = failure_of(report, None)
        duration = report.duration if possible_duration(report.duration) else 0.0
        if failure is not None:
            self.subtest_failures.setdefault(report.nodeid, []).append(failure)
        self.emitter.emit_payloads((SUBTEST_FINISHED, SUBTEST_FINISHED(
            case_id=report.nodeid,
            attempt=attempt,
            status=subtest_status(report),
            started_at=utc_seconds_ago(duration),
            duration=duration,
            message=subtest_message(report),
            parameters=subtest_parameters(report),
            failure=failure,
            reason=skip_reason(report) or xfail_reason(report),
        )))

    def pytest_warning_recorded(self, warning_message: warnings.WarningMessage, when: str,
                                nodeid: str, location: tuple[str, int, str] | None) -> None:
        attempt = self.attempts.get(nodeid) if self.runs_tests else None
        if attempt is None:
            return
        self.emitter.emit_payloads((WARNING_RECORDED, WARNING_RECORDED(
            case_id=nodeid,
            attempt=attempt,
            category=warning_message.category.__name__,
            message=bound(safe_str(warning_message.message), MESSAGE_LIMIT),
            filename=safe_str(warning_message.filename),
            lineno=warning_message.lineno,
        )))

    def _record_phase(self, nodeid: str, report: pytest.TestReport,
                      call: pytest.CallInfo[Any]) -> None:
        attempt = self.attempts.get(nodeid)
        if attempt is None:  # a phase without our setup hook: nothing to attach it to
            return
        # One reading of each clock: the phase's end, the case's (teardown) and the
        # events' recorded_at.
        stopped_at, stopped = utc_now(), monotonic()
        reports = self.phase_reports.get(nodeid)
        if reports is None:
            reports = self.phase_reports[nodeid] = []
        reports.append(report)
        timed = self.phase_started.pop(nodeid, None)  # a default would read the clocks
        started_at, started = (stopped_at, stopped) if timed is None else timed
        when, outcome = report.when, report.outcome
        xfail = getattr(report, "wasxfail", None)
        if outcome == "passed":  # most phases: no failure, no skip reason to look for
            failure = reason = None
        else:
            failure, reason = failure_of(report, call), skip_reason(report)
        failed_subtests = self.subtest_failures.get(nodeid)
        if failed_subtests and when == "call" and outcome == "passed":
            outcome, failure = "failed", failed_subtests[0]  # pytest fails it when it logs
        if report.sections or failure is not None or reason is not None or xfail is not None:
            stdout, stderr, log = captured_streams(report)
            phase = _phase_finished(
                case_id=nodeid,
                attempt=attempt,
                phase=when,
                outcome=outcome,
                started_at=started_at,
                stopped_at=stopped_at,
                duration=stopped - started,
                failure=failure,
                reason=reason,
                xfail_reason=xfail_reason(report),
                stdout=stdout,
                stderr=stderr,
                log=log,
            )
        else:  # the other fields are at their defaults
            phase = plain_phase_finished(nodeid, attempt, when, outcome, started_at,
                                         stopped_at, stopped - started)
        if when != "teardown":
            self.emitter.emit_one(PHASE_FINISHED, phase, stopped_at)
            return
        reports = self.phase_reports.pop(nodeid, [])
        failed = len(self.subtest_failures.pop(nodeid, ()))
        if failed or any(done.outcome != "passed" or getattr(done, "wasxfail", None) is not None
                         for done in reports):
            status, reason = attempt_status(reports, failed)
        else:  # every phase passed, without xfail: what attempt_status says then
            status, reason = "passed", None
        activate_case(self.outer_case)
        case_started = self.case_started.pop(nodeid, None)
        duration = 0.0 if case_started is None else stopped - case_started
        if reason is None and not getattr(report, "user_properties", None):
            finished = plain_case_finished(nodeid, attempt, status, duration, stopped_at)
        else:
            finished = _case_finished(case_id=nodeid, attempt=attempt, status=status,
                                      duration=duration, stopped_at=stopped_at,
                                      reason=reason, properties=user_properties(report))
        self.emitter.emit_payloads((PHASE_FINISHED, phase), (CASE_FINISHED, finished),
                                   recorded_at=stopped_at)


def _suite_and_name(item: pytest.Item) -> tuple[str, str]:
    """From pytest's own item chain (a parametrized id may contain ``::``, as in
    ``test_x[::1]``); the nodeid split only for an item without a parent."""
    parent = item.parent
    if parent is None or isinstance(parent, pytest.Session) or not parent.nodeid:
        return split_nodeid(item.nodeid)
    return parent.nodeid, item.name


def _parameters(item: pytest.Item) -> dict[str, str]:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return {}
    return {str(name): bound(safe_str(value), 1_000) for name, value in callspec.params.items()}
