"""Where case rows live, and which files a reader takes. Pure: paths in, paths out.

Under a history root (a local folder, or ``s3://bucket/prefix``):

- ``cases/project=P/date=D/<run_id>.parquet``: one file per run, written once by
  ``recorder upload`` beside the run's document (which stays under
  ``project=P/date=D/run_id=R/``). Each format has its own root because Spark reads
  every file under a directory. Partition keys are in the path only.
- ``cases-compacted/project=P/date=D/runs-<N>-<digest>.parquet``: one file per day
  written by ``recorder history compact``, holding the rows of the N runs whose per-run
  files were there when it ran; ``digest`` is :func:`runs_digest` of their ids.

A reader takes a day's compacted file when its digest equals the digest of the per-run
files there now, and otherwise that day's per-run files: a run uploaded to a day after
it was compacted changes the day's digest, so the day is read per run (every run exactly
once) until the next compaction covers it. Nothing is ever deleted or overwritten."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date
from urllib.parse import quote, unquote

import attrs

CASES_ROOT = "cases"
COMPACTED_ROOT = "cases-compacted"
SUFFIX = ".parquet"

_RUN_FILE = re.compile(r"^project=(?P<project>[^/]+)/date=(?P<date>\d{4}-\d{2}-\d{2})/"
                       r"(?P<name>[^/]+)\.parquet$")
_COMPACTED_NAME = re.compile(r"^runs-(?P<count>\d+)-(?P<digest>[0-9a-f]{16})$")


def partition_value(value: str) -> str:
    """Escape what would break a ``name=value`` path segment (the same escaping as the
    document keys that ``recorder upload`` writes)."""
    return quote(value, safe="._-~+@:,")


def day_folder(project: str, day: str) -> str:
    return f"project={partition_value(project)}/date={day}"


def run_file(project: str, day: str, run_id: str) -> str:
    """The per-run file's path below the history root."""
    return f"{CASES_ROOT}/{day_folder(project, day)}/{partition_value(run_id)}{SUFFIX}"


def runs_digest(run_ids: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(run_ids)).encode("utf-8")).hexdigest()[:16]


def compacted_file(project: str, day: str, run_ids: Iterable[str]) -> str:
    ids = sorted(run_ids)
    return (f"{COMPACTED_ROOT}/{day_folder(project, day)}/"
            f"runs-{len(ids)}-{runs_digest(ids)}{SUFFIX}")


@attrs.frozen
class Day:
    """One (project, date) partition: its per-run files and compacted files."""

    project: str
    date: str
    runs: dict[str, str] = attrs.field(factory=dict)       # run id -> path
    compacted: dict[str, str] = attrs.field(factory=dict)  # digest -> path

    def current_compacted(self) -> str | None:
        """The compacted file that holds exactly today's per-run files, if any."""
        if not self.runs:
            return None
        return self.compacted.get(runs_digest(self.runs))

    def files(self) -> list[str]:
        """What a reader takes for this day: the current compacted file, else every
        per-run file (and, with no per-run file at all, the largest compacted one)."""
        current = self.current_compacted()
        if current is not None:
            return [current]
        if self.runs:
            return sorted(self.runs.values())
        if self.compacted:
            return [max(self.compacted.values(), key=_compacted_count)]
        return []


def _compacted_count(path: str) -> tuple[int, str]:
    match = _COMPACTED_NAME.match(path.rsplit("/", 1)[-1].removesuffix(SUFFIX))
    return (int(match["count"]) if match else 0, path)


def group_days(paths: Iterable[str]) -> dict[tuple[str, str], Day]:
    """Sort the paths found below a history root into days; others are ignored."""
    found: dict[tuple[str, str], Day] = {}
    for path in paths:
        root, _, rest = path.partition("/")
        match = _RUN_FILE.match(rest)
        if root not in (CASES_ROOT, COMPACTED_ROOT) or match is None:
            continue
        key = (unquote(match["project"]), match["date"])
        day = found.get(key)
        if day is None:
            day = found[key] = Day(project=key[0], date=key[1])
        name = unquote(match["name"])
        if root == CASES_ROOT:
            day.runs[name] = path
        else:
            compacted = _COMPACTED_NAME.match(match["name"])
            if compacted is not None:
                day.compacted[compacted["digest"]] = path
    return found


def select_days(days: dict[tuple[str, str], Day], *, project: str | None,
                since: date | None) -> list[Day]:
    """The days of ``project`` (any, when None) from ``since`` on, oldest first."""
    chosen = [day for (name, when), day in days.items()
              if (project is None or name == project)
              and (since is None or when >= since.isoformat())]
    return sorted(chosen, key=lambda day: (day.project, day.date))
