"""The history questions in SQL that DuckDB and Spark SQL both run.

Each query reads two relations that the engine provides: ``cases`` (the case rows,
columns as in :mod:`recorder.history.rows`) and ``selected`` (``run_id``; ``seq``, its place in
the window's order of start time, then run id; ``infra``; ``recent``: the runs in the
window, chosen in :mod:`recorder.history.window`). Named parameters are
written ``:name``. The differences between the dialects (the percentile and epoch
functions, the parameter marker) are filled in by :func:`render`."""

from __future__ import annotations

import re

import attrs

PASS_STATUSES = ("passed", "flaky", "xfailed", "xpassed")
FAIL_STATUSES = ("failed", "error")
STATUSES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed", "flaky",
            "incomplete", "not_run")


@attrs.frozen
class Dialect:
    name: str
    #: ``{0}`` the value, ``{1}`` the fraction: an interpolating percentile.
    percentile: str
    parameter_prefix: str
    #: microseconds since 1970 of a timestamp (times leave the engines as numbers: no
    #: time-zone conversion per row, and no pytz for DuckDB's Python results)
    epoch_us: str


DUCKDB = Dialect("duckdb", "quantile_cont({0}, {1})", "$", "epoch_us")
SPARK = Dialect("spark", "percentile({0}, {1})", ":", "unix_micros")

_PARAMETER = re.compile(r"(?<![:\w]):(?=[a-z_]+\b)")
_PERCENTILE = re.compile(r"PERCENTILE\(([^,()]+(?:\([^()]*\))?[^,()]*), ([0-9.]+)\)")


def render(sql: str, dialect: Dialect) -> str:
    sql = _PERCENTILE.sub(lambda m: dialect.percentile.format(m[1], m[2]), sql)
    sql = sql.replace("EPOCH_US(", dialect.epoch_us + "(")
    return _PARAMETER.sub(lambda _: dialect.parameter_prefix, sql)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


OUTCOME = (f"CASE WHEN c.status IN {_in(FAIL_STATUSES)} THEN 'fail' "
           f"WHEN c.status IN {_in(PASS_STATUSES)} THEN 'pass' END")

RUNS = f"""
SELECT c.run_id,
       EPOCH_US(min(c.started_at)) AS started_us, first(c.branch) AS branch,
       first(c.commit) AS commit, first(c.ci_url) AS ci_url, first(c.run_status) AS status,
       first(c.run_duration) AS duration, count(*) AS total,
       {", ".join(f"sum(CASE WHEN c.status = '{s}' THEN 1 ELSE 0 END) AS {s}"
                  for s in STATUSES)}
FROM cases c
GROUP BY c.run_id
"""

FLAKY = f"""
WITH candidates AS (
  -- only a test that failed at least once, or passed on retry, can be flaky or broken:
  -- the ordered (window) work below is done for those rows only
  SELECT DISTINCT c.case_id
  FROM cases c JOIN selected s ON c.run_id = s.run_id
  WHERE NOT s.infra AND c.status IN {_in(FAIL_STATUSES + ("flaky",))}
), ok AS (
  SELECT c.case_id, c.branch, c.commit, c.run_id, s.seq, c.status, c.ci_url,
         {OUTCOME} AS outcome
  FROM cases c JOIN selected s ON c.run_id = s.run_id
       JOIN candidates k ON c.case_id = k.case_id
  WHERE NOT s.infra AND c.status IN {_in(PASS_STATUSES + FAIL_STATUSES)}
), seq AS (
  SELECT case_id, outcome, status,
         lag(outcome) OVER (PARTITION BY case_id, branch ORDER BY seq) AS previous
  FROM ok
), per_test AS (
  SELECT case_id, count(*) AS runs,
         sum(CASE WHEN previous IS NOT NULL AND previous <> outcome THEN 1 ELSE 0 END)
           AS flips,
         sum(CASE WHEN previous IS NOT NULL THEN 1 ELSE 0 END) AS transitions,
         sum(CASE WHEN status = 'flaky' THEN 1 ELSE 0 END) AS retried_passes,
         sum(CASE WHEN outcome = 'fail' THEN 1 ELSE 0 END) AS failures
  FROM seq GROUP BY case_id
), disagreements AS (
  SELECT case_id, count(*) AS commits FROM (
    SELECT case_id, commit FROM ok WHERE commit IS NOT NULL
    GROUP BY case_id, commit HAVING count(DISTINCT outcome) = 2
  ) d GROUP BY case_id
), judged AS (
  SELECT p.case_id, p.runs, p.flips, p.transitions, p.retried_passes, p.failures,
         coalesce(d.commits, 0) AS same_commit_disagreements
  FROM per_test p LEFT JOIN disagreements d ON p.case_id = d.case_id
), flaky AS (
  SELECT * FROM judged
  WHERE retried_passes > 0 OR same_commit_disagreements > 0 OR flips >= :min_flips
), evidence AS (
  SELECT o.case_id, o.run_id, o.commit, o.status, o.ci_url,
         row_number() OVER (PARTITION BY o.case_id ORDER BY o.seq DESC) AS n
  FROM ok o JOIN flaky f ON o.case_id = f.case_id
  WHERE o.status IN ('failed', 'error', 'flaky')
)
SELECT 'flaky' AS kind, f.case_id, f.runs, f.flips, f.transitions, f.retried_passes,
       f.same_commit_disagreements, e.run_id, e.commit, e.status, e.ci_url, e.n
FROM flaky f LEFT JOIN evidence e ON e.case_id = f.case_id AND e.n <= :evidence
UNION ALL
SELECT 'broken' AS kind, j.case_id, j.runs, j.flips, j.transitions, j.retried_passes,
       j.same_commit_disagreements, NULL, NULL, NULL, NULL, NULL
FROM judged j WHERE j.failures = j.runs
"""

