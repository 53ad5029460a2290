"""Make data text safe to show in plotly figures.

plotly.js renders a small HTML subset in every text it draws (trace names, legend,
titles, annotations, hover): ``<br>``, ``<b>``, ``<a href=...>`` and more, and hands
``$...$`` to MathJax when the page has it, where ``$\\href{javascript:...}{x}$`` still
makes a live link (plotly.js PR #8051). Every piece of *data* text (names, labels,
sources, hover values) must go through :func:`plain_text` before it reaches a figure.
The only markup we add ourselves is ``<br>`` between caption lines and the
``<extra></extra>`` of our own hover templates.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["cut", "markdown_literal", "plain_text"]

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}
_SPECIAL = re.compile(r"[&<>$]")


def cut(text: Any, limit: int) -> str:
    """``text`` on one line (runs of white space as one space), cut to ``limit`` characters
    with "…" when longer."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def plain_text(s: Any) -> str:
    """Return ``s`` as text that plotly shows literally.

    ``&``, ``<`` and ``>`` become HTML entities and ``$`` becomes ``&#36;``. plotly.js
    decodes these entities only when it draws the text, after its markup and TeX
    detection, so the reader sees the original characters and nothing is
    interpreted. Line breaks, tabs and other control characters become spaces.
    ``None`` becomes the empty string.
    """
    if s is None:
        return ""
    text = str(s)
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    return _SPECIAL.sub(lambda m: _ENTITIES[m.group(0)], text)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:=&^\"'])")


def markdown_literal(s: Any) -> str:
    """Return ``s`` so that Streamlit's markdown (captions, labels, headers) shows it
    literally: every ASCII punctuation mark that markdown, its ``$`` TeX, its ``:emoji:``
    and ``:color[...]`` directives or its link/image syntax could act on is backslash-escaped
    (CommonMark lets any ASCII punctuation be escaped). Control characters become spaces."""
    if s is None:
        return ""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in str(s))
    return _MD_SPECIAL.sub(r"\\\1", text)


# ---------------------------------------------------------------- range figures
