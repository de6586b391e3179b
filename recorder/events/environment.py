"""Where a run happened: host, OS, Python, git commit and branch, CI job."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
from collections.abc import Mapping
from pathlib import Path

from recorder.events.model import CIInfo, Environment, GitInfo

GIT_TIMEOUT_SECONDS = 3


def detect_environment(
    cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Environment:
    env = os.environ if env is None else env
    return Environment(
        host=socket.gethostname(),
        os=platform.platform(),
        python=platform.python_version(),
        python_implementation=platform.python_implementation(),
        git=detect_git(cwd, env),
        ci=detect_ci(env),
    )


def detect_ci(env: Mapping[str, str]) -> CIInfo:
    if env.get("GITHUB_ACTIONS") == "true":
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        repository, run_id = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
        url = f"{server}/{repository}/actions/runs/{run_id}" if repository and run_id else None
        return CIInfo(provider="github-actions", run_id=run_id, job=env.get("GITHUB_JOB"), url=url)
    if env.get("GITLAB_CI"):
        return CIInfo(provider="gitlab-ci", run_id=env.get("CI_PIPELINE_ID"),
                      job=env.get("CI_JOB_NAME"), url=env.get("CI_JOB_URL"))
    if env.get("BUILDKITE"):
        return CIInfo(provider="buildkite", run_id=env.get("BUILDKITE_BUILD_ID"),
                      job=env.get("BUILDKITE_LABEL"), url=env.get("BUILDKITE_BUILD_URL"))
    if env.get("JENKINS_URL"):
        return CIInfo(provider="jenkins", run_id=env.get("BUILD_ID"), job=env.get("JOB_NAME"),
                      url=env.get("BUILD_URL"))
    if env.get("CI"):
        return CIInfo(provider="unknown")
    return CIInfo()


def detect_git(cwd: Path | None, env: Mapping[str, str]) -> GitInfo:
    commit = env.get("GITHUB_SHA") or env.get("CI_COMMIT_SHA") or _git(cwd, "rev-parse", "HEAD")
    branch = (
        env.get("GITHUB_HEAD_REF")
        or env.get("GITHUB_REF_NAME")
        or env.get("CI_COMMIT_REF_NAME")
        or _git(cwd, "rev-parse", "--abbrev-ref", "HEAD")
    )
    if branch == "HEAD":
        branch = None
    status = _git(cwd, "status", "--porcelain", "--untracked-files=no")
    dirty = None if status is None else bool(status)
    return GitInfo(commit=commit or None, branch=branch or None, dirty=dirty)


def _git(cwd: Path | None, *args: str) -> str | None:
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True,
            timeout=GIT_TIMEOUT_SECONDS, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout.strip()
