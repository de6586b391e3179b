#!/usr/bin/env python3
"""Time spent inside the recorder's pytest hooks, per test, measured in-process; with
``--peers``, against bare pytest, pytest-reportlog and ``--junitxml`` in the same rounds.

    .venv/bin/python testing/benchmarks/hook_time.py [--tests 2000] [--rounds 4]
        [--peers] [--breakdown] [--workdir DIR]

Runs ``pytest.main`` on the overhead section's generated suite (serial) ``--rounds``
times in this process (after one warm-up run) with every hook of
``recorder.capture.session.RecordingSession`` wrapped in a ``perf_counter_ns`` timer
(both halves of a wrapper hook), and prints the time inside them per test, in all and by
hook. pluggy's own cost and the test bodies' steps are not in it. It moves less with the
machine's load than a whole pytest process, so it shows what a change to the hot path
saves. To measure another copy of recorder, put it first on ``PYTHONPATH`` (run the
two one after the other, a few times).

``--peers``: each round also runs the suite bare, with ``--report-log``, with
``--junitxml``, with ``durable-floor`` (:class:`DurableFloor`: the least a recorder
that makes each event durable before the test goes on can do, one ``os.write`` of a
short line when a test starts and after each phase) and with ``policy-floor``
(:class:`PolicyFloor`: the same plus the ``fstat`` before each write with which
recorder's journal finds out it was deleted, so the least that recorder's durability
policy costs), in a rotating order, with the hooks of pytest-reportlog's
``ReportLogPlugin``, of pytest's ``LogXML`` and of the floors timed the same way (their
XML or JSON written at session end included). Printed per variant: the time inside its hooks per
test, and the whole ``pytest.main`` per test with its median paired difference from
the bare run of the same round (which includes pluggy's dispatch of the plugin's hooks,
and moves with the load).

The timer's own cost is inside each figure: it is measured (a timed no-op hook, plain
and wrapper, in a loop) and printed per test for each variant, from its count of hook
calls (with ``--breakdown``, recorder's includes the timers of its parts). A wrapper
hook (recorder's setup, call and makereport) costs the timer more than a plain one (the
peers' and floors' hooks), so compare the figures less that line.

``--breakdown``: also time, inside the recorder's hooks, the journal's ``append`` (the
``fstat`` and the ``write()`` a durable event needs) and the emitter's ``_encoded``
(the payload to JSON), so what is left is the hooks' own Python work.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import inspect
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import pytest  # noqa: E402

from recorder.capture import session  # noqa: E402

#: Nanoseconds inside hooks, by (plugin, hook), and the calls.
spent: collections.Counter[tuple[str, str]] = collections.Counter()
calls: collections.Counter[tuple[str, str]] = collections.Counter()
#: The (plugin, hook) keys of wrapper hooks, which cost the timer more.
wrappers: set[tuple[str, str]] = set()


def _timed(function: Callable[..., Any], plugin: str,
           name: str | None = None) -> Callable[..., Any]:
    key = (plugin, name or function.__name__)

    @functools.wraps(function)
    def plain(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter_ns()
        try:
            return function(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter_ns() - started
            calls[key] += 1

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        calls[key] += 1
        started = time.perf_counter_ns()
        inner = function(*args, **kwargs)
        value = next(inner)
        spent[key] += time.perf_counter_ns() - started
        try:
            result = yield value
        except BaseException as error:
            started = time.perf_counter_ns()
            try:
                inner.throw(error)
            except StopIteration as stop:
                return stop.value
            finally:
                spent[key] += time.perf_counter_ns() - started
            raise RuntimeError(f"{key} did not stop") from None
        started = time.perf_counter_ns()
        try:
            inner.send(result)
        except StopIteration as stop:
            return stop.value
        finally:
            spent[key] += time.perf_counter_ns() - started
        raise RuntimeError(f"{key} did not stop")

    if inspect.isgeneratorfunction(function):
        wrappers.add(key)
        return wrapper
    return plain


def _timer_cost(repeat: int = 20_000) -> tuple[float, float]:
    """Nanoseconds the timer adds to a plain hook and to a wrapper hook (a timed no-op
    less the untimed one, driven as pluggy drives each), the least of three loops."""
    def noop_plain() -> None:
        return None

    def noop_wrapper() -> Generator[None, None, None]:
        yield

    def drive_wrapper(function: Callable[[], Generator[None, None, None]]) -> None:
        hook = function()
        next(hook)
        with contextlib.suppress(StopIteration):
            hook.send(None)

    def loop(call: Callable[[], Any]) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter_ns()
            for _ in range(repeat):
                call()
            best = min(best, (time.perf_counter_ns() - started) / repeat)
        return best

    timed_plain, timed_wrapper = (_timed(noop_plain, "calibration"),
                                  _timed(noop_wrapper, "calibration"))
    plain_cost = loop(timed_plain) - loop(noop_plain)
    wrapper_cost = loop(lambda: drive_wrapper(timed_wrapper)) - \
        loop(lambda: drive_wrapper(noop_wrapper))
    spent.clear()
    calls.clear()
    return plain_cost, wrapper_cost


def _time_hooks(cls: type, plugin: str) -> None:
    """Wrap every ``pytest_*`` method of ``cls`` (a plugin's class) in a timer."""
    for name, function in list(vars(cls).items()):
        if name.startswith("pytest_") and callable(function):
            setattr(cls, name, _timed(function, plugin))


class DurableFloor:
    """A plugin that writes one line per event straight to a file (no buffer), as
    recorder's policy asks, and nothing else: a test's start, then each phase's end."""

    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644)

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        os.write(self.fd, f"started {nodeid}\n".encode())

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        os.write(self.fd, f"{report.when} {report.outcome} {report.nodeid}\n".encode())

    def pytest_unconfigure(self) -> None:
        os.close(self.fd)


