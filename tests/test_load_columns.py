"""The column-at-a-time validator (cells.parse_column, checks._matching) says exactly what
the cell-at-a-time rules say: the same values, the same messages, for the same cells."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.data import cells, checks
from dashboard.data.schema import Column

# Characters every rule cares about: controls, bidi and zero-width marks, markup, "$",
# spaces (also non-ASCII ones), list separators, digits, letters, accents.
ALPHABET = st.sampled_from(list("aZ09_.-;, $<>\t\n\x0b\x1c\x7f\u00a0\u2003\u200b\u202e\ufeffé(SC)") + ["Road", "No.", "St.", "Lu"])
CELL = st.lists(ALPHABET, max_size=8).map("".join)
COLUMNS = [
    Column("id", "id", True, ""), Column("text", "text", False, "", max_length=6), Column("n", "number", False, "", min=0, max=90),
    Column("i", "integer", False, ""), Column("d", "date", False, ""), Column("e", "enum", False, "", values=("a", "b b")),
    Column("l", "list", False, "", references="entities"), Column("t", "list", False, "", values=("NPWMD",)),
    Column("b", "bool", False, ""), Column("u", "url", False, ""),
]
TYPED = [" 1", "1.5", "-3", "1e3", "nan", "inf", "2020", "2020-02-30", "2021-02-28", "1999-13", "yes", "no", "a", "b b",
         "X; Y", "X;", "https://example.org/a", "http://x y", "C_LIMMT", "a" * 65]


def cell_by_cell(column: list[str], col: Column, max_chars: int) -> tuple[list, dict[int, str]]:
    values, errors = [], {}
    for i, raw in enumerate(column):
        value, error = cells.parse_cell(raw, col, max_chars) if raw else (cells.empty_value(col), "")
        values.append(cells.empty_value(col) if error else value)
        if error:
            errors[i] = error
    return values, errors


def same(a: list, b: list) -> bool:
    return all((x != x and y != y) or (x == y and type(x) is type(y)) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("col", COLUMNS, ids=lambda c: c.type + c.name)
@settings(max_examples=150, deadline=None)
@given(column=st.lists(st.one_of(CELL, st.sampled_from(TYPED)), max_size=12))
def test_parse_column_is_parse_cell_for_every_cell(col, column):
    values, errors = cells.parse_column(column, col, max_chars=7)
    expected_values, expected_errors = cell_by_cell(column, col, 7)
    assert errors == expected_errors
    assert same(values, expected_values)


def test_parse_column_of_a_clean_column_parses_each_distinct_value_once(monkeypatch):
    seen = []
    monkeypatch.setitem(cells.PARSERS, "date", lambda raw, col: (seen.append(raw), (raw, ""))[1])
    values, errors = cells.parse_column(["2020", "2021", "2020", ""], Column("d", "date", False, ""), 100)
    assert values == ["2020", "2021", "2020", ""] and errors == {} and sorted(seen) == ["2020", "2021"]


def test_parse_column_honours_a_patched_check_plain():
    from tests.datafix import markup_allowed

    col = Column("t", "text", False, "")
    with markup_allowed():
        assert cells.parse_column(["<b>x</b>", "$x"], col, 100) == (["<b>x</b>", "$x"], {})
    assert set(cells.parse_column(["<b>x</b>", "$x"], col, 100)[1]) == {0, 1}


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from(["5 Hongtang South Road", "No. 82 Xinkai", "Langare Street, Nobonyad Square",
                                                 "(S)", "(TS//SCI) x", "Lu", "82 Xinkai Lu", "St.", "Road", "12", "a",
                                                 "Main Street", "Ave.", " ", ", ", "B", "x-9 "]), max_size=4).map("".join),
                      max_size=8))
def test_matching_finds_the_cells_a_search_of_each_cell_finds(texts):
    for pattern, prefilter in ((checks.STREET_ADDRESS, checks._MAY_BE_ADDRESS),
                               (checks.CLASSIFICATION_MARK, checks.CLASSIFICATION_MARK)):
        assert checks._matching(texts, pattern, prefilter) == [i for i, t in enumerate(texts) if pattern.search(t)]


def test_every_street_address_match_contains_a_word_the_prefilter_finds():
    """The prefilter's words are the street words of STREET_ADDRESS plus "No.": every
    alternative of STREET_ADDRESS needs one of them."""
    for alternative in checks.STREET_ADDRESS.pattern.split("|\\b"):
        assert checks._STREET in alternative or "No\\." in alternative, alternative
    assert checks._MAY_BE_ADDRESS.pattern == "|".join(map(re.escape, checks._STREET_WORDS + ("No.",)))


def test_enough_words_is_three_runs_of_word_characters():
    for text in ["", "a", "a b", "a, b", "a b c", "a-b-c", "  a  b  c  ", "é ü ß", "a_b c", "1 2 3", "a\x00b\x00c"]:
        assert bool(checks._ENOUGH_WORDS.search(text)) == (len(re.findall(r"\w+", text)) >= checks.EVIDENCE_MIN_WORDS), text
