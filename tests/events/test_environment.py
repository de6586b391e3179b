"""Git facts for the run's environment, from one ``git status`` call: the same facts the
three separate git calls gave (``rev-parse HEAD``, ``rev-parse --abbrev-ref HEAD``,
``status --porcelain``), in every state a checkout can be in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from recorder.events.environment import detect_git
from recorder.events.model import GitInfo

GIT_ENV = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.invalid",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent", "PATH": "/usr/bin:/bin"}


def git(cwd: Path, *args: str) -> str | None:
    completed = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                               env=GIT_ENV, check=False)
    return completed.stdout.strip() if completed.returncode == 0 else None


def three_calls(cwd: Path) -> GitInfo:
    """How the facts were gathered before: a reference to hold the one call to."""
    commit = git(cwd, "rev-parse", "HEAD")
    branch = git(cwd, "rev-parse", "--abbrev-ref", "HEAD")
    status = git(cwd, "status", "--porcelain", "--untracked-files=no")
    return GitInfo(commit=commit or None, branch=None if branch == "HEAD" else branch or None,
                   dirty=None if status is None else bool(status))


def commit(repo: Path, name: str = "f") -> None:
    (repo / name).write_text(name)
    git(repo, "add", name)
    git(repo, "commit", "-qm", name)


def init(repo: Path) -> None:
    git(repo, "init", "-q", "-b", "feature/x")


def unborn(repo: Path) -> None:
    init(repo)
    (repo / "staged").write_text("s")
    git(repo, "add", "staged")


def clean(repo: Path) -> None:
    init(repo)
    commit(repo)
    (repo / "untracked").write_text("u")  # untracked files do not make a checkout dirty


def dirty(repo: Path) -> None:
    clean(repo)
    (repo / "f").write_text("changed")


def detached(repo: Path) -> None:
    clean(repo)
    commit(repo, "g")
    git(repo, "checkout", "-q", "HEAD~1")


STATES = {"not a repository": (lambda repo: None, None, None),
          "unborn": (unborn, None, True), "clean": (clean, "feature/x", False),
          "dirty": (dirty, "feature/x", True), "detached": (detached, None, False)}


@pytest.mark.parametrize("name", STATES)
def test_one_git_call_finds_what_three_did(tmp_path: Path, name: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    state, branch, is_dirty = STATES[name]
    state(tmp_path)
    expected = three_calls(tmp_path)
    assert (expected.branch, expected.dirty) == (branch, is_dirty)  # the state is as named
    assert detect_git(tmp_path, {}) == expected


def test_the_ci_environment_names_commit_and_branch(tmp_path: Path) -> None:
    env = {"GITHUB_SHA": "abc", "GITHUB_REF_NAME": "main"}
    assert detect_git(tmp_path, env) == GitInfo(commit="abc", branch="main", dirty=None)


def test_the_os_text_is_what_platform_writes_with_uname_run_beside_git() -> None:
    """``environment_data`` runs ``uname -p`` (for platform's processor name) beside
    ``git status`` and hands its result to platform: the os text is what a fresh
    ``platform.platform()`` writes, and the processor what platform finds itself."""
    plain = subprocess.run(
        [sys.executable, "-c", "import platform\nprint(platform.platform())\n"
         "print(repr(platform.uname().processor))"],
        capture_output=True, text=True, check=True).stdout
    ours = subprocess.run(
        [sys.executable, "-c", "import platform\n"
         "from recorder.events.environment import environment_data\n"
         "print(environment_data()['os'])\nprint(repr(platform.uname().processor))"],
        capture_output=True, text=True, check=True).stdout
    assert ours == plain
