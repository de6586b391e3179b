"""How much text an event keeps, in one place: captured output, tracebacks and failure
messages are bounded (head and tail around a marker), and anything that cannot be
turned into a string becomes ``repr()`` or a placeholder instead of crashing the run.
Pure and import-light: :mod:`recorder.capture.steps` uses it inside user code."""

from __future__ import annotations

#: Captured stdout, stderr and log are kept up to this many characters per phase;
#: longer output keeps its head and tail around a marker.
CAPTURE_LIMIT = 64 * 1024
#: Tracebacks are kept up to this many characters, the same way.
TRACEBACK_LIMIT = 32 * 1024
#: Failure messages (of tests and of steps) are kept up to this many characters.
MESSAGE_LIMIT = 8 * 1024


def bound(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, keeping head and tail around a marker."""
    if len(text) <= limit:
        return text
    half = limit // 2
    cut = len(text) - 2 * half
    return f"{text[:half]}\n... [recorder: {cut} characters cut] ...\n{text[-half:]}"


def safe_str(value: object) -> str:
    try:
        return str(value)
    except Exception:  # an object whose __str__ raises must not crash the run
        try:
            return repr(value)
        except Exception:
            return f"<unprintable {type(value).__name__}>"
