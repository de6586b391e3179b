"""recorder: an event-sourced test-results recorder.

Test code uses :func:`step` to record named, nestable steps::

    import recorder

    with recorder.step("log in"):
        ...

Without recording enabled, ``step`` is a cheap no-op.
"""

from recorder.capture.steps import step

__version__ = "0.1.0"

__all__ = ["__version__", "step"]
