"""``record_testsuite_property`` recorded even without ``--junit-xml``.

pytest's own fixture is a no-op unless junitxml is on; this plugin, registered only while
recording, overrides it, calls the original (so junitxml still gets the value) and emits
the pair as a ``property.recorded`` event."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from recorder.events.bounds import MESSAGE_LIMIT, bound, safe_str
from recorder.events.payloads import PROPERTY_RECORDED

PLUGIN_NAME = "recorder-suite-properties"
SESSION_PLUGIN_NAME = "recorder-session"


@pytest.fixture(scope="session")
def record_testsuite_property(
    request: pytest.FixtureRequest, record_testsuite_property: Callable[[str, object], None]
) -> Callable[[str, object], None]:
    original = record_testsuite_property
    session = request.config.pluginmanager.get_plugin(SESSION_PLUGIN_NAME)

    def record(name: str, value: object) -> None:
        __tracebackhide__ = True
        original(name, value)  # checks the name's type, as pytest does
        if session is not None:
            session.emitter.emit_payloads((PROPERTY_RECORDED, PROPERTY_RECORDED(
                name=safe_str(name), value=bound(safe_str(value), MESSAGE_LIMIT))))

    return record
