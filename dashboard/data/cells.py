"""Turn one CSV cell into a typed value, or say in words what is wrong with it.

Each parser returns ``(value, error)``; ``error`` is "" when the cell is fine. Rules for
text apply to every cell, so no markup, control character or bidi override gets in.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from datetime import date

from dashboard.data.schema import Column

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
INT_RE = re.compile(r"^[+-]?\d+$")
URL_RE = re.compile(r"^https?://[^\s\"'<>\\^`{|}]+$")
# Control characters, zero-width and bidirectional-override characters.
_BAD_CLASS = "\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
BAD_CHARS = re.compile(f"[{_BAD_CLASS}]")
# A character that check_text refuses wherever it stands (bad characters and markup).
_REFUSED_ANYWHERE = re.compile(f"[{_BAD_CLASS}<>]")
LIST_SEP = ";"


def check_text(raw: str, max_chars: int) -> str:
    """Return what is wrong with a text cell, or ""."""
    if len(raw) > max_chars:
        return f"too long: {len(raw):,} characters, the limit is {max_chars:,}"
    bad = BAD_CHARS.search(raw)
    if bad:
        return f"contains the invisible or control character U+{ord(bad.group()):04X}"
    return check_plain(raw)


def check_plain(raw: str) -> str:
    """Return why a text cell is not plain text (markup, TeX, outer spaces), or ""."""
    if "<" in raw or ">" in raw:
        return "contains '<' or '>': markup is not allowed in data (write the text plainly)"
    if raw.startswith("$"):
        return "starts with '$': plotly would read it as TeX"
    if raw != raw.strip():
        return "leading or trailing spaces"
    return ""


def parse_cell(raw: str, col: Column, max_chars: int) -> tuple[object, str]:
    """Parse a non-empty cell according to its column type."""
    problem = check_text(raw, max_chars)
    if problem:
        return None, problem
    if col.max_length and len(raw) > col.max_length:
        return None, f"too long: {len(raw)} characters, the limit is {col.max_length}"
    return PARSERS[col.type](raw, col)


def parse_column(cells: Sequence[str], col: Column, max_chars: int) -> tuple[list, dict[int, str]]:
    """:func:`parse_cell` over a whole column: ``(values, errors)`` with, cell for cell, the
    same values and messages. ``errors`` maps a row index to its message; empty cells and
    cells with an error get :func:`empty_value` (the caller reports required empty ones).

    Fast because the text rules are first checked once on the whole column (one regex pass
    over the joined text) and each distinct value is parsed once; only the cells of a
    column that fails that check go through :func:`parse_cell` one by one.
    """
    values, errors = _parse_distinct(cells, col)
    for i in _text_suspects(cells, col, max_chars):
        value, error = parse_cell(cells[i], col, max_chars)
        values[i] = empty_value(col) if error else value
        if error:
            errors[i] = error
        else:
            errors.pop(i, None)
    return values, errors


def _parse_distinct(cells: Sequence[str], col: Column) -> tuple[list, dict[int, str]]:
    """The column's parser (not the text rules) applied once per distinct non-empty value."""
    parse = PARSERS[col.type]
    if parse is _text:  # text is kept as written; empty is ""
        return list(cells), {}
    distinct = set(cells)
    distinct.discard("")
    empty = empty_value(col)
    accepts = _accepts(col)
    if accepts is not None:  # valid values are kept as written, and empty is "" for these types
        bad = {raw: parse(raw, col)[1] for raw in itertools.filterfalse(accepts, distinct)}
        values = list(cells)
    else:
        value_of, bad = {"": empty}, {}
        for raw in distinct:
            value, error = parse(raw, col)
            value_of[raw] = empty if error else value
            if error:
                bad[raw] = error
        values = list(map(value_of.__getitem__, cells))
    if not bad:
        return values, {}
    errors = {i: bad[raw] for i, raw in enumerate(cells) if raw in bad}
    for i in errors:
        values[i] = empty
    return values, errors


