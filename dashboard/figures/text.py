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

__all__ = ["converted_range", "plain_text", "stated_range"]

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}
_SPECIAL = re.compile(r"[&<>$]")


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

CONVERTED_SIGNIFICANT = 3
_OTHER_UNIT = {"km": "mi", "mi": "km"}


def _round_significant(x: float, digits: int) -> float:
    if x == 0:
        return 0.0
    from math import floor, log10

    return round(x, digits - 1 - floor(log10(abs(x))))


def _number(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() or abs(x) >= 100 else f"{x:,.3g}"


def converted_range(value: float, unit: str) -> tuple[float, str]:
    """The stated range ``value`` (in ``unit``, ``"km"`` or ``"mi"``) in the other unit, rounded
    honestly: to 3 significant figures.

    Why 3 significant figures: a conversion adds no precision, so it must not print more
    digits than the source's figure can carry. Range figures in the sources are rounded
    (800 mi, 2,000 km) or are themselves conversions (1,242 mi is 2,000 km converted), so
    the converted figure is never printed to its last unit: 1,242 mi is 1,998.8 km and is
    shown as 2,000 km, never "1,999 km". Trailing zeros do not tell how precise a figure is
    ("1,200 mi" may be exact or rounded to the hundred), so the rule does not guess from
    them: 3 significant figures keeps the rounding error under 0.5 % and matches the
    issue's own example, 1,200 mi ≈ 1,930 km (1,931.2 km). Below 100 the same rule keeps
    decimals (e.g. 62.1 mi). The stated figure itself is always printed as the source
    stated it, first; the converted one only after "≈".
    """
    unit = str(unit).strip().lower()
    if unit not in _OTHER_UNIT:
        raise ValueError(f"unit must be 'km' or 'mi', got {unit[:10]!r}")
    from dashboard.data.units import KM_PER_MILE

    factor = KM_PER_MILE if unit == "mi" else 1 / KM_PER_MILE
    return _round_significant(float(value) * factor, CONVERTED_SIGNIFICANT), _OTHER_UNIT[unit]


def stated_range(value: float, unit: str) -> str:
    """``"1,200 mi ≈ 1,930 km"``: the figure in the unit the source stated it, then the other
    unit rounded by :func:`converted_range`. Plain text (no markup)."""
    other, other_unit = converted_range(value, unit)
    return f"{_number(float(value))} {str(unit).strip().lower()} \u2248 {_number(other)} {other_unit}"
