"""The GitHub workflows: valid against the workflow schema (offline), only the
"Upload Test Artifact" step sees storage secrets and it runs even when tests failed;
and ``testing/run-all-tests.sh`` needs no AWS variable at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from recorder.document.reader import load_document

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
UPLOAD_STEP = "Upload Test Artifact"
SECRET_MARKERS = ("secrets.", "vars.", "AWS_")


def load(path: Path) -> dict[str, Any]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(workflow, dict)
    return workflow


def all_steps() -> list[tuple[str, dict[str, Any]]]:
    return [(f"{path.name}:{job_id}", step) for path in WORKFLOWS
            for job_id, job in load(path)["jobs"].items() for step in job.get("steps", [])]


def text(value: Any) -> str:
    return json.dumps(value)


def upload_step() -> dict[str, Any]:
    found = [step for _, step in all_steps() if step.get("name") == UPLOAD_STEP]
    assert len(found) == 1, f"expected one step named {UPLOAD_STEP!r}, found {len(found)}"
    return found[0]


def test_there_is_a_workflow() -> None:
    """The CI pipeline exists under .github/workflows."""
    assert WORKFLOWS


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_validates_against_the_github_workflow_schema(path: Path) -> None:
    """check-jsonschema's bundled GitHub workflow schema accepts the file (offline)."""
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows",
                             str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_on_push_and_pull_request_to_main_with_python_311() -> None:
    """Push and pull request to main; Python 3.11 with pip cache; pytest -v --tb=short."""
    workflow = load(REPO / ".github" / "workflows" / "ci.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["pull_request"]["branches"] == ["main"]
    steps = workflow["jobs"]["test"]["steps"]
    setup = next(step for step in steps if "setup-python" in step.get("uses", ""))
    assert str(setup["with"]["python-version"]) == "3.11"
    assert setup["with"]["cache"] == "pip"
    assert any("pip install -e '.[test]'" in step.get("run", "") for step in steps)
    assert any("pytest -v --tb=short" in step.get("run", "") for step in steps)


def test_only_the_upload_step_sees_secrets_variables_or_aws_settings() -> None:
    """No secrets./vars./AWS_ outside the upload step: not at workflow, job or step level."""
    for path in WORKFLOWS:
        workflow = load(path)
        top = {key: value for key, value in workflow.items() if key != "jobs"}
        for marker in SECRET_MARKERS:
            assert marker not in text(top), f"{path.name}: {marker} at workflow level"
        for job_id, job in workflow["jobs"].items():
            job_level = {key: value for key, value in job.items() if key != "steps"}
            for marker in SECRET_MARKERS:
                assert marker not in text(job_level), f"{path.name}:{job_id}: {marker}"
    for where, step in all_steps():
        if step.get("name") == UPLOAD_STEP:
            continue
        for marker in SECRET_MARKERS:
            assert marker not in text(step), f"{where}: step {step.get('name')!r} has {marker}"


def test_upload_step_runs_on_failure_and_gets_the_storage_settings() -> None:
    """The upload runs even when tests failed, with keys from secrets and the bucket from
    repository settings, never hard-coded, and calls recorder upload."""
    step = upload_step()
    assert "always()" in str(step["if"])
    env = step["env"]
    assert env["AWS_ACCESS_KEY_ID"].startswith("${{ secrets.")
    assert env["AWS_SECRET_ACCESS_KEY"].startswith("${{ secrets.")
    for name in ("RECORDER_BUCKET", "RECORDER_ENDPOINT_URL"):
        assert env[name].startswith("${{ vars.") or env[name].startswith("${{ secrets.")
    assert "recorder upload" in step["run"]


def test_test_run_job_tests_without_secrets_then_uploads_and_keeps_the_artifact() -> None:
    """run-all-tests.sh gets no AWS_* variable; the upload and artifact steps follow it."""
    steps = load(REPO / ".github" / "workflows" / "ci.yml")["jobs"]["test-run"]["steps"]
    names = [step.get("name") for step in steps]
    tests = next(i for i, step in enumerate(steps)
                 if "testing/run-all-tests.sh" in step.get("run", ""))
    assert not any(name.startswith("AWS_") for name in steps[tests].get("env", {}))
    assert names.index(UPLOAD_STEP) > tests
    keep = next(step for step in steps if "upload-artifact" in step.get("uses", ""))
    assert "always()" in keep["if"]
    assert keep["with"]["path"] == "testing/reports/test-run-results.json"
    assert keep["with"]["if-no-files-found"] == "error"


def test_remote_setup_actions_are_skipped_under_act() -> None:
    """Every `uses:` step is guarded by !env.ACT so act can run the `run:` steps."""
    for where, step in all_steps():
        if "uses" in step:
            assert "!env.ACT" in str(step.get("if", "")), f"{where}: {step['uses']}"


def test_run_all_tests_works_with_every_aws_variable_unset(tmp_path: Path) -> None:
    """The recorded test run and its export need no storage credentials or settings."""
    tests = tmp_path / "test_tiny.py"
    tests.write_text("def test_passes():\n    assert True\n\n"
                     "def test_fails():\n    assert 1 == 2\n", encoding="utf-8")
    out = tmp_path / "reports" / "test-run-results.json"
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("AWS_", "RECORDER_"))}
    env.update(RECORDER_DB=str(tmp_path / "reports" / "test-results.db"),
               RECORDER_OUT=str(out), PYTHON=sys.executable)
    env.pop("GITHUB_STEP_SUMMARY", None)
    result = subprocess.run([str(REPO / "testing" / "run-all-tests.sh"), str(tests), "-q",
                             "-p", "no:cacheprovider"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr  # pytest's: one failed
    document = load_document(out)
    assert document["summary"]["total"] == 2
    assert document["summary"]["failed"] == 1
