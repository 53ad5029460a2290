"""Rules that span rows or tables and say something about the domain, not the format.

Each rule returns problems pointing at the line and column to fix.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
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
_STREET = r"(?:Road|Rd\.|Street|St\.|Str\.|Strasse|Avenue|Ave\.|Boulevard|Blvd\.|Highway|Lane|Alley|Lu|Jie|Dajie|Xiang)"
STREET_ADDRESS = re.compile(
    r"\b\d{1,5}[A-Za-z]?(?:-\d+)?,?\s+(?:[A-Z][\w'-]*\.?\s+){0,4}" + _STREET + r"(?![\w])"
    r"|\bNo\.\s*\d+[A-Za-z]?,?\s+[A-Z]"
    r"|\b[A-Z][\w'-]+\s+" + _STREET + r",\s+[A-Z]"
)
EVIDENCE_COLUMNS = ("evidence", "excerpt")
EVIDENCE_MIN_WORDS = 3


def domain_rules(typed: dict, where: Where, schema=None) -> list[Problem]:
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


def _allowed_list_values(typed, where: Where, schema) -> list[Problem]:
    """Items of a list column that declares its values (values_from, e.g. programme_tags)."""
    problems = []
    for table in schema.tables.values():
        for col in table.columns:
            if col.type != "list" or not col.values:
                continue
            file, at = where(table.name, col.name)
            allowed = set(col.values)
            for line, row in typed[table.name]:
                bad = [item for item in row[col.name] if item not in allowed]
                if bad:
                    problems.append(Problem(file, line, at, col.name, f"{bad[0]!r} is not an allowed tag (schema.toml [vocabularies]: {', '.join(col.values)})"))
    return problems


def _text_rules(typed, where: Where, schema) -> list[Problem]:
    """No classification marks and no street addresses in any text or list cell."""
    problems = []
    for table in schema.tables.values():
        for col in table.columns:
            if col.type not in ("text", "list"):
                continue
            file, at = where(table.name, col.name)
            for line, row in typed[table.name]:
                value = row[col.name]
                texts = value if isinstance(value, tuple) else (value,)
                if any(isinstance(t, str) and CLASSIFICATION_MARK.search(t) for t in texts):
                    problems.append(Problem(file, line, at, col.name, "classification mark such as (S) or (C): quote the words without the marks"))
                if any(isinstance(t, str) and STREET_ADDRESS.search(t) for t in texts):
                    problems.append(Problem(file, line, at, col.name, "looks like a street address: keep the city only"))
    return problems


def delivered_kinds(vocab) -> tuple[set[str], set[str]]:
    """(goods.status values, relationships.kind values) that mean goods were delivered."""
    delivered = set(vocab.get("delivered_status", ()))
    kinds = {kind for kind, status in vocab.get("relationship_status", ()) if status in delivered}
    return delivered, kinds


def _evidence_rules(typed, where: Where, schema) -> list[Problem]:
    """A stated row, and a delivered goods/relationship row, carries its evidence or excerpt."""
    firm = set(schema.vocabularies.get("evidence_required_confidence", ()))
    delivered_status, delivered_rel = delivered_kinds(schema.vocabularies)
    problems = []
    for table in schema.tables.values():
        names = table.column_names
        column = next((c for c in EVIDENCE_COLUMNS if c in names), None)
        if column is None:
            continue
        file, at = where(table.name, column)
        for line, row in typed[table.name]:
            why = []
            if row.get("confidence") in firm:
                why.append(f"a {row['confidence']} row")
            if (table.name == "goods" and row.get("status") in delivered_status) or \
                    (table.name == "relationships" and row.get("kind") in delivered_rel):
                why.append("a delivered (supplied) row")
            text = row[column] if isinstance(row[column], str) else ""
            if why and len(re.findall(r"\w+", text)) < EVIDENCE_MIN_WORDS:
                problems.append(Problem(file, line, at, column, f"{' and '.join(why)} needs its {column}: what the source says, in at least {EVIDENCE_MIN_WORDS} words"))
    return problems


def _claims_consistent(rows, where: Where) -> list[Problem]:
    problems = []
    file, col_low = where("range_claims", "range_km_low")
    _, col_km = where("range_claims", "range_km")
    for line, row in rows:
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
    for line, row in typed["range_claims"]:
        if row["seed"]:
            seeds[row["system"]].append(line)
            if not row["ring"]:
                problems.append(Problem(file, line, col_seed, "seed", "the seed's stated range is drawn as a ring: set ring to yes"))
    sys_file, col_id = where("systems", "id")
    for line, row in typed["systems"]:
        found = seeds.get(row["id"], [])
        if len(found) != 1:
            problems.append(Problem(sys_file, line, col_id, "id", f"needs exactly one seed range claim in range_claims.csv, found {len(found)}"))
    return problems


def _networks_are_networks(rows, where: Where) -> list[Problem]:
    file, col = where("entities", "network")
    kinds = {row["id"]: row["kind"] for _, row in rows}
    return [
        Problem(file, line, col, "network", f"{row['network']!r} is a {kinds[row['network']]}, not a network")
        for line, row in rows
        if row["network"] and row["network"] in kinds and kinds[row["network"]] != "network"
    ]


def _coordinates_paired(rows, where: Where) -> list[Problem]:
    file, col = where("entities", "lat")
    return [
        Problem(file, line, col, "lat", "give both lat and lon, or neither")
        for line, row in rows
        if math.isnan(row["lat"]) != math.isnan(row["lon"])
    ]


def _no_self_links(rows, where: Where) -> list[Problem]:
    file, col = where("relationships", "to")
    return [
        Problem(file, line, col, "to", "a link from an entity to itself")
        for line, row in rows
        if row["from"] and row["from"] == row["to"]
    ]
