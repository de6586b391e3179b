#!/usr/bin/env python3
"""Time spent inside the recorder's pytest hooks, per test, measured in-process.

    .venv/bin/python testing/benchmarks/hook_time.py [--tests 2000] [--rounds 4] [--workdir DIR]

Runs ``pytest.main`` on the overhead section's generated suite (serial) ``--rounds``
times in this process (after one warm-up run) with every hook of
``recorder.capture.session.RecordingSession`` wrapped in a ``perf_counter_ns`` timer
(both halves of a wrapper hook), and prints the time inside them per test, in all and by
hook. pluggy's own cost and the test bodies' steps are not in it. It moves less with the
machine's load than a whole pytest process, so it shows what a change to the hot path
saves. To measure another copy of recorder, put it first on ``PYTHONPATH`` (run the
two one after the other, a few times).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import functools
import inspect
import io
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

spent: collections.Counter[str] = collections.Counter()


def _timed(function: Callable[..., Any]) -> Callable[..., Any]:
    name = function.__name__

    @functools.wraps(function)
    def plain(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter_ns()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter_ns() - started

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        started = time.perf_counter_ns()
        inner = function(*args, **kwargs)
        value = next(inner)
        spent[name] += time.perf_counter_ns() - started
        try:
            result = yield value
        except BaseException as error:
            started = time.perf_counter_ns()
            try:
                inner.throw(error)
            except StopIteration as stop:
                return stop.value
            finally:
                spent[name] += time.perf_counter_ns() - started
            raise RuntimeError(f"{name} did not stop") from None
        started = time.perf_counter_ns()
        try:
            inner.send(result)
        except StopIteration as stop:
            return stop.value
        finally:
            spent[name] += time.perf_counter_ns() - started
        raise RuntimeError(f"{name} did not stop")

    return wrapper if inspect.isgeneratorfunction(function) else plain


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    for name, function in list(vars(session.RecordingSession).items()):
        if name.startswith("pytest_") and callable(function):
            setattr(session.RecordingSession, name, _timed(function))
    scratch = Path(tempfile.mkdtemp()) if args.workdir is None else args.workdir
    suite = generate.generate_suite(scratch / "suite", args.tests)
    per_test: list[float] = []
    by_hook: collections.Counter[str] = collections.Counter()
    for round_number in range(args.rounds + 1):  # round 0 warms up
        spent.clear()
        db = scratch / f"hooks-{round_number}.db"
        with contextlib.redirect_stdout(io.StringIO()):
            pytest.main([str(suite), "-q", "-p", "no:cacheprovider", "--recorder-db", str(db)])
        if round_number:
            per_test.append(sum(spent.values()) / args.tests / 1000)
            by_hook.update(spent)
    print(f"recorder: {Path(session.__file__).parent.parent}")
    print(f"inside the recorder's hooks: median {statistics.median(per_test):.1f} us per test"
          f" (min {min(per_test):.1f}; rounds: {', '.join(f'{x:.1f}' for x in per_test)})")
    for name, total in by_hook.most_common(6):
        print(f"  {name:30s} {total / args.rounds / args.tests / 1000:6.1f} us per test")
    if args.workdir is None:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