class PolicyFloor(DurableFloor):
    """:class:`DurableFloor` plus recorder's check for a deleted journal before each
    write (``fstat``, ``st_nlink``): what recorder's durability policy costs at least."""

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        if os.fstat(self.fd).st_nlink:
            os.write(self.fd, f"started {nodeid}\n".encode())

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if os.fstat(self.fd).st_nlink:
            os.write(self.fd, f"{report.when} {report.outcome} {report.nodeid}\n".encode())


def _variants(peers: bool, scratch: Path) -> dict[str, Callable[[int], list[str]]]:
    """The extra pytest arguments of each variant, for round ``n``."""
    variants: dict[str, Callable[[int], list[str]]] = {
        "recorder": lambda n: ["--recorder-db", str(scratch / f"hooks-{n}.db")]}
    _time_hooks(session.RecordingSession, "recorder")
    if peers:
        from _pytest.junitxml import LogXML
        from pytest_reportlog.plugin import ReportLogPlugin

        _time_hooks(ReportLogPlugin, "reportlog")
        _time_hooks(LogXML, "junitxml")
        variants = {
            "bare": lambda n: [],
            **variants,
            "reportlog": lambda n: ["--report-log", str(scratch / f"log-{n}.jsonl")],
            "junitxml": lambda n: ["--junitxml", str(scratch / f"junit-{n}.xml")],
            "durable-floor": lambda n: [],  # the plugins are passed to pytest.main
            "policy-floor": lambda n: [],
        }
        _time_hooks(DurableFloor, "durable-floor")
        _time_hooks(PolicyFloor, "policy-floor")
    return variants


#: The variants whose plugin hook_time passes to ``pytest.main`` itself.
FLOORS = {"durable-floor": DurableFloor, "policy-floor": PolicyFloor}

#: ``--breakdown``: parts of the recorder's hooks timed inside them, as (owner, method).
BREAKDOWN = {"journal append (fstat + write)": ("recorder.store.journal", "JournalWriter",
                                                "append"),
             "payload to JSON (Emitter._encoded)": ("recorder.store.emitter", "Emitter",
                                                    "_encoded")}