FAILING = f"""
WITH now_failing AS (
  SELECT c.case_id, c.failure_fingerprint AS fingerprint
  FROM cases c WHERE c.run_id = :latest AND c.status IN {_in(FAIL_STATUSES)}
), o AS (
  SELECT c.case_id, c.run_id, c.commit, c.branch, s.seq,
         c.failure_fingerprint AS fingerprint, {OUTCOME} AS outcome
  FROM cases c JOIN selected s ON c.run_id = s.run_id
       JOIN now_failing f ON c.case_id = f.case_id
), on_branch AS (
  SELECT o.case_id, o.run_id, o.commit, o.seq, o.outcome
  FROM o JOIN now_failing f ON o.case_id = f.case_id
  WHERE o.branch = :branch AND o.outcome IS NOT NULL
), last_pass AS (
  SELECT case_id, run_id, commit, seq FROM (
    SELECT case_id, run_id, commit, seq,
           row_number() OVER (PARTITION BY case_id ORDER BY seq DESC) AS n
    FROM on_branch WHERE outcome = 'pass'
  ) t WHERE n = 1
), streak AS (
  SELECT b.case_id, b.run_id, b.commit, b.seq,
         row_number() OVER (PARTITION BY b.case_id ORDER BY b.seq) AS n,
         count(*) OVER (PARTITION BY b.case_id) AS failing_runs
  FROM on_branch b LEFT JOIN last_pass p ON b.case_id = p.case_id
  WHERE b.outcome = 'fail' AND (p.run_id IS NULL OR b.seq > p.seq)
), since AS (
  SELECT case_id, run_id, commit, seq, failing_runs FROM streak WHERE n = 1
), known AS (
  SELECT DISTINCT o.case_id
  FROM o JOIN now_failing f ON o.case_id = f.case_id AND o.fingerprint = f.fingerprint
         JOIN since s ON o.case_id = s.case_id
  WHERE o.seq < s.seq
)
SELECT f.case_id, s.run_id AS since_run_id, s.commit AS since_commit,
       p.run_id AS last_pass_run_id, p.commit AS last_pass_commit, s.failing_runs,
       f.fingerprint, k.case_id IS NULL AS is_new
FROM now_failing f
JOIN since s ON f.case_id = s.case_id
LEFT JOIN last_pass p ON f.case_id = p.case_id
LEFT JOIN known k ON f.case_id = k.case_id
"""

SLOW = """
SELECT c.case_id, count(*) AS runs,
       PERCENTILE(c.duration, 0.5) AS p50, PERCENTILE(c.duration, 0.95) AS p95,
       sum(CASE WHEN s.recent THEN 1 ELSE 0 END) AS recent_runs,
       PERCENTILE(CASE WHEN s.recent THEN c.duration END, 0.5) AS recent_p50,
       PERCENTILE(CASE WHEN NOT s.recent THEN c.duration END, 0.5) AS baseline_p50
FROM cases c JOIN selected s ON c.run_id = s.run_id
WHERE c.status = 'passed'
GROUP BY c.case_id
"""

TESTS = f"""
SELECT c.case_id, count(*) AS runs,
       sum(CASE WHEN c.status IN {_in(PASS_STATUSES)} THEN 1 ELSE 0 END) AS passed,
       sum(CASE WHEN c.status IN {_in(FAIL_STATUSES)} THEN 1 ELSE 0 END) AS failed,
       sum(CASE WHEN c.status = 'flaky' THEN 1 ELSE 0 END) AS flaky,
       sum(CASE WHEN c.status NOT IN {_in(PASS_STATUSES + FAIL_STATUSES)} THEN 1 ELSE 0 END)
         AS other
FROM cases c JOIN selected s ON c.run_id = s.run_id
GROUP BY c.case_id
"""

__all__ = ["DUCKDB", "FAILING", "FLAKY", "RUNS", "SLOW", "SPARK", "TESTS", "Dialect", "render"]
