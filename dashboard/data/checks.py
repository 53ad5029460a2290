"""Rules that span rows or tables and say something about the domain, not the format.

Each rule returns problems pointing at the line and column to fix.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Callable

from dashboard.errors import Problem
from dashboard.data.units import KM_PER_MILE

# where(table, column) -> (file, 1-based position of the column in the file's own header)
Where = Callable[[str, str], tuple[str, int]]

# A converted range may differ from stated_value * 1.609344 by rounding only.
CONVERSION_TOLERANCE_KM = 1.0


# Classification marks as leaked cables print them before paragraphs and titles: quote the
# words, never the marks.
CLASSIFICATION_MARK = re.compile(r"\((?:TS|S|C|U|SBU|S//NF|C//NF|S/NF|C/NF|SBU/NF|SBU//NF|U//FOUO|TS//SCI)\)")
# Street addresses as the SDN list and press print them: a house number before a street word
# ("5 Hongtang South Road", "98 Nanjing Road", "82 Xinkai Lu"), "No. 82 Xinkai ...", or a
# named street followed by more address ("Langare Street, Nobonyad Square"). The package
# keeps the city only.
_STREET_WORDS = ("Road", "Rd.", "Street", "St.", "Str.", "Strasse", "Avenue", "Ave.", "Boulevard", "Blvd.", "Highway",
                 "Lane", "Alley", "Lu", "Jie", "Dajie", "Xiang")
_STREET = "(?:" + "|".join(map(re.escape, _STREET_WORDS)) + ")"
STREET_ADDRESS = re.compile(
    r"\b\d{1,5}[A-Za-z]?(?:-\d+)?,?\s+(?:[A-Z][\w'-]*\.?\s+){0,4}" + _STREET + r"(?![\w])"
    r"|\bNo\.\s*\d+[A-Za-z]?,?\s+[A-Z]"
    r"|\b[A-Z][\w'-]+\s+" + _STREET + r",\s+[A-Z]"
)
# Every STREET_ADDRESS match contains a street word or "No.": a plain word search (several
# times faster than STREET_ADDRESS over a whole column) finds the only cells worth searching.
_MAY_BE_ADDRESS = re.compile("|".join(map(re.escape, _STREET_WORDS + ("No.",))))
EVIDENCE_COLUMNS = ("evidence", "excerpt")
EVIDENCE_MIN_WORDS = 3
# Matches a text with at least EVIDENCE_MIN_WORDS runs of word characters.
_ENOUGH_WORDS = re.compile(r"\W+".join([r"\w+"] * EVIDENCE_MIN_WORDS))


@dataclass(frozen=True)
class Typed:
    """One table's typed rows, column by column (rows with the wrong number of cells left out)."""

    lines: list[int]            # physical line of each row
    columns: dict[str, list]    # column name -> its typed values, one per row

    def rows(self) -> Iterator[tuple[int, dict]]:
        """``(line, {column: value})`` per row, for the rules on small tables."""
        names = list(self.columns)
        for line, values in zip(self.lines, zip(*self.columns.values())):
            yield line, dict(zip(names, values))


def domain_rules(typed: dict[str, Typed], where: Where, schema=None) -> list[Problem]:
    problems = (
        _claims_consistent(typed["range_claims"], where)
        + _one_seed_claim_per_system(typed, where)
        + _networks_are_networks(typed["entities"], where)
        + _coordinates_paired(typed["entities"], where)
        + _no_self_links(typed["relationships"], where)
    )
    if schema is not None:
        problems += _allowed_list_values(typed, where, schema)
        problems += _text_rules(typed, where, schema)
        problems += _evidence_rules(typed, where, schema)
    return problems


def _allowed_list_values(typed: dict[str, Typed], where: Where, schema) -> list[Problem]:
    """Items of a list column that declares its values (values_from, e.g. programme_tags)."""
    problems = []
    for table in schema.tables.values():
        for col in table.columns:
            if col.type != "list" or not col.values:
                continue
            allowed = set(col.values)
            cells = typed[table.name].columns[col.name]
            if set().union(*set(cells)) <= allowed:
                continue
            file, at = where(table.name, col.name)
            for line, cell in zip(typed[table.name].lines, cells):
                bad = [item for item in cell if item not in allowed]
                if bad:
                    problems.append(Problem(file, line, at, col.name, f"{bad[0]!r} is not an allowed tag (schema.toml [vocabularies]: {', '.join(col.values)})"))
    return problems


def _text_rules(typed: dict[str, Typed], where: Where, schema) -> list[Problem]:
    """No classification marks and no street addresses in any text or list cell."""
    rules = ((CLASSIFICATION_MARK, CLASSIFICATION_MARK, "classification mark such as (S) or (C): quote the words without the marks"),
             (STREET_ADDRESS, _MAY_BE_ADDRESS, "looks like a street address: keep the city only"))
    problems = []
    for table in schema.tables.values():
        rows = typed[table.name]
        for col in table.columns:
            if col.type not in ("text", "list"):
                continue
            file, at = where(table.name, col.name)
            cells = rows.columns[col.name]
            # A list cell's items joined by NUL: no rule matches a NUL, and NUL is a word boundary
            # as the start and end of an item are, so a rule finds something in the joined text
            # exactly when it does in an item.
            texts = cells if col.type == "text" else ["\x00".join(items) for items in cells]
            for pattern, prefilter, message in rules:
                problems += [Problem(file, rows.lines[i], at, col.name, message) for i in _matching(texts, pattern, prefilter)]
    return problems


