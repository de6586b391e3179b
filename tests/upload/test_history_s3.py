"""The history read in place from a real S3 server (SeaweedFS on 127.0.0.1): runs
stored by the real ``recorder upload`` answer every golden question right, before and
after ``compact``; bad buckets, credentials and prefixes fail with one clean line."""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from upload_support import BUCKET, READER, Seaweed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "history"))

from golden import golden_runs  # type: ignore[import-not-found]  # noqa: E402
from golden_checks import check_all  # type: ignore[import-not-found]  # noqa: E402

from recorder.cli import main  # noqa: E402


def _env(monkeypatch: pytest.MonkeyPatch, seaweed: Seaweed,
         credentials: tuple[str, str] | None = None) -> None:
    for name, value in seaweed.env(credentials).items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def uploaded(seaweed: Seaweed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The golden runs, each uploaded with ``recorder upload`` under a fresh prefix."""
    prefix = f"golden-{uuid.uuid4().hex[:8]}"
    folder = tmp_path_factory.mktemp("golden-docs")
    with pytest.MonkeyPatch.context() as patch:
        _env(patch, seaweed)
        for document in golden_runs():
            path = folder / f"{document['run_id']}.json"
            path.write_text(json.dumps(document), encoding="utf-8")
            code = main(["upload", str(path), "--bucket", BUCKET, "--prefix", prefix,
                         "--endpoint-url", seaweed.endpoint, "-q"])
            assert code == 0
    yield prefix


def ask_s3(seaweed: Seaweed, location: str, capsys: pytest.CaptureFixture[str]) -> Any:
    def ask(command: str, *args: str) -> dict[str, Any]:
        capsys.readouterr()
        code = main(["history", command, "--from", location, "--endpoint-url",
                     seaweed.endpoint, "--json", *args])
        out, err = capsys.readouterr()
        assert code == 0, err
        return json.loads(out)  # type: ignore[no-any-return]
    return ask


def listing(seaweed: Seaweed, prefix: str) -> dict[str, str]:
    pages = seaweed.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET,
                                                                       Prefix=prefix + "/")
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])}


def test_upload_stores_each_runs_case_rows_under_their_own_root(
        uploaded: str, seaweed: Seaweed) -> None:
    keys = listing(seaweed, uploaded)
    assert f"{uploaded}/cases/project=shop/date=2026-11-02/r00.parquet" in keys
    assert f"{uploaded}/cases/project=shop/date=2026-11-03/r10.parquet" in keys
    assert f"{uploaded}/project=shop/date=2026-11-02/run_id=r00/test-run-results.json" in keys
    assert sum(key.endswith(".parquet") for key in keys) == 11


def test_golden_history_from_s3_before_and_after_compact(
        uploaded: str, seaweed: Seaweed, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _env(monkeypatch, seaweed)
    location = f"s3://{BUCKET}/{uploaded}"
    ask = ask_s3(seaweed, location, capsys)
    check_all(ask)
    before = listing(seaweed, uploaded)

    assert main(["history", "compact", location, "--endpoint-url", seaweed.endpoint,
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (len(result["written"]), result["runs"]) == (2, 11)
    after = listing(seaweed, uploaded)
    assert {key: after[key] for key in before} == before  # nothing deleted or rewritten
    assert sorted(set(after) - set(before)) == sorted(
        f"{uploaded}/{path}" for path in result["written"])
    check_all(ask)

    assert main(["history", "compact", "--from", location, "--endpoint-url",
                 seaweed.endpoint, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again == {"written": [], "runs": 0, "up_to_date": 2}
    assert listing(seaweed, uploaded) == after


@pytest.mark.parametrize(("location", "credentials", "code", "words"), [
    ("s3://no-such-bucket-here/x", None, 12, "no-such-bucket-here"),
    ("s3://Bad_Bucket/x", None, 12, "Bad_Bucket"),
    ("{bucket}/empty-prefix", None, 6, "holds no runs"),
    ("{bucket}/{prefix}", ("RECORDERTESTADMIN", "wrong-secret"), 11, "credentials"),
    ("{bucket}/{prefix}", "none", 10, "AWS_ACCESS_KEY_ID"),
])
def test_bad_s3_locations_fail_with_one_line(
        location: str, credentials: Any, code: int, words: str, uploaded: str,
        seaweed: Seaweed, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    if credentials != "none":
        _env(monkeypatch, seaweed, credentials)
    location = location.format(bucket=f"s3://{BUCKET}", prefix=uploaded)
    assert main(["history", "flaky", "--from", location, "--endpoint-url",
                 seaweed.endpoint, "--json"]) == code
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and words in lines[0], err
    assert "wrong-secret" not in err


def test_a_read_only_identity_can_ask_but_not_compact(
        seaweed: Seaweed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    prefix = f"reader-{uuid.uuid4().hex[:8]}"
    _env(monkeypatch, seaweed)
    for document in golden_runs()[:3]:
        path = tmp_path / f"{document['run_id']}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        assert main(["upload", str(path), "--bucket", BUCKET, "--prefix", prefix,
                     "--endpoint-url", seaweed.endpoint, "-q"]) == 0
    before = listing(seaweed, prefix)
    _env(monkeypatch, seaweed, READER)
    location = f"s3://{BUCKET}/{prefix}"
    assert ask_s3(seaweed, location, capsys)("runs")["window"]["runs"] == 3
    code = main(["history", "compact", location, "--endpoint-url", seaweed.endpoint])
    out, err = capsys.readouterr()
    assert code == 7 and out == ""
    assert err.startswith("Error: cannot write s3://") and "s3:PutObject" in err
    assert len(err.strip().splitlines()) == 1
    assert listing(seaweed, prefix) == before


def test_uploading_again_finds_its_own_case_rows_and_no_cases_skips_them(
        seaweed: Seaweed, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _env(monkeypatch, seaweed)
    prefix = f"again-{uuid.uuid4().hex[:8]}"
    first, second = golden_runs()[:2]
    paths = []
    for document in (first, second):
        path = tmp_path / f"{document['run_id']}.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        paths.append(path)
    args = ["--bucket", BUCKET, "--prefix", prefix, "--endpoint-url", seaweed.endpoint,
            "--json", "-q"]
    assert main(["upload", str(paths[0]), *args]) == 0
    stored = json.loads(capsys.readouterr().out)["cases"]
    assert (stored["rows"], stored["already_uploaded"]) == (8, False)
    assert stored["key"] == f"{prefix}/cases/project=shop/date=2026-11-02/r00.parquet"
    assert main(["upload", str(paths[0]), *args]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["already_uploaded"] and again["cases"]["already_uploaded"]
    assert main(["upload", str(paths[1]), "--no-cases", *args]) == 0
    assert json.loads(capsys.readouterr().out)["cases"] is None
    parquet = [key for key in listing(seaweed, prefix) if key.endswith(".parquet")]
    assert parquet == [stored["key"]]
