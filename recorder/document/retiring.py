"""A fold that keeps only the cases still in play: each finished case is rendered into
its on-disk form once enough other cases have finished after it, handed away (the
exporter spools its bytes out of memory), and its state dropped; only its status,
duration, suite and the handle it was given are kept.

A case is retired only when no event has named it for a while (``window`` cases
finished since). Should an event name a retired case after all (a step a thread ended
late, a crash report that came long after), its rendering may be out of date: the
fold then says so (:attr:`RetiringProjection.stale`) and the caller folds the run again
the ordinary way. Pure, like the projector: what is done with a retired case is up to
the ``retire`` and ``fetch`` callbacks."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from sys import intern
from typing import Any

from recorder.document import Document
from recorder.document.compact_view import compact_case_view
from recorder.document.projector import DocumentParts, RunProjection
from recorder.document.records import Attempt

#: How many finished cases stay in memory before the oldest is retired.
WINDOW = 2_000


class RetiringProjection(RunProjection):
    """:class:`RunProjection` that retires finished cases (see the module).

    ``retire(case)`` gets a case in its on-disk form and returns a handle to it;
    ``fetch(handle)`` gives back what to put in the suite's ``cases`` for it when the
    document is written (say, the spooled bytes as an ``orjson.Fragment``)."""

    def __init__(self, live_sources: Iterable[str] = (), *, retire: Callable[[Document], Any],
                 fetch: Callable[[Any], Any], window: int = WINDOW) -> None:
        super().__init__(live_sources)
        self._retire = retire
        self._fetch = fetch
        self._window = window
        # Finished cases not yet retired, oldest first (an OrderedDict: taking the oldest
        # from a plain dict scans past every key deleted before it).
        self._finished: OrderedDict[str, None] = OrderedDict()
        self._retired: dict[str, tuple[str, float, str, Any]] = {}
        #: An event named a retired case: fold the run again without retiring.
        self.stale = False

    def _attempt(self, case_id: str, number: int, source: str) -> Attempt:
        # RunProjection._attempt, inline: this runs for nearly every event. A case still
        # in play may be among the finished ones; a case not in play may be retired.
        attempts = self._cases.get(case_id)
        if attempts is None:
            if case_id in self._retired:
                self.stale = True
            attempts = self._cases[intern(case_id)] = {}
        elif case_id in self._finished:
            del self._finished[case_id]  # in play again
        attempt = attempts.get((number, source))
        if attempt is None:
            attempt = attempts[(number, source)] = Attempt(number, source)
        return attempt

    def _touch(self, case_id: str) -> None:
        if case_id in self._finished:
            del self._finished[case_id]
        elif case_id in self._retired:
            self.stale = True

    def _case_done(self, case_id: str) -> None:
        finished = self._finished
        finished.pop(case_id, None)
        finished[intern(case_id)] = None  # the very key of the case's state
        if len(finished) > self._window:
            oldest = finished.popitem(last=False)[0]
            status, duration, suite = RunProjection._case_outline(self, oldest)  # not retired
            case = compact_case_view(oldest, status, duration, suite, self._cases.get(oldest),
                                     self._crashes.get(oldest))
            self._retired[oldest] = (status, duration, suite, self._retire(case))
            # (one small tuple per case is what stays in memory)
            del self._cases[oldest]

    def _case_ids(self) -> set[str]:
        return super()._case_ids() | self._retired.keys()

    def _case_outline(self, case_id: str) -> tuple[str, float, str]:
        retired = self._retired.get(case_id)
        if retired is not None:
            return retired[0], retired[1], retired[2]
        return super()._case_outline(case_id)

    def _case_renderer(self, on_disk: bool) -> Callable[[str, str, float, str], Any]:
        render = super()._case_renderer(on_disk)
        retired, fetch = self._retired, self._fetch

        def rendered(case_id: str, status: str, duration: float, suite: str) -> Any:
            found = retired.get(case_id)
            return fetch(found[3]) if found is not None else render(case_id, status, duration,
                                                                    suite)

        return rendered

    def document_parts(self, *, on_disk: bool = False) -> DocumentParts:
        if self._retired and not on_disk:
            raise ValueError("retired cases exist in the on-disk form only")
        return super().document_parts(on_disk=on_disk)
