"""``recorder upload --report FILE``: the HTML report goes up next to the document (same
key prefix, ``report.html``, text/html), written once like the document, against the
real SeaweedFS."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from upload_support import BUCKET, Seaweed, upload_args

from recorder.cli import main
from recorder.document.reader import load_document
from recorder.report.html import render_report
from recorder.upload.report import report_key
from tests.support import assert_one_error_line


def test_report_key_is_the_documents_folder_with_report_html() -> None:
    assert report_key("p/project=x/date=2026-11-24/run_id=r/test-run-results.json") == \
        "p/project=x/date=2026-11-24/run_id=r/report.html"
    assert report_key("test-run-results.json.gz") == "report.html"


def write_report(document: Path, out: Path) -> Path:
    out.write_bytes(render_report(load_document(document)))
    return out


@pytest.mark.usefixtures("as_admin")
def test_the_report_is_stored_beside_the_document_as_text_html(
        seaweed: Seaweed, make_document: Callable[..., Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    document = make_document()
    report = write_report(document, tmp_path / "report.html")
    assert main(upload_args(document, seaweed.endpoint, "--prefix", "rep", "--json",
                            "--report", str(report))) == 0
    result = json.loads(capsys.readouterr().out)
    folder = result["key"].rpartition("/")[0]
    assert result["report"]["key"] == f"{folder}/report.html"
    assert folder.startswith("rep/project=upload-tests/date=")
    stored = seaweed.client().get_object(Bucket=BUCKET, Key=result["report"]["key"])
    assert stored["Body"].read() == report.read_bytes()
    assert stored["ContentType"].startswith("text/html")


@pytest.mark.usefixtures("as_admin")
def test_the_report_is_never_overwritten(
        seaweed: Seaweed, make_document: Callable[..., Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The same report again is 'already uploaded'; a different one exits 14 and leaves
    the stored one as it was."""
    document = make_document()
    report = write_report(document, tmp_path / "report.html")
    args = upload_args(document, seaweed.endpoint, "--json", "--report", str(report))
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)["report"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["report"]["already_uploaded"] is True
    report.write_bytes(report.read_bytes().replace(b"</body>", b"<p>changed</p></body>"))
    assert main(args) == 14
    assert_one_error_line(capsys.readouterr().err, "already exists with different content")
    stored = seaweed.client().get_object(Bucket=BUCKET, Key=first["key"])["Body"].read()
    assert b"<p>changed</p>" not in stored


@pytest.mark.usefixtures("as_admin")
def test_a_missing_report_uploads_nothing(
        seaweed: Seaweed, make_document: Callable[..., Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    document = make_document()
    missing = tmp_path / "nope.html"
    assert main(upload_args(document, seaweed.endpoint, "--report", str(missing))) == 3
    assert_one_error_line(capsys.readouterr().err, str(missing), "recorder report")
    run_id = json.loads(document.read_text())["run_id"]
    listed = seaweed.client().list_objects_v2(Bucket=BUCKET).get("Contents", [])
    assert not [o for o in listed if run_id in o["Key"]]