def _time_parts() -> None:
    import importlib

    for label, (module, owner, method) in BREAKDOWN.items():
        cls = getattr(importlib.import_module(module), owner)
        setattr(cls, method, _timed(getattr(cls, method), "breakdown", label))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--peers", action="store_true",
                        help="also bare pytest, --report-log and --junitxml, interleaved")
    parser.add_argument("--breakdown", action="store_true",
                        help="also time the journal's append and the payload encoding "
                        "inside the recorder's hooks")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    plain_cost, wrapper_cost = _timer_cost()
    scratch = Path(tempfile.mkdtemp()) if args.workdir is None else args.workdir
    suite = generate.generate_suite(scratch / "suite", args.tests)
    variants = _variants(args.peers, scratch)
    if args.breakdown:
        _time_parts()
    names = list(variants)
    inside: dict[str, list[float]] = collections.defaultdict(list)  # us per test
    whole: dict[str, list[float]] = collections.defaultdict(list)  # us per test
    by_hook: collections.Counter[tuple[str, str]] = collections.Counter()
    timer: dict[str, list[float]] = collections.defaultdict(list)  # us per test
    for round_number in range(args.rounds + 1):  # round 0 warms up
        turn = names[round_number % len(names):] + names[:round_number % len(names)]
        for name in turn:
            spent.clear()
            calls.clear()
            started = time.perf_counter()
            plugins = [FLOORS[name](scratch / f"{name}-{round_number}.log")] \
                if name in FLOORS else []
            with contextlib.redirect_stdout(io.StringIO()):
                pytest.main([str(suite), "-q", "-p", "no:cacheprovider",
                             *variants[name](round_number)], plugins=plugins)
            wall = time.perf_counter() - started
            if round_number:
                hooks = {key: total for key, total in spent.items() if key[0] == name}
                inside[name].append(sum(hooks.values()) / args.tests / 1000)
                whole[name].append(wall / args.tests * 1e6)
                by_hook.update(spent)
                timer[name].append(sum(  # --breakdown's timers run inside recorder's hooks
                    count * (wrapper_cost if key in wrappers else plain_cost)
                    for key, count in calls.items() if key[0] in (name, "breakdown"))
                    / args.tests / 1000)
    print(f"recorder: {Path(session.__file__).parent.parent}")
    for name in names:
        if name == "bare":
            continue
        rounds = inside[name]
        print(f"inside {name}'s hooks: median {statistics.median(rounds):.1f} us per test"
              f" (min {min(rounds):.1f}; rounds: {', '.join(f'{x:.1f}' for x in rounds)})")
        hooks = [(hook, total) for (plugin, hook), total in by_hook.most_common()
                 if plugin == name]
        for hook, total in hooks[:6]:
            print(f"  {hook:30s} {total / args.rounds / args.tests / 1000:6.1f} us per test")
        print(f"  {'(the timer itself, in these)':30s} {statistics.median(timer[name]):6.1f}"
              f" us per test ({plain_cost:.0f} ns a plain hook, {wrapper_cost:.0f} ns a "
              "wrapper)")
        if name == "recorder" and args.breakdown:
            for label in BREAKDOWN:
                total = by_hook[("breakdown", label)]
                print(f"  of which {label:36s} {total / args.rounds / args.tests / 1000:6.1f}"
                      f" us per test")
    if args.peers:
        bare = whole["bare"]
        print(f"whole pytest.main per test (median of {args.rounds} rounds), and the median"
              " of per-round differences from bare:")
        for name in names:
            added = [run - base for run, base in zip(whole[name], bare, strict=True)]
            median = statistics.median(whole[name])
            line = f"  {name:10s} {median:8.1f} us"
            if name != "bare":
                difference = statistics.median(added)
                line += (f"   {difference:+7.1f} us ({difference / statistics.median(bare):+.1%})"
                         f"   inside its hooks {statistics.median(inside[name]):.1f} us")
            print(line)
    if args.workdir is None:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
