"""The answers to ``recorder history flaky | failing | slow | tests | runs``, as the
JSON-ready dicts the CLI prints, from any :class:`~recorder.history.engine.Engine`.

The definitions (README.md, "History") are the SQL in :mod:`recorder.history.queries`
plus the few lines here that order, cut and shape the result."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs

from recorder.errors import RunNotFoundError
from recorder.history import queries
from recorder.history.engine import Engine
from recorder.history.window import DEFAULT_INFRA_THRESHOLD, RunSummary, Window, choose

Answer = dict[str, Any]


@attrs.frozen
class Options:
    branch: str | None = None
    last: int | None = None
    infra_threshold: float = DEFAULT_INFRA_THRESHOLD
    min_flips: int = 3
    recent: int = 5
    min_runs: int = 3
    limit: int = 50
    evidence: int = 10


@attrs.define
class History:
    """An engine over one project's case rows, and where they came from."""

    engine: Engine
    source: str
    _runs: list[RunSummary] | None = None

    def all_runs(self) -> list[RunSummary]:
        if self._runs is None:
            rows = self.run_query(queries.RUNS)
            self._runs = [RunSummary.from_row(row, queries.STATUSES) for row in rows]
        return self._runs

    def run_query(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        return self.engine.query(queries.render(sql, self.engine.dialect), params)

    def window(self, options: Options) -> Window:
        runs = self.all_runs()
        if not runs:
            raise RunNotFoundError(f"{self.source} holds no runs: upload some with 'recorder "
                                   "upload', or widen --since / --project")
        window = choose(runs, branch=options.branch, last=options.last,
                        infra_threshold=options.infra_threshold)
        if not window.runs:
            raise RunNotFoundError(f"{self.source} holds no runs of branch {options.branch!r}: "
                                   "pass a --branch that has runs (see 'recorder history runs')")
        infra = window.infra()
        recent = {run.run_id for run in window.runs[-options.recent:]}
        self.engine.select_runs([(run.run_id, seq, run.run_id in infra, run.run_id in recent)
                                 for seq, run in enumerate(window.runs)])
        return window


def _limited(items: list[Answer], limit: int) -> list[Answer]:
    return items if limit <= 0 else items[:limit]


def _when(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def _window_info(window: Window) -> Answer:
    return {"runs": len(window.runs),
            "from": _when(window.runs[0].started_at), "to": _when(window.runs[-1].started_at)}


def runs_answer(history: History, options: Options) -> Answer:
    window = history.window(options)
    infra = window.infra()
    items = [{
        "run_id": run.run_id, "started_at": _when(run.started_at), "status": run.status,
        "counts": run.counts, "duration": run.duration, "commit": run.commit,
        "branch": run.branch, "ci_url": run.ci_url, "infra_failure": run.run_id in infra,
    } for run in reversed(window.runs)]
    return {"window": _window_info(window), "runs": _limited(items, options.limit)}


def flaky_answer(history: History, options: Options) -> Answer:
    window = history.window(options)
    rows = history.run_query(queries.FLAKY, min_flips=options.min_flips,
                             evidence=options.evidence)
    flaky: dict[str, Answer] = {}
    broken: list[Answer] = []
    for row in rows:
        if row["kind"] == "broken":
            broken.append({"id": row["case_id"], "runs": int(row["runs"])})
            continue
        item = flaky.get(row["case_id"])
        if item is None:
            transitions = int(row["transitions"])
            item = flaky[row["case_id"]] = {
                "id": row["case_id"], "runs": int(row["runs"]), "flips": int(row["flips"]),
                "flip_rate": round(int(row["flips"]) / transitions, 4) if transitions else 0.0,
                "same_commit_disagreements": int(row["same_commit_disagreements"]),
                "retried_passes": int(row["retried_passes"]), "evidence": [],
            }
        if row["run_id"] is not None:
            item["evidence"].append({"n": row["n"], "run_id": row["run_id"],
                                     "commit": row["commit"], "status": row["status"],
                                     "ci_url": row["ci_url"]})
    for item in flaky.values():
        item["evidence"].sort(key=lambda e: e["n"])
        for evidence in item["evidence"]:
            del evidence["n"]
    ordered = sorted(flaky.values(), key=lambda i: (
        -i["flip_rate"], -i["same_commit_disagreements"], -i["retried_passes"], i["id"]))
    infra = sorted(window.infra())
    return {"window": _window_info(window),
            "rules": {"infra_threshold": options.infra_threshold,
                      "min_flips": options.min_flips},
            "infra_failures": infra,
            "flaky": _limited(ordered, options.limit),
            "broken": sorted(broken, key=lambda i: i["id"])}


def failing_answer(history: History, options: Options) -> Answer:
    window = history.window(options)
    latest = window.latest(options.branch)
    assert latest is not None  # window() refuses an empty window
    rows = history.run_query(queries.FAILING, latest=latest.run_id, branch=latest.branch)
    items = [{
        "id": row["case_id"], "since_run_id": row["since_run_id"],
        "since_commit": row["since_commit"], "last_pass_run_id": row["last_pass_run_id"],
        "last_pass_commit": row["last_pass_commit"], "failing_runs": int(row["failing_runs"]),
        "fingerprint": row["fingerprint"], "new": bool(row["is_new"]),
    } for row in rows]
    items.sort(key=lambda i: (-i["failing_runs"], i["id"]))
    return {"window": _window_info(window), "branch": latest.branch,
            "latest_run_id": latest.run_id, "latest_commit": latest.commit, "failing": items}


def slow_answer(history: History, options: Options) -> Answer:
    window = history.window(options)
    rows = history.run_query(queries.SLOW)
    items = []
    for row in rows:
        runs, recent_runs = int(row["runs"]), int(row["recent_runs"])
        enough = recent_runs >= options.min_runs and runs - recent_runs >= options.min_runs
        baseline, recent = row["baseline_p50"], row["recent_p50"]
        compared = enough and baseline is not None and baseline > 0
        items.append({
            "id": row["case_id"], "runs": runs, "p50": _seconds(row["p50"]),
            "p95": _seconds(row["p95"]),
            "baseline_p50": _seconds(baseline) if compared else None,
            "recent_p50": _seconds(recent) if compared else None,
            "change": round(recent / baseline - 1, 4) if compared else None,
        })
    items.sort(key=lambda i: (i["change"] is None, -(i["change"] or 0), -i["p95"], i["id"]))
    return {"window": _window_info(window),
            "rules": {"recent": options.recent, "min_runs": options.min_runs},
            "slow": _limited(items, options.limit)}


def _seconds(value: float | None) -> float:
    return round(float(value or 0.0), 6)


def tests_answer(history: History, options: Options) -> Answer:
    window = history.window(options)
    rows = history.run_query(queries.TESTS)
    items = []
    for row in rows:
        passed, failed = int(row["passed"]), int(row["failed"])
        items.append({
            "id": row["case_id"], "runs": int(row["runs"]), "passed": passed,
            "failed": failed, "flaky": int(row["flaky"]), "other": int(row["other"]),
            "pass_rate": round(passed / (passed + failed), 4) if passed + failed else None,
        })
    items.sort(key=lambda i: (i["pass_rate"] is None, i["pass_rate"] or 0.0, i["id"]))
    return {"window": _window_info(window), "branch": options.branch,
            "tests": _limited(items, options.limit)}


ANSWERS = {"flaky": flaky_answer, "failing": failing_answer, "slow": slow_answer,
           "tests": tests_answer, "runs": runs_answer}
