"""recorder: an event-sourced test-results recorder.

Test code uses :func:`step` to record named, nestable steps::

    import recorder

    with recorder.step("log in"):
        ...

Without recording enabled, ``step`` is a cheap no-op.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy knows it)

__version__ = "0.1.0"

__all__ = ["__version__", "step"]

if TYPE_CHECKING:
    from recorder.capture.steps import step


def __getattr__(name: str) -> object:
    # ``recorder.step`` loads the steps module (and the event vocabulary) on first use,
    # so ``import recorder`` (the CLI, the plugin) stays cheap.
    if name == "step":
        from recorder.capture.steps import step

        return step
    raise AttributeError(f"module 'recorder' has no attribute {name!r}")
