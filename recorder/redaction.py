"""Keeping secrets out of what the recorder stores and prints.

Two rules, applied where text that may carry a secret enters (the command line and CI
URLs at ``run.started``, error messages that quote a URL):

- **By name**: the value of an option or ``NAME=VALUE`` argument whose name looks
  secret (it contains password, passwd, pwd, token, secret, key, credential or auth)
  becomes :data:`REDACTED`: ``--db-password=hunter2``, ``--api-token ghp_...``,
  ``-o aws_secret=...``.
- **By shape**: anything that looks like a known credential, wherever it appears: the
  ``user:password@`` part of a URL, GitHub tokens (``ghp_``, ``gho_``, ``ghu_``,
  ``ghs_``, ``ghr_``, ``github_pat_``), AWS access key ids (``AKIA...``, ``ASIA...``),
  Slack tokens (``xox?-...``) and JSON Web Tokens; plus any regular expression the user
  adds (the ``recorder_redact`` ini option).

Import-light (``re`` only), so every layer may use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

REDACTED = "***"

_SECRET_NAME = re.compile(r"password|passwd|pwd|token|secret|key|credential|auth", re.I)

_SECRET_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:password@host or scheme://token@host: the whole user part goes
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@]+@"), rf"\g<1>{REDACTED}@"),
    (re.compile(r"\b(?:gh[pousr]_|github_pat_)[A-Za-z0-9_]{4,}"), REDACTED),
    (re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"), REDACTED),
    (re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{8,}"), REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), REDACTED),
)


class Redactor:
    """The rules above, plus the user's own ``patterns`` (regular expressions)."""

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.extra = tuple(re.compile(pattern) for pattern in patterns)

    def text(self, text: str) -> str:
        """``text`` with every secret-shaped part replaced by :data:`REDACTED`."""
        for pattern, replacement in _SECRET_SHAPES:
            text = pattern.sub(replacement, text)
        for pattern in self.extra:
            text = pattern.sub(REDACTED, text)
        return text

    def arguments(self, arguments: Sequence[str]) -> list[str]:
        """A command line with the values of secret-named options redacted, and every
        argument redacted by shape."""
        redacted: list[str] = []
        value_is_secret = False
        for argument in arguments:
            if value_is_secret and not argument.startswith("-"):
                redacted.append(REDACTED)
                value_is_secret = False
                continue
            value_is_secret = False
            name, equals, _ = argument.partition("=")
            if equals and looks_secret(name):
                redacted.append(f"{name}={REDACTED}")
                continue
            if argument.startswith("-") and looks_secret(argument):
                value_is_secret = True  # ``--api-token VALUE``: the next argument
            redacted.append(self.text(argument))
        return redacted

    def mapping_value(self, name: str, value: str) -> str:
        """``value`` stored under ``name`` (a label): redacted if the name looks secret."""
        return REDACTED if looks_secret(name) else self.text(value)


def looks_secret(name: str) -> bool:
    """Whether an option or variable called ``name`` probably holds a secret."""
    return _SECRET_NAME.search(name) is not None


#: The rules without user patterns: for error messages and other places with no ini.
DEFAULT = Redactor()


def redact_text(text: str) -> str:
    """``text`` redacted by shape with the built-in rules (see :class:`Redactor`)."""
    return DEFAULT.text(text)
