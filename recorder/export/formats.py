"""The formats ``recorder export`` writes: one entry each in :data:`FORMATS`.

A format turns the folded document, in its streaming parts, into the bytes of one
file. ``check(suite, index)`` must see every suite before it is written (the exporter
validates each against the run schema there), so a format that needs the whole
document first still calls it as it collects the suites.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from recorder.document import Document
from recorder.errors import UsageError

if TYPE_CHECKING:  # the renderers load when a file is written, not for --help
    from recorder.document.projector import DocumentParts

SuiteCheck = Callable[[Document, int], None]
#: ``render(parts, check, compact) -> chunks of the file``
Render = Callable[["DocumentParts", SuiteCheck, bool], Iterator[bytes]]


class ExportFormat(NamedTuple):
    name: str
    summary: str
    default_out: Path
    render: Render
    compactable: bool = False


def _checked(parts: DocumentParts, check: SuiteCheck) -> Iterator[Document]:
    for index, suite in enumerate(parts.suites):
        check(suite, index)
        yield suite


def _render_json(parts: DocumentParts, check: SuiteCheck, compact: bool) -> Iterator[bytes]:
    import attrs

    from recorder.document.shape import compact_suite
    from recorder.export.rendering import iter_json

    # Only the file is compacted (in memory the document stays in the full form), and
    # the schema check sees each suite as it is written.
    on_disk = parts if parts.on_disk else attrs.evolve(
        parts, suites=map(compact_suite, parts.suites), on_disk=True)
    return iter_json(on_disk, on_suite=check, compact=compact)


def _render_ctrf(parts: DocumentParts, check: SuiteCheck, compact: bool) -> Iterator[bytes]:
    import orjson

    from recorder.export.ctrf import ctrf_report

    document = {**parts.head, "suites": list(_checked(parts, check)), **parts.tail}
    option = 0 if compact else orjson.OPT_INDENT_2
    yield orjson.dumps(ctrf_report(document), option=option) + b"\n"


def _render_junit(parts: DocumentParts, check: SuiteCheck, compact: bool) -> Iterator[bytes]:
    from recorder.export.junit_xml import iter_junit_xml

    return iter_junit_xml(parts.head, _checked(parts, check))


FORMATS: dict[str, ExportFormat] = {
    entry.name: entry
    for entry in (
        ExportFormat("json", "the run document (schemas/run.schema.json)",
                     Path("testing/reports/test-run-results.json"), _render_json,
                     compactable=True),
        ExportFormat("ctrf", "a CTRF report (Common Test Report Format)",
                     Path("testing/reports/ctrf-report.json"), _render_ctrf, compactable=True),
        ExportFormat("junit", "JUnit XML (Jenkins junit-10.xsd, Surefire reruns)",
                     Path("testing/reports/junit.xml"), _render_junit),
    )
}


def export_format(name: str, *, compact: bool = False) -> ExportFormat:
    """The format called ``name``; refuse unknown names and ``compact`` where it
    means nothing."""
    found = FORMATS.get(name)
    if found is None:
        raise UsageError(f"unknown export format {name!r}: choose one of "
                         f"{', '.join(FORMATS)}")
    if compact and not found.compactable:
        usable = ", ".join(f.name for f in FORMATS.values() if f.compactable)
        raise UsageError(f"--compact does not apply to --format {name}: drop it, or use "
                         f"--format {usable}")
    return found
