"""The one exception every export failure is reported as."""

from __future__ import annotations


class ExportError(Exception):
    """An export failed. The message is one line, fit to show to a user."""


def one_line(exc: BaseException) -> str:
    """``exc`` as a single line of at most 300 characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
