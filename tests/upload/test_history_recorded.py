"""A history of real recorded runs: one small suite recorded ten times by the pytest
plugin, exported, uploaded to SeaweedFS with ``recorder upload`` and asked every
question. test_flips fails in odd runs, test_breaks fails from run 5 on, test_slows
takes 0.15 s from run 5 on (a sleep inside the test body: its duration, no race)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from upload_support import BUCKET, Seaweed

from recorder.cli import main
from recorder.export.run_json import export_run

SUITE = """
import os, time

RUN = int(os.environ["HISTORY_RUN"])

def test_steady():
    pass

def test_flips():
    assert RUN % 2 == 0, f"odd run {RUN}"

def test_breaks():
    assert RUN < 5, f"broken since run 5, now run {RUN}"

def test_slows():
    time.sleep(0.15 if RUN >= 5 else 0.0)

def test_other_1():
    pass

def test_other_2():
    pass
"""
RUNS = 10


@pytest.fixture
def recorded_history(pytester: pytest.Pytester, seaweed: Seaweed,
                     monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in seaweed.env().items():
        monkeypatch.setenv(name, value)
    pytester.makepyfile(test_suite=SUITE)
    prefix = f"recorded-{uuid.uuid4().hex[:8]}"
    for run in range(RUNS):
        monkeypatch.setenv("HISTORY_RUN", str(run))
        monkeypatch.setenv("GITHUB_SHA", f"sha{run}")
        monkeypatch.setenv("GITHUB_REF_NAME", "main")
        db = pytester.path / f"run{run}.db"
        result = pytester.runpytest("-p", "no:cacheprovider", "--recorder-db", str(db),
                                    "--recorder-project", "recorded", "-q")
        assert result.ret == (1 if run % 2 or run >= 5 else 0)
        document = pytester.path / f"run{run}.json"
        export_run(db, document)
        assert main(["upload", str(document), "--bucket", BUCKET, "--prefix", prefix,
                     "--endpoint-url", seaweed.endpoint, "-q"]) == 0
    return f"s3://{BUCKET}/{prefix}"


def test_real_recorded_runs_answer_every_question(
        recorded_history: str, seaweed: Seaweed, capsys: pytest.CaptureFixture[str]) -> None:
    def ask(command: str, *args: str) -> dict[str, Any]:
        capsys.readouterr()
        assert main(["history", command, "--from", recorded_history, "--endpoint-url",
                     seaweed.endpoint, "--json", *args]) == 0
        return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]

    name = "test_suite.py::test_{}".format
    flaky = ask("flaky")
    assert [item["id"] for item in flaky["flaky"]] == [name("flips")]
    assert (flaky["flaky"][0]["flips"], flaky["flaky"][0]["flip_rate"]) == (9, 1.0)
    assert flaky["broken"] == [] and flaky["infra_failures"] == []

    failing = ask("failing")
    summary = [(i["id"], i["since_commit"], i["last_pass_commit"], i["failing_runs"], i["new"])
               for i in failing["failing"]]
    assert summary == [(name("breaks"), "sha5", "sha4", 5, True),
                       (name("flips"), "sha9", "sha8", 1, False)]
    runs = [run["run_id"] for run in ask("runs")["runs"]]
    assert failing["failing"][0]["since_run_id"] == runs[RUNS - 1 - 5]

    slow = ask("slow")["slow"][0]
    assert slow["id"] == name("slows") and slow["runs"] == RUNS
    assert slow["recent_p50"] >= 0.15 and slow["baseline_p50"] < 0.05 and slow["change"] > 2

    rates = {item["id"]: item["pass_rate"] for item in ask("tests")["tests"]}
    assert (rates[name("flips")], rates[name("breaks")], rates[name("steady")]) == (0.5, 0.5, 1.0)
    latest = ask("runs", "--last", "1")["runs"][0]
    assert (latest["commit"], latest["branch"], latest["status"],
            latest["counts"]["failed"]) == ("sha9", "main", "failed", 2)
