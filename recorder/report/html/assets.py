"""The page's inlined assets: BokehJS (the charting library, from the ``bokeh`` wheel
of the ``report`` extra), and the report's own stylesheet and script (package data).
Read once per process; nothing is ever fetched."""

from __future__ import annotations

import functools
from importlib import resources

from recorder.errors import MissingReportExtraError

#: The BokehJS bundles the report needs: the core library and its plotting API.
BOKEH_BUNDLES = ("bokeh.min.js", "bokeh-api.min.js")


@functools.cache
def bokeh_js() -> str:
    """BokehJS, as shipped in the installed ``bokeh`` package."""
    try:
        static = resources.files("bokeh") / "server" / "static" / "js"
        return "\n".join((static / name).read_text(encoding="utf-8") for name in BOKEH_BUNDLES)
    except (ModuleNotFoundError, FileNotFoundError) as error:
        raise MissingReportExtraError(
            "the HTML report needs the charting library bokeh: pip install 'recorder[report]'"
        ) from error


@functools.cache
def own_asset(name: str) -> str:
    """``report.css`` or ``report.js``, shipped beside this module."""
    return (resources.files(__package__) / name).read_text(encoding="utf-8")
