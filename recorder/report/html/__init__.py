"""The self-contained HTML report: one file, no network, the same bytes for the same
input. :func:`render_report` takes a run document (and optionally a
:class:`HistoryView` of the answers ``recorder history`` gives) and returns the page."""

from recorder.report.html.history_view import HistoryView
from recorder.report.html.page import render_report

__all__ = ["HistoryView", "render_report"]
