"""The right answers for the golden history (conftest.py), worked out by hand, as
checks any reader of it must pass: local layout, folder of documents, S3, Spark."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Ask = Callable[..., dict[str, Any]]


def tid(name: str) -> str:
    return f"test_shop.py::test_{name}"


def flaky_summary(answer: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(item["id"], item["runs"], item["flips"], item["flip_rate"],
             item["same_commit_disagreements"], item["retried_passes"],
             [e["run_id"] for e in item["evidence"]]) for item in answer["flaky"]]


EXPECTED_FLAKY = [
    # main: P F P F P F P (r07 left out) P F = 7 flips in 8 transitions; r04 P / r05 F
    # on commit c-same; the feature run adds a run but no transition.
    (tid("flipper"), 10, 7, 0.875, 1, 0, ["r09", "r05", "r03", "r01"]),
    # P P F P P P P P F: fail, fix, fail again = 3 flips (the --min-flips default)
    (tid("known"), 10, 3, 0.375, 0, 0, ["r09", "r02"]),
    # F in r04, P in r05, same commit
    (tid("same_commit"), 10, 2, 0.25, 1, 0, ["r04"]),
    # status flaky (failed, then passed on retry) in r03
    (tid("retried"), 10, 0, 0.0, 0, 1, ["r03"]),
]


def check_flaky(ask: Ask) -> None:
    answer = ask("flaky")
    assert flaky_summary(answer) == EXPECTED_FLAKY
    assert answer["broken"] == [{"id": tid("broken"), "runs": 10}]
    assert answer["infra_failures"] == ["r07"]
    assert answer["rules"] == {"infra_threshold": 0.5, "min_flips": 3}
    assert answer["flaky"][0]["evidence"][0] == {
        "run_id": "r09", "commit": "commit-009", "status": "failed",
        "ci_url": "https://ci.example/runs/r09"}


def failing_summary(answer: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(i["id"], i["since_run_id"], i["since_commit"], i["last_pass_run_id"],
             i["last_pass_commit"], i["failing_runs"], i["new"]) for i in answer["failing"]]


EXPECTED_FAILING_MAIN = [
    (tid("broken"), "r00", "commit-000", None, None, 10, True),
    # r07 (everything errored) is part of the streak: failing counts every failure
    (tid("regressed"), "r06", "commit-006", "r05", "c-same", 4, True),
    (tid("flipper"), "r09", "commit-009", "r08", "commit-008", 1, False),
    # failed in r02 with "timeout after 30 s": the same fingerprint, so not new
    (tid("known"), "r09", "commit-009", "r08", "commit-008", 1, False),
]


def check_failing(ask: Ask) -> None:
    main = ask("failing", "--branch", "main")
    assert (main["branch"], main["latest_run_id"]) == ("main", "r09")
    assert failing_summary(main) == EXPECTED_FAILING_MAIN
    fingerprints = {item["id"]: item["fingerprint"] for item in main["failing"]}
    assert all(len(value) == 16 for value in fingerprints.values())
    assert fingerprints[tid("flipper")] != fingerprints[tid("known")]
    # Without --branch: the latest run's branch (feature, r10), where only broken fails.
    latest = ask("failing")
    assert (latest["branch"], latest["latest_run_id"]) == ("feature", "r10")
    assert failing_summary(latest) == [(tid("broken"), "r10", "commit-020", None, None, 1,
                                        False)]


def check_slow(ask: Ask) -> None:
    answer = ask("slow", "--limit", "0")
    first = answer["slow"][0]
    # 0.1 s in r00-r04, 0.5 s in r05 r06 r08 r09 r10 (r07 errored: not a passing run)
    assert first == {"id": tid("slow"), "runs": 10, "p50": 0.3, "p95": 0.5,
                     "baseline_p50": 0.1, "recent_p50": 0.5, "change": 4.0}
    stable = next(item for item in answer["slow"] if item["id"] == tid("stable"))
    assert stable["change"] == 0.0 and stable["p50"] == 0.01
    # broken never passed: no durations to compare
    assert tid("broken") not in [item["id"] for item in answer["slow"]]
    # recent = the last 5 runs (r06-r10), where slow passed 4 times (r07 errored)
    strict = ask("slow", "--min-runs", "5", "--limit", "0")["slow"]
    assert next(i for i in strict if i["id"] == tid("slow"))["change"] is None
    wider = ask("slow", "--recent", "6", "--min-runs", "5", "--limit", "0")["slow"]
    assert wider[0]["id"] == tid("slow") and wider[0]["change"] == 4.0


def check_tests(ask: Ask) -> None:
    answer = ask("tests", "--limit", "0")
    rates = {item["id"]: item["pass_rate"] for item in answer["tests"]}
    assert answer["tests"][0]["id"] == tid("broken") and rates[tid("broken")] == 0.0
    assert rates[tid("stable")] == round(10 / 11, 4)  # r07 errored
    assert rates[tid("flipper")] == round(6 / 11, 4)  # fails r01 r03 r05 r07 r09
    feature = ask("tests", "--branch", "feature", "--limit", "0")
    assert {i["id"]: i["runs"] for i in feature["tests"]} == {tid(n): 1 for n in (
        "stable", "retried", "same_commit", "flipper", "regressed", "broken", "slow", "known")}


def check_runs(ask: Ask) -> None:
    answer = ask("runs", "--limit", "0")
    assert [run["run_id"] for run in answer["runs"]] == [f"r{i:02d}" for i in range(10, -1, -1)]
    infra = [run["run_id"] for run in answer["runs"] if run["infra_failure"]]
    assert infra == ["r07"]
    r10 = answer["runs"][0]
    assert (r10["branch"], r10["commit"], r10["status"], r10["counts"]["failed"],
            r10["counts"]["total"]) == ("feature", "commit-020", "failed", 1, 8)
    assert r10["started_at"] == "2026-11-03T05:00:00Z"
    assert [r["run_id"] for r in ask("runs", "--last", "2", "--branch", "main")["runs"]] \
        == ["r09", "r08"]
    assert [r["run_id"] for r in ask("runs", "--since", "2026-11-03")["runs"]] == ["r10"]


def check_all(ask: Ask) -> None:
    check_flaky(ask)
    check_failing(ask)
    check_slow(ask)
    check_tests(ask)
    check_runs(ask)
