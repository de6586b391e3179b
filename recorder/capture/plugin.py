"""The pytest plugin: a thin adapter from pytest hooks to recorder events.

Enabled by ``--recorder-db PATH``, the ``RECORDER_DB`` environment variable or the
``recorder_db`` ini option; without one of them it registers nothing and costs
nothing. Each process that runs tests is one event ``source``: ``main`` (or the
shard name), and ``gw0``, ``gw1``, ... for xdist workers. Under xdist the controller
records only the run's start and end; workers record their cases, so nothing is
recorded twice.

This module stays small and imports little, because pytest loads it in every session
of an environment where recorder is installed; the hooks that record live in
:mod:`recorder.capture.session`, imported only when recording is on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from recorder.capture.session import RecordingSession

PLUGIN_NAME = "recorder-session"
suite_properties_plugin = "recorder-suite-properties"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("recorder", "recording test events (recorder)")
    group.addoption("--recorder-db", metavar="PATH", default=None,
                    help="record this run's events into the SQLite database PATH "
                    "(also: RECORDER_DB, ini recorder_db)")
    group.addoption("--recorder-run-id", metavar="ID", default=None,
                    help="run id to record under (default: RECORDER_RUN_ID or a new one)")
    group.addoption("--recorder-project", metavar="NAME", default=None,
                    help="project name stored with the run (default: RECORDER_PROJECT, "
                    "ini recorder_project, or the rootdir's name)")
    group.addoption("--recorder-label", metavar="KEY=VALUE", action="append", default=[],
                    help="attach a label to the run (repeatable)")
    group.addoption("--recorder-shard", metavar="NAME", default=None,
                    help="name of this shard when several processes record one run id")
    parser.addini("recorder_db", "record events into this SQLite database (relative to rootdir)")
    parser.addini("recorder_project", "project name stored with recorded runs")
    parser.addini("recorder_redact", "regular expressions (one a line) whose matches in "
                  "the recorded command line and CI URLs are stored as ***", type="linelist")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """Give ``--recorder-db PATH`` (space form) the rootdir ``--recorder-db=PATH`` gets.

    pytest infers the rootdir from the command line's paths before it loads plugins, so it
    takes the value of an option it does not know yet for a test path: once that database
    exists (the second run), its folder joins the common ancestor, and the rootdir, the
    case ids, the default project and ``--deselect`` matching all change. Here, with every
    plugin's options known and before any conftest loads, the rootdir is worked out again
    from the real paths."""
    namespace = early_config.known_args_namespace
    if not getattr(namespace, "recorder_db", None):
        return
    from recorder.capture.rootdir import redetermine_rootdir  # only when recording

    redetermine_rootdir(early_config)


def _database_path(config: pytest.Config) -> Path | None:
    option = config.getoption("recorder_db") or os.environ.get("RECORDER_DB")
    if option:
        return Path(option).absolute()
    ini = config.getini("recorder_db")
    if ini:
        return (config.rootpath / str(ini)).absolute()
    return None


def pytest_configure(config: pytest.Config) -> None:
    """Start recording if a database is named; otherwise load nothing more."""
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is not None:
        if "recorder_db" not in workerinput:
            return
        path = Path(workerinput["recorder_db"])
        run_id = workerinput["recorder_run_id"]
        shard = workerinput.get("recorder_shard")
        source = f"{shard}/{workerinput['workerid']}" if shard else workerinput["workerid"]
        role = "worker"
        new_run = False  # a restarted worker may continue its source's sequence
        stamp = workerinput.get("recorder_stamp")  # the run's start, from the controller
    else:
        found = _database_path(config)
        if found is None:
            return
        from recorder.store.emitter import new_run_id

        path = found
        given = config.getoption("recorder_run_id") or os.environ.get("RECORDER_RUN_ID")
        new_run = not given
        run_id = given or new_run_id()
        shard = config.getoption("recorder_shard")
        source = shard or "main"
        distributed = config.pluginmanager.hasplugin("xdist") and \
            config.getoption("dist", "no") != "no"
        role = "controller" if distributed else "single"
        stamp = None  # now
    from recorder.capture import suite_properties
    from recorder.capture.session import start_session  # only now: recording is on

    session = start_session(config, path, run_id, source, role, shard, new_run, stamp)
    config.pluginmanager.register(session, PLUGIN_NAME)
    config.pluginmanager.register(suite_properties, suite_properties.PLUGIN_NAME)
    config.stash[_session_key] = session


_session_key: pytest.StashKey[RecordingSession] = pytest.StashKey()


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(_session_key, None)
    if session is not None:
        session.close()
        config.pluginmanager.unregister(session, PLUGIN_NAME)
        config.pluginmanager.unregister(name=suite_properties_plugin)
        del config.stash[_session_key]
