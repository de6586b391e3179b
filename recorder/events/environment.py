"""Where a run happened: host, OS, Python, git commit and branch, CI job."""

from __future__ import annotations

import functools
import os
import platform
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recorder.events import payloads
from recorder.redaction import redact_text

if TYPE_CHECKING:  # built only on request: a recording process stores plain data
    from recorder.events.model import CIInfo, Environment, GitInfo

GIT_TIMEOUT_SECONDS = 3


def detect_environment(
    cwd: Path | None = None, env: Mapping[str, str] | None = None,
    redact: Callable[[str], str] = redact_text,
) -> Environment:
    """Where this process runs; ``redact`` scrubs secrets from the CI job's URL (a
    ``GITHUB_SERVER_URL`` with ``user:token@`` in it)."""
    from recorder.events.model import CIInfo, Environment, GitInfo

    data = environment_data(cwd, env, redact)
    return Environment(**{**data, "git": GitInfo(**data["git"]), "ci": CIInfo(**data["ci"])})


def environment_data(
    cwd: Path | None = None, env: Mapping[str, str] | None = None,
    redact: Callable[[str], str] = redact_text,
) -> dict[str, Any]:
    """:func:`detect_environment` as plain data (how the model's ``Environment`` is
    stored, :func:`recorder.events.payloads.environment`), without attrs."""
    env = os.environ if env is None else env
    ci = _ci_data(env)
    if ci["url"] is not None:
        ci["url"] = redact(ci["url"])
    processor = _start_processor_query()  # runs beside git status
    git = _git_data(cwd, env)
    _finish_processor_query(processor)
    return payloads.environment(
        host=socket.gethostname(),
        os=platform.platform(),
        python=platform.python_version(),
        python_implementation=platform.python_implementation(),
        git=git,
        ci=ci,
    )


def _start_processor_query() -> subprocess.Popen[str] | None:
    """``platform.platform()`` runs ``uname -p`` for the processor's name (on Linux, its
    first use of ``platform.uname().processor``), a process start as dear as git's:
    start the same command now, to run beside ``git status``. None where platform would
    not run it (another system, the value known already, a Python that finds it
    otherwise): then ``platform.platform()`` does what it always does."""
    processor = getattr(platform, "_Processor", None)
    uname = platform.uname()
    if (processor is None or hasattr(processor, f"get_{sys.platform}")
            or not isinstance(type(uname).__dict__.get("processor"), functools.cached_property)
            or "processor" in vars(uname)):
        return None
    try:
        return subprocess.Popen(["uname", "-p"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, encoding="utf8")
    except OSError:
        return None


def _finish_processor_query(query: subprocess.Popen[str] | None) -> None:
    """Give ``platform.uname().processor`` the value platform itself would have found
    with the same command (its ``_Processor.from_subprocess``, then ``or ''`` and
    ``unknown`` as blank), so ``platform.platform()`` writes the very same text."""
    if query is None:
        return
    try:
        output, _ = query.communicate(timeout=GIT_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        query.kill()
        query.communicate()
        return  # platform asks again itself
    value = output.strip() if query.returncode == 0 else None
    value = value or ""
    vars(platform.uname())["processor"] = "" if value == "unknown" else value


def detect_ci(env: Mapping[str, str]) -> CIInfo:
    from recorder.events.model import CIInfo

    return CIInfo(**_ci_data(env))


def _ci_data(env: Mapping[str, str]) -> dict[str, Any]:
    ci = payloads.ci_info
    if env.get("GITHUB_ACTIONS") == "true":
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        repository, run_id = env.get("GITHUB_REPOSITORY"), env.get("GITHUB_RUN_ID")
        url = f"{server}/{repository}/actions/runs/{run_id}" if repository and run_id else None
        return ci(provider="github-actions", run_id=run_id, job=env.get("GITHUB_JOB"), url=url)
    if env.get("GITLAB_CI"):
        return ci(provider="gitlab-ci", run_id=env.get("CI_PIPELINE_ID"),
                  job=env.get("CI_JOB_NAME"), url=env.get("CI_JOB_URL"))
    if env.get("BUILDKITE"):
        return ci(provider="buildkite", run_id=env.get("BUILDKITE_BUILD_ID"),
                  job=env.get("BUILDKITE_LABEL"), url=env.get("BUILDKITE_BUILD_URL"))
    if env.get("JENKINS_URL"):
        return ci(provider="jenkins", run_id=env.get("BUILD_ID"), job=env.get("JOB_NAME"),
                  url=env.get("BUILD_URL"))
    if env.get("CI"):
        return ci(provider="unknown")
    return ci()


def detect_git(cwd: Path | None, env: Mapping[str, str]) -> GitInfo:
    from recorder.events.model import GitInfo

    return GitInfo(**_git_data(cwd, env))


def _git_data(cwd: Path | None, env: Mapping[str, str]) -> dict[str, Any]:
    """The commit, branch and whether tracked files changed, from one ``git status``
    (a process start is the costliest part of a recording's start-up)."""
    status = _git(cwd, "status", "--porcelain=v2", "--branch", "--untracked-files=no")
    headers: dict[str, str] = {}
    changed = False
    for line in (status or "").splitlines():
        if line.startswith("# "):
            key, _, value = line[2:].partition(" ")
            headers[key] = value
        elif line:
            changed = True
    born = headers.get("branch.oid", "(initial)") != "(initial)"  # a repository's 1st commit
    commit = (env.get("GITHUB_SHA") or env.get("CI_COMMIT_SHA")
              or (headers["branch.oid"] if born else None))
    head = headers.get("branch.head") if born else None
    branch = (
        env.get("GITHUB_HEAD_REF")
        or env.get("GITHUB_REF_NAME")
        or env.get("CI_COMMIT_REF_NAME")
        or (None if head == "(detached)" else head)
    )
    if branch == "HEAD":
        branch = None
    dirty = None if status is None else changed
    return payloads.git_info(commit=commit or None, branch=branch or None, dirty=dirty)


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