def _accepts(col: Column):
    """For the types whose parser returns a valid cell as written: a test that is true of
    exactly the cells the parser accepts (so only the others need the parser); else None."""
    if col.type == "id":
        return ID_RE.match
    if col.type == "url":
        return URL_RE.match
    if col.type == "enum":
        return frozenset(col.values).__contains__
    return None


def _text_suspects(cells: Sequence[str], col: Column, max_chars: int) -> list[int]:
    """Indices of the non-empty cells that may break a text rule of :func:`parse_cell`
    (length, characters, markup, "$", outer spaces); [] when the whole column is clean."""
    if not cells:
        return []
    limit = min(max_chars, col.max_length or max_chars)
    joined = "".join(cells)
    clean = (max(map(len, cells)) <= limit and "$" not in joined and not _REFUSED_ANYWHERE.search(joined)
             and list(map(str.strip, cells)) == list(cells))
    if clean:
        return []
    return [i for i, raw in enumerate(cells)
            if raw and (check_text(raw, max_chars) or (col.max_length and len(raw) > col.max_length))]


def empty_value(col: Column) -> object:
    """The typed value of an empty optional cell."""
    return {"number": math.nan, "integer": None, "list": (), "bool": False}.get(col.type, "")


def _id(raw: str, col: Column) -> tuple[object, str]:
    if not ID_RE.match(raw):
        return None, f"not a valid id {raw!r}: use letters, digits, '_', '-' or '.', at most 64"
    return raw, ""


def _text(raw: str, col: Column) -> tuple[object, str]:
    return raw, ""


def _number(raw: str, col: Column) -> tuple[object, str]:
    try:
        value = float(raw)
    except ValueError:
        return None, f"not a number: {raw!r}"
    if not math.isfinite(value):
        return None, f"must be a finite number (got {raw!r})"
    return _bounded(value, raw, col)


def _integer(raw: str, col: Column) -> tuple[object, str]:
    if not INT_RE.match(raw):
        return None, f"not a whole number: {raw!r}"
    return _bounded(int(raw), raw, col)


def _bounded(value: float, raw: str, col: Column) -> tuple[object, str]:
    unit = f" {col.unit}" if col.unit else ""
    if col.exclusive_min is not None and not value > col.exclusive_min:
        return None, f"must be greater than {col.exclusive_min:g}{unit} (got {raw})"
    if col.min is not None and value < col.min:
        return None, f"must be at least {col.min:g}{unit} (got {raw})"
    if col.max is not None and value > col.max:
        return None, f"must be at most {col.max:g}{unit} (got {raw})"
    return value, ""


def _date(raw: str, col: Column) -> tuple[object, str]:
    m = DATE_RE.match(raw)
    if not m:
        return None, f"not a date {raw!r}: use YYYY, YYYY-MM or YYYY-MM-DD"
    year, month, day = (int(g) if g else 1 for g in m.groups())
    try:
        date(year, month, day)
    except ValueError:
        return None, f"not a real date: {raw!r}"
    return raw, ""


def _enum(raw: str, col: Column) -> tuple[object, str]:
    if raw not in col.values:
        return None, f"{raw!r} is not one of: {', '.join(col.values)}"
    return raw, ""


def _list(raw: str, col: Column) -> tuple[object, str]:
    items = tuple(item.strip() for item in raw.split(LIST_SEP))
    if any(not item for item in items):
        return None, "empty item in a '; ' separated list"
    if col.references:
        bad = [item for item in items if not ID_RE.match(item)]
        if bad:
            return None, f"not a valid id {bad[0]!r} in the list"
    return items, ""


def _bool(raw: str, col: Column) -> tuple[object, str]:
    if raw not in ("yes", "no"):
        return None, f"must be 'yes' or 'no' (got {raw!r})"
    return raw == "yes", ""


def _url(raw: str, col: Column) -> tuple[object, str]:
    if not URL_RE.match(raw):
        return None, f"not an http(s) URL: {raw[:80]!r}"
    return raw, ""


PARSERS = {
    "id": _id, "text": _text, "number": _number, "integer": _integer, "date": _date,
    "enum": _enum, "list": _list, "bool": _bool, "url": _url,
}
