"""Benchmark for ``recorder history`` (issue 18): a generated history of 2,000 runs x
2,000 cases (4M case rows), every command timed as its own process, locally before and
after ``compact``, and on a loopback SeaweedFS (127.0.0.1 only) after ``compact``.

    .venv/bin/python testing/benchmarks/history_bench.py [--runs 2000] [--cases 2000]
        [--rounds 3] [--workdir DIR] [--no-s3] [--markdown FILE]

Targets (issue 18): each command <= 2 s locally and <= 5 s on loopback S3 after
compact, peak RSS <= 1 GB. Wall time is min and median over the rounds (the machine is
shared: trust the minimum for "how fast can it be", the CPU column for "how much work").

The rows are generated with DuckDB in the exact column types of the case-row files
(recorder.history.rows.FILE_COLUMNS), written one file per run into the upload layout:
the same files ``recorder upload`` stores, without building 2,000 documents first."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests" / "upload"))

from bench import clean_env, run_measured  # noqa: E402

from recorder.history.layout import run_file  # noqa: E402
from recorder.history.rows import FILE_COLUMNS  # noqa: E402

PROJECT = "bench"
COMMANDS: list[list[str]] = [["flaky"], ["failing", "--branch", "main"], ["slow"],
                             ["tests"], ["runs"]]
RUNS_PER_DAY = 48


def generate(root: Path, runs: int, cases: int) -> float:
    """Write ``runs`` per-run files of ``cases`` rows each; seconds taken."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # r: run, c: case. Deterministic: every outcome comes from hash(r, c).
    con.execute(f"""
    CREATE TABLE rows AS
    WITH grid AS (
      SELECT r, c, hash(r * 100003 + c) % 1000 AS h
      FROM range({runs}) t(r), range({cases}) u(c)
    ), judged AS (
      SELECT r, c, h,
        CASE
          WHEN r % 250 = 123 THEN 'error'                                -- infra runs
          WHEN c = 13 THEN 'failed'                                      -- broken
          WHEN c % 500 = 42 AND r >= {runs} - 100 THEN 'failed'          -- regressed
          WHEN c % 100 = 7 AND h < 150 THEN 'failed'                     -- flaky
          WHEN c % 100 = 7 AND h < 200 THEN 'flaky'
          WHEN c % 97 = 0 THEN 'skipped'
          ELSE 'passed' END AS status
      FROM grid
    )
    SELECT
      'run-' || lpad(CAST(r AS VARCHAR), 5, '0') AS run_id,
      TIMESTAMPTZ '2026-09-01 00:00:00+00' + INTERVAL (r * {24 * 60 // RUNS_PER_DAY}) MINUTE
        AS started_at,
      CASE WHEN r % 10 = 9 THEN 'feature' ELSE 'main' END AS branch,
      'commit-' || CAST(r // 2 AS VARCHAR) AS commit,
      'github-actions' AS ci_provider,
      'https://ci.example/runs/' || CAST(r AS VARCHAR) AS ci_url,
      CAST(NULL AS VARCHAR) AS shard,
      CASE WHEN r % 250 = 123 THEN 'failed' ELSE 'failed' END AS run_status,
      600.0 AS run_duration,
      'tests/test_mod_' || CAST(c // 50 AS VARCHAR) || '.py::test_case_' || CAST(c AS VARCHAR)
        AS case_id,
      'tests/test_mod_' || CAST(c // 50 AS VARCHAR) || '.py' AS suite,
      'test_case_' || CAST(c AS VARCHAR) AS name,
      'tests/test_mod_' || CAST(c // 50 AS VARCHAR) || '.py' AS file,
      status,
      (0.001 + h / 10000.0) * (CASE WHEN c % 400 = 11 AND r >= {runs} - 50 THEN 3 ELSE 1 END)
        AS duration,
      CASE WHEN status = 'flaky' THEN 2 ELSE 1 END AS attempts,
      CASE WHEN status IN ('failed', 'error', 'flaky') THEN 'AssertionError' END
        AS failure_type,
      CASE WHEN status IN ('failed', 'error', 'flaky')
           THEN 'assert ' || CAST(h AS VARCHAR) || ' == 0' END AS failure_message,
      CASE WHEN status IN ('failed', 'error', 'flaky')
           THEN substr(md5(CAST(c AS VARCHAR)), 1, 16) END AS failure_fingerprint
    FROM judged
    ORDER BY r, c
    """)
    casts = ", ".join(f'CAST("{name}" AS {kind}) AS "{name}"'
                      for name, kind in FILE_COLUMNS.items())
    for r in range(runs):
        run_id = f"run-{r:05d}"
        day = con.execute("SELECT CAST(CAST(min(started_at) AS DATE) AS VARCHAR) FROM rows "
                          "WHERE run_id = $id", {"id": run_id}).fetchone()[0]  # type: ignore[index]
        path = root / run_file(PROJECT, day, run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY (SELECT {casts} FROM rows WHERE run_id = '{run_id}') "
                    f"TO '{path}' (FORMAT parquet)")
    con.close()
    return time.perf_counter() - started


