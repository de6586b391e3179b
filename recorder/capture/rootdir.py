"""The rootdir pytest would have chosen had it known ``--recorder-db`` takes a value.

pytest works out the rootdir (and the ini file) from the command line's positional paths
in its first parse, before plugins and their options are loaded; ``--recorder-db PATH``
then reads as the option ``--recorder-db`` and the test path ``PATH``. A path that does not
exist is ignored, so the first run gets the right rootdir and the second, once the
database exists, gets the common ancestor of the tests and the database. This module
redoes pytest's own inference (``determine_setup``) with the paths pytest will really
collect, and only replaces the result when it differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def redetermine_rootdir(config: pytest.Config) -> None:
    namespace = config.known_args_namespace
    database = Path(namespace.recorder_db).absolute()
    try:
        from _pytest.config.findpaths import determine_setup

        rootpath, inipath, inicfg, ignored = determine_setup(
            inifile=namespace.inifilename,
            override_ini=namespace.override_ini,
            args=list(namespace.file_or_dir),
            rootdir_cmd_arg=namespace.rootdir or None,
            invocation_dir=config.invocation_params.dir,
        )
    except (ImportError, TypeError, ValueError):  # another pytest's internals: keep its choice
        return
    if rootpath == config.rootpath or not _only_the_database_moved_it(config, database):
        return
    old_confcutdir = str(config.inipath.parent if config.inipath else config.rootpath)
    settings: dict[str, Any] = {"_rootpath": rootpath, "_inipath": inipath,
                                "_inicfg": inicfg, "_ignored_config_files": ignored}
    if not all(hasattr(config, name) for name in settings):
        return
    for name, value in settings.items():
        setattr(config, name, value)
    config._inicache.clear()
    config._parser.extra_info["rootdir"] = str(rootpath)
    config._parser.extra_info["inifile"] = str(inipath)
    if namespace.confcutdir == old_confcutdir:  # pytest derived it from the wrong rootdir
        namespace.confcutdir = str(inipath.parent if inipath else rootpath)


def _only_the_database_moved_it(config: pytest.Config, database: Path) -> bool:
    """The database's path is among the command line's arguments, as a path of its own."""
    for arg in config.invocation_params.args:
        if Path(str(arg)).absolute() == database:
            return True
    return False