def _matching(texts: list[str], pattern: re.Pattern, prefilter: re.Pattern) -> list[int]:
    """Indices of the texts ``pattern`` finds something in. ``prefilter`` must find something
    wherever ``pattern`` does; it is run once over all the texts joined by NUL, and only the
    texts it hits are searched with ``pattern``."""
    joined = "\x00".join(texts)
    hits = [m.start() for m in prefilter.finditer(joined)]
    if not hits:
        return []
    starts = [0, *itertools.accumulate(len(t) + 1 for t in texts[:-1])]
    candidates = sorted({bisect.bisect_right(starts, at) - 1 for at in hits})
    return [i for i in candidates if pattern.search(texts[i])]


def delivered_kinds(vocab) -> tuple[set[str], set[str]]:
    """(goods.status values, relationships.kind values) that mean goods were delivered."""
    delivered = set(vocab.get("delivered_status", ()))
    kinds = {kind for kind, status in vocab.get("relationship_status", ()) if status in delivered}
    return delivered, kinds


def _evidence_rules(typed: dict[str, Typed], where: Where, schema) -> list[Problem]:
    """A stated row, and a delivered goods/relationship row, carries its evidence or excerpt."""
    firm = set(schema.vocabularies.get("evidence_required_confidence", ()))
    delivered_status, delivered_rel = delivered_kinds(schema.vocabularies)
    delivered_by = {"goods": ("status", delivered_status), "relationships": ("kind", delivered_rel)}
    problems = []
    for table in schema.tables.values():
        names = table.column_names
        column = next((c for c in EVIDENCE_COLUMNS if c in names), None)
        if column is None:
            continue
        file, at = where(table.name, column)
        rows = typed[table.name]
        n = len(rows.lines)
        confidence = rows.columns.get("confidence", [None] * n)
        flow_column, delivered = delivered_by.get(table.name, (None, set()))
        flows = rows.columns.get(flow_column, [None] * n)
        for i, (text, conf, flow) in enumerate(zip(rows.columns[column], confidence, flows)):
            if conf not in firm and flow not in delivered:
                continue
            if isinstance(text, str) and _ENOUGH_WORDS.search(text):
                continue
            why = ([f"a {conf} row"] if conf in firm else []) + (["a delivered (supplied) row"] if flow in delivered else [])
            problems.append(Problem(file, rows.lines[i], at, column, f"{' and '.join(why)} needs its {column}: what the source says, in at least {EVIDENCE_MIN_WORDS} words"))
    return problems


def _claims_consistent(rows: Typed, where: Where) -> list[Problem]:
    problems = []
    file, col_low = where("range_claims", "range_km_low")
    _, col_km = where("range_claims", "range_km")
    for line, row in rows.rows():
        km, low = row["range_km"], row["range_km_low"]
        if km is None or (isinstance(km, float) and math.isnan(km)):
            continue
        if not math.isnan(low) and low >= km:
            problems.append(Problem(file, line, col_low, "range_km_low", f"must be below range_km ({low:g} >= {km:g})"))
        expected = _expected_km(row["stated_value"], row["stated_unit"])
        if expected is not None and abs(expected - km) > CONVERSION_TOLERANCE_KM:
            problems.append(Problem(file, line, col_km, "range_km", f"{km:g} km does not match the stated {row['stated_value']:g} {row['stated_unit']} (= {expected:.0f} km)"))
    return problems


def _expected_km(value, unit) -> float | None:
    if value is None or unit not in ("km", "mi") or (isinstance(value, float) and math.isnan(value)):
        return None
    return value * KM_PER_MILE if unit == "mi" else value


def _one_seed_claim_per_system(typed, where: Where) -> list[Problem]:
    file, col_seed = where("range_claims", "seed")
    seeds = defaultdict(list)
    problems = []
    for line, row in typed["range_claims"].rows():
        if row["seed"]:
            seeds[row["system"]].append(line)
            if not row["ring"]:
                problems.append(Problem(file, line, col_seed, "seed", "the seed's stated range is drawn as a ring: set ring to yes"))
    sys_file, col_id = where("systems", "id")
    for line, row in typed["systems"].rows():
        found = seeds.get(row["id"], [])
        if len(found) != 1:
            problems.append(Problem(sys_file, line, col_id, "id", f"needs exactly one seed range claim in range_claims.csv, found {len(found)}"))
    return problems


def _networks_are_networks(rows: Typed, where: Where) -> list[Problem]:
    file, col = where("entities", "network")
    kinds = dict(zip(rows.columns["id"], rows.columns["kind"]))
    return [
        Problem(file, line, col, "network", f"{network!r} is a {kinds[network]}, not a network")
        for line, network in zip(rows.lines, rows.columns["network"])
        if network and network in kinds and kinds[network] != "network"
    ]


def _coordinates_paired(rows: Typed, where: Where) -> list[Problem]:
    file, col = where("entities", "lat")
    return [
        Problem(file, line, col, "lat", "give both lat and lon, or neither")
        for line, lat, lon in zip(rows.lines, rows.columns["lat"], rows.columns["lon"])
        if math.isnan(lat) != math.isnan(lon)
    ]


def _no_self_links(rows: Typed, where: Where) -> list[Problem]:
    file, col = where("relationships", "to")
    return [
        Problem(file, line, col, "to", "a link from an entity to itself")
        for line, source, target in zip(rows.lines, rows.columns["from"], rows.columns["to"])
        if source and source == target
    ]
