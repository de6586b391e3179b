"""A golden history of 32 runs on ``main``, as the dicts ``recorder history`` answers
with (issue 18's shapes), built from a plain table of what each test did in each run so
the right answer is obvious:

- ``test_stable`` passes every run;
- ``test_flaky`` fails in every 4th run (3, 7, 11, ...) and passes otherwise, and in
  runs 9 and 21 it failed, then passed on a retry;
- ``test_broken`` passes up to run 20 and fails from run 21 (commit ``c021``) on;
- ``test_slow`` takes 0.1 s up to run 24 and 0.5 s from run 25 on.
"""

from __future__ import annotations

from typing import Any

from recorder.report.html import HistoryView

RUNS = 32
TESTS = ("t.py::test_stable", "t.py::test_flaky", "t.py::test_broken", "t.py::test_slow")
BREAKS_AT = 21
SLOWS_AT = 25
CI = "https://ci.example.invalid/acme/shop/runs/"


def run_id(n: int) -> str:
    return f"20261101T{n:02d}0000Z-run{n:02d}"


def commit(n: int) -> str:
    return f"c{n:03d}" + "0" * 36


def outcome(test: str, n: int) -> tuple[str, float]:
    if test.endswith("flaky"):
        if n in (9, 21):
            return "flaky", 0.2
        return ("failed" if n % 4 == 3 else "passed"), 0.2
    if test.endswith("broken"):
        return ("failed" if n >= BREAKS_AT else "passed"), 0.05
    if test.endswith("slow"):
        return "passed", 0.5 if n >= SLOWS_AT else 0.1
    return "passed", 0.01


def golden_history() -> HistoryView:
    runs = []
    for n in range(1, RUNS + 1):
        statuses = [outcome(test, n)[0] for test in TESTS]
        counts = {s: statuses.count(s) for s in ("passed", "failed", "error", "skipped",
                                                 "xfailed", "xpassed", "flaky", "incomplete",
                                                 "not_run")}
        counts["total"] = len(TESTS)
        runs.append({"run_id": run_id(n), "started_at": f"2026-11-01T{n % 24:02d}:00:00Z"
                     if n < 24 else f"2026-11-02T{n - 24:02d}:00:00Z",
                     "status": "failed" if counts["failed"] else "passed", "counts": counts,
                     "duration": round(sum(outcome(t, n)[1] for t in TESTS) + n * 0.01, 3),
                     "commit": commit(n), "branch": "main", "ci_url": f"{CI}{n}",
                     "infra_failure": False})
    runs.reverse()  # recorder history runs lists the newest first
    window = {"runs": RUNS, "from": "2026-11-01T01:00:00Z", "to": "2026-11-02T08:00:00Z"}
    flaky_runs = [n for n in range(1, RUNS + 1) if outcome(TESTS[1], n)[0] != "passed"]
    flaky = {"window": window, "rules": {"infra_threshold": 0.5, "min_flips": 3},
             "infra_failures": [],
             "flaky": [{"id": TESTS[1], "runs": RUNS, "flips": 14, "flip_rate": 0.4516,
                        "same_commit_disagreements": 0, "retried_passes": 2,
                        "evidence": [{"run_id": run_id(n), "commit": commit(n),
                                      "status": outcome(TESTS[1], n)[0], "ci_url": f"{CI}{n}"}
                                     for n in flaky_runs[-10:]]}],
             "broken": []}
    failing = {"window": window, "branch": "main", "latest_run_id": run_id(RUNS),
               "latest_commit": commit(RUNS),
               "failing": [{"id": TESTS[2], "since_run_id": run_id(BREAKS_AT),
                            "since_commit": commit(BREAKS_AT),
                            "last_pass_run_id": run_id(BREAKS_AT - 1),
                            "last_pass_commit": commit(BREAKS_AT - 1),
                            "failing_runs": RUNS - BREAKS_AT + 1,
                            "fingerprint": "AssertionError: assert <n> == <n> @ t.py:9",
                            "new": False}]}
    slow = {"window": window, "rules": {"recent": 5, "min_runs": 3},
            "slow": [{"id": TESTS[3], "runs": RUNS, "p50": 0.1, "p95": 0.5,
                      "baseline_p50": 0.1, "recent_p50": 0.5, "change": 4.0},
                     {"id": TESTS[1], "runs": RUNS, "p50": 0.2, "p95": 0.2,
                      "baseline_p50": 0.2, "recent_p50": 0.2, "change": 0.0}]}
    tests: list[dict[str, Any]] = []
    outcomes: dict[str, list[dict[str, Any]]] = {}
    for test in TESTS:
        statuses = [outcome(test, n)[0] for n in range(1, RUNS + 1)]
        passed, failed = statuses.count("passed"), statuses.count("failed")
        tests.append({"id": test, "runs": RUNS, "passed": passed, "failed": failed,
                      "flaky": statuses.count("flaky"), "other": 0,
                      "pass_rate": round(passed / (passed + failed), 4)})
        outcomes[test] = [{"run_id": run_id(n), "status": outcome(test, n)[0],
                           "duration": outcome(test, n)[1]} for n in range(1, RUNS + 1)]
    tests.sort(key=lambda i: (i["pass_rate"], i["id"]))
    return HistoryView(runs={"window": window, "runs": runs}, flaky=flaky, failing=failing,
                       slow=slow, tests={"window": window, "branch": None, "tests": tests},
                       outcomes=outcomes, source="s3://history/test-history")
