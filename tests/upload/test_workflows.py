"""The GitHub workflow and the composite action: valid against the GitHub schemas
(offline); the jobs that run tests hold no secret and no ``id-token: write``; the upload
runs in its own job, after the recorded test run, even when tests failed, and runs no
test code; and ``testing/run-all-tests.sh`` needs no AWS variable at all.

The ``run:`` scripts that carry the digest from the test job to the upload job are
executed here with bash, as the runner would."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from recorder.document.reader import load_document

REPO = Path(__file__).resolve().parents[2]
CI = REPO / ".github" / "workflows" / "ci.yml"
ACTION = REPO / "action.yml"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
TEST_COMMANDS = ("pytest", "run-all-tests.sh")
PROJECT_CODE = ("pytest", "run-all-tests", "testing/", "tests/", "pip install -e", "make ")


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def text(value: Any) -> str:
    return json.dumps(value)


def jobs() -> dict[str, dict[str, Any]]:
    found = load(CI)["jobs"]
    assert isinstance(found, dict)
    return found


def runs_tests(job: dict[str, Any]) -> bool:
    return any(command in step.get("run", "") for step in job.get("steps", [])
               for command in TEST_COMMANDS)


def step_named(steps: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found = [step for step in steps if step.get("name") == name]
    assert len(found) == 1, f"expected one step named {name!r}, found {len(found)}"
    return found[0]


def action_steps() -> list[dict[str, Any]]:
    steps = load(ACTION)["runs"]["steps"]
    assert isinstance(steps, list)
    return steps


def permissions(job: dict[str, Any]) -> dict[str, str]:
    """The job's token permissions: its own block, else the workflow's."""
    found = job.get("permissions", load(CI).get("permissions"))
    assert isinstance(found, dict), "permissions must be an explicit mapping"
    return found


def evaluate_if(condition: str, needs_result: str) -> bool:
    """The upload job's `if:` for a given result of the job it needs. Only the
    operators the condition uses are understood; anything else fails the test."""
    expression = condition.replace("${{", "").replace("}}", "").strip()
    expression = re.sub(r"needs\.test-run\.result", repr(needs_result), expression)
    expression = expression.replace("always()", "True").replace("&&", " and ")
    expression = expression.replace("||", " or ").replace("!", " not ")
    expression = expression.replace(" not =", "!=")
    assert re.fullmatch(r"[\sA-Za-z'()=!]*", expression), expression
    return bool(eval(expression, {"__builtins__": {}}))  # noqa: S307 - vetted above


def run_script(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=60)


def outputs(path: Path) -> dict[str, str]:
    """Parse a GITHUB_OUTPUT file (name=value lines and name<<DELIMITER blocks)."""
    found: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            found[name] = "\n".join(block)
        else:
            name, value = line.split("=", 1)
            found[name] = value
    return found


# -- schemas ------------------------------------------------------------------------


def test_there_is_a_workflow_and_an_action() -> None:
    """The CI pipeline exists under .github/workflows, the action at the root."""
    assert WORKFLOWS
    assert ACTION.is_file()


@pytest.mark.parametrize(("path", "schema"), [
    *[(path, "vendor.github-workflows") for path in WORKFLOWS],
    (ACTION, "vendor.github-actions"),
], ids=lambda value: value.name if isinstance(value, Path) else value)
def test_file_validates_against_the_github_schema(path: Path, schema: str) -> None:
    """check-jsonschema's bundled GitHub workflow / action schema accepts it (offline)."""
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run([str(checker), "--builtin-schema", schema, str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_on_push_and_pull_request_to_main_with_python_311() -> None:
    """Push and pull request to main; Python 3.11 with pip cache; pytest -v --tb=short."""
    workflow = load(CI)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert triggers["pull_request"]["branches"] == ["main"]
    steps = workflow["jobs"]["test"]["steps"]
    setup = next(step for step in steps if "setup-python" in step.get("uses", ""))
    assert str(setup["with"]["python-version"]) == "3.11"
    assert setup["with"]["cache"] == "pip"
    assert any("pip install -e '.[test]'" in step.get("run", "") for step in steps)
    assert any("pytest -v --tb=short" in step.get("run", "") for step in steps)


# -- who holds what -----------------------------------------------------------------


def test_no_job_that_runs_tests_sees_a_secret_or_can_mint_an_oidc_token() -> None:
    """Jobs running pytest or run-all-tests.sh: contents: read only, and no secrets.,
    vars., AWS_ or id-token anywhere in them (nor at workflow level)."""
    workflow = load(CI)
    top = {key: value for key, value in workflow.items() if key != "jobs"}
    for marker in ("secrets.", "id-token", "AWS_"):
        assert marker not in text(top), f"{marker} at workflow level"
    testing = {job_id: job for job_id, job in jobs().items() if runs_tests(job)}
    assert set(testing) == {"test", "test-run"}
    for job_id, job in testing.items():
        assert permissions(job) == {"contents": "read"}, job_id
        for marker in ("secrets.", "vars.", "AWS_", "id-token"):
            assert marker not in text(job), f"{job_id}: {marker}"


def test_only_the_upload_job_has_secrets_and_id_token_write() -> None:
    """The upload job alone: id-token: write, contents: read, and the storage settings."""
    for job_id, job in jobs().items():
        if job_id != "upload":
            assert "secrets." not in text(job) and "id-token" not in text(job), job_id
    upload = jobs()["upload"]
    assert permissions(upload) == {"contents": "read", "id-token": "write"}
    inputs = step_named(upload["steps"], "Upload Test Artifact")["with"]
    assert inputs["role-to-assume"] == "${{ vars.RECORDER_AWS_ROLE_ARN }}"
    assert inputs["aws-access-key-id"] == "${{ secrets.RECORDER_AWS_ACCESS_KEY_ID }}"
    assert inputs["aws-secret-access-key"] == "${{ secrets.RECORDER_AWS_SECRET_ACCESS_KEY }}"
    assert inputs["bucket"] == "${{ vars.RECORDER_BUCKET }}"
    assert inputs["endpoint"] == "${{ vars.RECORDER_ENDPOINT_URL }}"


def test_the_action_assumes_the_role_with_oidc_and_uses_static_keys_only_without_one() -> None:
    """configure-aws-credentials runs only when a role is given; the static keys reach
    the upload only when no role is."""
    configure = step_named(action_steps(), "Configure AWS credentials (OIDC)")
    assert configure["uses"].startswith("aws-actions/configure-aws-credentials@")
    assert configure["with"]["role-to-assume"] == "${{ inputs.role-to-assume }}"
    assert "inputs.role-to-assume != ''" in configure["if"]
    upload = step_named(action_steps(), "Upload")
    assert 'if [[ -z "$RECORDER_ROLE" && -n "$RECORDER_STATIC_KEY_ID" ]]' in upload["run"]
    assert "AWS_" not in text(upload.get("env", {}))


# -- the upload job -----------------------------------------------------------------


def test_upload_job_needs_the_recorded_run_and_runs_when_its_tests_failed() -> None:
    """needs: test-run; runs after success or failure, not after cancelled or skipped."""
    upload = jobs()["upload"]
    needs = upload["needs"]
    assert (needs if isinstance(needs, list) else [needs]) == ["test-run"]
    condition = upload["if"]
    assert evaluate_if(condition, "failure")
    assert evaluate_if(condition, "success")
    assert not evaluate_if(condition, "cancelled")
    assert not evaluate_if(condition, "skipped")


def test_upload_job_runs_no_test_code_and_installs_from_the_checked_out_commit() -> None:
    """Neither the upload job nor the action it runs calls pytest, run-all-tests.sh or
    anything under testing/ or tests/; recorder[upload] is installed (not editable)
    from the action's own directory, which is the checkout of github.sha."""
    upload = jobs()["upload"]
    scripts = [step.get("run", "") for step in upload["steps"] + action_steps()]
    for script in scripts:
        for marker in PROJECT_CODE:
            assert marker not in script, f"{marker!r} in {script[:60]!r}"
    steps = upload["steps"]
    checkout = next(i for i, step in enumerate(steps) if "checkout" in step.get("uses", ""))
    assert steps[checkout]["with"]["ref"] == "${{ github.sha }}"
    uses_action = next(i for i, step in enumerate(steps) if step.get("uses") == "./")
    assert uses_action > checkout
    install = step_named(action_steps(), "Install recorder[upload] from this action's commit")
    assert install["env"]["RECORDER_SOURCE"] == "${{ github.action_path }}"
    assert '"${RECORDER_SOURCE}[upload]"' in install["run"]


def test_upload_job_downloads_what_the_test_job_kept_and_checks_its_digests() -> None:
    """The artifact the test job keeps is the one downloaded; the digests it publishes
    as job outputs are what the action checks."""
    test_run, upload = jobs()["test-run"], jobs()["upload"]
    keep = next(step for step in test_run["steps"] if "upload-artifact" in step.get("uses", ""))
    assert "always()" in keep["if"]
    assert "testing/reports/test-run-results.json" in keep["with"]["path"]
    assert keep["with"]["if-no-files-found"] == "error"
    fetch = next(step for step in upload["steps"] if "download-artifact" in step.get("uses", ""))
    assert fetch["with"]["name"] == keep["with"]["name"]
    assert fetch["with"]["path"] == step_named(upload["steps"],
                                               "Upload Test Artifact")["with"]["directory"]
    assert test_run["outputs"]["document-sha256"] == \
        "${{ steps.digest.outputs.document-sha256 }}"
    inputs = step_named(upload["steps"], "Upload Test Artifact")["with"]
    assert inputs["expected-sha256"] == "${{ needs.test-run.outputs.document-sha256 }}"
    assert inputs["sha256sums"] == "${{ needs.test-run.outputs.sha256sums }}"


def test_remote_setup_actions_are_skipped_under_act() -> None:
    """Every remote `uses:` step, in the workflow and in the action, is guarded by
    !env.ACT so act can run the `run:` steps; the local action (./) runs under act."""
    steps = [step for job in jobs().values() for step in job.get("steps", [])]
    for step in steps + action_steps():
        if "uses" in step and not step["uses"].startswith("./"):
            assert "!env.ACT" in str(step.get("if", "")), step["uses"]


# -- the digest, from the test job to the upload job --------------------------------


def digest_step() -> dict[str, Any]:
    return step_named(jobs()["test-run"]["steps"], "Publish the digests of the test artifacts")


def test_test_job_publishes_the_sha256_of_the_document_and_a_manifest(tmp_path: Path) -> None:
    """The digest step, run with bash: document-sha256 is the document's SHA-256 and the
    manifest lists every file present (the report included, when there)."""
    reports = tmp_path / "testing" / "reports"
    reports.mkdir(parents=True)
    (reports / "test-run-results.json").write_text('{"run_id": "r"}\n', encoding="utf-8")
    (reports / "report.html").write_bytes(b"<!doctype html>")
    step = digest_step()
    output = tmp_path / "output"
    result = run_script(step["run"], tmp_path / step["working-directory"],
                        {"GITHUB_OUTPUT": str(output)})
    assert result.returncode == 0, result.stderr
    published = outputs(output)
    expected = hashlib.sha256((reports / "test-run-results.json").read_bytes()).hexdigest()
    assert published["document-sha256"] == expected
    manifest = published["sha256sums"].splitlines()
    assert manifest == [f"{expected}  test-run-results.json",
                        hashlib.sha256(b"<!doctype html>").hexdigest() + "  report.html"]


def test_no_document_means_no_digest_and_the_upload_job_fails_first(tmp_path: Path) -> None:
    """Without a document the digest step publishes no document-sha256, and the upload
    job's first step then fails (exit 3) naming the test job."""
    reports = tmp_path / "testing" / "reports"
    reports.mkdir(parents=True)
    output = tmp_path / "output"
    result = run_script(digest_step()["run"], reports, {"GITHUB_OUTPUT": str(output)})
    assert result.returncode == 0, result.stderr
    assert "was not generated" in result.stdout
    published = outputs(output) if output.exists() else {}
    assert "document-sha256" not in published
    require = jobs()["upload"]["steps"][0]
    assert require["name"] == "Require the run document"
    assert require["env"]["DOCUMENT_SHA256"] == "${{ needs.test-run.outputs.document-sha256 }}"
    failed = run_script(require["run"], tmp_path,
                        {"DOCUMENT_SHA256": published.get("document-sha256", "")})
    assert failed.returncode == 3
    assert "produced no run document" in failed.stdout
    passed = run_script(require["run"], tmp_path, {"DOCUMENT_SHA256": "ab" * 32})
    assert passed.returncode == 0


def test_the_manifest_check_fails_on_a_changed_file(tmp_path: Path) -> None:
    """The action's manifest step, run with bash: a file changed after the test job
    published its sha256sums fails the step (exit 16); unchanged files pass."""
    (tmp_path / "test-run-results.json").write_text('{"run_id": "r"}\n', encoding="utf-8")
    (tmp_path / "report.html").write_text("<html></html>\n", encoding="utf-8")
    manifest = "\n".join(f"{hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()}  {name}"
                         for name in ("test-run-results.json", "report.html"))
    step = step_named(action_steps(), "Check the files against the published manifest")
    assert step["env"]["SHA256SUMS"] == "${{ inputs.sha256sums }}"
    assert run_script(step["run"], tmp_path, {"SHA256SUMS": manifest}).returncode == 0
    (tmp_path / "report.html").write_text("<html>changed</html>\n", encoding="utf-8")
    changed = run_script(step["run"], tmp_path, {"SHA256SUMS": manifest})
    assert changed.returncode == 16
    assert "is missing or differs from the sha256sums manifest" in changed.stdout


# -- the test environment -----------------------------------------------------------


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


def test_readme_documents_every_input_of_the_action() -> None:
    """Each input of action.yml has a row in README's action table."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The GitHub Action"):]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    for name in load(ACTION)["inputs"]:
        assert any(f"`{name}`" in row.split("|")[1] for row in rows), name
