"""Rules that span rows or tables and say something about the domain, not the format.

Each rule returns problems pointing at the line and column to fix.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Callable

from dashboard.errors import Problem
from dashboard.data.units import KM_PER_MILE

# where(table, column) -> (file, 1-based position of the column in the file's own header)
Where = Callable[[str, str], tuple[str, int]]

# A converted range may differ from stated_value * 1.609344 by rounding only.
CONVERSION_TOLERANCE_KM = 1.0


def domain_rules(typed: dict, where: Where) -> list[Problem]:
    return (
        _claims_consistent(typed["range_claims"], where)
        + _one_seed_claim_per_system(typed, where)
        + _networks_are_networks(typed["entities"], where)
        + _coordinates_paired(typed["entities"], where)
        + _no_self_links(typed["relationships"], where)
    )


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