def time_commands(location: str, workdir: Path, rounds: int, env: dict[str, str],
                  extra: list[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    recorder = str(Path(sys.executable).with_name("recorder"))
    for command in COMMANDS:
        name = command[0]
        walls, cpus, rss = [], [], []
        for _ in range(rounds):
            measured = run_measured([recorder, "history", *command, "--from", location,
                                     "--json", *extra], cwd=workdir,
                                    log=workdir / f"{name}.log", env=env)
            json.loads(measured.stdout)  # a real answer, not an error
            walls.append(measured.wall)
            cpus.append(measured.cpu)
            rss.append(measured.rss_mb)
        results[name] = {"wall_min": min(walls), "wall_median": statistics.median(walls),
                         "cpu_median": statistics.median(cpus), "rss_max_mb": max(rss)}
        print(f"  {name:8} wall {min(walls):6.2f} s (median {statistics.median(walls):.2f}), "
              f"CPU {statistics.median(cpus):.2f} s, peak RSS {max(rss):.0f} MB", flush=True)
    return results


def compact_timed(location: str, workdir: Path, env: dict[str, str],
                  extra: list[str]) -> dict[str, float]:
    recorder = str(Path(sys.executable).with_name("recorder"))
    measured = run_measured([recorder, "history", "compact", location, *extra], cwd=workdir,
                            log=workdir / "compact.log", env=env)
    print(f"  compact  wall {measured.wall:6.2f} s, peak RSS {measured.rss_mb:.0f} MB: "
          f"{measured.stdout.strip()}", flush=True)
    return {"wall": measured.wall, "rss_mb": measured.rss_mb}


def size_of(root: Path, top: str) -> tuple[int, float]:
    files = list((root / top).rglob("*.parquet"))
    return len(files), sum(f.stat().st_size for f in files) / 1e6


def start_seaweed(workdir: Path) -> tuple[Any, Any, Any]:
    from upload_support import (
        ADMIN,
        BUCKET,
        LOOPBACK,
        READER,
        Seaweed,
        wait_until_ready,
        weed_command,
        write_identities,
    )

    data = workdir / "seaweed"
    data.mkdir(exist_ok=True)
    config = data / "s3.json"
    write_identities(config)
    command, port = weed_command(data, config)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    log = (data / "weed.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=data)
    server = Seaweed(endpoint=f"http://{LOOPBACK}:{port}", bucket=BUCKET, admin=ADMIN,
                     reader=READER)
    if not wait_until_ready(process, server, time.monotonic() + 60):
        process.terminate()
        raise RuntimeError("SeaweedFS did not start")
    return process, server, log


def upload_tree(server: Any, root: Path, prefix: str) -> float:
    from concurrent.futures import ThreadPoolExecutor

    client = server.client()
    files = sorted(p for p in (root / "cases").rglob("*.parquet"))
    started = time.perf_counter()

    def put(path: Path) -> None:
        key = f"{prefix}/{path.relative_to(root).as_posix()}"
        client.put_object(Bucket=server.bucket, Key=key, Body=path.read_bytes())

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, files))
    return time.perf_counter() - started


def render(results: dict[str, Any]) -> str:
    meta = results["meta"]
    lines = [
        f"## History queries (issue 18): {meta['runs']:,} runs x {meta['cases']:,} cases",
        "",
        f"- date: {meta['date']}; commit {meta['commit']}; command: `{meta['command']}`",
        f"- machine: {os.cpu_count()} CPUs, load average {meta['load_start']:.2f} at start, "
        f"{meta['load_end']:.2f} at end; duckdb {meta['duckdb']}",
        f"- generated in {meta['generate_s']:.0f} s: {meta['files_per_run'][0]:,} per-run files "
        f"({meta['files_per_run'][1]:.0f} MB); compacted: {meta['files_compacted'][0]} day files "
        f"({meta['files_compacted'][1]:.0f} MB)",
        "",
        "Each command is its own `recorder history COMMAND --from LOCATION --json` process "
        "(Python start, DuckDB, listing, query, JSON), over all runs; "
        f"{meta['rounds']} rounds ({meta.get('s3_per_run_rounds', 0)} on S3 before compact), "
        "wall min (median), CPU median, peak RSS max.",
        "",
        "| command | " + " | ".join(results["layouts"]) + " |",
        "|---|" + "---|" * len(results["layouts"]),
    ]
    for command in COMMANDS:
        name = command[0]
        cells = []
        for layout in results["layouts"].values():
            r = layout["commands"][name]
            cells.append(f"{r['wall_min']:.2f} s ({r['wall_median']:.2f}), CPU "
                         f"{r['cpu_median']:.2f} s, {r['rss_max_mb']:.0f} MB")
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    compacts = [f"{label.split(',')[0]} {layout['compact']['wall']:.1f} s, "
                f"{layout['compact']['rss_mb']:.0f} MB"
                for label, layout in results["layouts"].items() if layout.get("compact")]
    lines += ["", "`compact` (every per-run file into day files): " + "; ".join(compacts),
              "", "Targets:", ""]
    for label, limit in (("local, after compact", 2.0), ("loopback S3, after compact", 5.0)):
        layout = results["layouts"].get(label)
        if not layout:
            continue
        worst = max(r["wall_min"] for r in layout["commands"].values())
        rss = max(r["rss_max_mb"] for r in layout["commands"].values())
        lines.append(f"- {label}: slowest command {worst:.2f} s (target <= {limit:.0f} s: "
                     f"{'met' if worst <= limit else 'NOT met'}); peak RSS {rss:.0f} MB "
                     f"(target <= 1024 MB: {'met' if rss <= 1024 else 'NOT met'})")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--no-s3", action="store_true")
    parser.add_argument("--s3-per-run-rounds", type=int, default=1,
                        help="rounds on S3 before compact (the slow case; default 1)")
    parser.add_argument("--markdown", type=Path, help="write the section here")
    args = parser.parse_args(argv)
    import duckdb

    scratch = None
    if args.workdir is None:
        scratch = tempfile.TemporaryDirectory(prefix="history-bench-")
        args.workdir = Path(scratch.name)
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    root = workdir / "history"
    env = clean_env()
    meta: dict[str, Any] = {
        "runs": args.runs, "cases": args.cases, "rounds": args.rounds,
        "s3_per_run_rounds": 0 if args.no_s3 else args.s3_per_run_rounds,
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                                 capture_output=True, text=True).stdout.strip(),
        "command": " ".join(["testing/benchmarks/history_bench.py", *(argv or sys.argv[1:])]),
        "load_start": os.getloadavg()[0], "duckdb": duckdb.__version__,
    }
    marker = root / f".generated-{args.runs}x{args.cases}"
    if not marker.exists():
        print(f"generating {args.runs} runs x {args.cases} cases ...", flush=True)
        meta["generate_s"] = generate(root, args.runs, args.cases)
        marker.write_text(str(meta["generate_s"]))
    else:
        meta["generate_s"] = float(marker.read_text())
    meta["files_per_run"] = size_of(root, "cases")
    # A reused work directory starts again from per-run files only (this is the
    # benchmark's own generated data; compact itself never deletes anything).
    shutil.rmtree(root / "cases-compacted", ignore_errors=True)
    layouts: dict[str, Any] = {}
    print("local, one file per run:", flush=True)
    layouts["local, per run"] = {"commands": time_commands(str(root), workdir, args.rounds,
                                                            env, [])}
    print("local, compacted:", flush=True)
    compacted = compact_timed(str(root), workdir, env, [])
    meta["files_compacted"] = size_of(root, "cases-compacted")
    layouts["local, after compact"] = {"compact": compacted, "commands": time_commands(
        str(root), workdir, args.rounds, env, [])}
    if not args.no_s3:
        process, server, log = start_seaweed(workdir)
        try:
            prefix = f"bench-{int(time.time())}"
            print(f"uploading {meta['files_per_run'][0]} files to SeaweedFS ...", flush=True)
            meta["upload_s"] = upload_tree(server, root, prefix)
            s3_env = {**env, **server.env()}
            extra = ["--endpoint-url", server.endpoint]
            location = f"s3://{server.bucket}/{prefix}"
            print("loopback S3, one file per run:", flush=True)
            layouts["loopback S3, per run"] = {"commands": time_commands(
                location, workdir, args.s3_per_run_rounds, env=s3_env, extra=extra)}
            print("loopback S3, compacted (S3 to S3):", flush=True)
            s3_compact = compact_timed(location, workdir, s3_env, extra)
            layouts["loopback S3, after compact"] = {"compact": s3_compact, "commands":
                                                     time_commands(location, workdir,
                                                                   args.rounds, s3_env, extra)}
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()
    meta["load_end"] = os.getloadavg()[0]
    results = {"meta": meta, "layouts": layouts}
    (workdir / "history-bench.json").write_text(json.dumps(results, indent=2))
    text = render(results)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if scratch is not None:
        scratch.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
