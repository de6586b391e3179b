"""The composite action's upload step (action.yml, step "Upload"), run with bash as the
runner would run it, against the real SeaweedFS on loopback: its inputs are wired
through the step's own ``env:`` mapping, so a renamed input or a broken script fails
here. The installed ``recorder`` of this checkout stands in for the one the action's
install step builds."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from upload_support import BUCKET, Seaweed

REPO = Path(__file__).resolve().parents[2]
RECORDER = Path(sys.executable).with_name("recorder")
INPUT = re.compile(r"^\$\{\{ inputs\.([a-z0-9-]+) \}\}$")


def action() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def upload_step() -> dict[str, Any]:
    (step,) = [step for step in action()["runs"]["steps"] if step.get("name") == "Upload"]
    return step


def step_env(inputs: dict[str, str]) -> dict[str, str]:
    """The Upload step's env, each ``${{ inputs.X }}`` filled from ``inputs`` or the
    input's default in action.yml."""
    declared = action()["inputs"]
    unknown = set(inputs) - set(declared)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    env = {}
    for name, value in upload_step()["env"].items():
        match = INPUT.match(value)
        assert match, f"{name}: {value}"
        key = match.group(1)
        env[name] = inputs.get(key, str(declared[key].get("default", "")))
    return env


def run_upload(directory: Path, tmp_path: Path, **inputs: str
               ) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    output = tmp_path / "github-output"
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(step_env(inputs), RECORDER_UPLOAD_BIN=str(RECORDER),
               GITHUB_OUTPUT=str(output), AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
               AWS_EC2_METADATA_DISABLED="true")
    env.pop("GITHUB_STEP_SUMMARY", None)
    result = subprocess.run(["bash", "-e", "-c", upload_step()["run"]], cwd=directory, env=env,
                            capture_output=True, text=True, timeout=120)
    published = {}
    if output.exists():
        for line in output.read_text(encoding="utf-8").splitlines():
            name, value = line.split("=", 1)
            published[name] = value
    return result, published


def keys(seaweed: Seaweed, prefix: str) -> list[str]:
    listing = seaweed.client().list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


def static_keys(seaweed: Seaweed) -> dict[str, str]:
    access_key, secret_key = seaweed.admin
    return {"aws-access-key-id": access_key, "aws-secret-access-key": secret_key,
            "endpoint": seaweed.endpoint, "region": "us-east-1", "bucket": BUCKET}


@pytest.fixture
def artifact(make_document: Callable[..., Path]) -> Path:
    """A downloaded artifact directory holding only the run document."""
    return make_document().parent


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_uploads_the_document_with_static_keys_when_companions_are_absent(
        seaweed: Seaweed, artifact: Path, tmp_path: Path) -> None:
    """Static keys (no role), the published digest, no report: the document is stored
    byte for byte with its case rows beside it, the url output names it, the absence of
    the report is a notice."""
    document = artifact / "test-run-results.json"
    result, published = run_upload(artifact, tmp_path, prefix="action-static",
                                   **{"expected-sha256": digest(document)},
                                   **static_keys(seaweed))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::notice::report.html is not present" in result.stdout
    cases = [k for k in keys(seaweed, "action-static/") if k.startswith("action-static/cases/")]
    (key,) = [k for k in keys(seaweed, "action-static/") if k not in cases]
    assert len(cases) == 1 and cases[0].endswith(".parquet")
    assert published["url"] == f"s3://{BUCKET}/{key}"
    stored = seaweed.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored == document.read_bytes()


def test_a_document_changed_since_the_test_job_is_not_uploaded(
        seaweed: Seaweed, artifact: Path, tmp_path: Path) -> None:
    """The digest the test job published no longer matches: exit 16, nothing stored."""
    document = artifact / "test-run-results.json"
    published_digest = digest(document)
    document.write_bytes(document.read_bytes().replace(b'"passed"', b'"failed"', 1))
    result, published = run_upload(artifact, tmp_path, prefix="action-changed",
                                   **{"expected-sha256": published_digest},
                                   **static_keys(seaweed))
    assert result.returncode == 16, result.stdout + result.stderr
    assert result.stderr.strip().startswith("Error: ")
    assert "url" not in published
    assert keys(seaweed, "action-changed/") == []


def test_a_missing_document_fails_the_step(seaweed: Seaweed, tmp_path: Path) -> None:
    """The document was never produced: exit 3 with an error annotation, nothing sent."""
    empty = tmp_path / "artifact"
    empty.mkdir()
    result, _ = run_upload(empty, tmp_path, prefix="action-missing", **static_keys(seaweed))
    assert result.returncode == 3
    assert "::error::the run document test-run-results.json was not produced" in result.stdout
    assert keys(seaweed, "action-missing/") == []


def test_with_a_role_the_static_keys_are_not_used(
        seaweed: Seaweed, artifact: Path, tmp_path: Path) -> None:
    """OIDC mode: the static keys are ignored, so without the role's credentials (which
    configure-aws-credentials would export) the upload finds none (exit 10)."""
    result, _ = run_upload(artifact, tmp_path, prefix="action-role",
                           **{"role-to-assume": "arn:aws:iam::123456789012:role/recorder"},
                           **static_keys(seaweed))
    assert result.returncode == 10, result.stdout + result.stderr
    assert "no AWS credentials found" in result.stderr
    assert keys(seaweed, "action-role/") == []


def test_an_empty_bucket_input_is_refused(artifact: Path, tmp_path: Path) -> None:
    """An unset RECORDER_BUCKET variable reaches the action as an empty input: exit 2."""
    result, _ = run_upload(artifact, tmp_path, bucket="")
    assert result.returncode == 2
    assert "::error::the bucket input is empty" in result.stdout
